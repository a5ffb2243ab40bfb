"""Registers kept in Excel until now: small architecture, street lighting, trees; inspections.

Every register item is a row of its own table (so that a layer registry, MapServer and WFS
read plain PostGIS tables) sharing one abstract base; registers.py says how each is shown,
filtered, imported and exported.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from sip.images import SanitizedImageField
from sip.models import STORAGE_SRID, Gmina, Obreb, Unit


class Condition(models.IntegerChoices):
    """Technical or health condition on the 1–5 scale offices use (5 is best)."""

    VERY_BAD = 1, "1 – bardzo zły"
    BAD = 2, "2 – zły"
    FAIR = 3, "3 – dostateczny"
    GOOD = 4, "4 – dobry"
    VERY_GOOD = 5, "5 – bardzo dobry"


class RegisterItem(models.Model):
    """What every register item has: its gmina, the office's own number, notes, timestamps."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    external_id = models.CharField(
        "numer w rejestrze",
        max_length=60,
        blank=True,
        default="",
        help_text="Numer nadany przez urząd (np. numer inwentarzowy); ponowny import go rozpoznaje.",
    )
    notes = models.TextField("uwagi", blank=True, default="")
    created_at = models.DateTimeField("utworzono", auto_now_add=True)
    updated_at = models.DateTimeField("zmieniono", auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["gmina", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        label = self._meta.verbose_name.capitalize()
        return f"{label} {self.external_id}" if self.external_id else f"{label} #{self.pk}"


class PointItem(RegisterItem):
    """A register item at a point, with the obręb containing the point stored beside it: reports
    group tens of thousands of rows by obręb by this key instead of a spatial join (see
    inventory/datasets.py). save() keeps it; writers that bypass save() (COPY imports, bulk
    updates, the demo loaders) call sip.services.store_obreby after their write; a changed
    obręb boundary recomputes it through sip.obreb_keys (declared in InventoryConfig.ready)."""

    obreb = models.ForeignKey(
        Obreb,
        verbose_name="obręb",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Obręb gminy, w którym leży punkt (ustalany z położenia).",
    )

    class Meta(RegisterItem.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"geom", "gmina", "gmina_id"} & set(update_fields):
            from sip.selectors import obreb_at

            self.obreb = obreb_at(self.geom, self.gmina_id)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "obreb"}
        super().save(*args, **kwargs)


class SmallArchitecture(PointItem):
    class Kind(models.TextChoices):
        BENCH = "bench", "ławka"
        BIN = "bin", "kosz na śmieci"
        PLAYGROUND = "playground", "urządzenie placu zabaw"
        BIKE_RACK = "bike_rack", "stojak rowerowy"
        SIGN = "sign", "tablica lub znak"
        FOUNTAIN = "fountain", "fontanna"
        PLANTER = "planter", "donica"
        BOLLARD = "bollard", "słupek"
        SHELTER = "shelter", "wiata"
        OTHER = "other", "inny"

    class Material(models.TextChoices):
        WOOD = "wood", "drewno"
        STEEL = "steel", "stal"
        CONCRETE = "concrete", "beton"
        PLASTIC = "plastic", "tworzywo sztuczne"
        STONE = "stone", "kamień"
        MIXED = "mixed", "mieszany"

    kind = models.CharField("rodzaj", max_length=12, choices=Kind.choices)
    material = models.CharField("materiał", max_length=10, choices=Material.choices, blank=True)
    condition = models.PositiveSmallIntegerField("stan", choices=Condition.choices, null=True, blank=True)
    installed_on = models.DateField("data montażu", null=True, blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name="jednostka właścicielska", null=True, blank=True, on_delete=models.SET_NULL
    )
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta(RegisterItem.Meta):
        verbose_name = "obiekt małej architektury"
        verbose_name_plural = "mała architektura"
        ordering = ["gmina", "external_id", "id"]


class LightingLine(RegisterItem):
    circuit = models.CharField("obwód", max_length=30)
    switch_cabinet = models.CharField("szafa oświetleniowa", max_length=30, blank=True)
    cable = models.CharField("kabel", max_length=60, blank=True)
    geom = models.LineStringField("przebieg", srid=STORAGE_SRID)

    class Meta(RegisterItem.Meta):
        verbose_name = "linia oświetleniowa"
        verbose_name_plural = "linie oświetleniowe"
        ordering = ["gmina", "switch_cabinet", "circuit", "id"]


class Lamp(PointItem):
    class PoleType(models.TextChoices):
        STEEL = "steel", "stalowy"
        ALUMINIUM = "aluminium", "aluminiowy"
        CONCRETE = "concrete", "betonowy"
        WOOD = "wood", "drewniany"
        COMPOSITE = "composite", "kompozytowy"
        WALL = "wall", "wysięgnik na budynku"

    line = models.ForeignKey(
        LightingLine,
        verbose_name="linia",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lamps",
    )
    circuit = models.CharField("obwód", max_length=30)
    switch_cabinet = models.CharField("szafa oświetleniowa", max_length=30, blank=True)
    pole_type = models.CharField("rodzaj słupa", max_length=10, choices=PoleType.choices, blank=True)
    height_m = models.DecimalField(
        "wysokość [m]",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    luminaire = models.CharField("oprawa", max_length=80, blank=True)
    power_w = models.PositiveIntegerField("moc [W]", validators=[MaxValueValidator(5000)])
    is_led = models.BooleanField("LED", default=False)
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta(RegisterItem.Meta):
        verbose_name = "latarnia"
        verbose_name_plural = "latarnie"
        ordering = ["gmina", "switch_cabinet", "circuit", "external_id", "id"]
        indexes = [models.Index(fields=["gmina", "switch_cabinet", "circuit"], name="lamp_circuit")]


class TreeSpecies(models.Model):
    """The species dictionary. The felling threshold is the trunk circumference at 5 cm above
    ground up to which felling needs no permit (ustawa o ochronie przyrody, art. 83f)."""

    latin_name = models.CharField("nazwa łacińska", max_length=80, unique=True)
    polish_name = models.CharField("nazwa polska", max_length=80)
    felling_threshold_cm = models.PositiveSmallIntegerField(
        "próg obwodu bez zezwolenia [cm]", choices=[(50, "50 cm"), (65, "65 cm"), (80, "80 cm")], default=50
    )

    class Meta:
        verbose_name = "gatunek drzewa"
        verbose_name_plural = "gatunki drzew"
        ordering = ["polish_name"]

    def __str__(self) -> str:
        return f"{self.polish_name} ({self.latin_name})"


class Tree(PointItem):
    class Treatment(models.TextChoices):
        NONE = "none", "brak"
        OBSERVE = "observe", "obserwacja"
        SANITARY = "sanitary", "cięcie sanitarne"
        CORRECTIVE = "corrective", "cięcie korygujące"
        TECHNICAL = "technical", "cięcie techniczne"
        BRACING = "bracing", "wiązanie korony"
        DEADWOOD = "deadwood", "usunięcie posuszu"
        FELLING = "felling", "do usunięcia"

    species = models.ForeignKey(TreeSpecies, verbose_name="gatunek", on_delete=models.PROTECT)
    trunk_circumference_cm = models.PositiveIntegerField(
        "obwód pnia na 130 cm [cm]", validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    circumference_at_5cm_cm = models.PositiveIntegerField(
        "obwód pnia na 5 cm [cm]",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2500)],
    )
    height_m = models.DecimalField(
        "wysokość [m]",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    crown_diameter_m = models.DecimalField(
        "średnica korony [m]",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    condition = models.PositiveSmallIntegerField("stan", choices=Condition.choices, null=True, blank=True)
    natural_monument = models.BooleanField("pomnik przyrody", default=False)
    recommended_treatment = models.CharField(
        "zalecany zabieg", max_length=10, choices=Treatment.choices, blank=True
    )
    surveyed_on = models.DateField("data inwentaryzacji", null=True, blank=True)
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta(RegisterItem.Meta):
        verbose_name = "drzewo"
        verbose_name_plural = "drzewa"
        ordering = ["gmina", "external_id", "id"]


class RegisterVisibility(models.Model):
    """Whether a gmina shows a register to residents; without a row the register's default holds."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    register = models.CharField("rejestr", max_length=40)
    is_public = models.BooleanField("publiczny", default=False)

    class Meta:
        verbose_name = "widoczność rejestru"
        verbose_name_plural = "widoczność rejestrów"
        constraints = [
            models.UniqueConstraint(fields=["gmina", "register"], name="register_visibility_unique")
        ]

    def __str__(self) -> str:
        return f"{self.register} – {'publiczny' if self.is_public else 'wewnętrzny'}"


class Inspection(models.Model):
    """An inspection (przegląd) of any register item."""

    class Result(models.TextChoices):
        OK = "ok", "bez uwag"
        MINOR = "minor", "drobne usterki"
        REPAIR = "repair", "wymaga naprawy"
        OUT_OF_USE = "out_of_use", "wyłączyć z użytkowania"

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    content_type = models.ForeignKey(ContentType, verbose_name="rodzaj obiektu", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField("identyfikator obiektu")
    item = GenericForeignKey("content_type", "object_id")
    inspected_on = models.DateField("data przeglądu")
    inspector = models.CharField("przeprowadził", max_length=120)
    result = models.CharField("wynik", max_length=10, choices=Result.choices)
    notes = models.TextField("uwagi", blank=True, default="")
    next_due = models.DateField("następny przegląd", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="wpisał", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "przegląd"
        verbose_name_plural = "przeglądy"
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-inspected_on"], name="inspection_item"),
            models.Index(fields=["gmina", "next_due"], name="inspection_due"),
        ]
        constraints = [
            models.CheckConstraint(
                name="inspection_next_due_after_date",
                condition=Q(next_due__isnull=True) | Q(next_due__gt=models.F("inspected_on")),
            )
        ]

    def __str__(self) -> str:
        return f"Przegląd {self.inspected_on:%d.%m.%Y} ({self.get_result_display()})"


class Photo(models.Model):
    """A photo of a register item or of an inspection."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    content_type = models.ForeignKey(ContentType, verbose_name="rodzaj obiektu", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField("identyfikator obiektu")
    item = GenericForeignKey("content_type", "object_id")
    # Re-encoded by Pillow on save (sip.images): an uploaded HTML or SVG cannot become a photo.
    image = SanitizedImageField("zdjęcie", upload_to="inventory/photos/%Y/%m/")
    caption = models.CharField("opis", max_length=200, blank=True)
    uploaded_at = models.DateTimeField("dodano", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="dodał", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "zdjęcie"
        verbose_name_plural = "zdjęcia"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="photo_item")]

    def __str__(self) -> str:
        return self.caption or self.image.name


class TreeOnMap(models.Model):
    """Trees with their species names (a database view) for the map layer and its popups;
    is_public tells whether the gmina's tree register is public (see RegisterVisibility)."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.DO_NOTHING)
    external_id = models.CharField("numer w rejestrze", max_length=60)
    species_polish = models.CharField("gatunek", max_length=80)
    species_latin = models.CharField("nazwa łacińska", max_length=80)
    trunk_circumference_cm = models.PositiveIntegerField("obwód pnia na 130 cm [cm]")
    height_m = models.DecimalField("wysokość [m]", max_digits=4, decimal_places=1, null=True)
    crown_diameter_m = models.DecimalField("średnica korony [m]", max_digits=4, decimal_places=1, null=True)
    condition = models.PositiveSmallIntegerField("stan", null=True)
    natural_monument = models.BooleanField("pomnik przyrody")
    geom = models.PointField("położenie", srid=STORAGE_SRID)
    is_public = models.BooleanField("rejestr publiczny")

    class Meta:
        managed = False
        db_table = "inventory_tree_map"
        verbose_name = "drzewo na mapie"
        verbose_name_plural = "drzewa na mapie"


class _OnMap(models.Model):
    """Rows of a register with whether the register is public in the row's gmina (a database
    view, see migration 0007): what the register's map layer (WMS/WFS) reads. The layer shows
    residents the public rows and staff also their gmina's internal ones (layers.selectors)."""

    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.DO_NOTHING)
    external_id = models.CharField("numer w rejestrze", max_length=60)
    is_public = models.BooleanField("rejestr publiczny")

    class Meta:
        abstract = True
        managed = False


class SmallArchitectureOnMap(_OnMap):
    kind = models.CharField("rodzaj", max_length=12, choices=SmallArchitecture.Kind.choices)
    material = models.CharField("materiał", max_length=10, choices=SmallArchitecture.Material.choices)
    condition = models.PositiveSmallIntegerField("stan", null=True)
    installed_on = models.DateField("data montażu", null=True)
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta(_OnMap.Meta):
        db_table = "inventory_smallarchitecture_map"


class LampOnMap(_OnMap):
    circuit = models.CharField("obwód", max_length=30)
    switch_cabinet = models.CharField("szafa oświetleniowa", max_length=30)
    pole_type = models.CharField("rodzaj słupa", max_length=10, choices=Lamp.PoleType.choices)
    height_m = models.DecimalField("wysokość [m]", max_digits=4, decimal_places=1, null=True)
    luminaire = models.CharField("oprawa", max_length=80)
    power_w = models.PositiveIntegerField("moc [W]")
    is_led = models.BooleanField("LED")
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta(_OnMap.Meta):
        db_table = "inventory_lamp_map"


class LightingLineOnMap(_OnMap):
    circuit = models.CharField("obwód", max_length=30)
    switch_cabinet = models.CharField("szafa oświetleniowa", max_length=30)
    cable = models.CharField("kabel", max_length=60)
    geom = models.LineStringField("przebieg", srid=STORAGE_SRID)

    class Meta(_OnMap.Meta):
        db_table = "inventory_lightingline_map"
