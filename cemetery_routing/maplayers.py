"""The cemetery layers (see layers.registry). The grave holder (dysponent) and the lease date
are personal data and appear in none of them; burials are found through the public search."""

from django.utils.translation import gettext_noop

from layers.registry import register

register(
    name="cmentarze",
    model="cemetery_routing.Cemetery",
    title="Cmentarze – granice",
    title_en="Cemeteries – boundaries",
    abstract="Cmentarze komunalne gmin partnerskich.",
    fields=[
        ("name", gettext_noop("nazwa")),
        ("address", gettext_noop("adres")),
        ("manager", gettext_noop("zarządca")),
    ],
    geometry_field="boundary",
    group=gettext_noop("Cmentarze"),
    order=400,
    style={
        "stroke_colour": "#4d4d4d",
        "stroke_width": 2.0,
        "fill_colour": "#d9f0d3",
        "fill_opacity": 40,
        "label_field": "name",
        "label_max_scale": 25_000,
    },
)
register(
    name="kwatery",
    model="cemetery_routing.Section",
    title="Cmentarze – kwatery",
    title_en="Cemeteries – sections",
    fields=[("name", gettext_noop("kwatera"))],
    gmina_field=None,
    group=gettext_noop("Cmentarze"),
    order=410,
    max_scale=10_000,
    style={
        "stroke_colour": "#7f7f7f",
        "stroke_width": 1.0,
        "fill_colour": "",
        "label_field": "name",
        "label_max_scale": 5_000,
    },
)
register(
    name="alejki",
    model="cemetery_routing.Alley",
    title="Cmentarze – aleje i ścieżki",
    title_en="Cemeteries – alleys and paths",
    fields=[
        ("name", gettext_noop("nazwa")),
        ("surface", gettext_noop("nawierzchnia")),
        ("step_free", gettext_noop("bez schodów")),
    ],
    gmina_field=None,
    group=gettext_noop("Cmentarze"),
    order=420,
    max_scale=10_000,
    style={"stroke_colour": "#bf812d", "stroke_width": 2.0, "label_field": "name", "label_max_scale": 2_500},
)
register(
    name="groby",
    model="cemetery_routing.Grave",
    title="Cmentarze – groby",
    title_en="Cemeteries – graves",
    fields=[
        ("row", gettext_noop("rząd")),
        ("number", gettext_noop("numer grobu")),
        ("kind", gettext_noop("rodzaj")),
        ("status", gettext_noop("stan")),
    ],
    gmina_field=None,
    group=gettext_noop("Cmentarze"),
    order=430,
    max_scale=2_500,
    style={
        "fill_colour": "#737373",
        "stroke_colour": "#ffffff",
        "stroke_width": 0.5,
        "symbol": "square",
        "symbol_size": 5,
        "rules": [
            {
                "title": "zajęty",
                "title_en": "occupied",
                "field": "status",
                "value": "occupied",
                "fill_colour": "#737373",
            },
            {
                "title": "zarezerwowany",
                "title_en": "reserved",
                "field": "status",
                "value": "reserved",
                "fill_colour": "#fdae61",
            },
            {
                "title": "wolny",
                "title_en": "free",
                "field": "status",
                "value": "free",
                "fill_colour": "#66bd63",
            },
        ],
    },
)
