"""Public URLs come from one helper (sip.urls_public): behind a proxy that mounts SIP under a path
(X-Forwarded-Prefix: /sip, believed only from SIP_TRUSTED_PROXIES) the page's configuration for
its scripts, the geoportal's own configuration and the OGC capabilities all carry the prefix; with
no request the configured public address (SIP_PUBLIC_URL) is the base. Every app's API is mounted
in one place (sip/project/urls.py, /api/<app>/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from sip.project.urls import API_MOUNTS
from sip.urls_public import absolute, public_path, public_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PROXY = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_PREFIX": "/sip"}


def json_script(page: str, element_id: str) -> dict:
    raw = page.split(f'id="{element_id}" type="application/json">')[1].split("</script>")[0]
    return json.loads(raw)


def all_strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return [value] if isinstance(value, str) else []


def test_the_portal_behind_a_prefix_gives_its_scripts_prefixed_urls(client, demo_data, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    page = client.get("/nowogrodziec/", **PROXY).content.decode()
    urls = json_script(page, "sip-urls")
    assert urls["prefix"] == "/sip"
    assert urls["api"]["incidents"] == "/sip/api/incidents/"
    assert urls["api"]["cemetery"] == "/sip/api/cemetery/"
    assert urls["api"]["core"] == "/sip/api/"
    assert urls["ows"]["wms"] == "/sip/ows/wms"
    assert urls["pages"]["cemeteries"] == "/sip/cmentarze/"
    paths = all_strings({k: v for k, v in urls.items() if k != "prefix"})
    assert paths and all(p.startswith("/sip/") for p in paths), paths
    config = json_script(page, "portal-config")
    assert config["urls"] == {
        "search": "/sip/api/geoportal/search/",
        "print": "/sip/api/geoportal/print/",
        "wms": "/sip/ows/wms",
    }
    legends = [layer["legend_url"] for layer in config["layers"] if layer.get("legend_url")]
    assert legends and all(url.startswith("/sip/ows/wms?") for url in legends)


def test_without_a_proxy_the_same_page_has_plain_urls(client, demo_data, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    page = client.get("/nowogrodziec/", REMOTE_ADDR="10.1.2.3").content.decode()
    urls = json_script(page, "sip-urls")
    assert urls["prefix"] == "" and urls["api"]["incidents"] == "/api/incidents/"
    assert json_script(page, "portal-config")["urls"]["search"] == "/api/geoportal/search/"


def test_a_prefix_from_an_untrusted_client_is_ignored(client, demo_data, settings):
    settings.SIP_TRUSTED_PROXIES = []
    page = client.get("/nowogrodziec/", **PROXY).content.decode()
    assert "/sip/" not in json.dumps(json_script(page, "sip-urls"))
    assert json_script(page, "portal-config")["urls"]["wms"] == "/ows/wms"


def test_the_home_page_links_the_gminas_under_the_prefix(client, demo_data, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    outlines = json_script(client.get("/", **PROXY).content.decode(), "outlines")
    assert {f["properties"]["url"] for f in outlines["features"]} >= {
        "/sip/boleslawiec/",
        "/sip/nowogrodziec/",
    }


@pytest.mark.parametrize("service", ["WMS", "WFS"])
def test_capabilities_behind_the_prefix_advertise_it(client, demo_data, settings, service):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    path = f"/ows/{service.lower()}"
    body = client.get(path, {"SERVICE": service, "REQUEST": "GetCapabilities"}, **PROXY).content.decode()
    resources = re.findall(r'xlink:href="([^"]+)"', body)
    ours = [r for r in resources if "testserver" in r]
    assert ours and all(r.startswith(f"http://testserver/sip{path}") for r in ours), ours


def test_with_no_request_the_configured_public_address_is_the_base(settings):
    settings.SIP_PUBLIC_URL = "https://gis.gmina.example/sip/"
    assert public_url("planning:verify", args=["abc"]) == "https://gis.gmina.example/sip/verify/abc"
    assert public_path("ows-wms") == "/sip/ows/wms"
    assert absolute("/zgloszenia/x/") == "https://gis.gmina.example/sip/zgloszenia/x/"
    settings.SIP_PUBLIC_URL = "http://127.0.0.1:8000"
    assert public_url("ows-wms") == "http://127.0.0.1:8000/ows/wms"


def test_forwarded_host_and_scheme_make_the_absolute_url(rf, settings):
    settings.ALLOWED_HOSTS = ["gis.gmina.example", "testserver"]
    request = rf.get(
        "/x/",
        HTTP_X_FORWARDED_HOST="gis.gmina.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_PREFIX="/sip/",
    )
    assert public_url("ows-wms", request=request) == "https://gis.gmina.example/sip/ows/wms"
    # A host Django would refuse is not advertised; a prefix that is not a plain path is dropped.
    request = rf.get("/x/", HTTP_X_FORWARDED_HOST="evil.example", HTTP_X_FORWARDED_PREFIX="//evil.example")
    assert public_url("ows-wms", request=request) == "http://testserver/ows/wms"


def test_every_app_api_is_mounted_under_its_name_in_one_place():
    assert reverse("planning-api:extract-create") == "/api/planning/extracts/"
    assert reverse("cemetery-grave-search") == "/api/cemetery/graves/"
    assert reverse("inventory-api:api-list", args=["trees"]) == "/api/inventory/trees/"
    assert reverse("incidents-api:categories") == "/api/incidents/categories/"
    assert reverse("reporting-datasets") == "/api/reporting/datasets/"
    assert reverse("geoportal-search") == "/api/geoportal/search/"
    assert reverse("parcel-detail", args=["020101_1.0001.1/2"]) == "/api/parcels/020101_1.0001.1/2/"
    assert set(API_MOUNTS) == {"", *(f"{app}/" for app in ("planning", "cemetery", "inventory"))} | {
        f"{app}/" for app in ("incidents", "participation", "reporting", "geoportal")
    }
    # No app's own URLconf mounts an API path of its own any more.
    for urls in ROOT.glob("*/urls.py"):
        assert '"api/' not in urls.read_text(), urls


@pytest.mark.parametrize(
    "old,new",
    [
        ("/api/search/?q=Kruszyn&gmina=boleslawiec", "/api/geoportal/search/?q=Kruszyn&gmina=boleslawiec"),
        ("/api/print/?gmina=boleslawiec", "/api/geoportal/print/?gmina=boleslawiec"),
        ("/api/offline/cemeteries/stary/", "/api/geoportal/offline/cemeteries/stary/"),
    ],
)
def test_the_geoportals_old_api_addresses_answer_308_to_the_new_ones(client, old, new):
    resp = client.get(old)
    assert resp.status_code == 308 and resp["Location"] == new
    assert client.post(old).status_code == 308  # the method is kept: a POST stays a POST


def test_an_old_api_address_behind_a_prefix_moves_under_the_prefix(client, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    resp = client.get("/api/search/?q=ab", **PROXY)
    assert resp.status_code == 308 and resp["Location"] == "/sip/api/geoportal/search/?q=ab"


# The worker (sw.js) and the offline engine it loads have no page to read #sip-urls from.
NO_PAGE = {"geoportal/static/geoportal/pwa/sw.js", "geoportal/static/geoportal/pwa/offline-core.js"}
APPS_WITH_SCRIPTS = ("geoportal", "incidents", "participation", "reporting", "cemetery_routing", "inventory")


def test_no_page_script_hard_codes_an_api_or_ows_path():
    literal = re.compile(r"""["'`](/(?:api|ows)/[^"'`]*)""")
    found = []
    for app in APPS_WITH_SCRIPTS:
        for script in (ROOT / app / "static").rglob("*.js"):
            name = str(script.relative_to(ROOT))
            if name in NO_PAGE or "/vendor/" in name:
                continue
            for line in script.read_text().splitlines():
                if line.lstrip().startswith(("//", "*", "/*")):
                    continue  # a comment naming the endpoint it talks about
                for path in literal.findall(line):
                    found.append(f"{name}: {path}")
    # The default of report.js when it runs with no page around (an outbox in a worker).
    assert found == ["incidents/static/incidents/report.js: /api/incidents/"], found
