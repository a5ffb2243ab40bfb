"""The rejected rows as a spreadsheet: the original cells with the row number and the reason,
so the office can fix them and import just that file again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl.styles import Font, PatternFill

from ..exporting.tabular import write_only_workbook
from ..values import mark_control_characters
from .runner import RegisterImportReport


def write_error_report(report: RegisterImportReport, target: str | Path) -> Path:
    """Write the rejected rows of an import to an XLSX file; return its path."""
    target = Path(target)
    with write_only_workbook() as workbook:
        sheet = workbook.create_sheet("Odrzucone wiersze")
        sheet.freeze_panes = "C2"
        header = [
            "Wiersz w pliku",
            "Błąd",
            *[_cell(c) or f"kolumna {i + 1}" for i, c in enumerate(report.columns)],
        ]
        bold = Font(bold=True)
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="FFE0E0")
            cells.append(cell)
        sheet.append(cells)
        for row in report.rejected:
            sheet.append([row.row, _cell(row.reason), *[_cell(v) for v in row.values]])
        target.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(target)
    return target


def _cell(value):
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return mark_control_characters(value)  # XLSX cannot hold them; the office sees where one was
