"""Checks of uploaded rasters: georeferenced, in an accepted CRS."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from osgeo import gdal

from layers.raster import inspect_raster
from tests.ogc.test_raster import make_geotiff


def test_accepted_raster_reports_crs_and_extent(tmp_path):
    path = str(tmp_path / "ok.tif")
    make_geotiff(path, 2176, (5_539_000, 5_681_000, 5_539_400, 5_681_400))
    info = inspect_raster(path)
    assert info.srid == 2176 and info.bands == 4
    assert info.extent == pytest.approx((5_539_000, 5_681_000, 5_539_400, 5_681_400))


def test_raster_in_another_crs_is_refused(tmp_path):
    path = str(tmp_path / "gk.tif")
    make_geotiff(path, 31467, (3_500_000, 5_500_000, 3_500_400, 5_500_400))
    with pytest.raises(ValidationError, match="nie jest obsługiwany"):
        inspect_raster(path)


def test_raster_without_georeferencing_is_refused(tmp_path):
    path = str(tmp_path / "plain.tif")
    gdal.GetDriverByName("GTiff").Create(path, 10, 10, 1, gdal.GDT_Byte).FlushCache()
    with pytest.raises(ValidationError, match="układu współrzędnych"):
        inspect_raster(path)


def test_not_a_raster_is_refused(tmp_path):
    path = tmp_path / "x.tif"
    path.write_text("to nie jest GeoTIFF")
    with pytest.raises(ValidationError, match="nie jest rastrem"):
        inspect_raster(str(path))
