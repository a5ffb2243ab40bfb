"""Participation on the map (see layers.registry): the projects of participatory budgets that
are on the ballot (verified), for residents in every gmina's geoportal."""

from django.utils.translation import gettext_noop

from layers.registry import register

register(
    name="budzet-obywatelski-projekty",
    model="participation.BudgetProject",
    geometry_field="location",
    title="Budżet obywatelski: projekty",
    title_en="Participatory budget: projects",
    abstract="Projekty budżetu obywatelskiego zweryfikowane pozytywnie (na karcie do głosowania).",
    fields=[("title", gettext_noop("tytuł")), ("cost", gettext_noop("koszt [zł]"))],
    group=gettext_noop("Budżet obywatelski"),
    order=500,
    style={
        "fill_colour": "#7b2cbf",
        "stroke_colour": "#ffffff",
        "stroke_width": 1.0,
        "symbol": "circle",
        "symbol_size": 9.0,
    },
    visibility="public",
    public_field="is_public",
)
