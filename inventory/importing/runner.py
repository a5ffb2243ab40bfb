"""The import of a register file: every row is imported or reported with its number and reason.

One transaction; a dry run rolls it back. Rows whose office number (external id) is already in
the gmina's register update that item instead of adding a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db import transaction
from django.utils import timezone

from sip import audit, tenancy
from sip.geometry import ACCEPTED_SRIDS, GeometryError
from sip.models import Gmina
from sip.text import fold

from .. import services
from .. import values as v
from ..bulk import copy_rows
from ..registers import Register
from . import coordinates as co
from . import headers
from .sources import (
    GisTable,
    ImportFileError,
    check_supported,
    is_gis,
    read_gis,
    read_spreadsheet,
    row_is_empty,
)

POSITION_TARGETS = ("x", "y", "lat", "lon", "coords", "wkt")


@dataclass
class RejectedRow:
    row: int
    reason: str
    values: list


@dataclass
class ImportReport:
    register: str
    file_name: str
    columns: list[str]
    mapping: dict[int, str]
    first_data_row: int = 0
    read: int = 0
    empty: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False
    lamps_attached: int = 0

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        text = (
            f"Odczytano wierszy: {self.read}, zaimportowano: {self.imported} "
            f"(nowe: {self.created}, zaktualizowane: {self.updated}), odrzucono: {len(self.rejected)}"
        )
        if self.empty:
            text += f", pominięto pustych: {self.empty}"
        text += "."
        if self.dry_run:
            text += " Próba: niczego nie zapisano."
        return text


class _Reject(Exception):
    pass


@dataclass
class Plan:
    """What the file looks like: its columns, which column feeds what, where the data starts."""

    columns: list[str]
    mapping: dict[int, str]
    data_rows: list[tuple[int, list]] | None  # spreadsheets: (row number, cells)
    gis: GisTable | None
    first_data_row: int
    srid_hints: dict[str, int]


def plan(
    register: Register, path: Path, *, mapping: dict[str, str] | None = None, srid: int | None = None
) -> Plan:
    """Read the file's layout and guess (or apply) the column mapping; raise ImportFileError."""
    check_supported(path)
    if is_gis(path):
        table = read_gis(path, forced_srid=srid)
        columns, data_rows, first = table.columns, None, 1
    else:
        table = None
        rows = read_spreadsheet(path)
        guess = headers.find_header(register, rows)
        if guess is None:
            examples = ", ".join(register.label(a.name) for a in register.attrs[:3])
            raise ImportFileError(
                "Nie znaleziono wiersza nagłówka: żaden z pierwszych wierszy nie wygląda jak nazwy kolumn "
                f"rejestru „{register.title}” (np. {examples})."
            )
        columns = guess.columns
        first = guess.row_index + 2  # spreadsheet rows are numbered from 1
        data_rows = [(first + i, row) for i, row in enumerate(rows[guess.row_index + 1 :])]
    guessed = headers.guess_mapping(register, columns)
    if mapping is not None:
        guessed = _apply_user_mapping(register, columns, guessed, mapping)
    hints = {}
    for index, target in guessed.items():
        hint = headers.srid_hint(columns[index])
        if hint is not None and target in POSITION_TARGETS:
            hints[target] = hint
    return Plan(columns, guessed, data_rows, table, first, hints)


def _apply_user_mapping(register: Register, columns: list[str], guessed: dict[int, str], user: dict) -> dict:
    """Apply {column name: target or ""} on top of the guess ("" ignores a column)."""
    targets = set(headers.synonyms(register)) | set(POSITION_TARGETS)
    by_name = {fold(c): i for i, c in enumerate(columns)}
    out = dict(guessed)
    for column, target in user.items():
        index = by_name.get(fold(column))
        if index is None:
            raise ImportFileError(f"W pliku nie ma kolumny „{column}”. Kolumny: {', '.join(columns)}.")
        if target and target not in targets:
            raise ImportFileError(f"Nieznane pole „{target}”. Pola rejestru: {', '.join(sorted(targets))}.")
        for other, t in list(out.items()):
            if t == target and other != index:
                del out[other]
        if target:
            out[index] = target
        else:
            out.pop(index, None)
    return out


def _check_plan(register: Register, p: Plan) -> None:
    targets = set(p.mapping.values())
    missing = [register.label(a.name) for a in register.attrs if a.required and a.name not in targets]
    if missing:
        raise ImportFileError(
            f"Brak kolumny dla wymaganych pól: {', '.join(missing)}. Kolumny w pliku: "
            f"{', '.join(c for c in p.columns if c)}. Wskaż je opcją --map „kolumna=pole”."
        )
    has_position = (
        (
            p.gis is not None
            and p.gis.geometry_type not in ("None", "Unknown (any)")
            and not targets & {"x", "lat"}
        )
        or "wkt" in targets
        or "coords" in targets
        or {"x", "y"} <= targets
        or {"lat", "lon"} <= targets
    )
    if p.gis is not None and p.gis.geometry_type not in ("None",):
        has_position = True
    if not has_position:
        raise ImportFileError(
            "Nie wiadomo, gdzie leżą obiekty: brak kolumn współrzędnych (X i Y, szerokość i długość "
            "geograficzna, współrzędne w jednej kolumnie albo geometria WKT)."
        )


class _Positioner:
    """Turns a row's position into a EPSG:2180 geometry inside the gmina, or rejects the row."""

    def __init__(self, register: Register, gmina: Gmina, p: Plan, srid: int | None):
        self.register = register
        self.gmina = gmina
        self.srid = srid
        self.hints = p.srid_hints
        self.index = {t: i for i, t in p.mapping.items() if t in POSITION_TARGETS}
        zone = shapely.from_wkb(bytes(gmina.boundary.buffer(services.GMINA_TOLERANCE_M).wkb))
        shapely.prepare(zone)
        self.zone = zone
        self.gis_srid = p.gis.srid if p.gis is not None else None

    def point(self, values: list, gis_shape) -> tuple[float, float]:
        if gis_shape is not None and isinstance(gis_shape, tuple):
            srid = self._gis_srid()
            x, y = co.to_2180(srid, *gis_shape)
            return self._inside([(x, y)], f"({gis_shape[0]}; {gis_shape[1]})")
        pair = self._pair(values)
        if pair is None:
            raise _Reject("brak współrzędnych")
        first, second, used = pair
        srid = self.srid or self.hints.get(used) or (self.hints.get("y") if used == "x" else None)
        if used == "lat":
            srid = 4326
        options = co.candidates(first, second, srid=srid)
        text = f"({_fmt(first.value)}; {_fmt(second.value)})"
        if not options:
            raise _Reject(f"współrzędne {text} nie wyglądają na PL-1992, PL-2000 ani na stopnie w Polsce")
        return self._inside([co.to_2180(s, e, n) for s, e, n in options], text)

    def _gis_srid(self) -> int:
        if self.gis_srid not in ACCEPTED_SRIDS:
            raise ImportFileError(
                "Nie rozpoznano układu współrzędnych pliku; podaj go opcją --srid (2176–2180, 4326)."
            )
        return self.gis_srid

    def _pair(self, values: list):
        def cell(target):
            i = self.index.get(target)
            return values[i] if i is not None and i < len(values) else None

        try:
            if not v.is_blank(cell("coords")):
                return (*co.read_pair(cell("coords")), "coords")
            if not v.is_blank(cell("lat")) or not v.is_blank(cell("lon")):
                lat, lon = co.read_one(cell("lat")), co.read_one(cell("lon"))
                if lat is None or lon is None:
                    raise _Reject("podano tylko jedną współrzędną geograficzną")
                return co.Reading(lat.value, True, "lat"), co.Reading(lon.value, True, "lon"), "lat"
            x, y = co.read_one(cell("x")), co.read_one(cell("y"))
        except v.ValueProblem as exc:
            raise _Reject(str(exc)) from exc
        if x is None and y is None:
            return None
        if x is None or y is None:
            raise _Reject("podano tylko jedną współrzędną (X albo Y)")
        return x, y, "x"

    def _inside(self, points: list[tuple[float, float]], text: str) -> tuple[float, float]:
        for x, y in points:
            if shapely.contains_xy(self.zone, x, y):
                return x, y
        raise _Reject(f"współrzędne {text} leżą poza gminą {self.gmina.name}")

    def line(self, values: list, gis_shape) -> GEOSGeometry:
        if isinstance(gis_shape, bytes):
            geom = GEOSGeometry(memoryview(gis_shape), srid=self._gis_srid())
        else:
            i = self.index.get("wkt")
            raw = values[i] if i is not None and i < len(values) else None
            if v.is_blank(raw):
                raise _Reject("brak geometrii")
            srid = self.srid or self.hints.get("wkt")
            try:
                geom = GEOSGeometry(str(raw).strip())
            except (GEOSException, ValueError):
                raise _Reject("nieprawidłowa geometria WKT") from None
            if not geom.srid:
                if srid is None:
                    x = geom.coords[0][0] if geom.geom_type == "LineString" else 0
                    srid = 2180 if x < 1_000_000 else co.PL2000_ZONES.get(int(x // 1_000_000), 2180)
                geom.srid = srid
        try:
            return services.storage_geometry(self.register, geom, self.gmina)
        except GeometryError as exc:
            raise _Reject(str(exc).rstrip(".").lower()) from exc


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.2f}"


def import_file(
    *,
    actor,
    register: Register,
    gmina: Gmina,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    srid: int | None = None,
    dry_run: bool = False,
    progress: Callable[[Iterable, int | None], Iterable] | None = None,
) -> ImportReport:
    """Import a register file into the gmina; return the report (nothing saved if dry_run)."""
    tenancy.require(actor, register.perm("add"), gmina)
    tenancy.require(actor, register.perm("change"), gmina)
    path = Path(path)
    p = plan(register, path, mapping=mapping, srid=srid)
    _check_plan(register, p)
    report = ImportReport(register.slug, path.name, p.columns, p.mapping, p.first_data_row, dry_run=dry_run)
    positioner = _Positioner(register, gmina, p, srid)
    attrs = [(i, register.attr(t)) for i, t in sorted(p.mapping.items()) if t not in POSITION_TARGETS]
    lookups = register.lookups(gmina)
    model = register.model
    existing = dict(
        model.objects.filter(gmina=gmina).exclude(external_id="").values_list("external_id", "pk")
    )
    seen: dict[str, int] = {}
    new_rows: list[dict] = []
    updates: list[tuple[int, dict]] = []
    wrap = progress or (lambda it, total: it)

    if p.gis is not None:
        source = ((r.number, r.values, r.geometry) for r in p.gis.rows)
        total = p.gis.count
    else:
        source = ((n, row, None) for n, row in p.data_rows)
        total = len(p.data_rows)
    point_register = register.geometry == "Point"
    attnames = {a.name: register.model_field(a.name).attname for _, a in attrs}

    for number, row, shape in wrap(source, total):
        if shape is None and row_is_empty(row):
            report.empty += 1
            continue
        report.read += 1
        problems: list[str] = []
        values: dict = {}
        for index, attr in attrs:
            raw = row[index] if index < len(row) else None
            try:
                values[attnames[attr.name]] = register.convert(attr, raw, lookups)
            except v.ValueProblem as exc:
                problems.append(f"{p.columns[index] or register.label(attr.name)}: {exc}")
        try:
            if point_register:
                x, y = positioner.point(row, shape)
                values["geom"] = f"SRID=2180;POINT({x!r} {y!r})"
            else:
                values["geom"] = positioner.line(row, shape).ewkt
        except _Reject as exc:
            problems.append(str(exc))
        external_id = values.get("external_id", "")
        if external_id and not problems:
            if external_id in seen:
                problems.append(
                    f"numer „{external_id}” powtórzony w pliku (pierwszy raz w wierszu {seen[external_id]})"
                )
            else:
                seen[external_id] = number
        if problems:
            report.rejected.append(RejectedRow(number, "; ".join(problems), list(row)))
            continue
        if external_id and external_id in existing:
            updates.append((existing[external_id], values))
        else:
            new_rows.append(values)

    with transaction.atomic():
        report.created = _insert(register, gmina, new_rows)
        report.updated = _update(register, updates)
        if register.slug == "lamps":
            report.lamps_attached = services.attach_lamps_to_lines(gmina=gmina)
        entry = audit.record(
            actor=actor,
            action="import",
            obj=gmina,
            gmina=gmina,
            changes={
                "register": register.slug,
                "file": path.name,
                "read": report.read,
                "created": report.created,
                "updated": report.updated,
                "rejected": len(report.rejected),
            },
        )
        entry.model = model._meta.label_lower
        entry.object_id = "import"
        entry.save(update_fields=["model", "object_id"])
        if dry_run:
            transaction.set_rollback(True)
    return report


def _columns(register: Register) -> list[str]:
    """The columns every import writes: attributes, geometry, gmina, timestamps."""
    names = [register.model_field(a.name).attname for a in register.all_attrs]
    return [*names, "geom", "gmina_id", "created_at", "updated_at"]


def _insert(register: Register, gmina: Gmina, rows: list[dict]) -> int:
    """Insert new items with COPY (an import may bring 100,000 rows)."""
    if not rows:
        return 0
    columns = _columns(register)
    now = timezone.now()
    defaults = _defaults(register)
    fields = columns[:-3]
    return copy_rows(
        register.model,
        columns,
        ([*[values.get(c, defaults.get(c)) for c in fields], gmina.pk, now, now] for values in rows),
    )


def _defaults(register: Register) -> dict:
    out = {}
    for a in register.all_attrs:
        f = register.model_field(a.name)
        if f.has_default():
            out[f.attname] = f.get_default()
        elif not f.null:
            out[f.attname] = ""
    return out


def _update(register: Register, updates: list[tuple[int, dict]]) -> int:
    """Update the items matched by office number; only the columns the file has."""
    if not updates:
        return 0
    model = register.model
    objs = []
    fields: set[str] = set()
    for pk, values in updates:
        obj = model(pk=pk)
        for name, value in values.items():
            if name == "geom":
                value = GEOSGeometry(value)
            setattr(obj, name, value)
            fields.add(name)
        obj.updated_at = timezone.now()
        objs.append(obj)
    fields.add("updated_at")
    model.objects.bulk_update(objs, sorted(f for f in fields if f != "external_id"), batch_size=1000)
    return len(objs)
