"""The registers as reportable datasets (see sip.datasets): they count objects, not people."""

from django.contrib.gis.db.models.functions import Length
from django.db.models import FloatField
from django.db.models.functions import Cast

from sip.datasets import Dimension, Measure, register

from .models import Condition, Lamp, LightingLine, SmallArchitecture, Tree
from .registers import FELLING_PERMIT_CHOICES, felling_permit_expression

CONDITION = tuple((str(v), label) for v, label in Condition.choices)
# Free text may name people (who reported, who lives next door): never reported.
PERSONAL = ("notes",)

register(
    slug="drzewa",
    title="Drzewa",
    queryset=lambda: Tree.objects.all(),
    gmina_path="gmina",
    obreb_field="obreb",  # kept by PointItem.save and the bulk writers (sip.services.store_obreby)
    dimensions=[
        Dimension("species", "gatunek", "species__polish_name"),
        Dimension("condition", "stan", "condition", choices=CONDITION),
        Dimension("natural_monument", "pomnik przyrody", "natural_monument"),
        Dimension(
            "recommended_treatment",
            "zalecany zabieg",
            "recommended_treatment",
            choices=Tree.Treatment.choices,
        ),
        Dimension(
            "felling_permit",
            "zezwolenie na wycinkę",
            felling_permit_expression,
            choices=FELLING_PERMIT_CHOICES,
        ),
        Dimension("surveyed_on", "data inwentaryzacji", "surveyed_on", kind="date"),
    ],
    measures=[
        Measure("trunk_circumference_cm", "obwód pnia [cm]", "trunk_circumference_cm"),
        Measure("height_m", "wysokość [m]", "height_m"),
        Measure("crown_diameter_m", "średnica korony [m]", "crown_diameter_m"),
    ],
    personal_fields=PERSONAL,
    permission="inventory.view_tree",
    description="Inwentaryzacja drzew: gatunki, stan, zabiegi, zezwolenia na wycinkę.",
    unit_label="drzewa",
    order=30,
)

register(
    slug="mala-architektura",
    title="Mała architektura",
    queryset=lambda: SmallArchitecture.objects.all(),
    gmina_path="gmina",
    obreb_field="obreb",  # kept by PointItem.save and the bulk writers (sip.services.store_obreby)
    dimensions=[
        Dimension("kind", "rodzaj", "kind", choices=SmallArchitecture.Kind.choices),
        Dimension("material", "materiał", "material", choices=SmallArchitecture.Material.choices),
        Dimension("condition", "stan", "condition", choices=CONDITION),
        Dimension("installed_on", "data montażu", "installed_on", kind="date"),
    ],
    personal_fields=PERSONAL,
    permission="inventory.view_smallarchitecture",
    unit_label="obiekty",
    order=31,
)

register(
    slug="latarnie",
    title="Latarnie",
    queryset=lambda: Lamp.objects.all(),
    gmina_path="gmina",
    obreb_field="obreb",  # kept by PointItem.save and the bulk writers (sip.services.store_obreby)
    dimensions=[
        Dimension("circuit", "obwód", "circuit"),
        Dimension("switch_cabinet", "szafa oświetleniowa", "switch_cabinet"),
        Dimension("pole_type", "rodzaj słupa", "pole_type", choices=Lamp.PoleType.choices),
        Dimension("is_led", "LED", "is_led"),
    ],
    measures=[
        Measure("power_w", "moc [W]", "power_w"),
        Measure("height_m", "wysokość [m]", "height_m"),
    ],
    personal_fields=PERSONAL,
    permission="inventory.view_lamp",
    unit_label="latarnie",
    order=32,
)

register(
    slug="obwody-oswietlenia",
    title="Linie (obwody) oświetlenia",
    queryset=lambda: LightingLine.objects.all(),
    gmina_path="gmina",
    dimensions=[
        Dimension("circuit", "obwód", "circuit"),
        Dimension("switch_cabinet", "szafa oświetleniowa", "switch_cabinet"),
        Dimension("cable", "kabel", "cable"),
    ],
    measures=[Measure("length_m", "długość [m]", lambda: Cast(Length("geom"), FloatField()))],
    personal_fields=PERSONAL,
    permission="inventory.view_lightingline",
    unit_label="linie",
    order=33,
)
