"""The central unit's backup page: only the central unit sees it; red without backups."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_backup_dir(monkeypatch, tmp_path):
    """No repositories at all (a fresh checkout): the page must say so, not fail."""
    monkeypatch.setenv("SIP_BACKUP_DIR", str(tmp_path / "backup"))
    cache.clear()


def test_central_unit_sees_the_page_red_without_backups(client, central_admin):
    client.force_login(central_admin)
    response = client.get("/admin/kopie-zapasowe/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kopie zapasowe wymagają uwagi" in html
    assert html.count('data-red="1"') == 4  # repo1, repo2, restic1, restic2
    assert "Nie było jeszcze próby odtworzenia" in html


def test_gmina_staff_and_anonymous_do_not(client, editor):
    assert client.get("/admin/kopie-zapasowe/").status_code == 302  # to the login page
    client.force_login(editor)
    assert client.get("/admin/kopie-zapasowe/").status_code == 403


def test_backup_status_command_fails_without_backups():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    with pytest.raises(CommandError, match="wymagają uwagi"):
        call_command("backup_status", stdout=out)
    assert "repo2" in out.getvalue() and "brak próby odtworzenia" in out.getvalue()
