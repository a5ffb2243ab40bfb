"""Comments on a draft plan (uwagi do projektu planu) submitted during its public inspection
(wyłożenie do publicznego wglądu), and the planner's decision on each.

The commenter's name, address and e-mail are personal data: only staff of the gmina see them.
Public outputs use the generalised place (obręb, a point rounded to 100 m) and the decision.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from sip.models import Gmina

STORAGE_SRID = 2180


class PlanInspection(models.Model):
    """A draft plan laid out for public inspection between two dates (inclusive)."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    plan = models.ForeignKey(
        "planning.Plan", verbose_name="projekt planu", related_name="inspections", on_delete=models.PROTECT
    )
    starts_on = models.DateField("wyłożenie od")
    ends_on = models.DateField("termin składania uwag (włącznie)")
    description = models.TextField("ogłoszenie", blank=True)
    created_at = models.DateTimeField("utworzono", auto_now_add=True)

    class Meta:
        verbose_name = "wyłożenie projektu planu"
        verbose_name_plural = "wyłożenia projektów planów"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(name="inspection_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"Wyłożenie: {self.plan.title} ({self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y})"

    def clean(self):
        from planning.selectors import is_draft_plan

        if self.plan_id and not is_draft_plan(self.plan_id):
            raise ValidationError(
                {"plan": "Do publicznego wglądu wykłada się tylko projekt planu (status: w przygotowaniu)."}
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Koniec wyłożenia nie może być wcześniejszy niż początek."})

    def state(self, day=None) -> str:
        """'planned', 'open' or 'closed' on `day` (today by default)."""
        day = day or timezone.localdate()
        if day < self.starts_on:
            return "planned"
        return "open" if day <= self.ends_on else "closed"


class PlanComment(models.Model):
    """A comment (uwaga) with the data art. 8g ust. 2 requires, and the planner's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "nierozpatrzona"
        ACCEPTED = "accepted", "uwzględniona"
        REJECTED = "rejected", "nieuwzględniona"
        PARTIAL = "partial", "uwzględniona częściowo"

    inspection = models.ForeignKey(
        PlanInspection, verbose_name="wyłożenie", related_name="comments", on_delete=models.CASCADE
    )
    number = models.PositiveIntegerField("numer uwagi")
    submitted_at = models.DateTimeField("wpłynęła", default=timezone.now)
    author = models.CharField("imię i nazwisko albo nazwa organizacji", max_length=200)
    address = models.CharField("adres do korespondencji", max_length=300)
    email = models.EmailField("e-mail", blank=True)
    holds_land = models.BooleanField("właściciel lub posiadacz nieruchomości", default=False)
    text = models.TextField("treść uwagi")
    parcel_identifier = models.CharField("działka", max_length=40, blank=True)
    geom = models.GeometryField("miejsce, którego dotyczy", srid=STORAGE_SRID)
    obreb_name = models.CharField("obręb", max_length=100, blank=True)
    public_point = models.PointField("miejsce uogólnione (do 100 m)", srid=STORAGE_SRID)
    decision = models.CharField("rozstrzygnięcie", max_length=10, choices=Decision.choices, default="pending")
    decision_reason = models.TextField("uzasadnienie rozstrzygnięcia", blank=True)
    decided_at = models.DateTimeField("rozstrzygnięto", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="rozstrzygnął",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = "uwaga do projektu planu"
        verbose_name_plural = "uwagi do projektów planów"
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="plan_comment_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Uwaga nr {self.number}"


__all__ = ["PlanInspection", "PlanComment"]
