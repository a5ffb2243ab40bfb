"""The parcel API: read, search, errors, OpenAPI."""

from urllib.parse import quote

import pytest
from shapely.geometry import shape

from sip.models import AddressPoint, Parcel

pytestmark = pytest.mark.django_db


def url(identifier, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/parcels/{quote(identifier, safe='')}/" + (f"?{query}" if query else "")


def test_parcel_as_geojson_in_wgs84_by_default(client, demo_data):
    parcel = Parcel.objects.filter(identifier__contains="/").order_by("identifier").first()
    resp = client.get(url(parcel.identifier))
    assert resp.status_code == 200
    body = resp.json()
    assert body["type"] == "Feature" and body["properties"]["identifier"] == parcel.identifier
    lon, lat = shape(body["geometry"]).centroid.coords[0]
    assert 15.2 < lon < 15.9 and 51.0 < lat < 51.5
    assert body["properties"]["geometry_area_m2"] == pytest.approx(parcel.geom.area, abs=0.01)
    assert body["properties"]["registered_area_m2"] == pytest.approx(float(parcel.registered_area_m2))


def test_parcel_in_pl1992_matches_stored_geometry(client, demo_data):
    parcel = Parcel.objects.order_by("identifier")[100]
    body = client.get(url(parcel.identifier, srid=2180)).json()
    assert body["crs"]["properties"]["name"].endswith("2180")
    ours = shape(body["geometry"])
    assert ours.area == pytest.approx(parcel.geom.area, rel=1e-6)
    assert ours.centroid.x == pytest.approx(parcel.geom.centroid.x, abs=0.01)


def test_parcel_in_pl2000_zone5(client, demo_data):
    parcel = Parcel.objects.order_by("identifier")[5]
    body = client.get(url(parcel.identifier, srid="EPSG:2176")).json()
    x, _ = shape(body["geometry"]).centroid.coords[0]
    assert 5_500_000 < x < 5_560_000  # west of 15 E would be below 5,500,000


def test_invalid_identifier_is_400_in_polish(client):
    resp = client.get(url("020101_1.1.12"))
    assert resp.status_code == 400
    assert "Nieprawidłowy identyfikator działki" in resp.json()["detail"]


def test_unknown_parcel_is_404(client, demo_data):
    resp = client.get(url("020101_1.0001.999999"))
    assert resp.status_code == 404
    assert "Nie ma działki 020101_1.0001.999999" in resp.json()["detail"]


def test_unsupported_srid_is_400(client, demo_data):
    resp = client.get(url("020101_1.0001.1", srid=31467))
    assert resp.status_code == 400 and "Nieobsługiwany" in resp.json()["detail"]


def test_search_by_identifier_prefix(client, demo_data):
    resp = client.get("/api/parcels/", {"q": "020104_3.0002.1"})
    ids = [f["properties"]["identifier"] for f in resp.json()["features"]]
    assert ids and all(i.startswith("020104_3.0002.1") for i in ids)
    assert len(ids) <= 20


def test_search_by_address_without_diacritics(client, demo_data):
    address = AddressPoint.objects.filter(street__name="ul. Łukasiewicza").order_by("id").first()
    resp = client.get("/api/parcels/", {"q": f"lukasiewicza {address.house_number}", "gmina": "020101_1"})
    features = resp.json()["features"]
    assert features, "the address should be found without Polish letters"
    hit = next(
        f
        for f in features
        if f["properties"]["match"].startswith(f"ul. Łukasiewicza {address.house_number},")
    )
    parcel = Parcel.objects.get(identifier=hit["properties"]["identifier"])
    assert parcel.geom.contains(address.geom)


def test_search_by_number_and_obreb_name(client, demo_data):
    parcel = Parcel.objects.get(identifier="020102_2.0007.12")
    resp = client.get("/api/parcels/", {"q": f"12 {parcel.obreb.name}"})
    ids = [f["properties"]["identifier"] for f in resp.json()["features"]]
    assert "020102_2.0007.12" in ids


def test_search_needs_a_query(client):
    resp = client.get("/api/parcels/", {"q": "a"})
    assert resp.status_code == 400 and "od 2 do 100 znaków" in resp.json()["detail"]


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/parcels/{identifier}/" in schema["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and b"cdn.jsdelivr" not in docs.content
