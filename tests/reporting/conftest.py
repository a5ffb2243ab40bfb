"""A gmina of four obręby (2 km quadrants), trees spread over them, and a cemetery with burials."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from cemetery_routing.models import Burial, Cemetery, Grave, Section
from inventory.models import Tree, TreeSpecies
from sip.services import store_obreby
from sip.tenancy import CENTRAL_ADMIN, EDITOR, VIEWER
from tests.conftest import GminaFactory, ObrebFactory, make_user

SPECIES = [
    ("Tilia cordata", "lipa drobnolistna", 50),
    ("Quercus robur", "dąb szypułkowy", 50),
    ("Populus nigra", "topola czarna", 80),
]


def quadrants(gmina):
    x0, y0, x1, y1 = gmina.boundary.extent
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    boxes = [(x0, y0, mx, my), (mx, y0, x1, my), (x0, my, mx, y1), (mx, my, x1, y1)]
    return [
        ObrebFactory(
            gmina=gmina,
            code=f"{i + 1:04d}",
            name=f"Obręb {i + 1}",
            geom=MultiPolygon(Polygon.from_bbox(b), srid=2180),
        )
        for i, b in enumerate(boxes)
    ]


def add_trees(gmina, count: int, seed: int):
    rnd = random.Random(seed)
    species = [
        TreeSpecies.objects.get_or_create(
            latin_name=lat, defaults={"polish_name": pl, "felling_threshold_cm": th}
        )[0]
        for lat, pl, th in SPECIES
    ]
    x0, y0, x1, y1 = gmina.boundary.extent
    trees = []
    for i in range(count):
        trees.append(
            Tree(
                gmina=gmina,
                external_id=f"D-{seed}-{i}",
                species=species[i % len(species)],
                trunk_circumference_cm=rnd.randint(20, 300),
                height_m=rnd.randint(3, 30),
                geom=Point(rnd.uniform(x0 + 1, x1 - 1), rnd.uniform(y0 + 1, y1 - 1), srid=2180),
                notes="zgłosił Jan Kowalski, tel. 600 100 200",
            )
        )
    Tree.objects.bulk_create(trees)
    # bulk_create bypasses Tree.save(): the obręb is stored in SQL, as the bulk writers do.
    store_obreby(Tree, gmina_id=gmina.pk)


@pytest.fixture
def town(db):
    gmina = GminaFactory()
    quadrants(gmina)
    add_trees(gmina, 120, seed=1)
    return gmina


@pytest.fixture
def other_town(db):
    gmina = GminaFactory()
    quadrants(gmina)
    add_trees(gmina, 30, seed=2)
    return gmina


def cemetery_with_burials(gmina, per_section: dict[str, int], year: int = 2020):
    """A cemetery with one section per key and that many burials in the given year."""
    x0, y0, x1, y1 = gmina.boundary.extent
    # Section s's graves lie in quadrant s % 4 (one obręb each), 1 m apart.
    corners = [
        (x0 + 500, y0 + 500),
        ((x0 + x1) / 2 + 500, y0 + 500),
        (x0 + 500, (y0 + y1) / 2 + 500),
        ((x0 + x1) / 2 + 500, (y0 + y1) / 2 + 500),
    ]
    cem = Cemetery.objects.create(
        gmina=gmina,
        name="Cmentarz komunalny",
        slug=f"cm-{gmina.teryt}",
        boundary=MultiPolygon(Polygon.from_bbox((x0 + 100, y0 + 100, x0 + 900, y0 + 900)), srid=2180),
    )
    n = 0
    for s, (name, count) in enumerate(per_section.items()):
        section = Section.objects.create(
            cemetery=cem,
            name=name,
            geom=Polygon(
                (
                    (x0 + 100 + s * 100, y0 + 100),
                    (x0 + 190 + s * 100, y0 + 100),
                    (x0 + 190 + s * 100, y0 + 900),
                    (x0 + 100 + s * 100, y0 + 100),
                ),
                srid=2180,
            ),
        )
        for i in range(count):
            grave = Grave.objects.create(
                cemetery=cem,
                section=section,
                row="1",
                number=str(i + 1),
                status="occupied",
                geom=Point(corners[s % 4][0] + s, corners[s % 4][1] + i, srid=2180),
            )
            Burial.objects.create(
                grave=grave,
                first_name="Anna",
                surname=f"Nowak{n}",
                burial_date=dt.date(year, 1 + i % 12, 1),
                death_date=dt.date(year, 1 + i % 12, 1),
            )
            n += 1
    return cem


@pytest.fixture
def town_editor(town):
    return make_user("redaktor-raporty", EDITOR, town)


@pytest.fixture
def town_viewer(town):
    return make_user("przegladajacy-raporty", VIEWER, town)


@pytest.fixture
def other_editor_r(other_town):
    return make_user("redaktor-inny-raporty", EDITOR, other_town)


@pytest.fixture
def central(db):
    return make_user("centrala-raporty", CENTRAL_ADMIN, None)
