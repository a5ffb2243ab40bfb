"""The demo registers: the sizes the issue asks for, lamps on the demo streets, totals."""

import pytest
from django.db.models import Count, Sum

from inventory import selectors
from inventory.models import Inspection, Lamp, LightingLine, SmallArchitecture, Tree
from sip.models import Gmina, Street

pytestmark = pytest.mark.django_db


def test_every_demo_gmina_has_full_registers(demo_data):
    for gmina in Gmina.objects.filter(teryt__in=["020101_1", "020102_2", "020104_3"]):
        assert SmallArchitecture.objects.filter(gmina=gmina).count() >= 2000, gmina
        assert Lamp.objects.filter(gmina=gmina).count() >= 3000, gmina
        assert Tree.objects.filter(gmina=gmina).count() >= 5000, gmina
        outside = Tree.objects.filter(gmina=gmina).exclude(geom__within=gmina.boundary).count()
        assert outside == 0
        assert Lamp.objects.filter(gmina=gmina, line__isnull=True).count() == 0


def test_town_lamps_stand_along_the_demo_streets(demo_data):
    town = Gmina.objects.get(teryt="020101_1")
    streets = Street.objects.filter(gmina=town)
    assert streets.exists()
    union = streets[0].geom
    for street in streets[1:]:
        union = union.union(street.geom)
    lamps = Lamp.objects.filter(gmina=town).order_by("id")[::50]
    assert all(lamp.geom.distance(union) < 5 for lamp in lamps)


def test_circuit_totals_match_the_lamps(demo_data):
    gmina = Gmina.objects.get(teryt="020104_3")
    from django.contrib.auth.models import User

    totals = selectors.circuit_totals(gmina, user=User.objects.get(username="centrala"))
    assert sum(c["lamps"] for c in totals) == Lamp.objects.filter(gmina=gmina).count()
    assert (
        sum(c["power_w"] for c in totals) == Lamp.objects.filter(gmina=gmina).aggregate(s=Sum("power_w"))["s"]
    )
    assert (
        len(totals)
        == LightingLine.objects.filter(gmina=gmina).values("switch_cabinet", "circuit").distinct().count()
    )
    per_line = Lamp.objects.filter(gmina=gmina).values("line").annotate(n=Count("id"))
    assert all(row["n"] > 0 for row in per_line)


def test_some_inspections_are_overdue(demo_data):
    gmina = Gmina.objects.get(teryt="020101_1")
    assert Inspection.objects.filter(gmina=gmina).count() > 100
    import datetime as dt

    overdue = selectors.overdue_inspections(gmina, dt.date(2026, 6, 1))
    assert 0 < len(overdue) < Inspection.objects.filter(gmina=gmina).count()
    assert all(r["inspection"].next_due < dt.date(2026, 6, 1) for r in overdue)
