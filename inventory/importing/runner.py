"""The import of a register file: every row is imported or reported with its number and reason.

One transaction; a dry run rolls it back. Rows whose office number (external id) is already in
the gmina's register update that item instead of adding a duplicate.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from django.db import transaction

from sip import audit, tenancy
from sip.imports import ImportReport
from sip.models import Gmina
from sip.text import fold

from .. import services
from .. import values as v
from ..registers import Register
from . import headers, writing
from .positions import POSITION_TARGETS, Positioner, Reject
from .sources import (
    GisTable,
    ImportFileError,
    check_supported,
    is_gis,
    read_gis,
    read_spreadsheet,
    row_is_empty,
)


@dataclass
class RegisterImportReport(ImportReport):
    """The report of a register file (sip.imports.ImportReport) with its columns and mapping."""

    register: str = ""
    file_name: str = ""
    columns: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    first_data_row: int = 0
    empty: int = 0
    lamps_attached: int = 0

    unit: ClassVar[str] = " wierszy"

    def extra_counts(self) -> list[str]:
        return [f"pominięto pustych: {self.empty}"] if self.empty else []


@dataclass
class Plan:
    """What the file looks like: its columns, which column feeds what, where the data starts."""

    columns: list[str]
    mapping: dict[int, str]
    data_rows: list[list] | None  # spreadsheets: the rows below the header, from first_data_row
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
        data_rows = rows[guess.row_index + 1 :]
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


# Rows are converted, placed and sent to the database in chunks: PostgreSQL stores one chunk
# (indexes, foreign-key checks) while Python prepares the next.
CHUNK = 10_000


@contextmanager
def _collector_paused():
    """Python's cycle collector off while a file is imported. An import makes millions of small
    objects (cells, values, texts) and no reference cycles, and the collector's passes over them
    took a fifth of a 100,000-row import. Cycles made meanwhile are collected once it is back on;
    of overlapping imports in threads, the one that switched it off switches it on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def import_file(
    *,
    actor,
    register: Register,
    gmina: Gmina,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    srid: int | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    layout: Plan | None = None,
) -> RegisterImportReport:
    """Import a register file into the gmina; return the report (nothing saved if dry_run).
    `progress(done, total)` is called after every chunk of rows. `layout` is the file's plan()
    when the caller has read it already (the preview), so the file is read once."""
    tenancy.require(actor, register.perm("add"), gmina)
    tenancy.require(actor, register.perm("change"), gmina)
    path = Path(path)
    p = layout if layout is not None else plan(register, path, mapping=mapping, srid=srid)
    _check_plan(register, p)
    report = RegisterImportReport(
        register=register.slug,
        file_name=path.name,
        columns=p.columns,
        mapping=p.mapping,
        first_data_row=p.first_data_row,
        dry_run=dry_run,
    )
    numbers, rows, columns, shapes = _table(p, report)
    n = len(numbers)
    report.read = n
    lookups = register.lookups(gmina)
    source = {t: i for i, t in p.mapping.items() if t not in POSITION_TARGETS}
    converters = [
        _Column(register, attr, source[attr.name], p.columns[source[attr.name]], default, lookups)
        for attr, default in zip(register.all_attrs, writing.defaults(register), strict=True)
        if attr.name in source
    ]
    defaults = {a.name: d for a, d in zip(register.all_attrs, writing.defaults(register), strict=True)}
    positioner = Positioner(register, gmina, p.mapping, p.srid_hints, srid, p.gis.srid if p.gis else None)
    existing = dict(
        register.model.objects.filter(gmina=gmina).exclude(external_id="").values_list("external_id", "pk")
    )
    seen: dict[str, int] = {}
    updates: list[tuple[int, dict, str]] = []

    with transaction.atomic():
        with writing.NewItems(register, gmina) as sink:
            for start in range(0, n, CHUNK):
                stop = min(n, start + CHUNK)
                problems: dict[int, list[str]] = {}
                values = {c.attr.name: c.convert(columns[c.index][start:stop], problems) for c in converters}
                geoms = _positions(register, positioner, columns, rows, shapes, start, stop, problems)
                external = values.get("external_id")
                new: list[int] = []
                for k in range(stop - start):
                    ext = external[k] if external is not None else ""
                    if ext and k not in problems:
                        if ext in seen:
                            problems[k] = [
                                f"numer „{ext}” powtórzony w pliku (pierwszy raz w wierszu {seen[ext]})"
                            ]
                        else:
                            seen[ext] = numbers[start + k]
                    if k in problems:
                        i = start + k
                        report.reject(
                            f"wiersz {numbers[i]}", "; ".join(problems[k]), row=numbers[i], values=rows[i]
                        )
                    elif ext and ext in existing:
                        updates.append(
                            (existing[ext], {name: col[k] for name, col in values.items()}, geoms[k])
                        )
                    else:
                        new.append(k)
                every = len(new) == stop - start
                sink.write(
                    [
                        (values[a.name] if every else [values[a.name][k] for k in new])
                        if a.name in values
                        else [defaults[a.name]] * len(new)
                        for a in register.all_attrs
                    ],
                    geoms if every else [geoms[k] for k in new],
                )
                if progress is not None:
                    progress(stop, n)
        report.created = sink.count
        report.updated = writing.update_existing(register, updates)
        if register.slug == "lamps":
            report.lamps_attached = services.attach_lamps_to_lines(gmina=gmina)
        audit.record_import(
            actor=actor,
            model=register.model,
            gmina=gmina,
            report=report,
            register=register.slug,
            file=path.name,
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


class _Column:
    """One attribute's converter over a source column; a value seen before is not converted
    again (registers repeat species, conditions, materials thousands of times)."""

    def __init__(self, register: Register, attr, index: int, column_name: str, default, lookups):
        self.attr = attr
        self.index = index
        self.label = column_name or register.label(attr.name)
        self.default = default
        self.function = register.converter(attr, lookups)
        self.memo: dict = {}

    def convert(self, cells: list, problems: dict[int, list[str]]) -> list:
        whole_column = getattr(self.function, "column", None)  # columns of unique values: no memo
        if whole_column is not None:
            values = whole_column(cells)
            if values is not None:
                return values
        # Keys carry the type, so that 1, 1.0 and True stay different values.
        keys = list(zip(map(type, cells), cells, strict=True))
        memo, default = self.memo, self.default
        failed: set = set()
        for key in dict.fromkeys(keys):
            hit = memo.get(key)
            if hit is None:
                try:
                    value = self.function(key[1])
                    hit = memo[key] = (True, default if value is None and default is not None else value)
                except v.ValueProblem as exc:
                    hit = memo[key] = (False, f"{self.label}: {exc}")
            if not hit[0]:
                failed.add(key)
        if failed:
            for k, key in enumerate(keys):
                if key in failed:
                    problems.setdefault(k, []).append(memo[key][1])
        return [hit[1] if hit[0] else None for hit in map(memo.__getitem__, keys)]


def _positions(register, positioner, columns, rows, shapes, start, stop, problems) -> list[str | None]:
    """Hex EWKB (EPSG:2180) of each row of the chunk, None where the row is rejected."""
    size = stop - start
    geoms: list[str | None] = [None] * size
    if register.geometry == "Point":
        xs, ys, errors = positioner.points(
            [c[start:stop] for c in columns], shapes[start:stop] if shapes is not None else None, size
        )
        for k, reason in errors.items():
            problems.setdefault(k, []).append(reason)
        ok = ~np.isnan(xs)
        for k, text in zip(np.flatnonzero(ok).tolist(), writing.points_hex_ewkb(xs[ok], ys[ok]), strict=True):
            geoms[k] = text
        return geoms
    for k in range(size):
        i = start + k
        try:
            geoms[k] = positioner.line(rows[i], shapes[i] if shapes is not None else None).hexewkb.decode()
        except Reject as exc:
            problems.setdefault(k, []).append(str(exc))
    return geoms


def _table(p: Plan, report: RegisterImportReport) -> tuple[list[int], list[list], list[list], list | None]:
    """Row numbers, original rows (for the error sheet), columns, and GIS geometries (or None);
    empty spreadsheet rows are counted and left out."""
    if p.gis is not None:
        data = p.gis.data
        rows = [list(r) for r in zip(*data, strict=True)] if data else [[] for _ in p.gis.numbers]
        return p.gis.numbers, rows, data, p.gis.shapes
    width = len(p.columns)
    numbers, rows = [], []
    for number, row in enumerate(p.data_rows, start=p.first_data_row):
        if row_is_empty(row):
            report.empty += 1
            continue
        numbers.append(number)
        rows.append(row)
    if not rows:
        return numbers, rows, [[] for _ in range(width)], None
    # Transposed in C; rows shorter than the header are padded with empty cells.
    columns = [list(c) for c in itertools.islice(itertools.zip_longest(*rows), width)]
    columns += [[None] * len(rows) for _ in range(width - len(columns))]
    return numbers, rows, columns, None
