"""A query's result as the table every output shows (screen, API, CSV, XLSX, chart, map):
rows and totals in the API's shape, with disclosure control applied for published output."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import disclosure
from .engine import Cell, Result, sort_key

TOTAL = "*"


@dataclass
class Entry:
    key: tuple
    value: float | int | None
    n: int
    suppressed: bool = False
    primary: bool = False  # suppressed because it counts 1..k−1 people


@dataclass
class Table:
    title: str
    dataset: str
    dataset_title: str
    counts_people: bool
    k: int
    data_date: str
    dimensions: list[str]
    measure: str
    rows: list[Entry] = field(default_factory=list)
    totals: list[Entry] = field(default_factory=list)
    protected: bool = False

    @property
    def data_date_text(self) -> str:
        """When the data were counted, as Polish text in local time ("26 listopada 2026, 9:05")."""
        return polish_moment(self.data_date)

    def display(self, entry: Entry) -> str:
        """The text of a value on screen and in CSV: "<k" for a cell under k, "x" for one hidden
        so that it cannot be computed, "" for no value."""
        if entry.suppressed:
            return f"<{self.k}" if entry.primary else "x"
        if entry.value is None:
            return ""
        if isinstance(entry.value, float):
            return f"{entry.value:.2f}".replace(".", ",")
        return str(entry.value)

    def as_json(self) -> dict:
        def one(entry: Entry) -> dict:
            out = dict(zip(self.dimensions, entry.key, strict=True))
            out["value"] = None if entry.suppressed else entry.value
            out["suppressed"] = entry.suppressed
            return out

        return {
            "title": self.title,
            "dataset": self.dataset,
            "counts_people": self.counts_people,
            "k": self.k,
            "data_date": self.data_date,
            "dimensions": self.dimensions,
            "rows": [one(e) for e in self.rows],
            "totals": [one(e) for e in self.totals],
        }


def _sum_cells(cells: list[Cell]) -> Cell:
    return Cell(
        n=sum(c.n for c in cells),
        total=sum((c.total or 0) for c in cells) if any(c.total is not None for c in cells) else None,
        measured=sum(c.measured for c in cells),
    )


def build(result: Result, *, title: str = "", protect: bool = False) -> Table:
    """Return the result's table: its cells in dimension order and, for one or two dimensions,
    the totals; with `protect`, disclosure control applied when the dataset counts people."""
    ds = result.query.dataset
    dims = result.dimensions
    cells = result.cells
    keys = sorted(cells, key=lambda key: tuple(sort_key(v) for v in key))
    entries: dict[tuple, Cell] = {key: cells[key] for key in keys}
    total_keys: list[tuple] = []
    if len(dims) == 1:
        total_keys = [(TOTAL,)]
        entries[(TOTAL,)] = _sum_cells(list(cells.values()))
    elif len(dims) == 2:
        firsts = sorted({key[0] for key in keys}, key=sort_key)
        seconds = sorted({key[1] for key in keys}, key=sort_key)
        for a in firsts:
            total_keys.append((a, TOTAL))
            entries[(a, TOTAL)] = _sum_cells([c for key, c in cells.items() if key[0] == a])
        for b in seconds:
            total_keys.append((TOTAL, b))
            entries[(TOTAL, b)] = _sum_cells([c for key, c in cells.items() if key[1] == b])
        total_keys.append((TOTAL, TOTAL))
        entries[(TOTAL, TOTAL)] = _sum_cells(list(cells.values()))
    measure = result.query.measure
    table = Table(
        title=title or ds.title,
        dataset=ds.slug,
        dataset_title=ds.title,
        counts_people=ds.counts_people,
        k=ds.k,
        data_date=result.data_date.isoformat(timespec="seconds") if result.data_date else "",
        dimensions=list(dims),
        measure=result.query.params()["measure"],
        protected=protect,
    )
    out = {key: Entry(key, result.value(c), c.n) for key, c in entries.items()}
    if protect and ds.counts_people:
        counts = {key: e.n for key, e in out.items()}
        first = disclosure.primary(counts, ds.k)
        if measure == "avg":
            hidden = set(first)  # averages do not add up: nothing to recover by subtraction
        else:
            values = counts if measure == "count" else {key: (e.value or 0) for key, e in out.items()}
            constraints = disclosure.table_constraints(keys, len(dims))
            hidden = disclosure.protect_from(values, constraints, first, is_total=lambda key: TOTAL in key)
        for key in hidden:
            out[key].suppressed = True
            out[key].primary = key in first
    table.rows = [out[key] for key in keys]
    table.totals = [out[key] for key in total_keys]
    return table


def polish_moment(iso: str) -> str:
    """An ISO 8601 moment as Polish text in local time ("26 listopada 2026, 9:05"); "" for none."""
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(iso) if iso else None
    if moment is None:
        return iso or ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "j E Y, G:i")
