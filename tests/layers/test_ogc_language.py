"""The language of the OGC answers: Polish by default; English when the request says LANGUAGE=eng
(INSPIRE) or AcceptLanguages=en (OWS, GeoServer), or when the visitor chose English on the
portal. Layer titles, group titles, legend keys and GetFeatureInfo headings follow it."""

from __future__ import annotations

import io
import json

import pytest
from lxml import etree
from PIL import Image

from layers import services
from layers.models import Layer
from layers.ogc.language import requested_language
from layers.selectors import forget_catalogue
from tests.conftest import ParcelFactory
from tests.utils import wms_feature_info, wms_legend

WMS = {"wms": "http://www.opengis.net/wms", "xlink": "http://www.w3.org/1999/xlink"}
WFS = {"wfs": "http://www.opengis.net/wfs/2.0"}
CAPABILITIES = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, None),
        ({"language": ""}, None),
        ({"language": "eng"}, "en"),
        ({"language": "ENG"}, "en"),
        ({"language": "pol"}, "pl"),
        ({"acceptlanguages": "en"}, "en"),
        ({"acceptlanguages": "en-GB,pl"}, "en"),
        ({"acceptlanguages": "fr de,en"}, "en"),
        # A language SIP does not speak: the default one, as INSPIRE asks (not an error).
        ({"language": "fre"}, "pl"),
        ({"acceptlanguages": "<script>"}, "pl"),
    ],
)
def test_requested_language(params, expected):
    assert requested_language(params) == expected


def _capabilities(client, **extra):
    resp = client.get("/ows/wms", {**CAPABILITIES, **extra})
    assert resp.status_code == 200
    return resp, etree.fromstring(resp.content)


def _layer_titles(doc) -> dict[str, str]:
    return {
        layer.findtext("wms:Name", namespaces=WMS): layer.findtext("wms:Title", namespaces=WMS)
        for layer in doc.iterfind(".//wms:Layer[wms:Name]", namespaces=WMS)
    }


def _group_titles(doc) -> set[str]:
    return {
        layer.findtext("wms:Title", namespaces=WMS)
        for layer in doc.iterfind(".//wms:Layer/wms:Layer[wms:Layer]", namespaces=WMS)
    }


def _legend_urls(doc) -> list[str]:
    return [
        el.get(f"{{{WMS['xlink']}}}href")
        for el in doc.iterfind(".//wms:LegendURL/wms:OnlineResource", namespaces=WMS)
    ]


def test_wms_capabilities_are_polish_by_default_and_english_on_request(client, db):
    resp, doc = _capabilities(client)
    assert resp["Content-Language"] == "pl"
    assert _layer_titles(doc)["dzialki"] == "Działki ewidencyjne"
    assert {"Ewidencja gruntów", "Cmentarze"} <= _group_titles(doc)
    assert doc.findtext("wms:Service/wms:Title", namespaces=WMS) == "SIP – mapy gmin partnerskich"
    assert not any("LANGUAGE=" in url for url in _legend_urls(doc))

    resp, doc = _capabilities(client, LANGUAGE="eng")
    assert resp["Content-Language"] == "en"
    titles = _layer_titles(doc)
    assert titles["dzialki"] == "Cadastral parcels" and titles["cmentarze"] == "Cemeteries – boundaries"
    assert {"Land and building register", "Cemeteries"} <= _group_titles(doc)
    assert doc.findtext("wms:Service/wms:Title", namespaces=WMS) == "SIP – maps of partner municipalities"
    assert doc.findtext("wms:Service/wms:Fees", namespaces=WMS) == "none"
    # The legends the document points to are English too.
    assert all("LANGUAGE=eng" in url for url in _legend_urls(doc))

    # The parameter beats the portal's cookie, both ways.
    client.cookies["django_language"] = "en"
    resp, doc = _capabilities(client, LANGUAGE="pol")
    assert resp["Content-Language"] == "pl" and _layer_titles(doc)["dzialki"] == "Działki ewidencyjne"
    resp, doc = _capabilities(client)
    assert resp["Content-Language"] == "en" and _layer_titles(doc)["dzialki"] == "Cadastral parcels"


def test_wms_capabilities_1_1_1_in_english(client, db):
    resp = client.get("/ows/wms", {**CAPABILITIES, "VERSION": "1.1.1", "LANGUAGE": "eng"})
    doc = etree.fromstring(resp.content)
    titles = {layer.findtext("Name"): layer.findtext("Title") for layer in doc.iterfind(".//Layer[Name]")}
    assert titles["ulice"] == "Streets"


def _wfs_titles(client, **extra) -> tuple[str, dict[str, str]]:
    resp = client.get(
        "/ows/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities", **extra}
    )
    assert resp.status_code == 200
    doc = etree.fromstring(resp.content)
    types = {
        ft.findtext("wfs:Name", namespaces=WFS).split(":")[-1]: ft.findtext("wfs:Title", namespaces=WFS)
        for ft in doc.iterfind(".//wfs:FeatureType", namespaces=WFS)
    }
    service = doc.findtext(
        "{http://www.opengis.net/ows/1.1}ServiceIdentification/{http://www.opengis.net/ows/1.1}Title"
    )
    return service, types


def test_wfs_feature_type_titles_follow_the_language(client, db):
    service, types = _wfs_titles(client)
    assert types["dzialki"] == "Działki ewidencyjne" and service == "SIP – dane wektorowe gmin partnerskich"
    service, types = _wfs_titles(client, ACCEPTLANGUAGES="en")
    assert (
        types["dzialki"] == "Cadastral parcels" and service == "SIP – vector data of partner municipalities"
    )
    service, types = _wfs_titles(client, LANGUAGE="eng")
    assert types["gminy"] == "Municipal boundaries"
    # The feature types are cached per language: Polish again after English.
    _service, types = _wfs_titles(client)
    assert types["dzialki"] == "Działki ewidencyjne"


def _width(png: bytes) -> int:
    return Image.open(io.BytesIO(png)).width


def test_legend_keys_take_the_english_title(client, db):
    polish = wms_legend(client, "cmentarze")
    english = wms_legend(client, "cmentarze", LANGUAGE="eng")
    # "Cemeteries – boundaries" is a longer key than "Cmentarze – granice".
    assert english != polish and _width(english) > _width(polish)
    # The shared map object is left with its Polish titles.
    assert wms_legend(client, "cmentarze") == polish
    client.cookies["django_language"] = "en"
    assert wms_legend(client, "cmentarze") == english
    del client.cookies["django_language"]

    # The oracle: a layer whose Polish title is the English text draws the same legend.
    Layer.objects.filter(name="cmentarze").update(title="Cemeteries – boundaries")
    services.bump_version()
    forget_catalogue()
    assert wms_legend(client, "cmentarze") == english


def test_a_legend_without_an_english_title_is_the_polish_one(client, db):
    Layer.objects.filter(name="cmentarze").update(title_en="")
    services.bump_version()
    forget_catalogue()
    assert wms_legend(client, "cmentarze", LANGUAGE="eng") == wms_legend(client, "cmentarze")


def test_feature_info_headings_follow_the_language(client, gmina):
    centre = ParcelFactory(obreb__gmina=gmina).geom.centroid
    html = wms_feature_info(client, "dzialki", centre.x, centre.y, "text/html").content.decode()
    assert '<html lang="pl">' in html and "<h2>Działki ewidencyjne</h2>" in html
    assert "<title>Informacja o obiektach</title>" in html

    resp = wms_feature_info(client, "dzialki", centre.x, centre.y, "text/html", LANGUAGE="eng")
    html = resp.content.decode()
    assert resp["Content-Language"] == "en"
    assert '<html lang="en">' in html and "<h2>Cadastral parcels</h2>" in html
    assert "<title>Feature information</title>" in html
    empty = wms_feature_info(
        client, "dzialki", centre.x + 5000, centre.y + 5000, "text/html", LANGUAGE="eng"
    ).content.decode()
    assert "No features here." in empty

    data = json.loads(
        wms_feature_info(client, "dzialki", centre.x, centre.y, "application/json", LANGUAGE="eng").content
    )
    assert data["layers"]["dzialki"]["title"] == "Cadastral parcels"
    gml = etree.fromstring(
        wms_feature_info(
            client, "dzialki", centre.x, centre.y, "application/vnd.ogc.gml", LANGUAGE="eng"
        ).content
    )
    assert gml.findtext(".//{http://www.opengis.net/gml}name") == "Cadastral parcels"


def test_the_portal_layer_list_gives_english_titles_groups_and_legends(client, gmina):
    def layers():
        return {d["name"]: d for d in client.get(f"/ows/layers?gmina={gmina.slug}").json()["layers"]}

    polish = layers()
    assert polish["dzialki"]["group"] == "Ewidencja gruntów"
    assert "LANGUAGE" not in polish["dzialki"]["legend_url"]
    client.cookies["django_language"] = "en"
    english = layers()
    assert english["dzialki"]["title"] == "Cadastral parcels"
    assert english["dzialki"]["group"] == "Land and building register"
    legend_url = english["cmentarze"]["legend_url"]
    assert "LANGUAGE=eng" in legend_url
    # The legend URL alone (no cookie) gives the English legend.
    del client.cookies["django_language"]
    path = legend_url.split("://", 1)[1].split("/", 1)[1]
    english_legend = client.get("/" + path).content
    assert english_legend == wms_legend(client, "cmentarze", LANGUAGE="eng")
    assert english_legend != wms_legend(client, "cmentarze")
