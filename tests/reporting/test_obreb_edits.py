"""A moved or deleted obręb boundary carries the stored obręb keys of register rows with it
(sip.obreb_keys, sip.services.save_obreb/delete_obreb), through the service and the admin, and
the counts per obręb follow: checked against ST_Within and a shapely point-in-polygon count."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.test import RequestFactory

from inventory.models import Tree
from reporting import engine
from sip import services, tenancy
from sip.models import Obreb
from tests.conftest import make_user
from tests.sip.test_tenancy_relations import form_data

from .test_counts import shapely_counts

pytestmark = pytest.mark.django_db

SHIFT_M = 500


def key_mismatches(gmina) -> int:
    """Trees whose stored obręb is not the one ST_Within finds (NULL outside every obręb)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM inventory_tree t WHERE t.gmina_id = %s AND t.obreb_id IS DISTINCT FROM
            (SELECT o.id FROM sip_obreb o WHERE o.gmina_id = t.gmina_id AND ST_Within(t.geom, o.geom)
              ORDER BY o.id LIMIT 1)""",
            [gmina.pk],
        )
        return cursor.fetchone()[0]


def report_counts(gmina) -> dict:
    q = engine.parse({"dataset": "drzewa", "group_by": ["obreb"], "measure": "count"})
    return {key[0]: cell.n for key, cell in engine.run(q, gmina_ids=[gmina.pk]).cells.items()}


def moved(town):
    """Obręby 0001 and 0002 (the southern quadrants) with their common border SHIFT_M east, and
    the trees of the strip that changes hands."""
    first, second = Obreb.objects.filter(gmina=town, code__in=("0001", "0002")).order_by("code")
    x0, y0, mx, my = first.geom.extent
    x1 = second.geom.extent[2]
    strip = Polygon.from_bbox((mx, y0, mx + SHIFT_M, my))
    trees = set(Tree.objects.filter(gmina=town, geom__within=strip).values_list("pk", flat=True))
    assert trees and set(Tree.objects.filter(pk__in=trees).values_list("obreb", flat=True)) == {second.pk}
    first.geom = MultiPolygon(Polygon.from_bbox((x0, y0, mx + SHIFT_M, my)), srid=2180)
    second.geom = MultiPolygon(Polygon.from_bbox((mx + SHIFT_M, y0, x1, my)), srid=2180)
    return first, second, trees


def assert_keys_and_counts_follow(town):
    assert key_mismatches(town) == 0
    # Rows outside every obręb belong to no obręb's cell.
    assert report_counts(town) == {k: n for k, n in shapely_counts(town).items() if k is not None}


def test_a_moved_boundary_takes_its_trees_along(town, other_town, central_admin):
    before_other = report_counts(other_town)
    first, second, strip_trees = moved(town)
    services.save_obreb(actor=central_admin, obreb=second)
    services.save_obreb(actor=central_admin, obreb=first)
    assert set(Tree.objects.filter(pk__in=strip_trees).values_list("obreb", flat=True)) == {first.pk}
    assert_keys_and_counts_follow(town)
    assert report_counts(other_town) == before_other


def test_a_boundary_moved_in_the_admin_takes_its_trees_along(client, town):
    editor = make_user("redaktor-obreby-test", tenancy.EDITOR, town)
    client.force_login(editor)
    first, second, strip_trees = moved(town)
    request = RequestFactory().get("/admin/")
    request.user = editor
    for obreb in (second, first):
        data = form_data(admin.site._registry[Obreb], request, obreb)
        resp = client.post(f"/admin/sip/obreb/{obreb.pk}/change/", data)
        assert resp.status_code == 302, resp.content[:500]
    assert set(Tree.objects.filter(pk__in=strip_trees).values_list("obreb", flat=True)) == {first.pk}
    assert_keys_and_counts_follow(town)


def test_a_deleted_obreb_leaves_its_trees_without_one(town, central_admin):
    last = Obreb.objects.filter(gmina=town).order_by("code").last()
    inside = set(Tree.objects.filter(obreb=last).values_list("pk", flat=True))
    # A new obręb over the north of the deleted one's area: its trees there move to it.
    x0, y0, x1, y1 = last.geom.extent
    services.save_obreb(
        actor=central_admin,
        obreb=Obreb(
            gmina=town,
            code="0005",
            name="Obręb 5",
            geom=MultiPolygon(Polygon.from_bbox((x0, (y0 + y1) / 2, x1, y1)), srid=2180),
        ),
    )
    services.delete_obreb(actor=central_admin, obreb=last)
    keys = set(Tree.objects.filter(pk__in=inside).values_list("obreb__code", flat=True))
    assert keys == {None, "0005"}
    assert_keys_and_counts_follow(town)
