"""Reading files into rows: one small reader per source family.

Spreadsheets (XLSX, CSV) give cells only; the header row is found later. GIS files (GPKG,
SHP, GeoJSON) give attribute columns and a geometry in the layer's coordinate system.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sip import uploads
from sip.imports import UnknownEncoding, decode_text
from sip.text import plain_int

# No legacy .xls: its extent cannot be checked without reading it (sip.uploads).
SPREADSHEETS = {".xlsx", ".xlsm", ".ods", ".csv", ".txt"}
GIS_FILES = {".gpkg", ".shp", ".geojson", ".json", ".zip"}


class ImportFileError(Exception):
    """The whole file cannot be imported; the message is Polish."""


@dataclass
class GisTable:
    """A GIS layer read column by column: values per column (None when empty) and, per feature,
    its geometry as ISO WKB (None when missing)."""

    columns: list[str]
    srid: int | None
    geometry_type: str
    count: int
    numbers: list[int] = field(repr=False)
    data: list[list] = field(repr=False)
    shapes: list[bytes | None] = field(repr=False)


def read_spreadsheet(path: Path) -> list[list]:
    """Return every row of the first sheet (XLSX, ODS) or of a CSV file, as lists of cells;
    raise ImportFileError when the file is over the limits of sip.uploads, before reading it."""
    suffix = path.suffix.lower()
    try:
        uploads.check_spreadsheet(path)
        if suffix in (".csv", ".txt"):
            return _read_csv(path)
    except uploads.UploadRefused as exc:
        raise ImportFileError(str(exc)) from None
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)  # a list of lists, ours to keep
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportFileError(f"Nie można odczytać arkusza {path.name}: {exc}") from exc
    return rows


def _read_csv(path: Path) -> list[list]:
    try:
        text = decode_text(path.read_bytes(), path.name)
    except UnknownEncoding as exc:
        raise ImportFileError(str(exc)) from None
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    limits = uploads.Limits.from_settings()
    rows = []
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        rows.append(row)
        if len(row) > limits.columns:
            raise uploads.UploadRefused(
                f"{path.name}: wiersz {len(rows)} ma {len(row)} kolumn, a import przyjmuje najwyżej "
                f"{limits.columns}."
            )
        if len(rows) > limits.rows:
            uploads.check_row_count(len(rows), path.name, limits=limits)
    return rows


def read_gis(path: Path, *, forced_srid: int | None = None) -> GisTable:
    """Read the first layer of a GeoPackage, Shapefile (or a ZIP with one) or GeoJSON file."""
    from osgeo import ogr

    ogr.UseExceptions()
    try:
        if path.suffix.lower() == ".zip":
            uploads.check_archive(path)
        name = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
        return _read_first_layer(ogr.Open(name), path, forced_srid)
    except uploads.UploadRefused as exc:
        raise ImportFileError(str(exc)) from None
    except RuntimeError as exc:
        # GDAL reports a broken file (a ZIP with a damaged .shp) at any step, not only at Open.
        raise ImportFileError(f"Nie można odczytać pliku {path.name}: {exc}") from exc


def _read_first_layer(source, path: Path, forced_srid: int | None) -> GisTable:
    from osgeo import ogr

    if source is None or source.GetLayerCount() == 0:
        raise ImportFileError(f"Plik {path.name} nie zawiera żadnej warstwy.")
    layer = source.GetLayer(0)
    uploads.check_row_count(layer.GetFeatureCount(), path.name)
    definition = layer.GetLayerDefn()
    columns = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    srid = forced_srid if forced_srid is not None else _layer_srid(layer, path)
    geometry_type = ogr.GeometryTypeToName(layer.GetGeomType())
    try:
        numbers, data, shapes = _read_columnar(layer, columns)
    except (AttributeError, ImportError, RuntimeError, ValueError):
        layer.ResetReading()
        numbers, data, shapes = _read_features(layer, columns)
    return GisTable(columns, srid, geometry_type, len(numbers), numbers, data, shapes)


def _layer_srid(layer, path: Path) -> int | None:
    srs = layer.GetSpatialRef()
    if srs is None:
        return 4326 if path.suffix.lower() in (".geojson", ".json") else None
    srs.AutoIdentifyEPSG()
    code = plain_int(srs.GetAuthorityCode(None) or "")
    if code is not None:
        return code
    return 4326 if path.suffix.lower() in (".geojson", ".json") else None


def _plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _read_columnar(layer, columns: list[str]) -> tuple[list[int], list[list], list]:
    """GDAL's columnar (Arrow) interface: a whole layer in a few numpy arrays, ~10x faster than
    a loop over features."""
    import numpy as np

    numbers: list[int] = []
    data: list[list] = [[] for _ in columns]
    shapes: list = []
    geometry_column = layer.GetGeometryColumn() or "wkb_geometry"
    for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=YES"]):
        size = len(batch["fid"]) if "fid" in batch else len(next(iter(batch.values())))
        numbers.extend(range(len(numbers) + 1, len(numbers) + size + 1))
        for i, name in enumerate(columns):
            column = batch[name]
            mask = np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else None
            raw = np.ma.getdata(column)
            if raw.dtype.kind == "S":
                values = [x.decode("utf-8", "replace") for x in raw.tolist()]  # np.char is slower
            elif raw.dtype.kind == "O":
                values = [_plain(x) for x in raw.tolist()]
            else:
                values = raw.tolist()
            if mask is not None and mask.any():
                values = [None if m else x for x, m in zip(values, mask.tolist(), strict=True)]
            data[i].extend(values)
        geoms = batch.get(geometry_column)
        if geoms is None:
            shapes.extend([None] * size)
        else:
            items = np.ma.getdata(geoms).tolist()  # bytes, or None where a feature has none
            mask = np.ma.getmaskarray(geoms)
            if mask.any():
                items = [None if m else g for g, m in zip(items, mask.tolist(), strict=True)]
            shapes.extend(g if g is None or type(g) is bytes else bytes(g) for g in items)
    return numbers, data, shapes


def _read_features(layer, columns: list[str]) -> tuple[list[int], list[list], list]:
    numbers: list[int] = []
    data: list[list] = [[] for _ in columns]
    shapes: list = []
    for number, feature in enumerate(layer, start=1):
        numbers.append(number)
        for i in range(len(columns)):
            data[i].append(feature.GetField(i) if feature.IsFieldSetAndNotNull(i) else None)
        geom = feature.GetGeometryRef()
        shapes.append(None if geom is None or geom.IsEmpty() else bytes(geom.ExportToIsoWkb()))
    return numbers, data, shapes


def is_gis(path: Path) -> bool:
    return path.suffix.lower() in GIS_FILES


def check_supported(path: Path) -> None:
    if not path.exists():
        raise ImportFileError(f"Nie ma pliku {path}.")
    if path.suffix.lower() == ".xls":
        raise ImportFileError(
            "Starego formatu Excela (.xls) import nie czyta: zapisz plik w Excelu jako XLSX albo CSV."
        )
    if path.suffix.lower() not in SPREADSHEETS | GIS_FILES:
        raise ImportFileError(
            f"Nieobsługiwany rodzaj pliku „{path.suffix}”. Obsługiwane: XLSX, ODS, CSV, GPKG, SHP, GeoJSON."
        )


def row_is_empty(row: list) -> bool:
    """True when no cell holds anything but blanks (values.is_blank, inlined: it runs per row)."""
    for cell in row:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True
