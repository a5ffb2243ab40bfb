"""Reads of the core domain: parcels, addresses, gminas."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from django.contrib.gis.db.models.functions import Area, AsGeoJSON, Transform
from django.db.models import Case, Count, F, OuterRef, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Concat

from .dbfunctions import Fold
from .identifiers import PARCEL_ID_RE, parse_parcel_identifier
from .models import AddressPoint, Gmina, Obreb, Parcel, Street
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
    # 1e-9 degree and 1 µm: areas computed from the output agree with the stored ones (the
    # demo's parcels are cut by computation, their corners are not on a millimetre grid).
    return 9 if srid == 4326 else 6


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


def parcel_by_identifier(identifier: str, srid: int | None = None) -> Parcel | None:
    """Return the parcel named by an EGiB identifier (with its gmina and obręb; annotated for
    output in `srid` when given), or None. The one lookup of a parcel by identifier: a malformed
    identifier raises ValidationError in Polish (sip.identifiers), so no caller skips it."""
    found = Parcel.objects.filter(identifier=str(parse_parcel_identifier(identifier)))
    if srid is not None:
        return parcels_with_geojson(found, srid).first()
    return found.select_related("gmina", "obreb").first()


def parcels_by_identifiers(identifiers: Iterable[str]) -> dict[str, Parcel | None]:
    """Return {identifier: parcel or None} for EGiB identifiers, in the order given, duplicates
    dropped, each identifier validated (ValidationError in Polish) and written canonically."""
    wanted = list(dict.fromkeys(str(parse_parcel_identifier(i)) for i in identifiers))
    found = (
        Parcel.objects.select_related("gmina", "obreb")
        .filter(identifier__in=wanted)
        .in_bulk(field_name="identifier")
    )
    return {i: found.get(i) for i in wanted}


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


def _number_and_words(query: str) -> tuple[str | None, str]:
    """The query's one number (None unless exactly one word starts with a digit) and its other
    words, for the search by number and obręb name."""
    parts = query.split()
    numbers = [p for p in parts if p[:1].isdigit()]
    return (numbers[0] if len(numbers) == 1 else None), " ".join(p for p in parts if not p[:1].isdigit())


def parcels_by_number_and_obreb(query: str, gmina: Gmina | None = None) -> QuerySet[Parcel]:
    """Return the parcels named by a number and an obręb name ("123/4 Kruszyn", "Kruszyn 12"),
    or by a bare number in every obręb; none when the query has no number."""
    found = _parcels_by_number_and_obreb(query, gmina)
    return Parcel.objects.none() if found is None else found


def _parcels_by_number_and_obreb(query: str, gmina: Gmina | None) -> QuerySet[Parcel] | None:
    # None when no parcel can match (no number, or no obręb of that name), without a query for
    # the parcels.
    number, words = _number_and_words(query)
    if number is None:
        return None
    qs = Parcel.objects.filter(number=number)
    if words:
        # The obręby first, by the trigram index on their folded names, and their ids as a
        # list: joined to the parcels, the planner costed sip_fold() as cheap and folded every
        # obręb name instead (6 ms for 1,600 obręby). No obręb of that name: no parcel query.
        obreby = Obreb.objects.annotate(folded=Fold(F("name"))).filter(folded__contains=Fold(Value(words)))
        if gmina is not None:
            obreby = obreby.filter(gmina=gmina)
        obreb_ids = list(obreby.order_by().values_list("id", flat=True))
        if not obreb_ids:
            return None
        qs = qs.filter(obreb__in=obreb_ids)
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
    # Each part gives its page with the number of its matches (COUNT(*) OVER ()): one pass
    # over the matches instead of a count and a page that each find them. A part counts
    # separately only when its page is empty: past its end, or when the other part filled it.
    numbered, features = 0, []
    if any(not w[:1].isdigit() for w in q.split()):
        by_number = _parcels_by_number_and_obreb(q, gmina)
        if by_number is not None:
            by_number = by_number.order_by("gmina__teryt", "obreb__code", "id")
            page = list(
                parcels_with_geojson(by_number, srid).annotate(matched=Window(Count("*")))[
                    offset : offset + limit
                ]
            )
            numbered = page[0].matched if page else (by_number.count() if offset else 0)
            features = [parcel_feature(p, srid, match=f"{p.obreb.name} {p.number}") for p in page]
    addresses = _addresses_with_parcel(q, gmina)
    start = max(offset - numbered, 0)
    page = []
    if len(features) < limit:
        # Without the point (a GEOS object per row that nothing here reads).
        matched = addresses.defer("geom").annotate(matched=Window(Count("*")))
        page = _with_streets(matched[start : start + limit - len(features)])
    total = numbered + (page[0].matched if page else addresses.count())
    if page:
        # The parcels under the page's addresses in one query, not one query per address.
        wanted = Parcel.objects.filter(pk__in={a.parcel_id for a in page})
        under = parcels_with_geojson(wanted, srid).in_bulk()
        features += [parcel_feature(under[a.parcel_id], srid, match=a.label) for a in page]
    return total, features


# A word with three letters in a row is never part of a Polish house number ("12", "12a",
# "5/7"): it must then lie in the street's name or the locality, and such words are what make
# the address search cheap at regional scale (the addresses whose text holds them, through
# their trigrams).
_LEAD_WORD = re.compile(r"[^\W\d_]{3}")


def _addresses_matching_qs(query: str, gmina: Gmina | None) -> QuerySet[AddressPoint]:
    words = fold(query).split()
    qs = AddressPoint.objects.all()
    leads = [w for w in words if _LEAD_WORD.search(w)]
    if not leads:
        for word in words:
            qs = qs.filter(search_text__contains=word)
    else:
        # The candidates are the addresses whose search_text (the folded "street number
        # locality") holds every lead word, from one scan of its trigram index: the index
        # intersects the words' trigrams itself, so a common word beside a rare one costs
        # little ("Garncarska Bolesławiec" at 1.5M parcels: 35 ms, where the longest word
        # alone gave the 500,000 addresses of the 51 towns called Bolesławiec, 290 ms). The
        # other words ("12": no trigram) are checked on those rows only: Concat() hides
        # search_text from the index. (The streets whose name holds a word are not looked up
        # first: their addresses are among these candidates anyway, and at 1.5M parcels the
        # street lookup cost 3-6 ms of a search.)
        for word in leads:
            qs = qs.filter(search_text__contains=word)
        qs = qs.annotate(text=Concat(F("search_text"), Value("")))
        for word in words:
            if word not in leads:
                qs = qs.filter(text__contains=word)
    if gmina is not None:
        qs = qs.filter(gmina=gmina)
    # The address whose number is the query's last number comes first ("Garncarska 12" before
    # 112 and 120–129, which hold the same digits). Then search_text, which begins with the
    # folded street name and the number: the order of streets and numbers without joining the
    # streets of every match (their names come for the page only).
    number = next((w for w in reversed(words) if w[:1].isdigit()), None)
    order = ["locality", "search_text", "id"]
    if number is not None:
        qs = qs.annotate(
            exact_number=Case(When(house_number__iexact=number, then=Value(0)), default=Value(1))
        )
        order.insert(0, "exact_number")
    # The street's name for the labels comes in the same query: a subquery by primary key,
    # which PostgreSQL evaluates for the page's rows only, after the sort (a join would be
    # made before it, for every match: at 1.5M parcels it hashed all 21,000 streets).
    street_name = Street.objects.filter(pk=OuterRef("street_id")).order_by().values("name")[:1]
    return qs.order_by(*order).annotate(street_name=Subquery(street_name))


def _with_streets(addresses: Iterable[AddressPoint]) -> list[AddressPoint]:
    """The addresses with their streets built from the `street_name` each was read with (id
    and name; the other columns deferred, as `only()` would leave them)."""
    out = list(addresses)
    for a in out:
        if a.street_id is not None:
            a.street = Street.from_db(a._state.db, ["id", "name"], [a.street_id, a.street_name])
    return out


def _addresses_with_parcel(query: str, gmina: Gmina | None) -> QuerySet[AddressPoint]:
    # The parcel under each address is stored with it (AddressPoint.parcel, kept by triggers):
    # no spatial lookup per candidate, for the count or for the page.
    return _addresses_matching_qs(query, gmina).filter(parcel__isnull=False)


def addresses_matching(
    query: str, gmina: Gmina | None = None, *, geojson_srid: int | None = None
) -> list[tuple[AddressPoint, int | None]]:
    """Return address points whose "street number locality" contains every word of the query,
    each with the id of the parcel under it (or None); with `geojson_srid`, each point is also
    annotated as `geojson` (GeoJSON text in that SRID, 7 decimals) by the same query."""
    qs = _addresses_matching_qs(query, gmina)
    if geojson_srid is not None:
        qs = qs.annotate(geojson=AsGeoJSON(Transform("geom", geojson_srid), precision=7))
    return [(a, a.parcel_id) for a in _with_streets(qs[:SEARCH_LIMIT])]
