"""External WMS: harvested with OWSLib and cascaded by MapServer. The national services are
unreachable from test machines, so SIP's own live WMS plays the outside service."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import get, wait_for_workers

CASCADED = "test-kaskada-dzialki"
BBOX = (260516, 382773, 261016, 383273)


@pytest.fixture(scope="module")
def harvested(wms_url, django_db_blocker):
    from django.contrib.auth.models import User

    from layers import services
    from layers.models import ExternalService, Layer

    def cleanup():
        Layer.objects.filter(name=CASCADED).delete()
        ExternalService.objects.filter(url=wms_url).delete()

    with django_db_blocker.unblock():
        cleanup()
        admin = User.objects.get(username="centrala")
        service = ExternalService.objects.create(title="SIP (test kaskady)", url=wms_url, version="1.3.0")
        layers = {row.name: row for row in services.harvest_service(actor=admin, service=service)}
        services.create_layer(
            actor=admin, name=CASCADED, title="Działki przez kaskadę", external=layers["dzialki"]
        )
    wait_for_workers()
    yield layers
    with django_db_blocker.unblock():
        cleanup()
    wait_for_workers()


def test_harvest_reads_layers_titles_crs_and_extent(harvested):
    parcels = harvested["dzialki"]
    assert parcels.title == "Działki ewidencyjne" and parcels.queryable
    assert {2176, 2180, 3857, 4326} <= set(parcels.srids)
    west, south, east, north = parcels.extent_4326
    assert 15.0 < west < 15.6 < east < 16.0 and 51.0 < south < 51.3 < north < 51.5
    assert {"gminy", "obreby", "adresy"} <= set(harvested)
    assert not any(name.startswith("test-") for name in harvested), "internal layers are not harvested"


def _map(wms_url, layer):
    return get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": layer,
            "STYLES": "",
            "SRS": "EPSG:2180",
            "BBOX": ",".join(map(str, BBOX)),
            "WIDTH": 256,
            "HEIGHT": 256,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        },
    )


def test_cascaded_layer_is_listed_and_draws_the_same_parcels(wms_url, harvested):
    caps = get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body.decode()
    assert f"<Name>{CASCADED}</Name>" in caps
    direct = _map(wms_url, "dzialki").image()
    cascaded = _map(wms_url, CASCADED).image()
    assert (cascaded[..., 3] > 0).mean() > 0.95
    # The same drawing, fetched from the outside service and redrawn: nearly every pixel agrees.
    close = np.abs(direct.astype(int) - cascaded.astype(int)).max(axis=2) <= 24
    assert close.mean() > 0.9


def test_cascaded_layer_is_not_queryable_nor_in_wfs(wms_url, wfs_url, harvested):
    answer = get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": CASCADED,
            "QUERY_LAYERS": CASCADED,
            "SRS": "EPSG:2180",
            "BBOX": ",".join(map(str, BBOX)),
            "WIDTH": 10,
            "HEIGHT": 10,
            "X": 5,
            "Y": 5,
        },
    )
    assert answer.status == 400 and answer.exception_code() == "LayerNotQueryable"
    assert CASCADED.encode() not in get(wfs_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).body


def test_unreachable_service_is_reported_not_raised(demo_data, django_db_blocker):
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from layers import services
    from layers.models import ExternalService

    with django_db_blocker.unblock():
        ExternalService.objects.filter(url="http://127.0.0.1:9/wms").delete()  # left by a killed run
        service = ExternalService.objects.create(title="Nieosiągalna", url="http://127.0.0.1:9/wms")
        try:
            with pytest.raises(ValidationError, match="Nie udało się odczytać"):
                services.harvest_service(
                    actor=User.objects.get(username="centrala"), service=service, timeout=3
                )
            service.refresh_from_db()
            assert service.last_error and service.harvested_at is None
        finally:
            service.delete()


WMTS_CASCADED = "test-kaskada-wmts-dzialki"
# The parcels' outlines without numbers (which the base map writes from 1:7,500 in a size by
# scale): the tiles and the direct map are compared line by line.
OUTLINES = "test-dzialki-obrysy"


@pytest.fixture(scope="module")
def wmts_harvested(wms_url, django_db_blocker):
    """A stand-in outside WMTS whose tiles SIP's own WMS draws, harvested and published."""
    from django.contrib.auth.models import User

    from layers import services
    from layers.models import ExternalService, Layer, Style

    from .wmts_standin import StandIn

    standin = StandIn(wms_url, OUTLINES, "Działki (kafle WMTS)")

    def cleanup():
        Layer.objects.filter(name__in=(WMTS_CASCADED, OUTLINES)).delete()
        Style.objects.filter(name=OUTLINES).delete()
        ExternalService.objects.filter(url=standin.url).delete()

    with django_db_blocker.unblock():
        cleanup()
        admin = User.objects.get(username="centrala")
        style = Style.objects.create(
            name=OUTLINES, fill_colour="#fee8c8", fill_opacity=60, stroke_colour="#b35806", stroke_width=0.8
        )
        services.create_layer(
            actor=admin, name=OUTLINES, source="dzialki", title="Działki (obrysy)", style=style
        )
        service = ExternalService(title="Testowy WMTS", url=standin.url, kind="wmts", version="1.0.0")
        service.full_clean()
        service.save()
        layers = {row.name: row for row in services.harvest_service(actor=admin, service=service)}
        services.create_layer(
            actor=admin, name=WMTS_CASCADED, title="Działki z kafli WMTS", external=layers[OUTLINES]
        )
    wait_for_workers()
    yield standin, layers
    with django_db_blocker.unblock():
        cleanup()
    standin.close()
    wait_for_workers()


def test_wmts_harvest_reads_layer_tile_sets_and_extent(wmts_harvested):
    standin, layers = wmts_harvested
    parcels = layers[OUTLINES]
    assert parcels.title == "Działki (kafle WMTS)" and parcels.abstract == "Kafle rysowane przez WMS."
    # Only the tile matrix set in a CRS that SIP accepts; PNG preferred over JPEG.
    assert parcels.tile_matrix_sets == {"GoogleMapsCompatible": 3857} and parcels.srids == [3857]
    assert parcels.image_format == "image/png" and not parcels.queryable
    assert parcels.extent_4326 == [15.0, 51.0, 16.0, 51.5]
    assert parcels.service.service_title == "Testowa usługa WMTS"


def test_wmts_layer_is_cascaded_and_reprojected_to_the_same_parcels(wms_url, wmts_harvested):
    standin, _ = wmts_harvested
    caps = get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body.decode()
    assert f"<Name>{WMTS_CASCADED}</Name>" in caps
    before = standin.tiles
    direct = _map(wms_url, OUTLINES).image()
    cascaded = _map(wms_url, WMTS_CASCADED).image()
    assert standin.tiles > before, "the tiles came from the WMTS"
    assert (cascaded[..., 3] > 0).mean() > 0.95
    # Tiles in EPSG:3857 redrawn in EPSG:2180: the parcels' lines land where they are drawn
    # directly, within a pixel of resampling (2 m here; a shift of 2 pixels fails this).
    edges_direct = _lines(direct)
    edges_cascaded = _lines(cascaded)
    near = np.zeros_like(edges_direct)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near |= np.roll(np.roll(edges_direct, dy, axis=0), dx, axis=1)
    assert edges_cascaded.sum() > 2000
    assert (edges_cascaded & near).sum() / edges_cascaded.sum() > 0.98


def _lines(image: np.ndarray) -> np.ndarray:
    """Pixels of parcel boundaries: darker than the parcels' light fill (even once resampled)."""
    return (image[..., :3].astype(int).sum(axis=2) < 630) & (image[..., 3] > 0)


def test_the_version_follows_the_kind_of_service():
    from layers.models import ExternalService

    wmts = ExternalService(title="WMTS", url="http://example.org/wmts", kind="wmts", version="1.3.0")
    wmts.clean()
    assert wmts.version == "1.0.0"
    wms = ExternalService(title="WMS", url="http://example.org/wms", kind="wms", version="1.0.0")
    wms.clean()
    assert wms.version == "1.3.0"
    old = ExternalService(title="WMS", url="http://example.org/wms", kind="wms", version="1.1.1")
    old.clean()
    assert old.version == "1.1.1"
