"""Behind a proxy that mounts SIP under a path (X-Forwarded-Prefix: /sip) every link, form,
image, script and style sheet of the main pages stays under that path: templates write paths
with {% url %} and {% static %} (sip.templatetags.public_paths), never literally."""

from __future__ import annotations

import json

import pytest
from lxml import html

from cemetery_routing.models import Cemetery, Grave

pytestmark = pytest.mark.django_db
PROXY = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_PREFIX": "/sip"}
URL_ATTRIBUTES = ("href", "src", "action", "data-geojson", "poster", "formaction")


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def site_paths(page: str) -> list[str]:
    """Every path of this site that the page links, loads or posts to, or gives its scripts."""
    doc = html.fromstring(page)
    found = []
    for el in doc.iter():
        for attr in URL_ATTRIBUTES:
            value = el.get(attr)
            if value is not None:
                found.append(value)
        if el.tag == "script" and el.get("type") == "application/json":
            found.extend(s for s in _strings(json.loads(el.text or "null")) if s.startswith("/"))
    # Paths of this site: "/…", not "//host/…", fragments or other sites.
    return [url for url in found if url.startswith("/") and not url.startswith("//")]


def outside_the_prefix(client, path: str) -> list[str]:
    resp = client.get(path, **PROXY)
    assert resp.status_code == 200, (path, resp.status_code)
    paths = site_paths(resp.content.decode())
    assert paths, path
    return [p for p in paths if not (p == "/sip" or p.startswith("/sip/"))]


def test_public_pages_behind_a_prefix_link_nothing_outside_it(client, demo_data, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    cemetery = Cemetery.objects.order_by("pk").first()
    grave = Grave.objects.filter(section__cemetery=cemetery).order_by("pk").first()
    pages = [
        "/",
        "/nowogrodziec/",
        "/cmentarze/",
        f"/cmentarze/{cemetery.slug}/",
        f"/cmentarze/grob/{grave.pk}/",
        "/statystyki/",
        "/konsultacje/",
        "/budzet/",
        "/offline/",
    ]
    assert {page: outside_the_prefix(client, page) for page in pages} == dict.fromkeys(pages, [])


def test_staff_pages_behind_a_prefix_link_nothing_outside_it(client, demo_data, settings, central_admin):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.force_login(central_admin)
    pages = ["/raporty/", "/rejestry/nowogrodziec/", "/planowanie/", "/zgloszenia/panel/"]
    assert {page: outside_the_prefix(client, page) for page in pages} == dict.fromkeys(pages, [])


def test_the_login_link_returns_to_the_page_under_the_prefix(client, demo_data, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    page = client.get("/nowogrodziec/", **PROXY).content.decode()
    assert 'href="/sip/admin/login/?next=/sip/nowogrodziec/"' in page


def test_without_a_proxy_the_paths_are_plain(client, demo_data):
    page = client.get("/nowogrodziec/").content.decode()
    paths = site_paths(page)
    assert "/" in paths and "/admin/login/?next=/nowogrodziec/" in paths
    assert not [p for p in paths if p.startswith("/sip")]
    assert any(p.startswith("/static/") for p in paths)
