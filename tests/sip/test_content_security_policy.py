"""Content-Security-Policy on every response: own origin for scripts, external map hosts for
images, rebuilt when an external service changes."""

import re

import pytest

from layers.models import ExternalService
from sip.tenancy import CENTRAL_ADMIN
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def test_policy_on_geoportal_admin_and_api(client, gmina):
    central = make_user("centrala-csp", CENTRAL_ADMIN, None)
    pages = [
        f"/{gmina.slug}/",
        "/",
        "/api/parcels/?q=1",
        "/api/schema/",
        "/ows/wms?SERVICE=WMS&REQUEST=GetCapabilities",
    ]
    for url in pages:
        rules = policy(client.get(url))
        assert rules["default-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in rules["script-src"] and "'unsafe-eval'" not in rules["script-src"], (
            url
        )
        assert rules["object-src"] == ["'none'"], url
    client.force_login(central)
    for url in ("/admin/", "/admin/inventory/tree/add/", "/api/docs/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        nonce = re.search(r"'nonce-([^']+)'", resp["Content-Security-Policy"]).group(1)
        # Inline scripts: none, or (django-leaflet's widget) only with this response's nonce.
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", resp.content.decode())
        assert all(f'nonce="{nonce}"' in attrs for attrs in inline), (url, inline)
    first = client.get("/admin/")["Content-Security-Policy"]
    assert first != client.get("/admin/")["Content-Security-Policy"]  # a fresh nonce each time


def test_images_allowed_from_external_services_and_refreshed(client, gmina):
    rules = policy(client.get(f"/{gmina.slug}/"))
    # The national orthophoto, configured by a migration, is drawn straight by the browser.
    assert {"'self'", "data:", "blob:", "https://mapy.geoportal.gov.pl"} <= set(rules["img-src"])
    service = ExternalService.objects.create(
        title="WMTS powiatu", url="https://mapy.powiat.example:8443/wmts?x=1"
    )
    assert "https://mapy.powiat.example:8443" in policy(client.get(f"/{gmina.slug}/"))["img-src"]
    service.delete()
    assert "https://mapy.powiat.example:8443" not in policy(client.get(f"/{gmina.slug}/"))["img-src"]
