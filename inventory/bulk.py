"""Fast inserts with PostgreSQL COPY, for imports and demo data of tens of thousands of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from psycopg import sql


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence], *, keys_per_set: bool = False) -> int:
    """COPY rows (values in `columns` order; geometries as EWKT or hex EWKB text) into the model's table;
    return how many. Runs in the caller's transaction. With `keys_per_set` (inside
    transaction.atomic only), where the database allows it (set_checkable_keys) the COPY runs
    without row triggers and the table's foreign keys are checked once per distinct value
    written, after it (lock_referenced); elsewhere the keys' triggers check every row."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        keys = None
        if keys_per_set:
            if not connection.in_atomic_block:
                # Outside a transaction the rows would be committed before their keys are checked.
                raise RuntimeError("copy_rows(keys_per_set=True) must run inside transaction.atomic()")
            keys = set_checkable_keys(raw, model._meta.db_table, columns)
        if keys:
            positions = [(key, list(columns).index(key.column)) for key in keys]
            seen: list[set] = [set() for _ in positions]
            raw.execute("SELECT current_setting('session_replication_role')")
            role = raw.fetchone()[0]
            # LOCAL: whatever happens, the setting cannot outlive the transaction.
            raw.execute("SELECT set_config('session_replication_role', 'replica', true)")
        with raw.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
                if keys:
                    for values, (_, i) in zip(seen, positions, strict=True):
                        values.add(row[i])
        if keys:
            raw.execute("SELECT set_config('session_replication_role', %s, true)", [role])
            for values, (key, _) in zip(seen, positions, strict=True):
                lock_referenced(raw, key, values)
    return count


def copy_objects(objs: Sequence, *, exclude: Sequence[str] = ("id",)) -> int:
    """COPY unsaved model instances (all concrete fields but `exclude`; geometries as hex EWKB)
    into their table; the instances get no primary keys. Auto timestamps must already be set."""
    if not objs:
        return 0
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
    columns = [f.column for f in fields]

    def values(obj):
        out = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is not None and hasattr(value, "hexewkb"):
                value = value.hexewkb.decode()  # exact, and cheaper to write and parse than EWKT
            out.append(value)
        return out

    return copy_rows(model, columns, (values(o) for o in objs))


# --- foreign keys checked per set instead of per row ---------------------------------------------
# PostgreSQL checks a foreign key with one trigger call per inserted row: for 100,000 rows and two
# keys that is 200,000 lookups, more than half of what storing the rows costs. A loader that knows
# the distinct values it wrote can check them in one statement per key instead, taking the same
# FOR KEY SHARE locks the triggers would, and run its COPY with the row triggers switched off
# (session_replication_role = replica, the way pg_restore loads data). The constraints stay in
# force for every other writer; the loader only does their work in bulk.


@dataclass(frozen=True)
class ForeignKey:
    name: str
    column: str  # the referencing column
    target: sql.Composable  # referenced table (schema-qualified, with ONLY unless partitioned)
    target_column: sql.Composable
    type: str  # SQL type of the referenced column


_TRIGGERS = """
SELECT t.tgenabled, p.proname, t.tgconstraint
FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
WHERE t.tgrelid = %(table)s::regclass
"""
_KEYS = """
SELECT c.oid, c.conname, c.conkey, a.attname, n.nspname, r.relname, r.relkind, ra.attname,
       format_type(ra.atttypid, ra.atttypmod)
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_class r ON r.oid = c.confrelid
JOIN pg_namespace n ON n.oid = r.relnamespace
JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
WHERE c.conrelid = %(table)s::regclass AND c.contype = 'f'
"""
_RI_CHECKS = {"RI_FKey_check_ins", "RI_FKey_check_upd"}
_RI_ACTIONS = {
    f"RI_FKey_{action}_{event}"
    for action in ("noaction", "restrict", "cascade", "setnull", "setdefault")
    for event in ("del", "upd")
}


def set_checkable_keys(cursor, table: str, written: Sequence[str]) -> list[ForeignKey] | None:
    """The table's foreign keys when a COPY of `written` columns may run with row triggers off
    and its keys checked per set instead; None when it may not: the session lacks the right to
    switch triggers off, the table has other triggers (than its keys' checks and the actions of
    keys pointing at it) or rules, a key spans several columns, or
    the COPY leaves a key column to its default (whose values the loader would not know)."""
    if connection.pg_version >= 150000:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    else:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute("SELECT count(*) FROM pg_rewrite WHERE ev_class = %(table)s::regclass", {"table": table})
    if cursor.fetchone()[0]:
        return None
    cursor.execute(_KEYS, {"table": table})
    keys, oids = [], set()
    for oid, name, conkey, column, schema, target, kind, target_column, type_ in cursor.fetchall():
        if len(conkey) != 1 or column not in written:
            return None
        oids.add(oid)
        # ONLY, as the key's own check: a row of an inheriting table does not count.
        table_sql = sql.SQL("{}" if kind == "p" else "ONLY {}").format(sql.Identifier(schema, target))
        keys.append(ForeignKey(name, column, table_sql, sql.Identifier(target_column), type_))
    cursor.execute(_TRIGGERS, {"table": table})
    for enabled, function, constraint in cursor.fetchall():
        if enabled != "O":
            return None
        if function in _RI_CHECKS and constraint in oids:
            continue
        # The other side of another table's key pointing here: fires on this table's UPDATE and
        # DELETE only, never on a COPY's inserts.
        if function in _RI_ACTIONS:
            continue
        return None
    return keys


def lock_referenced(cursor, key: ForeignKey, values: Iterable) -> None:
    """Check that every value exists in the key's referenced table and lock those rows FOR KEY
    SHARE until the transaction ends, as the key's row triggers would; raise IntegrityError."""
    wanted = sorted({str(value) for value in values if value is not None})
    if not wanted:
        return
    query = sql.SQL(
        "SELECT {column}::text FROM {table} WHERE {column} = ANY(%s::text[]::{type}[]) FOR KEY SHARE"
    )
    # The type name comes from the catalogue (format_type), not from the caller.
    cursor.execute(query.format(column=key.target_column, table=key.target, type=sql.SQL(key.type)), [wanted])
    found = {row[0] for row in cursor.fetchall()}
    missing = [value for value in wanted if value not in found]
    if missing:
        # The transaction must not commit these rows, whatever the caller does with the error.
        transaction.set_rollback(True)
        raise IntegrityError(
            f"Klucz obcy {key.name}: wartości {', '.join(missing[:10])} kolumny {key.column} "
            "nie istnieją w tabeli, do której się odwołują."
        )
