"""The geoportal's search API: one query, every kind of result the visitor may see."""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from layers.selectors import base_map_layers
from sip import search
from sip.api import (
    BadRequest,
    GeoJSONGeometrySerializer,
    SearchTextField,
    SipAPIView,
    documented,
    page_serializer,
    paged_list,
    validated,
)
from sip.api.parcels import parcel_or_404
from sip.models import Gmina

from .printing import MAX_LAYERS, SCALES, PrintError, parse_print_request, render_print


def _gmina(slug: str, *, outline: bool = True) -> Gmina:
    """The gmina of this slug (without its outline when not needed), or 404."""
    gminas = Gmina.objects.all() if outline else Gmina.objects.defer("boundary")
    gmina = gminas.filter(slug=slug).first()
    if gmina is None:
        raise Http404("Nie ma takiej gminy.")
    return gmina


class SearchView(SipAPIView):
    class InputSerializer(page_serializer(default=12, maximum=100)):
        q = SearchTextField(help_text="tekst wyszukiwania")
        gmina = serializers.RegexField(
            r"^[-a-zA-Z0-9_]+$", max_length=50, help_text="skrót gminy, np. boleslawiec"
        )

    class OutputSerializer(serializers.Serializer):
        class ResultSerializer(serializers.Serializer):
            kind = serializers.CharField(help_text="parcel, address, grave, …")
            kind_label = serializers.CharField()
            label = serializers.CharField()
            detail = serializers.CharField()
            geometry = GeoJSONGeometrySerializer(help_text="EPSG:4326")

            class Meta:
                ref_name = "GeoportalSearchResult"

        count = serializers.IntegerField(
            help_text=f"liczba trafień (do {search.MAX_PER_PROVIDER} każdego rodzaju)"
        )
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = ResultSerializer(many=True, help_text="rodzaje mogą dodawać własne pola (url, identifier…)")

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Wyszukiwanie w geoportalu: działki, adresy i inne obiekty",
        operation_id="geoportal_search",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        # The providers filter by the gmina; none reads its outline.
        gmina = _gmina(params["gmina"], outline=False)
        total, results = search.search(
            params["q"].strip(), gmina, request.user, limit=params["limit"], offset=params["offset"]
        )
        return Response(
            paged_list(request, results, total=total, limit=params["limit"], offset=params["offset"])
        )


class PrintView(SipAPIView):
    """The current map view as a PDF at a chosen scale, drawn on the server by MapServer."""

    # A print takes a second of MapServer and WeasyPrint: a visitor gets a few a minute.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "print"

    class InputSerializer(serializers.Serializer):
        gmina = serializers.RegexField(r"^[-a-zA-Z0-9_]+$", max_length=50, help_text="skrót gminy")
        center = serializers.RegexField(
            r"^-?[0-9]+(\.[0-9]+)?,-?[0-9]+(\.[0-9]+)?$",
            max_length=60,
            help_text="środek: dł.,szer. (WGS 84), w gminie",
            error_messages={"invalid": "Podaj środek mapy jako center=długość,szerokość (WGS 84)."},
        )
        scale = serializers.ChoiceField(choices=list(SCALES), default=2000)
        paper = serializers.ChoiceField(choices=["A4", "A3"], default="A4")
        orientation = serializers.ChoiceField(choices=["landscape", "portrait"], default="landscape")
        layers = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=1000,
            help_text=f"najwyżej {MAX_LAYERS} warstw, po przecinku",
        )
        title = serializers.CharField(
            required=False, allow_blank=True, max_length=200, help_text="tytuł wydruku"
        )
        parcel = serializers.CharField(
            required=False, max_length=100, help_text="identyfikator działki do wyróżnienia"
        )

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented(
            {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF")}, 404, 429
        ),
        summary="Wydruk mapy do PDF w skali",
        operation_id="geoportal_print",
    )
    def get(self, request):
        gmina = _gmina(request.query_params.get("gmina", ""))
        highlight = None
        if request.query_params.get("parcel"):
            highlight = parcel_or_404(request.query_params["parcel"]).geom
        try:
            req = parse_print_request(request.query_params, gmina, highlight)
            pdf = render_print(req, request.user, base_map_layers(request.user, gmina))
        except PrintError as exc:
            raise BadRequest(str(exc)) from None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="mapa-{gmina.slug}-1-{req.scale}.pdf"'
        return response
