"""The core's layers (see layers.registry): gmina boundaries, obręby, parcels, streets, address
points, buildings, land cover, and together with them the base map "Mapa SIP" (base_map: its
drawing order).

Mapa SIP reads at every zoom through scale-dependent classes (the styles' "rules" with
min_scale/max_scale, denominators of 1:n; "rules_only": outside its rules a layer draws nothing):
at gmina scale (1:100,000–1:25,000) gmina and obręb boundaries with names (a rural obręb is named
after its village), the main roads with their numbers; at 1:10,000 streets with their names;
from 1:5,000 parcels with numbers and address points (house numbers from 1:2,500).

They are registered here, by layers, and not in sip: the core is the floor every app stands on and
imports no app above it (tests/sip/test_floors.py). Loaded by LayersConfig.ready() before the
other apps' maplayers modules."""

from django.utils.translation import gettext_noop

from .registry import register

# Scale bands of Mapa SIP (denominators). Web-map zoom levels at Bolesławiec's latitude are
# 1:85k (z12), 1:43k (z13), 1:21k (z14), 1:10.7k (z15), 1:5.3k (z16), 1:2.7k (z17), 1:1.3k (z18):
# each band boundary falls between two of them, never on one.
GMINA_SCALE = 13_000  # below it (larger denominators): the gmina view
STREET_SCALE = 13_000  # streets with names from here down
DETAIL_SCALE = 7_500  # parcels, address points, buildings from here down
CLOSE_SCALE = 3_500  # parcel numbers in a larger font, house numbers
FAR = 1_000_000

register(
    name="gminy",
    model="sip.Gmina",
    title="Granice gmin",
    title_en="Municipal boundaries",
    abstract="Granice gmin partnerskich.",
    fields=[
        ("name", gettext_noop("nazwa")),
        ("teryt", gettext_noop("kod TERYT")),
        ("kind", gettext_noop("rodzaj")),
    ],
    geometry_field="boundary",
    gmina_field="pk",
    group=gettext_noop("Podział administracyjny"),
    order=10,
    base_map=60,
    style={
        "stroke_colour": "#b2182b",
        "stroke_width": 2.5,
        "fill_colour": "",
        "label_colour": "#8c0f1f",
        "rules_only": True,
        "rules": [
            {
                "title": "granica gminy z nazwą",
                "title_en": "municipal boundary with name",
                "min_scale": 60_000,
                "max_scale": FAR,
                "label_field": "name",
                "label_size": 11,
            },
            {"title": "granica gminy", "title_en": "municipal boundary", "max_scale": 60_000},
        ],
    },
)
register(
    name="obreby",
    model="sip.Obreb",
    title="Obręby ewidencyjne",
    title_en="Cadastral districts",
    abstract="Obręby ewidencyjne gmin partnerskich (na wsi obręb nosi nazwę wsi).",
    fields=[("code", gettext_noop("numer obrębu")), ("name", gettext_noop("nazwa"))],
    group=gettext_noop("Ewidencja gruntów"),
    order=20,
    base_map=50,
    style={
        "stroke_colour": "#6a51a3",
        "stroke_width": 1.0,
        "fill_colour": "",
        "label_colour": "#3f007d",
        "label_size": 9,
        "rules_only": True,
        "rules": [
            {
                "title": "obręb z nazwą (skala gminy)",
                "title_en": "cadastral district with name (municipality scale)",
                "min_scale": GMINA_SCALE,
                "max_scale": 150_000,
                "label_field": "name",
            },
            {
                "title": "obręb z nazwą",
                "title_en": "cadastral district with name",
                "max_scale": GMINA_SCALE,
                "stroke_width": 1.5,
                "label_field": "name",
                "label_size": 10,
            },
        ],
    },
)
register(
    name="dzialki",
    model="sip.Parcel",
    title="Działki ewidencyjne",
    title_en="Cadastral parcels",
    abstract="Działki ewidencyjne (EGiB) gmin partnerskich, układ PL-1992.",
    fields=[
        ("identifier", gettext_noop("identyfikator działki")),
        ("number", gettext_noop("numer działki")),
        ("registered_area_m2", gettext_noop("powierzchnia ewidencyjna [m²]")),
    ],
    group=gettext_noop("Ewidencja gruntów"),
    order=30,
    max_scale=DETAIL_SCALE,
    base_map=20,
    style={
        "fill_colour": "#fee8c8",
        "fill_opacity": 60,
        "stroke_colour": "#b35806",
        "stroke_width": 0.6,
        "label_colour": "#7f3b08",
        "label_size": 7,
        "rules_only": True,
        "rules": [
            {
                "title": "działka z numerem",
                "title_en": "parcel with number",
                "min_scale": CLOSE_SCALE,
                "max_scale": DETAIL_SCALE,
                "label_field": "number",
            },
            {
                "title": "działka z numerem (zbliżenie)",
                "title_en": "parcel with number (close-up)",
                "max_scale": CLOSE_SCALE,
                "stroke_width": 1.0,
                "label_field": "number",
                "label_size": 9,
            },
        ],
    },
)
register(
    name="adresy",
    model="sip.AddressPoint",
    title="Punkty adresowe",
    title_en="Address points",
    abstract="Punkty adresowe (numery porządkowe) gmin partnerskich.",
    fields=[
        ("locality", gettext_noop("miejscowość")),
        ("house_number", gettext_noop("numer porządkowy")),
        ("postcode", gettext_noop("kod pocztowy")),
    ],
    group=gettext_noop("Adresy"),
    order=40,
    max_scale=DETAIL_SCALE,
    base_map=70,
    style={
        "fill_colour": "#4d4d4d",
        "stroke_colour": "#ffffff",
        "symbol": "circle",
        "symbol_size": 5,
        "stroke_width": 0.5,
        "label_colour": "#000000",
        "rules_only": True,
        "rules": [
            {
                "title": "punkt adresowy",
                "title_en": "address point",
                "min_scale": CLOSE_SCALE,
                "max_scale": DETAIL_SCALE,
            },
            {
                "title": "punkt adresowy z numerem",
                "title_en": "address point with number",
                "max_scale": CLOSE_SCALE,
                "label_field": "house_number",
                "label_size": 8,
            },
        ],
    },
)
_MAIN_ROADS = (
    # category, legend title in Polish and in English, colour, width
    ("krajowa", "droga krajowa", "national road", "#d7301f", 4.5),
    ("wojewodzka", "droga wojewódzka", "voivodeship road", "#f16913", 3.5),
    ("powiatowa", "droga powiatowa", "county road", "#e6a100", 2.5),
)
register(
    name="ulice",
    model="sip.Street",
    title="Ulice",
    title_en="Streets",
    abstract="Osie ulic i dróg gmin partnerskich z kategorią i numerem drogi.",
    fields=[
        ("name", gettext_noop("nazwa ulicy")),
        ("road_category", gettext_noop("kategoria")),
        ("road_number", gettext_noop("numer drogi")),
    ],
    group=gettext_noop("Adresy"),
    order=35,
    base_map=40,
    style={
        "stroke_colour": "#969696",
        "stroke_width": 1.2,
        "label_colour": "#252525",
        "label_size": 8,
        "rules_only": True,
        "rules": [
            # The gmina view: main roads by category with their numbers, other roads thin.
            *(
                {
                    "title": f"{title} (z numerem)",
                    "title_en": f"{title_en} (with number)",
                    "field": "road_category",
                    "value": category,
                    "stroke_colour": colour,
                    "stroke_width": width,
                    "min_scale": STREET_SCALE,
                    "max_scale": FAR,
                    "label_field": "road_number",
                    "label_colour": "#67000d",
                    "label_size": 8,
                }
                for category, title, title_en, colour, width in _MAIN_ROADS
            ),
            {
                "title": "droga gminna lub wewnętrzna",
                "title_en": "municipal or internal road",
                "min_scale": STREET_SCALE,
                "max_scale": 60_000,
            },
            # Streets: every street with its name, main roads wider.
            *(
                {
                    "title": title,
                    "title_en": title_en,
                    "field": "road_category",
                    "value": category,
                    "stroke_colour": colour,
                    "stroke_width": width + 2,
                    "max_scale": STREET_SCALE,
                    "label_field": "name",
                    "label_size": 9,
                }
                for category, title, title_en, colour, width in _MAIN_ROADS
            ),
            {
                "title": "ulica",
                "title_en": "street",
                "stroke_colour": "#7a7a7a",
                "stroke_width": 3,
                "max_scale": STREET_SCALE,
                "label_field": "name",
                "label_size": 9,
            },
        ],
    },
)
_LAND_COVER = (
    # kind, legend title in Polish and in English, fill, outline, label colour (names of forests
    # and rivers)
    ("las", "las", "forest", "#b7d9a0", "", "#2f6b2f"),
    ("woda", "wody", "water", "#a8d0ee", "#5b9bd5", "#1f5f99"),
    ("zabudowa", "teren zabudowany", "built-up area", "#ebe3d9", "", ""),
    ("park", "park, zieleń urządzona", "park, urban greenery", "#cfe8b4", "", "#2f6b2f"),
    ("laki", "łąki i pastwiska", "meadows and pastures", "#eef4d6", "", ""),
    ("pola", "grunty orne", "arable land", "#fbf8ea", "", ""),
)
register(
    name="pokrycie-terenu",
    model="sip.LandCover",
    title="Pokrycie terenu",
    title_en="Land cover",
    abstract="Lasy, wody, tereny zabudowane, łąki, pola i parki – tło mapy bazowej.",
    fields=[("kind", gettext_noop("rodzaj")), ("name", gettext_noop("nazwa"))],
    group=gettext_noop("Mapa SIP"),
    order=5,
    queryable=False,
    base_map=10,
    style={
        "fill_colour": "#f7f7f2",
        "stroke_colour": "",
        "stroke_width": 0,
        "label_size": 9,
        "rules_only": True,
        "rules": [
            {
                "title": title,
                "title_en": title_en,
                "field": "kind",
                "value": kind,
                "fill_colour": fill,
                "stroke_colour": outline,
                "stroke_width": 0.8 if outline else None,
                "max_scale": 500_000,
                **({"label_field": "name", "label_colour": label} if label else {}),
            }
            for kind, title, title_en, fill, outline, label in _LAND_COVER
        ],
    },
)
register(
    name="budynki",
    model="sip.Building",
    title="Budynki",
    title_en="Buildings",
    abstract="Obrysy budynków (EGiB) gmin partnerskich.",
    fields=[("kind", gettext_noop("rodzaj")), ("storeys", gettext_noop("liczba kondygnacji"))],
    group=gettext_noop("Ewidencja gruntów"),
    order=32,
    max_scale=DETAIL_SCALE,
    base_map=30,
    style={"fill_colour": "#d6c6b4", "stroke_colour": "#7d6a58", "stroke_width": 0.6},
)
