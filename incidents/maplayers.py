"""The public map layer of residents' reports (see layers.registry): category and status at the
public position (generalised where the gmina asks), from a view without personal data."""

from django.utils.translation import gettext_noop

from layers.registry import register

register(
    name="zgloszenia",
    model="incidents.ReportOnMap",
    title="Zgłoszenia mieszkańców",
    title_en="Residents' reports",
    abstract="Zgłoszenia problemów przez mieszkańców: kategoria i stan; bez danych zgłaszających.",
    fields=[
        ("number", gettext_noop("numer")),
        ("category_name", gettext_noop("kategoria")),
        ("status_label", gettext_noop("stan")),
        ("reported_on", gettext_noop("zgłoszono")),
    ],
    group=gettext_noop("Zgłoszenia"),
    order=600,
    max_scale=50_000,
    style={
        "symbol": "circle",
        "symbol_size": 9,
        "fill_colour": "#e31a1c",
        "stroke_colour": "#ffffff",
        "stroke_width": 1,
        "rules": [
            {
                "title": "nowe",
                "title_en": "new",
                "field": "status_label",
                "value": "nowe",
                "fill_colour": "#e31a1c",
            },
            {
                "title": "przyjęte",
                "title_en": "accepted",
                "field": "status_label",
                "value": "przyjęte",
                "fill_colour": "#ff7f00",
            },
            {
                "title": "w realizacji",
                "title_en": "in progress",
                "field": "status_label",
                "value": "w realizacji",
                "fill_colour": "#fdbf6f",
            },
            {
                "title": "zrealizowane",
                "title_en": "completed",
                "field": "status_label",
                "value": "zrealizowane",
                "fill_colour": "#33a02c",
            },
            {
                "title": "odrzucone",
                "title_en": "rejected",
                "field": "status_label",
                "value": "odrzucone",
                "fill_colour": "#999999",
            },
            {
                "title": "przekazane",
                "title_en": "forwarded",
                "field": "status_label",
                "value": "przekazane",
                "fill_colour": "#1f78b4",
            },
        ],
    },
)
