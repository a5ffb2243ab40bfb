"""The geoportal's search API: one query, every kind of result the visitor may see."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sip.api import MAX_QUERY_LENGTH, BadRequest
from sip.models import Gmina

from . import search


def _gmina_of(request) -> Gmina:
    """The gmina named by ?gmina=<slug>, or 404."""
    gmina = Gmina.objects.filter(slug=request.query_params.get("gmina", "")).first()
    if gmina is None:
        raise Http404("Nie ma takiej gminy.")
    return gmina


class SearchView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="tekst wyszukiwania"),
            OpenApiParameter(
                "gmina", OpenApiTypes.STR, required=True, description="skrót gminy, np. boleslawiec"
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Wyszukiwanie w geoportalu: działki, adresy i inne obiekty",
        operation_id="geoportal_search",
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()
        if not 2 <= len(query) <= MAX_QUERY_LENGTH:
            raise BadRequest(f"Parametr q: od 2 do {MAX_QUERY_LENGTH} znaków.")
        gmina = _gmina_of(request)
        return Response({"results": search.search(query, gmina, request.user)})


class PrintView(APIView):
    """The current map view as a PDF at a chosen scale, drawn on the server by MapServer."""

    # A print takes a second of MapServer and WeasyPrint: a visitor gets a few a minute.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "print"

    @extend_schema(
        parameters=[
            OpenApiParameter("gmina", OpenApiTypes.STR, required=True, description="skrót gminy"),
            OpenApiParameter(
                "center", OpenApiTypes.STR, required=True, description="środek: dł.,szer. (WGS 84)"
            ),
            OpenApiParameter("scale", OpenApiTypes.INT, description="500, 1000, 2000, 5000, 10000, 25000"),
            OpenApiParameter("paper", OpenApiTypes.STR, description="A4 albo A3"),
            OpenApiParameter("orientation", OpenApiTypes.STR, description="landscape albo portrait"),
            OpenApiParameter("layers", OpenApiTypes.STR, description="warstwy nad podkładem, po przecinku"),
            OpenApiParameter("title", OpenApiTypes.STR, description="tytuł wydruku"),
            OpenApiParameter("parcel", OpenApiTypes.STR, description="identyfikator działki do wyróżnienia"),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="Wydruk mapy do PDF w skali",
        operation_id="geoportal_print",
    )
    def get(self, request):
        from django.http import HttpResponse

        from sip.models import Parcel

        from .printing import PrintError, parse_print_request, render_print
        from .views import BASE_LAYERS

        gmina = _gmina_of(request)
        highlight = None
        if request.query_params.get("parcel"):
            parcel = Parcel.objects.filter(identifier=request.query_params["parcel"]).first()
            if parcel is None:
                raise Http404(f"Nie ma działki {request.query_params['parcel']}.")
            highlight = parcel.geom
        try:
            req = parse_print_request(request.query_params, gmina, highlight)
            pdf = render_print(req, request.user, BASE_LAYERS)
        except PrintError as exc:
            raise BadRequest(str(exc)) from None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="mapa-{gmina.slug}-1-{req.scale}.pdf"'
        return response
