"""The geoportal's search API: one query, every kind of result the visitor may see."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from sip.api import BadRequest
from sip.models import Gmina

from . import search


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
        if len(query) < 2:
            raise BadRequest("Podaj co najmniej dwa znaki w parametrze q.")
        gmina = Gmina.objects.filter(slug=request.query_params.get("gmina", "")).first()
        if gmina is None:
            raise Http404("Nie ma takiej gminy.")
        return Response({"results": search.search(query, gmina, request.user)})
