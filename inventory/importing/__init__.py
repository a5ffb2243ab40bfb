"""Imports of register files (XLSX, CSV, GPKG, SHP, GeoJSON)."""

from .errors import write_error_report
from .runner import RegisterImportReport, import_file, plan
from .sources import ImportFileError

__all__ = ["ImportFileError", "RegisterImportReport", "import_file", "plan", "write_error_report"]
