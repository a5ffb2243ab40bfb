"""The registers as map layers (see layers.registry), generated from their declarations.

Plain columns of each register become the layer's attributes; a register whose declaration
says it is internal by default is published for the staff of its gmina only. Trees are read
through a view that carries the species names, so that a popup says "lipa drobnolistna".
"""

from django.db.models import ForeignKey

from layers.registry import register

from .registers import REGISTERS

# Layer names in WMS/WFS URLs, in Polish like the core's layers.
LAYER_NAMES = {
    "small-architecture": "mala-architektura",
    "lighting-lines": "oswietlenie-linie",
    "lamps": "oswietlenie-latarnie",
    "trees": "drzewa",
}
SYMBOLS = {"small-architecture": "square", "lamps": "circle", "trees": "circle"}


def _plain_fields(reg) -> list[tuple[str, str]]:
    out = []
    for attr in reg.all_attrs:
        field = reg.model._meta.get_field(attr.name)
        if isinstance(field, ForeignKey) or attr.name == "notes":
            continue
        out.append((attr.name, reg.label(attr.name)))
    return out


for order, (slug, reg) in enumerate(REGISTERS.items()):
    colour = reg.style.get("color", "#333333")
    kind_style = (
        {"stroke_colour": colour, "stroke_width": float(reg.style.get("weight", 2))}
        if reg.geometry == "LineString"
        else {
            "fill_colour": colour,
            "stroke_colour": "#ffffff",
            "stroke_width": 0.5,
            "symbol": SYMBOLS.get(slug, "circle"),
            "symbol_size": 2 * float(reg.style.get("radius", 3)) + 1,
        }
    )
    if slug == "trees":
        model = "inventory.TreeOnMap"
        fields = [
            ("external_id", "numer w rejestrze"),
            ("species_polish", "gatunek"),
            ("species_latin", "nazwa łacińska"),
            ("trunk_circumference_cm", "obwód pnia [cm]"),
            ("height_m", "wysokość [m]"),
            ("crown_diameter_m", "średnica korony [m]"),
            ("condition", "stan (1–5)"),
            ("natural_monument", "pomnik przyrody"),
        ]
    else:
        model, fields = reg.model._meta.label, _plain_fields(reg)
    register(
        name=LAYER_NAMES.get(slug, slug),
        model=model,
        title=reg.title,
        abstract=reg.description if hasattr(reg, "description") else "",
        fields=fields,
        group="Rejestry",
        order=300 + order,
        max_scale=10_000,
        style=kind_style,
        visibility="public" if reg.public_by_default else "staff",
    )
