"""Participatory budget (budżet obywatelski): editions, districts, projects, the resident register,
the record that a person voted and the secret ballots.

Ballot secrecy is kept by the shape of the tables, not by a promise:
- VoterMark says that a person (a keyed hash of the normalised identifier) voted in an edition;
  it holds no choice, no channel and no time.
- Ballot holds the choice and the channel only: no key, no foreign key to a person or a mark, no
  time, and a random UUID as its key (a sequence would number marks and ballots in the same order).
- Both are written in one transaction (so that one vote is never stored without the other), which
  leaves the same transaction id (xmin) on both rows in PostgreSQL; services.reseal_ballots()
  rewrites the ballots in random order in a new transaction to break that (run at the close).
"""

from __future__ import annotations

import secrets
import uuid

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db.models import Q

from sip.images import SanitizedImageField
from sip.models import STORAGE_SRID, Gmina

__all__ = [
    "BudgetDistrict",
    "BudgetEdition",
    "BudgetProject",
    "BudgetProjectPhoto",
    "Ballot",
    "GminaVoterSecret",
    "OneTimeCode",
    "RegisteredResident",
    "VerificationFailure",
    "VoterMark",
]

KEY_LENGTH = 64  # hex of HMAC-SHA256


class GminaVoterSecret(models.Model):
    """The per-gmina HMAC secret of voter keys: generated once, never shown in any output."""

    gmina = models.OneToOneField(Gmina, verbose_name="gmina", on_delete=models.CASCADE, related_name="+")
    secret = models.CharField("sekret", max_length=128, editable=False, default="")

    class Meta:
        verbose_name = "sekret kluczy głosujących"
        verbose_name_plural = "sekrety kluczy głosujących"

    def save(self, *args, **kwargs):
        if not self.secret:
            self.secret = secrets.token_hex(32)
        super().save(*args, **kwargs)

    def __str__(self) -> str:  # never the secret itself
        return f"sekret gminy {self.gmina_id}"


class BudgetEdition(models.Model):
    """One yearly edition of a gmina's participatory budget, with its rules from the resolution."""

    class Rule(models.TextChoices):
        APPROVAL = "approval", "najwyżej N projektów"
        KNAPSACK = "knapsack", "suma kosztów nie większa niż pula"

    class Verification(models.TextChoices):
        REGISTER = "register", "rejestr mieszkańców (identyfikator + imię i nazwisko)"
        DECLARATION = "declaration", "deklaracja zamieszkania potwierdzona kodem z e-maila"
        PAPER = "paper", "tylko karty papierowe wprowadzane przez urząd"

    class IdentifierKind(models.TextChoices):
        PESEL = "pesel", "PESEL"
        OTHER = "other", "inny identyfikator (np. numer karty mieszkańca)"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    title = models.CharField("nazwa edycji", max_length=200)
    year = models.PositiveSmallIntegerField("rok budżetu")
    pool = models.DecimalField(
        "pula [zł]", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rule = models.CharField("zasada głosowania", max_length=10, choices=Rule.choices)
    max_projects = models.PositiveSmallIntegerField(
        "najwyżej projektów na karcie",
        null=True,
        blank=True,
        help_text="przy zasadzie „najwyżej N projektów”",
    )
    verification = models.CharField("weryfikacja głosujących", max_length=12, choices=Verification.choices)
    identifier_kind = models.CharField(
        "identyfikator w rejestrze", max_length=6, choices=IdentifierKind.choices, default="pesel"
    )
    minors_allowed = models.BooleanField("głosują niepełnoletni (za zgodą rodzica)", default=False)
    submission_start = models.DateTimeField("zgłaszanie projektów od")
    submission_end = models.DateTimeField("zgłaszanie projektów do")
    voting_start = models.DateTimeField("głosowanie od")
    voting_end = models.DateTimeField("głosowanie do")
    resealed = models.BooleanField("karty przetasowane po zamknięciu", default=False, editable=False)

    class Meta:
        verbose_name = "edycja budżetu obywatelskiego"
        verbose_name_plural = "edycje budżetu obywatelskiego"
        ordering = ["-year", "gmina__name", "id"]
        constraints = [
            models.CheckConstraint(
                name="budget_dates_in_order",
                condition=Q(submission_start__lte=models.F("submission_end"))
                & Q(submission_end__lte=models.F("voting_start"))
                & Q(voting_start__lt=models.F("voting_end")),
                violation_error_message="Daty etapów muszą iść po kolei: zgłaszanie, weryfikacja, głosowanie.",  # noqa: E501
            ),
            models.CheckConstraint(
                name="budget_approval_has_max",
                condition=~Q(rule="approval") | Q(max_projects__gte=1),
                violation_error_message="Przy zasadzie „najwyżej N projektów” podaj N (co najmniej 1).",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetDistrict(models.Model):
    """An osiedle or sołectwo with its own pool; its projects compete only for that pool."""

    class Kind(models.TextChoices):
        OSIEDLE = "osiedle", "osiedle"
        SOLECTWO = "solectwo", "sołectwo"

    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="districts"
    )
    name = models.CharField("nazwa", max_length=120)
    kind = models.CharField("rodzaj", max_length=10, choices=Kind.choices, default="osiedle")
    pool = models.DecimalField(
        "pula [zł]", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    area = models.MultiPolygonField("obszar", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "okręg budżetu (osiedle, sołectwo)"
        verbose_name_plural = "okręgi budżetu"
        ordering = ["edition", "name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="budget_district_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetProject(models.Model):
    """A project submitted to an edition; only verified ones are on the ballot and the map."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "zgłoszony"
        VERIFIED = "verified", "zweryfikowany pozytywnie"
        REJECTED = "rejected", "odrzucony"

    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="projects"
    )
    # The edition's gmina, kept on the row for the layer registry and tenancy (sip checks that it
    # equals the edition's gmina before every save).
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    district = models.ForeignKey(
        BudgetDistrict,
        verbose_name="okręg",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="puste: projekt ogólnomiejski (ogólnogminny)",
    )
    title = models.CharField("tytuł", max_length=200)
    description = models.TextField("opis", blank=True)
    cost = models.DecimalField(
        "koszt [zł]", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    location = models.PointField("miejsce", srid=STORAGE_SRID)
    area = models.MultiPolygonField("obszar", srid=STORAGE_SRID, null=True, blank=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default="submitted")
    rejection_reason = models.TextField("powód odrzucenia", blank=True)
    is_public = models.BooleanField(
        "na karcie i mapie", default=False, editable=False, help_text="zweryfikowany pozytywnie"
    )

    class Meta:
        verbose_name = "projekt budżetu obywatelskiego"
        verbose_name_plural = "projekty budżetu obywatelskiego"
        ordering = ["edition", "district__name", "title", "id"]
        constraints = [
            models.CheckConstraint(
                name="budget_project_rejection_has_reason",
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                violation_error_message="Podaj powód odrzucenia projektu.",
            ),
            models.CheckConstraint(
                name="budget_project_public_iff_verified",
                condition=Q(is_public=True, status="verified") | (Q(is_public=False) & ~Q(status="verified")),
            ),
        ]

    def save(self, *args, **kwargs):
        # One rule: a project is on the ballot and the map exactly when it is verified.
        self.is_public = self.status == self.Status.VERIFIED
        if self.edition_id and not self.gmina_id:
            self.gmina_id = self.edition.gmina_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.title


class BudgetProjectPhoto(models.Model):
    project = models.ForeignKey(
        BudgetProject, verbose_name="projekt", on_delete=models.CASCADE, related_name="photos"
    )
    image = SanitizedImageField("zdjęcie", upload_to="budget/projects/")
    caption = models.CharField("podpis", max_length=200, blank=True)

    class Meta:
        verbose_name = "zdjęcie projektu"
        verbose_name_plural = "zdjęcia projektów"

    def __str__(self) -> str:
        return self.caption or f"zdjęcie {self.pk}"


class RegisteredResident(models.Model):
    """One resident in the register imported for an edition. The identifier is kept only as a
    keyed hash (HMAC with the gmina's secret); names are kept folded for the comparison."""

    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="residents"
    )
    key = models.CharField("klucz (HMAC identyfikatora)", max_length=KEY_LENGTH)
    first_name = models.CharField("imię (znormalizowane)", max_length=100)
    last_name = models.CharField("nazwisko (znormalizowane)", max_length=150)
    address = models.CharField("adres (znormalizowany)", max_length=250, blank=True)
    birth_date = models.DateField("data urodzenia", null=True, blank=True)

    class Meta:
        verbose_name = "mieszkaniec w rejestrze"
        verbose_name_plural = "rejestr mieszkańców"
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="budget_resident_key_unique"),
        ]

    def __str__(self) -> str:
        return f"mieszkaniec {self.pk}"


class VoterMark(models.Model):
    """That a person voted in an edition — and nothing else: no choice, no channel, no time. The
    unique constraint is what makes one vote per person hold under concurrency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("klucz (HMAC identyfikatora)", max_length=KEY_LENGTH)

    class Meta:
        verbose_name = "znacznik oddania głosu"
        verbose_name_plural = "znaczniki oddania głosu"
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="budget_one_vote_per_person"),
        ]

    def __str__(self) -> str:
        return "głos oddany"


class Ballot(models.Model):
    """A secret ballot: the chosen projects and the channel, nothing about the person."""

    class Channel(models.TextChoices):
        ONLINE = "online", "przez internet"
        PAPER = "paper", "karta papierowa"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="+"
    )
    projects = ArrayField(models.BigIntegerField(), verbose_name="wybrane projekty")
    channel = models.CharField("sposób oddania", max_length=6, choices=Channel.choices)

    class Meta:
        verbose_name = "karta do głosowania"
        verbose_name_plural = "karty do głosowania"
        indexes = [models.Index(fields=["edition"], name="budget_ballot_edition")]

    def __str__(self) -> str:
        return "karta"


class OneTimeCode(models.Model):
    """A code sent by e-mail to confirm a declaration of residence (method b). Only keyed hashes
    of the person, the e-mail address and the code are kept."""

    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("klucz osoby", max_length=KEY_LENGTH)
    email_key = models.CharField("klucz adresu e-mail", max_length=KEY_LENGTH)
    code_hash = models.CharField("skrót kodu", max_length=KEY_LENGTH)
    expires_at = models.DateTimeField("ważny do")
    attempts = models.PositiveSmallIntegerField("nieudane próby", default=0)
    used = models.BooleanField("wykorzystany", default=False)

    class Meta:
        verbose_name = "kod jednorazowy"
        verbose_name_plural = "kody jednorazowe"
        indexes = [models.Index(fields=["edition", "key"], name="budget_code_person")]


class VerificationFailure(models.Model):
    """A failed verification, counted for rate limits: per caller (keyed hash of the address) and
    per person (keyed hash of the identifier given, whether or not it is in the register)."""

    edition = models.ForeignKey(
        BudgetEdition, verbose_name="edycja", on_delete=models.CASCADE, related_name="+"
    )
    bucket = models.CharField("klucz licznika", max_length=KEY_LENGTH + 2)
    at = models.DateTimeField("kiedy", auto_now_add=True)

    class Meta:
        verbose_name = "nieudana weryfikacja"
        verbose_name_plural = "nieudane weryfikacje"
        indexes = [models.Index(fields=["edition", "bucket", "at"], name="budget_failure_bucket")]
