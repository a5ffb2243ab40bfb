"""Saved (and published) queries of the query builder, and the log of every run."""

from django.conf import settings
from django.db import models

from sip.models import Gmina


class SavedQuery(models.Model):
    """A query of a dataset saved by a staff member; shared with colleagues of the same gmina;
    published for residents under `slug`."""

    name = models.CharField("nazwa", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="autor", null=True, on_delete=models.SET_NULL
    )
    # The owner's gmina (None: the central unit's query, over every gmina).
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", null=True, blank=True, on_delete=models.CASCADE)
    dataset = models.CharField("zbiór danych", max_length=50)
    params = models.JSONField("parametry", default=dict)  # {"filters", "group_by", "measure"}
    shared = models.BooleanField("udostępnione współpracownikom z gminy", default=False)
    published = models.BooleanField("opublikowane dla mieszkańców", default=False)
    slug = models.SlugField("skrót publikacji", max_length=80, unique=True, null=True, blank=True)
    # The date dimension the residents' year choice filters (e.g. "burial_date"), or "".
    year_dimension = models.CharField("wymiar roku", max_length=50, blank=True, default="")
    description = models.TextField("opis", blank=True, default="")
    created_at = models.DateTimeField("utworzono", auto_now_add=True)
    updated_at = models.DateTimeField("zmieniono", auto_now=True)

    class Meta:
        verbose_name = "zapisane zapytanie"
        verbose_name_plural = "zapisane zapytania"
        ordering = ["name", "id"]
        permissions = [("publish_savedquery", "Może publikować statystyki dla mieszkańców")]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="reporting_query_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class QueryRun(models.Model):
    """One run of a query (builder, API, export or saved query): who, when, dataset, parameters
    and how many rows it answered."""

    at = models.DateTimeField("kiedy", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="kto", null=True, blank=True, on_delete=models.SET_NULL
    )
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", null=True, blank=True, on_delete=models.SET_NULL)
    dataset = models.CharField("zbiór danych", max_length=50)
    params = models.JSONField("parametry", default=dict)
    row_count = models.PositiveIntegerField("liczba wierszy wyniku")
    channel = models.CharField("skąd", max_length=20)  # builder, api, export, saved, published
    saved_query = models.ForeignKey(
        SavedQuery, verbose_name="zapisane zapytanie", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "uruchomienie zapytania"
        verbose_name_plural = "dziennik zapytań"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.dataset} ({self.row_count})"
