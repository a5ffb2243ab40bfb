"""The register declarations: one small declaration per register, read by everything else.

The API, the staff pages, the importers and the exporters know nothing about trees or lamps;
they read a `Register`: its model, geometry, attributes with their Polish column names, and
computed values. inventory/maplayers.py publishes the registers as map layers (WMS/WFS).

Adding a register: a model deriving from `models.RegisterItem` with a `geom` field, a
migration, and one `Register(...)` in REGISTERS below; for its map layer, a view of its rows
with `inventory_register_is_public(gmina_id, '<slug>') AS is_public` and an entry in
inventory/maplayers.py. Whether a register is public by default is decided by that one SQL rule
(a new version of sql/register_public_vN.sql for a register that starts internal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db import models as djm
from django.db.models import Case, F, Q, Value, When

from sip.models import Gmina, Unit
from sip.text import fold

from . import values as v
from .models import Lamp as LampModel
from .models import LightingLine, SmallArchitecture, Tree, TreeSpecies


@dataclass(frozen=True)
class Ref:
    """A foreign key filled from text: `lookup(gmina)` gives {folded text: pk}."""

    lookup: Callable[[Gmina], dict[str, int]]
    display: Callable[[object], str]
    options: Callable[[Gmina | None], djm.QuerySet]
    unknown: str  # Polish, with {value}
    # The register whose items it points at, if any: whoever may not see that register of the
    # item's gmina is not shown the reference (selectors.items hides it).
    register: str = ""


@dataclass(frozen=True)
class Attr:
    """One attribute of a register: the model field `name`, how it is typed in."""

    name: str
    headers: tuple[str, ...] = ()  # Polish column names besides the field's label, for guessing
    required: bool = False
    shp: str = ""  # Shapefile field name (10 characters at most)
    ref: Ref | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # more words for choices
    filter: bool = True


@dataclass(frozen=True)
class Computed:
    """A value computed in the database for every item (an annotation), filterable."""

    name: str
    label: str
    expression: Callable[[], djm.Expression]
    choices: tuple[tuple[str, str], ...]
    shp: str


@dataclass(frozen=True)
class Register:
    slug: str
    model: type
    title: str
    item_title: str
    geometry: str  # "Point" | "LineString"
    attrs: tuple[Attr, ...]
    description: str
    style: dict = field(default_factory=dict)
    computed: tuple[Computed, ...] = ()
    related: tuple[str, ...] = ()
    id_headers: tuple[str, ...] = ()  # more Polish names of the office number column

    # --- metadata -------------------------------------------------------------------------
    def model_field(self, name: str) -> djm.Field:
        return self.model._meta.get_field(name)

    def label(self, name: str) -> str:
        for c in self.computed:
            if c.name == name:
                return c.label
        if name == "external_id":
            return "Numer w rejestrze"
        if name == "notes":
            return "Uwagi"
        text = str(self.model_field(name).verbose_name)
        return text[:1].upper() + text[1:]

    @property
    def all_attrs(self) -> tuple[Attr, ...]:
        """The declared attributes plus the office number and notes every register has."""
        return (
            Attr(
                "external_id",
                ("numer", "nr", "nr inwentarzowy", "numer inwentarzowy", "id", *self.id_headers),
                shp="nr_rej",
            ),
            *self.attrs,
            Attr("notes", ("uwagi", "opis", "komentarz"), shp="uwagi", filter=False),
        )

    def attr(self, name: str) -> Attr:
        for a in self.all_attrs:
            if a.name == name:
                return a
        raise KeyError(name)

    @property
    def public_by_default(self) -> bool:
        """Whether residents see this register in a gmina that has not chosen: asked of the one
        rule in the database (sql/register_public_v1.sql), which the map views read too."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT inventory_register_public_default(%s)", [self.slug])
            return cursor.fetchone()[0]

    def perm(self, action: str) -> str:
        return f"inventory.{action}_{self.model._meta.model_name}"

    def queryset(self) -> djm.QuerySet:
        qs = self.model.objects.all()
        if self.related:
            qs = qs.select_related(*self.related)
        for c in self.computed:
            qs = qs.annotate(**{c.name: c.expression()})
        return qs

    # --- values ----------------------------------------------------------------------------
    def convert(self, attr: Attr, raw, lookups: dict[str, dict[str, int]] | None = None):
        """Return the stored value of `raw` for this attribute, or raise values.ValueProblem."""
        f = self.model_field(attr.name)
        if attr.ref is not None:
            if v.is_blank(raw):
                result = None
            elif isinstance(raw, djm.Model):  # chosen in a form
                result = raw.pk
            else:
                table = (lookups or {}).get(attr.name, {})
                text = fold(str(raw))
                result = table.get(text)
                if result is None and "(" in text:  # "lipa drobnolistna (tilia cordata)"
                    inner = text[text.index("(") + 1 :].rstrip(")").strip()
                    outer = text[: text.index("(")].strip()
                    result = table.get(inner) or table.get(outer)
                if result is None:
                    raise v.ValueProblem(attr.ref.unknown.format(value=str(raw).strip()))
        elif f.choices and not isinstance(f, djm.BooleanField):
            result = v.to_choice(raw, f.choices, attr.aliases)
            if result is None and not f.null:
                result = ""
        elif isinstance(f, djm.BooleanField):
            result = v.to_bool(raw)
        elif isinstance(f, djm.DecimalField):
            lo, hi = _bounds(f)
            result = v.to_decimal(
                raw, places=f.decimal_places, max_digits=f.max_digits, minimum=lo, maximum=hi
            )
        elif isinstance(f, djm.IntegerField):
            lo, hi = _bounds(f)
            result = v.to_int(raw, minimum=lo if lo is not None else 0, maximum=hi)
        elif isinstance(f, djm.DateField):
            result = v.to_date(raw)
        else:
            result = v.to_text(raw, max_length=f.max_length or 10_000)
        if attr.required and result in (None, ""):
            raise v.ValueProblem("wartość wymagana")
        return result

    def converter(self, attr: Attr, lookups: dict[str, dict[str, int]] | None = None) -> Callable:
        """Return a function raw -> stored value for this attribute (raises values.ValueProblem),
        with the field's metadata looked up once: the importer calls it for every cell."""
        f = self.model_field(attr.name)
        if attr.ref is None and not f.choices and isinstance(f, djm.CharField | djm.TextField):
            max_length = f.max_length or 10_000
            required = attr.required

            def text(raw):
                value = v.to_text(raw, max_length=max_length)
                if required and not value:
                    raise v.ValueProblem("wartość wymagana")
                return value

            def column(cells: list) -> list | None:
                """A whole column of text cells at once, as text() would give them; None when a
                cell is not text or fails, so that each cell goes through text() and its reason."""
                if set(map(type, cells)) - {str}:
                    return None
                values = [" ".join(c.split()) for c in cells]
                if max(map(len, values), default=0) > max_length or (required and not all(values)):
                    return None
                if v.CONTROL_CHARACTERS.search("".join(values)):
                    return None
                return values

            text.column = column
            return text
        if attr.ref is None and not f.choices and type(f) in (djm.IntegerField, djm.PositiveIntegerField):
            lo, hi = _bounds(f)
            lo = 0 if lo is None else lo
            required = attr.required

            def integer(raw):
                if type(raw) is int and (hi is None or raw <= hi) and raw >= lo:
                    return raw
                value = v.to_int(raw, minimum=lo, maximum=hi)
                if required and value is None:
                    raise v.ValueProblem("wartość wymagana")
                return value

            return integer
        return lambda raw: self.convert(attr, raw, lookups)

    def lookups(self, gmina: Gmina) -> dict[str, dict[str, int]]:
        return {a.name: a.ref.lookup(gmina) for a in self.attrs if a.ref is not None}


def _bounds(f):
    lo = hi = None
    for validator in f.validators:
        if isinstance(validator, MinValueValidator):
            lo = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            hi = validator.limit_value
    return lo, hi


# --- references ------------------------------------------------------------------------------
def _species_lookup(gmina) -> dict[str, int]:
    table: dict[str, int] = {}
    for pk, latin, polish in TreeSpecies.objects.values_list("pk", "latin_name", "polish_name"):
        table[fold(latin)] = pk
        table.setdefault(fold(polish), pk)
        table[fold(f"{polish} ({latin})")] = pk
    return table


def _unit_options(gmina):
    if gmina is None:
        return Unit.objects.all()
    return Unit.objects.filter(Q(gmina=gmina) | Q(gmina__isnull=True))


def _unit_lookup(gmina) -> dict[str, int]:
    return {fold(name): pk for pk, name in _unit_options(gmina).values_list("pk", "name")}


def _line_lookup(gmina) -> dict[str, int]:
    return {
        fold(ext): pk
        for pk, ext in LightingLine.objects.filter(gmina=gmina)
        .exclude(external_id="")
        .values_list("pk", "external_id")
    }


SPECIES = Ref(
    lookup=_species_lookup,
    display=str,
    options=lambda gmina: TreeSpecies.objects.all(),
    unknown="nieznany gatunek „{value}” (brak w słowniku gatunków)",
)
OWNER_UNIT = Ref(
    lookup=_unit_lookup,
    display=lambda u: u.name,
    options=_unit_options,
    unknown="nieznana jednostka „{value}”",
)
LINE = Ref(
    lookup=_line_lookup,
    display=lambda line: line.external_id or f"#{line.pk}",
    options=lambda gmina: LightingLine.objects.filter(gmina=gmina) if gmina else LightingLine.objects.all(),
    unknown="nie ma linii oświetleniowej o numerze „{value}”",
    register="lighting-lines",
)

CONDITION_WORDS = {
    "bardzo zly": 1,
    "zly": 2,
    "dostateczny": 3,
    "sredni": 3,
    "dobry": 4,
    "bardzo dobry": 5,
}


def felling_permit_expression():
    """Whether felling needs a permit (art. 83f ustawy o ochronie przyrody): the circumference at
    5 cm above ground above the species threshold. It is never smaller than at 130 cm, so a tree
    over the threshold at 130 cm needs a permit even when the 5 cm circumference is unknown."""
    threshold = F("species__felling_threshold_cm")
    return Case(
        When(natural_monument=True, then=Value("monument")),
        When(circumference_at_5cm_cm__gt=threshold, then=Value("required")),
        When(circumference_at_5cm_cm__isnull=False, then=Value("not_required")),
        When(trunk_circumference_cm__gt=threshold, then=Value("required")),
        default=Value("measure"),
        output_field=djm.CharField(),
    )


FELLING_PERMIT_CHOICES = (
    ("required", "wymaga zezwolenia"),
    ("not_required", "bez zezwolenia"),
    ("measure", "zmierzyć obwód na 5 cm"),
    ("monument", "pomnik przyrody – najpierw zniesienie ochrony"),
)

REGISTERS: dict[str, Register] = {
    r.slug: r
    for r in (
        Register(
            slug="small-architecture",
            model=SmallArchitecture,
            title="Mała architektura",
            item_title="obiekt małej architektury",
            geometry="Point",
            description="Ławki, kosze, urządzenia placów zabaw, stojaki rowerowe, tablice, fontanny.",
            attrs=(
                Attr(
                    "kind",
                    ("rodzaj", "typ", "rodzaj obiektu", "obiekt", "nazwa obiektu"),
                    required=True,
                    shp="rodzaj",
                    aliases={
                        "kosz": "bin",
                        "smietnik": "bin",
                        "hustawka": "playground",
                        "zjezdzalnia": "playground",
                        "piaskownica": "playground",
                        "karuzela": "playground",
                        "stojak": "bike_rack",
                        "znak": "sign",
                        "tablica": "sign",
                        "wiata": "shelter",
                        "pacholek": "bollard",
                    },
                ),
                Attr("material", ("materiał", "material wykonania"), shp="material"),
                Attr(
                    "condition",
                    ("stan", "stan techniczny", "ocena stanu"),
                    shp="stan",
                    aliases=CONDITION_WORDS,
                ),
                Attr("installed_on", ("data montażu", "data instalacji", "zamontowano"), shp="montaz"),
                Attr(
                    "owner_unit",
                    ("właściciel", "jednostka", "zarządca", "jednostka właścicielska"),
                    shp="wlasciciel",
                    ref=OWNER_UNIT,
                ),
            ),
            related=("owner_unit",),
            style={"color": "#6a3d9a", "radius": 4},
        ),
        Register(
            slug="lighting-lines",
            model=LightingLine,
            title="Oświetlenie – linie",
            item_title="linia oświetleniowa",
            geometry="LineString",
            description="Linie kablowe i napowietrzne oświetlenia ulicznego z obwodem i szafą.",
            attrs=(
                Attr("circuit", ("obwód", "nr obwodu", "numer obwodu"), required=True, shp="obwod"),
                Attr("switch_cabinet", ("szafa", "szafa oświetleniowa", "szafa sterownicza"), shp="szafa"),
                Attr("cable", ("kabel", "typ kabla", "przewód"), shp="kabel"),
            ),
            style={"color": "#e08a00", "weight": 2},
            id_headers=("nr linii", "numer linii"),
        ),
        Register(
            slug="lamps",
            model=LampModel,
            title="Oświetlenie – latarnie",
            item_title="latarnia",
            geometry="Point",
            description="Punkty świetlne: słup, oprawa, moc, obwód i szafa oświetleniowa.",
            attrs=(
                Attr("circuit", ("obwód", "nr obwodu", "numer obwodu"), required=True, shp="obwod"),
                Attr("switch_cabinet", ("szafa", "szafa oświetleniowa", "szafa sterownicza"), shp="szafa"),
                Attr("line", ("linia", "nr linii", "numer linii"), shp="linia", ref=LINE),
                Attr("pole_type", ("słup", "rodzaj słupa", "typ słupa"), shp="slup"),
                Attr("height_m", ("wysokość", "wysokość słupa", "wys"), shp="wysokosc"),
                Attr("luminaire", ("oprawa", "typ oprawy", "rodzaj oprawy"), shp="oprawa"),
                Attr("power_w", ("moc", "moc oprawy", "moc w"), required=True, shp="moc_w"),
                Attr("is_led", ("led", "źródło led", "czy led"), shp="led"),
            ),
            related=("line",),
            id_headers=("nr słupa", "numer słupa", "nr punktu świetlnego", "nr latarni"),
            style={"color": "#f5c400", "radius": 3},
        ),
        Register(
            slug="trees",
            model=Tree,
            title="Drzewa",
            item_title="drzewo",
            geometry="Point",
            description="Inwentaryzacja drzew: gatunek, wymiary, stan, zalecenia, pomniki przyrody.",
            attrs=(
                Attr(
                    "species",
                    ("gatunek", "nazwa gatunkowa", "gatunek drzewa", "nazwa łacińska", "nazwa polska"),
                    required=True,
                    shp="gatunek",
                    ref=SPECIES,
                ),
                Attr(
                    "trunk_circumference_cm",
                    ("obwód pnia", "obwód", "obwód pnia na wysokości 130 cm", "obwód na 130 cm", "pierśnica"),
                    required=True,
                    shp="obwod130",
                ),
                Attr(
                    "circumference_at_5cm_cm",
                    ("obwód pnia na wysokości 5 cm", "obwód na 5 cm", "obwód przy ziemi"),
                    shp="obwod5",
                ),
                Attr("height_m", ("wysokość", "wysokość drzewa", "wys"), shp="wysokosc"),
                Attr("crown_diameter_m", ("średnica korony", "rozpiętość korony", "korona"), shp="korona"),
                Attr(
                    "condition",
                    ("stan", "stan zdrowotny", "kondycja", "stan drzewa"),
                    shp="stan",
                    aliases=CONDITION_WORDS,
                ),
                Attr("natural_monument", ("pomnik przyrody", "pomnik"), shp="pomnik"),
                Attr(
                    "recommended_treatment",
                    ("zalecenia", "zalecany zabieg", "zabieg", "zalecenia pielęgnacyjne"),
                    shp="zabieg",
                    aliases={"wycinka": "felling", "usuniecie": "felling", "brak zalecen": "none"},
                ),
                Attr("surveyed_on", ("data inwentaryzacji", "data oceny", "data pomiaru"), shp="data_inw"),
            ),
            computed=(
                Computed(
                    "felling_permit",
                    "Zezwolenie na wycinkę",
                    felling_permit_expression,
                    FELLING_PERMIT_CHOICES,
                    shp="zezwolenie",
                ),
            ),
            related=("species",),
            id_headers=("nr drzewa", "numer drzewa"),
            style={"color": "#2e7d32", "radius": 3},
        ),
    )
}


class UnknownRegister(LookupError):
    pass


def get_register(slug: str) -> Register:
    try:
        return REGISTERS[slug]
    except KeyError:
        names = ", ".join(REGISTERS)
        raise UnknownRegister(f"Nie ma rejestru „{slug}”. Rejestry: {names}.") from None
