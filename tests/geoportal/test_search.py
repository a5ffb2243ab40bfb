"""The geoportal's one search box: parcels by number with obręb, identifiers, addresses."""

import pytest

from sip.models import AddressPoint, Parcel

pytestmark = pytest.mark.django_db


def search(client, q, gmina="gmina-boleslawiec"):
    resp = client.get("/api/geoportal/search/", {"q": q, "gmina": gmina})
    assert resp.status_code == 200, resp.content
    return resp.json()["results"]


def test_number_with_obreb_name_without_diacritics(client, demo_data):
    parcel = Parcel.objects.get(identifier="020102_2.0008.15")
    name = parcel.obreb.name.replace("ł", "l").replace("ż", "z").replace("ą", "a").replace("ó", "o")
    results = search(client, f"15 {name.lower()}")
    assert results[0]["kind"] == "parcel" and results[0]["identifier"] == parcel.identifier
    assert results[0]["label"] == f"Działka 15, obręb {parcel.obreb.name}"


def test_identifier_prefix_stays_in_the_gmina(client, demo_data):
    results = search(client, "020102_2.0003.4", gmina="gmina-boleslawiec")
    assert results and all(r["identifier"].startswith("020102_2.0003.4") for r in results)
    assert search(client, "020102_2.0003.4", gmina="nowogrodziec") == []


def test_address_result_is_a_point_at_the_address(client, demo_data):
    address = AddressPoint.objects.filter(gmina__slug="boleslawiec", street__name="ul. Garncarska").first()
    results = search(client, f"garncarska {address.house_number}", gmina="boleslawiec")
    hit = next(r for r in results if r["kind"] == "address" and r["label"] == address.label)
    lon, lat = hit["geometry"]["coordinates"]
    point = address.geom.transform(4326, clone=True)
    assert (lon, lat) == pytest.approx((point.x, point.y), abs=1e-6)


def test_bad_queries(client, demo_data):
    assert client.get("/api/geoportal/search/", {"q": "x", "gmina": "boleslawiec"}).status_code == 400
    assert client.get("/api/geoportal/search/", {"q": "xyz", "gmina": "nie-ma"}).status_code == 404


def test_register_objects_by_their_number(client, demo_data):
    results = search(client, "D-0000", gmina="boleslawiec")
    trees = [r for r in results if r["kind"] == "register"]
    assert trees and all(r["label"].startswith("Drzewo D-0000") for r in trees)
    assert trees[0]["geometry"]["type"] == "Point"


def test_internal_registers_are_not_searchable_by_residents(client, demo_data):
    from inventory.models import LightingLine

    line = LightingLine.objects.filter(gmina__slug="boleslawiec").exclude(external_id="").first()
    assert not [r for r in search(client, line.external_id, gmina="boleslawiec") if r["kind"] == "register"]
    client.login(username="redaktor-boleslawiec", password="sip-demo")
    found = [r for r in search(client, line.external_id, gmina="boleslawiec") if r["kind"] == "register"]
    assert found and line.external_id in found[0]["label"]


def test_search_queries_do_not_grow_with_the_gminas(client, demo_data):
    """A gmina's search box reads that gmina: adding gminas to the region adds no query and no
    query over every gmina (the register provider used to ask each gmina whether its register
    is public, to read the items' references that a result does not show)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import GminaFactory

    def queries(q):
        with CaptureQueriesContext(connection) as ctx:
            results = search(client, q, gmina="boleslawiec")
        return [c["sql"] for c in ctx.captured_queries], results

    wanted = ("Garncarska 12", "S-0001", "15 Kruszyn")
    for q in wanted:  # what the process reads once and then keeps is read before counting
        queries(q)
    before = {q: queries(q) for q in wanted}
    GminaFactory.create_batch(5)
    for q, (sqls, results) in before.items():
        again, same = queries(q)
        assert len(again) == len(sqls) and same == results, q
        over_all = [s for s in again if 'FROM "sip_gmina"' in s and "WHERE" not in s]
        assert not over_all, over_all
    assert any(r["kind"] == "register" for r in before["S-0001"][1])
    assert any(r["kind"] == "address" for r in before["Garncarska 12"][1])
