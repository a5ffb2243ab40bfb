"""External WMS: harvested with OWSLib and cascaded by MapServer. The national services are
unreachable from test machines, so SIP's own live WMS plays the outside service."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import get, wait_for_workers

pytestmark = pytest.mark.demo

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


def test_unreachable_service_is_reported_not_raised(django_db_blocker):
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from layers import services
    from layers.models import ExternalService

    with django_db_blocker.unblock():
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
