"""Geometry at the boundary: SRID allow-list, validation, reprojection to storage (EPSG:2180).

GDAL 3.6 cannot be told to refuse file or network access while parsing a spatial reference,
so user-supplied SRS text never reaches GDAL: only integers from the allow-list do.
"""

from __future__ import annotations

import math
from functools import lru_cache

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon

from sip.text import plain_int

STORAGE_SRID = 2180
ACCEPTED_SRIDS: tuple[int, ...] = tuple(settings.SIP_ACCEPTED_SRIDS)
# Poland's extent in EPSG:2180 with a margin of a few kilometres (EPSG area of use of PL-1992).
POLAND_EXTENT_2180 = Polygon.from_bbox((140_000, 120_000, 880_000, 790_000))
POLAND_EXTENT_2180.srid = STORAGE_SRID


class GeometryError(ValueError):
    """A geometry that cannot be stored; the message is Polish and meant for the user."""


def parse_srid(value, *, default: int | None = None) -> int:
    """Return an accepted EPSG code from user input ('2180', 'EPSG:2180', 2180)."""
    if value in (None, ""):
        if default is None:
            raise GeometryError("Brak układu współrzędnych (SRID).")
        return default
    text = str(value).strip().upper()
    for prefix in ("EPSG:", "URN:OGC:DEF:CRS:EPSG::", "URN:OGC:DEF:CRS:EPSG:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if plain_int(text) not in ACCEPTED_SRIDS:
        allowed = ", ".join(str(s) for s in ACCEPTED_SRIDS)
        raise GeometryError(f"Nieobsługiwany układ współrzędnych „{value}”. Dozwolone kody EPSG: {allowed}.")
    return plain_int(text)


def to_storage_multipolygon(geom: GEOSGeometry | None) -> MultiPolygon:
    """Return a valid MultiPolygon in EPSG:2180 inside Poland, or raise GeometryError."""
    if geom is None or geom.empty:
        raise GeometryError("Pusta geometria.")
    if not geom.srid:
        raise GeometryError("Geometria bez układu współrzędnych (SRID) – nie wiadomo, gdzie leży.")
    if geom.srid not in ACCEPTED_SRIDS:
        raise GeometryError(f"Nieobsługiwany układ współrzędnych EPSG:{geom.srid}.")
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=geom.srid)
    if geom.geom_type != "MultiPolygon":
        raise GeometryError(f"Oczekiwano wielokąta, otrzymano {geom.geom_type}.")
    if not geom.valid:
        raise GeometryError(f"Nieprawidłowa geometria: {geom.valid_reason}.")
    stored = geom.transform(STORAGE_SRID, clone=True) if geom.srid != STORAGE_SRID else geom.clone()
    if not POLAND_EXTENT_2180.contains(stored):
        raise GeometryError("Geometria leży poza obszarem Polski (sprawdź układ współrzędnych).")
    return stored


def source_srid(layer, srid: int | str | None = None) -> int:
    """The EPSG code of a GDAL layer being imported: `srid` when the user gave one, else the
    layer's own if it is on the allow-list; raise GeometryError (Polish) otherwise."""
    from django.contrib.gis.gdal import GDALException

    if srid is not None:
        return parse_srid(srid)
    code = None
    if layer.srs is not None:
        try:
            layer.srs.identify_epsg()
            code = layer.srs.srid
        except GDALException:
            code = None
    if code not in ACCEPTED_SRIDS:
        raise GeometryError("Nie rozpoznano układu współrzędnych pliku; podaj go opcją --srid (2176–2180).")
    return code


@lru_cache(maxsize=8)
def _to_wgs84(srid: int):
    from pyproj import Transformer

    return Transformer.from_crs(srid, 4326, always_xy=True)


def check_in_poland(x: float, y: float, srid: int) -> None:
    """Raise GeometryError (Polish) unless (x, y) in `srid` is a finite point in or near Poland.
    Coordinates from users are checked with this before GDAL reprojects them: GDAL fails with
    an exception on points outside a CRS's domain."""
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GeometryError("Współrzędne muszą być skończonymi liczbami.")
    lon, lat = (x, y) if srid == 4326 else _to_wgs84(srid).transform(x, y)
    if not (math.isfinite(lon) and 13.0 <= lon <= 25.5 and math.isfinite(lat) and 48.5 <= lat <= 55.5):
        raise GeometryError("Współrzędne leżą poza obszarem Polski (sprawdź układ i kolejność osi).")
