"""Alleys drawn without snapping: T-junctions that miss the avenue by a millimetre to tens of
centimetres are joined by the build (SIP_ALLEY_SNAP_M, 0.5 m), wider gaps are reported, and the
routes equal networkx's shortest paths over the alleys as they were meant to meet."""

from __future__ import annotations

from io import StringIO

import networkx as nx
import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.core.management import call_command
from shapely.geometry import LineString as L
from shapely.geometry import Point as P

from cemetery_routing.models import Alley, Cemetery, Gate, Grave, Section
from cemetery_routing.routes import route_to_grave
from cemetery_routing.routing import PathRouter

# Local coordinates of the test cemetery (metres from its corner): the avenue along y = 10,
# a side alley x = 0 up to the top alley y = 38, and a gravel path from the avenue up to the
# top alley at x = 30 whose lower end misses the avenue by the gap under test.
GATE = (0.0, 10.0)
GRAVE = (31.0, 15.0)  # 1 m beside the gravel path, 5 m above the avenue


def _cemetery(gmina, gap: float, *, avenue_slope: float = 0.0) -> Cemetery:
    x0, y0 = gmina.boundary.extent[0] + 500, gmina.boundary.extent[1] + 500

    def at(x, y):
        return (x0 + x, y0 + y)

    cemetery = Cemetery.objects.create(
        gmina=gmina,
        name="Cmentarz z przerwami",
        slug="cmentarz-z-przerwami",
        boundary=MultiPolygon(Polygon.from_bbox((x0 - 5, y0, x0 + 65, y0 + 45)), srid=2180),
    )
    area = Polygon.from_bbox((x0 + 2, y0 + 12, x0 + 58, y0 + 36))
    area.srid = 2180
    section = Section.objects.create(cemetery=cemetery, name="A", geom=area)
    avenue_y = 10.0 + avenue_slope * 30  # where the avenue passes x = 30
    alleys = [
        ("Aleja Akacjowa", "main", [at(0, 10), at(60, 10 + avenue_slope * 60)]),
        ("Aleja Boczna", "main", [at(0, 10), at(0, 38)]),
        ("Aleja Górna", "main", [at(0, 38), at(60, 38)]),
        ("", "path", [at(30, avenue_y + gap), at(30, 38)]),
    ]
    for name, kind, coords in alleys:
        Alley.objects.create(cemetery=cemetery, name=name, kind=kind, geom=LineString(coords, srid=2180))
    Gate.objects.create(cemetery=cemetery, name="Brama", geom=Point(*at(*GATE), srid=2180))
    grave = Grave.objects.create(
        cemetery=cemetery,
        section=section,
        row="1",
        number="1",
        status="occupied",
        geom=Point(*at(*GRAVE), srid=2180),
    )
    cemetery.test_grave = grave
    cemetery.origin = (x0, y0)
    return cemetery


def networkx_length(lines: list[list[tuple[float, float]]], start, target) -> float:
    """Shortest walk over straight alleys split at the given junctions (an independent graph:
    every line is cut at every point of another line's vertices lying on it), plus the straight
    step from the nearest alley point to the target."""
    shapes = [L(c) for c in lines]
    graph = nx.Graph()
    junctions = {tuple(map(lambda v: round(v, 3), xy)) for c in lines for xy in (c[0], c[-1])}
    for line in shapes:
        stops = sorted(
            {0.0, line.length} | {line.project(P(j)) for j in junctions if line.distance(P(j)) < 1e-6}
        )
        points = [tuple(round(v, 3) for v in line.interpolate(d).coords[0]) for d in stops]
        for a, b, da, db in zip(points, points[1:], stops, stops[1:], strict=False):
            graph.add_edge(a, b, weight=db - da)
    nearest = min(shapes, key=lambda s: s.distance(P(target)))
    along = nearest.project(P(target))
    foot = nearest.interpolate(along)
    ends = [tuple(round(v, 3) for v in nearest.coords[i]) for i in (0, -1)]
    graph.add_edge("t", ends[0], weight=along)
    graph.add_edge("t", ends[1], weight=nearest.length - along)
    start_key = tuple(round(v, 3) for v in start)
    return nx.shortest_path_length(graph, start_key, "t", weight="weight") + foot.distance(P(target))


def _route_length(client, cemetery) -> float:
    """The route's length as the service computes it (the API rounds it to 10 cm)."""
    resp = client.get(f"/api/cemetery/graves/{cemetery.test_grave.pk}/route/", {"srid": 2180})
    assert resp.status_code == 200, resp.content
    length = route_to_grave(cemetery.test_grave.pk).length_m
    assert resp.json()["properties"]["length_m"] == round(length, 1)
    return length


@pytest.mark.parametrize(
    "gap, slope",
    [(0.001, 0.0), (0.05, 0.0), (0.40, 0.0), (-0.05, 0.0), (0.0, 1 / 7)],
    ids=["1 mm", "5 cm", "40 cm", "5 cm past", "on a slanted avenue, rounded"],
)
def test_near_miss_t_junctions_are_joined(client, gmina, gap, slope):
    cemetery = _cemetery(gmina, gap, avenue_slope=slope)
    report = PathRouter(cemetery.pk).build()
    x0, y0 = cemetery.origin
    avenue_y = 10.0 + slope * 30
    # The path's end moved onto the avenue: the network meant by whoever drew it.
    meant = [
        [(x0, y0 + 10), (x0 + 60, y0 + 10 + slope * 60)],
        [(x0, y0 + 10), (x0, y0 + 38)],
        [(x0, y0 + 38), (x0 + 60, y0 + 38)],
        [(x0 + 30, y0 + avenue_y), (x0 + 30, y0 + 38)],
    ]
    # The avenue is cut where the path meets it.
    meant[0] = [meant[0][0], (x0 + 30, y0 + avenue_y), meant[0][1]]
    expected = networkx_length(meant, (x0 + GATE[0], y0 + GATE[1]), (x0 + GRAVE[0], y0 + GRAVE[1]))
    got = _route_length(client, cemetery)
    assert got == pytest.approx(expected, abs=0.01)
    # Along the avenue and up the path, not round by the side and top alleys (81 m).
    assert got < 40
    assert len(report.components) == 1
    if abs(gap) >= 0.001:
        (snap,) = report.snapped
        assert snap.alley_id == Alley.objects.get(cemetery=cemetery, kind="path").pk
        assert snap.other == "Aleja Akacjowa" and snap.first is True
        assert snap.distance == pytest.approx(abs(gap), abs=1e-4)
    # Only the avenue's and the top alley's far ends (x = 60) meet nothing: dead ends 28 m apart.
    assert sorted((e.alley, round(e.x - x0, 3)) for e in report.dangling) == [
        ("Aleja Akacjowa", 60.0),
        ("Aleja Górna", 60.0),
    ]


def test_a_gap_wider_than_the_tolerance_stays_and_is_reported(client, gmina):
    cemetery = _cemetery(gmina, 0.80)
    out = StringIO()
    call_command("build_cemetery_graph", cemetery.slug, stdout=out)
    text = out.getvalue()
    path = Alley.objects.get(cemetery=cemetery, kind="path")
    assert f"Koniec alejki „ścieżka” [{path.pk}]" in text
    assert "najbliższa: „Aleja Akacjowa”" in text and "w odległości 80,0 cm" in text
    assert "Połączono" not in text
    report = PathRouter(cemetery.pk).report()
    assert (path.pk, "Aleja Akacjowa", 0.8) in [
        (e.alley_id, e.other, round(e.distance, 3)) for e in report.dangling
    ]
    x0, y0 = cemetery.origin
    # Round by the side and top alleys, as networkx finds it over the alleys as drawn.
    drawn = [
        [(x0, y0 + 10), (x0 + 60, y0 + 10)],
        [(x0, y0 + 10), (x0, y0 + 38)],
        [(x0, y0 + 38), (x0 + 30, y0 + 38), (x0 + 60, y0 + 38)],
        [(x0 + 30, y0 + 10.8), (x0 + 30, y0 + 38)],
    ]
    expected = networkx_length(drawn, (x0, y0 + 10), (x0 + GRAVE[0], y0 + GRAVE[1]))
    assert _route_length(client, cemetery) == pytest.approx(expected, abs=0.01)
    assert expected > 80


def test_the_command_names_every_snap(gmina, settings):
    cemetery = _cemetery(gmina, 0.40)
    out = StringIO()
    call_command("build_cemetery_graph", cemetery.slug, stdout=out)
    path = Alley.objects.get(cemetery=cemetery, kind="path")
    assert (
        f"Połączono początek alejki „ścieżka” [{path.pk}] z alejką „Aleja Akacjowa” "
        f"[{Alley.objects.get(cemetery=cemetery, name='Aleja Akacjowa').pk}] (przesunięty o 40,0 cm)."
    ) in out.getvalue()
    # The tolerance is a setting: at 0.3 m the same gap stays open.
    settings.SIP_ALLEY_SNAP_M = 0.3
    report = PathRouter(cemetery.pk).build()
    assert report.snapped == () and path.pk in {e.alley_id for e in report.dangling}
