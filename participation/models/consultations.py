"""Consultations and geo-surveys (konsultacje społeczne, geoankiety): the survey, its questions,
the residents' responses and answers, and the e-mail codes of verified residents.

A response holds no name, address or e-mail: only, for consultations open to verified residents,
a keyed hash of the verified e-mail address (one response per address, enforced by the database).
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from sip.models import Gmina

STORAGE_SRID = 2180
PDF_MAX_BYTES = 20 * 1024 * 1024


def validate_pdf(upload) -> None:
    """Refuse a file that is not a PDF (by its first bytes, not its name) or is too large."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".pdf"):
        raise ValidationError("Załącznik musi być plikiem PDF (rozszerzenie .pdf).")
    if getattr(upload, "size", 0) > PDF_MAX_BYTES:
        raise ValidationError(f"Załącznik może mieć najwyżej {PDF_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        position = upload.tell()
        upload.seek(0)
        head = upload.read(1024)
        upload.seek(position)
    except (OSError, ValueError, AttributeError):
        return  # a stored file, checked when it was uploaded
    if b"%PDF-" not in head:
        raise ValidationError("Plik nie jest dokumentem PDF albo jest uszkodzony.")


class Consultation(models.Model):
    """A public consultation of one gmina with its survey, open between two dates (inclusive)."""

    class Audience(models.TextChoices):
        ANYONE = "anyone", "każdy"
        VERIFIED = "verified", "tylko zweryfikowani mieszkańcy (kod wysłany e-mailem)"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    title = models.CharField("tytuł", max_length=200)
    description = models.TextField("opis", blank=True)
    area = models.MultiPolygonField("obszar konsultacji", srid=STORAGE_SRID)
    opens_on = models.DateField("otwarta od")
    closes_on = models.DateField("otwarta do (włącznie)")
    audience = models.CharField("kto może odpowiadać", max_length=10, choices=Audience.choices)
    created_at = models.DateTimeField("utworzono", auto_now_add=True)

    class Meta:
        verbose_name = "konsultacja"
        verbose_name_plural = "konsultacje i geoankiety"
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                name="consultation_dates_ordered", condition=Q(closes_on__gte=F("opens_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "Data zamknięcia nie może być wcześniejsza niż otwarcia."})

    def state(self, day=None) -> str:
        """'planned', 'open' or 'closed' on `day` (the gmina's today by default)."""
        day = day or timezone.localdate()
        if day < self.opens_on:
            return "planned"
        return "open" if day <= self.closes_on else "closed"

    @property
    def dates_label(self) -> str:
        return f"od {self.opens_on:%d.%m.%Y} r. do {self.closes_on:%d.%m.%Y} r."


class Attachment(models.Model):
    """A public document of a consultation (PDF), e.g. the concept of an investment."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="konsultacja", related_name="attachments", on_delete=models.CASCADE
    )
    title = models.CharField("tytuł", max_length=200)
    file = models.FileField("plik PDF", upload_to="participation/consultations/", validators=[validate_pdf])

    class Meta:
        verbose_name = "załącznik"
        verbose_name_plural = "załączniki (PDF)"
        ordering = ["consultation", "title"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question of the survey; `options` (one per line) for choice and ranking questions."""

    class Kind(models.TextChoices):
        SINGLE = "single", "jednokrotny wybór"
        MULTIPLE = "multiple", "wielokrotny wybór"
        SCALE = "scale", "skala 1–5"
        TEXT = "text", "odpowiedź opisowa"
        RANKING = "ranking", "ranking (ułóż od najważniejszego)"
        MAP = "map", "pytanie mapowe"

    class Geometry(models.TextChoices):
        POINT = "point", "punkt"
        LINE = "line", "linia"
        POLYGON = "polygon", "wielokąt"
        ANY = "any", "punkt, linia lub wielokąt"

    consultation = models.ForeignKey(
        Consultation, verbose_name="konsultacja", related_name="questions", on_delete=models.CASCADE
    )
    position = models.PositiveSmallIntegerField("kolejność", default=1)
    kind = models.CharField("rodzaj", max_length=10, choices=Kind.choices)
    text = models.CharField("treść pytania", max_length=500)
    help_text = models.CharField("wskazówka", max_length=300, blank=True)
    required = models.BooleanField("wymagane", default=False)
    options = models.TextField(
        "odpowiedzi do wyboru", blank=True, help_text="jedna w wierszu (pytania wyboru i ranking)"
    )
    max_choices = models.PositiveSmallIntegerField(
        "najwięcej wyborów", null=True, blank=True, help_text="tylko wielokrotny wybór; puste: bez limitu"
    )
    geometry = models.CharField(
        "rodzaj geometrii", max_length=8, choices=Geometry.choices, default=Geometry.POINT, blank=True
    )

    class Meta:
        verbose_name = "pytanie"
        verbose_name_plural = "pytania"
        ordering = ["consultation", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self):
        needs_options = self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.RANKING)
        if needs_options and len(self.option_list) < 2:
            raise ValidationError({"options": "Podaj co najmniej dwie odpowiedzi, każdą w osobnym wierszu."})
        if not needs_options and self.option_list:
            raise ValidationError({"options": "To pytanie nie ma odpowiedzi do wyboru."})
        if len(set(self.option_list)) != len(self.option_list):
            raise ValidationError({"options": "Odpowiedzi do wyboru powtarzają się."})
        if self.kind == self.Kind.MAP and not self.geometry:
            raise ValidationError({"geometry": "Wybierz rodzaj geometrii pytania mapowego."})


class Response(models.Model):
    """One resident's filled-in survey. No personal data: for verified consultations only a keyed
    hash of the verified e-mail address, so that one address answers once."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="konsultacja", related_name="responses", on_delete=models.CASCADE
    )
    submitted_at = models.DateTimeField("wysłano", default=timezone.now)
    respondent_key = models.CharField("klucz respondenta (HMAC)", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "odpowiedź na ankietę"
        verbose_name_plural = "odpowiedzi na ankiety"
        ordering = ["consultation", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "respondent_key"],
                condition=~Q(respondent_key=""),
                name="consultation_one_response_per_verified_resident",
            )
        ]

    def __str__(self) -> str:
        return f"Odpowiedź nr {self.pk} ({self.consultation})"


class Answer(models.Model):
    """The answer to one question: choices (option indexes; for a ranking, in order), a scale
    value, a text (published only once approved), or a geometry with a comment."""

    response = models.ForeignKey(
        Response, verbose_name="odpowiedź", related_name="answers", on_delete=models.CASCADE
    )
    question = models.ForeignKey(
        Question, verbose_name="pytanie", related_name="answers", on_delete=models.CASCADE
    )
    choices = models.JSONField("wybrane odpowiedzi (numery)", default=list, blank=True)
    value = models.PositiveSmallIntegerField("wartość na skali", null=True, blank=True)
    text = models.TextField("tekst lub komentarz", blank=True)
    text_approved = models.BooleanField("tekst zatwierdzony do publikacji", default=False)
    geom = models.GeometryField("geometria", srid=STORAGE_SRID, null=True, blank=True)

    class Meta:
        verbose_name = "odpowiedź na pytanie"
        verbose_name_plural = "odpowiedzi na pytania (moderacja tekstów)"
        ordering = ["question", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                name="answer_scale_1_to_5", condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.text[:60]} – odpowiedź nr {self.response_id}"


class EmailCode(models.Model):
    """A one-time code sent to an e-mail address to verify a resident for one consultation.
    Keeps only keyed hashes of the address and of the code."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="email_codes")
    email_key = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = "kod weryfikacyjny"
        verbose_name_plural = "kody weryfikacyjne"
        indexes = [models.Index(fields=["consultation", "email_key"], name="emailcode_lookup")]


__all__ = ["Answer", "Attachment", "Consultation", "EmailCode", "Question", "Response"]
