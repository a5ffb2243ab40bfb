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


def test_layers_follow_each_gminas_register_visibility(client, demo_data):
    from django.contrib.auth.models import User

    from inventory import services
    from inventory.registers import REGISTERS
    from sip.models import Gmina

    tree = TreeOnMap.objects.filter(gmina__slug="boleslawiec").order_by("id").first()
    assert tree.external_id in feature_info(client, "drzewa", tree.geom).content.decode()
    # Lighting lines are internal by default: none of their rows is public.
    from inventory.models import LightingLine, LightingLineOnMap

    assert LightingLine.objects.filter(gmina__slug="boleslawiec").exists()
    assert LightingLineOnMap.objects.filter(gmina__slug="boleslawiec").exists()
    assert not LightingLineOnMap.objects.filter(gmina__slug="boleslawiec", is_public=True).exists()
    # The gmina makes its trees internal: residents no longer get them from WMS or WFS, its
    # staff still do.
    editor = User.objects.get(username="redaktor-boleslawiec")
    gmina = Gmina.objects.get(slug="boleslawiec")
    services.set_register_public(actor=editor, register=REGISTERS["trees"], gmina=gmina, is_public=False)
    assert not TreeOnMap.objects.filter(gmina=gmina, is_public=True).exists()
    assert TreeOnMap.objects.filter(gmina__slug="nowogrodziec", is_public=True).exists()
    assert tree.external_id not in feature_info(client, "drzewa", tree.geom).content.decode()
    client.force_login(editor)
    assert tree.external_id in feature_info(client, "drzewa", tree.geom).content.decode()
    client.force_login(User.objects.get(username="redaktor-nowogrodziec"))
    assert tree.external_id not in feature_info(client, "drzewa", tree.geom).content.decode()
