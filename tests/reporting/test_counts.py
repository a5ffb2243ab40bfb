"""Counts per obręb against an independent count (shapely point-in-polygon) for every obręb, and
the stored obręb of trees (the key the count joins) against ST_Within."""

import dataclasses
from collections import Counter

from django.db import connection
from shapely import wkb
from shapely.geometry import Point as SPoint

from inventory import services
from inventory.models import Tree
from inventory.registers import get_register
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


def st_within_mismatches(gmina) -> int:
    """Trees whose stored obręb is not the one ST_Within finds (an independent SQL count)."""
    with connection.cursor() as c:
        c.execute(
            """SELECT count(*) FROM inventory_tree t
            WHERE t.gmina_id = %s AND t.obreb_id IS DISTINCT FROM
                (SELECT o.id FROM sip_obreb o WHERE o.gmina_id = t.gmina_id AND ST_Within(t.geom, o.geom))""",
            [gmina.pk],
        )
        return c.fetchone()[0]


def test_stored_obreb_is_the_obreb_containing_each_tree(town, other_town):
    assert Tree.objects.filter(gmina=town, obreb__isnull=False).count() == 120
    assert st_within_mismatches(town) == 0 and st_within_mismatches(other_town) == 0


def test_without_a_stored_obreb_the_spatial_join_gives_the_same_counts(town, other_town):
    q = engine.parse({"dataset": "drzewa", "group_by": ["obreb"], "measure": "count"})
    assert q.dataset.obreb_field == "obreb"  # the declaration uses the stored key
    spatial = dataclasses.replace(q, dataset=dataclasses.replace(q.dataset, obreb_field=None))
    for query in (q, spatial):
        got = {key[0]: cell.n for key, cell in engine.run(query, gmina_ids=[town.pk]).cells.items()}
        assert got == dict(shapely_counts(town))


def test_a_tree_moved_to_another_obreb_is_counted_there(town, town_editor):
    first, last = Obreb.objects.filter(gmina=town).order_by("code")[::3]
    tree = Tree.objects.filter(gmina=town, obreb=first).first()
    q = engine.parse({"dataset": "drzewa", "group_by": ["obreb"], "measure": "count"})
    before = {key[0]: cell.n for key, cell in engine.run(q, gmina_ids=[town.pk]).cells.items()}

    services.update_item(
        actor=town_editor, register=get_register("trees"), item=tree, geom=last.geom.point_on_surface
    )

    tree.refresh_from_db()
    assert tree.obreb_id == last.pk
    after = {key[0]: cell.n for key, cell in engine.run(q, gmina_ids=[town.pk]).cells.items()}
    assert after == dict(shapely_counts(town))
    assert after[first.identifier] == before[first.identifier] - 1
    assert after[last.identifier] == before[last.identifier] + 1
    assert st_within_mismatches(town) == 0


def test_a_created_object_stores_its_obreb(town, town_editor):
    target = Obreb.objects.get(gmina=town, code="0002")
    bench = services.create_item(
        actor=town_editor,
        register=get_register("small-architecture"),
        gmina=town,
        geom=target.geom.point_on_surface,
        values={"kind": "ławka", "external_id": "MA-1"},
    )
    assert bench.obreb_id == target.pk
    q = engine.parse({"dataset": "mala-architektura", "group_by": ["obreb"]})
    assert {k[0]: c.n for k, c in engine.run(q, gmina_ids=[town.pk]).cells.items()} == {target.identifier: 1}


def test_save_replaces_an_obreb_set_by_the_caller(town, other_town):
    tree = Tree.objects.filter(gmina=town).first()
    own = tree.obreb_id
    tree.obreb = Obreb.objects.filter(gmina=other_town).first()
    tree.save()
    tree.refresh_from_db()
    assert tree.obreb_id == own
