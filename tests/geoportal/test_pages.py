"""The public pages served by the core: the list of gminas and a gmina's page."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_the_partner_gminas(client, demo_data):
    page = client.get("/").content.decode()
    for slug, name in (("boleslawiec", "Bolesławiec"), ("nowogrodziec", "Nowogrodziec")):
        assert f'href="/{slug}/"' in page and name in page
    assert "gmina miejsko-wiejska" in page and 'lang="pl"' in page


def test_gmina_page_has_its_map_and_search(client, demo_data):
    resp = client.get("/nowogrodziec/")
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "Geoportal: Nowogrodziec" in page and 'id="map"' in page and "leaflet.js" in page
    assert "Szukaj: działka, adres, grób, obiekt" in page and 'role="combobox"' in page
    raw = page.split('id="portal-config" type="application/json">')[1].split("</script>")[0]
    config = json.loads(raw)
    (south, west), (north, east) = config["gmina"]["bounds"]
    assert 51.0 < south < north < 51.4 and 15.2 < west < east < 15.6
    assert config["boundary"]["type"] == "MultiPolygon"


def test_gmina_page_in_english(client, demo_data):
    client.cookies["django_language"] = "en"
    page = client.get("/nowogrodziec/").content.decode()
    assert "Search: parcel, address, grave, object" in page and 'lang="en"' in page


def test_unknown_gmina_is_404(client, demo_data):
    assert client.get("/nie-ma-takiej/").status_code == 404


def test_admin_is_in_polish_even_for_an_english_browser(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Zaloguj się" in page and "Log in" not in page


def test_english_on_request(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/admin/login/").content.decode()
    assert "Log in" in page


def test_the_portal_switches_language_with_its_switch(client, demo_data):
    """The header's switch posts to Django's set_language; the portal then shows the English
    texts of locale/en, and Polish again after switching back."""
    page = client.get("/nowogrodziec/").content.decode()
    assert 'lang="pl"' in page and "<summary>Warstwy</summary>" in page
    assert 'action="/i18n/setlang/"' in page and 'value="en" lang="en" type="submit">English<' in page

    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/nowogrodziec/"})
    assert resp.status_code == 302 and resp["Location"] == "/nowogrodziec/"
    resp = client.get("/nowogrodziec/")
    page = resp.content.decode()
    assert resp["Content-Language"] == "en" and 'lang="en"' in page
    assert "<summary>Layers</summary>" in page and "Warstwy" not in page
    assert 'aria-label="Map of Nowogrodziec"' in page and "Cemeteries – grave search" in page
    assert "(urban-rural municipality)" in page
    assert 'value="pl" lang="pl" type="submit">Polski<' in page
    raw = page.split('id="portal-config" type="application/json">')[1].split("</script>")[0]
    base_titles = {layer["name"]: layer["title"] for layer in json.loads(raw)["base_layers"]}
    assert base_titles["dzialki"] == "Cadastral parcels"  # the layer's English title
    assert "Partner municipalities" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "pl", "next": "/nowogrodziec/"})
    page = client.get("/nowogrodziec/").content.decode()
    assert "<summary>Warstwy</summary>" in page and "(gmina miejsko-wiejska)" in page


def test_the_scripts_texts_come_from_the_javascript_catalogue(client):
    page_polish = client.get("/jsi18n/").content.decode()
    client.cookies["django_language"] = "en"
    page_english = client.get("/jsi18n/").content.decode()
    assert '"Przezroczysto\\u015b\\u0107": "Opacity"' in page_english
    assert "Opacity" not in page_polish


def test_an_unknown_language_cookie_means_polish(client):
    client.cookies["django_language"] = "xx-hostile"
    resp = client.get("/admin/login/")
    assert resp["Content-Language"] == "pl" and "Zaloguj się" in resp.content.decode()
    assert "Accept-Language" not in resp.get("Vary", "")


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("pl", {1: "1 działka", 3: "3 działki", 5: "5 działek", 12: "12 działek", 22: "22 działki"}),
        ("en", {1: "1 parcel", 3: "3 parcels", 5: "5 parcels", 22: "22 parcels"}),
    ],
)
def test_parcel_counts_follow_the_plural_rules_of_the_language(language, counts):
    from django.template import Context, Template
    from django.utils import translation

    # The same msgid as the list of gminas on the home page.
    template = Template(
        "{% load i18n %}{% blocktranslate count parcels=n %}{{ parcels }} działka{% plural %}"
        "{{ parcels }} działek{% endblocktranslate %}"
    )
    with translation.override(language):
        assert {n: template.render(Context({"n": n})) for n in counts} == counts
