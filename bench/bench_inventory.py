"""Register import: 100,000 trees from XLSX and from GPKG through `import_register`'s service
vs `ogr2ogr` loading the same file into a plain PostGIS table, in the same run.

The files are generated here, inside the rural demo gmina, in a temporary folder; the imported
trees and ogr2ogr's tables are removed afterwards, so the demo data stay as they were.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction
from openpyxl import Workbook
from psycopg import sql

from inventory.importing import import_file
from inventory.models import Tree
from inventory.registers import get_register
from sip.models import Gmina
from sip.services import system_actor

ROWS = 100_000
# The machine is shared; the best of a few runs of each side is compared.
REPEATS = 3
TERYT = "020102_2"
PREFIX = "BENCH-"
SPECIES = ["lipa drobnolistna", "klon pospolity", "Quercus robur", "brzoza brodawkowata", "topola czarna"]
HEADER = [
    "Nr inw.",
    "Gatunek",
    "Obwód pnia [cm]",
    "Wysokość [m]",
    "Średnica korony [m]",
    "Stan",
    "Pomnik przyrody",
    "X",
    "Y",
]


def _rows(gmina: Gmina):
    rng = np.random.default_rng(11)
    area = shapely.from_wkb(bytes(gmina.boundary.buffer(-50).wkb))
    minx, miny, maxx, maxy = area.bounds
    xs = rng.uniform(minx, maxx, ROWS * 2)
    ys = rng.uniform(miny, maxy, ROWS * 2)
    inside = shapely.contains_xy(area, xs, ys)
    xs, ys = xs[inside][:ROWS], ys[inside][:ROWS]
    for i in range(ROWS):
        yield [
            f"{PREFIX}{i:06d}",
            SPECIES[i % len(SPECIES)],
            int(40 + i % 300),
            round(5 + (i % 200) / 10, 1),
            round(2 + (i % 100) / 10, 1),
            1 + i % 5,
            "nie",
            round(float(xs[i]), 2),
            round(float(ys[i]), 2),
        ]


def _write_xlsx(gmina, path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Drzewa")
    ws.append(HEADER)
    for row in _rows(gmina):
        ws.append(row)
    wb.save(path)


def _write_gpkg(gmina, path: Path) -> None:
    from osgeo import ogr, osr

    ogr.UseExceptions()
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2180)
    layer = ds.CreateLayer("drzewa", srs, ogr.wkbPoint)
    types = [
        ogr.OFTString,
        ogr.OFTString,
        ogr.OFTInteger,
        ogr.OFTReal,
        ogr.OFTReal,
        ogr.OFTInteger,
        ogr.OFTString,
    ]
    names = ["nr_inw", "gatunek", "obwod_pnia", "wysokosc", "korona", "stan", "pomnik"]
    for name, kind in zip(names, types, strict=True):
        layer.CreateField(ogr.FieldDefn(name, kind))
    layer.StartTransaction()
    definition = layer.GetLayerDefn()
    for row in _rows(gmina):
        f = ogr.Feature(definition)
        for i, value in enumerate(row[:7]):
            f.SetField(i, value)
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(row[7], row[8])
        f.SetGeometry(point)
        layer.CreateFeature(f)
    layer.CommitTransaction()
    ds = None


def _pg() -> str:
    db = connection.settings_dict
    return (
        f"PG:host={db['HOST']} port={db['PORT']} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )


def _ogr2ogr(path: Path, table: str) -> float:
    pg = _pg()
    started = time.perf_counter()
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            pg,
            str(path),
            "-nln",
            table,
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
        ],
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # table name is ours, not user input
        count = cursor.fetchone()[0]
        cursor.execute(f'DROP TABLE "{table}"')
    assert count == ROWS, f"ogr2ogr loaded {count} rows"
    return elapsed


# The source columns of each generated file, named for OGR's SQLite dialect.
_SOURCE = {
    "xlsx": {
        "table": '"Drzewa"',
        "external_id": '"Nr inw."',
        "species": '"Gatunek"',
        "trunk_circumference_cm": '"Obwód pnia [cm]"',
        "height_m": '"Wysokość [m]"',
        "crown_diameter_m": '"Średnica korony [m]"',
        "condition": '"Stan"',
        "geom": 'MakePoint("X", "Y", 2180)',
    },
    "gpkg": {
        "table": "drzewa",
        "external_id": "nr_inw",
        "species": "gatunek",
        "trunk_circumference_cm": "obwod_pnia",
        "height_m": "wysokosc",
        "crown_diameter_m": "korona",
        "condition": "stan",
        "geom": "geom",
    },
}


def _ogr2ogr_register_shaped(path: Path, fmt: str, gmina: Gmina) -> float:
    """ogr2ogr appending the same file (COPY) into a table shaped like the register's: the same
    columns, indexes and foreign keys, species and gmina given as ids by its SQL. A reference
    beside the issue's baseline: it shows what storing into such a table costs any loader."""
    from inventory.models import TreeSpecies

    src = _SOURCE[fmt]
    ids = {}
    for species in TreeSpecies.objects.all():
        ids[species.polish_name.lower()] = ids[species.latin_name.lower()] = species.pk
    cases = " ".join(f"WHEN '{name}' THEN {ids[name.lower()]}" for name in SPECIES)
    columns = ", ".join(
        f"{src[c]} AS {c}" for c in ("trunk_circumference_cm", "height_m", "crown_diameter_m", "condition")
    )
    query = (
        f"SELECT {src['external_id']} AS external_id, '' AS notes, datetime('now') AS created_at, "
        f"datetime('now') AS updated_at, {columns}, 0 AS natural_monument, '' AS recommended_treatment, "
        f"{gmina.pk} AS gmina_id, CASE {src['species']} {cases} END AS species_id, {src['geom']} AS geom "
        f"FROM {src['table']}"
    )
    table = f"bench_ogr_register_{fmt}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        cursor.execute(f'CREATE TABLE "{table}" (LIKE inventory_tree INCLUDING ALL)')
        cursor.execute(
            f'ALTER TABLE "{table}" '
            "ADD FOREIGN KEY (gmina_id) REFERENCES sip_gmina(id) DEFERRABLE INITIALLY DEFERRED, "
            "ADD FOREIGN KEY (species_id) REFERENCES inventory_treespecies(id) DEFERRABLE INITIALLY DEFERRED"
        )
    started = time.perf_counter()
    subprocess.run(
        ["ogr2ogr", "--config", "PG_USE_COPY", "YES", "-append", "-f", "PostgreSQL", _pg(), str(path)]
        + ["-nln", table, "-sql", query, "-dialect", "SQLITE", "-a_srs", "EPSG:2180"]
        + (["-oo", "HEADERS=FORCE"] if fmt == "xlsx" else []),
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), count(species_id) FROM "{table}"')
        count, with_species = cursor.fetchone()
        cursor.execute(f'DROP TABLE "{table}"')
    assert count == with_species == ROWS, (count, with_species)
    return elapsed


def _remove_bench_trees(gmina) -> None:
    """Delete the bench's trees and vacuum, so that every run meets the register table as the
    demo left it, not swollen by the dead rows of the runs before (ogr2ogr gets a new table)."""
    Tree.objects.filter(gmina=gmina, external_id__startswith=PREFIX).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM inventory_tree")


def _ours(gmina, path: Path) -> tuple[float, int, float]:
    """Our import, then a plain COPY of the same stored rows back into the register table."""
    _remove_bench_trees(gmina)
    started = time.perf_counter()
    report = import_file(actor=system_actor(), register=get_register("trees"), gmina=gmina, path=path)
    elapsed = time.perf_counter() - started
    assert not report.rejected, report.rejected[:3]
    columns = [f.column for f in Tree._meta.concrete_fields if f.column != "id"]
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        dump = bytearray()
        query = sql.SQL(
            "COPY (SELECT {} FROM inventory_tree WHERE gmina_id = %s AND external_id LIKE %s) TO STDOUT"
        )
        with raw.copy(query.format(names), [gmina.pk, PREFIX + "%"]) as copy:
            for block in copy:
                dump += block
    _remove_bench_trees(gmina)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(sql.SQL("COPY inventory_tree ({}) FROM STDIN").format(names)) as copy:
            copy.write(bytes(dump))
    plain_copy = time.perf_counter() - started
    _remove_bench_trees(gmina)
    return elapsed, report.created, plain_copy


def run() -> list[str]:
    gmina = Gmina.objects.get(teryt=TERYT)
    lines = []
    with tempfile.TemporaryDirectory(prefix="sip-bench-") as tmp:
        for fmt, writer in (("xlsx", _write_xlsx), ("gpkg", _write_gpkg)):
            path = Path(tmp) / f"drzewa.{fmt}"
            writer(gmina, path)
            baseline = min(_ogr2ogr(path, f"bench_ogr_{fmt}") for _ in range(REPEATS))
            shaped = min(_ogr2ogr_register_shaped(path, fmt, gmina) for _ in range(REPEATS))
            runs = [_ours(gmina, path) for _ in range(REPEATS)]
            assert all(created == ROWS for _, created, _ in runs), runs
            ours = min(r[0] for r in runs)
            plain_copy = min(r[2] for r in runs)
            lines.append(
                f"import {ROWS:,} trees from {fmt.upper()} (best of {REPEATS}): {ours:.1f} s "
                f"({ROWS / ours:,.0f} rows/s; "
                f"validated, reprojected, checked in the gmina) vs ogr2ogr into a plain PostGIS table "
                f"{baseline:.1f} s = {baseline / ours:.2f}x ogr2ogr's speed (target >= 0.5x); "
                f"a plain COPY of the stored rows into the register table (indexes, foreign keys "
                f"checked row by row by their triggers) {plain_copy:.1f} s = {baseline / plain_copy:.2f}x; "
                f"ogr2ogr itself into a table shaped like "
                f"the register's (same indexes and foreign keys, COPY) {shaped:.1f} s: ours = "
                f"{shaped / ours:.2f}x of that"
            )
    return lines
