"""The query engine: a query of a registered dataset (filters, one or two dimensions, a measure)
checked against the dataset's declaration and run as one SQL statement.

The dataset's rows come from its QuerySet (tenancy applied there), its dimensions become
annotations, and the grouping runs in one statement around that QuerySet's SQL: spatial units
join the rows' points (points as they are, lines and polygons by ST_PointOnSurface) to the
obręb boundaries with ST_Within (or, where the dataset stores each row's obręb, to that key), to
the gmina, or to 1 km squares of PL-1992. Values of
parameters are always bound, never formatted into the SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import DataError, connection, transaction
from django.db.models import F, Func, IntegerField, TextField
from django.db.models.expressions import RawSQL

from sip import datasets as registry
from sip.datasets import DATE_BUCKETS, SPATIAL_UNITS, Dataset

MEASURE_KINDS = ("count", "sum", "avg")
MAX_FILTER_VALUES = 500
ALLOWED_AREA_SRIDS = (2176, 2177, 2178, 2179, 2180, 3857, 4326)


class QueryError(ValueError):
    """A query the dataset cannot answer; the message (Polish) names the offending field."""


@dataclass(frozen=True)
class Key:
    """One dimension of a query: a declared dimension (with a date bucket) or a spatial unit."""

    name: str  # "species", "burial_date", "obreb"
    bucket: str = ""  # month/quarter/year/decade for dates

    @property
    def label(self) -> str:
        return f"{self.name}:{self.bucket}" if self.bucket else self.name

    @property
    def spatial(self) -> bool:
        return self.name in SPATIAL_UNITS


@dataclass(frozen=True)
class Query:
    dataset: Dataset
    group_by: tuple[Key, ...]
    measure: str  # "count", "sum", "avg"
    measure_field: str  # "" for count
    filters: tuple[tuple[Key, object], ...] = ()
    area: GEOSGeometry | None = None

    def params(self) -> dict:
        """The query as plain data (saved queries, the audit entry)."""
        filters = {k.label: v for k, v in self.filters}
        if self.area is not None:
            filters["area"] = {"type": "Polygon", "srid": 2180, "wkt": self.area.wkt}
        return {
            "dataset": self.dataset.slug,
            "filters": filters,
            "group_by": [k.label for k in self.group_by],
            "measure": self.measure if self.measure == "count" else f"{self.measure}:{self.measure_field}",
        }


def _personal(ds: Dataset, name: str) -> bool:
    base = name.split(":", 1)[0]
    return any(base == p or base.startswith(p + "__") for p in ds.personal_fields)


def _refuse_personal(ds: Dataset, name: str, where: str) -> None:
    if _personal(ds, name):
        raise QueryError(
            f"Pole „{name.split(':', 1)[0]}” zawiera dane osobowe i nie może być użyte ({where})."
        )


def parse_key(ds: Dataset, raw, where: str) -> Key:
    if not isinstance(raw, str) or not raw:
        raise QueryError(f"{where}: podaj nazwę wymiaru.")
    _refuse_personal(ds, raw, where)
    name, _, bucket = raw.partition(":")
    if name in SPATIAL_UNITS:
        if ds.geometry is None and name != "gmina":
            raise QueryError(f"{where}: zbiór „{ds.title}” nie ma położenia, nie można użyć „{name}”.")
        if bucket:
            raise QueryError(f"{where}: jednostka przestrzenna „{name}” nie ma przedziałów.")
        return Key(name)
    dim = ds.dimension(name)
    if dim is None:
        raise QueryError(f"{where}: zbiór „{ds.title}” nie ma wymiaru „{name}”.")
    if dim.kind == "date":
        bucket = bucket or "year"
        if bucket not in DATE_BUCKETS:
            raise QueryError(
                f"{where}: przedział „{bucket}” nieznany (dozwolone: {', '.join(DATE_BUCKETS)})."
            )
        return Key(name, bucket)
    if bucket:
        raise QueryError(f"{where}: wymiar „{name}” nie jest datą i nie ma przedziałów.")
    return Key(name)


def _parse_area(raw) -> GEOSGeometry:
    import json

    try:
        text = raw if isinstance(raw, str) else json.dumps(raw)
        geom = GEOSGeometry(text)
    except (GEOSException, ValueError, TypeError):
        raise QueryError("filters.area: podaj wielokąt GeoJSON (EPSG:4326).") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.empty or not geom.valid:
        raise QueryError("filters.area: obszar musi być poprawnym wielokątem.")
    srid = geom.srid or 4326
    if srid not in ALLOWED_AREA_SRIDS:
        raise QueryError("filters.area: nieobsługiwany układ współrzędnych.")
    geom.srid = srid
    return geom.transform(2180, clone=True)


def _plain_filter_value(value, where: str):
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_FILTER_VALUES:
        raise QueryError(f"{where}: najwyżej {MAX_FILTER_VALUES} wartości.")
    for v in values:
        if not isinstance(v, str | int | bool) or (isinstance(v, str) and len(v) > 200):
            raise QueryError(f"{where}: wartość musi być tekstem, liczbą lub wartością logiczną.")
    return values


def _date_range(value, where: str) -> tuple[dt.date | None, dt.date | None]:
    if not isinstance(value, dict) or not set(value) <= {"from", "to"} or not value:
        raise QueryError(f'{where}: podaj {{"from": "RRRR-MM-DD", "to": "RRRR-MM-DD"}} lub użyj przedziału.')
    out = []
    for part in ("from", "to"):
        raw = value.get(part)
        if raw is None:
            out.append(None)
            continue
        try:
            out.append(dt.date.fromisoformat(raw))
        except (TypeError, ValueError):
            raise QueryError(f"{where}.{part}: data w postaci RRRR-MM-DD.") from None
    return out[0], out[1]


def parse(raw: dict) -> Query:
    """Return the Query described by {"dataset", "filters", "group_by", "measure"}, or raise
    QueryError naming the field that is unknown, personal or malformed."""
    if not isinstance(raw, dict):
        raise QueryError("Zapytanie musi być obiektem JSON.")
    ds = registry.get(raw.get("dataset")) if isinstance(raw.get("dataset"), str) else None
    if ds is None:
        raise QueryError("dataset: nie ma takiego zbioru danych.")
    group_raw = raw.get("group_by") or []
    if isinstance(group_raw, str):
        group_raw = [group_raw]
    if not isinstance(group_raw, list) or len(group_raw) > 2:
        raise QueryError("group_by: podaj jeden lub dwa wymiary.")
    group_by = tuple(parse_key(ds, g, "group_by") for g in group_raw)
    if len({k.name for k in group_by}) != len(group_by):
        raise QueryError("group_by: ten sam wymiar podano dwa razy.")

    measure_raw = raw.get("measure") or "count"
    if not isinstance(measure_raw, str):
        raise QueryError("measure: podaj „count”, „sum:pole” lub „avg:pole”.")
    kind, _, measure_field = measure_raw.partition(":")
    if measure_field:
        _refuse_personal(ds, measure_field, "measure")
    if kind not in MEASURE_KINDS or (kind == "count") != (not measure_field):
        raise QueryError("measure: podaj „count”, „sum:pole” lub „avg:pole”.")
    if measure_field and ds.measure(measure_field) is None:
        raise QueryError(f"measure: zbiór „{ds.title}” nie ma miary „{measure_field}”.")

    filters_raw = raw.get("filters") or {}
    if not isinstance(filters_raw, dict):
        raise QueryError("filters: podaj obiekt {wymiar: wartość}.")
    filters, area = [], None
    for name, value in filters_raw.items():
        where = f"filters.{name}"
        if name == "area":
            if ds.geometry is None:
                raise QueryError(f"{where}: zbiór „{ds.title}” nie ma położenia.")
            area = _parse_area(value)
            continue
        key = parse_key(ds, name, where)
        if value == []:
            continue  # nothing chosen: no restriction
        dim = ds.dimension(key.name)
        if dim is not None and dim.kind == "date" and ":" not in name:
            filters.append((key.__class__(key.name, "range"), _date_range(value, where)))
        else:
            filters.append((key, _plain_filter_value(value, where)))
    return Query(ds, group_by, kind, measure_field, tuple(filters), area)


# --- execution -----------------------------------------------------------------------------


class _Bucket(Func):
    output_field = TextField()


def _bucketed(expr, bucket: str):
    if bucket == "year":
        return Func(expr, template="EXTRACT(YEAR FROM %(expressions)s)::int", output_field=IntegerField())
    if bucket == "decade":
        return Func(
            expr,
            template="(FLOOR(EXTRACT(YEAR FROM %(expressions)s) / 10) * 10)::int",
            output_field=IntegerField(),
        )
    if bucket == "quarter":
        return _Bucket(expr, template="""to_char(%(expressions)s, 'YYYY-"Q"Q')""")
    return _Bucket(expr, template="to_char(%(expressions)s, 'YYYY-MM')")


@dataclass
class Cell:
    n: int  # rows (objects or people) in the cell
    total: float | None  # the sum of the measure (None for count)
    measured: int  # rows with a value of the measure


@dataclass
class Result:
    query: Query
    dimensions: list[str]
    cells: dict[tuple, Cell] = field(default_factory=dict)
    data_date: dt.datetime | None = None

    def value(self, cell: Cell):
        m = self.query.measure
        if m == "count":
            return cell.n
        if m == "sum":
            return _number(cell.total) if cell.measured else None
        return _number(cell.total / cell.measured) if cell.measured else None


def _number(v):
    if v is None:
        return None
    v = float(v)
    return int(v) if v.is_integer() else round(v, 2)


def _is_point(ds: Dataset) -> bool:
    """Whether the dataset's geometry (a field or a lookup through foreign keys) is a point."""
    model = ds.rows().model
    names = ds.geometry.split("__")
    for name in names[:-1]:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(names[-1]).geom_type == "POINT"


def _scoped_rows(ds: Dataset, gmina_ids):
    qs = ds.rows()
    if gmina_ids is not None:
        qs = qs.filter(**{f"{ds.gmina_path}__in": list(gmina_ids)})
    return qs


def run(query: Query, *, gmina_ids) -> Result:
    """Return the grouped result of the query over the rows of the gminas in `gmina_ids`
    (None: every gmina — the central unit)."""
    ds = query.dataset
    spatial_keys = {k.name for k in query.group_by if k.spatial} | {
        k.name for k, _ in query.filters if k.spatial
    }
    # A dataset that stores its rows' obręb (obreb_field) joins that key; otherwise, grouped by
    # obręb, the gminas are restricted on the obręby (outer) and each row must be of its obręb's
    # gmina (see below): the rows' own query then needs only its spatial index.
    stored = "obreb" in spatial_keys and ds.obreb_field is not None
    lateral = "obreb" in spatial_keys and not stored
    qs = _scoped_rows(ds, None if lateral else gmina_ids)
    annotations, columns = {}, []
    for i, key in enumerate(query.group_by):
        if key.spatial:
            continue
        dim = ds.dimension(key.name)
        expr = dim.expression()
        annotations[f"_k{i}"] = _bucketed(expr, key.bucket) if key.bucket else expr
        columns.append(f"_k{i}")
    filter_kwargs = {}
    for j, (key, value) in enumerate(query.filters):
        if key.spatial:
            continue
        dim = ds.dimension(key.name)
        expr = dim.expression()
        if key.bucket == "range":
            annotations[f"_f{j}"] = expr
            lo, hi = value
            if lo:
                filter_kwargs[f"_f{j}__gte"] = lo
            if hi:
                filter_kwargs[f"_f{j}__lte"] = hi
        else:
            annotations[f"_f{j}"] = _bucketed(expr, key.bucket) if key.bucket else expr
            filter_kwargs[f"_f{j}__in"] = value
    if query.area is not None:
        filter_kwargs[f"{ds.geometry}__intersects"] = query.area
    if stored:
        annotations["_ob"] = F(ds.obreb_field)
        columns.append("_ob")
    if spatial_keys - {"gmina", "obreb" if stored else ""}:
        annotations["_pt"] = Func(
            F(ds.geometry), function="ST_PointOnSurface", output_field=GeometryField(srid=2180)
        )
        columns.append("_pt")
    if spatial_keys:
        annotations["_g"] = F(ds.gmina_path)
        columns.append("_g")
    if query.measure != "count":
        annotations["_m"] = ds.measure(query.measure_field).expression()
        columns.append("_m")
    if not columns:
        annotations["_one"] = Func(template="1", output_field=IntegerField())
        columns.append("_one")
    if lateral:
        # Grouped by obręb: for each obręb (outer), the rows within it (inner, LATERAL). A point
        # column is then matched through its spatial index against one polygon at a time, which
        # PostGIS prepares once; other geometries by their point on surface.
        target = ds.geometry if _is_point(ds) else "_pt"
        filter_kwargs[f"{target}__within"] = RawSQL("o.geom", [], output_field=GeometryField(srid=2180))
    try:
        inner = qs.annotate(**annotations).filter(**filter_kwargs).values(*columns).order_by()
        inner_sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        return Result(
            query=query, dimensions=[k.name for k in query.group_by], data_date=dt.datetime.now(dt.UTC)
        )
    except (ValueError, TypeError, ValidationError) as exc:
        raise QueryError(f"filters: wartość nie pasuje do rodzaju wymiaru ({exc}).") from None

    joins, where, select = [], [], []
    outer_params: list = []
    if lateral:
        source = f"sip_obreb o JOIN sip_gmina g ON g.id = o.gmina_id CROSS JOIN LATERAL ({inner_sql}) t"
        where.append('t."_g" = o.gmina_id')
        if gmina_ids is not None:
            where.append("o.gmina_id = ANY(%s)")
            outer_params.append(list(gmina_ids))
    elif stored:
        # The stored key is the obręb of the row's own gmina (sip.services.store_obreby); rows
        # outside every obręb have none and, as with ST_Within, fall out of the join.
        source = (
            f'({inner_sql}) t JOIN sip_obreb o ON o.id = t."_ob" AND o.gmina_id = t."_g" '
            "JOIN sip_gmina g ON g.id = o.gmina_id"
        )
    else:
        source = f"({inner_sql}) t"
        if "gmina" in spatial_keys:
            joins.append('JOIN sip_gmina g ON g.id = t."_g"')
    spatial_sql = {
        "gmina": "g.teryt",
        "obreb": "g.teryt || '.' || o.code",
        "grid_1km": """'E' || FLOOR(ST_X(t."_pt") / 1000)::int || 'N' || FLOOR(ST_Y(t."_pt") / 1000)::int""",
    }
    extra_params = outer_params
    for key, value in query.filters:
        if key.spatial:
            where.append(f"({spatial_sql[key.name]}) = ANY(%s)")
            extra_params.append([str(v) for v in value])
    for i, key in enumerate(query.group_by):
        select.append(spatial_sql[key.name] if key.spatial else f't."_k{i}"')
    measure_sql = ', SUM(t."_m")::float, COUNT(t."_m")' if query.measure != "count" else ", NULL::float, 0"
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(select)))}" if select else ""
    sql = (
        f"SELECT {', '.join(select + ['COUNT(*)'])}{measure_sql} FROM {source} "
        f"{' '.join(joins)}{' WHERE ' + ' AND '.join(where) if where else ''}{group}"
    )
    result = Result(
        query=query, dimensions=[k.name for k in query.group_by], data_date=dt.datetime.now(dt.UTC)
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [*params, *extra_params])
            rows = cursor.fetchall()
    except DataError:
        raise QueryError("filters: wartość nie pasuje do rodzaju wymiaru.") from None
    width = len(select)
    for row in rows:
        n = row[width]
        if not select and n == 0:
            continue
        key = tuple(_plain(v) for v in row[:width])
        result.cells[key] = Cell(n=n, total=row[width + 1], measured=row[width + 2])
    return result


def _plain(v):
    if isinstance(v, Decimal):
        return _number(v)
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    return v


def sort_key(value):
    """Order of dimension values: missing last, numbers by value, texts alphabetically."""
    if value is None:
        return (2, "")
    if isinstance(value, bool | int | float):
        return (0, float(value), "")
    return (1, 0.0, str(value))
