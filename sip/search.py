"""One search box for the geoportal: providers registered by each app, asked in order.

The registry lives in the core so that every app can register without importing the geoportal
above it (tests/sip/test_floors.py); the geoportal's search API asks it. An app adds its own kind
of result (graves, register objects…) from its AppConfig.ready():

    from sip.search import SearchResult, register_provider
    register_provider("grave", "Grób", find_graves, order=30)

where `find_graves(query: str, gmina: Gmina, user, limit: int) -> list[SearchResult]` returns
results the user may see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from . import selectors
from .models import Gmina


@dataclass
class SearchResult:
    kind: str
    label: str
    detail: str
    geojson: dict  # geometry in EPSG:4326
    extra: dict = field(default_factory=dict)


@dataclass
class Provider:
    kind: str
    label: str
    find: Callable[[str, Gmina, object, int], list[SearchResult]]
    order: int


_PROVIDERS: dict[str, Provider] = {}


def register_provider(kind: str, label: str, find, order: int = 50) -> None:
    """Add (or replace) the provider of one kind of result."""
    _PROVIDERS[kind] = Provider(kind, label, find, order)


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: p.order)


# Each provider is asked for at most this many results: the count of a search is exact up to it.
MAX_PER_PROVIDER = 100


def search(query: str, gmina: Gmina, user, limit: int = 12, offset: int = 0) -> tuple[int, list[dict]]:
    """Return (how many results, up to MAX_PER_PROVIDER of each kind; the page of `limit` results
    from `offset`) of every provider, in provider order, as plain dicts."""
    found: list[dict] = []
    for provider in providers():
        for r in provider.find(query, gmina, user, MAX_PER_PROVIDER):
            found.append(
                {
                    "kind": r.kind,
                    "kind_label": provider.label,
                    "label": r.label,
                    "detail": r.detail,
                    "geometry": r.geojson,
                    **r.extra,
                }
            )
    return len(found), found[offset : offset + limit]


def _find_parcels(query: str, gmina: Gmina, user, limit: int) -> list[SearchResult]:
    q = " ".join(query.split())
    if selectors.looks_like_identifier(q):
        qs = selectors.parcels_by_identifier_prefix(q, gmina).order_by("identifier")
    else:
        qs = selectors.parcels_by_number_and_obreb(q, gmina)
    return [
        SearchResult(
            kind="parcel",
            label=f"Działka {p.number}, obręb {p.obreb.name}",
            detail=p.identifier,
            geojson=json.loads(p.geojson),
            extra={"identifier": p.identifier},
        )
        for p in selectors.parcels_with_geojson(qs, 4326)[:limit]
    ]


def _find_addresses(query: str, gmina: Gmina, user, limit: int) -> list[SearchResult]:
    if selectors.looks_like_identifier(query) or not any(c.isalpha() for c in query):
        return []
    # The points in EPSG:4326 come with the addresses, not from a second query.
    found = selectors.addresses_matching(query, gmina, geojson_srid=4326)[:limit]
    return [
        SearchResult(kind="address", label=a.label, detail="Adres", geojson=json.loads(a.geojson))
        for a, _ in found
    ]


def register_core_providers() -> None:
    """Register the core's own kinds of result: parcels and addresses."""
    register_provider("parcel", "Działka", _find_parcels, order=10)
    register_provider("address", "Adres", _find_addresses, order=20)
