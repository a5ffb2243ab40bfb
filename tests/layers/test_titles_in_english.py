"""Layer titles in the visitor's language: the registry's English title (title_en) reaches the
layer rows, and capabilities, the layer list of web maps and the portal show it in English."""

from __future__ import annotations

from lxml import etree

from layers import registry, services
from layers.models import Layer
from layers.selectors import forget_catalogue
from sip.models import AuditLog

WMS_NS = {"wms": "http://www.opengis.net/wms"}
CAPABILITIES = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"}


def capability_titles(client) -> dict[str, str]:
    resp = client.get("/ows/wms", CAPABILITIES)
    assert resp.status_code == 200
    doc = etree.fromstring(resp.content)
    return {
        layer.findtext("wms:Name", namespaces=WMS_NS): layer.findtext("wms:Title", namespaces=WMS_NS)
        for layer in doc.iterfind(".//wms:Layer[wms:Name]", namespaces=WMS_NS)
    }


def test_registered_sources_carry_an_english_title(db):
    assert registry.get_source("dzialki").title_en == "Cadastral parcels"
    # Rows made before the registry had English titles got them after migrate.
    assert Layer.objects.get(name="dzialki").title_en == "Cadastral parcels"
    assert Layer.objects.get(name="groby").title_en == "Cemeteries – graves"


def test_sync_gives_the_english_title_only_to_rows_still_titled_as_registered(db):
    Layer.objects.filter(name__in=["dzialki", "obreby"]).update(title_en="")
    Layer.objects.filter(name="obreby").update(title="Obręby (tytuł centrali)")
    services.sync_registered_layers()
    assert Layer.objects.get(name="dzialki").title_en == "Cadastral parcels"
    assert Layer.objects.get(name="obreby").title_en == ""  # staff retitled it: theirs to translate
    layer = Layer.objects.get(name="dzialki")
    entry = AuditLog.objects.filter(model="layers.layer", object_id=str(layer.pk), action="update").latest(
        "pk"
    )
    assert entry.user is None and entry.changes == {"title_en": "Cadastral parcels", "by": "registry"}


def test_capabilities_titles_follow_the_language(client, db):
    Layer.objects.filter(name="obreby").update(title_en="")
    services.bump_version()  # as the admin does: every process's snapshot sees the edit
    forget_catalogue()
    polish = capability_titles(client)
    assert polish["dzialki"] == "Działki ewidencyjne" and polish["ulice"] == "Ulice"
    client.cookies["django_language"] = "en"
    english = capability_titles(client)
    assert english["dzialki"] == "Cadastral parcels" and english["ulice"] == "Streets"
    assert english["obreby"] == "Obręby ewidencyjne"  # no English title: the Polish one


def test_the_layer_list_of_web_maps_follows_the_language(client, db, gmina):
    titles = {d["name"]: d["title"] for d in client.get(f"/ows/layers?gmina={gmina.slug}").json()["layers"]}
    assert titles["gminy"] == "Granice gmin"
    client.cookies["django_language"] = "en"
    titles = {d["name"]: d["title"] for d in client.get(f"/ows/layers?gmina={gmina.slug}").json()["layers"]}
    assert titles["gminy"] == "Municipal boundaries"
