"""Raster layers: a GeoTIFF (e.g. a drone orthophoto) uploaded by the central unit and served
by the WMS."""

from __future__ import annotations

import pytest
from osgeo import gdal, osr

from .conftest import get, wait_for_workers

RASTER = "test-ortofoto"
# The raster covers the north-east 400 m of a 500 m view, in EPSG:2180 (x/y).
VIEW = (260516, 382773, 261016, 383273)
COVER = (260616, 382873, 261016, 383273)


def make_geotiff(path: str, epsg: int, extent, colour=(255, 0, 0)) -> None:
    size = 200
    ds = gdal.GetDriverByName("GTiff").Create(path, size, size, 4, gdal.GDT_Byte)
    minx, miny, maxx, maxy = extent
    ds.SetGeoTransform((minx, (maxx - minx) / size, 0, maxy, 0, -(maxy - miny) / size))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds.SetProjection(srs.ExportToWkt())
    for band, value in enumerate((*colour, 255), start=1):
        ds.GetRasterBand(band).Fill(value)
    ds.GetRasterBand(4).SetColorInterpretation(gdal.GCI_AlphaBand)
    ds.FlushCache()
    ds = None


@pytest.fixture(scope="module")
def raster_layer(live_server_url, django_db_blocker, tmp_path_factory):
    from django.contrib.auth.models import User
    from django.core.files import File

    from layers import services
    from layers.models import Layer

    path = str(tmp_path_factory.mktemp("raster") / "ortofoto.tif")
    make_geotiff(path, 2180, COVER)

    def cleanup():
        for layer in Layer.objects.filter(name=RASTER):
            layer.raster.delete(save=False)
            layer.delete()

    with django_db_blocker.unblock():
        cleanup()
        with open(path, "rb") as f:
            layer = services.create_layer(
                actor=User.objects.get(username="centrala"),
                name=RASTER,
                title="Ortofotomapa z drona (test)",
                raster=File(f, name="ortofoto-test.tif"),
            )
    wait_for_workers()
    yield layer
    with django_db_blocker.unblock():
        cleanup()
    wait_for_workers()


def test_raster_drawn_where_it_lies(wms_url, raster_layer):
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetMap",
        "LAYERS": RASTER,
        "STYLES": "",
        "CRS": "EPSG:2180",
        "BBOX": f"{VIEW[1]},{VIEW[0]},{VIEW[3]},{VIEW[2]}",
        "WIDTH": 250,
        "HEIGHT": 250,
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
    }
    image = get(wms_url, params).image()
    # 2 m a pixel: the raster begins 50 px from the left and ends 50 px above the bottom.
    inside = image[5:195, 55:245]
    outside_left, outside_bottom = image[:, :45], image[205:, :]
    assert (inside[..., 0] == 255).all() and (inside[..., 1] == 0).all() and (inside[..., 3] == 255).all()
    assert (outside_left[..., 3] == 0).all() and (outside_bottom[..., 3] == 0).all()

    caps = get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body.decode()
    assert f"<Name>{RASTER}</Name>" in caps


def test_raster_is_neither_queryable_nor_a_feature_type(wms_url, wfs_url, raster_layer):
    assert RASTER.encode() not in get(wfs_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).body
    answer = get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": RASTER,
            "QUERY_LAYERS": RASTER,
            "SRS": "EPSG:2180",
            "BBOX": ",".join(map(str, VIEW)),
            "WIDTH": 10,
            "HEIGHT": 10,
            "X": 5,
            "Y": 5,
        },
    )
    assert answer.exception_code() == "LayerNotQueryable"
