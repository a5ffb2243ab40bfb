"""The suite's own fixtures (tests/conftest.py) where they change the database."""

import pytest

from layers.models import ExternalLayer, ExternalService
from tests.conftest import forget_services_on_this_machine

pytestmark = pytest.mark.django_db


def test_services_left_at_ports_of_this_machine_are_forgotten_with_their_layers():
    left = ExternalService.objects.create(title="SIP (test kaskady)", url="http://127.0.0.1:40123/ows/wms")
    ExternalLayer.objects.create(service=left, name="dzialki", title="Działki ewidencyjne")
    named = ExternalService.objects.create(title="Testowy WMTS", url="http://localhost:8081/")
    outside = ExternalService.objects.create(title="Ortofotomapa", url="https://mapy.geoportal.gov.pl/wms")
    lookalike = ExternalService.objects.create(title="Inna", url="http://127.0.0.1.example.org/wms")

    assert forget_services_on_this_machine() >= 3  # two services and the layer
    assert set(ExternalService.objects.values_list("pk", flat=True)) >= {outside.pk, lookalike.pk}
    assert not ExternalService.objects.filter(pk__in=[left.pk, named.pk]).exists()
    assert not ExternalLayer.objects.filter(service_id=left.pk).exists()
