"""Walking routes to graves, checked against networkx on the alleys read back from the DB."""

import math
import random

import pytest
import shapely
from django.contrib.gis.geos import Point as GeosPoint
from django.core.management import call_command
from shapely.geometry import LineString, Point

from cemetery_routing.models import Alley, Grave

from .oracle import Oracle


def route(client, grave_id, **params):
    return client.get(f"/api/cemetery/graves/{grave_id}/route/", {"srid": 2180, **params})


def sample_graves(cemetery, n, seed):
    ids = sorted(Grave.objects.filter(cemetery=cemetery).values_list("pk", flat=True))
    return random.Random(seed).sample(ids, n)


def check_shape(body, oracle):
    """The line stays on alleys except the last straight step; it is as long as length_m, and
    the steps add up to it."""
    props = body["properties"]
    coords = body["geometry"]["coordinates"]
    line = LineString(coords)
    assert line.length == pytest.approx(props["length_m"], abs=0.15)
    total = sum(s["distance_m"] for s in props["steps"])
    assert total == pytest.approx(props["length_m"], abs=0.05 * len(props["steps"]) + 0.05)
    on_alleys = LineString(coords[:-1]) if len(coords) > 2 else None
    if on_alleys is not None:
        off = on_alleys.difference(oracle.corridor)
        assert off.length < 0.05, f"{off.length:.2f} m of the route is off the alleys"
    for step in props["steps"]:
        assert step["text"].endswith(" m") or step["text"].endswith("kilka kroków")


def test_route_lengths_match_networkx_for_many_graves(client, big_cemetery):
    oracle = Oracle(big_cemetery)
    gates = oracle.gates
    checked = refused = 0
    for grave_id in sample_graves(big_cemetery, 80, seed=11):
        grave = Grave.objects.get(pk=grave_id)
        expected = oracle.lengths((grave.geom.x, grave.geom.y), gates)
        resp = route(client, grave_id)
        if expected == {None}:
            assert resp.status_code == 409
            refused += 1
            continue
        assert resp.status_code == 200, resp.json()
        body = resp.json()
        got = body["properties"]["length_m"]
        assert any(e is not None and abs(e - got) <= 0.5 for e in expected), (grave_id, got, expected)
        check_shape(body, oracle)
        checked += 1
    assert checked >= 75


def test_route_in_the_small_cemetery_and_through_a_chosen_gate(client, small_cemetery):
    oracle = Oracle(small_cemetery)
    for grave_id in sample_graves(small_cemetery, 15, seed=3):
        grave = Grave.objects.get(pk=grave_id)
        for name, xy in oracle.gates.items():
            resp = route(client, grave_id, gate=name)
            assert resp.status_code == 200
            body = resp.json()
            assert body["properties"]["gate"]["name"] == name
            expected = oracle.lengths((grave.geom.x, grave.geom.y), {name: xy})
            assert any(abs(e - body["properties"]["length_m"]) <= 0.5 for e in expected)
            check_shape(body, oracle)


def test_nearest_gate_is_the_one_with_the_shortest_walk(client, big_cemetery):
    oracle = Oracle(big_cemetery)
    for grave_id in sample_graves(big_cemetery, 10, seed=5):
        grave = Grave.objects.get(pk=grave_id)
        by_gate = {
            name: min(x for x in oracle.lengths((grave.geom.x, grave.geom.y), {name: xy}) if x is not None)
            for name, xy in oracle.gates.items()
            if oracle.lengths((grave.geom.x, grave.geom.y), {name: xy}) != {None}
        }
        if not by_gate:
            continue
        body = route(client, grave_id).json()
        chosen = body["properties"]["gate"]["name"]
        assert by_gate[chosen] == pytest.approx(min(by_gate.values()), abs=0.5)


def test_route_from_the_walkers_own_position(client, big_cemetery):
    oracle = Oracle(big_cemetery)
    rng = random.Random(8)
    minx, miny, maxx, maxy = big_cemetery.boundary.extent
    done = 0
    for grave_id in sample_graves(big_cemetery, 40, seed=9):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not big_cemetery.boundary.contains(GeosPoint(x, y, srid=2180)):
            continue
        grave = Grave.objects.get(pk=grave_id)
        expected = oracle.lengths((grave.geom.x, grave.geom.y), {"me": (x, y)})
        resp = route(client, grave_id, **{"from": f"{x},{y}", "from_srid": 2180})
        if None in expected:
            assert resp.status_code == 409
            continue
        assert resp.status_code == 200, resp.json()
        body = resp.json()
        assert body["properties"]["gate"] is None
        assert body["geometry"]["coordinates"][0] == pytest.approx([x, y], abs=0.01)
        assert any(abs(e - body["properties"]["length_m"]) <= 0.5 for e in expected)
        done += 1
    assert done >= 15


def test_step_free_routes_avoid_stairs_and_match_networkx(client, big_cemetery):
    stairs = shapely.union_all(
        [LineString(a.geom.coords) for a in Alley.objects.filter(cemetery=big_cemetery, step_free=False)]
    )
    oracle_all, oracle_free = Oracle(big_cemetery), Oracle(big_cemetery, step_free=True)
    graves = Grave.objects.filter(cemetery=big_cemetery, section__name__in=["H2", "H3", "I2", "I3"])
    for grave in graves.order_by("pk")[::9][:25]:
        xy = (grave.geom.x, grave.geom.y)
        normal = route(client, grave.pk).json()
        free = route(client, grave.pk, step_free=1).json()
        line = LineString(free["geometry"]["coordinates"])
        assert line.intersection(stairs.buffer(0.01)).length < 0.5
        expected_free = oracle_free.lengths(xy, oracle_free.gates)
        expected_all = oracle_all.lengths(xy, oracle_all.gates)
        assert any(abs(e - free["properties"]["length_m"]) <= 0.5 for e in expected_free)
        assert any(abs(e - normal["properties"]["length_m"]) <= 0.5 for e in expected_all)
        assert free["properties"]["length_m"] >= normal["properties"]["length_m"] - 0.01
        # Longer without stairs exactly where networkx finds the stairs a shortcut.
        shortcut = min(expected_free) > min(expected_all) + 0.5
        assert (free["properties"]["length_m"] > normal["properties"]["length_m"] + 0.5) == shortcut, grave.pk


def test_polish_turn_by_turn_steps(client, big_cemetery):
    grave = Grave.objects.filter(cemetery=big_cemetery, section__name="D3", row="4", number="13").get()
    body = route(client, grave.pk, srid=4326).json()
    steps = body["properties"]["steps"]
    assert steps[0]["text"].startswith("Od bramy „Brama Główna” idź aleją Główną")
    assert steps[-1]["maneuver"] == "arrive" and "kwatera D3, rząd 4, grób 13" in steps[-1]["instruction"]
    turns = [s for s in steps[1:-1] if s["maneuver"] in ("left", "right")]
    assert turns and all(s["text"].startswith("Skręć w ") for s in turns)
    assert body["properties"]["walking_time_s"] == round(body["properties"]["length_m"] / 1.2)
    lon, lat = body["geometry"]["coordinates"][0]
    assert 15.5 < lon < 15.7 and 51.2 < lat < 51.3


def test_turn_into_a_named_alley_uses_the_accusative(client, big_cemetery):
    texts = set()
    for grave_id in sample_graves(big_cemetery, 40, seed=21):
        resp = route(client, grave_id)
        if resp.status_code == 200:
            texts.update(s["text"] for s in resp.json()["properties"]["steps"])
    assert any(t.startswith("Skręć w lewo w aleję ") or t.startswith("Skręć w prawo w aleję ") for t in texts)
    assert not any(" w aleja " in t or " w Aleja " in t for t in texts)


def test_bad_input(client, big_cemetery):
    assert route(client, 987654321).status_code == 404
    assert route(client, "abc").status_code == 404
    grave = Grave.objects.filter(cemetery=big_cemetery).first()
    far = route(client, grave.pk, **{"from": "15.40,51.35"})  # Osiecznica, far away
    assert far.status_code == 400 and "poza cmentarzem" in far.json()["detail"]
    assert route(client, grave.pk, **{"from": "abc"}).status_code == 400
    wrong_gate = route(client, grave.pk, gate="Brama Tajemna")
    assert wrong_gate.status_code == 400 and "Brama Główna" in wrong_gate.json()["detail"]
    assert route(client, grave.pk, srid=9999).status_code == 400


def test_grave_by_a_disconnected_path_gets_a_clear_message(client, big_cemetery):
    grave = Grave.objects.get(cemetery=big_cemetery, section__name="I6", row="1", number="1")
    resp = route(client, grave.pk)
    assert resp.status_code == 409
    assert "niepołączonych z żadną bramą" in resp.json()["detail"]


def test_build_command_reports_disconnected_parts(big_cemetery):
    from io import StringIO

    out = StringIO()
    call_command("build_cemetery_graph", big_cemetery.slug, stdout=out)
    text = out.getvalue()
    assert "spójne części sieci: 2" in text
    assert "NIEPOŁĄCZONA z żadną bramą" in text
    edges = big_cemetery.edges.count()
    assert edges >= 1000


def test_graph_is_noded_at_every_crossing(big_cemetery):
    """Every edge touches others only at its ends: no edge crosses another in its interior."""
    edges = [LineString(e.geom.coords) for e in big_cemetery.edges.all()]
    tree = shapely.STRtree(edges)
    for i, edge in enumerate(edges[::7]):
        for j in tree.query(edge, predicate="intersects"):
            other = edges[int(j)]
            if other is edge:
                continue
            for p in getattr(edge.intersection(other), "geoms", [edge.intersection(other)]):
                if p.geom_type == "Point":
                    ends = [Point(edge.coords[0]), Point(edge.coords[-1])]
                    assert min(p.distance(e) for e in ends) < 0.01, i
    assert math.isclose(
        sum(e.length for e in edges),
        sum(LineString(a.geom.coords).length for a in Alley.objects.filter(cemetery=big_cemetery)),
        rel_tol=1e-5,
    )


def test_step_free_routes_start_at_step_free_gates(client, big_cemetery):
    from cemetery_routing.models import Gate

    grave = Grave.objects.get(cemetery=big_cemetery, section__name="D3", row="4", number="13")
    assert route(client, grave.pk).json()["properties"]["gate"]["name"] == "Brama Główna"
    Gate.objects.filter(cemetery=big_cemetery, name="Brama Główna").update(step_free=False)
    free = route(client, grave.pk, step_free=1)
    assert free.status_code == 200 and free.json()["properties"]["gate"]["name"] != "Brama Główna"
    refused = route(client, grave.pk, step_free=1, gate="Brama Główna")
    assert refused.status_code == 409 and "schody" in refused.json()["detail"]


def test_graves_and_gates_moved_after_the_build_are_routed_from_where_they_stand(client, big_cemetery):
    """build() stores where each grave and gate meets the network; one moved since (or added)
    must not be routed from its old place."""
    from cemetery_routing.models import Gate, NetworkAccess

    stored = NetworkAccess.objects.filter(cemetery=big_cemetery)
    assert stored.filter(step_free=False).count() == (
        Grave.objects.filter(cemetery=big_cemetery).count()
        + Gate.objects.filter(cemetery=big_cemetery).count()
    )
    oracle = Oracle(big_cemetery)
    gate = Gate.objects.filter(cemetery=big_cemetery).order_by("pk").first()
    gate.geom = GeosPoint(gate.geom.x + 7, gate.geom.y + 4, srid=2180)
    gate.save()
    oracle.gates[gate.name] = (gate.geom.x, gate.geom.y)
    checked = 0
    for grave_id in sample_graves(big_cemetery, 12, seed=21):
        grave = Grave.objects.get(pk=grave_id)
        grave.geom = GeosPoint(grave.geom.x + 3, grave.geom.y - 2, srid=2180)
        grave.save()
        expected = oracle.lengths((grave.geom.x, grave.geom.y), {gate.name: oracle.gates[gate.name]})
        if expected == {None}:
            continue
        resp = route(client, grave_id, gate=gate.name)
        assert resp.status_code == 200, resp.json()
        got = resp.json()["properties"]["length_m"]
        assert any(e is not None and abs(e - got) <= 0.5 for e in expected), (grave_id, got, expected)
        checked += 1
    assert checked >= 8


def test_step_free_route_to_a_grave_moved_after_the_build(client, big_cemetery):
    oracle_free = Oracle(big_cemetery, step_free=True)
    graves = Grave.objects.filter(cemetery=big_cemetery, section__name__in=["H2", "H3", "I2", "I3"])
    checked = 0
    for grave in graves.order_by("pk")[::17][:8]:
        grave.geom = GeosPoint(grave.geom.x - 2, grave.geom.y + 3, srid=2180)
        grave.save()
        expected = oracle_free.lengths((grave.geom.x, grave.geom.y), oracle_free.gates)
        resp = route(client, grave.pk, step_free=1)
        assert resp.status_code == 200, resp.json()
        got = resp.json()["properties"]["length_m"]
        assert any(e is not None and abs(e - got) <= 0.5 for e in expected), (grave.pk, got, expected)
        checked += 1
    assert checked == 8
