"""Zoning plans (MPZP, plan ogólny), their zones and amendments; extract cases and issued PDFs."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, DateField, F, Func, Q, Value

from sip.models import Gmina, Parcel
from sip.storage import private_storage

STORAGE_SRID = 2180


# A plan applies on a day when it is in force and the day is within its validity dates. The
# one definition of that is the SQL function planning_plan_applies (sql/plan_in_force_v1.sql,
# installed by migration 0008), read by the zoning query (IN_FORCE_SQL, with the day as the
# %(day)s parameter: the gmina's local date, not the database session's UTC CURRENT_DATE), by
# the queryset below and by the map's view planning_zone_in_force.
IN_FORCE_SQL = "planning_plan_applies({p}.status, {p}.valid_from, {p}.valid_to, %(day)s)"


class PlanApplies(Func):
    """Whether the plan applies on a day (SQL planning_plan_applies)."""

    function = "planning_plan_applies"
    output_field = BooleanField()

    def __init__(self, day, **extra):
        super().__init__(F("status"), F("valid_from"), F("valid_to"), Value(day, DateField()), **extra)


class PlanQuerySet(models.QuerySet):
    def in_force(self, day=None):
        """The plans that apply on `day` (today by default)."""
        from django.utils import timezone

        return self.alias(_applies=PlanApplies(day or timezone.localdate())).filter(_applies=True)


class Plan(models.Model):
    """An act of spatial planning: a local plan (MPZP) or a general plan (plan ogólny gminy)."""

    objects = PlanQuerySet.as_manager()

    class Kind(models.TextChoices):
        MPZP = "mpzp", "miejscowy plan zagospodarowania przestrzennego"
        POG = "pog", "plan ogólny gminy"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "obowiązujący"
        IN_PREPARATION = "in_preparation", "w przygotowaniu"
        REPEALED = "repealed", "uchylony"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    kind = models.CharField("rodzaj aktu", max_length=8, choices=Kind.choices, default=Kind.MPZP)
    title = models.CharField("tytuł", max_length=500)
    resolution_number = models.CharField("numer uchwały", max_length=60)
    resolution_date = models.DateField("data uchwały")
    adopted_by = models.CharField(
        "organ uchwalający (w dopełniaczu)",
        max_length=120,
        default="Rady Gminy",
        help_text="np. Rady Miasta Bolesławiec",
    )
    journal_entry = models.CharField(
        "publikacja w dzienniku urzędowym",
        max_length=160,
        blank=True,
        help_text="np. Dz. Urz. Woj. Dolnośląskiego z 2019 r. poz. 1234",
    )
    status = models.CharField("status", max_length=16, choices=Status.choices, default=Status.IN_FORCE)
    valid_from = models.DateField("obowiązuje od", null=True, blank=True)
    valid_to = models.DateField("obowiązuje do", null=True, blank=True)
    scale = models.PositiveIntegerField(
        "skala rysunku (mianownik)", default=1000, help_text="np. 1000 dla skali 1:1000"
    )
    boundary = models.MultiPolygonField("granica obszaru planu", srid=STORAGE_SRID)
    app_id = models.CharField(
        "identyfikator APP (idIIP)",
        max_length=255,
        blank=True,
        help_text="przestrzeń nazw, lokalny identyfikator i wersja, np. PL.ZIPPZP.9999/020101-MPZP/…",
    )
    general_provisions = models.TextField("ustalenia ogólne", blank=True)
    resolution_document = models.FileField("dokument uchwały", upload_to="planning/resolutions/", blank=True)
    drawing_raster = models.FileField("rysunek planu (raster)", upload_to="planning/drawings/", blank=True)
    amends = models.ManyToManyField(
        "self",
        verbose_name="zmienia plany",
        through="Amendment",
        through_fields=("amending", "amended"),
        symmetrical=False,
        related_name="amended_by",
        blank=True,
    )

    class Meta:
        verbose_name = "plan"
        verbose_name_plural = "plany"
        ordering = ["gmina", "-resolution_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["app_id"], condition=~Q(app_id=""), name="plan_app_id_unique"),
            models.CheckConstraint(
                name="plan_scale_sensible", condition=Q(scale__gte=100) & Q(scale__lte=100000)
            ),
            models.CheckConstraint(
                name="plan_validity_ordered",
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (uchwała nr {self.resolution_number})"

    @property
    def resolution_label(self) -> str:
        return (
            f"uchwała nr {self.resolution_number} {self.adopted_by} z dnia {self.resolution_date:%d.%m.%Y} r."
        )


class Amendment(models.Model):
    """One plan changing or repealing another, wholly or in the part its boundary covers."""

    class Kind(models.TextChoices):
        CHANGE = "change", "zmiana"
        REPEAL = "repeal", "uchylenie"

    amending = models.ForeignKey(
        Plan, verbose_name="plan zmieniający", related_name="amendments_made", on_delete=models.CASCADE
    )
    amended = models.ForeignKey(
        Plan, verbose_name="plan zmieniany", related_name="amendments_received", on_delete=models.CASCADE
    )
    kind = models.CharField("rodzaj", max_length=8, choices=Kind.choices, default=Kind.CHANGE)

    class Meta:
        verbose_name = "zmiana planu"
        verbose_name_plural = "zmiany planów"
        constraints = [
            models.UniqueConstraint(fields=["amending", "amended"], name="amendment_unique"),
            models.CheckConstraint(name="amendment_not_self", condition=~Q(amending=F("amended"))),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        return f"{self.amending.resolution_number} → {self.amended.resolution_number} ({kind})"

    @property
    def gmina_id(self):
        return self.amending.gmina_id


# Purpose categories of zone symbols (the letters after the zone's number): longest first.
PURPOSES = {
    "MN": "zabudowa mieszkaniowa jednorodzinna",
    "MW": "zabudowa mieszkaniowa wielorodzinna",
    "MU": "zabudowa mieszkaniowo-usługowa",
    "MR": "zabudowa zagrodowa",
    "U": "zabudowa usługowa",
    "UP": "usługi publiczne",
    "US": "sport i rekreacja",
    "P": "zabudowa produkcyjna, składy i magazyny",
    "R": "rolnictwo",
    "ZL": "lasy",
    "ZP": "zieleń urządzona",
    "ZC": "cmentarze",
    "ZN": "zieleń nieurządzona",
    "KDG": "droga publiczna – główna",
    "KDZ": "droga publiczna – zbiorcza",
    "KDL": "droga publiczna – lokalna",
    "KDD": "droga publiczna – dojazdowa",
    "KDW": "droga wewnętrzna",
    "KD": "komunikacja – drogi publiczne",
    "KK": "tereny kolejowe",
    "W": "wody powierzchniowe",
    "WS": "wody powierzchniowe śródlądowe",
    "E": "elektroenergetyka",
    "K": "kanalizacja",
    "SW": "strefa wielofunkcyjna z zabudową mieszkaniową wielorodzinną",
    "SJ": "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną",
    "SZ": "strefa wielofunkcyjna z zabudową zagrodową",
    "SU": "strefa usługowa",
    "SH": "strefa handlu wielkopowierzchniowego",
    "SP": "strefa gospodarcza",
    "SR": "strefa produkcji rolniczej",
    "SI": "strefa infrastrukturalna",
    "SG": "strefa górnictwa",
    "SO": "strefa otwarta",
    "SL": "strefa lasów",
    "SN": "strefa zieleni i rekreacji",
    "SC": "strefa cmentarzy",
    "SK": "strefa komunikacyjna",
}
SYMBOL_RE = re.compile(r"^(?P<number>\d{0,3})\.?(?P<letters>[A-ZŁŚŻŹĆŃ]{1,4})(?P<suffix>[\d./-]*\w*)$")


def purpose_of(symbol: str) -> str:
    """Return the purpose category (letters, e.g. 'MN', 'KDL') of a zone symbol such as '3MN'."""
    match = SYMBOL_RE.match((symbol or "").strip().upper())
    if not match:
        return ""
    letters = match["letters"]
    for n in range(len(letters), 0, -1):
        if letters[:n] in PURPOSES:
            return letters[:n]
    return letters


def validate_symbol(value: str) -> None:
    if not SYMBOL_RE.match((value or "").strip().upper()):
        raise ValidationError(
            "Nieprawidłowy symbol terenu „%(value)s”: oczekiwano numeru i liter przeznaczenia, "
            "np. 3MN, 1KDL.",
            params={"value": value},
        )


class Zone(models.Model):
    """A zone of a plan (teren w MPZP, strefa planistyczna w planie ogólnym) with its provisions."""

    plan = models.ForeignKey(Plan, verbose_name="plan", related_name="zones", on_delete=models.CASCADE)
    symbol = models.CharField("symbol", max_length=20, validators=[validate_symbol])
    purpose = models.CharField("kategoria przeznaczenia", max_length=4, editable=False)
    name = models.CharField("przeznaczenie", max_length=200, blank=True)
    provisions = models.TextField("ustalenia dla terenu", blank=True)
    geom = models.MultiPolygonField("geometria", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "teren planu"
        verbose_name_plural = "tereny planów"
        ordering = ["plan", "symbol"]
        constraints = [models.UniqueConstraint(fields=["plan", "symbol"], name="zone_symbol_unique_in_plan")]

    def save(self, *args, **kwargs):
        self.symbol = self.symbol.strip().upper()
        self.purpose = purpose_of(self.symbol)
        if not self.name:
            self.name = PURPOSES.get(self.purpose, "")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.symbol} – {self.name}"

    @property
    def gmina_id(self):
        return self.plan.gmina_id


class ExtractOffice(models.Model):
    """How a gmina office issues extracts: case-number prefix, place, signatory, fee cap."""

    gmina = models.OneToOneField(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    office_name = models.CharField("nazwa urzędu", max_length=200)
    office_address = models.CharField("adres urzędu", max_length=200, blank=True)
    place = models.CharField("miejscowość (na piśmie)", max_length=100)
    case_prefix = models.CharField(
        "znak sprawy (przedrostek)", max_length=30, default="RG.6727", help_text="np. RG.6727 albo GP.6727"
    )
    authority = models.CharField("organ wydający", max_length=120, default="Wójt Gminy")
    signatory_name = models.CharField("podpisujący", max_length=120, blank=True)
    signatory_title = models.CharField("stanowisko podpisującego", max_length=160, blank=True)
    fee_account = models.CharField("rachunek opłaty skarbowej", max_length=60, blank=True)
    combined_fee_cap = models.DecimalField(
        "łączny limit opłaty za wypis i wyrys [zł]",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="puste: bez limitu łącznego (tylko limity ustawowe)",
    )

    class Meta:
        verbose_name = "ustawienia wydawania wypisów"
        verbose_name_plural = "ustawienia wydawania wypisów"

    def __str__(self) -> str:
        return self.office_name


class CaseCounter(models.Model):
    """The last case number used by a gmina in a year; locked with SELECT … FOR UPDATE."""

    gmina = models.ForeignKey(Gmina, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gmina", "year"], name="case_counter_unique")]


class ExtractCase(models.Model):
    """An application for a wypis and/or wyrys, registered under a case number."""

    class Kind(models.TextChoices):
        WYPIS = "wypis", "wypis"
        WYRYS = "wyrys", "wyrys"
        BOTH = "both", "wypis i wyrys"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("rok")
    number = models.PositiveIntegerField("numer kolejny")
    case_number = models.CharField("znak sprawy", max_length=60)
    applicant = models.CharField("wnioskodawca", max_length=200)
    applicant_address = models.CharField("adres wnioskodawcy", max_length=250, blank=True)
    application_date = models.DateField("data wniosku")
    kind = models.CharField("rodzaj", max_length=8, choices=Kind.choices)
    purpose = models.CharField("cel (opcjonalnie)", max_length=250, blank=True)
    parcels = models.ManyToManyField(Parcel, verbose_name="działki", related_name="extract_cases")
    parcel_identifiers = models.JSONField("identyfikatory działek", default=list)
    fee_wypis = models.DecimalField("opłata za wypis [zł]", max_digits=7, decimal_places=2, default=0)
    fee_wyrys = models.DecimalField("opłata za wyrys [zł]", max_digits=7, decimal_places=2, default=0)
    fee_total = models.DecimalField("opłata razem [zł]", max_digits=7, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="zarejestrował", null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("zarejestrowano", auto_now_add=True)

    class Meta:
        verbose_name = "sprawa (wypis/wyrys)"
        verbose_name_plural = "rejestr wypisów i wyrysów"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["gmina", "year", "number"], name="case_number_unique_in_year"),
            # Offices of different gminas may use the same prefix (RG.6727): unique per gmina.
            models.UniqueConstraint(fields=["gmina", "case_number"], name="case_number_unique_in_gmina"),
        ]

    def __str__(self) -> str:
        return self.case_number


class IssuedDocument(models.Model):
    """A PDF as issued: stored unchanged with its SHA-256; a re-issue is a new version."""

    class Kind(models.TextChoices):
        EXTRACT = "extract", "wypis i/lub wyrys"
        NO_PLAN = "no_plan", "zaświadczenie o braku planu"

    case = models.ForeignKey(
        ExtractCase, verbose_name="sprawa", related_name="documents", on_delete=models.PROTECT
    )
    version = models.PositiveSmallIntegerField("wersja")
    kind = models.CharField("rodzaj dokumentu", max_length=8, choices=Kind.choices)
    token = models.CharField("kod weryfikacji", max_length=40, unique=True)
    # Private (applicant's name and address): outside MEDIA_ROOT, a random name, no URL; sent by
    # the checked view planning:document-pdf only.
    file = models.FileField(
        "plik PDF", upload_to="planning/extracts/", storage=private_storage, max_length=200
    )
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("rozmiar [B]")
    wypis_pages = models.PositiveSmallIntegerField("strony wypisu", default=0)
    wyrys_pages = models.PositiveSmallIntegerField("strony wyrysu", default=0)
    issued_at = models.DateTimeField("wydano", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="wydał", null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "wydany dokument"
        verbose_name_plural = "wydane dokumenty"
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="document_version_unique")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Wydany dokument jest niezmienny; wydaj nową wersję.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Wydanego dokumentu nie można usunąć.")

    def __str__(self) -> str:
        return f"{self.case.case_number} v{self.version}"


class PlanOnMap(models.Model):
    """A plan as the map layer "plany" shows it (a database view, sql/plan_layer_v1.sql): its
    attributes and whether it is in force today, decided by planning_plan_applies, the rule the
    zoning API reads, never by the status alone."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.DO_NOTHING)
    title = models.CharField("tytuł", max_length=500)
    resolution_number = models.CharField("numer uchwały", max_length=60)
    status = models.CharField("status", max_length=16, choices=Plan.Status.choices)
    valid_from = models.DateField("obowiązuje od", null=True)
    valid_to = models.DateField("obowiązuje do", null=True)
    scale = models.PositiveIntegerField("skala rysunku (mianownik)")
    in_force = models.BooleanField("obowiązuje dziś")
    boundary = models.MultiPolygonField("granica obszaru planu", srid=STORAGE_SRID)

    class Meta:
        managed = False
        db_table = "planning_plan_layer"
        verbose_name = "plan na mapie"
        verbose_name_plural = "plany na mapie"


class ZoneInForce(models.Model):
    """Zones as they apply today (a database view): zones of plans in force, with the parts
    replaced by an amending plan in force cut out, and the gmina of their plan. The map layer
    of zoning reads this view, so the map shows what the zoning extracts say."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.DO_NOTHING)
    plan = models.ForeignKey(Plan, verbose_name="plan", on_delete=models.DO_NOTHING)
    plan_title = models.CharField("plan", max_length=500)
    resolution_number = models.CharField("numer uchwały", max_length=60)
    symbol = models.CharField("symbol", max_length=20)
    purpose = models.CharField("kategoria przeznaczenia", max_length=4)
    name = models.CharField("przeznaczenie", max_length=200)
    geom = models.MultiPolygonField("geometria", srid=STORAGE_SRID)

    class Meta:
        managed = False
        db_table = "planning_zone_in_force"
        verbose_name = "teren planu (obowiązujący)"
        verbose_name_plural = "tereny planów (obowiązujące)"
