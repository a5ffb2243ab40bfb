"""Coordinate systems of the OGC services: the allow-list, axis order and bounding boxes.

Only integers from sip.geometry.ACCEPTED_SRIDS reach GDAL/PROJ or MapServer; the SRS text of a
request is parsed by ``sip.geometry.parse_srid`` and never passed on.
"""

from __future__ import annotations

from functools import cache, lru_cache

from osgeo import osr

from sip.geometry import ACCEPTED_SRIDS, STORAGE_SRID

osr.UseExceptions()


@cache
def _srs(srid: int) -> osr.SpatialReference:
    if srid not in ACCEPTED_SRIDS:
        raise ValueError(f"EPSG:{srid} is not accepted")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(srid))
    return srs


@cache
def northing_first(srid: int) -> bool:
    """Whether EPSG defines this CRS with northing (latitude) first: WMS 1.3.0 BBOX order."""
    srs = _srs(srid)
    return bool(srs.EPSGTreatsAsLatLong() or srs.EPSGTreatsAsNorthingEasting())


def bbox_to_xy(bbox: tuple[float, float, float, float], srid: int, version: str) -> tuple[float, ...]:
    """Return a request BBOX as (minx, miny, maxx, maxy) in easting/longitude-first order."""
    if version == "1.3.0" and northing_first(srid):
        return (bbox[1], bbox[0], bbox[3], bbox[2])
    return tuple(bbox)


def xy_to_axis_order(bbox: tuple[float, ...], srid: int, version: str) -> tuple[float, ...]:
    """The inverse of bbox_to_xy: how a BBOX in x/y order is written for this version."""
    return bbox_to_xy(bbox, srid, version)


@cache
def _transformer(source: int, target: int) -> osr.CoordinateTransformation:
    src, dst = _srs(source).Clone(), _srs(target).Clone()
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(src, dst)


def transform_extent(
    extent: tuple[float, float, float, float], target: int, source: int = STORAGE_SRID
) -> tuple[float, float, float, float]:
    """Return an x/y extent reprojected to `target` (densified edges, so the box covers it)."""
    if target == source:
        return tuple(extent)
    return _transformed_extent(tuple(float(v) for v in extent), target, source)


# A capabilities document writes each layer's extent in every accepted CRS (about 150 boxes),
# and PROJ takes ~0.5 ms a box; the extents change only when data does, so the boxes are kept.
@lru_cache(maxsize=8192)
def _transformed_extent(
    extent: tuple[float, float, float, float], target: int, source: int
) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = _transformer(source, target).TransformBounds(*extent, 21)
    return (minx, miny, maxx, maxy)


def transform_point(x: float, y: float, source: int, target: int = STORAGE_SRID) -> tuple[float, float]:
    if source == target:
        return x, y
    out = _transformer(source, target).TransformPoint(x, y)
    return out[0], out[1]


def mapserver_projection(srid: int) -> str:
    """The projection string MapServer gets: built from an allow-listed integer only."""
    _srs(srid)
    return f"EPSG:{int(srid)}"
