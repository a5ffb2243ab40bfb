"""Reading files into rows: one small reader per source family.

Spreadsheets (XLSX, CSV) give cells only; the header row is found later. GIS files (GPKG,
SHP, GeoJSON) give attribute columns and a geometry in the layer's coordinate system.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..values import is_blank

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt"}
GIS_FILES = {".gpkg", ".shp", ".geojson", ".json", ".zip"}


class ImportFileError(Exception):
    """The whole file cannot be imported; the message is Polish."""


@dataclass
class GisRow:
    number: int  # feature number, from 1
    values: list
    geometry: tuple | bytes | None  # (x, y) of a point, ISO WKB otherwise, None when missing


@dataclass
class GisTable:
    columns: list[str]
    srid: int | None
    geometry_type: str
    count: int
    rows: Iterator[GisRow] = field(repr=False)


def read_spreadsheet(path: Path) -> list[list]:
    """Return every row of the first sheet (XLSX, XLS, ODS) or of a CSV file, as lists of cells."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportFileError(f"Nie można odczytać arkusza {path.name}: {exc}") from exc
    return [list(r) for r in rows]


def _read_csv(path: Path) -> list[list]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(f"Nie rozpoznano kodowania znaków pliku {path.name} (UTF-8 ani Windows-1250).")
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_gis(path: Path, *, forced_srid: int | None = None) -> GisTable:
    """Open the first layer of a GeoPackage, Shapefile or GeoJSON file."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    try:
        name = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
        source = ogr.Open(name)
    except RuntimeError as exc:
        raise ImportFileError(f"Nie można odczytać pliku {path.name}: {exc}") from exc
    if source is None or source.GetLayerCount() == 0:
        raise ImportFileError(f"Plik {path.name} nie zawiera żadnej warstwy.")
    layer = source.GetLayer(0)
    definition = layer.GetLayerDefn()
    columns = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    srid = forced_srid
    if srid is None:
        srs = layer.GetSpatialRef()
        if srs is not None:
            srs.AutoIdentifyEPSG()
            code = srs.GetAuthorityCode(None)
            srid = int(code) if code and code.isdigit() else None
            if srid is None and path.suffix.lower() in (".geojson", ".json"):
                srid = 4326
            del srs
        elif path.suffix.lower() in (".geojson", ".json"):
            srid = 4326
    geometry_type = ogr.GeometryTypeToName(layer.GetGeomType())
    count = layer.GetFeatureCount()
    del osr

    def rows() -> Iterator[GisRow]:
        n_fields = len(columns)
        for number, feature in enumerate(layer, start=1):
            values = [
                feature.GetField(i) if feature.IsFieldSetAndNotNull(i) else None for i in range(n_fields)
            ]
            geom = feature.GetGeometryRef()
            if geom is None or geom.IsEmpty():
                shape = None
            elif geom.GetGeometryType() in (ogr.wkbPoint, ogr.wkbPoint25D, ogr.wkbPointM, ogr.wkbPointZM):
                shape = (geom.GetX(), geom.GetY())
            else:
                shape = bytes(geom.ExportToIsoWkb())
            yield GisRow(number, values, shape)
        # keep the data source alive until the rows are read
        source.GetName()

    return GisTable(columns, srid, geometry_type, count, rows())


def is_gis(path: Path) -> bool:
    return path.suffix.lower() in GIS_FILES


def check_supported(path: Path) -> None:
    if not path.exists():
        raise ImportFileError(f"Nie ma pliku {path}.")
    if path.suffix.lower() not in SPREADSHEETS | GIS_FILES:
        raise ImportFileError(
            f"Nieobsługiwany rodzaj pliku „{path.suffix}”. Obsługiwane: XLSX, CSV, GPKG, SHP, GeoJSON."
        )


def row_is_empty(row: list) -> bool:
    return all(is_blank(c) for c in row)
