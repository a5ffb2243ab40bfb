"""The layer "plany" reads the one rule of "plan in force" (planning_plan_applies): a plan whose
status says in force but whose dates do not is drawn, reported by GetFeatureInfo and by the WFS
as the zoning API treats it, not from its status alone."""

from __future__ import annotations

import datetime as dt
import io
import json
from importlib import import_module

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from layers.registry import get_source
from planning.models import Plan, ZoneInForce
from sip.models import Parcel

from .conftest import make_plan, make_zone

IN_FORCE = (106, 61, 154)  # #6a3d9a
NOT_IN_FORCE = (153, 153, 153)  # #999999


@pytest.fixture
def plans(world):
    """Plans whose status says in force: ended yesterday, in force from tomorrow, from today;
    each with a left edge (x = 20 m of the world) no other plan's boundary runs along."""
    today = timezone.localdate()
    made = {}
    for y0, resolution, dates in (
        (220, "XXX/1/2026", {"valid_to": today - dt.timedelta(days=1)}),
        (320, "XXX/2/2026", {"valid_from": today + dt.timedelta(days=1)}),
        (420, "XXX/3/2026", {"valid_from": today}),
    ):
        plan = make_plan(world.gmina, world.at(20, y0, 80, y0 + 60), resolution=resolution, **dates)
        make_zone(plan, "9MN", world.at(20, y0, 80, y0 + 60))
        parcel = world.parcel(resolution.split("/")[1] + "0", world.at(30, y0 + 10, 70, y0 + 50))
        made[resolution] = (plan, parcel, y0)
    return made


def api_names_plan(client, parcel, resolution) -> bool:
    resp = client.get(f"/api/planning/parcels/{parcel.identifier}/zoning/")
    assert resp.status_code == 200, resp.content[:300]
    return resolution in {p["resolution_number"] for p in resp.json()["plans"]}


def wfs_in_force(client, world) -> dict[str, bool]:
    x0, y0, x1, y1 = world.at(0, 200, 100, 500).extent
    resp = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "plany",
            "BBOX": f"{y0},{x0},{y1},{x1},urn:ogc:def:crs:EPSG::2180",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    return {
        f["properties"]["resolution_number"]: f["properties"]["in_force"]
        for f in json.loads(body)["features"]
    }


def gfi_in_force(client, x, y) -> dict[str, bool]:
    resp = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": "plany",
            "QUERY_LAYERS": "plany",
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": f"{y - 5},{x - 5},{y + 5},{x + 5}",
            "WIDTH": 11,
            "HEIGHT": 11,
            "I": 5,
            "J": 5,
            "INFO_FORMAT": "application/json",
            "FEATURE_COUNT": 10,
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    return {
        f["properties"]["resolution_number"]: f["properties"]["in_force"] for f in resp.json()["features"]
    }


def edge_colour(client, x, y) -> tuple[int, int, int]:
    """The most common opaque colour of a GetMap (1 px a metre) centred on a plan's edge."""
    resp = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetMap",
            "LAYERS": "plany",
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": f"{y - 10},{x - 10},{y + 10},{x + 10}",
            "WIDTH": 20,
            "HEIGHT": 20,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    image = Image.open(io.BytesIO(resp.content)).convert("RGBA")
    opaque = [(n, rgba[:3]) for n, rgba in image.getcolors(400) if rgba[3] > 200]
    assert opaque, "nothing drawn on the plan's edge"
    return max(opaque)[1]


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", ["anonymous", "planner"])
def test_map_draws_and_reports_a_plan_in_force_as_the_api_does(plans, world, visitor, request):
    client = APIClient()
    if visitor != "anonymous":
        client.force_authenticate(request.getfixturevalue(visitor))
        client.force_login(request.getfixturevalue(visitor))
    expected = {"XXX/1/2026": False, "XXX/2/2026": False, "XXX/3/2026": True}
    wfs = wfs_in_force(client, world)
    for resolution, (_plan, parcel, y0) in plans.items():
        applies = api_names_plan(client, parcel, resolution)
        assert applies is expected[resolution], resolution
        assert wfs[resolution] is applies, resolution
        x, y = world.x + 40, world.y + y0 + 30
        assert gfi_in_force(client, x, y)[resolution] is applies, resolution


def lonely_edge_point(plan):
    """A point on the plan's boundary 15 m or more from every other plan's boundary."""
    from django.contrib.gis.geos import Point

    ring = plan.boundary[0].exterior_ring
    lines = [o.boundary.boundary for o in Plan.objects.exclude(pk=plan.pk)]
    for k in range(200):
        p = ring.interpolate_normalized(k / 200)
        p = Point(p.x, p.y, srid=2180)
        if all(line.distance(p) >= 15 for line in lines):
            return p
    raise AssertionError("no lonely edge")


def test_a_demo_plan_past_its_dates_is_drawn_as_not_in_force(demo_data, django_db_blocker):
    """MapServer reads through its own connection, so the test runs outside a test transaction:
    the change of dates is committed, and undone at the end."""
    with django_db_blocker.unblock():
        _past_its_dates()


def _past_its_dates():
    client = APIClient()
    plan = Plan.objects.in_force().filter(zones__isnull=False).distinct().order_by("pk").first()
    zone = ZoneInForce.objects.filter(plan=plan).order_by("pk").first()
    inside = zone.geom.point_on_surface
    parcel = Parcel.objects.filter(geom__contains=inside).first()
    edge = lonely_edge_point(plan)
    assert api_names_plan(client, parcel, plan.resolution_number)
    assert edge_colour(client, edge.x, edge.y) == pytest.approx(IN_FORCE, abs=25)
    assert gfi_in_force(client, inside.x, inside.y)[plan.resolution_number] is True
    original = plan.valid_to
    Plan.objects.filter(pk=plan.pk).update(valid_to=timezone.localdate() - dt.timedelta(days=1))
    try:
        assert plan.status == Plan.Status.IN_FORCE
        assert not api_names_plan(client, parcel, plan.resolution_number)
        assert gfi_in_force(client, inside.x, inside.y)[plan.resolution_number] is False
        assert edge_colour(client, edge.x, edge.y) == pytest.approx(NOT_IN_FORCE, abs=25)
    finally:
        Plan.objects.filter(pk=plan.pk).update(valid_to=original)


def test_the_migration_pins_the_registry_style():
    """The default style the migration gives databases made before the view is the registry's."""
    migration = import_module("planning.migrations.0009_plan_layer_view")
    registered = [
        (r["title"], r["field"], r["value"], r["stroke_colour"]) for r in get_source("plany").style["rules"]
    ]
    assert migration.NEW_RULES == registered
    assert get_source("plany").style["rules_only"] is True


@pytest.mark.django_db
def test_the_migration_moves_an_unchanged_default_style_to_in_force_and_leaves_staffs_own():
    from django.apps import apps

    from layers.models import Style

    migration = import_module("planning.migrations.0009_plan_layer_view")
    style = Style.objects.get(name="plany")

    def set_rules(rules, rules_only):
        style.rules.all().delete()
        for order, (title, field, value, stroke) in enumerate(rules):
            style.rules.create(order=order, title=title, field=field, value=value, stroke_colour=stroke)
        Style.objects.filter(pk=style.pk).update(rules_only=rules_only)

    def rules():
        return [(r.title, r.field, r.value, r.stroke_colour) for r in style.rules.order_by("order")]

    set_rules(migration.OLD_RULES, False)
    migration.forwards(apps, None)
    assert rules() == migration.NEW_RULES and Style.objects.get(pk=style.pk).rules_only
    own = [("mój", "status", "in_force", "#000000")]
    set_rules(own, False)
    migration.forwards(apps, None)
    assert rules() == own and not Style.objects.get(pk=style.pk).rules_only
