import pytest

from cemetery_routing.models import Cemetery

BIG = "cmentarz-komunalny-boleslawiec"
SMALL = "cmentarz-komunalny-nowogrodziec"


@pytest.fixture
def big_cemetery(demo_data, db):
    return Cemetery.objects.get(slug=BIG)


@pytest.fixture
def small_cemetery(demo_data, db):
    return Cemetery.objects.get(slug=SMALL)


def _cemetery(gmina, slug):
    """A 60 × 40 m cemetery in the test gmina: one section, a gate, an alley, six graves."""
    from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon

    from cemetery_routing.models import Alley, Gate, Grave, Section
    from cemetery_routing.routing import PathRouter

    x0, y0 = gmina.boundary.extent[0] + 500, gmina.boundary.extent[1] + 500
    cemetery = Cemetery.objects.create(
        gmina=gmina,
        name=f"Cmentarz testowy {slug}",
        slug=slug,
        boundary=MultiPolygon(Polygon.from_bbox((x0, y0, x0 + 60, y0 + 40)), srid=2180),
    )
    section = Section.objects.create(
        cemetery=cemetery, name="A", geom=Polygon.from_bbox((x0 + 2, y0 + 12, x0 + 58, y0 + 38))
    )
    section.geom.srid = 2180
    Alley.objects.create(
        cemetery=cemetery,
        name="Aleja Lipowa",
        kind="main",
        geom=LineString((x0, y0 + 10), (x0 + 60, y0 + 10), srid=2180),
    )
    Gate.objects.create(cemetery=cemetery, name="Brama", geom=Point(x0, y0 + 10, srid=2180))
    for n in range(1, 7):
        Grave.objects.create(
            cemetery=cemetery,
            section=section,
            row="1",
            number=str(n),
            status="occupied",
            geom=Point(x0 + 5 * n, y0 + 12, srid=2180),
        )
    PathRouter(cemetery.pk).build()
    return cemetery


@pytest.fixture
def test_cemetery(gmina):
    return _cemetery(gmina, "cmentarz-testowy")


@pytest.fixture
def other_cemetery(other_gmina):
    return _cemetery(other_gmina, "cmentarz-inny")
