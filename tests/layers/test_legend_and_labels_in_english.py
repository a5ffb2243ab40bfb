"""Legend keys of a style's classes and GetFeatureInfo's attribute labels follow the language
of the request (LANGUAGE=eng, AcceptLanguages=en), as layer titles do; Polish without it."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from layers import services
from layers.models import Layer, StyleRule
from layers.selectors import forget_catalogue
from tests.conftest import ParcelFactory
from tests.utils import wms_feature_info, wms_legend

pytestmark = pytest.mark.django_db


def _changed() -> None:
    services.bump_version()
    forget_catalogue()


def test_the_built_in_classes_have_english_titles():
    rules = StyleRule.objects.filter(style__name="dzialki")
    assert {r.title: r.title_en for r in rules} == {
        "działka z numerem": "parcel with number",
        "działka z numerem (zbliżenie)": "parcel with number (close-up)",
    }
    # Every class the registry made has one.
    assert not StyleRule.objects.filter(title_en="").exists()


def test_legend_keys_of_the_classes_are_english_on_request(client):
    polish = wms_legend(client, "dzialki")
    english = wms_legend(client, "dzialki", LANGUAGE="eng")
    assert english != polish
    assert wms_legend(client, "dzialki", ACCEPTLANGUAGES="en") == english
    assert wms_legend(client, "dzialki") == polish  # the shared map keeps its Polish titles

    # The oracle: classes (and layer) whose Polish titles are the English texts draw the same
    # legend in Polish.
    for rule in StyleRule.objects.filter(style__name="dzialki"):
        rule.title = rule.title_en
        rule.save()
    Layer.objects.filter(name="dzialki").update(title="Cadastral parcels")
    _changed()
    assert wms_legend(client, "dzialki") == english


def test_a_class_without_an_english_title_keeps_the_polish_one(client):
    StyleRule.objects.filter(style__name="dzialki").update(title_en="")
    Layer.objects.filter(name="dzialki").update(title_en="")
    _changed()
    assert wms_legend(client, "dzialki", LANGUAGE="eng") == wms_legend(client, "dzialki")


def test_registry_gives_english_titles_to_classes_made_before_them():
    rules = StyleRule.objects.filter(style__name="dzialki")
    rules.update(title_en="")
    retitled = rules.get(title="działka z numerem (zbliżenie)")
    retitled.title = "działka – zbliżenie"  # staff's own title: not the registry's any more
    retitled.save()
    services.sync_registered_layers()
    assert {r.title: r.title_en for r in rules.all()} == {
        "działka z numerem": "parcel with number",
        "działka – zbliżenie": "",
    }


def test_feature_info_labels_follow_the_language(client, gmina):
    parcel = ParcelFactory(obreb__gmina=gmina)
    centre = parcel.geom.centroid
    polish = wms_feature_info(client, "dzialki", centre.x, centre.y, "text/html").content.decode()
    assert "identyfikator działki" in polish and "powierzchnia ewidencyjna [m²]" in polish
    english = wms_feature_info(
        client, "dzialki", centre.x, centre.y, "text/html", LANGUAGE="eng"
    ).content.decode()
    assert "parcel identifier" in english and "registered area [m²]" in english
    assert "identyfikator działki" not in english and parcel.identifier in english

    labels = json.loads(
        wms_feature_info(
            client, "dzialki", centre.x, centre.y, "application/json", ACCEPTLANGUAGES="en"
        ).content
    )
    assert labels["layers"]["dzialki"]["labels"] == {
        "identifier": "parcel identifier",
        "number": "parcel number",
        "registered_area_m2": "registered area [m²]",
    }
    labels = json.loads(wms_feature_info(client, "dzialki", centre.x, centre.y, "application/json").content)
    assert labels["layers"]["dzialki"]["labels"]["identifier"] == "identyfikator działki"
    # GML keeps the attribute names (the schema's), whatever the language.
    gml = etree.fromstring(
        wms_feature_info(
            client, "dzialki", centre.x, centre.y, "application/vnd.ogc.gml", LANGUAGE="eng"
        ).content
    )
    assert gml.find(".//{*}identifier").text == parcel.identifier


def test_the_portal_layer_list_gives_english_attribute_labels(client, gmina):
    def attributes():
        layers = client.get(f"/ows/layers?gmina={gmina.slug}").json()["layers"]
        return {a["name"]: a["label"] for d in layers if d["name"] == "ulice" for a in d["attributes"]}

    assert attributes()["name"] == "nazwa ulicy"
    client.cookies["django_language"] = "en"
    assert attributes() == {"name": "street name", "road_category": "category", "road_number": "road number"}
