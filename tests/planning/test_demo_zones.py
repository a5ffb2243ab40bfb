"""The demo plans' zones follow the land as real plans do: zone boundaries run along parcel
edges, road zones along the streets; the zones of a plan tile it without overlaps; a plan takes
its parcels whole (except roads and large fields its boundary crosses); a minority of lots lies
in two zones (a line of building depth). Checked with shapely on the geometries read back."""

from collections import Counter

import numpy as np
import pytest
import shapely

from fixtures.demo.plans import LARGE_PARCEL_M2
from planning.models import Plan
from sip.models import Parcel, Street

pytestmark = pytest.mark.django_db

DEMO = ("020101_1", "020102_2", "020104_3")


def shp(values):
    return np.array(shapely.from_wkb([bytes(g.wkb) for g in values]), dtype=object)


def demo_plans():
    return list(Plan.objects.filter(gmina__teryt__in=DEMO, status="in_force").order_by("gmina__teryt", "pk"))


def plan_land(plan):
    zones = list(plan.zones.order_by("symbol"))
    geoms = shp([z.geom for z in zones])
    boundary = shapely.from_wkb(bytes(plan.boundary.wkb))
    parcels = shp(
        Parcel.objects.filter(gmina=plan.gmina, geom__intersects=plan.boundary).values_list("geom", flat=True)
    )
    streets = shp(
        Street.objects.filter(gmina=plan.gmina, geom__intersects=plan.boundary).values_list("geom", flat=True)
    )
    return zones, geoms, boundary, parcels, streets


def test_zone_boundaries_run_along_parcel_edges(demo_data):
    for plan in demo_plans():
        _, geoms, _, parcels, _ = plan_land(plan)
        lines = shapely.union_all(shapely.boundary(geoms))
        edges = shapely.buffer(shapely.union_all(shapely.boundary(parcels)), 0.05)
        share = lines.intersection(edges).length / lines.length
        assert share >= 0.85, f"{plan}: {share:.1%} of zone boundaries on parcel edges"


def test_zones_of_a_plan_tile_it_without_overlaps(demo_data):
    plans = demo_plans()
    assert len(plans) == 6
    for plan in plans:
        zones, geoms, boundary, _, _ = plan_land(plan)
        assert all(shapely.is_valid(geoms)) and all(shapely.area(geoms) > 1.0)
        union = shapely.union_all(geoms)
        assert shapely.area(geoms).sum() - union.area < 1.0, f"{plan}: zones overlap"
        assert union.symmetric_difference(boundary).area < 1.0, f"{plan}: zones do not tile the plan"
        assert len({z.symbol for z in zones}) == len(zones)
        numbers = Counter(z.purpose for z in zones)
        assert {z.symbol for z in zones} == {f"{n}{p}" for p, c in numbers.items() for n in range(1, c + 1)}
        for amendment in plan.amendments_made.all():
            amended = shapely.from_wkb(bytes(amendment.amended.boundary.wkb))
            assert boundary.difference(amended).area < 1.0


def test_a_plan_takes_its_parcels_whole_except_roads_and_large_fields(demo_data):
    for plan in demo_plans():
        _, _, boundary, parcels, streets = plan_land(plan)
        inside = shapely.area(shapely.intersection(parcels, boundary))
        touched = parcels[inside > 1.0]
        share = inside[inside > 1.0] / shapely.area(touched)
        cut = touched[share < 0.999]
        # Cut parcels are road parcels (a street runs through them) or large fields and forests.
        on_street = (
            shapely.intersects(cut, shapely.union_all(streets)) if len(streets) else np.zeros(len(cut))
        )
        strays = [g for g, s in zip(cut, on_street, strict=True) if not s and g.area < LARGE_PARCEL_M2]
        assert not strays, f"{plan}: {len(strays)} small parcels cut by the plan's boundary"
        assert len(cut) <= 0.3 * len(touched), f"{plan}: {len(cut)} of {len(touched)} parcels cut"


def test_road_zones_follow_the_streets(demo_data):
    for plan in demo_plans():
        zones, geoms, boundary, _, streets = plan_land(plan)
        roads = shapely.union_all(
            [g for z, g in zip(zones, geoms, strict=True) if z.purpose.startswith("KD")]
        )
        inside = shapely.intersection(shapely.union_all(streets), boundary.buffer(-1.0))
        off_road = inside.difference(roads.buffer(0.5)).length
        assert off_road <= 0.02 * inside.length, f"{plan}: {off_road:.0f} m of streets outside road zones"
        for z, g in zip(zones, geoms, strict=True):
            if z.purpose.startswith("KD"):
                assert shapely.dwithin(g, shapely.union_all(streets), 15.0), z.symbol


def test_a_minority_of_lots_lies_in_two_zones(demo_data):
    """Deep lots divided by a line of building depth: front part built-up, rear part green (ZP)
    or agricultural (R); the demo's extracts need such parcels."""
    for plan in Plan.objects.filter(gmina__teryt__in=DEMO, resolution_number="XLII/512/2014"):
        zones, geoms, boundary, parcels, _ = plan_land(plan)
        whole = parcels[shapely.within(parcels, boundary.buffer(0.01))]
        pi, zi = shapely.STRtree(geoms).query(whole, predicate="intersects")
        pieces = shapely.area(shapely.intersection(whole[pi], geoms[zi]))
        per_parcel: dict[int, list] = {}
        for p, z, a in zip(pi, zi, pieces, strict=True):
            if a > 0.05 * whole[p].area:
                per_parcel.setdefault(int(p), []).append(zones[z].purpose)
        split = [sorted(v) for v in per_parcel.values() if len(v) > 1]
        assert 0.03 * len(whole) <= len(split) <= 0.3 * len(whole), f"{plan}: {len(split)} of {len(whole)}"
        rear = Counter(p for pair in split for p in pair if p in ("ZP", "R"))
        assert sum(rear.values()) >= 0.8 * len(split), split[:10]


def test_the_wypis_of_a_divided_demo_lot_names_both_zones_and_their_shares(client, demo_data):
    from django.contrib.auth.models import User

    from planning.selectors import parcel_zoning
    from tests.utils import pdf_text

    plan = Plan.objects.get(gmina__teryt="020101_1", resolution_number="XLII/512/2014")
    zones, geoms, boundary, _, _ = plan_land(plan)
    rear = shapely.union_all([g for z, g in zip(zones, geoms, strict=True) if z.purpose == "ZP"])
    candidates = Parcel.objects.filter(gmina=plan.gmina, geom__within=plan.boundary).order_by("identifier")
    for parcel in candidates:
        g = shapely.from_wkb(bytes(parcel.geom.wkb))
        if 0.1 < g.intersection(rear).area / g.area < 0.9:
            break
    else:
        pytest.fail("no lot divided between a built-up zone and green")
    shares = parcel_zoning(parcel).zone_shares
    assert len(shares) == 2 and sum(s.share_pct for _, s in shares) == pytest.approx(100, abs=0.01)
    client.force_login(User.objects.get(username="planista-boleslawiec"))
    resp = client.post(
        "/api/planning/extracts/",
        {"parcels": [parcel.identifier], "kind": "wypis"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    pdf = client.get(resp.json()["pdf_url"])
    flat = " ".join(pdf_text(b"".join(pdf.streaming_content), layout=True).split())
    for _, share in shares:
        assert f"Teren {share.zone.symbol} – {share.zone.name}" in flat
        assert f"{share.share_pct:.2f}%".replace(".", ",") in flat
