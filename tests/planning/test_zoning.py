"""Zoning of a parcel through the API, checked against shapely on the geometries read back."""

import datetime as dt
from urllib.parse import quote

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union

from planning.models import Plan
from sip.models import Parcel

pytestmark = pytest.mark.django_db


def zoning(client, identifier, **params):
    query = "&".join(f"{k}={v}" for k, v in {"srid": 2180, "geometry": 1, **params}.items())
    resp = client.get(f"/api/planning/parcels/{quote(identifier, safe='')}/zoning/?{query}")
    assert resp.status_code == 200, resp.content
    return resp.json()


def oracle(body) -> tuple[dict, float]:
    """Shares (%) per (plan id, symbol) and the uncovered share, computed by shapely from the
    geometries in the answer: zone ∩ parcel, minus the boundaries of amending plans."""
    parcel = shape(body["parcel"]["geometry"])
    boundaries = {p["id"]: shape(p["boundary"]) for p in body["plans"]}
    shares, pieces = {}, []
    for plan in body["plans"]:
        replaced = [boundaries[a["id"]] for a in plan["amended_by"] if a["id"] in boundaries]
        for zone in plan["zones"] + plan["slivers"]:
            piece = shape(zone["geometry"]).intersection(parcel)
            if replaced:
                piece = piece.difference(unary_union(replaced))
            shares[(plan["id"], zone["symbol"])] = 100 * piece.area / parcel.area
            pieces.append(piece)
    covered = unary_union(pieces).area if pieces else 0.0
    return shares, 100 * (parcel.area - covered) / parcel.area


def assert_agrees(body):
    shares, uncovered = oracle(body)
    for plan in body["plans"]:
        for zone in plan["zones"] + plan["slivers"]:
            assert zone["share_pct"] == pytest.approx(shares[(plan["id"], zone["symbol"])], abs=0.01)
    assert body["uncovered"]["share_pct"] == pytest.approx(uncovered, abs=0.01)
    total = sum(z["share_pct"] for p in body["plans"] for z in p["zones"] + p["slivers"])
    assert total + body["uncovered"]["share_pct"] == pytest.approx(100, abs=0.01)


def test_demo_parcels_agree_with_shapely(client, demo_data):
    """Parcels in amended areas, across plan boundaries and inside plans, in every demo gmina."""
    checked = {"amended": 0, "partly_outside": 0, "several_zones": 0}
    for amendment in Plan.objects.filter(amendments_made__isnull=False).distinct():
        base = amendment.amendments_made.get().amended
        in_amendment = Parcel.objects.filter(geom__intersects=amendment.boundary).order_by("identifier")[:8]
        across_edge = Parcel.objects.filter(geom__intersects=base.boundary.boundary).order_by("identifier")[
            :8
        ]
        inside = Parcel.objects.filter(geom__within=base.boundary).order_by("identifier")[::20][:16]
        for parcel in [*in_amendment, *across_edge, *inside]:
            body = zoning(client, parcel.identifier)
            assert_agrees(body)
            ids = {p["id"] for p in body["plans"]}
            checked["amended"] += amendment.pk in ids and base.pk in ids
            checked["partly_outside"] += body["uncovered"]["share_pct"] > 1
            checked["several_zones"] += sum(len(p["zones"]) for p in body["plans"]) > 1
    assert all(n > 3 for n in checked.values()), checked


def test_parcel_on_zone_boundary_is_half_and_half(client, world):
    parcel = world.parcel("1", world.at(90, 50, 110, 70))
    body = zoning(client, parcel.identifier)
    assert_agrees(body)
    [plan] = body["plans"]
    assert {z["symbol"]: z["share_pct"] for z in plan["zones"]} == {"1MN": 50.0, "1U": 50.0}
    assert body["uncovered"]["share_pct"] == 0


def test_multipolygon_parcel_partly_outside_any_plan(client, world):
    from django.contrib.gis.geos import MultiPolygon

    geom = MultiPolygon(
        *world.at(10, 10, 30, 30), *world.at(110, 10, 130, 30), *world.at(300, 10, 320, 30), srid=2180
    )
    parcel = world.parcel("2", geom)
    body = zoning(client, parcel.identifier)
    assert_agrees(body)
    zones = {z["symbol"]: z for p in body["plans"] for z in p["zones"]}
    assert zones["1MN"]["area_m2"] == pytest.approx(400) and zones["1U"]["area_m2"] == pytest.approx(400)
    assert body["uncovered"]["share_pct"] == pytest.approx(100 / 3, abs=0.001)
    assert body["covered_by_plan"] is True


def test_amendment_wins_where_it_applies(client, world):
    parcel = world.parcel("3", world.at(140, 0, 160, 10))
    body = zoning(client, parcel.identifier)
    assert_agrees(body)
    shares = {
        (p["resolution_number"], z["symbol"]): z["share_pct"] for p in body["plans"] for z in p["zones"]
    }
    assert shares == {("X/100/2015", "1U"): 50.0, ("XX/200/2022", "1ZP"): 50.0}
    base = next(p for p in body["plans"] if p["resolution_number"] == "X/100/2015")
    assert base["amended_by"] == [{"id": world.amendment.pk, "resolution_number": "XX/200/2022"}]


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "applies"),
    [
        (1, None, False),  # adopted, takes effect tomorrow
        (-30, -1, False),  # expired yesterday
        (0, None, True),  # takes effect today
    ],
)
def test_amendment_listed_only_when_it_cuts(client, world, valid_from, valid_to, applies):
    """One rule for amended_by and the shares: an amendment in force by status but not yet (or no
    longer) valid is neither listed nor cut out; the wypis data uses the same list."""
    from django.utils import timezone

    from planning import selectors

    today = timezone.localdate()
    world.amendment.valid_from = today + dt.timedelta(days=valid_from)
    world.amendment.valid_to = today + dt.timedelta(days=valid_to) if valid_to is not None else None
    world.amendment.save()
    parcel = world.parcel("3", world.at(140, 0, 160, 10))
    body = zoning(client, parcel.identifier)
    assert_agrees(body)
    base = next(p for p in body["plans"] if p["resolution_number"] == "X/100/2015")
    shares = {z["symbol"]: z["share_pct"] for z in base["zones"]}
    if applies:
        assert base["amended_by"] == [{"id": world.amendment.pk, "resolution_number": "XX/200/2022"}]
        assert shares == {"1U": 50.0}
    else:
        assert base["amended_by"] == []
        assert shares == {"1U": 100.0}
        assert not any(p["resolution_number"] == "XX/200/2022" for p in body["plans"])
    planned = selectors.parcel_zoning(parcel, day=today + dt.timedelta(days=400))
    base_zoning = next(pz for pz in planned.plans if pz.plan.pk == world.base.pk)
    if valid_to is None:  # a year on, the amendment applies in every case: listed and cut out
        assert [a.pk for a in base_zoning.amended_by] == [world.amendment.pk]
        assert [round(s.share_pct, 3) for s in base_zoning.zones] == [50.0]


def test_repealed_and_draft_plans_are_ignored(client, world):
    parcel = world.parcel("4", world.at(400, 400, 420, 420))
    body = zoning(client, parcel.identifier)
    assert body["plans"] == [] and body["uncovered"]["share_pct"] == 100 and body["covered_by_plan"] is False


@pytest.mark.parametrize(
    ("x1", "why"),
    [(100.004, "under 0.5 m²"), (100.01, "1 m² but under 0.05 %")],
)
def test_digitising_slivers_are_not_zones(client, world, x1, why):
    parcel = world.parcel("5", world.at(50, 0, x1, 100))
    body = zoning(client, parcel.identifier)
    assert_agrees(body)
    [plan] = body["plans"]
    assert [z["symbol"] for z in plan["zones"]] == ["1MN"], why
    assert [z["symbol"] for z in plan["slivers"]] == ["1U"], why


def test_wgs84_output_by_default(client, world):
    parcel = world.parcel("6", world.at(10, 10, 30, 30))
    body = client.get(f"/api/planning/parcels/{quote(parcel.identifier, safe='')}/zoning/?geometry=1").json()
    lon, lat = shape(body["parcel"]["geometry"]).centroid.coords[0]
    assert 14 < lon < 24 and 49 < lat < 55
    assert body["plans"][0]["zones"][0]["area_m2"] == pytest.approx(400)


@pytest.mark.parametrize(
    ("identifier", "status", "message"),
    [
        ("020101_1.1.12", 400, "Nieprawidłowy identyfikator działki"),
        ("020101_1.0001.999999", 404, "Nie ma działki 020101_1.0001.999999"),
    ],
)
def test_bad_identifiers(client, db, identifier, status, message):
    resp = client.get(f"/api/planning/parcels/{quote(identifier, safe='')}/zoning/")
    assert resp.status_code == status and message in resp.json()["detail"]


def test_unsupported_srid_is_400(client, world):
    parcel = world.parcel("7", world.at(10, 10, 30, 30))
    resp = client.get(f"/api/planning/parcels/{quote(parcel.identifier, safe='')}/zoning/?srid=31467")
    assert resp.status_code == 400 and "Nieobsługiwany" in resp.json()["detail"]


@pytest.mark.parametrize("session_zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_map_view_uses_the_local_date_like_the_zoning(world, session_zone):
    """The map's zones in force (a view) use the gmina's local date, as the zoning answer does,
    whatever the database session's time zone (UTC+14 and UTC−11: at any hour one of them is on
    another date than Warsaw)."""
    from django.db import connection
    from django.utils import timezone

    from planning.models import ZoneInForce
    from planning.selectors import parcel_zoning

    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
    cases = [(today, None, True), (today + dt.timedelta(days=1), None, False), (None, today, True)]
    cases.append((None, today - dt.timedelta(days=1), False))
    for valid_from, valid_to, shown in cases:
        Plan.objects.filter(pk=world.base.pk).update(valid_from=valid_from, valid_to=valid_to)
        assert ZoneInForce.objects.filter(plan=world.base).exists() is shown, (valid_from, valid_to)
        parcel = world.parcel(f"9{len(cases)}{valid_from is None:d}{shown:d}", world.at(10, 10, 20, 20))
        assert any(pz.plan.pk == world.base.pk for pz in parcel_zoning(parcel).plans) is shown
