"""Personal tokens in the admin ("Tokeny dostępu"): creation shows the secret once, with an
expiry chosen at creation; the service refuses expiries in the past or too far ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from layers.models import AccessToken
from layers.services import create_access_token
from sip.models import AuditLog


def _expiry_fields(when) -> dict:
    local = timezone.localtime(when)
    return {"expires_at_0": local.strftime("%d.%m.%Y"), "expires_at_1": local.strftime("%H:%M:%S")}


@pytest.mark.parametrize("who", ["editor", "central_admin"])
def test_creating_a_token_in_the_admin_shows_it_once(client, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    form = client.get("/admin/layers/accesstoken/add/")
    assert form.status_code == 200
    # The form offers the default validity, a year.
    default = timezone.localtime(timezone.now() + timedelta(days=365)).strftime("%d.%m.%Y")
    assert f'name="expires_at_0" value="{default}"' in form.content.decode()

    when = timezone.now() + timedelta(days=90)
    created = client.post(
        "/admin/layers/accesstoken/add/", {"label": "QGIS w biurze", **_expiry_fields(when)}
    )
    assert created.status_code == 200, created.content.decode()[:3000]
    assert "no-store" in created["Cache-Control"]
    token = AccessToken.objects.get(user=user, label="QGIS w biurze")
    assert abs(token.expires_at - when) < timedelta(seconds=1)
    page = created.content.decode()
    key = page.split('readonly value="', 1)[1].split('"', 1)[0]
    assert len(key) > 30 and "Authorization" in page

    # The secret works, and is shown nowhere again.
    assert client.get("/ows/layers", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert key not in client.get("/admin/layers/accesstoken/").content.decode()
    assert key not in client.get(f"/admin/layers/accesstoken/{token.pk}/change/").content.decode()
    assert AuditLog.objects.filter(model="layers.accesstoken", object_id=str(token.pk)).exists()


def test_admin_refuses_an_expiry_in_the_past_with_a_message(client, editor):
    client.force_login(editor)
    answer = client.post(
        "/admin/layers/accesstoken/add/",
        {"label": "stary", **_expiry_fields(timezone.now() - timedelta(days=1))},
    )
    assert answer.status_code == 200 and "musi być w przyszłości" in answer.content.decode()
    assert not AccessToken.objects.filter(label="stary").exists()


def test_service_limits_the_validity(editor):
    with pytest.raises(ValidationError):
        create_access_token(
            actor=editor, user=editor, label="x", expires_at=timezone.now() - timedelta(minutes=1)
        )
    with pytest.raises(ValidationError):
        create_access_token(
            actor=editor, user=editor, label="x", expires_at=timezone.now() + timedelta(days=800)
        )
    token, _ = create_access_token(actor=editor, user=editor, label="x")
    assert timedelta(days=364) < token.expires_at - timezone.now() <= timedelta(days=365)
