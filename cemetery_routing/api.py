"""Public REST API of cemeteries: grave and burial search, grave, walking route, cemetery map
layers.

Nothing here reads the grave holder (dysponent): it is personal data for staff only.
"""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from sip.api import (
    ID_SCHEMA,
    MAX_ID_DIGITS,
    MAX_QUERY_LENGTH,
    SRID_PARAM,
    BadRequest,
    CrsSerializer,
    FlagField,
    GeoJSONGeometrySerializer,
    SipAPIView,
    SridField,
    collection_serializer,
    documented,
    feature_serializer,
    page_serializer,
    paged_features,
    paged_list,
    validated,
)
from sip.geometry import GeometryError, check_in_poland
from sip.models import Gmina

from . import routes, search, selectors
from .models import Cemetery, Grave

GRAVE_ID_PARAM = OpenApiParameter(
    "grave_id", ID_SCHEMA, OpenApiParameter.PATH, description="identyfikator grobu"
)


def _grave_id(value: str) -> int:
    """The grave id of a path, or 404 (not a number, or longer than any database key)."""
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
        raise Http404("Nie ma takiego grobu.")
    return int(value)


# --- shapes of the answers ---------------------------------------------------------------------


class BurialSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="identyfikator pochówku")
    first_name = serializers.CharField()
    surname = serializers.CharField()
    family_name = serializers.CharField(allow_null=True)
    full_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    death_date = serializers.DateField(allow_null=True)
    burial_date = serializers.DateField(allow_null=True)
    record = serializers.CharField(allow_null=True, help_text="krótka notka")


class MatchedBurialSerializer(BurialSerializer):
    edits = serializers.IntegerField(help_text="liczba literówek w dopasowaniu")


class CemeteryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class GraveRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="identyfikator grobu")
    cemetery = CemeteryRefSerializer()
    section = serializers.CharField()
    row = serializers.CharField(allow_blank=True)
    number = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="/api/cemetery/graves/<id>/")
    card_url = serializers.CharField(help_text="karta grobu (strona)")
    route_url = serializers.CharField(help_text="trasa do grobu (API)")


class BurialHitPropertiesSerializer(MatchedBurialSerializer):
    grave = GraveRefSerializer()


class GraveHitPropertiesSerializer(BurialHitPropertiesSerializer):
    burials = MatchedBurialSerializer(
        many=True, help_text="pasujące pochówki w tym grobie, najlepszy pierwszy"
    )


BurialHitSerializer = feature_serializer(
    "BurialHit", BurialHitPropertiesSerializer(), id_help="identyfikator pochówku"
)
GraveHitSerializer = feature_serializer(
    "GraveHit",
    GraveHitPropertiesSerializer(help_text="najlepiej pasujący pochówek, grób i wszystkie pasujące pochówki"),
    id_help="identyfikator grobu",
)


class PhotoSerializer(serializers.Serializer):
    url = serializers.CharField()
    kind = serializers.CharField()
    taken_on = serializers.DateField()
    caption = serializers.CharField(allow_blank=True)


class GravePropertiesSerializer(serializers.Serializer):
    cemetery = CemeteryRefSerializer()
    section = serializers.CharField()
    row = serializers.CharField(allow_blank=True)
    number = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    burials = BurialSerializer(many=True)
    photos = PhotoSerializer(many=True)
    url = serializers.CharField()
    card_url = serializers.CharField()
    route_url = serializers.CharField()


# --- search ------------------------------------------------------------------------------------


class SearchInputSerializer(page_serializer(default=20, maximum=100)):
    q = serializers.RegexField(
        # Two letters in a row: at least one name word of two letters (years and numbers are not names).
        r"[A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźżÀ-ÖØ-öø-ÿ]{2}",
        max_length=MAX_QUERY_LENGTH,
        help_text="nazwisko i/lub imię, np. „Wójcik Jan”, „wujcik”, „Łukasz 1950”",
        error_messages={
            "invalid": "Podaj nazwisko lub imię (co najmniej dwie litery).",
            "required": "Podaj nazwisko lub imię (co najmniej dwie litery).",
            "blank": "Podaj nazwisko lub imię (co najmniej dwie litery).",
        },
    )
    cemetery = serializers.SlugField(required=False, max_length=100, help_text="skrót cmentarza")
    gmina = serializers.RegexField(r"^[0-9]{6}_[0-9]$", required=False, help_text="kod TERYT gminy")
    born = serializers.IntegerField(required=False, min_value=1500, max_value=2100, help_text="rok urodzenia")
    died = serializers.IntegerField(required=False, min_value=1500, max_value=2100, help_text="rok śmierci")
    srid = SridField()


def _search_filters(params: dict) -> dict:
    """Search filters from validated parameters; 404 for an unknown cemetery or gmina, 400 for a
    text with no name in it."""
    if not search.parse_query(params["q"]).words:
        raise BadRequest("Podaj w parametrze q nazwisko lub imię (co najmniej dwie litery).")
    filters = {"cemetery_id": None, "gmina_id": None, "born": params.get("born"), "died": params.get("died")}
    if params.get("cemetery"):
        cemetery = Cemetery.objects.filter(slug=params["cemetery"]).first()
        if cemetery is None:
            raise Http404("Nie ma takiego cmentarza.")
        filters["cemetery_id"] = cemetery.pk
    if params.get("gmina"):
        gmina = Gmina.objects.filter(teryt=params["gmina"]).first()
        if gmina is None:
            raise Http404("Nie ma takiej gminy.")
        filters["gmina_id"] = gmina.pk
    return filters


class GraveSearchView(SipAPIView):
    """Graves by the names of the buried: typo-tolerant, without diacritics, ranked by the best
    matching burial; each hit is a grave (its id) with its matching burials."""

    InputSerializer = SearchInputSerializer
    OutputSerializer = collection_serializer("GraveHitCollection", GraveHitSerializer)

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Wyszukiwanie grobów po nazwisku i imieniu pochowanych",
        operation_id="cemetery_graves_search",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        filters = _search_filters(params)
        limit, offset = params["limit"], params["offset"]
        total, graves = search.search_graves(params["q"], limit=limit, offset=offset, **filters)
        features = [selectors.grave_search_feature(burials, params["srid"]) for burials in graves]
        return Response(paged_features(request, features, total=total, limit=limit, offset=offset))


class BurialSearchView(SipAPIView):
    """The buried by name: typo-tolerant, without diacritics, ranked; each hit is a burial (its
    id) with its grave's id and URLs."""

    InputSerializer = SearchInputSerializer
    OutputSerializer = collection_serializer("BurialHitCollection", BurialHitSerializer)

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Wyszukiwanie pochowanych po nazwisku i imieniu",
        operation_id="cemetery_burials_search",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        filters = _search_filters(params)
        limit, offset = params["limit"], params["offset"]
        hits = search.search_burials(params["q"], limit=limit, offset=offset, **filters)
        total = search.count_burials(params["q"], **filters)
        features = [selectors.search_feature(b, params["srid"]) for b in hits]
        return Response(paged_features(request, features, total=total, limit=limit, offset=offset))


# --- one grave and the walk to it --------------------------------------------------------------


class SridInputSerializer(serializers.Serializer):
    srid = SridField()


class GraveDetailView(SipAPIView):
    """One grave: location, public burials, photos."""

    OutputSerializer = feature_serializer("Grave", GravePropertiesSerializer(), id_help="identyfikator grobu")

    @extend_schema(
        parameters=[GRAVE_ID_PARAM, SRID_PARAM],
        responses=documented({200: OutputSerializer}, 404),
        summary="Grób",
    )
    def get(self, request, grave_id: str):
        srid = validated(SridInputSerializer, request.query_params)["srid"]
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


class RouteStepSerializer(serializers.Serializer):
    maneuver = serializers.CharField()
    instruction = serializers.CharField()
    text = serializers.CharField()
    distance_m = serializers.FloatField()
    alley = serializers.CharField(allow_null=True)
    location = serializers.ListField(child=serializers.FloatField(), help_text="[x, y] w srid")


class RouteGateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RouteGraveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    cemetery = serializers.CharField()


class RoutePropertiesSerializer(serializers.Serializer):
    grave = RouteGraveSerializer()
    gate = RouteGateSerializer(allow_null=True, help_text="brama startu (null gdy start z from)")
    length_m = serializers.FloatField()
    walking_time_s = serializers.IntegerField()
    step_free = serializers.BooleanField()
    steps = RouteStepSerializer(many=True)


# "from" is a Python keyword: the field is declared under its JSON name.
RoutePropertiesSerializer._declared_fields["from"] = serializers.ListField(
    child=serializers.FloatField(), allow_null=True, help_text="punkt startu z parametru from (albo null)"
)


class RouteSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Feature")
    geometry = GeoJSONGeometrySerializer(help_text="LineString")
    properties = RoutePropertiesSerializer()
    crs = CrsSerializer(required=False, help_text="tylko gdy srid ≠ 4326")


class GraveRouteView(SipAPIView):
    """The walk to a grave from the nearest gate, a chosen gate or the walker's position."""

    class InputSerializer(serializers.Serializer):
        # "from" is a Python keyword: the field is added under that name below.
        from_srid = SridField(help_text="EPSG punktu from (domyślnie 4326)")
        gate = serializers.CharField(
            required=False, max_length=100, help_text="brama: identyfikator albo nazwa"
        )
        step_free = FlagField(default=False, help_text="trasa bez schodów")
        srid = SridField()

        def validate(self, attrs):
            if attrs.get("from") and attrs.get("gate"):
                raise serializers.ValidationError("Podaj albo from, albo gate – nie oba.")
            return attrs

    InputSerializer._declared_fields["from"] = serializers.RegexField(
        r"^-?[0-9]+(\.[0-9]+)?[,;]-?[0-9]+(\.[0-9]+)?$",
        required=False,
        max_length=60,
        help_text="własne położenie „długość,szerokość” (EPSG:4326, albo w from_srid), na cmentarzu",
        error_messages={"invalid": "Parametr from ma postać długość,szerokość, np. from=15.5712,51.2519."},
    )

    OutputSerializer = RouteSerializer

    @extend_schema(
        parameters=[GRAVE_ID_PARAM, InputSerializer],
        responses=documented({200: OutputSerializer}, 404, 409),
        summary="Trasa piesza do grobu (GeoJSON LineString ze wskazówkami)",
    )
    def get(self, request, grave_id: str):
        params = validated(self.InputSerializer, request.query_params)
        grave_pk = _grave_id(grave_id)
        start = None
        if params.get("from"):
            start = _parse_from(params["from"], params["from_srid"])
        try:
            route = routes.route_to_grave(
                grave_pk, gate=params.get("gate") or None, start=start, step_free=params["step_free"]
            )
        except Grave.DoesNotExist:
            raise Http404(f"Nie ma grobu o numerze {grave_id}.") from None
        except routes.RouteError as exc:
            return Response({"detail": str(exc)}, status=exc.status)
        return Response(routes.route_feature(route, params["srid"]))


# --- cemeteries --------------------------------------------------------------------------------


class CemeteryListView(SipAPIView):
    """Cemeteries with their gates."""

    class InputSerializer(page_serializer(default=100, maximum=1000)):
        gmina = serializers.RegexField(r"^[0-9]{6}_[0-9]$", required=False, help_text="kod TERYT gminy")

    class OutputSerializer(serializers.Serializer):
        class CemeterySerializer(serializers.Serializer):
            class GminaSerializer(serializers.Serializer):
                teryt = serializers.CharField()
                name = serializers.CharField()

            id = serializers.IntegerField()
            name = serializers.CharField()
            slug = serializers.CharField()
            address = serializers.CharField(allow_blank=True)
            gmina = GminaSerializer()
            graves = serializers.IntegerField(help_text="liczba grobów")
            location = serializers.ListField(child=serializers.FloatField(), help_text="[dł., szer.] WGS 84")
            url = serializers.CharField()

        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = CemeterySerializer(many=True)
        cemeteries = CemeterySerializer(many=True, help_text="to samo co results (dawna nazwa)")

        class Meta:
            ref_name = "CemeteryList"

    @extend_schema(
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 404),
        summary="Cmentarze",
    )
    def get(self, request):
        params = validated(self.InputSerializer, request.query_params)
        gmina_id = None
        if params.get("gmina"):
            gmina = Gmina.objects.filter(teryt=params["gmina"]).first()
            if gmina is None:
                raise Http404("Nie ma takiej gminy.")
            gmina_id = gmina.pk
        found = selectors.cemeteries(gmina_id)
        limit, offset = params["limit"], params["offset"]
        out = []
        for c in found[offset : offset + limit]:
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
        body = paged_list(request, out, total=found.count(), limit=limit, offset=offset)
        return Response({**body, "cemeteries": out})


class CemeteryMapView(SipAPIView):
    """A cemetery's outline, sections, alleys, gates and orthophoto (EPSG:4326)."""

    class OutputSerializer(serializers.Serializer):
        class OrthophotoSerializer(serializers.Serializer):
            url = serializers.CharField()
            bounds = serializers.ListField(
                child=serializers.ListField(child=serializers.FloatField()),
                help_text="[[szer. min, dł. min], [szer. max, dł. max]]",
            )
            taken_on = serializers.DateField()

        outline = GeoJSONGeometrySerializer()
        sections = collection_serializer(
            "CemeterySections", feature_serializer("CemeterySection", serializers.DictField()), paged=False
        )()
        alleys = collection_serializer(
            "CemeteryAlleys", feature_serializer("CemeteryAlley", serializers.DictField()), paged=False
        )()
        gates = collection_serializer(
            "CemeteryGates", feature_serializer("CemeteryGate", serializers.DictField()), paged=False
        )()
        orthophoto = OrthophotoSerializer(allow_null=True)
        tiles = serializers.DictField(
            help_text="podkład: WMS SIP w kaflach 256 px (url, layers, max_native_zoom)"
        )

        class Meta:
            ref_name = "CemeteryMap"

    @extend_schema(
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, pattern=r"^[-a-zA-Z0-9_]+$")],
        responses=documented({200: OutputSerializer}, 404),
        summary="Warstwy mapy cmentarza",
    )
    def get(self, request, slug: str):
        cemetery = Cemetery.objects.filter(slug=slug).first()
        if cemetery is None:
            raise Http404("Nie ma takiego cmentarza.")
        return Response(selectors.cemetery_map(cemetery))


class CemeteryOfflineView(SipAPIView):
    """Everything a phone stores to use a cemetery without network: map layers, the alley graph,
    gates and the graves with public burials (only what the public grave card shows)."""

    class OutputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        cemetery = serializers.DictField()
        outline_2180 = serializers.ListField(help_text="granica w EPSG:2180 (MultiPolygon)")
        map = serializers.DictField(help_text="jak /api/cemetery/cemeteries/<slug>/map/")
        alleys = serializers.DictField(help_text="{id: [nazwa, rodzaj, nazwa w bierniku]}")
        edges = serializers.ListField(
            help_text="[id, source, target, długość, bez schodów, składowa, aleja, xy EPSG:2180, lon/lat]"
        )
        gates = serializers.ListField(child=serializers.DictField())
        graves = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "CemeteryOffline"

    @extend_schema(
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, pattern=r"^[-a-zA-Z0-9_]+$")],
        responses=documented({200: OutputSerializer}, 404),
        summary="Cmentarz do pobrania na telefon (praca bez sieci)",
    )
    def get(self, request, slug: str):
        cemetery = Cemetery.objects.select_related("gmina").filter(slug=slug).first()
        if cemetery is None:
            raise Http404("Nie ma takiego cmentarza.")
        return Response(selectors.offline_package(cemetery))
