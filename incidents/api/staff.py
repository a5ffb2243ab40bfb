"""The staff inbox of the API: reports of the caller's gminas and unit (the central unit: all),
filtered and sorted by age; status changes with public and internal notes, assignment,
forwarding (with re-routing), merging duplicates, overdue reports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from sip.api import ID_SCHEMA, BadRequest, SipAPIView, documented, page_serializer, paged_list, validated
from sip.models import Unit

from .. import selectors, services
from ..models import MAX_DESCRIPTION, Category, Report, Status
from ..routing import RoutingError
from .common import StaffOnly, UnitSerializer, lat_lon, photo_urls, unit_data

REPORT_ID_PARAM = OpenApiParameter(
    "pk", ID_SCHEMA, OpenApiParameter.PATH, description="identyfikator zgłoszenia"
)


def _report_or_404(user, pk: int) -> Report:
    """The report if the user works with it; another gmina's report is 404, as if it did not exist."""
    report = selectors.staff_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404("Nie ma takiego zgłoszenia.")
    return report


class StaffReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    token = serializers.CharField()
    gmina = serializers.CharField(help_text="kod TERYT")
    gmina_name = serializers.CharField()
    category = serializers.CharField()
    category_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    description = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    unit = UnitSerializer()
    reason = serializers.CharField(allow_blank=True)
    assignee = serializers.CharField(allow_null=True)
    reporter_name = serializers.CharField(allow_blank=True)
    reporter_email = serializers.CharField(allow_blank=True)
    reporter_phone = serializers.CharField(allow_blank=True)
    register = serializers.CharField(allow_blank=True)
    register_item = serializers.IntegerField(allow_null=True)
    register_label = serializers.CharField(allow_blank=True)
    me_too_count = serializers.IntegerField()
    duplicate_of = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    age_days = serializers.IntegerField(help_text="dni od zgłoszenia")
    source = serializers.CharField()


def staff_data(report: Report) -> dict:
    from django.utils import timezone

    lat, lon = lat_lon(report.point)
    return {
        "id": report.pk,
        "number": report.number,
        "token": report.token,
        "gmina": report.gmina.teryt,
        "gmina_name": report.gmina.name,
        "category": report.category.code,
        "category_name": report.category.name,
        "status": report.status,
        "status_label": report.get_status_display(),
        "description": report.description,
        "address": report.address,
        "lat": lat,
        "lon": lon,
        "unit": unit_data(report.responsible_unit),
        "reason": report.routing_reason,
        "assignee": report.assignee.get_username() if report.assignee_id else None,
        "reporter_name": report.reporter_name,
        "reporter_email": report.reporter_email,
        "reporter_phone": report.reporter_phone,
        "register": report.register,
        "register_item": report.register_item_id,
        "register_label": report.register_label,
        "me_too_count": report.me_too_count,
        "duplicate_of": report.duplicate_of.number if report.duplicate_of_id else None,
        "created_at": report.created_at,
        "status_changed_at": report.status_changed_at,
        "age_days": (timezone.now() - report.created_at).days,
        "source": report.source,
    }


class StaffHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    status_before = serializers.CharField(allow_blank=True)
    status_after = serializers.CharField(allow_blank=True)
    unit_before = serializers.CharField(allow_null=True)
    unit_after = serializers.CharField(allow_null=True)
    category_before = serializers.CharField(allow_null=True)
    category_after = serializers.CharField(allow_null=True)
    public_note = serializers.CharField(allow_blank=True)
    internal_note = serializers.CharField(allow_blank=True)


class StaffDetailSerializer(StaffReportSerializer):
    photos = serializers.ListField(child=serializers.URLField())
    history = StaffHistorySerializer(many=True)
    forward_units = UnitSerializer(many=True, help_text="jednostki, do których można przekazać")


def detail_data(request, report: Report) -> dict:
    history = [
        {
            "at": h.at,
            "kind": h.kind,
            "kind_label": h.get_kind_display(),
            "actor": h.actor.get_username() if h.actor_id else None,
            "status_before": h.status_before,
            "status_after": h.status_after,
            "unit_before": h.unit_before.name if h.unit_before_id else None,
            "unit_after": h.unit_after.name if h.unit_after_id else None,
            "category_before": h.category_before.name if h.category_before_id else None,
            "category_after": h.category_after.name if h.category_after_id else None,
            "public_note": h.public_note,
            "internal_note": h.internal_note,
        }
        for h in report.history.select_related(
            "actor", "unit_before", "unit_after", "category_before", "category_after"
        )
    ]
    return {
        **staff_data(report),
        "photos": photo_urls(request, report),
        "history": history,
        "forward_units": [unit_data(u) for u in selectors.forward_targets(request.user, report)],
    }


class InboxView(SipAPIView):
    """The inbox: reports of the caller's gminas and unit, filtered, oldest first by default."""

    permission_classes = [StaffOnly]

    class InputSerializer(page_serializer(default=50, maximum=500)):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        category = serializers.SlugField(required=False, max_length=40)
        unit = serializers.IntegerField(required=False, min_value=1, max_value=10**18 - 1)
        gmina = serializers.CharField(required=False, max_length=50, help_text="kod TERYT")
        since = serializers.DateField(required=False, help_text="zgłoszone od (RRRR-MM-DD)")
        until = serializers.DateField(required=False, help_text="zgłoszone do (RRRR-MM-DD)")
        bbox = serializers.RegexField(
            r"^[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+,[-+0-9.eE]+$",
            required=False,
            max_length=200,
            help_text="minlon,minlat,maxlon,maxlat (WGS84)",
            error_messages={"invalid": "podaj cztery liczby minlon,minlat,maxlon,maxlat."},
        )
        sort = serializers.ChoiceField(
            choices=[("age", "najstarsze najpierw"), ("-age", "najnowsze najpierw")],
            required=False,
            default="age",
        )

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = StaffReportSerializer(many=True)

    @extend_schema(
        operation_id="incidents_inbox_list",
        parameters=[InputSerializer],
        responses=documented({200: OutputSerializer}, 401),
    )
    def get(self, request):
        data = validated(self.InputSerializer, request.query_params)
        bbox = None
        if data.get("bbox"):
            from inventory.selectors import FilterError, parse_bbox

            try:
                bbox = parse_bbox(data["bbox"], 4326)
            except FilterError as exc:
                raise BadRequest(str(exc)) from None
        gmina_id = None
        if data.get("gmina"):
            from sip.models import Gmina

            gmina_id = Gmina.objects.filter(teryt=data["gmina"]).values_list("pk", flat=True).first() or -1
        qs = selectors.inbox(
            request.user,
            status=data.get("status"),
            category=data.get("category"),
            unit_id=data.get("unit"),
            gmina_id=gmina_id,
            since=data.get("since"),
            until=data.get("until"),
            bbox=bbox,
            oldest_first=data["sort"] == "age",
        )
        total = qs.count()
        limit, offset = data["limit"], data["offset"]
        results = [staff_data(r) for r in qs[offset : offset + limit]]
        return Response(
            self.OutputSerializer(paged_list(request, results, total=total, limit=limit, offset=offset)).data
        )


class InboxDetailView(SipAPIView):
    """One report with its personal data, photos, full history (internal notes too) and the
    units it may be forwarded to."""

    permission_classes = [StaffOnly]

    @extend_schema(parameters=[REPORT_ID_PARAM], responses=documented({200: StaffDetailSerializer}, 401, 404))
    def get(self, request, pk: int):
        report = _report_or_404(request.user, pk)
        return Response(StaffDetailSerializer(detail_data(request, report)).data)


class _Action(SipAPIView):
    """A staff action on one report, declared by a subclass: its InputSerializer (which also
    looks up the objects the body names) and `act`, one service call. The base does the rest the
    same way for every action: the caller's report (another gmina's is 404), the body validated
    (400 naming the field), a routing refusal as 400, and the report's new detail as the answer;
    the schema of each action's POST is built from its InputSerializer."""

    permission_classes = [StaffOnly]
    InputSerializer: type[serializers.Serializer]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        def post(self, request, pk: int):
            return self.run(request, pk)

        cls.post = extend_schema(
            parameters=[REPORT_ID_PARAM],
            request=cls.InputSerializer,
            responses=documented({200: StaffDetailSerializer}, 401, 404),
        )(post)

    def act(self, request, report: Report, data: dict) -> Report:
        raise NotImplementedError

    def run(self, request, pk: int):
        report = _report_or_404(request.user, pk)
        data = validated(self.InputSerializer, request.data)
        try:
            report = self.act(request, report, data)
        except RoutingError as exc:
            raise BadRequest(str(exc)) from None
        report = _report_or_404(request.user, report.pk)
        return Response(StaffDetailSerializer(detail_data(request, report)).data)


def _notes(data: dict) -> dict:
    return {"public_note": data.get("public_note", ""), "internal_note": data.get("internal_note", "")}


NOTE_FIELDS = {
    "public_note": serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_DESCRIPTION,
        help_text="odpowiedź widoczna dla mieszkańca",
    ),
    "internal_note": serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_DESCRIPTION,
        help_text="notatka tylko dla pracowników",
    ),
}


class StatusView(_Action):
    """Change a report's status with a public reply and an internal note (mailed to the reporter)."""

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[(s, label) for s, label in Status.choices if s not in ("duplikat", "przekazane")]
        )
        public_note = NOTE_FIELDS["public_note"]
        internal_note = NOTE_FIELDS["internal_note"]

    def act(self, request, report, data):
        return services.change_status(
            actor=request.user, report=report, status=data["status"], **_notes(data)
        )


class AssignView(_Action):
    """Assign a report to a staff member (user name; empty: nobody)."""

    class InputSerializer(serializers.Serializer):
        assignee = serializers.CharField(
            allow_blank=True, max_length=150, help_text="nazwa użytkownika; puste: nikt"
        )

        def validate_assignee(self, value):
            if not value:
                return None
            user = get_user_model().objects.filter(username=value).first()
            if user is None:
                raise serializers.ValidationError("nie ma takiego użytkownika.")
            return user

    def act(self, request, report, data):
        return services.assign(actor=request.user, report=report, assignee=data["assignee"])


class ForwardView(_Action):
    """Forward a report to another unit, or re-categorise it and let the rules route it again;
    the history keeps both units."""

    class InputSerializer(serializers.Serializer):
        unit = serializers.IntegerField(
            required=False, min_value=1, max_value=10**18 - 1, help_text="jednostka docelowa"
        )
        category = serializers.SlugField(required=False, max_length=40, help_text="nowa kategoria")
        public_note = NOTE_FIELDS["public_note"]
        internal_note = NOTE_FIELDS["internal_note"]

        def validate_unit(self, value):
            unit = Unit.objects.filter(pk=value).first()
            if unit is None:
                raise serializers.ValidationError("nie ma takiej jednostki.")
            return unit

        def validate_category(self, value):
            category = Category.objects.filter(code=value, active=True).first()
            if category is None:
                raise serializers.ValidationError("nie ma takiej kategorii.")
            return category

    def act(self, request, report, data):
        return services.forward(
            actor=request.user,
            report=report,
            unit=data.get("unit"),
            category=data.get("category"),
            **_notes(data),
        )


class MergeView(_Action):
    """Close a report as a duplicate of another report of the same gmina."""

    class InputSerializer(serializers.Serializer):
        into = serializers.IntegerField(
            min_value=1, max_value=10**18 - 1, help_text="identyfikator zgłoszenia głównego"
        )
        public_note = NOTE_FIELDS["public_note"]
        internal_note = NOTE_FIELDS["internal_note"]

    def act(self, request, report, data):
        into = _report_or_404(request.user, data["into"])
        return services.merge(actor=request.user, report=report, into=into, **_notes(data))


class OverdueView(SipAPIView):
    """Open reports with no status change for longer than their category's limit in the gmina."""

    permission_classes = [StaffOnly]

    class InputSerializer(page_serializer(default=100, maximum=1000)):
        pass

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        results = StaffReportSerializer(many=True)

    @extend_schema(parameters=[InputSerializer], responses=documented({200: OutputSerializer}, 401))
    def get(self, request):
        data = validated(self.InputSerializer, request.query_params)
        qs = selectors.overdue(request.user)
        total = qs.count()
        limit, offset = data["limit"], data["offset"]
        results = [staff_data(r) for r in qs[offset : offset + limit]]
        return Response(
            self.OutputSerializer(paged_list(request, results, total=total, limit=limit, offset=offset)).data
        )
