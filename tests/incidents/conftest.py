"""A small world for the incident tests, far east of the demo gminas (so that a kept demo
database never overlaps it): gmina A with streets of every category, a cemetery and a lamp;
gmina B beside it; outside bodies; categories and rules."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point

from cemetery_routing.models import Cemetery
from incidents.models import Category, CategoryGroup, CategorySetting, RoutingRule
from inventory.models import Lamp
from sip.models import Gmina, Street, Unit
from sip.tenancy import CENTRAL_ADMIN, EDITOR
from tests.conftest import make_user, square

# Gmina A: the square 700,000..704,000 × 300,000..304,000 (EPSG:2180); gmina B east of it.
AX, AY = 700_000, 300_000


def pt(x: float, y: float) -> Point:
    return Point(AX + x, AY + y, srid=2180)


def wgs(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of a point given in metres from gmina A's south-west corner."""
    p = pt(x, y).transform(4326, clone=True)
    return p.y, p.x


@dataclass
class World:
    a: Gmina
    b: Gmina
    office_a: Unit
    office_b: Unit
    roads_dept_a: Unit
    pzd: Unit
    dsdik: Unit
    gddkia: Unit
    gas: Unit
    tauron: Unit
    cemetery_admin: Unit
    pothole: Category
    lamp_cat: Category
    gas_cat: Category
    grave_cat: Category
    lamp: Lamp
    cemetery: Cemetery


def road(gmina, name, category, manager, y, number=""):
    return Street.objects.create(
        gmina=gmina,
        name=name,
        road_category=category,
        road_number=number,
        road_manager=manager,
        geom=MultiLineString(LineString((AX, AY + y), (AX + 4_000, AY + y)), srid=2180),
    )


@pytest.fixture
def world(db) -> World:
    a = Gmina.objects.create(
        teryt="069901_1", name="Gmina A", kind="urban", slug="gmina-a", boundary=square(AX, AY, 4_000)
    )
    b = Gmina.objects.create(
        teryt="069902_2", name="Gmina B", kind="rural", slug="gmina-b", boundary=square(AX + 4_000, AY, 4_000)
    )
    office_a = Unit.objects.create(name="Urząd Miasta A", kind="gmina_office", gmina=a, phone="75 000 00 01")
    office_b = Unit.objects.create(name="Urząd Gminy B", kind="gmina_office", gmina=b)
    roads_dept_a = Unit.objects.create(name="Wydział Dróg UM A", kind="department", gmina=a)
    pzd = Unit.objects.create(
        name="Powiatowy Zarząd Dróg",
        kind="external",
        phone="75 111 11 11",
        email="pzd@example.org",
        receives="both",
    )
    dsdik = Unit.objects.create(
        name="Dolnośląska Służba Dróg i Kolei", kind="external", receives="email", email="d@example.org"
    )
    gddkia = Unit.objects.create(
        name="GDDKiA Oddział we Wrocławiu",
        kind="external",
        phone="71 334 73 00",
        website="https://www.gov.pl/web/gddkia",
        receives="none",
    )
    gas = Unit.objects.create(name="Pogotowie gazowe", kind="external", phone="992", receives="none")
    tauron = Unit.objects.create(name="TAURON Dystrybucja", kind="external", receives="inbox")
    cemetery_admin = Unit.objects.create(name="Zarząd Cmentarzy A", kind="company", gmina=a)

    road(a, "ul. Gminna", "gminna", None, 500)
    road(a, "ul. Powiatowa", "powiatowa", pzd, 1_000, "1234D")
    road(a, "Droga wojewódzka", "wojewodzka", dsdik, 1_500, "DW297")
    road(a, "Droga krajowa", "krajowa", gddkia, 2_000, "DK94")

    group = CategoryGroup.objects.create(name="Drogi (test)", icon="road", order=1)
    other = CategoryGroup.objects.create(name="Inne (test)", icon="other", order=2)
    pothole = Category.objects.create(code="t-dziura", name="Dziura w jezdni", group=group, icon="pothole")
    lamp_cat = Category.objects.create(
        code="t-latarnia", name="Nie świeci latarnia", group=other, icon="lamp"
    )
    gas_cat = Category.objects.create(code="t-gaz", name="Zapach gazu", group=other, icon="gas")
    grave_cat = Category.objects.create(
        code="t-cmentarz", name="Porządek na cmentarzu", group=other, icon="grave"
    )
    CategorySetting.objects.create(
        gmina=a, category=gas_cat, handling="outside", outside_unit=gas, outside_message="Dzwoń 992 albo 112."
    )
    RoutingRule.objects.create(gmina=a, category=pothole, condition="road", distance_m=15, priority=10)
    RoutingRule.objects.create(
        gmina=a, category=pothole, condition="anywhere", unit=roads_dept_a, priority=50
    )
    RoutingRule.objects.create(gmina=a, category=None, condition="cemetery", unit=cemetery_admin, priority=5)
    RoutingRule.objects.create(
        gmina=a, category=lamp_cat, condition="register", register="lamps", unit=tauron, priority=20
    )

    cemetery = Cemetery.objects.create(
        gmina=a, name="Cmentarz Komunalny A", slug="cmentarz-a", boundary=square(AX + 3_000, AY + 3_000, 500)
    )
    lamp = Lamp.objects.create(gmina=a, external_id="L-7", circuit="O1", power_w=70, geom=pt(200, 200))
    return World(
        a, b, office_a, office_b, roads_dept_a, pzd, dsdik, gddkia, gas, tauron, cemetery_admin,
        pothole, lamp_cat, gas_cat, grave_cat, lamp, cemetery,
    )  # fmt: skip


@pytest.fixture
def staff_a(world):
    return make_user("urzednik-a", EDITOR, world.a)


@pytest.fixture
def staff_b(world):
    return make_user("urzednik-b", EDITOR, world.b)


@pytest.fixture
def central(world):
    return make_user("centrala-zgloszenia", CENTRAL_ADMIN, None)
