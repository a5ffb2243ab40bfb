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


def test_admin_pages_behind_a_prefix_link_nothing_outside_it(client, demo_data, settings, central_admin):
    # The admin writes most of its links in Python (the app list, the change lists' rows, the
    # related-object widgets), and SIP's admin classes add their own (exports, the layer's WMS
    # preview, the cemetery's import and public page): all of them come from reverse().
    from layers.models import Layer
    from participation.models import Consultation

    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.force_login(central_admin)
    cemetery = Cemetery.objects.order_by("pk").first()
    layer = Layer.objects.order_by("pk").first()
    assert Consultation.objects.exists()
    pages = [
        "/admin/",
        "/admin/sip/parcel/",
        "/admin/cemetery_routing/cemetery/",
        f"/admin/cemetery_routing/cemetery/{cemetery.pk}/change/",
        "/admin/layers/layer/",
        f"/admin/layers/layer/{layer.pk}/change/",
        "/admin/planning/plan/",
        "/admin/participation/consultation/",
        "/admin/incidents/report/",
    ]
    assert {page: outside_the_prefix(client, page) for page in pages} == dict.fromkeys(pages, [])
    # Without the proxy the same pages link plain paths (no prefix left over from the last request).
    page = client.get("/admin/").content.decode()
    assert "/admin/sip/parcel/" in site_paths(page) and not [
        p for p in site_paths(page) if p.startswith("/sip/")
    ]


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


@pytest.fixture
def behind_proxy(settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]


def test_the_admin_login_redirect_and_form_stay_under_the_prefix(client, behind_proxy, central_admin):
    # Django's admin_view redirects with reverse() and the request's own path.
    resp = client.get("/admin/", **PROXY)
    assert resp.status_code == 302 and resp["Location"] == "/sip/admin/login/?next=/admin/"
    page = client.get("/admin/login/?next=/admin/", **PROXY).content.decode()
    form = html.fromstring(page).get_element_by_id("login-form")
    assert form.get("action") == "/sip/admin/login/?next=/admin/"
    assert outside_the_prefix(client, "/admin/login/?next=/admin/") == []
    # The login's redirect to `next`: an inner path is put under the prefix, a path the page
    # wrote under it (the site's login links) is not prefixed twice.
    credentials = {"username": central_admin.username, "password": "haslo-testowe"}
    resp = client.post("/admin/login/", {**credentials, "next": "/admin/"}, **PROXY)
    assert resp.status_code == 302 and resp["Location"] == "/sip/admin/"
    client.logout()
    resp = client.post("/admin/login/", {**credentials, "next": "/sip/nowogrodziec/"}, **PROXY)
    assert resp.status_code == 302 and resp["Location"] == "/sip/nowogrodziec/"


def test_the_admin_redirects_after_saving_stay_under_the_prefix(client, behind_proxy, db):
    from django.contrib.auth.models import Group

    from tests.conftest import make_user

    client.force_login(make_user("nadzorca", None, None, is_superuser=True))
    resp = client.post("/admin/auth/group/add/", {"name": "testowa-rola"}, **PROXY)
    assert resp.status_code == 302 and resp["Location"] == "/sip/admin/auth/group/"
    group = Group.objects.get(name="testowa-rola")
    resp = client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "inna-rola", "_continue": "1"}, **PROXY
    )
    assert resp.status_code == 302 and resp["Location"] == f"/sip/admin/auth/group/{group.pk}/change/"
    client.post("/admin/logout/", **PROXY)
    assert client.get("/admin/auth/group/", **PROXY)["Location"] == (
        "/sip/admin/login/?next=/admin/auth/group/"
    )


def test_the_sites_own_redirects_stay_under_the_prefix(client, behind_proxy, db):
    from sip.models import Gmina
    from tests.conftest import square

    Gmina.objects.create(
        teryt="020105_2",
        name="Osiecznica",
        kind="rural",
        slug="osiecznica",
        boundary=square(245_000, 388_000, 10_000),
    )
    resp = client.get("/rejestry/osiecznica/", **PROXY)
    assert resp.status_code == 302 and resp["Location"].startswith("/sip/admin/login/?next=")
    # Without the proxy (or from an address it does not trust) the paths are plain.
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_PREFIX="/sip")["Location"] == (
        "/admin/login/?next=/admin/"
    )
    page = client.get("/admin/login/").content.decode()
    assert html.fromstring(page).get_element_by_id("login-form").get("action") == "/admin/login/"
