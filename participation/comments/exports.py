"""The list of comments (wykaz uwag) for staff: XLSX and PDF (WeasyPrint), with the data the
planning act requires, the decisions and their reasons."""

from __future__ import annotations

import io

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..models import PlanComment, PlanInspection

COLUMNS = [
    "nr",
    "data wpływu",
    "imię i nazwisko / nazwa",
    "adres do korespondencji",
    "e-mail",
    "właściciel lub posiadacz",
    "treść uwagi",
    "działka / miejsce",
    "obręb",
    "rozstrzygnięcie",
    "uzasadnienie",
]


def _place(comment: PlanComment) -> str:
    if comment.parcel_identifier:
        return comment.parcel_identifier
    p = comment.geom.point_on_surface
    return f"{comment.geom.geom_type} (EPSG:2180 {p.x:.0f} {p.y:.0f})"


def rows(inspection: PlanInspection) -> list[list]:
    return [
        [
            c.number,
            timezone.localtime(c.submitted_at).date(),
            c.author,
            c.address,
            c.email,
            "tak" if c.holds_land else "nie",
            c.text,
            _place(c),
            c.obreb_name,
            c.get_decision_display(),
            c.decision_reason,
        ]
        for c in inspection.comments.order_by("number")
    ]


def wykaz_xlsx(inspection: PlanInspection) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Wykaz uwag"
    ws.append([f"Wykaz uwag do projektu: {inspection.plan.title}"])
    ws.append([f"Wyłożenie od {inspection.starts_on:%d.%m.%Y} do {inspection.ends_on:%d.%m.%Y}"])
    ws.append(COLUMNS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows(inspection):
        ws.append(row)
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def wykaz_pdf(inspection: PlanInspection) -> bytes:
    html = render_to_string(
        "participation/wykaz_uwag_pdf.html",
        {
            "inspection": inspection,
            "columns": COLUMNS,
            "rows": rows(inspection),
            "today": timezone.localdate(),
        },
    )
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
