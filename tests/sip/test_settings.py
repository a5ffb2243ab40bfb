"""The entry points' settings: sip.project.wsgi defaults to production settings and refuses to start
without a real SECRET_KEY; production settings pass `manage.py check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
# The one warning README.md explains ("Settings and secrets"): HSTS preload is the domain
# owner's decision.
DOCUMENTED_WARNINGS = {"security.W021"}


def _run(args: list[str], **env) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process (tests/e2e/conftest.py);
    # a deployment never does, and `check --deploy` rightly fails with it.
    dropped = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    # No developer's .env may lend a key to the process under test.
    base["SIP_ENV_FILE"] = os.devnull
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def _production(**env) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "sip.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sip.example.pl",
        **env,
    }


def _issue_ids(output: str) -> set[str]:
    return {line.split("(", 1)[1].split(")", 1)[0] for line in output.splitlines() if line.startswith("?: (")}


def test_check_deploy_with_production_settings_has_only_documented_warnings():
    answer = _run(["manage.py", "check", "--deploy"], **_production())
    assert answer.returncode == 0, answer.stderr
    assert _issue_ids(answer.stdout + answer.stderr) <= DOCUMENTED_WARNINGS, answer.stdout + answer.stderr
    preload = _run(["manage.py", "check", "--deploy"], **_production(SECURE_HSTS_PRELOAD="true"))
    assert "System check identified no issues" in preload.stdout, preload.stdout + preload.stderr


@pytest.mark.parametrize("key", [None, "sip-demo-only-not-for-production", "krotki-klucz"])
def test_wsgi_refuses_to_start_without_a_real_secret_key(key):
    env = {"ALLOWED_HOSTS": "sip.example.pl"}
    if key:
        env["SECRET_KEY"] = key
    answer = _run(["-c", "import sip.project.wsgi"], **env)
    assert answer.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is missing or unsafe" in answer.stderr
    assert "sip.settings.dev" in answer.stderr


def test_wsgi_defaults_to_production_settings():
    code = (
        "import sip.project.wsgi; from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    answer = _run(["-c", code], SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="sip.example.pl")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["sip.settings.production", "False"]


def test_manage_py_defaults_to_development_settings():
    answer = _run(
        ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.SETTINGS_MODULE)"]
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip().splitlines()[-1] == "sip.settings.dev"
