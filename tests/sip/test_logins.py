"""Password guessing on the admin login form and the REST API's HTTP Basic: lockout after
failures, audit entries, Polish answers; the validators of new passwords."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from sip.models import AuditLog


@pytest.fixture
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def test_admin_login_locks_out_after_failures(client, editor, small_limit):
    assert _login(client, editor.username, "zle-haslo").status_code == 200  # the form again
    assert _login(client, editor.username, "zle-haslo").status_code == 200
    third = _login(client, editor.username, "zle-haslo")
    assert third.status_code == 429
    right = _login(client, editor.username, "haslo-testowe")
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    page = right.content.decode()
    assert "Zbyt wiele nieudanych prób logowania" in page and "15 min" in page
    assert "SIP – administracja" in page
    assert right["Retry-After"] == "900"
    entries = AuditLog.objects.filter(action=AuditLog.Action.FAILED_LOGIN, object_id=str(editor.pk))
    assert entries.count() == 4
    assert all(e.changes["path"] == "/admin/login/" for e in entries)


def test_a_good_login_clears_earlier_typos(client, editor, small_limit):
    for _ in range(2):
        _login(client, editor.username, "zle-haslo")
    assert _login(client, editor.username, "haslo-testowe").status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, editor.username, "zle-haslo")
    assert _login(client, editor.username, "haslo-testowe").status_code == 302


def test_unknown_user_name_is_audited_without_an_account(client, db, small_limit):
    _login(client, "nie-istnieje", "cokolwiek")
    entry = AuditLog.objects.get(action=AuditLog.Action.FAILED_LOGIN, object_repr="nie-istnieje")
    assert entry.changes["path"] == "/admin/login/" and entry.object_id == ""
    assert "cokolwiek" not in str(entry.changes)


def test_rest_api_basic_locks_out_with_json(client, editor, small_limit):
    def api(password):
        header = base64.b64encode(f"{editor.username}:{password}".encode()).decode()
        return client.get("/api/parcels/", {"q": "1"}, HTTP_AUTHORIZATION=f"Basic {header}")

    assert api("zle-haslo").status_code in (401, 403)
    assert api("zle-haslo").status_code in (401, 403)
    assert api("zle-haslo").status_code == 429
    locked = api("haslo-testowe")
    assert locked.status_code == 429 and "Zbyt wiele" in locked.json()["detail"]


def test_test_client_logins_still_work(client, editor):
    assert client.login(username=editor.username, password="haslo-testowe")
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("krotkie1", "za krótkie"),
        ("1234567890123", "same cyfry"),
        ("password1234", "zbyt powszechne"),
        ("redaktor-test-1", "podobne do nazwy użytkownika"),
    ],
)
def test_full_set_of_password_validators(editor, password, why):
    with pytest.raises(ValidationError):
        validate_password(password, user=editor)
    validate_password("Zielona-Lampa-Rynek-7", user=editor)


def test_client_address_behind_a_trusted_proxy_only(rf, settings):
    from sip.security import client_ip

    spoofed = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.7", "REMOTE_ADDR": "192.0.2.1"}
    settings.SIP_TRUSTED_PROXIES = []
    assert client_ip(rf.get("/", **spoofed)) == "192.0.2.1"  # no proxy configured: the peer
    settings.SIP_TRUSTED_PROXIES = ["192.0.2.0/28"]
    # The proxy's own entry is the last one; what the client wrote before it is not believed.
    assert client_ip(rf.get("/", **spoofed)) == "203.0.113.7"
    settings.SIP_TRUSTED_PROXIES = ["198.51.100.1"]
    assert client_ip(rf.get("/", **spoofed)) == "192.0.2.1"  # a peer that is no proxy of ours
