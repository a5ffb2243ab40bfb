"""The registers as WMS layers: trees with species names in popups, internal registers hidden."""

import pytest

from inventory.models import TreeOnMap

pytestmark = pytest.mark.django_db


def feature_info(client, layer, p, **extra):
    return client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": layer,
            "QUERY_LAYERS": layer,
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": f"{p.y - 3},{p.x - 3},{p.y + 3},{p.x + 3}",
            "WIDTH": 7,
            "HEIGHT": 7,
            "I": 3,
            "J": 3,
            "INFO_FORMAT": "text/html",
            **extra,
        },
    )


def test_tree_popup_names_the_species(client, demo_data):
    tree = TreeOnMap.objects.filter(gmina__slug="boleslawiec").order_by("id").first()
    resp = feature_info(client, "drzewa", tree.geom)
    page = resp.content.decode()
    assert resp.status_code == 200
    assert tree.species_polish in page and tree.external_id in page and "obwód pnia" in page


def test_internal_register_is_not_public(client, demo_data):
    layers = [layer["name"] for layer in client.get("/ows/layers").json()["layers"]]
    assert {"drzewa", "mala-architektura", "oswietlenie-latarnie"} <= set(layers)
    assert "oswietlenie-linie" not in layers
    client.login(username="centrala", password="sip-demo")
    layers = [layer["name"] for layer in client.get("/ows/layers?gmina=boleslawiec").json()["layers"]]
    assert "oswietlenie-linie" in layers
