"""Paged lists ({count, next, previous, results}) and paged GeoJSON FeatureCollections as
OGC API Features gives them, with their serializers for the schema."""

from __future__ import annotations

from urllib.parse import urlencode

from rest_framework import serializers

from sip.urls_public import request_url


def page_serializer(*, default: int, maximum: int):
    """An input serializer of `limit` (1..maximum, default) and `offset` (0..)."""

    class PageSerializer(serializers.Serializer):
        limit = serializers.IntegerField(
            min_value=1, max_value=maximum, default=default, help_text=f"najwyżej {maximum}"
        )
        offset = serializers.IntegerField(min_value=0, max_value=10**9, default=0)

    PageSerializer.__name__ = f"Page{default}Of{maximum}Serializer"
    return PageSerializer


def page_links(request, *, total: int, limit: int, offset: int) -> tuple[str | None, str | None]:
    """Absolute URLs of the next and previous pages (None at either end)."""

    def url(new_offset: int) -> str:
        params = request.query_params.copy()
        params["offset"] = str(new_offset)
        params["limit"] = str(limit)
        return request_url(request) + "?" + urlencode(list(params.lists()), doseq=True)

    nxt = url(offset + limit) if offset + limit < total else None
    # Past the end, the previous page is the last one.
    prev = url(max(min(offset, total) - limit, 0)) if offset > 0 else None
    return nxt, prev


def paged_list(request, results: list, *, total: int, limit: int, offset: int) -> dict:
    """A plain list page: {count, next, previous, results}."""
    nxt, prev = page_links(request, total=total, limit=limit, offset=offset)
    return {"count": total, "next": nxt, "previous": prev, "results": results}


def feature_links(request, *, total: int, limit: int, offset: int) -> list[dict]:
    """OGC API Features links of a FeatureCollection page: next and prev where there is one. (No
    "self": it would only echo the request, search text included, into every answer.)"""
    nxt, prev = page_links(request, total=total, limit=limit, offset=offset)
    links = []
    if nxt:
        links.append({"rel": "next", "type": "application/geo+json", "href": nxt})
    if prev:
        links.append({"rel": "prev", "type": "application/geo+json", "href": prev})
    return links


def paged_features(request, features: list, *, total: int, limit: int, offset: int) -> dict:
    """A GeoJSON FeatureCollection page as OGC API Features gives one: numberMatched,
    numberReturned and links (rel next / prev)."""
    return {
        "type": "FeatureCollection",
        "numberMatched": total,
        "numberReturned": len(features),
        "links": feature_links(request, total=total, limit=limit, offset=offset),
        "features": features,
    }


class LinkSerializer(serializers.Serializer):
    rel = serializers.CharField(help_text="next albo prev")
    type = serializers.CharField()
    href = serializers.URLField()


# ---------------------------------------------------------------------------------------------
# GeoJSON in the schema


class GeoJSONGeometrySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Point, LineString, Polygon, MultiPolygon, …")
    coordinates = serializers.JSONField(help_text="współrzędne w układzie srid (domyślnie EPSG:4326)")


class CrsSerializer(serializers.Serializer):
    type = serializers.CharField()
    properties = serializers.DictField()


def feature_serializer(name: str, properties, *, id_help: str = "identyfikator obiektu"):
    """A serializer class documenting a GeoJSON Feature with the given properties serializer."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": serializers.CharField(help_text="Feature"),
            "id": serializers.IntegerField(required=False, help_text=id_help),
            "geometry": GeoJSONGeometrySerializer(allow_null=True),
            "properties": properties,
            "crs": CrsSerializer(required=False, help_text="tylko gdy srid ≠ 4326"),
        },
    )


def collection_serializer(name: str, feature, *, paged: bool = True):
    """A serializer class documenting a GeoJSON FeatureCollection of `feature` (paged: with
    numberMatched, numberReturned and links)."""
    fields = {
        "type": serializers.CharField(help_text="FeatureCollection"),
        "features": feature(many=True),
        "crs": CrsSerializer(required=False, help_text="tylko gdy srid ≠ 4326"),
    }
    if paged:
        fields |= {
            "numberMatched": serializers.IntegerField(help_text="ile obiektów spełnia warunki"),
            "numberReturned": serializers.IntegerField(help_text="ile jest na tej stronie"),
            "links": LinkSerializer(many=True, help_text="next i prev: następna i poprzednia strona"),
        }
    return type(name, (serializers.Serializer,), fields)
