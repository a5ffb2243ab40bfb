"""The zoning in force as a WMS layer: colours by purpose, amendments win, GetFeatureInfo."""

import io

import pytest
from PIL import Image

from planning.maplayers import PURPOSE_COLOURS
from planning.models import Plan, Zone, ZoneInForce

pytestmark = pytest.mark.django_db


def get_map(client, layer, x, y, half=20, size=41):
    resp = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetMap",
            "LAYERS": layer,
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": f"{y - half},{x - half},{y + half},{x + half}",
            "WIDTH": size,
            "HEIGHT": size,
            "FORMAT": "image/png",
        },
    )
    assert resp.status_code == 200, resp.content[:500]
    return Image.open(io.BytesIO(resp.content)).convert("RGB")


def test_zone_is_drawn_in_the_colour_of_its_purpose(client, demo_data):
    zone = ZoneInForce.objects.exclude(purpose="").order_by("id").first()
    inner = zone.geom.buffer(-15)
    point = (inner if not inner.empty else zone.geom).point_on_surface
    # 20 m square around a point 15 m inside the zone: every pixel is in the zone; the most
    # common colour is the fill (a label may cover some pixels).
    image = get_map(client, "strefy", point.x, point.y, half=10)
    (_, (r, g, b)) = max(image.getcolors())
    fill = PURPOSE_COLOURS[zone.purpose]  # the registered default style, not changed by the demo
    expected = [round(0.7 * int(fill[i : i + 2], 16) + 0.3 * 255) for i in (1, 3, 5)]
    assert (r, g, b) == pytest.approx(expected, abs=6)


def test_amended_area_shows_the_amending_plan(client, demo_data):
    amending = Plan.objects.filter(amendments_made__kind="change", status="in_force").first()
    amended = amending.amendments_made.first().amended
    inside = amending.boundary.point_on_surface
    old = Zone.objects.filter(plan=amended, geom__contains=inside)
    new = Zone.objects.filter(plan=amending, geom__contains=inside).first()
    assert new is not None
    shown = ZoneInForce.objects.filter(geom__contains=inside)
    assert [z.plan_id for z in shown] == [amending.pk]
    assert (
        old.exists()
        and not ZoneInForce.objects.filter(pk__in=old.values("pk"), geom__contains=inside).exists()
    )


def test_feature_info_names_the_zone(client, demo_data):
    zone = ZoneInForce.objects.order_by("id").first()
    p = zone.geom.point_on_surface
    resp = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": "strefy",
            "QUERY_LAYERS": "strefy",
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": f"{p.y - 5},{p.x - 5},{p.y + 5},{p.x + 5}",
            "WIDTH": 11,
            "HEIGHT": 11,
            "I": 5,
            "J": 5,
            "INFO_FORMAT": "text/html",
        },
    )
    page = resp.content.decode()
    assert resp.status_code == 200 and zone.symbol in page and "symbol terenu" in page


def test_an_amendment_applies_only_from_its_first_day(client, demo_data):
    import datetime as dt

    from planning.selectors import parcel_zoning
    from sip.models import Parcel

    amending = Plan.objects.filter(amendments_made__kind="change", status="in_force").first()
    amended = amending.amendments_made.first().amended
    inside = amending.boundary.point_on_surface
    parcel = Parcel.objects.filter(geom__contains=inside).first()
    assert {p.plan.pk for p in parcel_zoning(parcel).plans} >= {amending.pk}
    # The same amendment, taking effect next year: the amended plan's zones apply there today.
    amending.valid_from = dt.date.today() + dt.timedelta(days=365)
    amending.save(update_fields=["valid_from"])
    assert [z.plan_id for z in ZoneInForce.objects.filter(geom__contains=inside)] == [amended.pk]
    plans = {p.plan.pk for p in parcel_zoning(parcel).plans}
    assert amended.pk in plans and amending.pk not in plans
