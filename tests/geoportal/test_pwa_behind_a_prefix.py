"""The resident app behind a proxy that mounts SIP under a path (X-Forwarded-Prefix: /sip): the
page registers /sip/sw.js with scope /sip/, and the worker's precache list, offline fallbacks and
the paths it answers all come from its configuration, under the prefix. At the root nothing
changes (scope /). The browser test is tests/e2e/test_pwa_behind_a_prefix.py."""

from __future__ import annotations

import json
import re

import pytest

from geoportal.pwa import worker_paths
from sip.project.context_processors import public_urls_config

pytestmark = pytest.mark.django_db
PROXY = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_PREFIX": "/sip"}
SMALL = "cmentarz-komunalny-nowogrodziec"


@pytest.fixture
def behind_proxy(settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]


def worker_config(body: str) -> dict:
    """The self.SIP_* values the served worker sets above its code."""
    return {
        name: json.loads(value)
        for name, value in re.findall(r"^self\.SIP_([A-Z]+) = (.*);$", body, flags=re.MULTILINE)
    }


def json_script(page: str, element_id: str) -> dict:
    return json.loads(page.split(f'id="{element_id}" type="application/json">')[1].split("</script>")[0])


def test_the_page_registers_the_worker_under_the_prefix(client, demo_data, behind_proxy):
    urls = json_script(client.get("/nowogrodziec/", **PROXY).content.decode(), "sip-urls")
    assert urls["pages"]["service_worker"] == "/sip/sw.js" and urls["scope"] == "/sip/"
    urls = json_script(client.get("/nowogrodziec/").content.decode(), "sip-urls")
    assert urls["pages"]["service_worker"] == "/sw.js" and urls["scope"] == "/"


def test_the_worker_behind_a_prefix_is_configured_under_it(client, behind_proxy):
    resp = client.get("/sw.js", **PROXY)
    assert resp.status_code == 200
    assert resp["Service-Worker-Allowed"] == "/sip/"
    config = worker_config(resp.content.decode())
    assert config["PATHS"] == {
        "scope": "/sip/",
        "offline": "/sip/offline/",
        "offline_grave": "/sip/offline/grob/",
        "api_cemetery": "/sip/api/cemetery/",
        "grave_card": "/sip/cmentarze/grob/",
        "wms": "/sip/ows/wms",
        "static": "/sip/static/",
        "media_cemetery": "/sip/media/cemetery/",
    }
    assert config["PRECACHE"][:2] == ["/sip/offline/", "/sip/offline/grob/"]
    assert all(path.startswith("/sip/") for path in config["PRECACHE"]), config["PRECACHE"]
    assert config["CORE"].startswith("/sip/static/geoportal/pwa/offline-core.js?v=")
    # The same worker code: only its configuration differs (and so its version does not).
    plain = client.get("/sw.js")
    assert plain["Service-Worker-Allowed"] == "/"
    plain_config = worker_config(plain.content.decode())
    assert plain_config["VERSION"] == config["VERSION"]
    assert plain_config["PATHS"]["api_cemetery"] == "/api/cemetery/"
    assert plain_config["PRECACHE"][:2] == ["/offline/", "/offline/grob/"]
    assert resp.content.split(b"\n", 5)[-1] == plain.content.split(b"\n", 5)[-1]


def test_the_worker_paths_are_those_of_the_pages(rf, behind_proxy):
    """The worker's paths and the page's configuration (#sip-urls) agree, prefix or not."""
    for meta in ({}, PROXY):
        request = rf.get("/sw.js", **meta)
        paths, page = worker_paths(request), public_urls_config(request)
        assert paths["offline"] == page["pages"]["offline"]
        assert paths["offline_grave"] == page["pages"]["offline_grave"]
        assert paths["api_cemetery"] == page["api"]["cemetery"]
        assert paths["wms"] == page["ows"]["wms"]
        assert paths["scope"] == page["scope"]


def test_the_worker_code_names_no_path_of_the_site():
    """Every path the worker uses comes from self.SIP_PATHS / SIP_PRECACHE."""
    from django.contrib.staticfiles import finders

    for name in ("geoportal/pwa/sw.js", "geoportal/pwa/offline-core.js"):
        with open(finders.find(name), encoding="utf-8") as fh:
            code = fh.read()
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("//"))
        if name.endswith("offline-core.js"):
            # Its defaults for a site at the root, used only without self.SIP_PATHS.
            code = code.replace('|| "/api/cemetery/"', "").replace('|| "/cmentarze/grob/"', "")
        literal = re.findall(r"""["'`]/(?:api|ows|static|media|offline|cmentarze)\b""", code)
        assert not literal, (name, literal)


def test_the_manifest_behind_a_prefix(client, behind_proxy):
    manifest = json.loads(client.get("/manifest.webmanifest", **PROXY).content)
    assert manifest["id"] == manifest["scope"] == "/sip/"
    assert manifest["start_url"] == "/sip/?source=pwa"
    assert all(icon["src"].startswith("/sip/static/") for icon in manifest["icons"])
    assert manifest["shortcuts"][0]["url"] == "/sip/cmentarze/"
    plain = json.loads(client.get("/manifest.webmanifest").content)
    assert plain["id"] == plain["scope"] == "/" and plain["start_url"] == "/?source=pwa"


def test_the_offline_download_lists_its_urls_under_the_prefix(client, demo_data, behind_proxy):
    size = client.get(f"/api/geoportal/offline/cemeteries/{SMALL}/", **PROXY).json()
    assert size["data_url"] == f"/sip/api/cemetery/cemeteries/{SMALL}/offline/"
    assert size["pages"] == [f"/sip/cmentarze/{SMALL}/"]
    package = client.get(f"/api/cemetery/cemeteries/{SMALL}/map/", **PROXY).json()
    assert package["tiles"]["url"] == "/sip/ows/wms"
    plain = client.get(f"/api/geoportal/offline/cemeteries/{SMALL}/").json()
    assert plain["data_url"] == f"/api/cemetery/cemeteries/{SMALL}/offline/"
