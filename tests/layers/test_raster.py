"""Checks of uploaded rasters: georeferenced, in an accepted CRS."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from osgeo import gdal
from PIL import Image

from layers import services
from layers.models import Layer
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


@pytest.fixture
def roots(settings, tmp_path):
    """Media and private files in folders of this test; Django serves /media/ as without nginx."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIP_PRIVATE_ROOT = str(tmp_path / "private")
    settings.SIP_SERVE_MEDIA = True
    return Path(settings.MEDIA_ROOT), Path(settings.SIP_PRIVATE_ROOT)


def _internal_raster_layer(tmp_path, *, actor, gmina) -> Layer:
    path = tmp_path / "orto.tif"
    make_geotiff(str(path), 2180, (260616, 382873, 261016, 383273))
    with path.open("rb") as f:
        return services.create_layer(
            actor=actor,
            name="orto-wewnetrzne",
            title="Ortofotomapa wewnętrzna",
            raster=File(f, name="orto-wewnetrzne.tif"),
            gmina=gmina,
            visibility=Layer.Visibility.STAFF,
        )


def test_raster_of_an_internal_layer_has_no_media_url_but_is_drawn(
    client, central_admin, gmina, roots, tmp_path
):
    media, private = roots
    layer = _internal_raster_layer(tmp_path, actor=central_admin, gmina=gmina)
    stored = Path(layer.raster.path)
    assert private in stored.parents and media not in stored.parents
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    # Not downloadable past the layer's visibility: no file under /media/.
    assert client.get(f"/media/{layer.raster.name}").status_code == 404
    assert client.get("/media/rasters/orto-wewnetrzne.tif").status_code == 404

    # MapServer still reads it by path: red where the raster lies, for whoever may see the layer.
    client.force_login(central_admin)
    answer = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetMap",
            "LAYERS": layer.name,
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": "382873,260616,383273,261016",
            "WIDTH": 20,
            "HEIGHT": 20,
            "FORMAT": "image/png",
        },
    )
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png", answer.content[:300]
    pixels = Image.open(io.BytesIO(answer.content)).convert("RGB")
    assert pixels.getpixel((10, 10)) == (255, 0, 0)


def test_admin_shows_a_private_raster_without_a_link(client, central_admin, gmina, roots, tmp_path):
    layer = _internal_raster_layer(tmp_path, actor=central_admin, gmina=gmina)
    client.force_login(central_admin)
    page = client.get(f"/admin/layers/layer/{layer.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert layer.raster.name in html and "plik prywatny" in html
    assert f'href="/media/{layer.raster.name}"' not in html


def test_migration_moves_rasters_out_of_media(central_admin, gmina, roots, tmp_path):
    from django.apps import apps

    media, private = roots
    layer = _internal_raster_layer(tmp_path, actor=central_admin, gmina=gmina)
    # As before the move: the same name, under MEDIA_ROOT.
    old = media / layer.raster.name
    old.parent.mkdir(parents=True)
    Path(layer.raster.path).rename(old)
    migration = importlib.import_module("layers.migrations.0008_layer_rasters_private")
    migration.move_rasters_to_private(apps, None)
    layer.refresh_from_db()
    assert not old.exists() and Path(layer.raster.path).is_file()
    assert private in Path(layer.raster.path).parents
