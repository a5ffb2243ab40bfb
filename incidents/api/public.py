"""The resident's side of the API: categories of a gmina, where a report would go, open reports
nearby, submitting a report (multipart with photos, idempotent, throttled, honeypot), "me too",
the tracking view (no internal notes, no personal data) and register-object lookup."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from sip.api import ID_SCHEMA, BadRequest, SafeJSONParser, SipAPIView, documented, validated
from sip.urls_public import public_url

from .. import selectors, services
from ..models import MAX_DESCRIPTION, MAX_PHOTOS, CategorySetting, Report
from ..registers import RegisterObjectError, find, register_object
from ..routing import OUTSIDE_GMINAS, RoutingError, decide, gmina_at
from .common import (
    IncidentPostThrottle,
    PolishThrottleMixin,
    PositionSerializer,
    UnitSerializer,
    category_or_400,
    gmina_or_404,
    lat_lon,
    photo_urls,
    point_of,
    unit_data,
)

TOKEN_PARAM = OpenApiParameter("token", str, OpenApiParameter.PATH, description="klucz śledzenia zgłoszenia")
REPORT_ID_PARAM = OpenApiParameter(
    "pk", ID_SCHEMA, OpenApiParameter.PATH, description="identyfikator zgłoszenia"
)


def public_id(report: Report) -> str:
    """The report's public identifier in URLs (Open311 service_request_id): ZG-2026-000123."""
    return report.number.replace("/", "-")


# --- categories ------------------------------------------------------------------------------


class OutsideSerializer(serializers.Serializer):
    handling = serializers.ChoiceField(choices=CategorySetting.Handling.choices)
    unit = UnitSerializer(allow_null=True)
    message = serializers.CharField(allow_blank=True)


class CategoryOutSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="kod kategorii (Open311 service_code)")
    name = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    handling = serializers.ChoiceField(choices=CategorySetting.Handling.choices)
    outside = OutsideSerializer(allow_null=True, help_text="gdy sprawa jest poza kompetencją gminy")


class CategoryGroupOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    categories = CategoryOutSerializer(many=True)


class GminaOutSerializer(serializers.Serializer):
    teryt = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()

    class Meta:
        ref_name = "IncidentGmina"


def category_data(category, setting) -> dict:
    handling = setting.handling if setting else CategorySetting.Handling.ROUTE
    outside = None
    if handling != CategorySetting.Handling.ROUTE:
        outside = {
            "handling": handling,
            "unit": unit_data(setting.outside_unit),
            "message": setting.outside_message,
        }
    return {
        "code": category.code,
        "name": category.name,
        "icon": category.icon,
        "description": category.description,
        "handling": handling,
        "outside": outside,
    }


class CategoriesView(SipAPIView):
    """Categories of reports offered in a gmina, grouped, with icons; for a category outside the
    gmina's competence, the responsible office's contact."""

    class InputSerializer(serializers.Serializer):
        gmina = serializers.CharField(max_length=50, help_text="kod TERYT albo skrót gminy")

    class OutputSerializer(serializers.Serializer):
        gmina = GminaOutSerializer()
        groups = CategoryGroupOutSerializer(many=True)

    @extend_schema(parameters=[InputSerializer], responses=documented({200: OutputSerializer}, 404))
    def get(self, request):
        data = validated(self.InputSerializer, request.query_params)
        gmina = gmina_or_404(data["gmina"])
        groups = [
            {
                "name": g["group"].name,
                "icon": g["group"].icon,
                "categories": [category_data(c["category"], c["setting"]) for c in g["categories"]],
            }
            for g in selectors.categories_for(gmina)
        ]
        out = {"gmina": {"teryt": gmina.teryt, "name": gmina.name, "slug": gmina.slug}, "groups": groups}
        return Response(self.OutputSerializer(out).data)


# --- routing preview -------------------------------------------------------------------------


class RouteOutSerializer(serializers.Serializer):
    gmina = GminaOutSerializer()
    unit = UnitSerializer()
    reason = serializers.CharField(help_text="dlaczego ten podmiot (po polsku)")
    outside = serializers.BooleanField(help_text="podmiot spoza SIP: zgłoszenie nie zostanie zapisane")
    by_email = serializers.BooleanField(help_text="zgłoszenie zostanie przekazane e-mailem")


def _register_object(data: dict, gmina, user):
    if not data.get("register"):
        return None
    if data.get("register_item") is None:
        raise BadRequest("register_item: podaj identyfikator obiektu rejestru.")
    try:
        return register_object(data["register"], data["register_item"], gmina=gmina, user=user)
    except RegisterObjectError as exc:
        raise BadRequest(f"register_item: {exc}") from None


class RouteView(SipAPIView):
    """Where a report of a category at a point would go, and why (before it is sent)."""

    class InputSerializer(PositionSerializer):
        register = serializers.SlugField(
            required=False, max_length=40, help_text="rejestr obiektu, np. lamps"
        )
        register_item = serializers.IntegerField(required=False, min_value=1, max_value=10**18 - 1)

    @extend_schema(parameters=[InputSerializer], responses=documented({200: RouteOutSerializer}))
    def get(self, request):
        data = validated(self.InputSerializer, request.query_params)
        category = category_or_400(data["category"])
        point = point_of(data["lat"], data["lon"])
        gmina = gmina_at(point)
        if gmina is None:
            raise BadRequest(OUTSIDE_GMINAS)
        obj = _register_object(data, gmina, request.user)
        try:
            d = decide(point=point, category=category, register_object=obj, gmina=gmina)
        except RoutingError as exc:
            raise BadRequest(str(exc)) from None
        out = {
            "gmina": {"teryt": d.gmina.teryt, "name": d.gmina.name, "slug": d.gmina.slug},
            "unit": unit_data(d.unit),
            "reason": d.reason,
            "outside": d.outside,
            "by_email": d.by_email,
        }
        return Response(RouteOutSerializer(out).data)


# --- duplicates ------------------------------------------------------------------------------


class NearbyReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="identyfikator zgłoszenia (do „ja też”)")
    number = serializers.CharField()
    category = serializers.CharField(help_text="kod kategorii")
    category_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    created_at = serializers.DateTimeField()
    distance_m = serializers.FloatField()
    me_too_count = serializers.IntegerField()
    description = serializers.CharField(help_text="początek opisu (200 znaków)")
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class NearbyView(SipAPIView):
    """Open reports of the same category within 50 m ("Czy chodzi o to zgłoszenie?")."""

    InputSerializer = PositionSerializer

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        results = NearbyReportSerializer(many=True)

    @extend_schema(parameters=[PositionSerializer], responses=documented({200: OutputSerializer}))
    def get(self, request):
        data = validated(PositionSerializer, request.query_params)
        category = category_or_400(data["category"])
        point = point_of(data["lat"], data["lon"])
        results = []
        for r in selectors.open_nearby(point=point, category=category)[:20]:
            lat, lon = lat_lon(r.public_point)
            results.append(
                {
                    "id": r.pk,
                    "number": r.number,
                    "category": r.category.code,
                    "category_name": r.category.name,
                    "status": r.status,
                    "status_label": r.get_status_display(),
                    "created_at": r.created_at,
                    "distance_m": round(r.distance.m, 1),
                    "me_too_count": r.me_too_count,
                    "description": r.description[:200],
                    "lat": lat,
                    "lon": lon,
                }
            )
        return Response(self.OutputSerializer({"count": len(results), "results": results}).data)


# --- submit ----------------------------------------------------------------------------------


class SubmittedSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["created", "existing", "outside"],
        help_text="created: nowe zgłoszenie (201); existing: to samo zgłoszenie co przy wcześniejszym "
        "wysłaniu z tym client_request_id (200); outside: podmiot spoza SIP, nic nie zapisano (200)",
    )
    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True, help_text="np. ZG/2026/000123")
    token = serializers.CharField(allow_null=True, help_text="klucz śledzenia (strona /zgloszenia/<token>/)")
    tracking_url = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    unit = UnitSerializer(help_text="podmiot, do którego trafiło zgłoszenie (albo właściwy podmiot)")
    reason = serializers.CharField()


def submitted_data(request, result) -> dict:
    report = result.report
    if report is None:
        d = result.decision
        return {
            "outcome": "outside",
            "id": None,
            "number": None,
            "token": None,
            "tracking_url": None,
            "status": None,
            "unit": unit_data(d.unit),
            "reason": d.reason,
        }
    return {
        "outcome": result.outcome,
        "id": report.pk,
        "number": report.number,
        "token": report.token,
        "tracking_url": public_url("incidents:track", args=[report.token], request=request),
        "status": report.status,
        "unit": unit_data(report.responsible_unit),
        "reason": report.routing_reason,
    }


class ReportCreateView(PolishThrottleMixin, SipAPIView):
    """Send a report (anyone; multipart/form-data with up to 5 photos, or JSON without them).
    A retried request with the same client_request_id answers the same report (200)."""

    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    permission_classes = [permissions.AllowAny]
    throttle_classes = [IncidentPostThrottle]

    class InputSerializer(serializers.Serializer):
        category = serializers.SlugField(max_length=40, help_text="kod kategorii")
        lat = serializers.FloatField(required=False, min_value=-90, max_value=90, help_text="WGS84")
        lon = serializers.FloatField(required=False, min_value=-180, max_value=180, help_text="WGS84")
        description = serializers.CharField(
            max_length=MAX_DESCRIPTION, help_text=f"najwyżej {MAX_DESCRIPTION} znaków"
        )
        name = serializers.CharField(required=False, allow_blank=True, max_length=150)
        email = serializers.EmailField(
            required=False, allow_blank=True, help_text="do powiadomień o zmianach statusu"
        )
        phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
        address = serializers.CharField(
            required=False, allow_blank=True, max_length=250, help_text="opis miejsca"
        )
        register = serializers.SlugField(
            required=False, max_length=40, help_text="rejestr obiektu, np. lamps"
        )
        register_item = serializers.IntegerField(required=False, min_value=1, max_value=10**18 - 1)
        use_photo_position = serializers.BooleanField(
            required=False, default=False, help_text="użyj położenia zapisanego w zdjęciu (EXIF GPS)"
        )
        client_request_id = serializers.UUIDField(
            required=False,
            format="hex_verbose",
            help_text="klucz idempotencji: losowy UUID nadany przez formularz; ponowne wysłanie tego "
            "samego zgłoszenia z tym kluczem zwraca zapisane zgłoszenie",
        )
        website = serializers.CharField(
            required=False, allow_blank=True, max_length=200, help_text="pole-pułapka: zostaw puste"
        )
        photos = serializers.ListField(
            child=serializers.FileField(),
            required=False,
            max_length=MAX_PHOTOS,
            help_text="JPEG, PNG, WebP, HEIC; do 15 MB",
        )

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses=documented({201: SubmittedSerializer, 200: SubmittedSerializer}, 429),
    )
    def post(self, request):
        raw = request.data
        if hasattr(raw, "getlist"):
            body = {k: raw.get(k) for k in raw if k != "photos"}
            photos = raw.getlist("photos")
            if photos:
                body["photos"] = photos
        else:
            body = raw if isinstance(raw, dict) else {}
        # An empty field of a form is no value (the position may come from the photo).
        body = {
            k: v for k, v in body.items() if not (k in ("lat", "lon", "register_item") and v in ("", None))
        }
        data = validated(self.InputSerializer, body)
        if data.get("website"):
            raise BadRequest("Zgłoszenie odrzucone.")
        category = category_or_400(data["category"])
        has_position = data.get("lat") is not None and data.get("lon") is not None
        point = point_of(data["lat"], data["lon"]) if has_position else None
        if point is None and not data.get("use_photo_position"):
            raise BadRequest("position: Wskaż miejsce problemu na mapie.")
        obj = None
        if data.get("register"):
            obj = _register_object(data, gmina_at(point) if point else None, request.user)
        try:
            result = services.create_report(
                point=point,
                category=category,
                description=data["description"],
                photos=data.get("photos", []),
                use_photo_position=data.get("use_photo_position", False),
                reporter_name=data.get("name", ""),
                reporter_email=data.get("email", ""),
                reporter_phone=data.get("phone", ""),
                address=data.get("address", ""),
                register_object=obj,
                client_request_id=str(data.get("client_request_id") or ""),
                actor=request.user,
            )
        except RoutingError as exc:
            raise BadRequest(str(exc)) from None
        code = status.HTTP_201_CREATED if result.outcome == "created" else status.HTTP_200_OK
        return Response(SubmittedSerializer(submitted_data(request, result)).data, status=code)


class MeTooView(PolishThrottleMixin, SipAPIView):
    """Say "me too" to an open report instead of sending a duplicate."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [IncidentPostThrottle]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(required=False, allow_blank=True, help_text="do powiadomień")

    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        me_too_count = serializers.IntegerField()

    @extend_schema(
        parameters=[REPORT_ID_PARAM],
        request=InputSerializer,
        responses=documented({200: OutputSerializer}, 404, 429),
    )
    def post(self, request, pk: int):
        data = validated(self.InputSerializer, request.data if isinstance(request.data, dict) else {})
        report = Report.objects.filter(pk=pk).first()
        if report is None:
            raise Http404("Nie ma takiego zgłoszenia.")
        report = services.add_me_too(report=report, email=data.get("email", ""))
        return Response(self.OutputSerializer(report).data)


# --- tracking --------------------------------------------------------------------------------


class PublicHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    status = serializers.CharField(allow_blank=True)
    status_label = serializers.CharField(allow_blank=True)
    unit = serializers.CharField(allow_blank=True, help_text="podmiot prowadzący po zmianie")
    unit_before = serializers.CharField(allow_blank=True)
    public_note = serializers.CharField(allow_blank=True, help_text="odpowiedź publiczna")


class TrackingSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    is_open = serializers.BooleanField()
    category = serializers.CharField()
    category_name = serializers.CharField()
    description = serializers.CharField()
    gmina = GminaOutSerializer()
    unit = UnitSerializer()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    me_too_count = serializers.IntegerField()
    duplicate_of = serializers.CharField(allow_null=True, help_text="numer zgłoszenia głównego")
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    photos = serializers.ListField(child=serializers.URLField())
    history = PublicHistorySerializer(many=True)


def tracking_data(request, report: Report) -> dict:
    """The public view of a report: no reporter data, no internal notes, no staff names."""
    lat, lon = lat_lon(report.public_point)
    history = []
    for h in selectors.public_history(report):
        history.append(
            {
                "at": h.at,
                "kind": h.kind,
                "kind_label": h.get_kind_display(),
                "status": h.status_after,
                "status_label": h.get_status_after_display() if h.status_after else "",
                "unit": h.unit_after.name if h.unit_after else "",
                "unit_before": h.unit_before.name if h.unit_before and h.unit_before != h.unit_after else "",
                "public_note": h.public_note,
            }
        )
    return {
        "number": report.number,
        "status": report.status,
        "status_label": report.get_status_display(),
        "is_open": report.is_open,
        "category": report.category.code,
        "category_name": report.category.name,
        "description": report.description,
        "gmina": {"teryt": report.gmina.teryt, "name": report.gmina.name, "slug": report.gmina.slug},
        "unit": unit_data(report.responsible_unit),
        "reason": report.routing_reason,
        "created_at": report.created_at,
        "status_changed_at": report.status_changed_at,
        "me_too_count": report.me_too_count,
        "duplicate_of": report.duplicate_of.number if report.duplicate_of_id else None,
        "lat": lat,
        "lon": lon,
        "photos": photo_urls(request, report),
        "history": history,
    }


class TrackView(SipAPIView):
    """A report as its tracking link shows it: status history and public replies only."""

    @extend_schema(parameters=[TOKEN_PARAM], responses=documented({200: TrackingSerializer}, 404))
    def get(self, request, token: str):
        report = selectors.by_token(token)
        if report is None:
            raise Http404("Nie ma zgłoszenia o takim kluczu.")
        return Response(TrackingSerializer(tracking_data(request, report)).data)


# --- register objects ------------------------------------------------------------------------


class RegisterObjectView(SipAPIView):
    """A register object a report can start from ("Zgłoś usterkę tego obiektu"): its label,
    gmina and position, if the caller may see it."""

    class InputSerializer(serializers.Serializer):
        register = serializers.SlugField(max_length=40, help_text="np. lamps, small-architecture, trees")
        id = serializers.IntegerField(min_value=1, max_value=10**18 - 1)

    class OutputSerializer(serializers.Serializer):
        register = serializers.CharField()
        id = serializers.IntegerField()
        label = serializers.CharField()
        gmina = GminaOutSerializer()
        lat = serializers.FloatField()
        lon = serializers.FloatField()

    @extend_schema(parameters=[InputSerializer], responses=documented({200: OutputSerializer}, 404))
    def get(self, request):
        data = validated(self.InputSerializer, request.query_params)
        try:
            obj, item = find(data["register"], data["id"], user=request.user)
        except RegisterObjectError as exc:
            raise Http404(str(exc)) from None
        geom = item.geom
        point = geom if geom.geom_type == "Point" else geom.interpolate_normalized(0.5)
        point.srid = geom.srid
        lat, lon = lat_lon(point)
        gmina = item.gmina
        return Response(
            self.OutputSerializer(
                {
                    "register": obj.register,
                    "id": obj.item_id,
                    "label": obj.label,
                    "gmina": {"teryt": gmina.teryt, "name": gmina.name, "slug": gmina.slug},
                    "lat": lat,
                    "lon": lon,
                }
            ).data
        )
