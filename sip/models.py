"""Core domain: partner gminas, units, memberships with roles, obręby, parcels, addresses, audit."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .identifiers import (
    validate_obreb_code,
    validate_parcel_identifier,
    validate_parcel_number,
    validate_teryt,
)
from .text import fold

STORAGE_SRID = 2180


class Gmina(models.Model):
    class Kind(models.TextChoices):
        URBAN = "urban", _("gmina miejska")
        RURAL = "rural", _("gmina wiejska")
        URBAN_RURAL = "urban_rural", _("gmina miejsko-wiejska")

    teryt = models.CharField("kod TERYT", max_length=8, unique=True, validators=[validate_teryt])
    name = models.CharField("nazwa", max_length=100)
    kind = models.CharField("rodzaj", max_length=12, choices=Kind.choices)
    slug = models.SlugField("skrót w adresie", unique=True)
    boundary = models.MultiPolygonField("granica", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "gmina"
        verbose_name_plural = "gminy"
        ordering = ["name", "teryt"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.teryt})"


class Unit(models.Model):
    """An organisational unit: the central unit, a gmina office, or an outside body."""

    class Kind(models.TextChoices):
        CENTRAL = "central", "jednostka centralna"
        GMINA_OFFICE = "gmina_office", "urząd gminy"
        DEPARTMENT = "department", "wydział urzędu gminy"
        COMPANY = "company", "spółka lub zakład gminny"
        EXTERNAL = "external", "podmiot zewnętrzny"

    class Receives(models.TextChoices):
        """How the unit receives residents' reports (incidents)."""

        INBOX = "inbox", "skrzynka zgłoszeń w SIP"
        EMAIL = "email", "e-mail"
        BOTH = "both", "skrzynka w SIP i e-mail"
        NONE = "none", "poza SIP – mieszkaniec dostaje tylko dane kontaktowe"

    name = models.CharField("nazwa", max_length=200)
    kind = models.CharField("rodzaj", max_length=12, choices=Kind.choices)
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", null=True, blank=True, on_delete=models.CASCADE)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    address = models.CharField("adres", max_length=200, blank=True)
    website = models.URLField("strona internetowa", blank=True)
    receives = models.CharField(
        "przyjmowanie zgłoszeń",
        max_length=5,
        choices=Receives.choices,
        default=Receives.INBOX,
        help_text="Jak jednostka przyjmuje zgłoszenia mieszkańców.",
    )

    class Meta:
        verbose_name = "jednostka"
        verbose_name_plural = "jednostki"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="gmina_office_has_gmina",
                condition=~Q(kind="gmina_office") | Q(gmina__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """The gmina scope of a staff account: which unit the person works for and which gmina."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="użytkownik",
        related_name="membership",
        on_delete=models.CASCADE,
    )
    unit = models.ForeignKey(Unit, verbose_name="jednostka", on_delete=models.PROTECT)
    gmina = models.ForeignKey(
        Gmina,
        verbose_name="gmina",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Puste dla pracowników jednostki centralnej (wszystkie gminy).",
    )

    class Meta:
        verbose_name = "przynależność"
        verbose_name_plural = "przynależności"

    def __str__(self) -> str:
        return f"{self.user} – {self.gmina or 'wszystkie gminy'}"


class Obreb(models.Model):
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    code = models.CharField("numer obrębu", max_length=4, validators=[validate_obreb_code])
    name = models.CharField("nazwa", max_length=100)
    geom = models.MultiPolygonField("granica", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "obręb"
        verbose_name_plural = "obręby"
        ordering = ["gmina", "code"]
        constraints = [models.UniqueConstraint(fields=["gmina", "code"], name="obreb_unique_in_gmina")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def identifier(self) -> str:
        return f"{self.gmina.teryt}.{self.code}"


class Parcel(models.Model):
    identifier = models.CharField(
        "identyfikator działki",
        max_length=40,
        unique=True,
        validators=[validate_parcel_identifier],
    )
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    obreb = models.ForeignKey(Obreb, verbose_name="obręb", on_delete=models.PROTECT)
    number = models.CharField("numer działki", max_length=20, validators=[validate_parcel_number])
    registered_area_m2 = models.DecimalField(
        "powierzchnia ewidencyjna [m²]", max_digits=12, decimal_places=2, null=True, blank=True
    )
    geom = models.MultiPolygonField("geometria", srid=STORAGE_SRID)
    updated_at = models.DateTimeField("zmieniono", auto_now=True)

    class Meta:
        verbose_name = "działka"
        verbose_name_plural = "działki"
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(fields=["obreb", "number"], name="parcel_number_unique_in_obreb")
        ]
        # No index of our own for identifier prefixes: the unique field's `_like` index
        # (varchar_pattern_ops, made by Django) already serves LIKE 'prefix%'; a second one was
        # never chosen by the planner and took 89 MB at 1.5M parcels.

    def __str__(self) -> str:
        return self.identifier

    @property
    def geometry_area_m2(self) -> float:
        """Area of the geometry in EPSG:2180, square metres."""
        return self.geom.area


class Street(models.Model):
    class RoadCategory(models.TextChoices):
        """Kategoria drogi publicznej (ustawa o drogach publicznych) or an internal road."""

        GMINNA = "gminna", "gminna"
        POWIATOWA = "powiatowa", "powiatowa"
        WOJEWODZKA = "wojewodzka", "wojewódzka"
        KRAJOWA = "krajowa", "krajowa"
        WEWNETRZNA = "wewnetrzna", "wewnętrzna"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    name = models.CharField("nazwa", max_length=120)
    geom = models.MultiLineStringField("przebieg", srid=STORAGE_SRID)
    road_category = models.CharField(
        "kategoria drogi", max_length=10, choices=RoadCategory.choices, default=RoadCategory.GMINNA
    )
    road_number = models.CharField("numer drogi", max_length=12, blank=True, help_text="np. DK94, DW297")
    road_manager = models.ForeignKey(
        Unit,
        verbose_name="zarządca drogi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_streets",
        help_text="Puste: zarządcą jest gmina.",
    )

    class Meta:
        verbose_name = "ulica"
        verbose_name_plural = "ulice"
        ordering = ["gmina", "name"]
        constraints = [models.UniqueConstraint(fields=["gmina", "name"], name="street_unique_in_gmina")]

    def __str__(self) -> str:
        return self.name


class AddressPoint(models.Model):
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    locality = models.CharField("miejscowość", max_length=100)
    street = models.ForeignKey(Street, verbose_name="ulica", null=True, blank=True, on_delete=models.SET_NULL)
    house_number = models.CharField("numer porządkowy", max_length=12)
    postcode = models.CharField("kod pocztowy", max_length=6)
    geom = models.PointField("położenie", srid=STORAGE_SRID)
    # "street number locality" folded by sip.text.fold, kept by save() and, when a street is
    # renamed, by a database trigger (migration 0015); searched by trigram index.
    search_text = models.CharField(max_length=250, editable=False, default="")
    # The parcel of the address's gmina under the point (the first by identifier, None off
    # every parcel), kept by database triggers (migration 0013) for every writer: the ORM, the
    # demo and region loaders' COPY, the parcel import. The address search reads it
    # instead of looking for a parcel under each candidate address. Never written by the
    # application: save() leaves it to the trigger and reads it back.
    parcel = models.ForeignKey(
        "Parcel",
        verbose_name="działka pod punktem",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )

    class Meta:
        verbose_name = "punkt adresowy"
        verbose_name_plural = "punkty adresowe"
        ordering = ["gmina", "locality", "house_number"]
        indexes = [GinIndex(fields=["search_text"], name="address_search_trgm", opclasses=["gin_trgm_ops"])]

    def save(self, *args, **kwargs):
        self.search_text = self.make_search_text(
            self.street.name if self.street_id else None, self.house_number, self.locality
        )
        self.parcel_id = None  # the trigger writes it, whatever an old copy of the row held
        super().save(*args, **kwargs)
        self.parcel_id = type(self).objects.filter(pk=self.pk).values_list("parcel_id", flat=True).first()

    @staticmethod
    def make_search_text(street: str | None, house_number: str, locality: str) -> str:
        return fold(" ".join(p for p in (street, house_number, locality) if p))

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.street_id:
            return f"{self.street.name} {self.house_number}, {self.postcode} {self.locality}"
        return f"{self.locality} {self.house_number}, {self.postcode}"


class Building(models.Model):
    """A building footprint (EGiB budynek): the outline of the building on its parcel."""

    class Kind(models.TextChoices):
        """Rodzaj budynku (klasa PKOB, uproszczona do grup widocznych na mapie)."""

        MIESZKALNY = "mieszkalny", "mieszkalny"
        WIELORODZINNY = "wielorodzinny", "mieszkalny wielorodzinny"
        GOSPODARCZY = "gospodarczy", "gospodarczy"
        USLUGOWY = "uslugowy", "handlowo-usługowy"
        PRZEMYSLOWY = "przemyslowy", "przemysłowy"
        OSWIATOWY = "oswiatowy", "oświaty i nauki"
        SAKRALNY = "sakralny", "sakralny"
        BIUROWY = "biurowy", "biurowy"
        INNY = "inny", "inny niemieszkalny"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    kind = models.CharField("rodzaj", max_length=20, choices=Kind.choices, default=Kind.MIESZKALNY)
    storeys = models.PositiveSmallIntegerField("liczba kondygnacji nadziemnych", null=True, blank=True)
    geom = models.MultiPolygonField("obrys", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "budynek"
        verbose_name_plural = "budynki"
        ordering = ["gmina", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"


class LandCover(models.Model):
    """Land cover for the base map (lasy, wody, tereny zabudowane, pola i łąki, parki)."""

    class Kind(models.TextChoices):
        LAS = "las", "las"
        WODA = "woda", "wody"
        ZABUDOWA = "zabudowa", "teren zabudowany"
        POLA = "pola", "grunty orne"
        LAKI = "laki", "łąki i pastwiska"
        PARK = "park", "park, zieleń urządzona"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    kind = models.CharField("rodzaj", max_length=10, choices=Kind.choices)
    name = models.CharField("nazwa", max_length=120, blank=True, help_text="np. nazwa rzeki lub lasu")
    geom = models.MultiPolygonField("zasięg", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "pokrycie terenu"
        verbose_name_plural = "pokrycie terenu"
        ordering = ["gmina", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}".strip()


class AuditLog(models.Model):
    """Who changed what and when; written by services for every write."""

    class Action(models.TextChoices):
        CREATE = "create", "utworzenie"
        UPDATE = "update", "zmiana"
        DELETE = "delete", "usunięcie"
        IMPORT = "import", "import"
        FAILED_LOGIN = "badlogin", "nieudane logowanie"

    at = models.DateTimeField("kiedy", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="kto",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    action = models.CharField("czynność", max_length=8, choices=Action.choices)
    model = models.CharField("rodzaj obiektu", max_length=60)
    object_id = models.CharField("identyfikator obiektu", max_length=60)
    object_repr = models.CharField("obiekt", max_length=200)
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", null=True, blank=True, on_delete=models.SET_NULL)
    changes = models.JSONField("zmiany", default=dict, blank=True)

    class Meta:
        verbose_name = "wpis dziennika zmian"
        verbose_name_plural = "dziennik zmian"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.object_repr}"


class DemoDataset(models.Model):
    """Which version of the demo generator produced the data now in the database."""

    version = models.CharField("wersja generatora", max_length=64)
    loaded_at = models.DateTimeField("wczytano", auto_now=True)

    class Meta:
        verbose_name = "zestaw danych demonstracyjnych"
        verbose_name_plural = "zestawy danych demonstracyjnych"

    def __str__(self) -> str:
        return f"{self.version[:12]} ({self.loaded_at:%Y-%m-%d %H:%M})"


class StoredFile(models.Model):
    """A file written through one of SIP's storages, with its checksum taken when it was written:
    a restore proves it got the same bytes back by comparing with this row (sip/backup)."""

    storage = models.CharField("magazyn plików", max_length=20)
    name = models.CharField("nazwa w magazynie", max_length=255)
    size = models.BigIntegerField("rozmiar (bajty)")
    sha256 = models.CharField("SHA-256", max_length=64)
    written_at = models.DateTimeField("zapisano", auto_now_add=True)

    class Meta:
        verbose_name = "zapisany plik"
        verbose_name_plural = "zapisane pliki"
        constraints = [models.UniqueConstraint(fields=["storage", "name"], name="stored_file_unique_name")]

    def __str__(self) -> str:
        return f"{self.storage}:{self.name}"


class BackupMarker(models.Model):
    """A row the restore drill writes before and after its point in time, to show that a
    point-in-time recovery keeps the first and not the second."""

    label = models.CharField("znacznik", max_length=80, unique=True)
    written_at = models.DateTimeField("zapisano", auto_now_add=True)

    class Meta:
        verbose_name = "znacznik próby odtworzenia"
        verbose_name_plural = "znaczniki prób odtworzenia"

    def __str__(self) -> str:
        return self.label
