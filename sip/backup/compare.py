"""The restore drill's comparison: a live database and its files against a restored copy.

Usable on its own (tests run it on two scratch databases and two folders): per table the row
count and a checksum of the rows in primary-key order (geometries as EWKB), and for every file
the rows name, its existence and SHA-256 in the restored folder. The live side is taken as a
`Snapshot` (plain data, JSON-able), so the drill can take it inside one repeatable-read
transaction at the point it restores to.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SKIPPED_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast", "topology", "tiger", "tiger_data")
SPATIAL_TYPES = ("geometry", "geography")


@dataclass(frozen=True)
class FileColumn:
    """A column naming files of one storage (a FileField): table, column, storage alias."""

    table: str
    column: str
    storage: str


@dataclass
class Snapshot:
    """Digests of one database and the files its rows name: {table: [rows, md5]}, and
    {"storage:name": sha256 or None when the file is missing and has no recorded checksum}."""

    tables: dict[str, list] = field(default_factory=dict)
    files: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Comparison:
    """What the comparison found: tables compared, rows, files, and one line per mismatch."""

    tables: int = 0
    rows: int = 0
    files: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def django_file_columns() -> list[FileColumn]:
    """Every FileField of the installed apps, so apps added later are compared too."""
    from django.apps import apps
    from django.db import models

    columns = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                columns.append(
                    FileColumn(model._meta.db_table, f.column, getattr(f.storage, "alias", "default"))
                )
    return columns


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file, None when it is not there."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except (FileNotFoundError, IsADirectoryError):
        return None
    return digest.hexdigest()


def _tables(conn) -> list[tuple[str, str]]:
    return conn.execute(
        """SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname <> ALL(%s)
             AND n.nspname NOT LIKE 'pg\\_%%' ORDER BY 1, 2""",
        [list(SKIPPED_SCHEMAS)],
    ).fetchall()


def _table_digest(conn, schema: str, table: str) -> list:
    columns = conn.execute(
        """SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
           WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        [f'"{schema}"."{table}"'],
    ).fetchall()
    key = [
        r[0]
        for r in conn.execute(
            """SELECT a.attname FROM pg_index i
               JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY k.n""",
            [f'"{schema}"."{table}"'],
        ).fetchall()
    ]
    values = [
        sql.SQL("encode(ST_AsEWKB({}), 'hex')").format(sql.Identifier(name))
        if typname in SPATIAL_TYPES
        else sql.Identifier(name)
        for name, typname in columns
    ]
    row = sql.SQL("ROW({})::text").format(sql.SQL(", ").join(values))
    # Without a primary key the rows are ordered by their own text: still a stable order.
    order = sql.SQL(", ").join(sql.Identifier(k) for k in key) if key else row
    query = sql.SQL(
        "SELECT count(*), coalesce(md5(string_agg(md5({row}), '' ORDER BY {order})), md5('')) FROM {table}"
    ).format(row=row, order=order, table=sql.Identifier(schema, table))
    count, checksum = conn.execute(query).fetchone()
    return [count, checksum]


def _exists(conn, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]


def named_files(conn, file_columns: list[FileColumn]) -> set[tuple[str, str]]:
    """(storage, name) of every file the rows name."""
    names = set()
    for fc in file_columns:
        if not _exists(conn, fc.table):
            continue
        query = sql.SQL("SELECT DISTINCT {c} FROM {t} WHERE {c} IS NOT NULL AND {c} <> ''").format(
            c=sql.Identifier(fc.column), t=sql.Identifier(fc.table)
        )
        names.update((fc.storage, name) for (name,) in conn.execute(query))
    return names


def recorded_checksums(conn) -> dict[tuple[str, str], str]:
    """The SHA-256 recorded when each file was written (sip.StoredFile)."""
    if not _exists(conn, "sip_storedfile"):
        return {}
    return {(s, n): h for s, n, h in conn.execute("SELECT storage, name, sha256 FROM sip_storedfile")}


def take_snapshot(conn, roots: dict[str, Path], file_columns: list[FileColumn]) -> Snapshot:
    """Digests of every table, and the expected SHA-256 of every file the rows name: the one
    recorded when it was written, else that of the file in `roots` now (None if missing)."""
    snap = Snapshot()
    for schema, table in _tables(conn):
        snap.tables[f"{schema}.{table}"] = _table_digest(conn, schema, table)
    recorded = recorded_checksums(conn)
    for storage, name in sorted(named_files(conn, file_columns)):
        expected = recorded.get((storage, name))
        if expected is None and storage in roots:
            expected = file_sha256(Path(roots[storage]) / name)
        snap.files[f"{storage}:{name}"] = expected
    return snap


def compare_with(live: Snapshot, restored_conn, restored_roots: dict[str, Path], file_columns) -> Comparison:
    """The restored database and folders against a live snapshot."""
    restored = take_snapshot(restored_conn, {}, file_columns)
    result = Comparison(tables=len(live.tables), files=len(live.files))
    for table, (count, checksum) in live.tables.items():
        result.rows += count
        got = restored.tables.get(table)
        if got is None:
            result.mismatches.append(f"tabela {table}: brak w kopii odtworzonej")
        elif got[0] != count:
            result.mismatches.append(f"tabela {table}: {count} wierszy w systemie, {got[0]} w kopii")
        elif got[1] != checksum:
            result.mismatches.append(f"tabela {table}: inna suma kontrolna wierszy (zmieniona treść)")
    for table in sorted(set(restored.tables) - set(live.tables)):
        result.mismatches.append(f"tabela {table}: jest w kopii, nie ma jej w systemie")
    for key, expected in live.files.items():
        storage, name = key.split(":", 1)
        if expected is None:
            result.mismatches.append(f"plik {key}: brak w systemie i brak zapisanej sumy SHA-256")
            continue
        root = restored_roots.get(storage)
        got = file_sha256(Path(root) / name) if root else None
        if got is None:
            result.mismatches.append(f"plik {key}: brak w kopii odtworzonej")
        elif got != expected:
            result.mismatches.append(
                f"plik {key}: inna suma SHA-256 ({got[:12]}…, oczekiwano {expected[:12]}…)"
            )
    return result


def compare(
    live_dsn: str,
    restored_dsn: str,
    live_roots: dict[str, Path],
    restored_roots: dict[str, Path],
    file_columns: list[FileColumn] | None = None,
) -> Comparison:
    """Compare two databases and their file folders ({storage alias: folder})."""
    columns = django_file_columns() if file_columns is None else file_columns
    with psycopg.connect(live_dsn, autocommit=False) as live_conn:
        live_conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        live = take_snapshot(live_conn, live_roots, columns)
    with psycopg.connect(restored_dsn) as restored_conn:
        return compare_with(live, restored_conn, restored_roots, columns)
