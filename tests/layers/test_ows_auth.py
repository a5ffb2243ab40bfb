"""Logins on /ows/: lockout after failed passwords and tokens, the Basic cache after a password
change, token expiry and last use, and tokens kept out of every link SIP builds."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from layers.models import AccessToken
from layers.services import create_access_token
from sip.models import AuditLog

WMS_CAPS = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"}
WFS_CAPS = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities"}


def basic(username: str, password: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def text(response) -> str:
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode()


def exception_report(response) -> etree._Element:
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname in ("ServiceExceptionReport", "ExceptionReport"), response.content[
        :300
    ]
    return root


@pytest.fixture
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_wrong_passwords_lock_out_basic_on_wms_with_an_ogc_report(client, editor, small_limit):
    for _ in range(2):
        assert client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "zle-haslo")).status_code == 401
    third = client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "zle-haslo"))
    assert third.status_code == 429
    # Now even the right password is refused, as an OGC exception report in Polish.
    right = client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "haslo-testowe"))
    assert right.status_code == 429 and right["Retry-After"] == "900"
    assert right["Content-Type"].startswith("text/xml")
    assert "Zbyt wiele nieudanych prób logowania" in exception_report(right).findtext(
        ".//{*}ServiceException"
    )
    wfs = client.get("/ows/wfs", WFS_CAPS, **basic(editor.username, "haslo-testowe"))
    assert wfs.status_code == 429 and b"Zbyt wiele" in wfs.content
    assert etree.QName(exception_report(wfs)).localname == "ExceptionReport"
    # Another account from the same address is not locked (failures count per name and address).
    other = client.get("/ows/wms", WMS_CAPS, **basic("nikt-taki", "zle"))
    assert other.status_code == 401

    entries = AuditLog.objects.filter(action=AuditLog.Action.FAILED_LOGIN, object_id=str(editor.pk))
    assert entries.count() == 5  # three wrong passwords, then the right one twice while locked
    assert {e.changes["path"] for e in entries} == {"/ows/wms", "/ows/wfs"}
    assert all(e.changes["ip"] == "127.0.0.1" and e.changes["method"] == "password" for e in entries)
    assert sorted(e.changes["locked_out"] for e in entries) == [False, False, True, True, True]
    assert "zle-haslo" not in json.dumps([e.changes for e in entries])


def test_the_lockout_ends_after_the_cool_off(client, editor, small_limit):
    for _ in range(3):
        client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "zle-haslo"))
    assert client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "haslo-testowe")).status_code == 429
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "haslo-testowe")).status_code == 200


def test_wrong_tokens_lock_out_the_address(client, editor, small_limit):
    # An address of its own: live-server tests commit their failed attempts from 127.0.0.1.
    client.defaults["REMOTE_ADDR"] = "192.0.2.44"
    _, key = create_access_token(actor=editor, user=editor, label="QGIS")
    assert client.get("/ows/wfs", {**WFS_CAPS, "token": "zgadywany-1"}).status_code == 401
    assert client.get("/ows/layers", **bearer("zgadywany-2")).status_code == 401
    assert client.get("/ows/wms", {**WMS_CAPS, "token": "zgadywany-3"}).status_code == 429
    refused = client.get("/ows/wms", WMS_CAPS, **bearer(key))
    assert refused.status_code == 429 and b"Zbyt wiele" in refused.content
    layers = client.get("/ows/layers", **bearer(key))
    assert layers.status_code == 429 and "Zbyt wiele" in layers.json()["detail"]
    entries = AuditLog.objects.filter(action=AuditLog.Action.FAILED_LOGIN, changes__ip="192.0.2.44")
    assert entries.count() == 3 and all(e.changes["method"] == "token" for e in entries)
    assert not any("zgadywany" in json.dumps(e.changes) for e in entries)


def test_old_password_stops_working_on_ows_at_once(client, editor):
    assert client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "haslo-testowe")).status_code == 200
    editor.set_password("nowe-dlugie-haslo-2026")
    editor.save()
    # The first answer was remembered for five minutes; the changed password hash ends that.
    assert client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "haslo-testowe")).status_code == 401
    assert (
        client.get("/ows/wms", WMS_CAPS, **basic(editor.username, "nowe-dlugie-haslo-2026")).status_code
        == 200
    )


def test_expired_token_is_refused_and_use_is_noted_once_a_minute(client, editor):
    token, key = create_access_token(actor=editor, user=editor, label="QGIS")
    assert token.expires_at - timezone.now() > timedelta(days=364)
    assert client.get("/ows/layers", **bearer(key)).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/ows/layers", **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first_use  # not one write per request
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/ows/layers", **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=2)

    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/ows/layers", **bearer(key)).status_code == 401
    assert client.get("/ows/wms", {**WMS_CAPS, "token": key}).status_code == 401


def test_token_in_the_url_never_reaches_generated_links(client, editor, gmina, other_gmina):
    _, key = create_access_token(actor=editor, user=editor, label="QGIS")
    page = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "gminy",
            "COUNT": "1",
            "OUTPUTFORMAT": "geojson",
            "token": key,
        },
    )
    assert page.status_code == 200, page.content[:500]
    body = text(page)
    assert "STARTINDEX=1" in body  # there is a next link ...
    assert key not in body and "token" not in body.lower()  # ... without the token
    gml = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "gminy",
            "COUNT": "1",
            "TOKEN": key,
        },
    )
    gml_body = text(gml)
    assert gml.status_code == 200 and "next=" in gml_body and key not in gml_body
    for params in (WMS_CAPS, WFS_CAPS):
        caps = client.get("/ows/wms" if params is WMS_CAPS else "/ows/wfs", {**params, "token": key})
        assert caps.status_code == 200 and key not in text(caps)
