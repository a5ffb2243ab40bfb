"""Reads of the core domain: parcels, addresses, gminas."""

from __future__ import annotations

import json

from django.contrib.gis.db.models.functions import Area, AsGeoJSON, Transform
from django.db.models import F, OuterRef, QuerySet, Subquery, Value

from .dbfunctions import Fold
from .identifiers import PARCEL_ID_RE
from .models import AddressPoint, Gmina, Obreb, Parcel
from .text import fold

SEARCH_LIMIT = 20


def obreb_at(point, gmina) -> Obreb | None:
    """The obręb of the gmina (an instance or its id) that contains the point (EPSG:2180, or any
    SRID PostGIS can transform); None outside all of them or without a point. The one rule for
    the stored obręb of register rows (see store_obreby for the same rule in SQL)."""
    if point is None or point.empty or gmina is None:
        return None
    return Obreb.objects.filter(gmina=gmina, geom__contains=point).order_by("id").first()


def _precision(srid: int) -> int:
    # 1e-9 degree and 0.1 mm: areas computed from the output agree with the stored ones.
    return 9 if srid == 4326 else 4


def parcels_with_geojson(queryset: QuerySet[Parcel], srid: int) -> QuerySet[Parcel]:
    """Return the parcels annotated with `geojson` (in `srid`) and `geometry_area` (m², 2180),
    without their stored geometries: the gmina's and obręb's outlines are the heaviest columns
    of the row and a search page of twelve parcels does not draw them."""
    return (
        queryset.select_related("gmina", "obreb")
        .defer("geom", "gmina__boundary", "obreb__geom")
        .annotate(
            geojson=AsGeoJSON(Transform("geom", srid), precision=_precision(srid)),
            geometry_area=Area("geom"),
        )
    )


def parcel_by_identifier(identifier: str, srid: int) -> Parcel | None:
    """Return the parcel with this identifier, annotated for output, or None."""
    return parcels_with_geojson(Parcel.objects.filter(identifier=identifier), srid).first()


def parcel_feature(parcel: Parcel, srid: int, match: str | None = None) -> dict:
    """Return a GeoJSON Feature of an annotated parcel."""
    registered = float(parcel.registered_area_m2) if parcel.registered_area_m2 is not None else None
    geometry_area = round(parcel.geometry_area.sq_m, 2)
    props = {
        "identifier": parcel.identifier,
        "gmina": {"teryt": parcel.gmina.teryt, "name": parcel.gmina.name},
        "obreb": {"code": parcel.obreb.code, "name": parcel.obreb.name},
        "number": parcel.number,
        "registered_area_m2": registered,
        "geometry_area_m2": geometry_area,
        "area_difference_m2": round(geometry_area - registered, 2) if registered is not None else None,
    }
    if match:
        props["match"] = match
    feature = {
        "type": "Feature",
        "id": parcel.identifier,
        "geometry": json.loads(parcel.geojson),
        "properties": props,
    }
    if srid != 4326:
        feature["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
    return feature


def looks_like_identifier(query: str) -> bool:
    """Whether a search text is (the start of) an EGiB identifier rather than words."""
    q = query.strip()
    return bool(PARCEL_ID_RE.match(q)) or (q[:1].isdigit() and ("_" in q or "." in q))


def parcels_by_identifier_prefix(prefix: str, gmina: Gmina | None = None) -> QuerySet[Parcel]:
    """Return the parcels whose identifier starts with the prefix."""
    qs = Parcel.objects.filter(identifier__startswith=prefix.strip())
    return qs.filter(gmina=gmina) if gmina is not None else qs


def parcels_by_number_and_obreb(query: str, gmina: Gmina | None = None) -> QuerySet[Parcel]:
    """Return the parcels named by a number and an obręb name ("123/4 Kruszyn", "Kruszyn 12"),
    or by a bare number in every obręb; none when the query has no number."""
    parts = query.split()
    numbers = [p for p in parts if p[:1].isdigit()]
    words = " ".join(p for p in parts if not p[:1].isdigit())
    if len(numbers) != 1:
        return Parcel.objects.none()
    qs = Parcel.objects.filter(number=numbers[0])
    if words:
        # sip_fold is indexed (trigrams) on the obręb names: no scan of every obręb.
        qs = qs.annotate(obreb_name=Fold(F("obreb__name"))).filter(obreb_name__contains=Fold(Value(words)))
    qs = qs.filter(gmina=gmina) if gmina is not None else qs
    return qs.order_by("gmina__teryt", "obreb__code")


def search_parcels(
    query: str, srid: int, gmina: Gmina | None = None, *, limit: int = SEARCH_LIMIT, offset: int = 0
) -> tuple[int, list[dict]]:
    """Return (how many match, the page of parcel Features from `offset`) for an identifier
    prefix, a number with an obręb name, or an address (the parcel under the address point)."""
    q = " ".join(query.split())
    if not q:
        return 0, []
    if looks_like_identifier(q):
        found = parcels_by_identifier_prefix(q, gmina).order_by("identifier")
        page = parcels_with_geojson(found, srid)[offset : offset + limit]
        return found.count(), [parcel_feature(p, srid) for p in page]
    by_number = Parcel.objects.none()
    if any(not w[:1].isdigit() for w in q.split()):
        by_number = parcels_by_number_and_obreb(q, gmina).order_by("gmina__teryt", "obreb__code", "id")
    addresses = _addresses_with_parcel(q, gmina)
    numbered = by_number.count()
    total = numbered + addresses.count()
    features = [
        parcel_feature(p, srid, match=f"{p.obreb.name} {p.number}")
        for p in parcels_with_geojson(by_number, srid)[offset : offset + limit]
    ]
    start = max(offset - numbered, 0)
    page = list(addresses[start : start + limit - len(features)])
    # The parcels under the page's addresses in one query, not one query per address.
    under = parcels_with_geojson(Parcel.objects.filter(pk__in={a.parcel_id for a in page}), srid).in_bulk()
    features += [parcel_feature(under[a.parcel_id], srid, match=a.label) for a in page]
    return total, features


def _addresses_matching_qs(query: str, gmina: Gmina | None) -> QuerySet[AddressPoint]:
    qs = AddressPoint.objects.select_related("street").annotate(
        parcel_id=Subquery(Parcel.objects.filter(geom__contains=OuterRef("geom")).values("id")[:1]),
    )
    for word in fold(query).split():
        qs = qs.filter(search_text__contains=word)
    if gmina is not None:
        qs = qs.filter(gmina=gmina)
    return qs.order_by("locality", "street__name", "house_number", "id")


def _addresses_with_parcel(query: str, gmina: Gmina | None) -> QuerySet[AddressPoint]:
    return _addresses_matching_qs(query, gmina).filter(parcel_id__isnull=False)


def addresses_matching(query: str, gmina: Gmina | None = None) -> list[tuple[AddressPoint, int | None]]:
    """Return address points whose "street number locality" contains every word of the query,
    each with the id of the parcel under it (or None)."""
    return [(a, a.parcel_id) for a in _addresses_matching_qs(query, gmina)[:SEARCH_LIMIT]]
