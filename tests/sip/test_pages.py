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
    assert "Geoportal: Nowogrodziec" in page and 'id="map"' in page and "leaflet" in page.lower()
    assert "Szukaj działki lub adresu" in page
    obreby = json.loads(page.split('id="obreby" type="application/json">')[1].split("</script>")[0])
    assert "Gierałtów" in [f["properties"]["name"] for f in obreby["features"]]


def test_unknown_gmina_is_404(client, demo_data):
    assert client.get("/nie-ma-takiej/").status_code == 404


def test_admin_is_in_polish_even_for_an_english_browser(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Zaloguj się" in page and "Log in" not in page


def test_english_on_request(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/admin/login/").content.decode()
    assert "Log in" in page
