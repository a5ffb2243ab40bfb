"""Public REST API of cemeteries: grave search, grave, walking route, cemetery map layers.

Nothing here reads the grave holder (dysponent): it is personal data for staff only.
"""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from sip.api import SRID_PARAM, BadRequest, request_srid
from sip.geometry import GeometryError, check_in_poland, parse_srid
from sip.models import Gmina

from . import routes, search, selectors
from .models import Cemetery, Grave

_BOOL_TRUE = {"1", "true", "tak", "yes"}


def _int_param(request, name: str, lo: int, hi: int) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or not lo <= int(value) <= hi:
        raise BadRequest(f"Parametr {name} musi być liczbą od {lo} do {hi}.")
    return int(value)


def _grave_id(value: str) -> int:
    if not value.isdigit():
        raise Http404("Nie ma takiego grobu.")
    return int(value)


class GraveSearchView(APIView):
    """Graves by the names of the buried: typo-tolerant, without diacritics, ranked."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description="nazwisko i/lub imię, np. „Wójcik Jan”, „wujcik”, „Łukasz 1950”",
            ),
            OpenApiParameter("cemetery", OpenApiTypes.STR, description="skrót cmentarza"),
            OpenApiParameter("gmina", OpenApiTypes.STR, description="kod TERYT gminy"),
            OpenApiParameter("born", OpenApiTypes.INT, description="rok urodzenia"),
            OpenApiParameter("died", OpenApiTypes.INT, description="rok śmierci"),
            SRID_PARAM,
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Wyszukiwanie grobów po nazwisku i imieniu pochowanych",
        operation_id="cemetery_graves_search",
    )
    def get(self, request):
        srid = request_srid(request)
        text = request.query_params.get("q", "").strip()
        parsed = search.parse_query(text)
        if not parsed.words or sum(len(w) for w in parsed.words) < 2:
            raise BadRequest("Podaj w parametrze q nazwisko lub imię (co najmniej dwie litery).")
        cemetery_id = gmina_id = None
        if request.query_params.get("cemetery"):
            cemetery = Cemetery.objects.filter(slug=request.query_params["cemetery"]).first()
            if cemetery is None:
                raise Http404("Nie ma takiego cmentarza.")
            cemetery_id = cemetery.pk
        if request.query_params.get("gmina"):
            gmina = Gmina.objects.filter(teryt=request.query_params["gmina"]).first()
            if gmina is None:
                raise Http404("Nie ma takiej gminy.")
            gmina_id = gmina.pk
        hits = search.search_burials(
            text,
            cemetery_id=cemetery_id,
            gmina_id=gmina_id,
            born=_int_param(request, "born", 1500, 2100),
            died=_int_param(request, "died", 1500, 2100),
            limit=_int_param(request, "limit", 1, 100) or 20,
        )
        return Response(
            {"type": "FeatureCollection", "features": [selectors.search_feature(b, srid) for b in hits]}
        )


class GraveDetailView(APIView):
    """One grave: location, public burials, photos."""

    @extend_schema(parameters=[SRID_PARAM], responses={200: OpenApiTypes.OBJECT}, summary="Grób")
    def get(self, request, grave_id: str):
        srid = request_srid(request)
        grave = selectors.public_grave(_grave_id(grave_id))
        if grave is None:
            raise Http404(f"Nie ma grobu o numerze {grave_id}.")
        return Response(selectors.grave_feature(grave, srid))


def _parse_from(value: str, srid: int) -> Point:
    parts = value.replace(";", ",").split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise BadRequest("Parametr from ma postać długość,szerokość, np. from=15.5712,51.2519.") from None
    if srid == 4326 and not (-180 <= x <= 180 and -90 <= y <= 90):
        raise BadRequest("Współrzędne from są poza zakresem (długość −180…180, szerokość −90…90).")
    try:
        check_in_poland(x, y, srid)
    except GeometryError as exc:
        raise BadRequest(f"Parametr from: {exc}") from None
    return Point(x, y, srid=srid)


class GraveRouteView(APIView):
    """The walk to a grave from the nearest gate, a chosen gate or the walker's position."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.STR,
                description="własne położenie „długość,szerokość” (EPSG:4326, albo w from_srid)",
            ),
            OpenApiParameter("from_srid", OpenApiTypes.INT, description="EPSG punktu from (domyślnie 4326)"),
            OpenApiParameter("gate", OpenApiTypes.STR, description="brama: identyfikator albo nazwa"),
            OpenApiParameter("step_free", OpenApiTypes.BOOL, description="1: trasa bez schodów"),
            SRID_PARAM,
        ],
        responses={200: OpenApiTypes.OBJECT},
        summary="Trasa piesza do grobu (GeoJSON LineString ze wskazówkami)",
    )
    def get(self, request, grave_id: str):
        srid = request_srid(request)
        params = request.query_params
        start = None
        if params.get("from"):
            start = _parse_from(params["from"], parse_srid(params.get("from_srid"), default=4326))
        if start is not None and params.get("gate"):
            raise BadRequest("Podaj albo from, albo gate – nie oba.")
        step_free = params.get("step_free", "").lower() in _BOOL_TRUE
        try:
            route = routes.route_to_grave(
                _grave_id(grave_id), gate=params.get("gate") or None, start=start, step_free=step_free
            )
        except Grave.DoesNotExist:
            raise Http404(f"Nie ma grobu o numerze {grave_id}.") from None
        except routes.RouteError as exc:
            return Response({"detail": str(exc)}, status=exc.status)
        return Response(routes.route_feature(route, srid))


class CemeteryListView(APIView):
    """Cemeteries with their gates."""

    @extend_schema(
        parameters=[OpenApiParameter("gmina", OpenApiTypes.STR, description="kod TERYT gminy")],
        responses={200: OpenApiTypes.OBJECT},
        summary="Cmentarze",
    )
    def get(self, request):
        gmina_id = None
        if request.query_params.get("gmina"):
            gmina = Gmina.objects.filter(teryt=request.query_params["gmina"]).first()
            if gmina is None:
                raise Http404("Nie ma takiej gminy.")
            gmina_id = gmina.pk
        out = []
        for c in selectors.cemeteries(gmina_id):
            centre = c.boundary.point_on_surface
            out.append(
                {
                    "id": c.pk,
                    "name": c.name,
                    "slug": c.slug,
                    "address": c.address,
                    "gmina": {"teryt": c.gmina.teryt, "name": c.gmina.name},
                    "graves": c.grave_count,
                    "location": routes.to_srid([(centre.x, centre.y)], 4326)[0],
                    "url": f"/cmentarze/{c.slug}/",
                }
            )
        return Response({"cemeteries": out})


class CemeteryMapView(APIView):
    """A cemetery's outline, sections, alleys, gates and orthophoto (EPSG:4326)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Warstwy mapy cmentarza")
    def get(self, request, slug: str):
        cemetery = Cemetery.objects.filter(slug=slug).first()
        if cemetery is None:
            raise Http404("Nie ma takiego cmentarza.")
        return Response(selectors.cemetery_map(cemetery))
