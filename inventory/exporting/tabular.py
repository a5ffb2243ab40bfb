"""Spreadsheet exports: one row per item, Polish column labels, X/Y in PL-1992."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .. import selectors
from ..registers import Register

CHUNK = 2000


@contextlib.contextmanager
def write_only_workbook() -> Iterator[Workbook]:
    """A write-only openpyxl workbook whose sheets' temporary files are removed also when writing
    fails: openpyxl removes them on save, otherwise only when the process exits."""
    workbook = Workbook(write_only=True)
    try:
        yield workbook
    except BaseException:
        for sheet in workbook.worksheets:
            writer = getattr(sheet, "_writer", None)
            if writer is not None:
                for stream in (getattr(sheet, "_rows", None), writer):
                    with contextlib.suppress(Exception):  # lxml objects to a sheet left mid-row
                        stream.close()
                with contextlib.suppress(OSError, ValueError):  # already removed by a save
                    writer.cleanup()
        raise


def columns(register: Register) -> list[str]:
    """Column labels: attributes, computed values, then the position in EPSG:2180."""
    labels = [register.label(a.name) for a in register.all_attrs]
    labels += [c.label for c in register.computed]
    if register.geometry == "Point":
        labels += ["X [EPSG:2180]", "Y [EPSG:2180]"]
    else:
        labels += ["Geometria WKT [EPSG:2180]"]
    return labels


def rows(register: Register, qs: QuerySet) -> Iterator[list]:
    """Typed cell values of each item (numbers, dates, texts), in `columns` order."""
    for obj in qs.order_by("id").iterator(chunk_size=CHUNK):
        row = []
        for a in register.all_attrs:
            f = register.model_field(a.name)
            value = getattr(obj, a.name)
            if a.ref is not None or (f.choices and not isinstance(value, bool)) or isinstance(value, bool):
                row.append(selectors.display_value(register, obj, a.name) or None)
            elif isinstance(value, Decimal):
                row.append(float(value))
            else:
                row.append(value if value != "" else None)
        row += [selectors.display_value(register, obj, c.name) for c in register.computed]
        if register.geometry == "Point":
            row += [round(obj.geom.x, 2), round(obj.geom.y, 2)]
        else:
            row.append(obj.geom.wkt)
        yield row


def write_xlsx(register: Register, qs: QuerySet, target: Path) -> Path:
    with write_only_workbook() as workbook:
        sheet = workbook.create_sheet(register.title[:31].replace("–", "-"))
        bold = Font(bold=True)
        header = []
        for text in columns(register):
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows(register, qs):
            sheet.append(row)
        workbook.save(target)
    return target


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def write_csv(register: Register, qs: QuerySet, target: Path) -> Path:
    """CSV as Polish Excel opens it: UTF-8 with BOM, semicolons, decimal commas."""
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(columns(register))
        for row in rows(register, qs):
            writer.writerow([_csv_cell(v) for v in row])
    return target
