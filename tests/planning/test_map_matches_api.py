"""The map and the API read one rule of "plan in force": the zones the WFS layer "strefy" (the
view behind the map) shows over a parcel are the zones the zoning API names for it, for a
resident and for staff alike, including plans that take effect tomorrow or ended yesterday."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from planning.models import Plan, ZoneInForce

from .conftest import make_plan, make_zone

pytestmark = pytest.mark.django_db


def map_zones(client, parcel) -> set[tuple[str, str]]:
    """(resolution number, symbol) of the zones the WFS layer returns inside the parcel's box."""
    x0, y0, x1, y1 = parcel.geom.extent
    resp = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "strefy",
            # EPSG:2180 as a URN is northing first.
            "BBOX": f"{y0},{x0},{y1},{x1},urn:ogc:def:crs:EPSG::2180",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    features = json.loads(body)["features"]
    return {(f["properties"]["resolution_number"], f["properties"]["symbol"]) for f in features}


def api_zones(client, parcel) -> set[tuple[str, str]]:
    resp = client.get(f"/api/planning/parcels/{parcel.identifier}/zoning/")
    assert resp.status_code == 200, resp.content[:300]
    return {(p["resolution_number"], z["symbol"]) for p in resp.json()["plans"] for z in p["zones"]}


@pytest.fixture
def parcels(world):
    """Parcels inside one zone each or across zones (none on a zone's edge, where a box would
    touch a neighbour the parcel does not overlap), and plans at the edges of their validity."""
    today = timezone.localdate()
    soon = make_plan(
        world.gmina,
        world.at(20, 20, 80, 80),
        resolution="XXX/1/2026",
        valid_from=today + dt.timedelta(days=1),
    )
    make_zone(soon, "2MW", world.at(20, 20, 80, 80))
    ended = make_plan(
        world.gmina,
        world.at(20, 120, 80, 180),
        resolution="XXX/2/2026",
        valid_to=today - dt.timedelta(days=1),
    )
    make_zone(ended, "3P", world.at(20, 120, 80, 180))
    starts = make_plan(world.gmina, world.at(120, 20, 140, 40), resolution="XXX/3/2026", valid_from=today)
    make_zone(starts, "4U", world.at(120, 20, 140, 40))
    return [
        world.parcel("1", world.at(30, 30, 70, 70)),  # 1MN; the plan of tomorrow not yet
        world.parcel("2", world.at(30, 130, 70, 170)),  # 1MN; the ended plan no longer
        world.parcel("3", world.at(120, 50, 180, 90)),  # 1U up to the amendment, then 1ZP
        world.parcel("4", world.at(160, 50, 240, 90)),  # only the amending plan's 1ZP
        world.parcel("5", world.at(125, 25, 135, 35)),  # 1U and the plan in force from today
    ]


@pytest.mark.parametrize("visitor", ["anonymous", "planner", "central_admin"])
def test_map_shows_the_zones_the_api_names(parcels, world, visitor, request):
    client = APIClient()
    if visitor != "anonymous":
        client.force_authenticate(request.getfixturevalue(visitor))
        client.force_login(request.getfixturevalue(visitor))
    expected = [
        {("X/100/2015", "1MN")},
        {("X/100/2015", "1MN")},
        {("X/100/2015", "1U"), ("XX/200/2022", "1ZP")},
        {("XX/200/2022", "1ZP")},
        {("X/100/2015", "1U"), ("XXX/3/2026", "4U")},
    ]
    for parcel, zones in zip(parcels, expected, strict=True):
        assert api_zones(client, parcel) == zones, parcel.number
        assert map_zones(client, parcel) == zones, parcel.number


def test_one_sql_rule_decides_for_the_queryset_the_zoning_and_the_view(world):
    today = timezone.localdate()
    cases = [
        ("in_force", None, None, True),
        ("in_force", today, today, True),
        ("in_force", today + dt.timedelta(days=1), None, False),
        ("in_force", None, today - dt.timedelta(days=1), False),
        ("repealed", None, None, False),
        ("in_preparation", None, None, False),
    ]
    with connection.cursor() as cursor:
        for status, valid_from, valid_to, applies in cases:
            cursor.execute(
                "SELECT planning_plan_applies(%s, %s, %s, planning_today())", [status, valid_from, valid_to]
            )
            assert cursor.fetchone()[0] is applies, (status, valid_from, valid_to)
        # The view reads the function: its source names it, and no second copy of the rule.
        cursor.execute("SELECT pg_get_viewdef('planning_zone_in_force'::regclass)")
        view = cursor.fetchone()[0]
    assert "planning_plan_applies" in view and "'in_force'" not in view
    in_force = set(Plan.objects.in_force().filter(gmina=world.gmina).values_list("pk", flat=True))
    assert in_force == {world.base.pk, world.amendment.pk}
    assert set(ZoneInForce.objects.filter(gmina=world.gmina).values_list("plan_id", flat=True)) == in_force
