"""The layer of consultation areas (see layers.registry), shown in each gmina's geoportal.
Only the consultation's title and dates: no answers, no one's data."""

from django.utils.translation import gettext_noop

from layers.registry import register

register(
    name="konsultacje",
    model="participation.Consultation",
    title="Konsultacje społeczne – obszary",
    title_en="Public consultations – areas",
    abstract="Obszary, których dotyczą konsultacje społeczne i geoankiety gminy; "
    "odpowiedzi na stronie /konsultacje/.",
    fields=[
        ("title", gettext_noop("tytuł")),
        ("opens_on", gettext_noop("otwarta od")),
        ("closes_on", gettext_noop("otwarta do")),
        ("audience", gettext_noop("kto może odpowiadać")),
    ],
    geometry_field="area",
    group=gettext_noop("Partycypacja"),
    order=400,
    style={
        "fill_colour": "#1b9e77",
        "fill_opacity": 20,
        "stroke_colour": "#1b9e77",
        "stroke_width": 2.0,
        "label_field": "title",
        "label_max_scale": 25000,
    },
)
