"""REST API of the core domain: parcels (read, search, edit by the gmina's editors)."""

from __future__ import annotations

import json

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import selectors, services, tenancy
from .geometry import GeometryError, parse_srid
from .identifiers import parse_parcel_identifier
from .models import Gmina, Parcel

# Longer search texts are no one's query, and each word costs the database a filter.
MAX_QUERY_LENGTH = 100


class BadRequest(APIException):
    status_code = 400
    default_detail = "Nieprawidłowe żądanie."


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


def request_srid(request) -> int:
    return parse_srid(request.query_params.get("srid"), default=4326)


SRID_PARAM = OpenApiParameter(
    "srid", OpenApiTypes.INT, description="EPSG wyniku: 4326 (domyślnie), 2180, 2176–2179, 3857"
)


def _get_parcel_or_404(identifier: str) -> Parcel:
    ident = parse_parcel_identifier(identifier)
    parcel = Parcel.objects.select_related("gmina").filter(identifier=str(ident)).first()
    if parcel is None:
        raise Http404(f"Nie ma działki {ident} w systemie.")
    return parcel


def _geometry_from_body(data: dict, srid: int) -> GEOSGeometry | None:
    """A geometry from GeoJSON (`geometry`, in ?srid=, default 4326) or EWKT (`wkt`)."""
    if "geometry" in data:
        try:
            geom = GEOSGeometry(json.dumps(data["geometry"]))
        except (GEOSException, GDALException, ValueError, TypeError) as exc:
            raise BadRequest("Nieprawidłowa geometria GeoJSON.") from exc
        geom.srid = srid
        return geom
    if "wkt" in data:
        try:
            return GEOSGeometry(str(data["wkt"]))
        except (GEOSException, GDALException, ValueError) as exc:
            raise BadRequest("Nieprawidłowa geometria WKT.") from exc
    return None


class ParcelDetailView(APIView):
    """One parcel by its EGiB identifier."""

    @extend_schema(
        parameters=[SRID_PARAM],
        responses={200: OpenApiTypes.OBJECT},
        summary="Działka jako GeoJSON Feature",
    )
    def get(self, request, identifier: str):
        srid = request_srid(request)
        ident = parse_parcel_identifier(identifier)
        parcel = selectors.parcel_by_identifier(str(ident), srid)
        if parcel is None:
            raise Http404(f"Nie ma działki {ident} w systemie.")
        return Response(selectors.parcel_feature(parcel, srid))

    @extend_schema(
        parameters=[SRID_PARAM],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        summary="Zmiana powierzchni ewidencyjnej lub geometrii działki (redaktor gminy)",
    )
    def patch(self, request, identifier: str):
        srid = request_srid(request)
        parcel = _get_parcel_or_404(identifier)
        # Refuse early, before the body is read, anyone who may not change this parcel.
        tenancy.require(request.user, "sip.change_parcel", parcel.gmina_id)
        fields = {}
        if "registered_area_m2" in request.data:
            fields["registered_area_m2"] = request.data["registered_area_m2"]
        geom = _geometry_from_body(request.data, srid)
        if geom is not None:
            fields["geom"] = geom
        if not fields:
            raise BadRequest("Podaj registered_area_m2, geometry (GeoJSON) albo wkt (EWKT).")
        services.update_parcel(actor=request.user, parcel=parcel, **fields)
        return Response(
            selectors.parcel_feature(selectors.parcel_by_identifier(parcel.identifier, srid), srid)
        )

    @extend_schema(summary="Usunięcie działki (redaktor gminy)", responses={204: None})
    def delete(self, request, identifier: str):
        services.delete_parcel(actor=request.user, parcel=_get_parcel_or_404(identifier))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParcelSearchView(APIView):
    """Parcels by identifier prefix, number with obręb name, or address."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description="początek identyfikatora, numer z nazwą obrębu albo adres",
            ),
            OpenApiParameter("gmina", OpenApiTypes.STR, description="kod TERYT gminy"),
            SRID_PARAM,
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Wyszukiwanie działek",
        operation_id="parcels_search",
    )
    def get(self, request):
        srid = request_srid(request)
        query = request.query_params.get("q", "").strip()
        if not 2 <= len(query) <= MAX_QUERY_LENGTH:
            raise BadRequest(f"Parametr q: od 2 do {MAX_QUERY_LENGTH} znaków.")
        gmina = None
        if request.query_params.get("gmina"):
            gmina = Gmina.objects.filter(teryt=request.query_params["gmina"]).first()
            if gmina is None:
                raise Http404("Nie ma takiej gminy.")
        features = selectors.search_parcels(query, srid, gmina)
        return Response({"type": "FeatureCollection", "features": features})
