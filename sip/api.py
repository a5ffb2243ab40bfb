"""REST API of the core domain (parcels) and the plumbing every API view shares.

Every view derives from `SipAPIView`: JSON bodies only, parsed safely (depth, NUL, lone
surrogates), writes authenticated and authorised before the body is read, input and output
through serializers that drf-spectacular documents, errors as {"detail": ...}, lists paged with
a total and next/previous links.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, QueryDict
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import selectors, services, tenancy
from .geometry import ACCEPTED_SRIDS, GeometryError, check_in_poland, parse_srid
from .identifiers import parse_parcel_identifier
from .models import Gmina, Parcel

# Longer search texts are no one's query, and each word costs the database a filter.
MAX_QUERY_LENGTH = 100
# Deeper JSON is no one's request body; Python's parser would fail with a RecursionError.
MAX_JSON_DEPTH = 64
# Ids in paths are database keys (bigint): longer numbers name nothing.
MAX_ID_DIGITS = 18
# The schema of such an id in a path.
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**MAX_ID_DIGITS - 1}


class BadRequest(APIException):
    status_code = 400
    default_detail = "Nieprawidłowe żądanie."


# ---------------------------------------------------------------------------------------------
# Errors


def _flatten(errors, prefix: str = "") -> list[str]:
    """Serializer errors as readable lines, each naming its field: 'limit: ...'."""
    if isinstance(errors, dict):
        out = []
        for key, value in errors.items():
            name = "" if key in ("non_field_errors", "detail") else f"{prefix}{key}"
            out += _flatten(value, f"{name}." if name else prefix)
        return out
    if isinstance(errors, list):
        return [line for item in errors for line in _flatten(item, prefix)]
    field = prefix.rstrip(".")
    return [f"{field}: {errors}" if field else str(errors)]


def validated(serializer_class, data, **kwargs) -> dict:
    """The validated data of `serializer_class` over `data`, or a 400 {"detail": "field: reason"}."""
    if isinstance(data, QueryDict):
        # As given: DRF would take an empty "?gmina=" of a query string for an absent parameter.
        data = data.dict()
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise BadRequest(" ".join(_flatten(serializer.errors)))
    return serializer.validated_data


def exception_handler(exc, context):
    """Answer every error as JSON {"detail": ...} with a 4xx status and a Polish message."""
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else " ".join(exc.messages)
        return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, GeometryError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or "Nie znaleziono."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied) and exc.args:
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """404: JSON {"detail": ...} under /api/ (like every API error), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Nie znaleziono."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    """500: JSON {"detail": ...} under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Błąd serwera; spróbuj ponownie później."}, status=500)
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.JSONField(
        help_text="powód po polsku: tekst, albo obiekt {pole: [powody]} przy błędach pól obiektu"
    )


_ERROR_TEXT = {
    400: "nieprawidłowe żądanie (powód w detail)",
    401: "wymaga zalogowania",
    403: "brak zalogowania albo uprawnień",
    404: "nie znaleziono",
    405: "metoda niedozwolona",
    406: "nieobsługiwany format odpowiedzi",
    409: "konflikt z aktualnym stanem",
    415: "nieobsługiwany typ treści (tylko application/json)",
    429: "za wiele żądań",
}


def errors(*codes: int) -> dict:
    """drf-spectacular responses for the error statuses of an operation ({"detail": ...})."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[code]) for code in codes}


def documented(success: dict, *codes: int) -> dict:
    """Responses of an operation: its successes, the errors named and those of every request
    (400 for a bad parameter or body, 403 for wrong credentials, 406 for an Accept header asking
    for other than JSON)."""
    return {**success, **errors(*sorted({400, 403, 406, *codes}))}


# ---------------------------------------------------------------------------------------------
# Parsing


def _check_json_value(value) -> None:
    """Raise ParseError for JSON nested deeper than MAX_JSON_DEPTH or holding a string with a NUL
    character or a lone surrogate (neither can be stored nor printed)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"Treść JSON jest zagnieżdżona głębiej niż {MAX_JSON_DEPTH} poziomy.")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise exceptions.ParseError("Liczby w treści JSON muszą być skończone.")
        elif isinstance(item, dict):
            for key, sub in item.items():
                _check_text(key)
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise exceptions.ParseError("Treść zawiera znak NUL (\\u0000), którego nie można zapisać.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise exceptions.ParseError("Treść zawiera niesparowany surogat UTF-16 (np. \\ud800).") from None


class SafeJSONParser(JSONParser):
    """DRF's JSON parser that also refuses, with a 400, bodies Python cannot nest (RecursionError)
    and strings the database cannot store."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                f"Treść JSON jest zagnieżdżona głębiej niż {MAX_JSON_DEPTH} poziomy."
            ) from None
        _check_json_value(data)
        return data


# ---------------------------------------------------------------------------------------------
# Permissions


class SignedInForWrites(permissions.BasePermission):
    """Reads are open (selectors decide what each caller sees). A write needs a signed-in, active
    account holding the view's permission for that method (`write_permission`) in some gmina; the
    gmina itself is checked by the service once the body names it. Runs before the body is read."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            raise exceptions.NotAuthenticated("Ta czynność wymaga zalogowania.")
        perm = view.write_permission(request)
        if perm and not user.has_perm(perm):
            raise exceptions.PermissionDenied("Twoja rola nie pozwala na tę czynność.")
        return True


class SipAutoSchema(AutoSchema):
    """drf-spectacular's schema, telling that reads need no credentials (they only widen what a
    staff member sees) while writes do."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


class SipAPIView(APIView):
    """The base of every SIP API view: JSON in and out, writes refused before parsing to anyone
    who may not make them."""

    parser_classes = [SafeJSONParser]
    permission_classes = [SignedInForWrites]
    schema = SipAutoSchema()

    def write_permission(self, request) -> str | None:
        """The permission ('app.codename') a write with this request's method needs."""
        return None


# ---------------------------------------------------------------------------------------------
# Paging


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
        return request.build_absolute_uri(request.path) + "?" + urlencode(list(params.lists()), doseq=True)

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


# ---------------------------------------------------------------------------------------------
# Shared parameters and fields


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


# ---------------------------------------------------------------------------------------------
# Parcels


class GminaRefSerializer(serializers.Serializer):
    teryt = serializers.CharField()
    name = serializers.CharField()


class ObrebRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ParcelPropertiesSerializer(serializers.Serializer):
    identifier = serializers.CharField(help_text="identyfikator EGiB")
    gmina = GminaRefSerializer()
    obreb = ObrebRefSerializer()
    number = serializers.CharField()
    registered_area_m2 = serializers.FloatField(allow_null=True)
    geometry_area_m2 = serializers.FloatField()
    area_difference_m2 = serializers.FloatField(allow_null=True)
    match = serializers.CharField(required=False, help_text="co pasuje do zapytania (wyszukiwanie)")


class ParcelFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Feature")
    id = serializers.CharField(help_text="identyfikator EGiB działki")
    geometry = GeoJSONGeometrySerializer()
    properties = ParcelPropertiesSerializer()
    crs = CrsSerializer(required=False, help_text="tylko gdy srid ≠ 4326")


ParcelCollectionSerializer = collection_serializer("ParcelCollection", ParcelFeatureSerializer)


def _get_parcel_or_404(identifier: str) -> Parcel:
    ident = parse_parcel_identifier(identifier)
    parcel = Parcel.objects.select_related("gmina").filter(identifier=str(ident)).first()
    if parcel is None:
        raise Http404(f"Nie ma działki {ident} w systemie.")
    return parcel


class SridInputSerializer(serializers.Serializer):
    srid = SridField()


class ParcelDetailView(SipAPIView):
    """One parcel by its EGiB identifier."""

    class InputSerializer(serializers.Serializer):
        registered_area_m2 = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=0, required=False, help_text="powierzchnia w m²"
        )
        geometry = serializers.JSONField(
            required=False, help_text="GeoJSON (Polygon albo MultiPolygon) w układzie ?srid="
        )
        wkt = serializers.CharField(required=False, max_length=10_000_000, help_text="EWKT z SRID")

        def validate(self, attrs):
            if not attrs:
                raise serializers.ValidationError(
                    "Podaj registered_area_m2, geometry (GeoJSON) albo wkt (EWKT)."
                )
            return attrs

    OutputSerializer = ParcelFeatureSerializer

    def write_permission(self, request) -> str:
        return {"PATCH": "sip.change_parcel", "DELETE": "sip.delete_parcel"}.get(request.method, "")

    @extend_schema(
        parameters=[PARCEL_ID_PARAM, SRID_PARAM],
        responses=documented({200: OutputSerializer}, 404),
        summary="Działka jako GeoJSON Feature",
    )
    def get(self, request, identifier: str):
        srid = validated(SridInputSerializer, request.query_params)["srid"]
        ident = parse_parcel_identifier(identifier)
        parcel = selectors.parcel_by_identifier(str(ident), srid)
        if parcel is None:
            raise Http404(f"Nie ma działki {ident} w systemie.")
        return Response(selectors.parcel_feature(parcel, srid))

    @extend_schema(
        parameters=[PARCEL_ID_PARAM, SRID_PARAM],
        request=InputSerializer,
        responses=documented({200: OutputSerializer}, 403, 404, 415),
        summary="Zmiana powierzchni ewidencyjnej lub geometrii działki (redaktor gminy)",
    )
    def patch(self, request, identifier: str):
        srid = validated(SridInputSerializer, request.query_params)["srid"]
        parcel = _get_parcel_or_404(identifier)
        # Refuse early, before the body is read, anyone who may not change this parcel.
        tenancy.require(request.user, "sip.change_parcel", parcel.gmina_id)
        data = validated(self.InputSerializer, request.data)
        fields = {}
        if "registered_area_m2" in data:
            fields["registered_area_m2"] = data["registered_area_m2"]
        geom = geometry_from_body(data, srid)
        if geom is not None:
            fields["geom"] = geom
        if not fields:
            raise BadRequest("Podaj registered_area_m2, geometry (GeoJSON) albo wkt (EWKT).")
        services.update_parcel(actor=request.user, parcel=parcel, **fields)
        return Response(
            selectors.parcel_feature(selectors.parcel_by_identifier(parcel.identifier, srid), srid)
        )

    @extend_schema(summary="Usunięcie działki (redaktor gminy)", responses=documented({204: None}, 403, 404))
    def delete(self, request, identifier: str):
        services.delete_parcel(actor=request.user, parcel=_get_parcel_or_404(identifier))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParcelSearchView(SipAPIView):
    """Parcels by identifier prefix, number with obręb name, or address."""

    class InputSerializer(page_serializer(default=selectors.SEARCH_LIMIT, maximum=100)):
        q = SearchTextField(help_text="początek identyfikatora, numer z nazwą obrębu albo adres")
        gmina = serializers.CharField(required=False, max_length=20, help_text="kod TERYT gminy")
        srid = SridField()

    OutputSerializer = ParcelCollectionSerializer

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Wyszukiwanie działek",
        operation_id="parcels_search",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        gmina = None
        if params.get("gmina"):
            gmina = Gmina.objects.filter(teryt=params["gmina"]).first()
            if gmina is None:
                raise Http404("Nie ma takiej gminy.")
        total, features = selectors.search_parcels(
            params["q"].strip(), params["srid"], gmina, limit=params["limit"], offset=params["offset"]
        )
        return Response(
            paged_features(request, features, total=total, limit=params["limit"], offset=params["offset"])
        )
