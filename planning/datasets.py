"""Extract cases (wypis/wyrys) as a reportable dataset (see sip.datasets). A case is an
applicant's request, so it counts people: the applicant, the address and the purpose are never
reported and published cells under k are suppressed."""

from sip.datasets import Dimension, Measure, register

from .models import ExtractCase

register(
    slug="sprawy-wypisow",
    title="Sprawy wypisów i wyrysów",
    queryset=lambda: ExtractCase.objects.all(),
    gmina_path="gmina",
    geometry=None,
    dimensions=[
        Dimension("planner", "planista", "created_by__username"),
        Dimension("kind", "rodzaj", "kind", choices=ExtractCase.Kind.choices),
        Dimension("application_date", "data wniosku", "application_date", kind="date"),
        Dimension("year", "rok sprawy", "year"),
    ],
    measures=[Measure("fee_total", "opłata razem [zł]", "fee_total")],
    personal_fields=("applicant", "applicant_address", "purpose"),
    counts_people=True,
    permission="planning.view_extractcase",
    unit_label="sprawy",
    order=50,
)
