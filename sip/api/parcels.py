"""REST API of the core domain: one parcel (read, change, delete) and the parcel search."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from sip import selectors, services, tenancy
from sip.identifiers import parse_parcel_identifier
from sip.models import Gmina, Parcel

from .base import SipAPIView
from .errors import BadRequest, documented, validated
from .fields import PARCEL_ID_PARAM, SRID_PARAM, SearchTextField, SridField, geometry_from_body
from .paging import (
    CrsSerializer,
    GeoJSONGeometrySerializer,
    collection_serializer,
    page_serializer,
    paged_features,
)


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


def parcel_or_404(identifier: str, srid: int | None = None) -> Parcel:
    """Return the parcel named by an identifier (validated: 400 when malformed) or answer 404."""
    parcel = selectors.parcel_by_identifier(identifier, srid)
    if parcel is None:
        raise Http404(f"Nie ma działki {parse_parcel_identifier(identifier)} w systemie.")
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
        return Response(selectors.parcel_feature(parcel_or_404(identifier, srid), srid))

    @extend_schema(
        parameters=[PARCEL_ID_PARAM, SRID_PARAM],
        request=InputSerializer,
        responses=documented({200: OutputSerializer}, 403, 404, 415),
        summary="Zmiana powierzchni ewidencyjnej lub geometrii działki (redaktor gminy)",
    )
    def patch(self, request, identifier: str):
        srid = validated(SridInputSerializer, request.query_params)["srid"]
        parcel = parcel_or_404(identifier)
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
        services.delete_parcel(actor=request.user, parcel=parcel_or_404(identifier))
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
            # Without its outline, which the search does not read.
            gmina = Gmina.objects.defer("boundary").filter(teryt=params["gmina"]).first()
            if gmina is None:
                raise Http404("Nie ma takiej gminy.")
        total, features = selectors.search_parcels(
            params["q"].strip(), params["srid"], gmina, limit=params["limit"], offset=params["offset"]
        )
        return Response(
            paged_features(request, features, total=total, limit=params["limit"], offset=params["offset"])
        )
