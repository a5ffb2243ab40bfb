"""Saving imported rows: new items with COPY (text format, geometries as hex EWKB), items
matched by office number with one UPDATE per batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.db import connection
from django.utils import timezone
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from sip.models import Gmina
from sip.services import store_obreby

from .. import bulk
from ..models import PointItem
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
    """Text of a column's values; each distinct value is turned into text once (keys carry the
    type, so that 1 and True stay different)."""
    if not set(map(type, values)) - {str}:  # text, often all different (office numbers)
        joined = "".join(values)
        if any(mark in joined for mark in "\\\t\n\r"):
            return [value.translate(_ESCAPES) for value in values]
        return values
    keys = list(zip(map(type, values), values, strict=True))
    texts = {key: _text(key[1]) for key in dict.fromkeys(keys)}
    return list(map(texts.__getitem__, keys))


# EWKB of a point with SRID 2180, little-endian: byte order, type with the SRID flag, SRID, x, y.
_EWKB_POINT_2180 = np.dtype([("head", "S9"), ("x", "<f8"), ("y", "<f8")])
_EWKB_HEAD = bytes.fromhex("0101000020") + (2180).to_bytes(4, "little")


def points_hex_ewkb(xs: np.ndarray, ys: np.ndarray) -> list[str]:
    """Hex EWKB of EPSG:2180 points, built in one numpy buffer (what PostGIS reads fastest)."""
    records = np.empty(len(xs), dtype=_EWKB_POINT_2180)
    records["head"] = _EWKB_HEAD
    records["x"] = xs
    records["y"] = ys
    text = records.tobytes().hex().upper()
    width = 2 * _EWKB_POINT_2180.itemsize
    return [text[k : k + width] for k in range(0, len(text), width)]


class NewItems:
    """A COPY of new items into the register's table, written chunk by chunk through a queue,
    so PostgreSQL stores one chunk while the caller prepares the next.

    Where the database allows it, the COPY runs without row triggers and the table's foreign keys
    are checked once per distinct value at the end (bulk.set_checkable_keys); otherwise the
    keys' own triggers check every row."""

    def __init__(self, register: Register, gmina: Gmina):
        self.register = register
        self.gmina = gmina
        self.gmina_text = str(gmina.pk)
        self.now = timezone.now().isoformat()
        self.attr_columns = columns(register)
        # Points store their obręb (PointItem): written empty by the COPY, set in one UPDATE after it.
        self.stores_obreb = issubclass(register.model, PointItem)
        self.names = [*self.attr_columns, "geom", "gmina_id", "created_at", "updated_at"]
        self.tail = f"\t{self.gmina_text}\t{self.now}\t{self.now}\n"
        if self.stores_obreb:
            self.names.append("obreb_id")
            self.tail = f"\t{self.gmina_text}\t{self.now}\t{self.now}\t\\N\n"  # \N: NULL in COPY text
        self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(register.model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, self.names))
        )
        self.count = 0
        self.keys: list[bulk.ForeignKey] | None = None
        self._seen: dict[int, set] = {}  # attribute position -> distinct values of a key column

    def __enter__(self):
        if not connection.in_atomic_block:
            # Outside a transaction the rows would be committed before their keys are checked.
            raise RuntimeError("NewItems must run inside transaction.atomic()")
        self._django_cursor = connection.cursor()
        raw = self._django_cursor.cursor
        with connection.wrap_database_errors:
            self.keys = bulk.set_checkable_keys(raw, self.register.model._meta.db_table, self.names)
            if self.keys is None:
                raw.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a bad reference fails the COPY, not the commit
            else:
                raw.execute("SELECT current_setting('session_replication_role')")
                self._role = raw.fetchone()[0]
                # LOCAL: whatever happens, the setting cannot outlive the transaction.
                raw.execute("SELECT set_config('session_replication_role', 'replica', true)")
                keyed = {key.column for key in self.keys}
                self._seen = {i: set() for i, column in enumerate(self.attr_columns) if column in keyed}
            self._copy_manager = raw.copy(self.statement, writer=QueuedLibpqWriter(raw))
            self._copy = self._copy_manager.__enter__()
        return self

    def write(self, attr_columns: list[list], geoms_hex: list[str]) -> None:
        """Send items: one list of values per attribute (all_attrs order) and hex EWKB geometries."""
        size = len(geoms_hex)
        if not size:
            return
        for index, seen in self._seen.items():
            seen.update(attr_columns[index])
        texts = [_text_column(col) for col in attr_columns]
        tail = self.tail
        body = "".join("\t".join(row) + tail for row in zip(*texts, geoms_hex, strict=True))
        self._copy.write(body)
        self.count += size

    def __exit__(self, *exc_info):
        # On an error the transaction is rolled back, and with it the SET of the replication role.
        raw = self._django_cursor.cursor
        try:
            with connection.wrap_database_errors:  # psycopg's errors as Django's, as elsewhere
                self._copy_manager.__exit__(*exc_info)
                if exc_info[0] is None:
                    if self.keys is None:
                        raw.execute("SET CONSTRAINTS ALL DEFERRED")
                        self._store_obreby(raw)
                    else:
                        # Still without row triggers: the obręby are locked as their key would lock them.
                        self._store_obreby(raw, lock=True)
                        raw.execute("SELECT set_config('session_replication_role', %s, true)", [self._role])
                        self._check_keys(raw)
        finally:
            self._django_cursor.close()
        return False

    def _store_obreby(self, raw, *, lock: bool = False) -> None:
        if not (self.stores_obreb and self.count):
            return
        if lock:
            raw.execute("SELECT id FROM sip_obreb WHERE gmina_id = %s FOR KEY SHARE", [self.gmina.pk])
        store_obreby(self.register.model, gmina_id=self.gmina.pk, missing_only=True)

    def _check_keys(self, raw) -> None:
        if not self.count:
            return
        by_column = {self.attr_columns[i]: seen for i, seen in self._seen.items()}
        by_column["gmina_id"] = {self.gmina.pk}
        by_column["obreb_id"] = set()  # set by _store_obreby from the gmina's obręby, locked there
        for key in self.keys:  # set_checkable_keys took only keys whose columns are written
            bulk.lock_referenced(raw, key, by_column[key.column])


def update_existing(register: Register, updates: list[tuple[int, dict, str]]) -> int:
    """Update the items matched by office number: (pk, {attribute: value}, hex EWKB) each; only
    the attributes the file has are changed."""
    if not updates:
        return 0
    from django.contrib.gis.geos import GEOSGeometry

    model = register.model
    names = list(updates[0][1])
    attnames = {name: register.model_field(name).attname for name in names}
    objs = []
    now = timezone.now()
    for pk, values, geom in updates:
        obj = model(pk=pk)
        for name, value in values.items():
            setattr(obj, attnames[name], value)
        obj.geom = GEOSGeometry(geom)
        obj.updated_at = now
        objs.append(obj)
    fields = [attnames[n] for n in names if n != "external_id"] + ["geom", "updated_at"]
    model.objects.bulk_update(objs, fields, batch_size=1000)
    if issubclass(model, PointItem):
        store_obreby(model, pks=[obj.pk for obj in objs])
    return len(objs)
