"""REST API of the registers: GeoJSON with bbox and attribute filters; writes for staff."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from sip.api import SRID_PARAM, BadRequest, _geometry_from_body, request_srid
from sip.geometry import parse_srid
from sip.models import Gmina

from . import selectors, services
from .registers import UnknownRegister, get_register


def _register(slug: str):
    try:
        return get_register(slug)
    except UnknownRegister as exc:
        raise Http404(str(exc)) from exc


def _gmina(request) -> Gmina | None:
    teryt = request.query_params.get("gmina")
    if not teryt:
        return None
    gmina = Gmina.objects.filter(teryt=teryt).first() or Gmina.objects.filter(slug=teryt).first()
    if gmina is None:
        raise Http404(f"Nie ma w systemie gminy „{teryt}”.")
    return gmina


def _int_param(request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name}: podaj liczbę całkowitą nieujemną.")
    return min(int(raw), maximum)


def _properties(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise BadRequest("Oczekiwano obiektu JSON (GeoJSON Feature).")
    props = data.get("properties", {})
    if not isinstance(props, dict):
        raise BadRequest("properties: oczekiwano obiektu JSON.")
    return props


def _item_or_404(register, pk: int, user):
    item = get_object_or_404(register.model.objects.select_related("gmina"), pk=pk)
    if not selectors.can_view(user, register, item.gmina):
        raise Http404("Nie znaleziono obiektu.")
    return item


FILTER_HELP = (
    "Filtry atrybutów: `pole=wartość` (np. `kind=bench`, `is_led=tak`, `species=Tilia cordata`), "
    "`pole__gte=` i `pole__lte=` dla liczb i dat, `q=` początek numeru w rejestrze."
)


class RegisterListView(APIView):
    """Items of one register as a GeoJSON FeatureCollection; create (staff)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("gmina", OpenApiTypes.STR, description="kod TERYT albo skrót gminy"),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy w bbox_srid"),
            OpenApiParameter("bbox_srid", OpenApiTypes.INT, description="EPSG prostokąta (domyślnie 4326)"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="najwyżej 20000, domyślnie 5000"),
            OpenApiParameter("offset", OpenApiTypes.INT),
            SRID_PARAM,
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Obiekty rejestru jako GeoJSON",
        operation_id="inventory_items_list",
        description=FILTER_HELP,
    )
    def get(self, request, register: str):
        reg = _register(register)
        srid = request_srid(request)
        gmina = _gmina(request)
        qs = selectors.items(request.user, reg, gmina=gmina)
        if gmina is not None and not selectors.can_view(request.user, reg, gmina):
            raise Http404("Ten rejestr gminy nie jest publiczny.")
        try:
            if request.query_params.get("bbox"):
                bbox_srid = parse_srid(request.query_params.get("bbox_srid"), default=4326)
                qs = qs.filter(geom__intersects=selectors.parse_bbox(request.query_params["bbox"], bbox_srid))
            qs = selectors.filter_items(reg, qs, request.query_params)
        except selectors.FilterError as exc:
            raise BadRequest(str(exc)) from exc
        limit = _int_param(request, "limit", selectors.DEFAULT_FEATURES, selectors.MAX_FEATURES)
        offset = _int_param(request, "offset", 0, 10**9)
        return Response(selectors.feature_collection(reg, qs, srid, limit=limit, offset=offset))

    @extend_schema(
        parameters=[SRID_PARAM],
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
        summary="Nowy obiekt rejestru (redaktor gminy)",
        operation_id="inventory_items_create",
        description="Treść: GeoJSON Feature z `properties` (pola rejestru i `gmina`: kod TERYT); "
        "geometria w układzie ?srid= (domyślnie 4326).",
    )
    def post(self, request, register: str):
        reg = _register(register)
        srid = request_srid(request)
        props = dict(_properties(request))
        teryt = props.pop("gmina", None) or request.query_params.get("gmina")
        if not teryt:
            raise BadRequest("Podaj gminę (properties.gmina: kod TERYT).")
        gmina = Gmina.objects.filter(teryt=teryt).first()
        if gmina is None:
            raise Http404(f"Nie ma w systemie gminy „{teryt}”.")
        geom = _geometry_from_body(request.data, srid)
        if geom is None:
            raise BadRequest("Podaj geometrię (geometry: GeoJSON).")
        item = services.create_item(actor=request.user, register=reg, gmina=gmina, geom=geom, values=props)
        return Response(selectors.item_feature(reg, item.pk, srid), status=status.HTTP_201_CREATED)


class RegisterItemView(APIView):
    """One register item; change and delete (staff)."""

    @extend_schema(
        parameters=[SRID_PARAM],
        responses={200: OpenApiTypes.OBJECT},
        summary="Obiekt rejestru",
        operation_id="inventory_item_retrieve",
    )
    def get(self, request, register: str, pk: int):
        reg = _register(register)
        item = _item_or_404(reg, pk, request.user)
        return Response(selectors.item_feature(reg, item.pk, request_srid(request)))

    @extend_schema(
        parameters=[SRID_PARAM],
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        summary="Zmiana obiektu rejestru (redaktor gminy)",
    )
    def patch(self, request, register: str, pk: int):
        reg = _register(register)
        srid = request_srid(request)
        item = _item_or_404(reg, pk, request.user)
        props = dict(_properties(request))
        props.pop("gmina", None)
        geom = _geometry_from_body(request.data, srid)
        if not props and geom is None:
            raise BadRequest("Podaj properties albo geometry.")
        services.update_item(actor=request.user, register=reg, item=item, values=props, geom=geom)
        return Response(selectors.item_feature(reg, item.pk, srid))

    @extend_schema(summary="Usunięcie obiektu rejestru (redaktor gminy)", responses={204: None})
    def delete(self, request, register: str, pk: int):
        reg = _register(register)
        services.delete_item(actor=request.user, register=reg, item=_item_or_404(reg, pk, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircuitTotalsView(APIView):
    """Lamps, installed power and line length per lighting circuit of a gmina."""

    @extend_schema(
        parameters=[OpenApiParameter("gmina", OpenApiTypes.STR, required=True)],
        responses={200: OpenApiTypes.OBJECT},
        summary="Zestawienie obwodów oświetlenia",
    )
    def get(self, request):
        gmina = _gmina(request)
        if gmina is None:
            raise BadRequest("Podaj gminę (gmina=kod TERYT).")
        reg = get_register("lamps")
        if not selectors.can_view(request.user, reg, gmina):
            raise Http404("Rejestr oświetlenia tej gminy nie jest publiczny.")
        return Response(
            {"gmina": gmina.teryt, "circuits": selectors.circuit_totals(gmina, user=request.user)}
        )


class OverdueInspectionsView(APIView):
    """Items of a gmina whose next inspection is overdue (staff of the gmina)."""

    @extend_schema(
        parameters=[OpenApiParameter("gmina", OpenApiTypes.STR, required=True)],
        responses={200: OpenApiTypes.OBJECT},
        summary="Zaległe przeglądy w gminie",
    )
    def get(self, request):
        from sip import tenancy

        gmina = _gmina(request)
        if gmina is None:
            raise BadRequest("Podaj gminę (gmina=kod TERYT).")
        tenancy.require(request.user, "inventory.view_inspection", gmina)
        rows = selectors.overdue_inspections(gmina)
        return Response(
            {
                "gmina": gmina.teryt,
                "overdue": [
                    {
                        "register": r["register"].slug,
                        "id": r["item"].pk,
                        "label": str(r["item"]),
                        "last_inspection": r["inspection"].inspected_on.isoformat(),
                        "next_due": r["inspection"].next_due.isoformat(),
                        "days_overdue": r["days_overdue"],
                    }
                    for r in rows
                ],
            }
        )
