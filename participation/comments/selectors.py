"""Reads of comments on draft plans: inspections, the staff's list, the public list (decision
and generalised place only)."""

from __future__ import annotations

import json

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Count, QuerySet
from django.utils import timezone

from planning import selectors as planning_selectors

from ..models import PlanComment, PlanInspection


def inspections(*, gmina=None, state: str = "open", day=None) -> QuerySet[PlanInspection]:
    """Return the inspections (of a gmina or all) open / closed on `day` ('all': every one)."""
    day = day or timezone.localdate()
    qs = PlanInspection.objects.select_related("gmina", "plan").annotate(comment_count=Count("comments"))
    if gmina is not None:
        qs = qs.filter(gmina=gmina)
    if state == "open":
        qs = qs.filter(starts_on__lte=day, ends_on__gte=day)
    elif state == "closed":
        qs = qs.filter(ends_on__lt=day)
    return qs.order_by("ends_on", "pk")


def plan_outline(inspection: PlanInspection) -> dict | None:
    """The draft plan's boundary (GeoJSON, EPSG:4326), through planning's selector."""
    return planning_selectors.plan_outline(inspection.plan_id, 4326)


def staff_comments(inspection: PlanInspection) -> QuerySet[PlanComment]:
    """Return every comment with its personal data and exact place (for staff of the gmina)."""
    return inspection.comments.select_related("decided_by").annotate(
        geojson=AsGeoJSON(Transform("geom", 4326), precision=6)
    )


def staff_features(inspection: PlanInspection) -> list[dict]:
    """GeoJSON Features of the comments' exact places, for the planner's map."""
    return [
        {
            "type": "Feature",
            "geometry": json.loads(c.geojson),
            "properties": {"number": c.number, "decision": c.get_decision_display()},
        }
        for c in staff_comments(inspection)
    ]


def public_comments(inspection: PlanInspection) -> list[dict]:
    """The public list: number, date, obręb, a point rounded to 100 m, decision and its reason.
    No name, address, e-mail, text or exact place."""
    rows = inspection.comments.annotate(
        point=AsGeoJSON(Transform("public_point", 4326), precision=5)
    ).order_by("number")
    return [
        {
            "number": c.number,
            "submitted_on": timezone.localtime(c.submitted_at).date().isoformat(),
            "obreb": c.obreb_name,
            "point": json.loads(c.point),
            "decision": c.decision,
            "decision_label": c.get_decision_display(),
            "decision_reason": c.decision_reason if c.decision != PlanComment.Decision.PENDING else "",
        }
        for c in rows
    ]
