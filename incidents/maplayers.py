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
        ("number", "numer"),
        ("category_name", "kategoria"),
        ("status_label", "stan"),
        ("reported_on", "zgłoszono"),
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
            {"title": "nowe", "field": "status_label", "value": "nowe", "fill_colour": "#e31a1c"},
            {"title": "przyjęte", "field": "status_label", "value": "przyjęte", "fill_colour": "#ff7f00"},
            {
                "title": "w realizacji",
                "field": "status_label",
                "value": "w realizacji",
                "fill_colour": "#fdbf6f",
            },
            {
                "title": "zrealizowane",
                "field": "status_label",
                "value": "zrealizowane",
                "fill_colour": "#33a02c",
            },
            {"title": "odrzucone", "field": "status_label", "value": "odrzucone", "fill_colour": "#999999"},
            {"title": "przekazane", "field": "status_label", "value": "przekazane", "fill_colour": "#1f78b4"},
        ],
    },
)
