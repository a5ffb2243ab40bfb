"""Writes of comments on draft plans: a comment during the inspection, the planner's decision."""

from __future__ import annotations

import datetime as dt
import json
import math

from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from planning import selectors as planning_selectors
from sip import audit, tenancy
from sip import selectors as core_selectors
from sip.geometry import ACCEPTED_SRIDS, POLAND_EXTENT_2180, STORAGE_SRID, GeometryError, check_in_poland
from sip.identifiers import parse_parcel_identifier
from sip.models import Obreb

from ..models import PlanComment, PlanInspection

MAX_TEXT = 10_000
# How far from the draft plan's boundary a comment's place may lie (a road just outside it).
NEAR_PLAN_M = 200
# Public outputs show the place rounded to the centre of a cell of this size.
GENERALISE_M = 100


class InspectionClosed(Exception):
    """Comments are not taken today; the message names the dates."""


def require_open(inspection: PlanInspection, day: dt.date | None = None) -> None:
    state = inspection.state(day)
    if state == "planned":
        raise InspectionClosed(
            f"Wyłożenie projektu planu rozpocznie się {inspection.starts_on:%d.%m.%Y} r.; "
            "uwagi można składać od tego dnia."
        )
    if state == "closed":
        raise InspectionClosed(
            f"Termin składania uwag do projektu planu minął {inspection.ends_on:%d.%m.%Y} r.; "
            "uwag złożonych później nie rozpatruje się."
        )


def generalised_point(geom: GEOSGeometry) -> Point:
    """The centre of the 100 m grid cell holding a point of the geometry (EPSG:2180)."""
    p = geom.point_on_surface
    x = math.floor(p.x / GENERALISE_M) * GENERALISE_M + GENERALISE_M / 2
    y = math.floor(p.y / GENERALISE_M) * GENERALISE_M + GENERALISE_M / 2
    return Point(x, y, srid=STORAGE_SRID)


def _place_from_parcel(inspection: PlanInspection, identifier: str):
    try:
        ident = parse_parcel_identifier(identifier)
        parcel = core_selectors.parcel_by_identifier(identifier)
    except ValidationError as exc:
        raise ValidationError({"parcel_identifier": exc.messages}) from None
    if parcel is None:
        raise ValidationError({"parcel_identifier": f"Nie ma działki {ident} w ewidencji gminy."})
    if parcel.gmina_id != inspection.gmina_id:
        raise ValidationError({"parcel_identifier": f"Działka {ident} leży w innej gminie."})
    return str(ident), parcel.geom


def _place_from_geometry(geom: GEOSGeometry) -> GEOSGeometry:
    if not geom.srid or geom.srid not in ACCEPTED_SRIDS:
        raise ValidationError({"geom": "Geometria bez obsługiwanego układu współrzędnych."})
    if geom.geom_type not in ("Point", "Polygon", "MultiPolygon") or geom.empty:
        raise ValidationError({"geom": "Wskaż punkt albo obszar (wielokąt) na mapie."})
    try:
        xmin, ymin, xmax, ymax = geom.extent
        check_in_poland(xmin, ymin, geom.srid)
        check_in_poland(xmax, ymax, geom.srid)
    except GeometryError as exc:
        raise ValidationError({"geom": str(exc)}) from None
    if not geom.valid:
        raise ValidationError({"geom": f"Nieprawidłowa geometria: {geom.valid_reason}."})
    stored = geom.transform(STORAGE_SRID, clone=True) if geom.srid != STORAGE_SRID else geom.clone()
    if not POLAND_EXTENT_2180.contains(stored):
        raise ValidationError({"geom": "Miejsce leży poza obszarem Polski."})
    return stored


def _required(value: str, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Podaj {label}."})
    if len(value) > max_length:
        raise ValidationError({field: f"Pole może mieć najwyżej {max_length} znaków."})
    return value


@transaction.atomic
def submit_comment(
    *,
    inspection: PlanInspection,
    author: str,
    address: str,
    text: str,
    email: str = "",
    holds_land: bool = False,
    parcel_identifier: str = "",
    geom: GEOSGeometry | None = None,
    day: dt.date | None = None,
) -> PlanComment:
    """Register a comment on the draft plan during its inspection; return it (with its number)."""
    require_open(inspection, day)
    author = _required(author, "author", "imię i nazwisko albo nazwę organizacji", 200)
    address = _required(address, "address", "adres do korespondencji", 300)
    text = _required(text, "text", "treść uwagi", MAX_TEXT)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": "Nieprawidłowy adres e-mail."}) from None
    identifier = ""
    if parcel_identifier and parcel_identifier.strip():
        identifier, place = _place_from_parcel(inspection, parcel_identifier.strip())
    elif geom is not None:
        place = _place_from_geometry(geom)
    else:
        raise ValidationError(
            {"geom": "Wskaż miejsce, którego dotyczy uwaga: działkę albo punkt lub obszar na mapie."}
        )
    outline = planning_selectors.plan_outline(inspection.plan_id, STORAGE_SRID)
    if outline is not None:
        boundary = GEOSGeometry(json.dumps(outline))
        boundary.srid = STORAGE_SRID
        if place.distance(boundary) > NEAR_PLAN_M:
            raise ValidationError({"geom": "Wskazane miejsce leży poza obszarem projektu planu."})
    # One number after another within the inspection: the inspection row is the lock.
    PlanInspection.objects.select_for_update().get(pk=inspection.pk)
    number = (inspection.comments.aggregate(m=Max("number"))["m"] or 0) + 1
    point = place.point_on_surface
    obreb = Obreb.objects.filter(gmina_id=inspection.gmina_id, geom__intersects=point).first()
    comment = PlanComment(
        inspection=inspection,
        number=number,
        author=author,
        address=address,
        email=email,
        holds_land=bool(holds_land),
        text=text,
        parcel_identifier=identifier,
        geom=place,
        obreb_name=obreb.name if obreb else "",
        public_point=generalised_point(place),
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def decide(*, actor, comment: PlanComment, decision: str, reason: str) -> PlanComment:
    """Record the planner's decision on a comment (with the reason); return the comment."""
    gmina_id = tenancy.gmina_id_of(comment)
    tenancy.require(actor, "participation.change_plancomment", gmina_id)
    if decision not in (
        PlanComment.Decision.ACCEPTED,
        PlanComment.Decision.REJECTED,
        PlanComment.Decision.PARTIAL,
    ):
        raise ValidationError(
            {"decision": "Wybierz: uwzględniona, nieuwzględniona albo uwzględniona częściowo."}
        )
    reason = (reason or "").strip()
    if decision != PlanComment.Decision.ACCEPTED and not reason:
        raise ValidationError({"decision_reason": "Podaj uzasadnienie nieuwzględnienia uwagi."})
    comment = PlanComment.objects.select_for_update().get(pk=comment.pk)
    before = {"decision": comment.decision, "decision_reason": comment.decision_reason}
    comment.decision = decision
    comment.decision_reason = reason[:5000]
    comment.decided_at = timezone.now()
    comment.decided_by = actor
    comment.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
    audit.record(
        actor=actor,
        action="update",
        obj=comment,
        gmina=comment.inspection.gmina,
        changes=audit.diff(before, {"decision": decision, "decision_reason": comment.decision_reason}),
    )
    return comment
