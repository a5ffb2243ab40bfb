"""The table as CSV and XLSX: the same rows, values and hidden-cell marks as on screen."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from .tables import Table


def _header(table: Table, labels: dict) -> list[str]:
    return [labels.get(d, d) for d in table.dimensions] + ["wartość"]


def _lines(table: Table, names) -> list[list]:
    out = []
    for e in [*table.rows, *table.totals]:
        out.append([names(d, v) for d, v in zip(table.dimensions, e.key, strict=True)] + [table.display(e)])
    return out


def _names(value_labels: dict):
    def name(dim, value):
        if value == "*":
            return "razem"
        if value is None:
            return "(brak)"
        return value_labels.get(dim, {}).get(
            value, value if not isinstance(value, bool) else ("tak" if value else "nie")
        )

    return name


def csv_bytes(table: Table, dim_labels: dict | None = None, value_labels: dict | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(_header(table, dim_labels or {}))
    writer.writerows(_lines(table, _names(value_labels or {})))
    writer.writerow([])
    writer.writerow(
        [f"Stan danych: {table.data_date}"]
        + ([f"k = {table.k}"] if table.protected and table.counts_people else [])
    )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table, dim_labels: dict | None = None, value_labels: dict | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "raport"
    ws.append([table.title])
    ws.append(_header(table, dim_labels or {}))
    for line in _lines(table, _names(value_labels or {})):
        value = line[-1]
        # Numbers stay numbers in the spreadsheet; hidden marks stay text.
        try:
            line[-1] = (
                int(value)
                if value.lstrip("-").isdigit()
                else float(value.replace(",", "."))
                if value and value[0].isdigit()
                else value
            )
        except ValueError:
            pass
        ws.append([str(v) if isinstance(v, bool) else v for v in line])
    ws.append([])
    ws.append([f"Stan danych: {table.data_date}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
