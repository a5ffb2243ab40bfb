"""The register of issued extracts as an XLSX workbook."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

COLUMNS = [
    ("Znak sprawy", 20),
    ("Data rejestracji", 14),
    ("Data wniosku", 12),
    ("Wnioskodawca", 30),
    ("Rodzaj", 14),
    ("Działki", 40),
    ("Cel", 24),
    ("Opłata – wypis [zł]", 12),
    ("Opłata – wyrys [zł]", 12),
    ("Opłata razem [zł]", 12),
    ("Wersje dokumentu", 10),
    ("SHA-256 ostatniej wersji", 66),
    ("Zarejestrował", 16),
]


def register_workbook(cases) -> bytes:
    """Return an XLSX workbook (bytes) with one row per case of the queryset."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Rejestr wypisów i wyrysów"
    ws.append([c for c, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for case in cases:
        docs = sorted(case.documents.all(), key=lambda d: d.version)
        ws.append(
            [
                case.case_number,
                case.created_at.astimezone().date() if case.created_at else None,
                case.application_date,
                case.applicant,
                case.get_kind_display(),
                ", ".join(case.parcel_identifiers),
                case.purpose,
                float(case.fee_wypis),
                float(case.fee_wyrys),
                float(case.fee_total),
                len(docs),
                docs[-1].sha256 if docs else "",
                case.created_by.username if case.created_by else "",
            ]
        )
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
