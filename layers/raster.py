"""Raster layers (e.g. a drone orthophoto as GeoTIFF): checks of an uploaded file.

The file's own georeferencing is read by GDAL, but only files whose CRS is one of the
accepted EPSG codes are taken; MapServer then gets that integer, never the file's SRS text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from osgeo import gdal, osr

from sip.geometry import ACCEPTED_SRIDS
from sip.text import plain_int

gdal.UseExceptions()
MAX_PIXELS = 60_000 * 60_000


@dataclass(frozen=True)
class RasterInfo:
    srid: int
    extent: tuple[float, float, float, float]  # x/y order in `srid`
    bands: int


def inspect_raster(path: str) -> RasterInfo:
    """Return the CRS, extent and band count of a georeferenced raster, or raise ValidationError."""
    try:
        ds = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY, allowed_drivers=["GTiff", "COG"])
    except RuntimeError:
        raise ValidationError("Plik nie jest rastrem GeoTIFF.") from None
    if ds.RasterXSize * ds.RasterYSize > MAX_PIXELS:
        raise ValidationError("Raster jest zbyt duży.")
    srs = ds.GetSpatialRef()
    if srs is None:
        raise ValidationError("Raster nie ma układu współrzędnych (brak georeferencji).")
    srs.AutoIdentifyEPSG()
    code = plain_int(srs.GetAuthorityCode(None) or "")
    if code not in ACCEPTED_SRIDS:
        allowed = ", ".join(str(s) for s in ACCEPTED_SRIDS)
        raise ValidationError(
            f"Układ współrzędnych rastra nie jest obsługiwany; dozwolone kody EPSG: {allowed}."
        )
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    gt = ds.GetGeoTransform(can_return_null=True)
    if gt is None or gt[2] or gt[4]:
        raise ValidationError("Raster musi mieć georeferencję bez obrotu.")
    xs = (gt[0], gt[0] + gt[1] * ds.RasterXSize)
    ys = (gt[3], gt[3] + gt[5] * ds.RasterYSize)
    return RasterInfo(srid=code, extent=(min(xs), min(ys), max(xs), max(ys)), bands=ds.RasterCount)


def inspect_field_file(field_file) -> RasterInfo:
    """inspect_raster for a FileField value, saved or still an upload."""
    import tempfile

    if getattr(field_file, "_committed", True):
        return inspect_raster(field_file.path)
    upload = field_file.file
    if hasattr(upload, "temporary_file_path"):
        return inspect_raster(upload.temporary_file_path())
    with tempfile.NamedTemporaryFile(suffix=".tif") as tmp:
        upload.seek(0)
        for chunk in iter(lambda: upload.read(1 << 20), b""):
            tmp.write(chunk)
        tmp.flush()
        upload.seek(0)
        return inspect_raster(tmp.name)
