"""The layer registry: layers published as WMS/WFS and shown in the geoportal, and their styles.

A layer row names a registered source (see layers.registry) and adds what staff decide: the
gmina it covers (or all), titles, style, scales, group, order and who may see it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import translation

from sip.geometry import ACCEPTED_SRIDS
from sip.models import Gmina
from sip.storage import private_storage

LAYER_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{1,62}$")
validate_layer_name = RegexValidator(
    LAYER_NAME_RE,
    "Nazwa warstwy: małe litery łacińskie, cyfry, „-” i „_”, zaczyna się od litery (2–63 znaki).",
)
validate_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Kolor w zapisie #rrggbb, np. #ff8800.")


class _EnglishTitle:
    """display_title of a row with a Polish `title` and an optional English `title_en`."""

    @property
    def display_title(self) -> str:
        """The title in the active language: the English one when English is active and the
        row has one, the Polish one otherwise."""
        if self.title_en and translation.get_language() == "en":
            return self.title_en
        return self.title


class Style(models.Model):
    """How a layer is drawn: edited by staff in forms, rendered to MapServer classes."""

    class Symbol(models.TextChoices):
        CIRCLE = "circle", "koło"
        SQUARE = "square", "kwadrat"
        TRIANGLE = "triangle", "trójkąt"

    name = models.CharField("nazwa", max_length=100, unique=True)
    fill_colour = models.CharField(
        "kolor wypełnienia",
        max_length=7,
        blank=True,
        validators=[validate_colour],
        help_text="Puste: bez wypełnienia.",
    )
    fill_opacity = models.PositiveSmallIntegerField(
        "krycie wypełnienia [%]", default=100, validators=[MaxValueValidator(100)]
    )
    stroke_colour = models.CharField(
        "kolor obrysu", max_length=7, blank=True, default="#000000", validators=[validate_colour]
    )
    stroke_width = models.FloatField(
        "grubość obrysu [px]", default=1.0, validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    symbol = models.CharField("symbol punktu", max_length=10, choices=Symbol.choices, default=Symbol.CIRCLE)
    symbol_size = models.FloatField(
        "wielkość symbolu [px]", default=8, validators=[MinValueValidator(1), MaxValueValidator(64)]
    )
    label_field = models.CharField(
        "etykieta z atrybutu",
        max_length=63,
        blank=True,
        help_text="Nazwa atrybutu warstwy; puste: bez etykiet.",
    )
    label_colour = models.CharField(
        "kolor etykiety", max_length=7, default="#000000", validators=[validate_colour]
    )
    label_size = models.FloatField(
        "wielkość etykiety [pt]", default=8, validators=[MinValueValidator(4), MaxValueValidator(36)]
    )
    label_max_scale = models.PositiveIntegerField(
        "etykiety do skali 1:", null=True, blank=True, help_text="Etykiety tylko w skalach większych niż ta."
    )
    rules_only = models.BooleanField(
        "tylko klasy",
        default=False,
        help_text="Obiekty rysują tylko klasy stylu (każda w swoim zakresie skal); obiekt, do którego "
        "w danej skali nie pasuje żadna klasa, nie jest rysowany.",
    )
    updated_at = models.DateTimeField("zmieniono", auto_now=True)

    class Meta:
        verbose_name = "styl"
        verbose_name_plural = "style"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StyleRule(_EnglishTitle, models.Model):
    """A class of a style: features whose attribute equals a value or falls in a range (or all
    features, without an attribute), drawn within a range of scales, with its own line width
    and labels where given (else the style's)."""

    style = models.ForeignKey(Style, verbose_name="styl", related_name="rules", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField("kolejność", default=0)
    title = models.CharField("opis w legendzie", max_length=100)
    title_en = models.CharField(
        "opis w legendzie po angielsku",
        max_length=100,
        blank=True,
        help_text="Dla odwiedzających w wersji angielskiej; puste: opis polski.",
    )
    field = models.CharField(
        "atrybut", max_length=63, blank=True, help_text="Puste: wszystkie obiekty (klasa tylko ze skalami)."
    )
    value = models.CharField("wartość", max_length=100, blank=True, help_text="Równa tej wartości (tekst).")
    min_value = models.FloatField("od (włącznie)", null=True, blank=True)
    max_value = models.FloatField("do (wyłącznie)", null=True, blank=True)
    fill_colour = models.CharField(
        "kolor wypełnienia", max_length=7, blank=True, validators=[validate_colour]
    )
    stroke_colour = models.CharField("kolor obrysu", max_length=7, blank=True, validators=[validate_colour])
    stroke_width = models.FloatField(
        "grubość linii [px]",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
        help_text="Puste: jak w stylu.",
    )
    min_scale = models.PositiveIntegerField(
        "od skali 1:", null=True, blank=True, help_text="Najbardziej szczegółowa skala (mianownik)."
    )
    max_scale = models.PositiveIntegerField(
        "do skali 1:", null=True, blank=True, help_text="Najmniej szczegółowa skala (mianownik), wyłącznie."
    )
    label_field = models.CharField(
        "etykieta z atrybutu", max_length=63, blank=True, help_text="Puste: etykiety jak w stylu."
    )
    label_colour = models.CharField(
        "kolor etykiety",
        max_length=7,
        blank=True,
        validators=[validate_colour],
        help_text="Puste: jak w stylu.",
    )
    label_size = models.FloatField(
        "wielkość etykiety [pt]",
        null=True,
        blank=True,
        validators=[MinValueValidator(4), MaxValueValidator(36)],
        help_text="Puste: jak w stylu.",
    )

    class Meta:
        verbose_name = "klasa stylu"
        verbose_name_plural = "klasy stylu"
        ordering = ["style", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        has_range = self.min_value is not None or self.max_value is not None
        if not self.field:
            if self.value or has_range:
                raise ValidationError("Wartość albo zakres wymagają atrybutu.")
            if not (self.min_scale or self.max_scale):
                raise ValidationError("Klasa bez atrybutu musi mieć zakres skal (od/do skali).")
        elif bool(self.value) == has_range:
            raise ValidationError("Podaj albo wartość, albo zakres (od/do) – dokładnie jedno z nich.")
        if self.min_value is not None and self.max_value is not None and self.min_value >= self.max_value:
            raise ValidationError("Początek zakresu musi być mniejszy niż koniec.")
        if self.min_scale and self.max_scale and self.min_scale >= self.max_scale:
            raise ValidationError("Skala „od” musi być bardziej szczegółowa (mniejszy mianownik) niż „do”.")


class ExternalService(models.Model):
    """An outside WMS or WMTS (e.g. GUGiK's orthophoto) whose layers SIP shows and cascades."""

    class Kind(models.TextChoices):
        WMS = "wms", "WMS"
        WMTS = "wmts", "WMTS (kafle)"

    title = models.CharField("nazwa", max_length=200)
    url = models.URLField(
        "adres usługi",
        max_length=500,
        unique=True,
        help_text="Adres usługi bez parametrów (SIP dopisze SERVICE i REQUEST).",
    )
    kind = models.CharField("rodzaj usługi", max_length=4, choices=Kind.choices, default=Kind.WMS)
    version = models.CharField(
        "wersja",
        max_length=5,
        default="1.3.0",
        choices=[("1.3.0", "WMS 1.3.0"), ("1.1.1", "WMS 1.1.1"), ("1.0.0", "WMTS 1.0.0")],
    )
    harvested_at = models.DateTimeField("odczytano", null=True, blank=True)
    service_title = models.CharField("tytuł w GetCapabilities", max_length=300, blank=True)
    last_error = models.TextField("ostatni błąd", blank=True)

    class Meta:
        verbose_name = "usługa zewnętrzna"
        verbose_name_plural = "usługi zewnętrzne"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        # WMTS has one version; a WMS is read as 1.3.0 unless 1.1.1 is chosen.
        if self.kind == self.Kind.WMTS:
            self.version = "1.0.0"
        elif self.version == "1.0.0":
            self.version = "1.3.0"


class ExternalLayer(models.Model):
    """A layer read from an external service's capabilities."""

    service = models.ForeignKey(
        ExternalService, verbose_name="usługa", related_name="layers", on_delete=models.CASCADE
    )
    name = models.CharField("nazwa w usłudze", max_length=200)
    title = models.CharField("tytuł", max_length=300)
    abstract = models.TextField("opis", blank=True)
    srids = models.JSONField("obsługiwane układy (EPSG)", default=list)
    extent_4326 = models.JSONField("zasięg (WGS 84)", null=True, blank=True)
    queryable = models.BooleanField("odpytywalna", default=False)
    tile_matrix_sets = models.JSONField(
        "zestawy kafli (WMTS)",
        default=dict,
        blank=True,
        help_text="Identyfikator zestawu macierzy kafli i jego układ (EPSG), tylko dla WMTS.",
    )
    image_format = models.CharField("format kafli (WMTS)", max_length=50, blank=True)

    class Meta:
        verbose_name = "warstwa usługi zewnętrznej"
        verbose_name_plural = "warstwy usług zewnętrznych"
        ordering = ["service", "title"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="external_layer_unique_name")]

    def __str__(self) -> str:
        return f"{self.title} ({self.service})"

    @property
    def drawable(self) -> bool:
        """Whether SIP can draw the layer: offered in a CRS that SIP accepts (a WMTS layer as PNG
        or JPEG tiles in such a tile matrix set), and read as the kind of service it is now."""
        if not any(s in ACCEPTED_SRIDS for s in self.srids):
            return False
        if self.service.kind == ExternalService.Kind.WMTS:
            return bool(self.tile_matrix_sets) and bool(self.image_format)
        return not self.tile_matrix_sets


class Layer(_EnglishTitle, models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "publiczna (każdy)"
        STAFF = "staff", "wewnętrzna (pracownicy gminy)"
        ROLES = "roles", "wybrane role w gminie"

    name = models.CharField(
        "nazwa (w adresach WMS/WFS)", max_length=63, unique=True, validators=[validate_layer_name]
    )
    source = models.CharField(
        "źródło danych",
        max_length=63,
        blank=True,
        help_text="Źródło zarejestrowane przez moduł systemu (np. dzialki); puste dla warstwy zewnętrznej.",
    )
    external = models.ForeignKey(
        ExternalLayer,
        verbose_name="warstwa zewnętrzna",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Warstwa usługi zewnętrznej pokazywana przez SIP (kaskadowo).",
    )
    # Private storage: a raster of an internal layer must not be downloadable past the layer's
    # visibility (MapServer reads it by path, the WMS checks who may see the layer).
    raster = models.FileField(
        "plik rastra (GeoTIFF)",
        upload_to="rasters/",
        storage=private_storage,
        blank=True,
        help_text="Np. ortofotomapa z drona; układ PL-1992, PL-2000, 3857 lub 4326.",
    )
    gmina = models.ForeignKey(
        Gmina,
        verbose_name="gmina",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Puste: dane wszystkich gmin partnerskich.",
    )
    title = models.CharField("tytuł", max_length=200)
    title_en = models.CharField(
        "tytuł po angielsku", max_length=200, blank=True, help_text="Dla odwiedzających w wersji angielskiej."
    )
    abstract = models.TextField("opis", blank=True)
    style = models.ForeignKey(Style, verbose_name="styl", on_delete=models.PROTECT)
    group = models.CharField("grupa", max_length=100, blank=True)
    order = models.IntegerField("kolejność", default=100)
    min_scale = models.PositiveIntegerField(
        "widoczna od skali 1:", null=True, blank=True, help_text="Najbardziej szczegółowa skala (mianownik)."
    )
    max_scale = models.PositiveIntegerField(
        "widoczna do skali 1:", null=True, blank=True, help_text="Najmniej szczegółowa skala (mianownik)."
    )
    queryable = models.BooleanField("odpytywalna (GetFeatureInfo)", default=True)
    base_map = models.PositiveSmallIntegerField(
        "w mapie bazowej „Mapa SIP” (kolejność)",
        null=True,
        blank=True,
        help_text="Puste: warstwa tematyczna. Liczba: warstwa mapy bazowej geoportalu, rysowana od "
        "najmniejszej liczby (spód) do największej.",
    )
    published = models.BooleanField("opublikowana", default=True)
    visibility = models.CharField(
        "widoczność", max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    roles = models.ManyToManyField(
        Group, verbose_name="role", blank=True, help_text="Dla widoczności „wybrane role w gminie”."
    )
    updated_at = models.DateTimeField("zmieniono", auto_now=True)

    class Meta:
        verbose_name = "warstwa"
        verbose_name_plural = "warstwy"
        ordering = ["group", "order", "name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"

    @property
    def display_group(self) -> str:
        """The group in the active language: the registry's groups are in the translations
        (gettext_noop where they are registered); a group typed in the admin stays as typed."""
        return translation.gettext(self.group) if self.group else ""

    def clean(self):
        from .registry import get_source

        if sum((bool(self.source), bool(self.external_id), bool(self.raster))) != 1:
            raise ValidationError(
                "Wybierz dokładnie jedno: źródło danych, warstwę zewnętrzną albo plik rastra."
            )
        if self.raster:
            from .raster import inspect_field_file

            inspect_field_file(self.raster)
        if self.external_id and not self.external.drawable:
            raise ValidationError(
                {
                    "external": "Tej warstwy usługi nie da się narysować: usługa nie podaje jej w układzie "
                    "obsługiwanym przez SIP (PL-1992, PL-2000, 3857, 4326) albo jako kafli PNG lub JPEG, "
                    "albo zmieniono rodzaj usługi od ostatniego odczytu – odczytaj warstwy ponownie."
                }
            )
        if self.source and get_source(self.source) is None:
            raise ValidationError({"source": f"Nieznane źródło danych „{self.source}”."})
        if self.min_scale and self.max_scale and self.min_scale >= self.max_scale:
            raise ValidationError("Skala „od” musi być bardziej szczegółowa (mniejszy mianownik) niż „do”.")


class RegistryVersion(models.Model):
    """One row: bumped on every change of a layer or style so every process rebuilds its maps."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "wersja rejestru warstw"
        verbose_name_plural = "wersja rejestru warstw"

    def __str__(self) -> str:
        return str(self.version)


class AccessToken(models.Model):
    """A personal token for desktop GIS (QGIS) that cannot keep a session: the Authorization
    header (Bearer) or ?token=; valid until expires_at."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="użytkownik", on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField("opis", max_length=100)
    created_at = models.DateTimeField("utworzono", auto_now_add=True)
    expires_at = models.DateTimeField("ważny do")
    # Written at most once a minute (layers.services.use_access_token), not on every tile.
    last_used_at = models.DateTimeField("ostatnio użyty", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "token dostępu"
        verbose_name_plural = "tokeny dostępu"

    def __str__(self) -> str:
        return f"{self.user} – {self.label}"


class PublishedSource(models.Model):
    """A registered source whose default layer was created once: staff own it from then on, so a
    layer they delete stays deleted after the next migrate."""

    name = models.CharField("źródło", max_length=100, unique=True)
    published_at = models.DateTimeField("opublikowano", auto_now_add=True)

    class Meta:
        verbose_name = "opublikowane źródło"
        verbose_name_plural = "opublikowane źródła"

    def __str__(self) -> str:
        return self.name
