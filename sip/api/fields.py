"""Parameters and fields shared by the API views: srid, yes/no flags, search texts, parcel
identifiers, and geometries from a request body."""

from __future__ import annotations

import json

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from sip.geometry import ACCEPTED_SRIDS, GeometryError, check_in_poland, parse_srid

from .base import MAX_QUERY_LENGTH
from .errors import BadRequest


def request_srid(request) -> int:
    return parse_srid(request.query_params.get("srid"), default=4326)


SRID_PARAM = OpenApiParameter(
    "srid",
    int,
    enum=list(ACCEPTED_SRIDS),
    description="EPSG wyniku: 4326 (domyślnie), 2180, 2176–2179, 3857",
)


class SridField(serializers.ChoiceField):
    """An accepted EPSG code (also written 'EPSG:2180')."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default", 4326)
        super().__init__(choices=list(ACCEPTED_SRIDS), **kwargs)

    def to_internal_value(self, data):
        try:
            return parse_srid(data)
        except GeometryError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return value


class FlagField(serializers.BooleanField):
    """A yes/no parameter: 1/0, true/false, tak/nie."""

    TRUE_VALUES = {*serializers.BooleanField.TRUE_VALUES, "tak", "Tak", "TAK"}
    FALSE_VALUES = {*serializers.BooleanField.FALSE_VALUES, "nie", "Nie", "NIE"}


PARCEL_ID_PATTERN = r"^[0-9]{6}_[1-9]\.[0-9]{4}\.[1-9][0-9]{0,5}(/[1-9][0-9]{0,4}){0,2}$"
PARCEL_ID_PARAM = OpenApiParameter(
    "identifier",
    str,
    OpenApiParameter.PATH,
    pattern=PARCEL_ID_PATTERN,
    description="identyfikator EGiB działki, np. 020101_1.0001.123/4 (ukośnik zakodowany jako %2F)",
)


class SearchTextField(serializers.CharField):
    """A search text of 2..MAX_QUERY_LENGTH characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        kwargs.setdefault(
            "error_messages",
            {
                "min_length": f"od 2 do {MAX_QUERY_LENGTH} znaków.",
                "max_length": f"od 2 do {MAX_QUERY_LENGTH} znaków.",
                "blank": f"od 2 do {MAX_QUERY_LENGTH} znaków.",
                "required": f"od 2 do {MAX_QUERY_LENGTH} znaków.",
            },
        )
        super().__init__(**kwargs)


def geometry_in_poland(geom: GEOSGeometry) -> None:
    """Raise GeometryError unless every corner of the geometry's extent is finite and in Poland
    (before anything reprojects it: 1e308 degrees make GDAL and PostGIS fail)."""
    if geom.empty:
        raise GeometryError("Pusta geometria.")
    xmin, ymin, xmax, ymax = geom.extent
    check_in_poland(xmin, ymin, geom.srid)
    check_in_poland(xmax, ymax, geom.srid)


def geometry_from_body(data: dict, srid: int) -> GEOSGeometry | None:
    """A geometry from GeoJSON (`geometry`, in ?srid=, default 4326) or EWKT (`wkt`), with finite
    coordinates in Poland; None when the body names neither."""
    if data.get("geometry") is not None:
        try:
            geom = GEOSGeometry(json.dumps(data["geometry"]))
        except (GEOSException, GDALException, ValueError, TypeError) as exc:
            raise BadRequest("Nieprawidłowa geometria GeoJSON.") from exc
        geom.srid = srid
    elif data.get("wkt"):
        try:
            geom = GEOSGeometry(str(data["wkt"]))
        except (GEOSException, GDALException, ValueError) as exc:
            raise BadRequest("Nieprawidłowa geometria WKT.") from exc
        if geom.srid is None:
            raise BadRequest("Geometria WKT bez układu: podaj EWKT, np. SRID=2180;POINT(…).")
        if geom.srid not in ACCEPTED_SRIDS:
            raise BadRequest(f"Nieobsługiwany układ współrzędnych EPSG:{geom.srid}.")
    else:
        return None
    try:
        geometry_in_poland(geom)
    except GeometryError as exc:
        raise BadRequest(f"Geometria: {exc}") from None
    return geom
