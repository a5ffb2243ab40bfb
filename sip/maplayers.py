"""The core's layers (see layers.registry): gmina boundaries, obręby, parcels, address points."""

from layers.registry import register

register(
    name="gminy",
    model="sip.Gmina",
    title="Granice gmin",
    title_en="Municipal boundaries",
    abstract="Granice gmin partnerskich.",
    fields=[("name", "nazwa"), ("teryt", "kod TERYT"), ("kind", "rodzaj")],
    geometry_field="boundary",
    gmina_field="pk",
    group="Podział administracyjny",
    order=10,
    style={"stroke_colour": "#b2182b", "stroke_width": 2.5, "fill_colour": ""},
)
register(
    name="obreby",
    model="sip.Obreb",
    title="Obręby ewidencyjne",
    title_en="Cadastral districts",
    abstract="Obręby ewidencyjne gmin partnerskich.",
    fields=[("code", "numer obrębu"), ("name", "nazwa")],
    group="Ewidencja gruntów",
    order=20,
    style={"stroke_colour": "#2166ac", "stroke_width": 1.5, "fill_colour": "", "label_field": "name"},
)
register(
    name="dzialki",
    model="sip.Parcel",
    title="Działki ewidencyjne",
    title_en="Cadastral parcels",
    abstract="Działki ewidencyjne (EGiB) gmin partnerskich, układ PL-1992.",
    fields=[
        ("identifier", "identyfikator działki"),
        ("number", "numer działki"),
        ("registered_area_m2", "powierzchnia ewidencyjna [m²]"),
    ],
    group="Ewidencja gruntów",
    order=30,
    max_scale=50_000,
    style={
        "fill_colour": "#fee8c8",
        "fill_opacity": 60,
        "stroke_colour": "#b35806",
        "stroke_width": 0.8,
        "label_field": "number",
        "label_max_scale": 2_500,
    },
)
register(
    name="adresy",
    model="sip.AddressPoint",
    title="Punkty adresowe",
    title_en="Address points",
    abstract="Punkty adresowe (numery porządkowe) gmin partnerskich.",
    fields=[("locality", "miejscowość"), ("house_number", "numer porządkowy"), ("postcode", "kod pocztowy")],
    group="Adresy",
    order=40,
    max_scale=10_000,
    style={"fill_colour": "#4d4d4d", "stroke_colour": "#ffffff", "symbol": "circle", "symbol_size": 6},
)
register(
    name="ulice",
    model="sip.Street",
    title="Ulice",
    title_en="Streets",
    abstract="Osie ulic gmin partnerskich.",
    fields=[("name", "nazwa ulicy"), ("road_category", "kategoria"), ("road_number", "numer drogi")],
    group="Adresy",
    order=35,
    max_scale=25_000,
    style={"stroke_colour": "#7f7f7f", "stroke_width": 2.5, "label_field": "name", "label_max_scale": 5_000},
)
