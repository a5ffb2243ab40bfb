"""Counts per obręb against an independent count (shapely point-in-polygon) for every obręb."""

from collections import Counter

from shapely import wkb
from shapely.geometry import Point as SPoint

from inventory.models import Tree
from reporting import engine
from sip.models import Obreb


def shapely_counts(gmina):
    polys = [
        (f"{gmina.teryt}.{o.code}", wkb.loads(bytes(o.geom.wkb))) for o in Obreb.objects.filter(gmina=gmina)
    ]
    out = Counter()
    for geom in Tree.objects.filter(gmina=gmina).values_list("geom", flat=True):
        p = SPoint(geom.x, geom.y)
        inside = [key for key, poly in polys if poly.contains(p)]
        assert len(inside) <= 1
        out[inside[0] if inside else None] += 1
    return out


def test_trees_per_obreb_match_shapely_for_every_obreb(town, other_town):
    q = engine.parse({"dataset": "drzewa", "group_by": ["obreb"], "measure": "count"})
    result = engine.run(q, gmina_ids=[town.pk])
    got = {key[0]: cell.n for key, cell in result.cells.items()}
    expected = shapely_counts(town)
    assert got == dict(expected)
    assert len(got) == 4 and all(v > 0 for v in got.values())
    assert sum(got.values()) == 120  # none of the other gmina's trees


def test_two_dimensions_and_sum(town):
    q = engine.parse({"dataset": "drzewa", "group_by": ["obreb", "species"], "measure": "sum:height_m"})
    result = engine.run(q, gmina_ids=[town.pk])
    total = sum(float(t.height_m) for t in Tree.objects.filter(gmina=town))
    assert abs(sum(c.total for c in result.cells.values()) - total) < 1e-6
    assert {k[1] for k in result.cells} == {"lipa drobnolistna", "dąb szypułkowy", "topola czarna"}


def test_filters_and_grid(town):
    q = engine.parse(
        {"dataset": "drzewa", "group_by": ["grid_1km"], "filters": {"species": ["dąb szypułkowy"]}}
    )
    result = engine.run(q, gmina_ids=[town.pk])
    assert (
        sum(c.n for c in result.cells.values())
        == Tree.objects.filter(gmina=town, species__polish_name="dąb szypułkowy").count()
    )
    for key in result.cells:
        assert key[0].startswith("E") and "N" in key[0]
