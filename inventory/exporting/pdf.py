"""The printable register: an A4 landscape table made with WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from .. import selectors
from ..registers import Register

# A printed register longer than this is not read by anyone; filter it first.
MAX_PDF_ROWS = 5000


def write_pdf(register: Register, qs: QuerySet, target: Path, *, title: str = "") -> Path:
    from weasyprint import HTML

    names = [a.name for a in register.all_attrs if a.name != "notes"] + [c.name for c in register.computed]
    total = qs.count()
    items = []
    for obj in qs.order_by("external_id", "id")[:MAX_PDF_ROWS]:
        position = (
            f"{obj.geom.x:.1f}; {obj.geom.y:.1f}"
            if register.geometry == "Point"
            else f"{obj.geom.length:.0f} m"
        )
        items.append([selectors.display_value(register, obj, n) for n in names] + [position])
    html = render_to_string(
        "inventory/register_pdf.html",
        {
            "register": register,
            "title": title or register.title,
            "labels": [register.label(n) for n in names]
            + (["X; Y (EPSG:2180)"] if register.geometry == "Point" else ["Długość"]),
            "items": items,
            "total": total,
            "truncated": total > MAX_PDF_ROWS,
            "limit": MAX_PDF_ROWS,
            "printed_at": timezone.localtime(),
        },
    )
    HTML(string=html).write_pdf(target)
    return target
