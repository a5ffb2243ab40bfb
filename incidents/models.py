"""Residents' reports of problems (zgłoszenia), their categories and the rules that route them.

A report belongs to the gmina its point lies in and goes to one `sip.Unit` decided by the
routing rules (routing.py). Its personal data (name, e-mail, phone) is read only by staff
selectors; public outputs (tracking page, Open311 GET, the `zgloszenia` map layer) never do.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from sip.images import SanitizedImageField
from sip.models import STORAGE_SRID, Gmina, Unit

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 5


class CategoryGroup(models.Model):
    name = models.CharField("nazwa", max_length=100, unique=True)
    icon = models.CharField("ikona", max_length=40, blank=True, help_text="nazwa ikony, np. road")
    order = models.PositiveSmallIntegerField("kolejność", default=100)

    class Meta:
        verbose_name = "grupa kategorii zgłoszeń"
        verbose_name_plural = "grupy kategorii zgłoszeń"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A kind of problem; its `code` is the Open311 service_code."""

    code = models.SlugField("kod (service_code)", max_length=40, unique=True)
    name = models.CharField("nazwa", max_length=120)
    group = models.ForeignKey(CategoryGroup, verbose_name="grupa", on_delete=models.PROTECT)
    icon = models.CharField("ikona", max_length=40, blank=True, help_text="nazwa ikony, np. lamp")
    description = models.CharField("opis", max_length=300, blank=True)
    keywords = models.CharField("słowa kluczowe", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("kolejność", default=100)
    active = models.BooleanField("aktywna", default=True)

    class Meta:
        verbose_name = "kategoria zgłoszeń"
        verbose_name_plural = "kategorie zgłoszeń"
        ordering = ["group__order", "order", "name"]

    def __str__(self) -> str:
        return self.name


class CategorySetting(models.Model):
    """What a gmina does with a category: handles it in SIP, answers with the responsible
    office's contact (outside its competence), or forwards the report by e-mail."""

    class Handling(models.TextChoices):
        ROUTE = "route", "przyjmowane w SIP (według reguł)"
        OUTSIDE = "outside", "poza kompetencją gminy – podaj mieszkańcowi kontakt"
        FORWARD = "forward", "poza kompetencją gminy – przekaż e-mailem"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    category = models.ForeignKey(Category, verbose_name="kategoria", on_delete=models.CASCADE)
    enabled = models.BooleanField("dostępna w gminie", default=True)
    handling = models.CharField("obsługa", max_length=8, choices=Handling.choices, default=Handling.ROUTE)
    outside_unit = models.ForeignKey(
        Unit,
        verbose_name="właściwy podmiot (poza kompetencją)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outside_message = models.TextField("komunikat dla mieszkańca", blank=True)
    generalise_private = models.BooleanField(
        "uogólniaj położenie na mapie publicznej",
        default=False,
        help_text="Na mapie publicznej punkt zgłoszenia jest przesuwany do najbliższej ulicy.",
    )
    overdue_days = models.PositiveSmallIntegerField(
        "dni bez zmiany statusu do zaległości", default=14, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "ustawienie kategorii w gminie"
        verbose_name_plural = "ustawienia kategorii w gminach"
        ordering = ["gmina", "category"]
        constraints = [
            models.UniqueConstraint(fields=["gmina", "category"], name="incident_setting_unique"),
            models.CheckConstraint(
                name="incident_setting_outside_has_unit",
                condition=Q(handling="route") | Q(outside_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} – {self.gmina.name}"


class RoutingRule(models.Model):
    """Who handles a category at a place in a gmina. Rules are tried by priority (lowest
    first); the first whose condition holds decides."""

    class Condition(models.TextChoices):
        ROAD = "road", "w pobliżu drogi danej kategorii → zarządca drogi"
        CEMETERY = "cemetery", "na terenie cmentarza → administrator cmentarza"
        REGISTER = "register", "obiekt rejestru → utrzymujący rejestr"
        ANYWHERE = "anywhere", "w każdym miejscu gminy"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    category = models.ForeignKey(
        Category,
        verbose_name="kategoria",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Puste: każda kategoria.",
    )
    condition = models.CharField("warunek", max_length=8, choices=Condition.choices)
    road_categories = models.CharField(
        "kategorie dróg",
        max_length=60,
        blank=True,
        help_text="Dla warunku drogowego, oddzielone przecinkami: powiatowa,wojewodzka,krajowa.",
    )
    distance_m = models.FloatField(
        "odległość od drogi [m]", default=15, validators=[MinValueValidator(0), MaxValueValidator(500)]
    )
    register = models.CharField("rejestr", max_length=40, blank=True, help_text="np. lamps")
    unit = models.ForeignKey(
        Unit,
        verbose_name="jednostka",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Puste przy drodze: zarządca drogi; przy rejestrze: właściciel obiektu.",
    )
    priority = models.PositiveSmallIntegerField("priorytet", default=100, help_text="mniejszy – wcześniej")
    note = models.CharField("uwagi", max_length=200, blank=True)

    class Meta:
        verbose_name = "reguła kierowania zgłoszeń"
        verbose_name_plural = "reguły kierowania zgłoszeń"
        ordering = ["gmina", "priority", "id"]
        indexes = [models.Index(fields=["gmina", "priority"], name="incident_rule_order")]

    def __str__(self) -> str:
        what = self.category.name if self.category_id else "każda kategoria"
        return f"{self.gmina.name}: {what} – {self.get_condition_display()}"

    @property
    def road_category_list(self) -> list[str]:
        return [c.strip() for c in self.road_categories.split(",") if c.strip()]


class Status(models.TextChoices):
    NEW = "nowe", "nowe"
    ACCEPTED = "przyjete", "przyjęte"
    IN_PROGRESS = "w_realizacji", "w realizacji"
    DONE = "zrealizowane", "zrealizowane"
    REJECTED = "odrzucone", "odrzucone"
    FORWARDED = "przekazane", "przekazane"
    DUPLICATE = "duplikat", "duplikat"


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.DONE, Status.REJECTED, Status.FORWARDED, Status.DUPLICATE)


class ReportCounter(models.Model):
    """The last number given in a year; locked while a report is numbered (gap-free)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Report(models.Model):
    class Source(models.TextChoices):
        WEB = "web", "formularz SIP"
        OPEN311 = "open311", "Open311"
        STAFF = "staff", "pracownik"

    number = models.CharField("numer", max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField("rok", editable=False)
    sequence = models.PositiveIntegerField("numer w roku", editable=False)
    token = models.CharField("klucz śledzenia", max_length=64, unique=True, editable=False)
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.PROTECT)
    category = models.ForeignKey(Category, verbose_name="kategoria", on_delete=models.PROTECT)
    description = models.TextField("opis", max_length=MAX_DESCRIPTION)
    point = models.PointField("położenie", srid=STORAGE_SRID)
    public_point = models.PointField(
        "położenie na mapie publicznej", srid=STORAGE_SRID, help_text="uogólnione, gdy gmina tak chce"
    )
    address = models.CharField("adres lub opis miejsca", max_length=250, blank=True)
    reporter_name = models.CharField("imię i nazwisko zgłaszającego", max_length=150, blank=True)
    reporter_email = models.EmailField("e-mail zgłaszającego", blank=True)
    reporter_phone = models.CharField("telefon zgłaszającego", max_length=30, blank=True)
    register = models.CharField("rejestr obiektu", max_length=40, blank=True)
    register_item_id = models.BigIntegerField("id obiektu rejestru", null=True, blank=True)
    register_label = models.CharField("obiekt rejestru", max_length=120, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name="jednostka odpowiedzialna",
        on_delete=models.PROTECT,
        related_name="incident_reports",
    )
    routing_reason = models.TextField("uzasadnienie skierowania", blank=True)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.NEW)
    status_changed_at = models.DateTimeField("ostatnia zmiana statusu")
    created_at = models.DateTimeField("zgłoszono", auto_now_add=True)
    updated_at = models.DateTimeField("zmieniono", auto_now=True)
    me_too_count = models.PositiveIntegerField("„ja też”", default=0)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="duplikat zgłoszenia", null=True, blank=True, on_delete=models.SET_NULL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="przydzielone do",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client_request_id = models.CharField("klucz idempotencji klienta", max_length=64, blank=True)
    source = models.CharField("źródło", max_length=8, choices=Source.choices, default=Source.WEB)
    api_key = models.ForeignKey(
        "incidents.Open311Key",
        verbose_name="aplikacja Open311",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "zgłoszenie"
        verbose_name_plural = "zgłoszenia"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="incident_number_in_year"),
            models.UniqueConstraint(
                fields=["gmina", "client_request_id"],
                condition=~Q(client_request_id=""),
                name="incident_client_request_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["gmina", "status", "category"], name="incident_report_inbox"),
            models.Index(fields=["status_changed_at"], name="incident_report_changed"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class StatusChange(models.Model):
    """One row of a report's history: status, routing or assignment changes, with notes."""

    class Kind(models.TextChoices):
        CREATED = "created", "przyjęcie zgłoszenia"
        STATUS = "status", "zmiana statusu"
        FORWARD = "forward", "przekazanie"
        RECATEGORISE = "recategorise", "zmiana kategorii"
        ASSIGN = "assign", "przydzielenie"
        MERGE = "merge", "połączenie duplikatów"
        ME_TOO = "me_too", "„ja też”"

    report = models.ForeignKey(
        Report, verbose_name="zgłoszenie", related_name="history", on_delete=models.CASCADE
    )
    kind = models.CharField("rodzaj", max_length=12, choices=Kind.choices)
    at = models.DateTimeField("kiedy", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="kto", null=True, blank=True, on_delete=models.SET_NULL
    )
    status_before = models.CharField("status przed", max_length=12, choices=Status.choices, blank=True)
    status_after = models.CharField("status po", max_length=12, choices=Status.choices, blank=True)
    unit_before = models.ForeignKey(
        Unit,
        verbose_name="jednostka przed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit_after = models.ForeignKey(
        Unit, verbose_name="jednostka po", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_before = models.ForeignKey(
        Category,
        verbose_name="kategoria przed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category_after = models.ForeignKey(
        Category,
        verbose_name="kategoria po",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_note = models.TextField("odpowiedź publiczna", blank=True, max_length=MAX_DESCRIPTION)
    internal_note = models.TextField("notatka wewnętrzna", blank=True, max_length=MAX_DESCRIPTION)

    class Meta:
        verbose_name = "zmiana zgłoszenia"
        verbose_name_plural = "historia zgłoszeń"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class MeToo(models.Model):
    """A resident saying "me too" to an open report instead of sending a duplicate."""

    report = models.ForeignKey(
        Report, verbose_name="zgłoszenie", related_name="me_toos", on_delete=models.CASCADE
    )
    at = models.DateTimeField("kiedy", auto_now_add=True)
    email = models.EmailField("e-mail do powiadomień", blank=True)

    class Meta:
        verbose_name = "„ja też”"
        verbose_name_plural = "„ja też”"
        ordering = ["at", "id"]


class Photo(models.Model):
    report = models.ForeignKey(
        Report, verbose_name="zgłoszenie", related_name="photos", on_delete=models.CASCADE
    )
    image = SanitizedImageField("zdjęcie", upload_to="incidents/%Y/%m/")
    order = models.PositiveSmallIntegerField("kolejność", default=0)

    class Meta:
        verbose_name = "zdjęcie zgłoszenia"
        verbose_name_plural = "zdjęcia zgłoszeń"
        ordering = ["report", "order", "id"]

    def __str__(self) -> str:
        return f"{self.report} #{self.order + 1}"


class Open311Key(models.Model):
    """An API key of an Open311 application; only its SHA-256 is stored."""

    name = models.CharField("aplikacja", max_length=120, unique=True)
    prefix = models.CharField("początek klucza", max_length=8, editable=False)
    key_hash = models.CharField("skrót klucza (SHA-256)", max_length=64, unique=True, editable=False)
    active = models.BooleanField("aktywny", default=True)
    created_at = models.DateTimeField("utworzono", auto_now_add=True)
    last_used_at = models.DateTimeField("ostatnio użyty", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "klucz Open311"
        verbose_name_plural = "klucze Open311"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ReportOnMap(models.Model):
    """The public face of a report (a database view, see migration 0002): category, status, day
    and the public (possibly generalised) position; no reporter data, no notes, no description.
    The `zgloszenia` map layer (WMS, WFS, GetFeatureInfo) reads only this."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.DO_NOTHING)
    number = models.CharField("numer", max_length=20)
    category = models.CharField("kod kategorii", max_length=40)
    category_name = models.CharField("kategoria", max_length=120)
    status = models.CharField("status", max_length=12)
    status_label = models.CharField("stan", max_length=20)
    # The day in the gmina's time zone (Europe/Warsaw), not the UTC day of created_at.
    reported_on = models.DateField("zgłoszono")
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta:
        managed = False
        db_table = "incidents_report_map"
        verbose_name = "zgłoszenie na mapie"
        verbose_name_plural = "zgłoszenia na mapie"
