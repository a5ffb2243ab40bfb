"""Reads of residents' reports: categories offered in a gmina, open reports nearby (duplicate
suggestions), the public tracking view, the staff inbox, overdue reports."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Q, QuerySet
from django.utils import timezone

from sip import tenancy
from sip.models import Gmina, Unit

from .models import OPEN_STATUSES, Category, CategorySetting, Report, StatusChange

DUPLICATE_RADIUS_M = 50
DEFAULT_OVERDUE_DAYS = 14


def categories_for(gmina: Gmina) -> list[dict]:
    """Return the active categories offered in the gmina, grouped: [{group, icon, categories:
    [{category, setting}]}] in display order."""
    settings = {
        s.category_id: s for s in CategorySetting.objects.filter(gmina=gmina).select_related("outside_unit")
    }
    groups: dict[int, dict] = {}
    for category in Category.objects.filter(active=True).select_related("group"):
        setting = settings.get(category.pk)
        if setting is not None and not setting.enabled:
            continue
        group = groups.setdefault(category.group_id, {"group": category.group, "categories": []})
        group["categories"].append({"category": category, "setting": setting})
    return sorted(groups.values(), key=lambda g: (g["group"].order, g["group"].name))


def open_nearby(
    *, point: Point, category: Category, radius_m: float = DUPLICATE_RADIUS_M
) -> QuerySet[Report]:
    """Return open reports of the category within radius_m metres of the point, nearest first
    (each with `distance`)."""
    if point.srid != 2180:
        point = point.transform(2180, clone=True)
    return (
        Report.objects.filter(category=category, status__in=OPEN_STATUSES, point__dwithin=(point, radius_m))
        .annotate(distance=Distance("point", point))
        .select_related("category", "responsible_unit")
        .order_by("distance", "pk")
    )


def by_token(token: str) -> Report | None:
    """Return the report with this tracking token, or None."""
    if not token or len(token) > 64:
        return None
    return Report.objects.select_related("category", "responsible_unit", "gmina").filter(token=token).first()


def public_history(report: Report) -> QuerySet[StatusChange]:
    """Return the history rows a resident may see (no internal notes: the caller reads only the
    public fields)."""
    return (
        report.history.exclude(kind=StatusChange.Kind.ASSIGN)
        .select_related("unit_before", "unit_after", "category_before", "category_after")
        .order_by("at", "id")
    )


def staff_unit_id(user) -> int | None:
    membership = getattr(user, "membership", None) if user and user.is_authenticated else None
    return membership.unit_id if membership else None


def staff_reports(user) -> QuerySet[Report]:
    """Return the reports a staff member works with: of the gminas in their scope (the central
    unit: all), and those sent to their own unit (an outside body's staff)."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm("incidents.view_report")):
        return Report.objects.none()
    qs = Report.objects.select_related("category", "category__group", "responsible_unit", "gmina", "assignee")
    if tenancy.is_central_admin(user):
        return qs
    cond = Q(pk__in=[])
    gmina_id = tenancy.user_gmina_id(user)
    if gmina_id is not None:
        cond |= Q(gmina_id=gmina_id)
    unit_id = staff_unit_id(user)
    if unit_id is not None:
        cond |= Q(responsible_unit_id=unit_id)
    return qs.filter(cond)


def can_work_on(user, report: Report) -> bool:
    """Whether the user may change this report (status, assignment, forwarding, merging)."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm("incidents.change_report")):
        return False
    return tenancy.in_scope(user, report.gmina_id) or staff_unit_id(user) == report.responsible_unit_id


def inbox(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    unit_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    bbox: Polygon | None = None,
    gmina_id: int | None = None,
    oldest_first: bool = True,
) -> QuerySet[Report]:
    """Return the staff member's reports filtered as asked, oldest (or newest) first."""
    qs = staff_reports(user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category__code=category)
    if unit_id:
        qs = qs.filter(responsible_unit_id=unit_id)
    if gmina_id:
        qs = qs.filter(gmina_id=gmina_id)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    if bbox is not None:
        qs = qs.filter(point__intersects=bbox)
    order = ("created_at", "id") if oldest_first else ("-created_at", "-id")
    return qs.order_by(*order)


def overdue(user, *, now: dt.datetime | None = None) -> QuerySet[Report]:
    """Return the user's open reports with no status change for longer than their category's
    overdue days in the report's gmina (default 14), the longest waiting first."""
    now = now or timezone.now()
    qs = staff_reports(user).filter(status__in=OPEN_STATUSES)
    # One condition per (gmina, category) with its own limit, plus the default for the rest.
    cond = Q()
    special = list(
        CategorySetting.objects.exclude(overdue_days=DEFAULT_OVERDUE_DAYS).values_list(
            "gmina_id", "category_id", "overdue_days"
        )
    )
    default_cutoff = now - dt.timedelta(days=DEFAULT_OVERDUE_DAYS)
    not_special = Q()
    for gmina_id, category_id, days in special:
        cond |= Q(
            gmina_id=gmina_id, category_id=category_id, status_changed_at__lt=now - dt.timedelta(days=days)
        )
        not_special &= ~Q(gmina_id=gmina_id, category_id=category_id)
    cond |= not_special & Q(status_changed_at__lt=default_cutoff)
    return qs.filter(cond).order_by("status_changed_at", "id")


def forward_targets(user, report: Report) -> QuerySet[Unit]:
    """Return the units a report may be forwarded to: its gmina's units and the shared ones
    (outside bodies), never another gmina's."""
    return (
        Unit.objects.filter(Q(gmina_id=report.gmina_id) | Q(gmina__isnull=True))
        .exclude(kind=Unit.Kind.CENTRAL)
        .exclude(receives=Unit.Receives.NONE)
        .order_by("name")
    )
