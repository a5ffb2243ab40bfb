"""Saving imported rows: new items with COPY (text format, geometries as hex EWKB), items
matched by office number with one UPDATE per batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from psycopg import sql

from sip.models import Gmina

from ..registers import Register

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def columns(register: Register) -> list[str]:
    """The attribute columns an import writes (database column names)."""
    return [register.model_field(a.name).column for a in register.all_attrs]


def defaults(register: Register) -> list:
    out = []
    for a in register.all_attrs:
        f = register.model_field(a.name)
        out.append(f.get_default() if f.has_default() else ("" if not f.null else None))
    return out


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, dt.date | Decimal | int | float):
        return str(value) if not isinstance(value, dt.datetime) else value.isoformat()
    return str(value).translate(_ESCAPES)


def _text_column(values: list) -> list[str]:
    """Text of a column's values; repeated values are turned into text once."""
    memo: dict = {}
    out = []
    for value in values:
        key = (type(value), value)
        text = memo.get(key)
        if text is None:
            text = memo[key] = _text(value)
        out.append(text)
    return out


def copy_new(register: Register, gmina: Gmina, attr_columns: list[list], geoms_hex: list[str]) -> int:
    """COPY new items: one list of values per attribute (all_attrs order) and hex EWKB geometries."""
    count = len(geoms_hex)
    if not count:
        return 0
    now = timezone.now().isoformat()
    names = [*columns(register), "geom", "gmina_id", "created_at", "updated_at"]
    texts = [_text_column(col) for col in attr_columns]
    texts += [geoms_hex, [str(gmina.pk)] * count, [now] * count, [now] * count]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(register.model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            batch = 5000
            for start in range(0, count, batch):
                lines = [
                    "\t".join(row) for row in zip(*(t[start : start + batch] for t in texts), strict=True)
                ]
                copy.write("\n".join(lines) + "\n")
    return count


def update_existing(register: Register, pks: list[int], values: dict[str, list], geoms_hex: list[str]) -> int:
    """Update the items matched by office number: the attributes the file has ({name: values})
    and the geometry; attributes the file lacks keep their values."""
    if not pks:
        return 0
    from django.contrib.gis.geos import GEOSGeometry

    model = register.model
    attnames = {name: register.model_field(name).attname for name in values}
    objs = []
    now = timezone.now()
    for k, pk in enumerate(pks):
        obj = model(pk=pk)
        for name, col in values.items():
            setattr(obj, attnames[name], col[k])
        obj.geom = GEOSGeometry(geoms_hex[k])
        obj.updated_at = now
        objs.append(obj)
    fields = [attnames[n] for n in values if n != "external_id"] + ["geom", "updated_at"]
    model.objects.bulk_update(objs, fields, batch_size=1000)
    return len(objs)
