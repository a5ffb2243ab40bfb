"""Anonymous WMS requests take a shorter middleware chain (layers.render.tiles): same answer, same headers."""

from __future__ import annotations

import io
import sys
from urllib.parse import urlencode

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from layers.render.tiles import is_anonymous_ows, with_anonymous_ows_shortcut

pytestmark = pytest.mark.django_db

GETMAP = {
    "SERVICE": "WMS",
    "VERSION": "1.1.1",
    "REQUEST": "GetMap",
    "LAYERS": "dzialki",
    "STYLES": "",
    "SRS": "EPSG:2180",
    "BBOX": "250000,380000,250500,380500",
    "WIDTH": "64",
    "HEIGHT": "64",
    "FORMAT": "image/png",
    "TRANSPARENT": "TRUE",
}


def environ(query: dict, **extra) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/ows/wms",
        "QUERY_STRING": urlencode(query),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        **extra,
    }


def answer(app, env) -> tuple[str, dict, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    body = b"".join(app(env, start_response))
    headers = {k: v for k, v in seen["headers"] if k != "Content-Security-Policy"}
    headers["Vary"] = sorted(v.strip() for v in headers.get("Vary", "").split(","))
    csp = dict(seen["headers"]).get("Content-Security-Policy", "")
    headers["csp-without-nonce"] = " ".join(p for p in csp.split() if not p.startswith("'nonce-"))
    return seen["status"], headers, body


@pytest.fixture
def apps():
    """Both ways, with the test's database connection kept open between requests (as Django's
    test client keeps it: the test's transaction lives on it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        full = get_wsgi_application()
        yield full, with_anonymous_ows_shortcut(full)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    "query",
    [
        GETMAP,
        {**GETMAP, "LAYERS": "nie_ma_takiej"},  # an exception report (401 for anonymous callers)
        {**GETMAP, "BBOX": "1,2,3"},
        {"SERVICE": "WMS", "REQUEST": "GetCapabilities"},
    ],
)
def test_the_short_way_answers_as_the_whole_way(apps, query):
    full, short = apps
    env = environ(query)
    assert is_anonymous_ows(env)
    status, headers, body = answer(full, env)
    assert not status.startswith("5"), body[:300]
    if query is GETMAP:
        assert status.startswith("200") and headers["Content-Type"] == "image/png"
    assert answer(short, environ(query)) == (status, headers, body)
    assert headers["X-Frame-Options"] == "DENY" and headers["csp-without-nonce"]


def test_host_not_allowed_is_refused_on_the_short_way_too(apps):
    full, short = apps
    env = environ(GETMAP, HTTP_HOST="evil.example")
    assert answer(short, env)[0].startswith("400") and answer(
        full, environ(GETMAP, HTTP_HOST="evil.example")
    )[0].startswith("400")


@pytest.mark.parametrize(
    "extra",
    [{"HTTP_COOKIE": "sessionid=abc"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}, {"REQUEST_METHOD": "POST"}],
)
def test_callers_with_cookies_or_credentials_take_the_whole_way(extra):
    assert not is_anonymous_ows(environ(GETMAP, **extra))
    assert not is_anonymous_ows(environ({**GETMAP, "Token": "abc"}))
    assert not is_anonymous_ows({**environ(GETMAP), "PATH_INFO": "/api/parcels/"})
