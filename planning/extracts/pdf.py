"""PDF documents of extracts (wypis, wyrys, information that no plan applies): HTML templates
rendered by WeasyPrint; the QR code points to the public verification page."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

LEGAL_BASIS = (
    "art. 30 ust. 1 ustawy z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu przestrzennym "
    "(t.j. Dz. U. z 2024 r. poz. 1130 z późn. zm.)"
)
FEE_BASIS = "ustawa z dnia 16 listopada 2006 r. o opłacie skarbowej, załącznik, część I ust. 51"
NO_PLAN_FEE_BASIS = "ustawa z dnia 16 listopada 2006 r. o opłacie skarbowej, załącznik, część II ust. 21"


@dataclass
class Rendered:
    document: weasyprint.Document

    @property
    def pages(self) -> int:
        return len(self.document.pages)


def qr_data_uri(url: str) -> str:
    """A QR code of the URL as an SVG data URI (error correction M, dark modules black)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def render(template: str, context: dict) -> Rendered:
    """Lay out one document from a template (A4; fonts from the system: DejaVu)."""
    html = render_to_string(template, context)
    return Rendered(weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render())


def combine(parts: list[Rendered]) -> bytes:
    """One PDF of the pages of all parts, in order (each part keeps its own page numbers)."""
    first = parts[0].document
    pages = [page for part in parts for page in part.document.pages]
    return first.copy(pages).write_pdf()
