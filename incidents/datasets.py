"""Residents' reports as a reportable dataset (see sip.datasets). A report is a person's, so it
counts people: who reported, how to reach them, what they wrote and the exact address are never
reported, and published cells under k are suppressed. The obręb of a report is taken from its
position on the public map (generalised where the gmina asks for it), as residents see it."""

from sip.datasets import Dimension, register

from .models import Report, Status

register(
    slug="zgloszenia",
    title="Zgłoszenia mieszkańców",
    queryset=lambda: Report.objects.all(),
    gmina_path="gmina",
    geometry="public_point",
    dimensions=[
        Dimension("category", "kategoria", "category__name"),
        Dimension("category_group", "grupa kategorii", "category__group__name"),
        Dimension("status", "status", "status", choices=tuple(Status.choices)),
        Dimension("responsible_unit", "jednostka odpowiedzialna", "responsible_unit__name"),
        Dimension("source", "źródło", "source", choices=tuple(Report.Source.choices)),
        Dimension("created_at", "data zgłoszenia", "created_at", kind="date"),
    ],
    personal_fields=(
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "description",
        "address",
        "point",
        "token",
        "client_request_id",
    ),
    counts_people=True,
    permission="incidents.view_report",
    description="Zgłoszenia problemów przez mieszkańców: kategorie, statusy, jednostki, miejsca.",
    unit_label="zgłoszenia",
    order=60,
)
