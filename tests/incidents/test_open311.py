"""Open311 GeoReport v2: discovery, services, definitions, requests GET/POST in XML and JSON,
checked against the spec's field lists; jurisdiction, api_key and error format; privacy."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from lxml import etree

from incidents import services
from incidents.models import Open311Key, Report, StatusChange

from .conftest import pt, wgs

BASE = "/open311/v2/"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def xml(resp):
    assert resp["Content-Type"].startswith("text/xml"), resp["Content-Type"]
    assert resp.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(resp.content)


@pytest.fixture
def api_key(world):
    out = StringIO()
    call_command("open311_key", "Aplikacja testowa", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    row = Open311Key.objects.get(name="Aplikacja testowa")
    assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64  # only the hash is kept
    return key


@pytest.fixture
def reported(world):
    r = services.create_report(
        point=pt(100, 1_010),
        category=world.pothole,
        description="Dziura przy przejściu",
        reporter_name="Jan Tajny",
        reporter_email="tajny@example.org",
        reporter_phone="600999888",
        address="ul. Powiatowa 5",
    ).report
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("o311-admin", "a@example.org", "x" * 16)
    services.change_status(
        actor=admin,
        report=r,
        status="w_realizacji",
        public_note="Łatanie w piątek.",
        internal_note="TAJNE-WEWN",
    )
    return r


def test_discovery(client, world):
    d = client.get(BASE + "discovery.json").json()
    endpoint = d["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and "text/xml" in endpoint["formats"]
    root = xml(client.get(BASE + "discovery.xml"))
    assert root.tag == "discovery" and root.findtext("endpoints/endpoint/formats/format") == "text/xml"


def test_discovery_behind_a_proxy_names_the_root_under_its_prefix(client, world, settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "gmina.example"]
    proxy = {
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_X_FORWARDED_PREFIX": "/sip",
        "HTTP_X_FORWARDED_HOST": "gmina.example",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    for path in (BASE + "discovery.json", BASE):
        resp = client.get(path, **proxy)
        assert resp.status_code == 200
        if path.endswith(".json"):
            url = resp.json()["endpoints"][0]["url"]
        else:
            url = xml(resp).findtext("endpoints/endpoint/url")
        assert url == "https://gmina.example/sip/open311/v2/", path
    # Without the proxy: the root where the request came.
    assert (
        client.get(BASE + "discovery.json").json()["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    )


def test_jurisdiction_missing_400_unknown_404_in_spec_format(client, world):
    r = client.get(BASE + "services.json")
    assert r.status_code == 400
    [err] = r.json()
    assert err["code"] == 400 and "jurisdiction_id" in err["description"]
    r = client.get(BASE + "services.xml", {"jurisdiction_id": "999999_9"})
    assert r.status_code == 404
    root = xml(r)
    assert (
        root.tag == "errors" and root.findtext("error/code") == "404" and root.findtext("error/description")
    )


def test_services_and_definition_json_and_xml(client, world):
    services_json = client.get(BASE + "services.json", {"jurisdiction_id": "069901_1"}).json()
    codes = {s["service_code"] for s in services_json}
    assert {"t-dziura", "t-gaz"} <= codes
    for s in services_json:
        assert set(s) == SERVICE_FIELDS and s["type"] in ("realtime", "batch", "blackbox")
    root = xml(client.get(BASE + "services.xml", {"jurisdiction_id": "069901_1"}))
    assert root.tag == "services" and {e.findtext("service_code") for e in root.findall("service")} == codes
    d = client.get(BASE + "services/t-dziura.json", {"jurisdiction_id": "069901_1"}).json()
    assert d["service_code"] == "t-dziura"
    for a in d["attributes"]:
        assert set(a) == ATTRIBUTE_FIELDS and a["datatype"] in DATATYPES
    root = xml(client.get(BASE + "services/t-dziura.xml", {"jurisdiction_id": "069901_1"}))
    values = root.findall("attributes/attribute/values/value")
    assert {v.findtext("key") for v in values} == {"public", "private"}
    assert client.get(BASE + "services/nie-ma.json", {"jurisdiction_id": "069901_1"}).status_code == 404


def test_requests_get_fields_status_and_privacy(client, world, reported):
    params = {"jurisdiction_id": "069901_1"}
    items = client.get(BASE + "requests.json", params).json()
    [item] = [i for i in items if i["service_request_id"] == reported.number.replace("/", "-")]
    assert set(item) == REQUEST_FIELDS
    assert item["status"] == "open" and item["status_notes"].startswith("w realizacji")
    assert "Łatanie w piątek." in item["status_notes"]
    assert item["agency_responsible"] == "Powiatowy Zarząd Dróg"
    assert "powiatowej" in item["service_notice"]
    assert item["requested_datetime"][-6] in "+-" and "T" in item["requested_datetime"]
    lat, lon = wgs(100, 1_010)
    assert abs(item["lat"] - lat) < 1e-6 and abs(item["long"] - lon) < 1e-6
    for fmt in ("json", "xml"):
        for url in (f"requests.{fmt}", f"requests/{item['service_request_id']}.{fmt}"):
            text = client.get(BASE + url, params).content.decode()
            for secret in ("Jan Tajny", "tajny@example.org", "600999888", "TAJNE-WEWN"):
                assert secret not in text, (url, secret)
    root = xml(client.get(BASE + f"requests/{item['service_request_id']}.xml", params))
    assert root.tag == "service_requests"
    assert {c.tag for c in root.find("request")} == REQUEST_FIELDS
    # Filters: status, service_code, dates, ids; another gmina's jurisdiction does not see it.
    assert client.get(BASE + "requests.json", {**params, "status": "closed"}).json() == []
    assert len(client.get(BASE + "requests.json", {**params, "service_code": "t-dziura"}).json()) == 1
    assert client.get(BASE + "requests.json", {**params, "start_date": "2999-01-01T00:00:00Z"}).json() == []
    assert client.get(BASE + "requests.json", {**params, "start_date": "wczoraj"}).status_code == 400
    assert client.get(BASE + "requests.json", {**params, "status": "zamkniete"}).status_code == 400
    assert client.get(BASE + "requests.json", {"jurisdiction_id": "069902_2"}).json() == []
    assert (
        client.get(
            BASE + f"requests/{item['service_request_id']}.json", {"jurisdiction_id": "069902_2"}
        ).status_code
        == 404
    )


def test_post_needs_a_valid_key_and_is_idempotent(client, world, api_key):
    lat, lon = wgs(100, 505)
    data = {
        "jurisdiction_id": "069901_1",
        "api_key": api_key,
        "service_code": "t-dziura",
        "lat": lat,
        "long": lon,
        "description": "Dziura",
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": "anna@example.org",
        "attribute[place_kind]": "public",
        "client_request_id": "app-42",
    }
    r = client.post(BASE + "requests.json", data)
    assert r.status_code == 201, r.content
    [answer] = r.json()
    assert answer["service_request_id"].startswith("ZG-") and "obsługuje" in answer["service_notice"]
    again = client.post(BASE + "requests.xml", data)
    assert again.status_code == 200
    assert xml(again).findtext("request/service_request_id") == answer["service_request_id"]
    report = Report.objects.get(number=answer["service_request_id"].replace("-", "/"))
    assert report.reporter_name == "Anna Nowak" and report.source == "open311"
    assert "teren publiczny" in report.description
    for bad_key in ("", "o311_nieprawidlowy"):
        r = client.post(BASE + "requests.json", {**data, "api_key": bad_key, "client_request_id": "x"})
        assert r.status_code == 403 and r.json()[0]["code"] == 403
    assert Report.objects.filter(gmina=world.a).count() == 1


def test_post_errors_never_500(client, world, api_key):
    lat, lon = wgs(100, 505)
    ok = {
        "jurisdiction_id": "069901_1",
        "api_key": api_key,
        "service_code": "t-dziura",
        "lat": lat,
        "long": lon,
    }
    for change, status in [
        ({"jurisdiction_id": ""}, 400),
        ({"jurisdiction_id": "000000_0"}, 404),
        ({"service_code": ""}, 400),
        ({"service_code": "nie-ma"}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"lat": "nan"}, 400),
        ({"lat": "1e400"}, 400),
        ({"lat": 10.0, "long": 10.0}, 400),
        ({"description": "x" * 4001}, 400),
        ({"description": "a\x00b"}, 400),
        ({"attribute[place_kind]": "kosmos"}, 400),
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"address_string": "Nieistniejąca 999", "lat": "", "long": ""}, 400),
    ]:
        for fmt in ("json", "xml"):
            r = client.post(BASE + f"requests.{fmt}", {**ok, **change})
            assert r.status_code == status, (change, r.content)
    lat_b, lon_b = wgs(4_500, 505)
    r = client.post(BASE + "requests.json", {**ok, "lat": lat_b, "long": lon_b})
    assert r.status_code == 400 and "jurisdiction_id" in r.json()[0]["description"]
    assert client.delete(BASE + "requests.json").status_code == 405
    assert not Report.objects.filter(gmina__in=[world.a, world.b]).exists()
    assert not StatusChange.objects.filter(report__gmina=world.a).exists()


def test_post_outside_competence_answers_a_notice(client, world, api_key):
    lat, lon = wgs(100, 505)
    r = client.post(
        BASE + "requests.json",
        {"jurisdiction_id": "069901_1", "api_key": api_key, "service_code": "t-gaz", "lat": lat, "long": lon},
    )
    assert r.status_code == 200
    [answer] = r.json()
    assert "992" in answer["service_notice"] and "service_request_id" not in answer
    assert json.dumps(answer)
    assert not Report.objects.filter(gmina=world.a).exists()


def test_post_answers_a_token_and_tokens_give_the_request_id(client, world, api_key):
    """GeoReport v2 "GET service_request_id from a token": tokens/<token>.{json,xml}."""
    lat, lon = wgs(100, 505)
    data = {
        "jurisdiction_id": "069901_1",
        "api_key": api_key,
        "service_code": "t-dziura",
        "lat": lat,
        "long": lon,
        "description": "Dziura",
        "client_request_id": "app-tokens",
    }
    r = client.post(BASE + "requests.xml", data)
    assert r.status_code == 201, r.content
    request_xml = xml(r).find("request")
    service_request_id, token = request_xml.findtext("service_request_id"), request_xml.findtext("token")
    report = Report.objects.get(number=service_request_id.replace("-", "/"))
    assert token == report.token
    params = {"jurisdiction_id": "069901_1"}
    r = client.get(BASE + f"tokens/{token}.json", params)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert r.json() == [{"service_request_id": service_request_id, "token": token}]
    root = xml(client.get(BASE + f"tokens/{token}.xml", params))
    assert root.tag == "service_requests"
    assert [(c.tag, c.text) for c in root.find("request")] == [
        ("service_request_id", service_request_id),
        ("token", token),
    ]
    # The same POST again (retried by the same app) answers the same id and token.
    [again] = client.post(BASE + "requests.json", data).json()
    assert again["service_request_id"] == service_request_id and again["token"] == token
    # Another app that sends the same client_request_id learns nothing of the report: refused.
    out = StringIO()
    call_command("open311_key", "Inna aplikacja", stdout=out)
    other_key = out.getvalue().strip().splitlines()[-1]
    r = client.post(BASE + "requests.json", {**data, "api_key": other_key})
    assert r.status_code == 400 and "client_request_id" in r.json()[0]["description"]
    assert service_request_id not in r.content.decode() and token not in r.content.decode()
    # Unknown token, another gmina's jurisdiction, no jurisdiction: the spec's errors.
    for fmt in ("json", "xml"):
        r = client.get(BASE + f"tokens/nie-ma-takiego-tokenu.{fmt}", params)
        assert r.status_code == 404
        if fmt == "json":
            [err] = r.json()
            assert err["code"] == 404 and "token" in err["description"]
        else:
            root = xml(r)
            assert root.tag == "errors" and root.findtext("error/code") == "404"
        assert client.get(BASE + f"tokens/{token}.{fmt}", {"jurisdiction_id": "069902_2"}).status_code == 404
        assert client.get(BASE + f"tokens/{token}.{fmt}").status_code == 400
    assert client.post(BASE + f"tokens/{token}.json", params).status_code == 405
    assert client.get(BASE + "tokens/" + "a" * 65 + ".json", params).status_code == 404
