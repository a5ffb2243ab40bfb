"""The planning layers (see layers.registry): plan boundaries and the zoning in force.

The plan layer reads the view planning_plan_layer (its column `in_force`), the zoning layer the
view planning_zone_in_force; both decide "plan in force" by the SQL function
planning_plan_applies (sql/plan_in_force_v1.sql): the rule the zoning API and the extracts read
too (planning.models.IN_FORCE_SQL, Plan.objects.in_force())."""

from django.utils.translation import gettext_noop

from layers.registry import register

from .models import PURPOSES

# Default colours of purpose categories after the customary MPZP drawing conventions: the
# zoning layer's registered style. Staff may change them in the admin; the map and the wyrys
# both draw what the registry holds (layers.render.registry_colour), never this table.
PURPOSE_COLOURS: dict[str, str] = {
    "MN": "#f6d08c",
    "MW": "#d6965a",
    "MU": "#e8b278",
    "MR": "#ecdc96",
    "U": "#ec96aa",
    "UP": "#dc82a0",
    "US": "#aad28c",
    "P": "#baa0c8",
    "R": "#faf6be",
    "ZL": "#50a05a",
    "ZP": "#96d278",
    "ZC": "#78aa82",
    "ZN": "#bee1aa",
    "KDG": "#cdcdcd",
    "KDZ": "#d7d7d7",
    "KDL": "#e1e1e1",
    "KDD": "#ebebeb",
    "KDW": "#f0f0f0",
    "KD": "#e1e1e1",
    "KK": "#bebebe",
    "W": "#96c8f0",
    "WS": "#96c8f0",
    "E": "#aaaa78",
    "K": "#aaaa8c",
    # Planning zones of a plan ogólny gminy.
    "SW": "#d6965a",
    "SJ": "#f6d08c",
    "SU": "#ec96aa",
    "SP": "#baa0c8",
    "SR": "#faf6be",
    "SL": "#50a05a",
    "SN": "#96d278",
    "SC": "#78aa82",
    "SK": "#d7d7d7",
}
ZONE_FILL = "#e6e6e6"

register(
    name="plany",
    # The view planning_plan_layer: each plan with `in_force` decided by planning_plan_applies,
    # so a plan whose status says in force but whose dates do not is not drawn as in force.
    model="planning.PlanOnMap",
    title="Plany miejscowe i plany ogólne – granice",
    title_en="Local and general plans – boundaries",
    abstract="Granice obszarów objętych aktami planowania przestrzennego (MPZP, plan ogólny gminy).",
    fields=[
        ("title", "tytuł"),
        ("resolution_number", "numer uchwały"),
        ("status", "status"),
        ("in_force", "obowiązuje dziś"),
        ("valid_from", "obowiązuje od"),
        ("valid_to", "obowiązuje do"),
        ("scale", "skala rysunku (1:…)"),
    ],
    geometry_field="boundary",
    group=gettext_noop("Planowanie przestrzenne"),
    order=200,
    style={
        "stroke_colour": "#6a3d9a",
        "stroke_width": 2.0,
        "fill_colour": "",
        "rules_only": True,
        "rules": [
            {"title": "obowiązujący", "field": "in_force", "value": "true", "stroke_colour": "#6a3d9a"},
            {
                "title": "w przygotowaniu",
                "field": "status",
                "value": "in_preparation",
                "stroke_colour": "#ff7f00",
            },
            {
                "title": "nieobowiązujący (uchylony albo poza datami obowiązywania)",
                "field": "in_force",
                "value": "false",
                "stroke_colour": "#999999",
            },
        ],
    },
)
register(
    name="strefy",
    model="planning.ZoneInForce",
    title="Przeznaczenie terenów (plany obowiązujące)",
    title_en="Land use (plans in force)",
    abstract="Tereny obowiązujących planów miejscowych z symbolami przeznaczenia; "
    "tam, gdzie plan zmieniono, pokazano plan zmieniający.",
    fields=[
        ("symbol", "symbol terenu"),
        ("purpose", "kategoria przeznaczenia"),
        ("name", "przeznaczenie"),
        ("plan_title", "plan"),
        ("resolution_number", "numer uchwały"),
    ],
    group=gettext_noop("Planowanie przestrzenne"),
    order=210,
    max_scale=50_000,
    style={
        "fill_colour": ZONE_FILL,
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
                "fill_colour": colour,
            }
            for code, colour in PURPOSE_COLOURS.items()
        ],
    },
)
