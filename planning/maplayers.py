"""The planning layers (see layers.registry): plan boundaries and the zoning in force.

The plan layer reads the view planning_plan_layer (its column `in_force`), the zoning layer the
view planning_zone_in_force; both decide "plan in force" by the SQL function
planning_plan_applies (sql/plan_in_force_v1.sql): the rule the zoning API and the extracts read
too (planning.models.IN_FORCE_SQL, Plan.objects.in_force())."""

from django.utils.translation import gettext_noop

from layers.registry import register

from .models import PURPOSES

# The purpose categories in English, for the zoning layer's legend keys (models.PURPOSES).
PURPOSES_EN = {
    "MN": "single-family housing",
    "MW": "multi-family housing",
    "MU": "housing and services",
    "MR": "farmstead buildings",
    "U": "services",
    "UP": "public services",
    "US": "sport and recreation",
    "P": "production, storage and warehouses",
    "R": "agriculture",
    "ZL": "forests",
    "ZP": "parks and managed greenery",
    "ZC": "cemeteries",
    "ZN": "unmanaged greenery",
    "KDG": "public road – main",
    "KDZ": "public road – collector",
    "KDL": "public road – local",
    "KDD": "public road – access",
    "KDW": "internal road",
    "KD": "transport – public roads",
    "KK": "railway land",
    "W": "surface waters",
    "WS": "inland surface waters",
    "E": "electricity",
    "K": "sewerage",
    "SW": "multi-purpose zone with multi-family housing",
    "SJ": "multi-purpose zone with single-family housing",
    "SZ": "multi-purpose zone with farmstead buildings",
    "SU": "service zone",
    "SH": "large-scale retail zone",
    "SP": "economic zone",
    "SR": "agricultural production zone",
    "SI": "infrastructure zone",
    "SG": "mining zone",
    "SO": "open zone",
    "SL": "forest zone",
    "SN": "greenery and recreation zone",
    "SC": "cemetery zone",
    "SK": "transport zone",
}

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
        ("title", gettext_noop("tytuł")),
        ("resolution_number", gettext_noop("numer uchwały")),
        ("status", gettext_noop("status")),
        ("in_force", gettext_noop("obowiązuje dziś")),
        ("valid_from", gettext_noop("obowiązuje od")),
        ("valid_to", gettext_noop("obowiązuje do")),
        ("scale", gettext_noop("skala rysunku (1:…)")),
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
            {
                "title": "obowiązujący",
                "title_en": "in force",
                "field": "in_force",
                "value": "true",
                "stroke_colour": "#6a3d9a",
            },
            {
                "title": "w przygotowaniu",
                "title_en": "in preparation",
                "field": "status",
                "value": "in_preparation",
                "stroke_colour": "#ff7f00",
            },
            {
                "title": "nieobowiązujący (uchylony albo poza datami obowiązywania)",
                "title_en": "not in force (repealed or outside its dates)",
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
        ("symbol", gettext_noop("symbol terenu")),
        ("purpose", gettext_noop("kategoria przeznaczenia")),
        ("name", gettext_noop("przeznaczenie")),
        ("plan_title", gettext_noop("plan")),
        ("resolution_number", gettext_noop("numer uchwały")),
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
                "title_en": f"{code} – {PURPOSES_EN.get(code, code)}",
                "field": "purpose",
                "value": code,
                "fill_colour": colour,
            }
            for code, colour in PURPOSE_COLOURS.items()
        ],
    },
)
