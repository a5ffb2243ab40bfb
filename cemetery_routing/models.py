"""Cemeteries: gates, sections (kwatery), graves, burials, photos, the alley graph.

The grave holder (dysponent) is personal data (RODO): it lives in its own table, GraveHolder,
that no public selector, API view or page reads.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db.models import Q

from sip.images import SanitizedImageField
from sip.models import STORAGE_SRID, Gmina
from sip.text import fold


class Cemetery(models.Model):
    gmina = models.ForeignKey(Gmina, verbose_name="gmina", on_delete=models.CASCADE)
    name = models.CharField("nazwa", max_length=150)
    slug = models.SlugField("skrót w adresie", max_length=80, unique=True)
    address = models.CharField("adres", max_length=200, blank=True)
    manager = models.CharField("zarządca", max_length=200, blank=True)
    boundary = models.MultiPolygonField("granica", srid=STORAGE_SRID)
    graph_built_at = models.DateTimeField("sieć alejek zbudowana", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "cmentarz"
        verbose_name_plural = "cmentarze"
        ordering = ["gmina", "name"]

    def __str__(self) -> str:
        return self.name


class Gate(models.Model):
    cemetery = models.ForeignKey(
        Cemetery, verbose_name="cmentarz", related_name="gates", on_delete=models.CASCADE
    )
    name = models.CharField("nazwa", max_length=100)
    step_free = models.BooleanField("bez schodów", default=True)
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "brama"
        verbose_name_plural = "bramy"
        ordering = ["cemetery", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cemetery", "name"], name="gate_name_unique_in_cemetery")
        ]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A kwatera: a block of graves between alleys."""

    cemetery = models.ForeignKey(
        Cemetery, verbose_name="cmentarz", related_name="sections", on_delete=models.CASCADE
    )
    name = models.CharField("oznaczenie kwatery", max_length=20)
    geom = models.PolygonField("obrys", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "kwatera"
        verbose_name_plural = "kwatery"
        ordering = ["cemetery", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cemetery", "name"], name="section_name_unique_in_cemetery")
        ]

    def __str__(self) -> str:
        return f"kwatera {self.name}"


class Grave(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "pojedynczy"
        DOUBLE = "double", "podwójny"
        FAMILY_TOMB = "family_tomb", "grobowiec rodzinny"
        URN_NICHE = "urn_niche", "niszowy urnowy"
        COLUMBARIUM = "columbarium", "kolumbarium"

    class Status(models.TextChoices):
        FREE = "free", "wolny"
        OCCUPIED = "occupied", "zajęty"
        RESERVED = "reserved", "zarezerwowany"

    # Kept next to the section so that scoping, search and routing filter without a join.
    cemetery = models.ForeignKey(
        Cemetery, verbose_name="cmentarz", related_name="graves", on_delete=models.CASCADE
    )
    section = models.ForeignKey(
        Section, verbose_name="kwatera", related_name="graves", on_delete=models.PROTECT
    )
    row = models.CharField("rząd", max_length=10)
    number = models.CharField("numer", max_length=10)
    kind = models.CharField("rodzaj", max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    status = models.CharField("stan", max_length=10, choices=Status.choices, default=Status.FREE)
    lease_expires = models.DateField("opłacony do", null=True, blank=True)
    geom = models.PointField("położenie", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "grób"
        verbose_name_plural = "groby"
        ordering = ["cemetery", "section__name", "row", "number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "row", "number"], name="grave_unique_in_section"),
        ]
        indexes = [models.Index(fields=["cemetery", "status", "lease_expires"], name="grave_status_lease")]

    def __str__(self) -> str:
        return f"{self.section.name}/{self.row}/{self.number}"

    @property
    def label(self) -> str:
        return f"kwatera {self.section.name}, rząd {self.row}, grób {self.number}"

    def clean(self):
        if self.section_id and self.cemetery_id and self.section.cemetery_id != self.cemetery_id:
            raise ValidationError({"section": "Kwatera należy do innego cmentarza."})


class GraveHolder(models.Model):
    """The person who holds the grave's lease (dysponent grobu): personal data, staff only."""

    grave = models.OneToOneField(Grave, verbose_name="grób", related_name="holder", on_delete=models.CASCADE)
    full_name = models.CharField("imię i nazwisko", max_length=150)
    address = models.CharField("adres", max_length=200, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)

    class Meta:
        verbose_name = "dysponent grobu"
        verbose_name_plural = "dysponenci grobów"

    def __str__(self) -> str:
        return self.full_name


def name_tokens(*names: str) -> list[str]:
    """Folded words of the names (Nowak-Wiśniewska -> nowak, wisniewska), for the search index."""
    out: list[str] = []
    for name in names:
        for word in fold((name or "").replace("-", " ")).split():
            if word not in out:
                out.append(word)
    return out


class Burial(models.Model):
    grave = models.ForeignKey(Grave, verbose_name="grób", related_name="burials", on_delete=models.CASCADE)
    first_name = models.CharField("imię", max_length=60)
    surname = models.CharField("nazwisko", max_length=80)
    family_name = models.CharField("nazwisko rodowe", max_length=80, blank=True)
    birth_date = models.DateField("data urodzenia", null=True, blank=True)
    death_date = models.DateField("data śmierci", null=True, blank=True)
    burial_date = models.DateField("data pochówku", null=True, blank=True)
    record = models.TextField("krótki biogram", blank=True)
    is_public = models.BooleanField(
        "widoczny publicznie",
        default=True,
        help_text="Odznacz na prośbę rodziny: wpis zobaczą tylko pracownicy.",
    )
    # Folded words of first name, surname and family name (save() keeps them; bulk writers call
    # name_tokens()); the fuzzy search matches query words against them.
    search_names = ArrayField(models.CharField(max_length=80), editable=False, default=list)

    class Meta:
        verbose_name = "pochówek"
        verbose_name_plural = "pochówki"
        ordering = ["grave", "burial_date", "id"]
        indexes = [GinIndex(fields=["search_names"], name="burial_search_names")]
        constraints = [
            models.CheckConstraint(
                name="burial_dates_in_order",
                condition=Q(birth_date__isnull=True)
                | Q(death_date__isnull=True)
                | Q(birth_date__lte=models.F("death_date")),
                violation_error_message="Data urodzenia jest późniejsza niż data śmierci.",
            ),
            models.CheckConstraint(
                name="burial_after_death",
                condition=Q(burial_date__isnull=True)
                | Q(death_date__isnull=True)
                | Q(death_date__lte=models.F("burial_date")),
                violation_error_message="Data pochówku jest wcześniejsza niż data śmierci.",
            ),
        ]

    def save(self, *args, **kwargs):
        self.search_names = name_tokens(self.surname, self.first_name, self.family_name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.first_name} {self.surname}"

    @property
    def full_name(self) -> str:
        if self.family_name and self.family_name != self.surname:
            return f"{self.first_name} {self.surname} z d. {self.family_name}"
        return f"{self.first_name} {self.surname}"


class NameToken(models.Model):
    """Every distinct folded name word in burials; the typo-tolerant search scans this short list
    (a few thousand words) instead of every burial. Kept by a database trigger on Burial."""

    token = models.CharField(max_length=80, primary_key=True)

    class Meta:
        verbose_name = "słowo nazwiska"
        verbose_name_plural = "słowa nazwisk"


class GravePhoto(models.Model):
    class Kind(models.TextChoices):
        GROUND = "ground", "z ziemi"
        DRONE = "drone", "z drona"

    grave = models.ForeignKey(Grave, verbose_name="grób", related_name="photos", on_delete=models.CASCADE)
    kind = models.CharField("rodzaj zdjęcia", max_length=8, choices=Kind.choices, default=Kind.GROUND)
    image = SanitizedImageField("zdjęcie", upload_to="cemetery/photos/")
    taken_on = models.DateField("data zdjęcia")
    caption = models.CharField("opis", max_length=200, blank=True)

    class Meta:
        verbose_name = "zdjęcie grobu"
        verbose_name_plural = "zdjęcia grobów"
        ordering = ["grave", "-taken_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.taken_on:%Y-%m-%d}"


class Orthophoto(models.Model):
    """A drone orthophoto of the cemetery: an image north-up in Web Mercator (EPSG:3857, as web
    maps show it, with a world file beside it); `extent` is its outline in EPSG:2180."""

    cemetery = models.ForeignKey(
        Cemetery, verbose_name="cmentarz", related_name="orthophotos", on_delete=models.CASCADE
    )
    image = SanitizedImageField("obraz", upload_to="cemetery/orthophoto/", max_side=8192)
    taken_on = models.DateField("data nalotu")
    extent = models.PolygonField("zasięg", srid=STORAGE_SRID)
    pixel_size_m = models.FloatField("rozdzielczość terenowa [m]")

    class Meta:
        verbose_name = "ortofotomapa z drona"
        verbose_name_plural = "ortofotomapy z drona"
        ordering = ["cemetery", "-taken_on"]

    def __str__(self) -> str:
        return f"{self.cemetery} {self.taken_on:%Y-%m-%d}"


class Alley(models.Model):
    """An alley, path or flight of stairs as drawn by staff; build_cemetery_graph nodes them."""

    class Kind(models.TextChoices):
        MAIN = "main", "aleja"
        PATH = "path", "ścieżka"
        STAIRS = "stairs", "schody"

    class Surface(models.TextChoices):
        ASPHALT = "asphalt", "asfalt"
        PAVING = "paving", "kostka"
        GRAVEL = "gravel", "żwir"
        GROUND = "ground", "grunt"

    cemetery = models.ForeignKey(
        Cemetery, verbose_name="cmentarz", related_name="alleys", on_delete=models.CASCADE
    )
    name = models.CharField(
        "nazwa", max_length=100, blank=True, help_text="np. Aleja Lipowa; puste dla ścieżek"
    )
    name_accusative = models.CharField(
        "nazwa w bierniku",
        max_length=100,
        blank=True,
        help_text="Do wskazówek „Skręć w … ”, np. aleję Lipową. Puste: utworzona z nazwy.",
    )
    kind = models.CharField("rodzaj", max_length=8, choices=Kind.choices, default=Kind.PATH)
    surface = models.CharField("nawierzchnia", max_length=8, choices=Surface.choices, default=Surface.PAVING)
    step_free = models.BooleanField("bez schodów", default=True)
    geom = models.LineStringField("przebieg", srid=STORAGE_SRID)

    class Meta:
        verbose_name = "aleja lub ścieżka"
        verbose_name_plural = "aleje i ścieżki"
        ordering = ["cemetery", "kind", "name"]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.pk}"


class AlleyEdge(models.Model):
    """One edge of the routing graph: a piece of an alley between two junctions.

    Written only by build_cemetery_graph (cemetery_routing.routing); source and target are
    junction ids, component numbers the connected part of the graph the edge belongs to."""

    cemetery = models.ForeignKey(Cemetery, on_delete=models.CASCADE, related_name="edges")
    alley = models.ForeignKey(Alley, on_delete=models.CASCADE, related_name="edges")
    source = models.BigIntegerField()
    target = models.BigIntegerField()
    length = models.FloatField()
    step_free = models.BooleanField()
    component = models.BigIntegerField(default=0)
    geom = models.LineStringField(srid=STORAGE_SRID)

    class Meta:
        verbose_name = "krawędź sieci alejek"
        verbose_name_plural = "krawędzie sieci alejek"
        indexes = [models.Index(fields=["cemetery", "step_free"], name="alleyedge_cemetery")]


class NetworkAccess(models.Model):
    """Where a grave or a gate meets the alley network: its nearest edge (of every edge, or of
    the step-free ones), the fraction along it and the distance to it.

    Written by build_cemetery_graph next to the edges, so that a route need not search for
    them. The object's position at that time is kept: a grave or gate moved or added since is
    snapped afresh by the route query instead."""

    cemetery = models.ForeignKey(Cemetery, on_delete=models.CASCADE, related_name="+")
    grave = models.ForeignKey(Grave, null=True, on_delete=models.CASCADE, related_name="+")
    gate = models.ForeignKey(Gate, null=True, on_delete=models.CASCADE, related_name="+")
    step_free = models.BooleanField()
    geom = models.PointField(srid=STORAGE_SRID)
    edge = models.ForeignKey(AlleyEdge, on_delete=models.CASCADE, related_name="+")
    fraction = models.FloatField()
    distance = models.FloatField()
    component = models.BigIntegerField()
    on_network = models.PointField(srid=STORAGE_SRID)

    class Meta:
        verbose_name = "dojście do sieci alejek"
        verbose_name_plural = "dojścia do sieci alejek"
        constraints = [
            models.UniqueConstraint(fields=["grave", "step_free"], name="networkaccess_grave"),
            models.UniqueConstraint(fields=["gate", "step_free"], name="networkaccess_gate"),
            models.CheckConstraint(
                condition=Q(grave__isnull=False, gate__isnull=True)
                | Q(grave__isnull=True, gate__isnull=False),
                name="networkaccess_grave_or_gate",
            ),
        ]
