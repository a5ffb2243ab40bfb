"""REST API of planning: zoning of a parcel, issuing extracts (planner)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from sip.api import (
    PARCEL_ID_PARAM,
    SRID_PARAM,
    FlagField,
    GeoJSONGeometrySerializer,
    GminaRefSerializer,
    ObrebRefSerializer,
    SipAPIView,
    SridField,
    documented,
    validated,
)
from sip.api.parcels import parcel_or_404
from sip.models import Parcel
from sip.urls_public import public_url

from . import selectors, services
from .models import ExtractCase, Plan, Zone


def _geometry_precision(srid: int) -> int:
    return 9 if srid == 4326 else 4


def zoning_payload(zoning: selectors.ParcelZoning, srid: int, with_geometry: bool) -> dict:
    """The JSON answer for the zoning of one parcel."""
    parcel = zoning.parcel
    precision = _geometry_precision(srid)
    plan_geoms = zone_geoms = {}
    parcel_geom = None
    if with_geometry:
        plan_ids = [pz.plan.pk for pz in zoning.plans]
        zone_ids = [z.zone.pk for pz in zoning.plans for z in (*pz.zones, *pz.slivers)]
        plan_geoms = selectors.geojson_of(Plan.objects.filter(pk__in=plan_ids), "boundary", srid, precision)
        zone_geoms = selectors.geojson_of(Zone.objects.filter(pk__in=zone_ids), "geom", srid, precision)
        parcel_geom = selectors.geojson_of(Parcel.objects.filter(pk=parcel.pk), "geom", srid, precision)[
            parcel.pk
        ]

    def zone_item(share: selectors.ZoneShare) -> dict:
        item = {
            "symbol": share.zone.symbol,
            "purpose": share.zone.purpose,
            "purpose_name": share.zone.name,
            "area_m2": round(share.area_m2, 2),
            "share_pct": round(share.share_pct, 3),
        }
        if with_geometry:
            item["geometry"] = zone_geoms[share.zone.pk]
        return item

    plans = []
    for pz in zoning.plans:
        plan = pz.plan
        item = {
            "id": plan.pk,
            "kind": plan.kind,
            "kind_name": plan.get_kind_display(),
            "title": plan.title,
            "resolution_number": plan.resolution_number,
            "resolution_date": plan.resolution_date.isoformat(),
            "journal_entry": plan.journal_entry,
            "app_id": plan.app_id,
            "scale": plan.scale,
            "amended_by": [{"id": a.pk, "resolution_number": a.resolution_number} for a in pz.amended_by],
            "zones": [zone_item(z) for z in pz.zones],
            "slivers": [zone_item(z) for z in pz.slivers],
        }
        if with_geometry:
            item["boundary"] = plan_geoms[plan.pk]
        plans.append(item)
    body = {
        "parcel": {
            "identifier": parcel.identifier,
            "obreb": {"code": parcel.obreb.code, "name": parcel.obreb.name},
            "number": parcel.number,
            "gmina": {"teryt": parcel.gmina.teryt, "name": parcel.gmina.name},
            "area_m2": round(zoning.area_m2, 2),
        },
        "plans": plans,
        "uncovered": {
            "area_m2": round(zoning.uncovered_area_m2, 2),
            "share_pct": round(zoning.uncovered_share_pct, 3),
            "sliver": zoning.uncovered_is_sliver,
        },
        "covered_by_plan": zoning.covered,
        "srid": srid,
    }
    if with_geometry:
        body["parcel"]["geometry"] = parcel_geom
    return body


class ParcelZoningView(SipAPIView):
    """Zones of the plans in force covering a parcel, with area and share."""

    class InputSerializer(serializers.Serializer):
        srid = SridField()
        geometry = FlagField(default=False, help_text="dołącz geometrie działki, terenów i granic planów")

    class OutputSerializer(serializers.Serializer):
        class ParcelSerializer(serializers.Serializer):
            identifier = serializers.CharField()
            obreb = ObrebRefSerializer()
            number = serializers.CharField()
            gmina = GminaRefSerializer()
            area_m2 = serializers.FloatField()
            geometry = GeoJSONGeometrySerializer(required=False, help_text="gdy geometry=true")

            class Meta:
                ref_name = "ZoningParcel"

        class PlanSerializer(serializers.Serializer):
            class ZoneSerializer(serializers.Serializer):
                symbol = serializers.CharField()
                purpose = serializers.CharField()
                purpose_name = serializers.CharField()
                area_m2 = serializers.FloatField()
                share_pct = serializers.FloatField()
                geometry = GeoJSONGeometrySerializer(required=False, help_text="gdy geometry=true")

            class AmendmentSerializer(serializers.Serializer):
                id = serializers.IntegerField()
                resolution_number = serializers.CharField()

            id = serializers.IntegerField()
            kind = serializers.CharField()
            kind_name = serializers.CharField()
            title = serializers.CharField()
            resolution_number = serializers.CharField()
            resolution_date = serializers.DateField()
            journal_entry = serializers.CharField()
            app_id = serializers.CharField()
            scale = serializers.IntegerField(allow_null=True)
            amended_by = AmendmentSerializer(many=True)
            zones = ZoneSerializer(many=True)
            slivers = ZoneSerializer(many=True, help_text="skrawki poniżej progu dokładności")
            boundary = GeoJSONGeometrySerializer(required=False, help_text="gdy geometry=true")

        class UncoveredSerializer(serializers.Serializer):
            area_m2 = serializers.FloatField()
            share_pct = serializers.FloatField()
            sliver = serializers.BooleanField()

        parcel = ParcelSerializer()
        plans = PlanSerializer(many=True)
        uncovered = UncoveredSerializer()
        covered_by_plan = serializers.BooleanField()
        srid = serializers.IntegerField()

        class Meta:
            ref_name = "ParcelZoning"

    @extend_schema(
        parameters=[
            PARCEL_ID_PARAM,
            SRID_PARAM,
            OpenApiParameter(
                "geometry", bool, description="dołącz geometrie działki, terenów i granic planów"
            ),
        ],
        responses=documented({200: OutputSerializer}, 404),
        summary="Przeznaczenie działki w obowiązujących planach (udziały terenów)",
    )
    def get(self, request, identifier: str):
        params = validated(self.InputSerializer, request.query_params)
        parcel = parcel_or_404(identifier)
        return Response(zoning_payload(selectors.parcel_zoning(parcel), params["srid"], params["geometry"]))


_TEXT = serializers.CharField


class ExtractCreateView(SipAPIView):
    """Register an application and issue the wypis and/or wyrys (planner of the parcels' gmina)."""

    class InputSerializer(serializers.Serializer):
        _parcels = "Podaj listę identyfikatorów działek w polu „parcels”."

        parcels = serializers.ListField(
            child=serializers.CharField(max_length=100),
            allow_empty=False,
            max_length=services.MAX_PARCELS,
            help_text="identyfikatory EGiB, np. 020101_1.0001.123/4",
            error_messages={"required": _parcels, "not_a_list": _parcels, "empty": _parcels},
        )
        kind = serializers.ChoiceField(
            choices=ExtractCase.Kind.values,
            default="both",
            error_messages={
                "invalid_choice": "Rodzaj dokumentu („kind”) musi być jednym z: wypis, wyrys, both."
            },
        )
        applicant = _TEXT(required=False, allow_blank=True, max_length=200)
        applicant_address = _TEXT(required=False, allow_blank=True, max_length=250)
        application_date = serializers.DateField(
            required=False,
            allow_null=True,
            help_text="RRRR-MM-DD, nie późniejsza niż dziś (domyślnie dziś)",
            error_messages={"invalid": "Nieprawidłowa data wniosku: oczekiwano prawdziwej daty RRRR-MM-DD."},
        )
        purpose = _TEXT(required=False, allow_blank=True, max_length=250)

    class OutputSerializer(serializers.Serializer):
        class FeeSerializer(serializers.Serializer):
            wypis = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
            wyrys = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
            total = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
            currency = serializers.CharField()

        class PagesSerializer(serializers.Serializer):
            wypis = serializers.IntegerField(allow_null=True)
            wyrys = serializers.IntegerField(allow_null=True)

        case_number = serializers.CharField()
        kind = serializers.CharField()
        document_kind = serializers.CharField()
        version = serializers.IntegerField()
        parcels = serializers.ListField(child=serializers.CharField())
        fee = FeeSerializer()
        pages = PagesSerializer()
        sha256 = serializers.CharField()
        pdf_url = serializers.URLField()
        verification_url = serializers.URLField()

        class Meta:
            ref_name = "IssuedExtract"

    def write_permission(self, request) -> str:
        return "planning.add_extractcase"

    @extend_schema(
        request=InputSerializer,
        responses=documented({201: OutputSerializer}, 403, 415),
        summary="Wydanie wypisu i/lub wyrysu z planu (planista gminy)",
    )
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        case, document = services.issue_extract(
            actor=request.user,
            parcel_identifiers=data["parcels"],
            kind=data["kind"],
            applicant=data.get("applicant", ""),
            applicant_address=data.get("applicant_address", ""),
            application_date=data.get("application_date"),
            purpose=data.get("purpose", ""),
        )
        return Response(case_summary(case, document, request), status=status.HTTP_201_CREATED)


def case_summary(case, document, request) -> dict:
    """The JSON answer for an issued case: number, fee, PDF and verification URLs."""
    return {
        "case_number": case.case_number,
        "kind": case.kind,
        "document_kind": document.kind,
        "version": document.version,
        "parcels": case.parcel_identifiers,
        "fee": {
            "wypis": str(case.fee_wypis),
            "wyrys": str(case.fee_wyrys),
            "total": str(case.fee_total),
            "currency": "PLN",
        },
        "pages": {"wypis": document.wypis_pages, "wyrys": document.wyrys_pages},
        "sha256": document.sha256,
        "pdf_url": public_url("planning:document-pdf", args=[document.pk], request=request),
        # The address printed on the document (the site's public address, not this request's).
        "verification_url": services.verify_url(document.token),
    }
