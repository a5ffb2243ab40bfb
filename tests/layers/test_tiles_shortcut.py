"""Anonymous WMS requests take a shorter middleware chain, and anonymous GetMaps the tile way without
Django's handler (layers.ogc.tiles): same answer, same headers as the whole way."""

from __future__ import annotations

import io
import sys
from urllib.parse import urlencode

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from layers.ogc.tiles import TileWay, is_anonymous_ows, with_anonymous_ows_shortcut

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


@pytest.fixture(autouse=True)
def test_connection_kept():
    """The test's database connection kept open between requests (as Django's test client keeps
    it: the test's transaction lives on it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def apps():
    """Both ways."""
    full = get_wsgi_application()
    return full, with_anonymous_ows_shortcut(full)


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
    # Only the image takes the tile way; an exception report, capabilities take the short way.
    taken = TileWay().answer(environ(query), lambda *args: None)
    assert (taken is not None) == (query is GETMAP)


def tile_way_takes(env) -> bool:
    return TileWay().answer(env, lambda *args: None) is not None


PROXY = {"REMOTE_ADDR": "10.1.2.3"}  # in SIP_TRUSTED_PROXIES below
STRANGER = {"REMOTE_ADDR": "192.0.2.1"}


@pytest.mark.parametrize(
    ("extra", "query", "status", "hsts"),
    [
        ({}, GETMAP, "200", False),
        # https behind a trusted proxy (its host, HSTS), or straight to gunicorn
        (
            {**PROXY, "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "sip.example"},
            GETMAP,
            "200",
            True,
        ),
        ({"wsgi.url_scheme": "https"}, GETMAP, "200", True),
        # forwarded headers from anyone else are dropped by the whole way (no HSTS, own host)
        ({**STRANGER, "HTTP_X_FORWARDED_PROTO": "https"}, GETMAP, "200", False),
        ({**STRANGER, "HTTP_X_FORWARDED_HOST": "evil.example"}, GETMAP, "200", False),
        ({**PROXY, "HTTP_X_FORWARDED_HOST": "evil.example"}, GETMAP, "400", False),
        ({}, {**GETMAP, "LAYERS": "dzialki\x00"}, "400", False),
        ({}, {**GETMAP, "X\x00": "1"}, "400", False),
        ({"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b"abcde")}, GETMAP, "200", False),
        ({"CONTENT_TYPE": "text/plain; charset=iso-8859-2"}, GETMAP, "200", False),
        ({}, {**GETMAP, "REQUEST": "map", "SERVICE": ""}, "200", False),
        ({}, {**GETMAP, "SERVICE": "WFS"}, "400", False),  # an exception report
        # the answer says the language its parameters ask for (Content-Language)
        ({}, {**GETMAP, "LANGUAGE": "eng"}, "200", False),
        ({}, {**GETMAP, "AcceptLanguages": "en,pl"}, "200", False),
    ],
)
def test_the_tile_way_answers_as_the_whole_way(settings, extra, query, status, hsts):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.ALLOWED_HOSTS = ["127.0.0.1", "sip.example"]
    full = get_wsgi_application()  # its middleware built with these settings
    expected = answer(full, environ(query, **extra))
    assert expected[0].startswith(status), expected
    assert ("Strict-Transport-Security" in expected[1]) == hsts
    assert answer(with_anonymous_ows_shortcut(full), environ(query, **extra)) == expected


def test_the_tile_way_leaves_what_a_middleware_would_change_to_the_short_way(settings):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert tile_way_takes(environ(GETMAP))
    assert tile_way_takes(environ(GETMAP, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_PROTO="https"))
    assert not tile_way_takes(environ(GETMAP, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_PROTO="https"))
    assert not tile_way_takes(environ({**GETMAP, "LAYERS": "dzialki\x00"}))
    assert not tile_way_takes(environ(GETMAP, CONTENT_LENGTH="5"))
    assert not tile_way_takes(environ(GETMAP, SCRIPT_NAME="/sip"))
    assert not tile_way_takes(environ(GETMAP, HTTP_HOST="evil.example"))
    assert not tile_way_takes(environ({**GETMAP, "REQUEST": "GetCapabilities"}))
    settings.SECURE_SSL_REDIRECT = True
    assert not tile_way_takes(environ(GETMAP))
    settings.SECURE_SSL_REDIRECT = False
    settings.DISALLOWED_USER_AGENTS = [__import__("re").compile("curl")]
    assert not tile_way_takes(environ(GETMAP, HTTP_USER_AGENT="curl/8"))


def test_a_middleware_the_tile_way_does_not_know_sends_tiles_the_short_way(settings):
    assert TileWay().enabled  # the project's middleware is all known to it
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]
    assert not TileWay().enabled
    assert not tile_way_takes(environ(GETMAP))


def test_the_tile_way_begins_and_ends_a_request_as_django_does():
    seen = []

    def started(sender, **kwargs):
        seen.append("started")

    def finished(sender, **kwargs):
        seen.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        body = TileWay().answer(environ(GETMAP), lambda *args: None)
        assert seen == ["started"]
        body.close()  # the WSGI server closes the answer once it is sent
        assert seen == ["started", "finished"]
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


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
