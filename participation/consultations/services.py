"""Writes of consultations: a resident's response (validated against each question's kind),
one-time e-mail codes for verified residents, and the moderation of free-text answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from sip import audit, tenancy
from sip.geometry import POLAND_EXTENT_2180, STORAGE_SRID, GeometryError, check_in_poland

from ..models import Answer, Consultation, EmailCode, Question, Response

MAX_TEXT = 2000
CODE_TTL = dt.timedelta(minutes=30)
CODE_MAX_ATTEMPTS = 5
CODES_PER_HOUR = 3
MAX_VERTICES = 500

_GEOMETRY_TYPES = {
    Question.Geometry.POINT: {"Point"},
    Question.Geometry.LINE: {"LineString"},
    Question.Geometry.POLYGON: {"Polygon"},
    Question.Geometry.ANY: {"Point", "LineString", "Polygon"},
}


class NotOpen(Exception):
    """The consultation does not take answers today; the message (Polish) names its dates."""


class AlreadyAnswered(Exception):
    """A verified resident has already answered this consultation."""


class TooManyCodes(Exception):
    """Too many codes were asked for one address."""


@dataclass
class ParsedAnswer:
    question: Question
    choices: list[int]
    value: int | None
    text: str
    geom: GEOSGeometry | None


def _key(*parts) -> str:
    """A keyed hash (HMAC-SHA256 with the site's secret) of the parts: not reversible, not
    comparable between consultations."""
    message = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def normalised_email(email: str) -> str:
    return (email or "").strip().lower()


def require_open(consultation: Consultation, day: dt.date | None = None) -> None:
    """Raise NotOpen (with the consultation's dates) unless it takes answers on `day`."""
    state = consultation.state(day)
    if state == "planned":
        raise NotOpen(
            f"Konsultacja „{consultation.title}” jeszcze się nie rozpoczęła: odpowiedzi można "
            f"wysyłać {consultation.dates_label}"
        )
    if state == "closed":
        raise NotOpen(
            f"Konsultacja „{consultation.title}” jest zamknięta: odpowiedzi można było wysyłać "
            f"{consultation.dates_label}"
        )


def _fail(question: Question, message: str) -> ValidationError:
    return ValidationError(f"Pytanie {question.position} („{question.text[:60]}”): {message}")


def _int_list(question: Question, raw) -> list[int]:
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise _fail(question, "podaj numery odpowiedzi jako listę liczb (od 0).")
    count = len(question.option_list)
    if any(i < 0 or i >= count for i in raw):
        raise _fail(question, f"numery odpowiedzi muszą być od 0 do {count - 1}.")
    if len(set(raw)) != len(raw):
        raise _fail(question, "odpowiedzi powtarzają się.")
    return raw


def parse_geometry(question: Question, raw) -> GEOSGeometry:
    """A GeoJSON geometry in EPSG:4326, valid, of the question's kind, in Poland -> EPSG:2180."""
    if not isinstance(raw, dict):
        raise _fail(question, "zaznacz miejsce na mapie (geometria GeoJSON w EPSG:4326).")
    try:
        geom = GEOSGeometry(json.dumps(raw))
    except (GEOSException, GDALException, ValueError, TypeError):
        raise _fail(question, "nieprawidłowa geometria GeoJSON.") from None
    geom.srid = 4326
    allowed = _GEOMETRY_TYPES[question.geometry or Question.Geometry.ANY]
    if geom.geom_type not in allowed:
        names = {"Point": "punkt", "LineString": "linię", "Polygon": "wielokąt"}
        wanted = ", ".join(names[t] for t in sorted(allowed))
        raise _fail(question, f"oczekiwano geometrii: {wanted}.")
    if geom.empty:
        raise _fail(question, "pusta geometria.")
    if geom.num_points > MAX_VERTICES:
        raise _fail(question, f"geometria może mieć najwyżej {MAX_VERTICES} wierzchołków.")
    try:
        xmin, ymin, xmax, ymax = geom.extent
        check_in_poland(xmin, ymin, 4326)
        check_in_poland(xmax, ymax, 4326)
    except GeometryError as exc:
        raise _fail(question, str(exc)) from None
    if not geom.valid:
        raise _fail(question, f"nieprawidłowa geometria ({geom.valid_reason}).")
    stored = geom.transform(STORAGE_SRID, clone=True)
    if not POLAND_EXTENT_2180.contains(stored):
        raise _fail(question, "miejsce leży poza obszarem Polski.")
    return stored


def _text(question: Question, raw, *, label: str = "tekst") -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise _fail(question, f"{label} musi być napisem.")
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise _fail(question, f"{label} może mieć najwyżej {MAX_TEXT} znaków.")
    return text


def _is_empty(item: dict) -> bool:
    return all(item.get(k) in (None, "", []) for k in ("choices", "value", "text", "geometry"))


def parse_answer(question: Question, item: dict) -> ParsedAnswer:
    """Check one answer against its question's kind; return it parsed (ValidationError names the
    question)."""
    kind = question.kind
    extra = {"choices", "value", "text", "geometry"} - {
        Question.Kind.SINGLE: {"choices"},
        Question.Kind.MULTIPLE: {"choices"},
        Question.Kind.RANKING: {"choices"},
        Question.Kind.SCALE: {"value"},
        Question.Kind.TEXT: {"text"},
        Question.Kind.MAP: {"geometry", "text"},
    }[kind]
    if any(item.get(k) not in (None, "", []) for k in extra):
        raise _fail(
            question,
            f"to pytanie ({question.get_kind_display()}) nie przyjmuje pól: {', '.join(sorted(extra))}.",
        )
    choices, value, text, geom = [], None, "", None
    if kind == Question.Kind.SINGLE:
        choices = _int_list(question, item.get("choices"))
        if len(choices) != 1:
            raise _fail(question, "wybierz dokładnie jedną odpowiedź.")
    elif kind == Question.Kind.MULTIPLE:
        choices = _int_list(question, item.get("choices"))
        if not choices:
            raise _fail(question, "wybierz co najmniej jedną odpowiedź.")
        if question.max_choices and len(choices) > question.max_choices:
            raise _fail(question, f"można wybrać najwyżej {question.max_choices} odpowiedzi.")
    elif kind == Question.Kind.RANKING:
        choices = _int_list(question, item.get("choices"))
        if len(choices) != len(question.option_list):
            raise _fail(question, "ułóż wszystkie odpowiedzi w kolejności od najważniejszej.")
    elif kind == Question.Kind.SCALE:
        value = item.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise _fail(question, "ocena musi być liczbą całkowitą od 1 do 5.")
    elif kind == Question.Kind.TEXT:
        text = _text(question, item.get("text"))
        if not text:
            raise _fail(question, "wpisz odpowiedź.")
    else:
        geom = parse_geometry(question, item.get("geometry"))
        text = _text(question, item.get("text"), label="komentarz")
    return ParsedAnswer(question, choices, value, text, geom)


def parse_answers(consultation: Consultation, items) -> list[ParsedAnswer]:
    """Every answer checked against the survey; required questions must be answered."""
    if not isinstance(items, list):
        raise ValidationError("Odpowiedzi podaj jako listę „answers”.")
    questions = {q.pk: q for q in consultation.questions.all()}
    parsed: dict[int, ParsedAnswer] = {}
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError("Każda odpowiedź musi być obiektem z polem „question”.")
        qid = item.get("question")
        question = questions.get(qid) if isinstance(qid, int) and not isinstance(qid, bool) else None
        if question is None:
            raise ValidationError(f"Konsultacja nie ma pytania o numerze identyfikacyjnym {qid!r}.")
        if qid in parsed:
            raise _fail(question, "odpowiedź podano więcej niż raz.")
        if _is_empty(item):
            continue
        parsed[qid] = parse_answer(question, item)
    missing = [q for q in questions.values() if q.required and q.pk not in parsed]
    if missing:
        raise _fail(missing[0], "to pytanie jest wymagane.")
    if not parsed:
        raise ValidationError("Nie udzielono żadnej odpowiedzi.")
    return list(parsed.values())


def _check_code(consultation: Consultation, email: str, code: str) -> str:
    """Use up a valid code sent to the address; return the address's key."""
    email = normalised_email(email)
    if not email or not code:
        raise ValidationError(
            "Ta konsultacja jest tylko dla zweryfikowanych mieszkańców: podaj adres e-mail i kod, "
            "który na niego wysłaliśmy."
        )
    email_key = _key("email", consultation.pk, email)
    candidate = (
        EmailCode.objects.select_for_update()
        .filter(consultation=consultation, email_key=email_key, used=False, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if candidate is None:
        raise ValidationError("Kod wygasł albo nie został wysłany na ten adres; poproś o nowy kod.")
    if candidate.attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError("Za dużo błędnych prób; poproś o nowy kod.")
    if not hmac.compare_digest(candidate.code_hash, _key("code", candidate.pk, str(code).strip())):
        EmailCode.objects.filter(pk=candidate.pk).update(attempts=candidate.attempts + 1)
        raise ValidationError("Nieprawidłowy kod; sprawdź wiadomość e-mail i wpisz sześć cyfr.")
    candidate.used = True
    candidate.save(update_fields=["used"])
    return _key("respondent", consultation.pk, email)


def submit_response(
    *, consultation: Consultation, answers, email: str = "", code: str = "", day: dt.date | None = None
) -> Response:
    """Store a resident's answers (all or nothing); return the response."""
    require_open(consultation, day)
    parsed = parse_answers(consultation, answers)
    try:
        with transaction.atomic():
            respondent_key = ""
            if consultation.audience == Consultation.Audience.VERIFIED:
                respondent_key = _check_code(consultation, email, code)
            response = Response.objects.create(consultation=consultation, respondent_key=respondent_key)
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    question=a.question,
                    choices=a.choices,
                    value=a.value,
                    text=a.text,
                    geom=a.geom,
                )
                for a in parsed
            )
    except IntegrityError:
        raise AlreadyAnswered("Z tego adresu e-mail już odpowiedziano na tę konsultację.") from None
    return response


@transaction.atomic
def send_code(*, consultation: Consultation, email: str) -> None:
    """Send a one-time code (six digits, valid 30 minutes) to the address."""
    require_open(consultation)
    email = normalised_email(email)
    email_key = _key("email", consultation.pk, email)
    recent = EmailCode.objects.filter(
        consultation=consultation, email_key=email_key, created_at__gt=timezone.now() - dt.timedelta(hours=1)
    ).count()
    if recent >= CODES_PER_HOUR:
        raise TooManyCodes(
            "Wysłano już trzy kody na ten adres w ciągu godziny; sprawdź pocztę albo spróbuj później."
        )
    code = f"{secrets.randbelow(10**6):06d}"
    row = EmailCode.objects.create(
        consultation=consultation, email_key=email_key, code_hash="", expires_at=timezone.now() + CODE_TTL
    )
    row.code_hash = _key("code", row.pk, code)
    row.save(update_fields=["code_hash"])
    send_mail(
        subject=f"Kod do konsultacji: {consultation.title}"[:150],
        message=(
            f"Twój kod do konsultacji „{consultation.title}” ({consultation.gmina.name}): {code}\n"
            "Kod jest ważny 30 minut. Jeśli to nie Ty prosiłeś o kod, zignoruj tę wiadomość."
        ),
        from_email=None,
        recipient_list=[email],
    )


@transaction.atomic
def set_texts_approved(*, actor, answers, approved: bool) -> int:
    """Approve (or withdraw) free-text answers and comments for publication; return how many."""
    count = 0
    for answer in answers.select_related("response__consultation"):
        tenancy.require(actor, "participation.change_answer", answer.response.consultation.gmina_id)
        if answer.text_approved != approved:
            answer.text_approved = approved
            answer.save(update_fields=["text_approved"])
            audit.record(
                actor=actor,
                action="update",
                obj=answer,
                gmina=answer.response.consultation.gmina,
                changes={"text_approved": [not approved, approved]},
            )
            count += 1
    return count
