"""Graves and burials as reportable datasets (see sip.datasets). Burials count people: their
published cells under k are suppressed; names, dates of birth and biographies are never reported."""

from sip.datasets import Dimension, register

from .models import Burial, Grave

register(
    slug="groby",
    title="Groby",
    queryset=lambda: Grave.objects.all(),
    gmina_path="cemetery__gmina",
    geometry="geom",
    dimensions=[
        Dimension("cemetery", "cmentarz", "cemetery__name"),
        Dimension("section", "kwatera", "section__name"),
        Dimension("kind", "rodzaj", "kind", choices=Grave.Kind.choices),
        Dimension("status", "stan", "status", choices=Grave.Status.choices),
        Dimension("lease_expires", "opłacony do", "lease_expires", kind="date"),
    ],
    # The holder (dysponent) of a grave is a person: none of the holder's data is reported.
    personal_fields=("holder", "holder__full_name", "holder__address", "holder__phone", "holder__email"),
    permission="cemetery_routing.view_grave",
    unit_label="groby",
    order=40,
)

register(
    slug="pochowki",
    title="Pochówki",
    queryset=lambda: Burial.objects.all(),
    gmina_path="grave__cemetery__gmina",
    geometry="grave__geom",
    dimensions=[
        Dimension("cemetery", "cmentarz", "grave__cemetery__name"),
        Dimension("section", "kwatera", "grave__section__name"),
        Dimension("grave_status", "stan grobu", "grave__status", choices=Grave.Status.choices),
        Dimension("grave_kind", "rodzaj grobu", "grave__kind", choices=Grave.Kind.choices),
        Dimension("burial_date", "data pochówku", "burial_date", kind="date"),
        Dimension("death_date", "data śmierci", "death_date", kind="date"),
    ],
    personal_fields=("first_name", "surname", "family_name", "birth_date", "record", "search_names"),
    counts_people=True,
    k=5,
    permission="cemetery_routing.view_burial",
    unit_label="osoby",
    order=41,
)
