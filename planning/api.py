"""REST API of planning: zoning of a parcel, issuing extracts (planner)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sip.api import SRID_PARAM, BadRequest, request_srid
from sip.identifiers import parse_parcel_identifier
from sip.models import Parcel

from . import selectors, services
from .models import Plan, Zone


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


class ParcelZoningView(APIView):
    """Zones of the plans in force covering a parcel, with area and share."""

    @extend_schema(
        parameters=[
            SRID_PARAM,
            OpenApiParameter(
                "geometry", OpenApiTypes.BOOL, description="dołącz geometrie działki, terenów i granic planów"
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Przeznaczenie działki w obowiązujących planach (udziały terenów)",
    )
    def get(self, request, identifier: str):
        srid = request_srid(request)
        ident = parse_parcel_identifier(identifier)
        parcel = Parcel.objects.select_related("gmina", "obreb").filter(identifier=str(ident)).first()
        if parcel is None:
            raise Http404(f"Nie ma działki {ident} w systemie.")
        with_geometry = request.query_params.get("geometry", "").lower() in ("1", "true", "tak")
        return Response(zoning_payload(selectors.parcel_zoning(parcel), srid, with_geometry))


class ExtractCreateView(APIView):
    """Register an application and issue the wypis and/or wyrys (planner of the parcels' gmina)."""

    @extend_schema(
        request=inline_serializer(
            "ExtractRequest",
            {
                "parcels": serializers.ListField(
                    child=serializers.CharField(), help_text="identyfikatory EGiB"
                ),
                "kind": serializers.ChoiceField(choices=["wypis", "wyrys", "both"], default="both"),
                "applicant": serializers.CharField(required=False),
                "applicant_address": serializers.CharField(required=False),
                "application_date": serializers.DateField(required=False),
                "purpose": serializers.CharField(required=False),
            },
        ),
        responses={201: OpenApiTypes.OBJECT},
        summary="Wydanie wypisu i/lub wyrysu z planu (planista gminy)",
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        parcels = data.get("parcels")
        if not isinstance(parcels, list) or not parcels or not all(isinstance(p, str) for p in parcels):
            raise BadRequest("Podaj listę identyfikatorów działek w polu „parcels”.")
        kind = data.get("kind", "both")
        case, document = services.issue_extract(
            actor=request.user,
            parcel_identifiers=parcels,
            kind=kind,
            applicant=str(data.get("applicant") or ""),
            applicant_address=str(data.get("applicant_address") or ""),
            application_date=data.get("application_date"),
            purpose=str(data.get("purpose") or ""),
            base_url=request.build_absolute_uri("/"),
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
        "pdf_url": request.build_absolute_uri(reverse("planning:document-pdf", args=[document.pk])),
        "verification_url": services.verify_url(request.build_absolute_uri("/"), document.token),
    }
