"""REST API of the registers: GeoJSON with bbox and attribute filters; writes for staff."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from sip import tenancy
from sip.api import (
    ID_SCHEMA,
    SRID_PARAM,
    BadRequest,
    SipAPIView,
    SridField,
    collection_serializer,
    documented,
    feature_links,
    feature_serializer,
    geometry_from_body,
    page_serializer,
    validated,
)
from sip.models import Gmina

from . import selectors, services
from .registers import REGISTERS, UnknownRegister, get_register

REGISTER_PARAM = OpenApiParameter(
    "register", str, OpenApiParameter.PATH, enum=list(REGISTERS), description="rejestr"
)
ITEM_ID_PARAM = OpenApiParameter(
    "id", ID_SCHEMA, OpenApiParameter.PATH, description="identyfikator obiektu rejestru"
)
GMINA_PARAM_HELP = "kod TERYT (np. 020105_2) albo skrót gminy"


def _register(slug: str):
    try:
        return get_register(slug)
    except UnknownRegister as exc:
        raise Http404(str(exc)) from exc


def _gmina(teryt: str | None) -> Gmina | None:
    if not teryt:
        return None
    gmina = Gmina.objects.filter(teryt=teryt).first() or Gmina.objects.filter(slug=teryt).first()
    if gmina is None:
        raise Http404(f"Nie ma w systemie gminy „{teryt}”.")
    return gmina


def _item_or_404(register, pk: int, user):
    item = get_object_or_404(register.model.objects.select_related("gmina"), pk=pk)
    if not selectors.can_view(user, register, item.gmina):
        raise Http404("Nie znaleziono obiektu.")
    return item


FILTER_HELP = (
    "Filtry atrybutów: `pole=wartość` (np. `kind=bench`, `is_led=tak`, `species=Tilia cordata`), "
    "`pole__gte=` i `pole__lte=` dla liczb i dat, `q=` początek numeru w rejestrze."
)


class ItemPropertiesSerializer(serializers.Serializer):
    register = serializers.CharField()
    gmina = serializers.IntegerField(help_text="identyfikator gminy")
    external_id = serializers.CharField(allow_blank=True, help_text="numer w rejestrze")
    label = serializers.CharField()

    class Meta:
        ref_name = "RegisterItemProperties"


ItemFeatureSerializer = feature_serializer(
    "RegisterItem",
    ItemPropertiesSerializer(help_text="także pola rejestru (zob. opis rejestru)"),
    id_help="identyfikator obiektu",
)


class ItemInputSerializer(serializers.Serializer):
    """A GeoJSON Feature: `properties` with the register's fields, `geometry` in ?srid=."""

    type = serializers.ChoiceField(choices=["Feature"], required=False)
    geometry = serializers.JSONField(required=False, allow_null=True, help_text="GeoJSON w układzie ?srid=")
    properties = serializers.DictField(
        required=False,
        child=serializers.JSONField(allow_null=True),
        help_text="pola rejestru; przy tworzeniu także gmina (kod TERYT)",
        error_messages={"not_a_dict": "properties: oczekiwano obiektu JSON."},
    )


class RegisterListView(SipAPIView):
    """Items of one register as a GeoJSON FeatureCollection; create (staff)."""

    class InputSerializer(
        page_serializer(default=selectors.DEFAULT_FEATURES, maximum=selectors.MAX_FEATURES)
    ):
        gmina = serializers.CharField(required=False, max_length=50, help_text=GMINA_PARAM_HELP)
        bbox = serializers.RegexField(
            r"^[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+$",
            required=False,
            max_length=200,
            help_text="minx,miny,maxx,maxy w bbox_srid",
            error_messages={"invalid": "podaj cztery liczby minx,miny,maxx,maxy."},
        )
        bbox_srid = SridField(help_text="EPSG prostokąta (domyślnie 4326)")
        srid = SridField()

    OutputSerializer = collection_serializer("RegisterItemCollection", ItemFeatureSerializer)

    def write_permission(self, request) -> str:
        try:
            return get_register(self.kwargs["register"]).perm("add")
        except UnknownRegister:
            return ""

    @extend_schema(
        parameters=[REGISTER_PARAM, InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Obiekty rejestru jako GeoJSON",
        operation_id="inventory_items_list",
        description=FILTER_HELP,
    )
    def get(self, request, register: str):
        reg = _register(register)
        params = validated(self.InputSerializer, request.query_params)
        gmina = _gmina(params.get("gmina"))
        qs = selectors.items(request.user, reg, gmina=gmina)
        if gmina is not None and not selectors.can_view(request.user, reg, gmina):
            raise Http404("Ten rejestr gminy nie jest publiczny.")
        try:
            if params.get("bbox"):
                qs = qs.filter(geom__intersects=selectors.parse_bbox(params["bbox"], params["bbox_srid"]))
            qs = selectors.filter_items(reg, qs, request.query_params, user=request.user)
        except selectors.FilterError as exc:
            raise BadRequest(str(exc)) from exc
        limit, offset = params["limit"], params["offset"]
        body = selectors.feature_collection(reg, qs, params["srid"], limit=limit, offset=offset)
        body["links"] = feature_links(request, total=body["numberMatched"], limit=limit, offset=offset)
        return Response(body)

    @extend_schema(
        parameters=[REGISTER_PARAM, SRID_PARAM],
        request=ItemInputSerializer,
        responses=documented({201: ItemFeatureSerializer}, 403, 404, 415),
        summary="Nowy obiekt rejestru (redaktor gminy)",
        operation_id="inventory_items_create",
        description="Treść: GeoJSON Feature z `properties` (pola rejestru i `gmina`: kod TERYT); "
        "geometria w układzie ?srid= (domyślnie 4326).",
    )
    def post(self, request, register: str):
        reg = _register(register)
        srid = validated(SridQuerySerializer, request.query_params)["srid"]
        data = validated(ItemInputSerializer, request.data)
        props = dict(data.get("properties") or {})
        teryt = props.pop("gmina", None) or request.query_params.get("gmina")
        if not teryt:
            raise BadRequest("Podaj gminę (properties.gmina: kod TERYT).")
        gmina = Gmina.objects.filter(teryt=str(teryt)).first()
        if gmina is None:
            raise Http404(f"Nie ma w systemie gminy „{teryt}”.")
        geom = geometry_from_body(data, srid)
        if geom is None:
            raise BadRequest("Podaj geometrię (geometry: GeoJSON).")
        item = services.create_item(actor=request.user, register=reg, gmina=gmina, geom=geom, values=props)
        return Response(
            selectors.item_feature(reg, item.pk, srid, user=request.user), status=status.HTTP_201_CREATED
        )


class SridQuerySerializer(serializers.Serializer):
    srid = SridField()


class RegisterItemView(SipAPIView):
    """One register item; change and delete (staff)."""

    InputSerializer = ItemInputSerializer
    OutputSerializer = ItemFeatureSerializer

    def write_permission(self, request) -> str:
        action = {"PATCH": "change", "DELETE": "delete"}.get(request.method)
        try:
            return get_register(self.kwargs["register"]).perm(action) if action else ""
        except UnknownRegister:
            return ""

    @extend_schema(
        parameters=[REGISTER_PARAM, ITEM_ID_PARAM, SRID_PARAM],
        responses=documented({200: OutputSerializer}, 404),
        summary="Obiekt rejestru",
        operation_id="inventory_item_retrieve",
    )
    def get(self, request, register: str, pk: int):
        reg = _register(register)
        srid = validated(SridQuerySerializer, request.query_params)["srid"]
        item = _item_or_404(reg, pk, request.user)
        return Response(selectors.item_feature(reg, item.pk, srid, user=request.user))

    @extend_schema(
        parameters=[REGISTER_PARAM, ITEM_ID_PARAM, SRID_PARAM],
        request=InputSerializer,
        responses=documented({200: OutputSerializer}, 403, 404, 415),
        summary="Zmiana obiektu rejestru (redaktor gminy)",
    )
    def patch(self, request, register: str, pk: int):
        reg = _register(register)
        srid = validated(SridQuerySerializer, request.query_params)["srid"]
        item = _item_or_404(reg, pk, request.user)
        data = validated(self.InputSerializer, request.data)
        props = dict(data.get("properties") or {})
        props.pop("gmina", None)
        geom = geometry_from_body(data, srid)
        if not props and geom is None:
            raise BadRequest("Podaj properties albo geometry.")
        services.update_item(actor=request.user, register=reg, item=item, values=props, geom=geom)
        return Response(selectors.item_feature(reg, item.pk, srid, user=request.user))

    @extend_schema(
        parameters=[REGISTER_PARAM, ITEM_ID_PARAM],
        summary="Usunięcie obiektu rejestru (redaktor gminy)",
        responses=documented({204: None}, 403, 404),
    )
    def delete(self, request, register: str, pk: int):
        reg = _register(register)
        services.delete_item(actor=request.user, register=reg, item=_item_or_404(reg, pk, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class GminaQuerySerializer(serializers.Serializer):
    gmina = serializers.CharField(
        max_length=50,
        help_text=GMINA_PARAM_HELP,
        error_messages={
            "required": "Podaj gminę (gmina=kod TERYT).",
            "blank": "Podaj gminę (gmina=kod TERYT).",
        },
    )


class CircuitTotalsView(SipAPIView):
    """Lamps, installed power and line length per lighting circuit of a gmina."""

    InputSerializer = GminaQuerySerializer

    class OutputSerializer(serializers.Serializer):
        class CircuitSerializer(serializers.Serializer):
            switch_cabinet = serializers.CharField(allow_blank=True)
            circuit = serializers.CharField(allow_blank=True)
            lamps = serializers.IntegerField()
            power_w = serializers.FloatField()
            led_lamps = serializers.IntegerField()
            # None for a caller who may not see the lines (internal by default): not a zero.
            lines = serializers.IntegerField(allow_null=True)
            line_length_m = serializers.FloatField(allow_null=True)

        gmina = serializers.CharField(help_text="kod TERYT")
        circuits = CircuitSerializer(many=True)

        class Meta:
            ref_name = "CircuitTotals"

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Zestawienie obwodów oświetlenia",
    )
    def get(self, request):
        gmina = _gmina(validated(self.InputSerializer, request.query_params)["gmina"])
        reg = get_register("lamps")
        if not selectors.can_view(request.user, reg, gmina):
            raise Http404("Rejestr oświetlenia tej gminy nie jest publiczny.")
        return Response(
            {"gmina": gmina.teryt, "circuits": selectors.circuit_totals(gmina, user=request.user)}
        )


class OverdueInspectionsView(SipAPIView):
    """Items of a gmina whose next inspection is overdue (staff of the gmina)."""

    InputSerializer = GminaQuerySerializer

    class OutputSerializer(serializers.Serializer):
        class OverdueSerializer(serializers.Serializer):
            register = serializers.CharField()
            id = serializers.IntegerField(help_text="identyfikator obiektu w rejestrze")
            label = serializers.CharField()
            last_inspection = serializers.DateField()
            next_due = serializers.DateField()
            days_overdue = serializers.IntegerField()

        gmina = serializers.CharField(help_text="kod TERYT")
        overdue = OverdueSerializer(many=True)

        class Meta:
            ref_name = "OverdueInspections"

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 403, 404),
        summary="Zaległe przeglądy w gminie",
    )
    def get(self, request):
        gmina = _gmina(validated(self.InputSerializer, request.query_params)["gmina"])
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
