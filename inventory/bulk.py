"""Fast inserts with PostgreSQL COPY, for imports and demo data of tens of thousands of rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from psycopg import sql


def copy_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows (values in `columns` order; geometries as EWKT text) into the model's table;
    return how many. Runs in the caller's transaction."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def copy_objects(objs: Sequence, *, exclude: Sequence[str] = ("id",)) -> int:
    """COPY unsaved model instances (all concrete fields but `exclude`) into their table; the
    instances get no primary keys. Auto timestamps must already be set."""
    if not objs:
        return 0
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
    columns = [f.column for f in fields]

    def values(obj):
        out = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is not None and hasattr(value, "ewkt"):
                value = value.ewkt
            out.append(value)
        return out

    return copy_rows(model, columns, (values(o) for o in objs))
