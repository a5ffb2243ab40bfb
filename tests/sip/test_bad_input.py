"""Plausible bad input on public endpoints gets a 4xx with a Polish reason, never a 500."""

import json
from urllib.parse import quote

import pytest
from django.core.cache import cache

from sip.models import Parcel

pytestmark = pytest.mark.django_db


def test_nul_characters_are_refused(client, demo_data):
    for url in (
        "/api/geoportal/search/?gmina=%00&q=ab",
        "/api/parcels/?q=%00%00",
        "/verify/%00",
        "/boleslawiec/?x=%00",
    ):
        resp = client.get(url)
        assert resp.status_code == 400, url


def test_search_text_is_bounded(client, demo_data):
    long_query = "ulica " * 40
    assert client.get("/api/parcels/", {"q": long_query}).status_code == 400
    resp = client.get("/api/geoportal/search/", {"q": long_query, "gmina": "boleslawiec"})
    assert resp.status_code == 400 and "od 2 do 100 znaków" in resp.json()["detail"]


@pytest.mark.parametrize("centre", ["15.5,95", "1e300,1e300", "inf,0", "nan,nan", "51.26,15.57"])
def test_print_centre_out_of_range(client, demo_data, centre):
    cache.clear()
    resp = client.get("/api/geoportal/print/", {"gmina": "boleslawiec", "center": centre})
    assert resp.status_code == 400
    assert "Środek wydruku" in resp.json()["detail"] or "poza gminą" in resp.json()["detail"]


def test_prints_are_throttled(client, demo_data):
    cache.clear()
    codes = [
        client.get("/api/geoportal/print/", {"gmina": "boleslawiec", "center": "x"}).status_code
        for _ in range(21)
    ]
    assert codes[:20] == [400] * 20 and codes[20] == 429
    cache.clear()


@pytest.mark.parametrize("bbox", ["-200,-100,200,100", "nan,nan,1,1", "-180,-90,180,90", "1e300,1,2e300,2"])
def test_register_bbox_out_of_range(client, demo_data, bbox):
    resp = client.get("/api/inventory/trees/", {"bbox": bbox, "bbox_srid": 4326})
    assert resp.status_code == 400 and "bbox" in resp.json()["detail"]


def test_route_from_out_of_range(client, demo_data):
    from cemetery_routing.models import Grave

    grave = Grave.objects.filter(cemetery__gmina__slug="boleslawiec").order_by("id").first()
    for params in ({"from": "1e300,1e300", "from_srid": "2176"}, {"from": "inf,0"}):
        resp = client.get(f"/api/cemetery/graves/{grave.pk}/route/", params)
        assert resp.status_code == 400, (params, resp.content[:200])


def test_broken_geojson_from_an_anonymous_caller_is_refused_before_parsing(client, demo_data):
    parcel = Parcel.objects.order_by("id").first()
    resp = client.patch(
        f"/api/parcels/{quote(parcel.identifier, safe='')}/",
        json.dumps({"geometry": {"type": "Polygon"}}),
        content_type="application/json",
    )
    assert resp.status_code == 403


def test_broken_geojson_from_an_editor_is_400(client, demo_data):
    client.login(username="redaktor-boleslawiec", password="sip-demo")
    parcel = Parcel.objects.filter(gmina__slug="boleslawiec").order_by("id").first()
    resp = client.patch(
        f"/api/parcels/{quote(parcel.identifier, safe='')}/",
        json.dumps({"geometry": {"type": "Polygon"}}),
        content_type="application/json",
    )
    assert resp.status_code == 400 and "GeoJSON" in resp.json()["detail"]


@pytest.mark.parametrize("number", ["²", "١٢", "9" * 5000, "2180²"])
def test_numbers_in_odd_digits_or_too_long_are_refused(client, demo_data, number):
    """str.isdigit() takes "²" (int() refuses it) and int() refuses 5,000 digits: a 400, not a 500."""
    resp = client.get("/api/inventory/trees/", {"srid": number})
    assert resp.status_code == 400 and "układ współrzędnych" in resp.json()["detail"]
    resp = client.get("/api/inventory/trees/", {"species": number})
    assert resp.status_code in (200, 400), resp.content[:300]


def test_register_of_extracts_ignores_a_year_in_odd_digits(client, demo_data):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="planista-boleslawiec"))
    for year in ("²⁰²⁶", "9" * 5000):
        assert client.get("/planowanie/", {"rok": year}).status_code == 200
