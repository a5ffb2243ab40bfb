"""Reporting: a group-by of 100,000 rows by obręb (budget 200 ms), the choropleth of the obręby
(budget 100 ms for 32), a published table with disclosure control warm (budget 50 ms).

The 100,000 trees are inserted inside a transaction that is rolled back, so the demo data stay
as they were. The baseline is a bare COUNT(*) over the same rows in the same run.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

from inventory.models import Tree
from reporting import engine, selectors, spatial, tables
from reporting.models import SavedQuery
from sip.models import Gmina, Obreb
from sip.services import store_obreby

from .common import p50, report, timings

ROWS = 100_000
TERYT = "020102_2"


def _insert_trees(gmina: Gmina) -> None:
    with connection.cursor() as c:
        c.execute("SELECT id FROM inventory_treespecies ORDER BY id LIMIT 5")
        species = [r[0] for r in c.fetchall()]
        # ST_GeneratePoints gives one multipoint: one row per point, with its own number.
        c.execute(
            """
            WITH pts AS (
                SELECT (ST_Dump(ST_GeneratePoints(%s::geometry, %s, 18))).geom AS g
            )
            INSERT INTO inventory_tree (gmina_id, external_id, notes, created_at, updated_at, species_id,
                trunk_circumference_cm, natural_monument, recommended_treatment, geom)
            SELECT %s, 'BENCH-R2-' || row_number() OVER (), '', now(), now(),
                (%s::int[])[1 + (row_number() OVER ()) %% %s], 40 + (row_number() OVER ()) %% 300,
                false, 'none', g
            FROM pts
            """,
            [gmina.boundary.buffer(-20).ewkb, ROWS, gmina.pk, species, len(species)],
        )


def run():
    gmina = Gmina.objects.get(teryt=TERYT)
    out = []
    with transaction.atomic():
        _insert_trees(gmina)
        store_obreby(Tree, gmina_id=gmina.pk, missing_only=True)  # as an import stores it
        with connection.cursor() as c:
            c.execute("ANALYZE inventory_tree")
        n_rows = engine._scoped_rows(engine.parse({"dataset": "drzewa"}).dataset, [gmina.pk]).count()
        query = engine.parse({"dataset": "drzewa", "group_by": ["obreb"]})

        def group(_):
            return engine.run(query, gmina_ids=[gmina.pk])

        def bare(_):
            with connection.cursor() as c:
                c.execute("SELECT COUNT(*) FROM inventory_tree WHERE gmina_id = %s", [gmina.pk])
                return c.fetchone()

        ours = timings(group, 7, warmup=1)
        base = timings(bare, 7, warmup=1)
        result = group(0)
        out.append(
            report(
                f"group-by of {n_rows} trees by obręb ({len(result.cells)} groups, stored obręb)",
                p50(ours),
                p50(base),
                "bare COUNT(*)",
                f"budget 200 ms: {'OK' if p50(ours) <= 200 else 'OVER'}",
            )
        )
        transaction.set_rollback(True)

    # The choropleth: all obręby of the demo (the central unit's view), values from the table.
    all_query = engine.parse({"dataset": "drzewa", "group_by": ["obreb"]})
    table = tables.build(engine.run(all_query, gmina_ids=None))
    n_units = len([e for e in table.rows if e.key[0] is not None])
    ours = timings(lambda _: spatial.geojson(table), 15)
    out.append(
        f"choropleth GeoJSON of {n_units} obręby (of {Obreb.objects.count()}): p50 {p50(ours):.1f} ms; "
        f"per 32 obręby {p50(ours) * 32 / max(1, n_units):.1f} ms; budget 100 ms for 32: "
        f"{'OK' if p50(ours) * 32 / max(1, n_units) <= 100 else 'OVER'}"
    )

    saved = SavedQuery.objects.filter(published=True, dataset="pochowki").first()
    if saved is not None:
        g = selectors.published_gminas(saved).first()
        cache.clear()
        cold = timings(
            lambda _: (cache.clear(), selectors.published_table(saved, gmina=g, year=None)), 5, warmup=1
        )
        warm = timings(lambda _: selectors.published_table(saved, gmina=g, year=None).as_json(), 50)
        out.append(
            f"published table '{saved.slug}' with suppression: warm p50 {p50(warm):.2f} ms (budget 50 ms: "
            f"{'OK' if p50(warm) <= 50 else 'OVER'}); "
            f"cold (query + disclosure control) p50 {p50(cold):.1f} ms"
        )
    return out
