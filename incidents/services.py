"""Writes of residents' reports: create (numbered, routed, idempotent), "me too", status
changes, assignment, forwarding and re-categorising (re-routed), merging duplicates. Every
change writes a history row and an audit entry; the reporter is mailed on every status change."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from sip import audit
from sip.models import Gmina, Unit

from . import mail, routing, selectors
from .models import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    OPEN_STATUSES,
    Category,
    MeToo,
    Open311Key,
    Photo,
    Report,
    ReportCounter,
    Status,
    StatusChange,
)
from .routing import Decision, RegisterObject, RoutingError


@dataclass(frozen=True)
class Submitted:
    """What a submission ended in: a new report, the same report again (a retried request),
    or no report because the body is outside SIP (decision says whom to contact)."""

    report: Report | None
    created: bool
    decision: Decision | None = None

    @property
    def outcome(self) -> str:
        if self.report is None:
            return "outside"
        return "created" if self.created else "existing"


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: "Tekst zawiera znak NUL, którego nie można zapisać."})
    if len(value) > limit:
        raise ValidationError({field: f"Tekst jest dłuższy niż {limit} znaków."})
    return value


def _next_number(year: int) -> int:
    """The next number of the year, gap-free: the counter row is locked until the report's
    transaction ends, and rolls back with it."""
    counter, _ = ReportCounter.objects.get_or_create(year=year)
    counter = ReportCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _snapped(point: Point, gmina: Gmina) -> Point:
    """The point moved to the nearest point of the nearest street of the gmina (public maps of
    categories the gmina generalises), or the point itself when the gmina has no streets."""
    from django.contrib.gis.db.models.functions import ClosestPoint, Distance

    from sip.models import Street

    street = (
        Street.objects.filter(gmina=gmina, geom__dwithin=(point, 2000))
        .annotate(d=Distance("geom", point), snap=ClosestPoint("geom", point))
        .order_by("d")
        .first()
    )
    if street is None:
        return Point(round(point.x, -1), round(point.y, -1), srid=point.srid)
    return Point(street.snap.x, street.snap.y, srid=point.srid)


def public_point_of(point: Point, decision: Decision) -> Point:
    setting = decision.setting
    if setting is not None and setting.generalise_private:
        return _snapped(point, decision.gmina)
    return point


# How far a retried submission's point may lie from the stored one (metres): a phone's second
# fix of the same place, not another place.
RETRY_TOLERANCE_M = 1.0


def _retried(existing: Report, *, point, category, description: str, api_key) -> Submitted:
    """The stored report for a retried submission, when it is the same submission: the same
    category, description, place and sender. A client_request_id is no password, so another
    submission under a key already used is refused instead of being handed someone else's
    report (its tracking token)."""
    same = (
        existing.category_id == category.pk
        and existing.description == description
        and existing.point.distance(point) <= RETRY_TOLERANCE_M
        and existing.api_key_id == (api_key.pk if api_key is not None else None)
    )
    if not same:
        raise ValidationError(
            {"client_request_id": "Ten klucz client_request_id został już użyty dla innego zgłoszenia."}
        )
    return Submitted(existing, created=False)


@transaction.atomic
def create_report(
    *,
    point: Point,
    category: Category,
    description: str,
    photos: list | tuple = (),
    use_photo_position: bool = False,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    address: str = "",
    register_object: RegisterObject | None = None,
    client_request_id: str = "",
    source: str = Report.Source.WEB,
    api_key: Open311Key | None = None,
    actor=None,
    reported_at: dt.datetime | None = None,
) -> Submitted:
    """Return the submission: a new report routed to its unit, the existing report with this
    client_request_id in the point's gmina, or (outside SIP) the decision without a report.
    ValidationError / RoutingError (Polish) for bad input; nothing is stored then.

    `reported_at` is when the report was made (now unless a loader records an older report):
    the report is numbered in the year of that moment's local date."""
    description = _text(description, field="description", limit=MAX_DESCRIPTION)
    if not description:
        raise ValidationError({"description": "Opisz problem."})
    reporter_name = _text(reporter_name, field="name", limit=150)
    reporter_email = _text(reporter_email, field="email", limit=254)
    if reporter_email:
        try:
            validate_email(reporter_email)
        except ValidationError:
            raise ValidationError({"email": "Nieprawidłowy adres e-mail."}) from None
    reporter_phone = _text(reporter_phone, field="phone", limit=30)
    address = _text(address, field="address", limit=250)
    client_request_id = _text(client_request_id, field="client_request_id", limit=64)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": f"Można dołączyć najwyżej {MAX_PHOTOS} zdjęć."})
    from .photos import prepare

    prepared = [prepare(p) for p in photos]  # every photo checked before anything is stored
    if use_photo_position:
        exif = next((pos for _, pos in prepared if pos is not None), None)
        if exif is not None:
            point = exif
    if point is None:
        raise ValidationError({"position": "Wskaż miejsce problemu na mapie."})
    if point.srid != 2180:
        point = point.transform(2180, clone=True)

    gmina = routing.gmina_at(point)
    if gmina is None:
        raise RoutingError(routing.OUTSIDE_GMINAS)
    if client_request_id:
        existing = Report.objects.filter(gmina=gmina, client_request_id=client_request_id).first()
        if existing is not None:
            return _retried(
                existing, point=point, category=category, description=description, api_key=api_key
            )
    decision = routing.decide(point=point, category=category, register_object=register_object, gmina=gmina)
    if decision.outside:
        return Submitted(None, created=False, decision=decision)

    now = reported_at or timezone.now()
    year = timezone.localdate(now).year
    try:
        with transaction.atomic():
            sequence = _next_number(year)
            report = Report(
                number=f"ZG/{year}/{sequence:06d}",
                year=year,
                sequence=sequence,
                token=secrets.token_urlsafe(24),
                gmina=gmina,
                category=category,
                description=description,
                point=point,
                public_point=public_point_of(point, decision),
                address=address,
                reporter_name=reporter_name,
                reporter_email=reporter_email,
                reporter_phone=reporter_phone,
                register=register_object.register if register_object else "",
                register_item_id=register_object.item_id if register_object else None,
                register_label=register_object.label[:120] if register_object else "",
                responsible_unit=decision.unit,
                routing_reason=decision.reason,
                status=Status.NEW,
                status_changed_at=now,
                client_request_id=client_request_id,
                source=source,
                api_key=api_key,
            )
            report.full_clean(exclude=["number", "year", "sequence", "token", "reporter_email"])
            report.save()
            if reported_at is not None:  # created_at is set on insert to the present moment
                Report.objects.filter(pk=report.pk).update(created_at=now)
                report.created_at = now
    except IntegrityError:
        # The same client_request_id sent twice at once: the other request stored it.
        if client_request_id:
            existing = Report.objects.filter(gmina=gmina, client_request_id=client_request_id).first()
            if existing is not None:
                return _retried(
                    existing, point=point, category=category, description=description, api_key=api_key
                )
        raise
    for order, (clean, _) in enumerate(prepared):
        Photo.objects.create(report=report, image=clean, order=order)
    StatusChange.objects.create(
        report=report,
        kind=StatusChange.Kind.CREATED,
        actor=actor if actor is not None and actor.is_authenticated else None,
        status_after=Status.NEW,
        unit_after=decision.unit,
        category_after=category,
        public_note=decision.reason,
    )
    audit.record(actor=actor, action="create", obj=report, gmina=gmina, changes={"unit": decision.unit.pk})
    if decision.by_email:
        mail.on_commit_forward(report)
    mail.on_commit_status(report)
    return Submitted(report, created=True, decision=decision)


@transaction.atomic
def add_me_too(*, report: Report, email: str = "") -> Report:
    """Return the report with one more "me too" (only an open report takes one)."""
    email = _text(email, field="email", limit=254)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in OPEN_STATUSES:
        raise ValidationError("To zgłoszenie jest już zamknięte; wyślij nowe, jeśli problem wrócił.")
    MeToo.objects.create(report=report, email=email)
    report.me_too_count += 1
    report.save(update_fields=["me_too_count", "updated_at"])
    return report


def _require(actor, report: Report) -> None:
    if not selectors.can_work_on(actor, report):
        if actor is None or not actor.is_authenticated:
            raise PermissionDenied("Ta czynność wymaga zalogowania.")
        raise PermissionDenied("Nie masz uprawnień do tego zgłoszenia.")


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("gmina", "category", "responsible_unit")
        .get(pk=report.pk)
    )


@transaction.atomic
def change_status(
    *, actor, report: Report, status: str, public_note: str = "", internal_note: str = ""
) -> Report:
    """Return the report with its new status; the change is kept in its history, audited and
    mailed to the reporter."""
    _require(actor, report)
    report = _locked(report)
    if status not in Status.values:
        raise ValidationError({"status": "Nieznany status."})
    if status in (Status.DUPLICATE, Status.FORWARDED):
        raise ValidationError(
            {"status": "Duplikaty łączy się, a zgłoszenia przekazuje, osobnymi czynnościami."}
        )
    public_note = _text(public_note, field="public_note", limit=MAX_DESCRIPTION)
    internal_note = _text(internal_note, field="internal_note", limit=MAX_DESCRIPTION)
    before = report.status
    if before == status and not public_note and not internal_note:
        raise ValidationError({"status": "Zgłoszenie ma już ten status."})
    report.status = status
    report.status_changed_at = timezone.now()
    report.save(update_fields=["status", "status_changed_at", "updated_at"])
    StatusChange.objects.create(
        report=report,
        kind=StatusChange.Kind.STATUS,
        actor=actor,
        status_before=before,
        status_after=status,
        unit_before=report.responsible_unit,
        unit_after=report.responsible_unit,
        public_note=public_note,
        internal_note=internal_note,
    )
    audit.record(
        actor=actor, action="update", obj=report, gmina=report.gmina, changes={"status": [before, status]}
    )
    if before != status:
        mail.on_commit_status(report, note=public_note)
    return report


@transaction.atomic
def assign(*, actor, report: Report, assignee) -> Report:
    """Return the report assigned to a staff member of its gmina or unit (None: nobody)."""
    _require(actor, report)
    report = _locked(report)
    if assignee is not None:
        probe = get_user_model().objects.filter(pk=assignee.pk, is_active=True).first()
        if probe is None or not selectors.can_work_on(probe, report):
            raise ValidationError({"assignee": "Tej osobie nie można przydzielić zgłoszenia tej gminy."})
    before = report.assignee_id
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    StatusChange.objects.create(
        report=report,
        kind=StatusChange.Kind.ASSIGN,
        actor=actor,
        status_before=report.status,
        status_after=report.status,
        internal_note=f"Przydzielono: {assignee.get_username() if assignee else '—'}",
    )
    audit.record(
        actor=actor,
        action="update",
        obj=report,
        gmina=report.gmina,
        changes={"assignee": [before, report.assignee_id]},
    )
    return report


@transaction.atomic
def forward(
    *,
    actor,
    report: Report,
    unit: Unit | None = None,
    category: Category | None = None,
    public_note: str = "",
    internal_note: str = "",
) -> Report:
    """Return the report sent to another unit: the one named, or (no unit) the one the rules
    choose for its (new) category. The history keeps both units and both categories."""
    _require(actor, report)
    report = _locked(report)
    public_note = _text(public_note, field="public_note", limit=MAX_DESCRIPTION)
    internal_note = _text(internal_note, field="internal_note", limit=MAX_DESCRIPTION)
    if unit is None and category is None:
        raise ValidationError("Podaj jednostkę albo nową kategorię.")
    new_category = category or report.category
    if unit is not None:
        if unit.gmina_id not in (None, report.gmina_id):
            raise ValidationError({"unit": "Nie można przekazać zgłoszenia do jednostki innej gminy."})
        if unit.kind == Unit.Kind.CENTRAL:
            raise ValidationError({"unit": "Jednostka centralna nie przyjmuje zgłoszeń."})
        reason = f"Przekazano do: {unit.name}."
        by_email = unit.receives in (Unit.Receives.EMAIL, Unit.Receives.BOTH) and bool(unit.email)
        outside = unit.receives == Unit.Receives.NONE
    else:
        decision = routing.decide(
            point=report.point,
            category=new_category,
            gmina=report.gmina,
            register_object=_register_object_of(report),
        )
        unit, reason, by_email, outside = decision.unit, decision.reason, decision.by_email, decision.outside
    unit_before, category_before, status_before = report.responsible_unit, report.category, report.status
    report.responsible_unit = unit
    report.category = new_category
    report.routing_reason = reason
    kind = (
        StatusChange.Kind.FORWARD
        if category is None or category == category_before
        else StatusChange.Kind.RECATEGORISE
    )
    if outside:
        # The new body is outside SIP: the report is closed here as forwarded, with its contact.
        report.status = Status.FORWARDED
        report.status_changed_at = timezone.now()
    report.save()
    StatusChange.objects.create(
        report=report,
        kind=kind,
        actor=actor,
        status_before=status_before,
        status_after=report.status,
        unit_before=unit_before,
        unit_after=unit,
        category_before=category_before,
        category_after=new_category,
        public_note=public_note or reason,
        internal_note=internal_note,
    )
    audit.record(
        actor=actor,
        action="update",
        obj=report,
        gmina=report.gmina,
        changes={"unit": [unit_before.pk, unit.pk], "category": [category_before.pk, new_category.pk]},
    )
    if by_email:
        mail.on_commit_forward(report)
    if status_before != report.status:
        mail.on_commit_status(report, note=public_note or reason)
    return report


def _register_object_of(report: Report) -> RegisterObject | None:
    if not report.register or report.register_item_id is None:
        return None
    from .registers import register_object

    return register_object(report.register, report.register_item_id, gmina=report.gmina, user=None)


@transaction.atomic
def merge(*, actor, report: Report, into: Report, public_note: str = "", internal_note: str = "") -> Report:
    """Return `report` closed as a duplicate of `into` (same gmina); its "me too"s move over."""
    _require(actor, report)
    _require(actor, into)
    if report.pk == into.pk:
        raise ValidationError("Zgłoszenie nie może być duplikatem samego siebie.")
    report, into = _locked(report), _locked(into)
    if report.gmina_id != into.gmina_id:
        raise ValidationError("Można łączyć tylko zgłoszenia tej samej gminy.")
    if into.status == Status.DUPLICATE:
        raise ValidationError("Wskazane zgłoszenie samo jest duplikatem; wskaż zgłoszenie główne.")
    public_note = _text(public_note, field="public_note", limit=MAX_DESCRIPTION) or (
        f"To zgłoszenie dotyczy tego samego problemu co {into.number}; "
        "sprawa jest prowadzona pod tamtym numerem."
    )
    internal_note = _text(internal_note, field="internal_note", limit=MAX_DESCRIPTION)
    before = report.status
    report.status = Status.DUPLICATE
    report.duplicate_of = into
    report.status_changed_at = timezone.now()
    report.save()
    into.me_too_count += 1 + report.me_too_count
    into.save(update_fields=["me_too_count", "updated_at"])
    MeToo.objects.filter(report=report).update(report=into)
    StatusChange.objects.create(
        report=report,
        kind=StatusChange.Kind.MERGE,
        actor=actor,
        status_before=before,
        status_after=Status.DUPLICATE,
        unit_before=report.responsible_unit,
        unit_after=report.responsible_unit,
        public_note=public_note,
        internal_note=internal_note,
    )
    audit.record(
        actor=actor,
        action="update",
        obj=report,
        gmina=report.gmina,
        changes={"status": [before, "duplikat"], "duplicate_of": into.pk},
    )
    mail.on_commit_status(report, note=public_note)
    return report


def issue_key(*, name: str) -> tuple[Open311Key, str]:
    """Return a new Open311 key row and the key itself (shown once; only its hash is kept)."""
    from .open311.keys import new_key

    return new_key(name=name)
