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
