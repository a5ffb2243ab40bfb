"""The REST API's contract as outside clients meet it: every bad request is a 4xx with a reason
in JSON {"detail": ...} (never a 500), writes are refused to strangers before their body is
read, lists say how many match and link the next page, ids in a list are that list's ids."""

import json
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from cemetery_routing.models import Burial, Grave
from inventory.models import Tree
from planning.models import ExtractCase
from sip.models import Parcel

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> APIClient:
    client = APIClient()
    assert client.login(username=username, password="sip-demo")
    return client


def assert_refused(resp, status: int = 400) -> str:
    assert resp.status_code == status, resp.content[:300]
    assert resp["Content-Type"].startswith("application/json")
    detail = resp.json()["detail"]
    assert detail
    return json.dumps(detail, ensure_ascii=False)


# --- issue 13 item 10: inputs that were answered with a 500 -----------------------------------


@pytest.mark.parametrize("path", ["/api/cemetery/graves/", "/api/cemetery/burials/"])
def test_a_search_text_of_256_letters_is_refused(client, demo_data, path):
    assert "100" in assert_refused(client.get(path, {"q": "a" * 256}))


@pytest.mark.parametrize(
    "path",
    [
        "/api/cemetery/graves/999999999999999999999999999999/route/",
        "/api/cemetery/graves/999999999999999999999999999999/",
        "/api/inventory/trees/999999999999999999999999999999/",
        "/api/cemetery/graves/-1/route/",
    ],
)
def test_ids_beyond_any_database_key_are_not_found(client, demo_data, path):
    assert_refused(client.get(path), 404)


def test_an_extract_for_a_day_that_does_not_exist_is_refused(demo_data):
    parcel = Parcel.objects.filter(gmina__slug="boleslawiec").order_by("id").first()
    resp = signed_in("planista-boleslawiec").post(
        "/api/planning/extracts/",
        {"parcels": [parcel.identifier], "kind": "wypis", "application_date": "2020-02-30"},
        format="json",
    )
    assert "Nieprawidłowa data wniosku" in assert_refused(resp)
    assert not ExtractCase.objects.filter(application_date__year=2020).exists()


def test_an_extract_with_a_nul_in_the_name_is_refused(demo_data):
    parcel = Parcel.objects.filter(gmina__slug="boleslawiec").order_by("id").first()
    cases = ExtractCase.objects.count()
    resp = signed_in("planista-boleslawiec").post(
        "/api/planning/extracts/",
        {"parcels": [parcel.identifier], "kind": "wypis", "applicant": "Jan\x00Kowalski"},
        format="json",
    )
    assert "NUL" in assert_refused(resp)
    assert ExtractCase.objects.count() == cases


@pytest.fixture
def tree_url(demo_data):
    tree = Tree.objects.filter(gmina__slug="boleslawiec").order_by("id").first()
    return f"/api/inventory/trees/{tree.pk}/", tree


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"geometry": {"type": "Point", "coordinates": [1e308, 1e308]}}', "Polski"),
        ('{"geometry": {"type": "Point", "coordinates": [1e400, 0]}}', "skończone"),
        ("[" * 100_000, "zagnieżdżona"),
        ('{"properties": {"notes": "\\ud800"}}', "surogat"),
        ('{"properties": {"notes": "a\\u0000b"}}', "NUL"),
    ],
)
def test_register_patches_that_cannot_be_stored_are_refused(tree_url, body, reason):
    url, tree = tree_url
    resp = signed_in("redaktor-boleslawiec").patch(url, body, content_type="application/json")
    assert reason in assert_refused(resp)
    assert Tree.objects.get(pk=tree.pk).geom == tree.geom


def test_bodies_in_other_formats_than_json_are_refused(tree_url):
    url, _ = tree_url
    resp = signed_in("redaktor-boleslawiec").patch(
        url, "notes=x", content_type="application/x-www-form-urlencoded"
    )
    assert_refused(resp, 415)


# --- authenticate and authorise before reading the body ------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/planning/extracts/"),
        ("post", "/api/inventory/trees/"),
        ("patch", "/api/inventory/trees/1/"),
        ("patch", "/api/parcels/020101_1.0001.1/"),
    ],
)
@pytest.mark.parametrize("body", ['{"parcels": 5}', "{not json", "[" * 5000])
def test_an_anonymous_write_is_refused_before_its_body_is_read(client, demo_data, method, path, body):
    resp = getattr(client, method)(path, body, content_type="application/json")
    assert "zalogowania" in assert_refused(resp, 403)


def test_a_role_without_the_right_is_refused_before_its_body_is_read(demo_data):
    viewer = signed_in("przegladajacy-boleslawiec")
    resp = viewer.post("/api/planning/extracts/", "{not json", content_type="application/json")
    assert "rola" in assert_refused(resp, 403)
    resp = viewer.post("/api/inventory/trees/", {"properties": 5}, format="json")
    assert "rola" in assert_refused(resp, 403)


# --- lists: totals, next and previous pages; ids of the list's own resource -----------------


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_burial_search_counts_every_match_and_pages_through_them(client, demo_data):
    first = client.get("/api/cemetery/burials/", {"q": "Nowak", "limit": 20}).json()
    expected = Burial.objects.filter(is_public=True, surname__iexact="Nowak").count()
    assert first["numberMatched"] >= expected > 20 and first["numberReturned"] == 20
    links = {link["rel"]: link["href"] for link in first["links"]}
    assert "prev" not in links
    second = client.get(_path(links["next"])).json()
    assert second["numberReturned"] == 20 and {link["rel"] for link in second["links"]} == {"next", "prev"}
    ids = [f["id"] for f in first["features"] + second["features"]]
    assert len(set(ids)) == 40
    for feature in first["features"][:3]:
        burial = Burial.objects.get(pk=feature["id"])
        assert feature["properties"]["full_name"] == burial.full_name
        assert feature["properties"]["grave"]["id"] == burial.grave_id
        assert feature["properties"]["grave"]["url"] == f"/api/cemetery/graves/{burial.grave_id}/"
    last_offset = first["numberMatched"] - 5
    last = client.get("/api/cemetery/burials/", {"q": "Nowak", "offset": last_offset}).json()
    assert last["numberReturned"] == 5 and {link["rel"] for link in last["links"]} == {"prev"}


def test_grave_search_answers_graves_with_their_matching_burials(client, demo_data):
    body = client.get("/api/cemetery/graves/", {"q": "Nowak", "limit": 10}).json()
    graves_with_nowak = (
        Grave.objects.filter(burials__is_public=True, burials__surname__iexact="Nowak").distinct().count()
    )
    assert body["numberMatched"] >= graves_with_nowak > 10
    assert any(link["rel"] == "next" for link in body["links"])
    for feature in body["features"]:
        grave = client.get(f"/api/cemetery/graves/{feature['id']}/").json()
        assert grave["id"] == feature["id"]
        public = {b["id"] for b in grave["properties"]["burials"]}
        matching = {b["id"] for b in feature["properties"]["burials"]}
        assert matching and matching <= public
        assert any("nowak" in b["full_name"].lower() for b in feature["properties"]["burials"])


def test_parcel_search_counts_and_pages(client, demo_data):
    body = client.get("/api/parcels/", {"q": "020101_1.0001.1", "limit": 5}).json()
    total = Parcel.objects.filter(identifier__startswith="020101_1.0001.1").count()
    assert body["numberMatched"] == total > 5 and body["numberReturned"] == 5
    nxt = next(link["href"] for link in body["links"] if link["rel"] == "next")
    page2 = client.get(_path(nxt)).json()
    assert not {f["id"] for f in body["features"]} & {f["id"] for f in page2["features"]}


def test_geoportal_search_counts_and_pages(client, demo_data):
    body = client.get(
        "/api/geoportal/search/", {"q": "020101_1.0001.1", "gmina": "boleslawiec", "limit": 3}
    ).json()
    assert body["count"] > 3 and len(body["results"]) == 3 and body["previous"] is None
    page2 = client.get(_path(body["next"])).json()
    assert page2["previous"] and page2["results"][0] != body["results"][0]


def test_register_list_links_the_next_page(client, demo_data):
    body = client.get("/api/inventory/trees/", {"gmina": "020101_1", "limit": 2}).json()
    assert body["numberMatched"] > 2 and body["numberReturned"] == 2
    assert [link["rel"] for link in body["links"]] == ["next"]


def test_cemetery_list_is_counted_and_keeps_its_old_key(client, demo_data):
    body = client.get("/api/cemetery/cemeteries/").json()
    assert body["count"] == len(body["results"]) == len(body["cemeteries"]) > 1


# --- odds and ends --------------------------------------------------------------------------


def test_unknown_api_paths_answer_json(client, db):
    assert_refused(client.get("/api/nie-ma-takiego/"), 404)


def test_favicon(client, db):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/x-icon"
    assert b"".join(resp.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page


# Bodies with files (a resident's report with photos) come as multipart/form-data as well.
MULTIPART = {"/api/incidents/reports/": {"multipart/form-data"}}


def test_schema_documents_bodies_and_errors(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert "400" in codes, (method, path)
            for code, response in op["responses"].items():
                if code != "204" and not code.startswith("2") or code in ("200", "201"):
                    assert response.get("content"), (method, path, code)
            if method in ("post", "patch"):
                bodies = {"application/json"} | MULTIPART.get(path, set())
                assert "403" in codes and op["requestBody"]["content"].keys() == bodies
    assert "/api/cemetery/burials/" in schema["paths"]


def test_a_nul_in_credentials_or_cookies_is_refused_not_a_500(client, demo_data):
    import base64

    credentials = base64.b64encode(b"redaktor\x00:sip-demo").decode()
    resp = client.get("/api/cemetery/cemeteries/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert_refused(resp, 403)
    client.cookies["sessionid"] = "abc\x00defghijk"
    assert client.get("/api/cemetery/cemeteries/").status_code == 200
