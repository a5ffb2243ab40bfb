"""Exports of a register: XLSX, CSV, GPKG, SHP (zipped) and a printable PDF.

The spreadsheet columns carry the same Polish labels the importer recognises, so an export
can be edited in Excel and imported again (rows are matched by their office number).
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import QuerySet

from ..registers import Register
from .gis import write_gis
from .pdf import write_pdf
from .tabular import write_csv, write_xlsx

FORMATS = {
    "xlsx": ("Arkusz Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("CSV (średnik, przecinek dziesiętny)", "text/csv; charset=utf-8"),
    "gpkg": ("GeoPackage", "application/geopackage+sqlite3"),
    "shp": ("Shapefile (ZIP)", "application/zip"),
    "pdf": ("Rejestr do druku (PDF)", "application/pdf"),
}


class ExportError(ValueError):
    pass


def export(register: Register, qs: QuerySet, fmt: str, target_dir: str | Path, *, title: str = "") -> Path:
    """Write the items of `qs` in the format to a new file in target_dir; return its path."""
    target_dir = Path(target_dir)
    stem = f"{register.slug}"
    if fmt == "xlsx":
        return write_xlsx(register, qs, target_dir / f"{stem}.xlsx")
    if fmt == "csv":
        return write_csv(register, qs, target_dir / f"{stem}.csv")
    if fmt == "gpkg":
        return write_gis(register, qs, target_dir / f"{stem}.gpkg", driver="GPKG")
    if fmt == "shp":
        return write_gis(register, qs, target_dir / f"{stem}.zip", driver="ESRI Shapefile")
    if fmt == "pdf":
        return write_pdf(register, qs, target_dir / f"{stem}.pdf", title=title)
    raise ExportError(f"Nieznany format eksportu „{fmt}”. Dostępne: {', '.join(FORMATS)}.")
