"""The registers as map layers (see layers.registry).

Each layer reads a view of the register's rows with is_public: whether the register is public in
the row's gmina (a gmina's editors switch it on the registers page), by the SQL rule the register
API reads too (inventory_register_is_public, sql/register_public_v1.sql). WMS,
WFS and GetFeatureInfo show residents only the public rows, as the register API does, and staff
also their own gmina's internal rows (the central unit: all), through the layer's public_field.
Trees carry their species names, so that a popup says "lipa drobnolistna".
"""

from django.utils.translation import gettext_noop

from layers.registry import register

from .registers import REGISTERS

LAYERS = {
    # register slug: (layer name, model of its map view, fields with Polish labels, style)
    "small-architecture": (
        "mala-architektura",
        "inventory.SmallArchitectureOnMap",
        [
            ("external_id", gettext_noop("numer w rejestrze")),
            ("kind", gettext_noop("rodzaj")),
            ("material", gettext_noop("materiał")),
            ("condition", gettext_noop("stan (1–5)")),
            ("installed_on", gettext_noop("data montażu")),
        ],
        {"symbol": "square"},
    ),
    "lighting-lines": (
        "oswietlenie-linie",
        "inventory.LightingLineOnMap",
        [
            ("external_id", gettext_noop("numer w rejestrze")),
            ("circuit", gettext_noop("obwód")),
            ("switch_cabinet", gettext_noop("szafa oświetleniowa")),
            ("cable", gettext_noop("kabel")),
        ],
        {},
    ),
    "lamps": (
        "oswietlenie-latarnie",
        "inventory.LampOnMap",
        [
            ("external_id", gettext_noop("numer w rejestrze")),
            ("circuit", gettext_noop("obwód")),
            ("pole_type", gettext_noop("rodzaj słupa")),
            ("height_m", gettext_noop("wysokość [m]")),
            ("luminaire", gettext_noop("oprawa")),
            ("power_w", gettext_noop("moc [W]")),
            ("is_led", gettext_noop("LED")),
        ],
        {"symbol": "circle"},
    ),
    "trees": (
        "drzewa",
        "inventory.TreeOnMap",
        [
            ("external_id", gettext_noop("numer w rejestrze")),
            ("species_polish", gettext_noop("gatunek")),
            ("species_latin", gettext_noop("nazwa łacińska")),
            ("trunk_circumference_cm", gettext_noop("obwód pnia [cm]")),
            ("height_m", gettext_noop("wysokość [m]")),
            ("crown_diameter_m", gettext_noop("średnica korony [m]")),
            ("condition", gettext_noop("stan (1–5)")),
            ("natural_monument", gettext_noop("pomnik przyrody")),
        ],
        {"symbol": "circle"},
    ),
}

# English titles of the registers' layers (the registers' own titles are Polish).
TITLES_EN = {
    "small-architecture": "Small architecture",
    "lighting-lines": "Street lighting – lines",
    "lamps": "Street lighting – lamps",
    "trees": "Trees",
}

for order, (slug, (name, model, fields, extra_style)) in enumerate(LAYERS.items()):
    reg = REGISTERS[slug]
    colour = reg.style.get("color", "#333333")
    if reg.geometry == "LineString":
        style = {"stroke_colour": colour, "stroke_width": float(reg.style.get("weight", 2))}
    else:
        style = {
            "fill_colour": colour,
            "stroke_colour": "#ffffff",
            "stroke_width": 0.5,
            "symbol_size": 2 * float(reg.style.get("radius", 3)) + 1,
            **extra_style,
        }
    register(
        name=name,
        model=model,
        title=reg.title,
        title_en=TITLES_EN[slug],
        abstract=getattr(reg, "description", ""),
        fields=fields,
        group=gettext_noop("Rejestry"),
        order=300 + order,
        max_scale=10_000,
        style=style,
        visibility="public",
        public_field="is_public",
    )
