"""Writes of the participatory budget: casting a ballot (online or paper), codes for declarations,
verifying projects, resealing ballots after the close.

A ballot is cast in three stages. Checks that need no person (window, voting rule, the form of a
PESEL) come first and do not count as failed verifications. Then the person is verified (register,
declaration with an e-mail code, or staff entering a paper ballot); each failure is recorded for
the rate limits in its own short transaction, so that it survives the refusal. Finally the mark
that the person voted and the secret ballot are stored in one transaction: the unique constraint
on (edition, key) lets exactly one of two simultaneous ballots of a person through.
"""

from __future__ import annotations

import datetime
import random
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from sip import audit, tenancy
from sip.models import AuditLog

from ..models import (
    Ballot,
    BudgetEdition,
    BudgetProject,
    OneTimeCode,
    RegisteredResident,
    VerificationFailure,
    VoterMark,
)
from . import pesel as pesel_rules
from . import selectors, voterkeys

ADULT_AGE = 18
# Failed verifications allowed per caller address and per person in FAILURE_WINDOW.
MAX_FAILURES_PER_CLIENT = 20
MAX_FAILURES_PER_PERSON = 5
FAILURE_WINDOW = datetime.timedelta(minutes=15)
# E-mail codes: how long one is valid, how many wrong tries it takes, how many are sent.
CODE_VALID_FOR = datetime.timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
MAX_CODES_PER_PERSON = 3

NOT_IN_REGISTER = (
    "Nie udało się potwierdzić prawa do głosowania: sprawdź numer PESEL oraz imię i nazwisko "
    "(pisownia jak w dowodzie osobistym, bez skrótów). Jeśli dane są poprawne, a mieszkasz w gminie, "
    "skontaktuj się z urzędem."
)
ALREADY_VOTED = (
    "Ta osoba oddała już głos w tej edycji budżetu obywatelskiego (przez internet albo na karcie papierowej)."
)


class BallotRefused(Exception):
    """A ballot (or a code request) refused; `message` says what to correct, `status` the HTTP code."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CodeSent:
    """The answer to a declaration without a code: a code went to the e-mail address."""

    message: str


# ---------------------------------------------------------------------------------------------
# Checks that need no person


def check_window(edition: BudgetEdition, now: datetime.datetime) -> None:
    if now < edition.voting_start:
        start = timezone.localtime(edition.voting_start)
        raise BallotRefused(f"Głosowanie jeszcze się nie rozpoczęło: rusza {start:%d.%m.%Y o %H:%M}.")
    if now >= edition.voting_end:
        end = timezone.localtime(edition.voting_end)
        raise BallotRefused(f"Głosowanie zakończyło się {end:%d.%m.%Y o %H:%M}; głosów już nie przyjmujemy.")


def _zl(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " zł"


def check_choice(edition: BudgetEdition, project_ids: list[int]) -> list[BudgetProject]:
    """The chosen projects, or BallotRefused saying which rule of the edition the choice breaks."""
    if not project_ids:
        raise BallotRefused("Wybierz co najmniej jeden projekt.")
    if len(set(project_ids)) != len(project_ids):
        raise BallotRefused("Każdy projekt można wybrać tylko raz.")
    projects = list(selectors.ballot_projects(edition).filter(pk__in=project_ids))
    if len(projects) != len(project_ids):
        found = {p.pk for p in projects}
        missing = ", ".join(str(i) for i in project_ids if i not in found)
        raise BallotRefused(f"Projektów o numerach {missing} nie ma na karcie tej edycji.")
    if edition.rule == BudgetEdition.Rule.APPROVAL:
        if len(projects) > edition.max_projects:
            raise BallotRefused(
                f"Można wybrać najwyżej {edition.max_projects} projekty; wybrano {len(projects)}. "
                "Odznacz nadmiarowe."
            )
    else:
        for pool, label, chosen in selectors.pools_of(edition, projects):
            total = sum((p.cost for p in chosen), Decimal(0))
            if total > pool:
                raise BallotRefused(
                    f"Suma kosztów wybranych projektów ({label}) wynosi {_zl(total)} i przekracza pulę "
                    f"{_zl(pool)}. Odznacz któryś z projektów."
                )
    return projects


def check_age(edition: BudgetEdition, born: datetime.date | None, parent_consent: bool, today) -> None:
    if born is None or pesel_rules.age_on(born, today) >= ADULT_AGE:
        return
    if not edition.minors_allowed:
        raise BallotRefused("W tej edycji głosować mogą tylko osoby pełnoletnie.")
    if not parent_consent:
        raise BallotRefused(
            "Osoba niepełnoletnia głosuje za zgodą rodzica lub opiekuna prawnego: zaznacz zgodę rodzica."
        )


# ---------------------------------------------------------------------------------------------
# Rate limits


def _buckets(secret: bytes, client: str | None, person_key: str | None) -> list[str]:
    buckets = []
    if client:
        buckets.append("c:" + voterkeys.keyed(secret, "ip", client)[:62])
    if person_key:
        buckets.append("p:" + person_key[:62])
    return buckets


def check_rate(edition: BudgetEdition, buckets: list[str], now) -> None:
    counts = dict(
        VerificationFailure.objects.filter(edition=edition, bucket__in=buckets, at__gte=now - FAILURE_WINDOW)
        .values_list("bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    for bucket, n in counts.items():
        limit = MAX_FAILURES_PER_CLIENT if bucket.startswith("c:") else MAX_FAILURES_PER_PERSON
        if n >= limit:
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            raise BallotRefused(
                f"Zbyt wiele nieudanych prób potwierdzenia danych. Spróbuj ponownie za {minutes} minut.",
                status=429,
            )


def _record_failure(edition: BudgetEdition, buckets: list[str]) -> None:
    # Its own transaction (autocommit outside any atomic block): the refusal must not roll it back.
    VerificationFailure.objects.bulk_create([VerificationFailure(edition=edition, bucket=b) for b in buckets])


# ---------------------------------------------------------------------------------------------
# Verification of the person


def _text(fields: dict, name: str, label: str, max_length: int = 150) -> str:
    value = " ".join(str(fields.get(name) or "").split())
    if not value:
        raise BallotRefused(f"Podaj {label}.")
    if len(value) > max_length:
        raise BallotRefused(f"Pole „{label}” jest za długie (najwyżej {max_length} znaków).")
    return value


def _register_person(edition, secret, fields) -> tuple[str, datetime.date | None, callable]:
    """The key and birth date of a person named by identifier + names, and a check against the
    register (run after the rate limit is known to allow it)."""
    first = _text(fields, "first_name", "imię", 100)
    last = _text(fields, "last_name", "nazwisko", 150)
    if edition.identifier_kind == BudgetEdition.IdentifierKind.PESEL:
        try:
            number, born = pesel_rules.validate(str(fields.get("pesel") or ""))
        except pesel_rules.PeselError as exc:
            raise BallotRefused(str(exc)) from None
    else:
        number = voterkeys.normalise_identifier(_text(fields, "identifier", "identyfikator mieszkańca", 40))
        born = None
    key = voterkeys.identifier_key(secret, number)

    def verify() -> datetime.date | None:
        entry = (
            RegisteredResident.objects.filter(edition=edition, key=key)
            .values("first_name", "last_name", "birth_date")
            .first()
        )
        # One message whether the identifier is absent or the names differ: the answer must not
        # tell anyone whether a given PESEL is in the register.
        if (
            entry is None
            or entry["first_name"] != voterkeys.normalise_name(first)
            or entry["last_name"] != voterkeys.normalise_name(last)
        ):
            raise BallotRefused(NOT_IN_REGISTER)
        return born or entry["birth_date"]

    return key, born, verify


def _declared_person(edition, secret, fields) -> tuple[str, datetime.date]:
    first = _text(fields, "first_name", "imię", 100)
    last = _text(fields, "last_name", "nazwisko", 150)
    address = _text(fields, "address", "adres zamieszkania w gminie", 250)
    born = fields.get("birth_date")
    if not isinstance(born, datetime.date):
        raise BallotRefused("Podaj datę urodzenia (RRRR-MM-DD).")
    return voterkeys.declaration_key(secret, first, last, address), born


def _email(fields) -> str:
    email = _text(fields, "email", "adres e-mail", 254).lower()
    if "@" not in email:
        raise BallotRefused("Podaj poprawny adres e-mail, na który wyślemy kod.")
    return email


# ---------------------------------------------------------------------------------------------
# Casting


@transaction.atomic
def _store(
    edition: BudgetEdition, key: str, projects: list[BudgetProject], channel: str, code=None
) -> Ballot:
    """Store the mark and the ballot together; 409 if the person's mark is already there."""
    # INSERT .. ON CONFLICT DO NOTHING: the unique constraint decides, and a refused mark costs
    # no savepoint (one round trip less on every ballot).
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {VoterMark._meta.db_table} (id, edition_id, key) VALUES (%s, %s, %s) "
            "ON CONFLICT (edition_id, key) DO NOTHING RETURNING id",
            [uuid.uuid4(), edition.pk, key],
        )
        if cur.fetchone() is None:
            raise BallotRefused(ALREADY_VOTED, status=409)
    if code is not None:
        OneTimeCode.objects.filter(pk=code.pk).update(used=True)
    return Ballot.objects.create(edition=edition, projects=sorted(p.pk for p in projects), channel=channel)


def cast_ballot(
    *,
    edition: BudgetEdition,
    project_ids: list[int],
    fields: dict,
    client: str | None = None,
    now: datetime.datetime | None = None,
) -> Ballot | CodeSent:
    """Cast a resident's online ballot; return the Ballot, or CodeSent when a declaration still
    needs the e-mail code. Raises BallotRefused (400, 409, 429) with a Polish message."""
    now = now or timezone.now()
    check_window(edition, now)
    if edition.verification == BudgetEdition.Verification.PAPER:
        raise BallotRefused(
            "W tej edycji głosuje się na kartach papierowych w urzędzie i punktach do głosowania; "
            "głosowanie przez internet jest wyłączone.",
            status=403,
        )
    projects = check_choice(edition, project_ids)
    secret = voterkeys.gmina_secret(edition.gmina_id)
    parent_consent = bool(fields.get("parent_consent"))
    today = timezone.localdate(now)

    if edition.verification == BudgetEdition.Verification.REGISTER:
        key, born, verify = _register_person(edition, secret, fields)
        check_age(edition, born, parent_consent, today)
        buckets = _buckets(secret, client, key)
        check_rate(edition, buckets, now)
        try:
            born = verify()
        except BallotRefused:
            _record_failure(edition, buckets)
            raise
        check_age(edition, born, parent_consent, today)
        return _store(edition, key, projects, Ballot.Channel.ONLINE)

    key, born = _declared_person(edition, secret, fields)
    check_age(edition, born, parent_consent, today)
    email = _email(fields)
    email_key = voterkeys.keyed(secret, "email", email)
    buckets = _buckets(secret, client, key)
    check_rate(edition, buckets, now)
    code_text = "".join(str(fields.get("code") or "").split())
    if not code_text:
        return _send_code(edition, secret, key, email_key, email, now, buckets)
    code = (
        OneTimeCode.objects.filter(
            edition=edition, key=key, email_key=email_key, used=False, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )
    if code is None or code.attempts >= CODE_MAX_ATTEMPTS:
        _record_failure(edition, buckets)
        raise BallotRefused(
            "Kod wygasł albo wpisano go zbyt wiele razy błędnie. Wyślij formularz bez kodu, "
            "a prześlemy nowy kod na ten sam adres e-mail."
        )
    if not secrets.compare_digest(code.code_hash, voterkeys.keyed(secret, "code", code_text)):
        OneTimeCode.objects.filter(pk=code.pk).update(attempts=code.attempts + 1)
        _record_failure(edition, buckets)
        raise BallotRefused("Kod z e-maila się nie zgadza; sprawdź go (6 cyfr) i wpisz ponownie.")
    return _store(edition, key, projects, Ballot.Channel.ONLINE, code=code)


def _send_code(edition, secret, key, email_key, email, now, buckets) -> CodeSent:
    recent = OneTimeCode.objects.filter(edition=edition, key=key, expires_at__gt=now - FAILURE_WINDOW).count()
    if recent >= MAX_CODES_PER_PERSON:
        raise BallotRefused(
            "Wysłaliśmy już kilka kodów dla tej deklaracji. Sprawdź skrzynkę (także folder spam) "
            "albo spróbuj ponownie za kwadrans.",
            status=429,
        )
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        edition=edition,
        key=key,
        email_key=email_key,
        code_hash=voterkeys.keyed(secret, "code", code),
        expires_at=now + CODE_VALID_FOR,
    )
    minutes = int(CODE_VALID_FOR.total_seconds() // 60)
    send_mail(
        subject=f"Kod do głosowania: {edition.title}",
        message=(
            f"Twój kod do głosowania w budżecie obywatelskim ({edition.title}): {code}\n\n"
            f"Kod jest ważny {minutes} minut. Jeśli to nie Ty wypełniasz deklarację, zignoruj tę wiadomość."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
    return CodeSent(
        f"Wysłaliśmy 6-cyfrowy kod na podany adres e-mail; wpisz go, aby oddać głos ({minutes} min)."
    )


def enter_paper_ballot(
    *, actor, edition: BudgetEdition, project_ids: list[int], fields: dict, now=None
) -> Ballot:
    """Store a paper ballot entered by staff of the edition's gmina; it blocks the person's online
    ballot and the reverse. The person is verified against the register (method a) or by the
    declaration on the card (names, address and birth date)."""
    tenancy.require(actor, "participation.add_ballot", edition.gmina_id)
    now = now or timezone.now()
    check_window(edition, now)
    projects = check_choice(edition, project_ids)
    secret = voterkeys.gmina_secret(edition.gmina_id)
    today = timezone.localdate(now)
    consent = bool(fields.get("parent_consent"))
    if edition.verification == BudgetEdition.Verification.REGISTER:
        key, born, verify = _register_person(edition, secret, fields)
        born = verify()
    else:
        key, born = _declared_person(edition, secret, fields)
    check_age(edition, born, consent, today)
    ballot = _store(edition, key, projects, Ballot.Channel.PAPER)
    # The audit entry names the edition, never the ballot or the person.
    audit.record(
        actor=actor,
        action=AuditLog.Action.CREATE,
        obj=edition,
        gmina=edition.gmina,
        changes={"karta papierowa": 1},
    )
    return ballot


# ---------------------------------------------------------------------------------------------
# Staff work on projects, and the close


@transaction.atomic
def review_project(*, actor, project: BudgetProject, status: str, reason: str = "") -> BudgetProject:
    """Mark a project verified or rejected (with a reason) and return it."""
    tenancy.require(actor, "participation.change_budgetproject", project.gmina_id)
    if status not in (BudgetProject.Status.VERIFIED, BudgetProject.Status.REJECTED):
        raise BallotRefused("Projekt można zweryfikować pozytywnie albo odrzucić.")
    reason = (reason or "").strip()
    if status == BudgetProject.Status.REJECTED and not reason:
        raise BallotRefused("Podaj powód odrzucenia projektu.")
    if timezone.now() >= project.edition.voting_start:
        raise BallotRefused("Głosowanie już trwa albo się zakończyło: statusu projektu nie można zmienić.")
    before = {"status": project.status, "rejection_reason": project.rejection_reason}
    project.status = status
    project.rejection_reason = reason if status == BudgetProject.Status.REJECTED else ""
    project.save()
    after = {"status": project.status, "rejection_reason": project.rejection_reason}
    audit.record(
        actor=actor,
        action=AuditLog.Action.UPDATE,
        obj=project,
        gmina=project.gmina,
        changes=audit.diff(before, after),
    )
    return project


def reseal_ballots(*, edition: BudgetEdition) -> bool:
    """After the close, rewrite the edition's ballots in random order with new keys in a new
    transaction, so that no database trace (transaction id, physical order) pairs a ballot with
    the mark written beside it. Return whether it ran (once per edition)."""
    if edition.resealed or timezone.now() < edition.voting_end:
        return False
    with transaction.atomic():
        locked = BudgetEdition.objects.select_for_update().get(pk=edition.pk)
        if locked.resealed:
            return False
        rows = list(Ballot.objects.filter(edition=edition).values_list("projects", "channel"))
        random.SystemRandom().shuffle(rows)
        Ballot.objects.filter(edition=edition).delete()
        Ballot.objects.bulk_create(
            [Ballot(edition=edition, projects=p, channel=c) for p, c in rows], batch_size=5000
        )
        BudgetEdition.objects.filter(pk=edition.pk).update(resealed=True)
    edition.resealed = True
    return True
