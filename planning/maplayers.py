"""The planning layers (see layers.registry): plan boundaries and the zoning in force."""

from layers.registry import register

from .extracts.drawing import PURPOSE_COLOURS, hex_colour
from .models import PURPOSES

register(
    name="plany",
    model="planning.Plan",
    title="Plany miejscowe i plany ogólne – granice",
    abstract="Granice obszarów objętych aktami planowania przestrzennego (MPZP, plan ogólny gminy).",
    fields=[
        ("title", "tytuł"),
        ("resolution_number", "numer uchwały"),
        ("status", "status"),
        ("scale", "skala rysunku (1:…)"),
    ],
    geometry_field="boundary",
    group="Planowanie przestrzenne",
    order=200,
    style={
        "stroke_colour": "#6a3d9a",
        "stroke_width": 2.0,
        "fill_colour": "",
        "rules": [
            {"title": "obowiązujący", "field": "status", "value": "in_force", "stroke_colour": "#6a3d9a"},
            {
                "title": "w przygotowaniu",
                "field": "status",
                "value": "in_preparation",
                "stroke_colour": "#ff7f00",
            },
            {"title": "uchylony", "field": "status", "value": "repealed", "stroke_colour": "#999999"},
        ],
    },
)
register(
    name="strefy",
    model="planning.ZoneInForce",
    title="Przeznaczenie terenów (plany obowiązujące)",
    abstract="Tereny obowiązujących planów miejscowych z symbolami przeznaczenia; "
    "tam, gdzie plan zmieniono, pokazano plan zmieniający.",
    fields=[
        ("symbol", "symbol terenu"),
        ("purpose", "kategoria przeznaczenia"),
        ("name", "przeznaczenie"),
        ("plan_title", "plan"),
        ("resolution_number", "numer uchwały"),
    ],
    group="Planowanie przestrzenne",
    order=210,
    max_scale=50_000,
    style={
        "fill_colour": "#e6e6e6",
        "fill_opacity": 70,
        "stroke_colour": "#555555",
        "stroke_width": 0.8,
        "label_field": "symbol",
        "label_max_scale": 10_000,
        "rules": [
            {
                "title": f"{code} – {PURPOSES.get(code, code)}",
                "field": "purpose",
                "value": code,
                "fill_colour": hex_colour(code),
            }
            for code in PURPOSE_COLOURS
        ],
    },
)
