"""X-Forwarded-* headers are believed only from the reverse proxies named in SIP_TRUSTED_PROXIES:
from anyone else they would choose the addresses that capabilities advertise."""

from __future__ import annotations

import pytest

HOSTILE = {
    "HTTP_X_FORWARDED_HOST": "localhost",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_PORT": "8443",
    "HTTP_X_FORWARDED_PREFIX": "/obce",
}
CAPABILITIES = {
    "/ows/wms": {"SERVICE": "WMS", "REQUEST": "GetCapabilities"},
    "/ows/wfs": {"SERVICE": "WFS", "REQUEST": "GetCapabilities"},
}


@pytest.mark.parametrize("path", list(CAPABILITIES))
def test_forwarded_headers_of_an_untrusted_client_are_ignored(demo_data, db, client, settings, path):
    settings.SIP_TRUSTED_PROXIES = []
    settings.USE_X_FORWARDED_HOST = True  # as in production: Django must not believe them either
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    body = client.get(path, CAPABILITIES[path], **HOSTILE).content
    assert f'"http://testserver{path}'.encode() in body
    # The port as a URL writes it: a bounding box's coordinate may hold the digits 8443.
    assert b"localhost" not in body and b":8443" not in body and b"/obce" not in body


@pytest.mark.parametrize("path", list(CAPABILITIES))
def test_forwarded_headers_of_a_trusted_proxy_are_followed(demo_data, db, client, settings, path):
    settings.SIP_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]  # the test client's peer
    settings.USE_X_FORWARDED_HOST = True
    body = client.get(path, CAPABILITIES[path], **HOSTILE).content
    assert f'"https://localhost:8443/obce{path}'.encode() in body


@pytest.mark.parametrize("prefix", ["//evil.example", "/a//evil.example", "/x?y", "evil", "/a b"])
def test_even_a_trusted_proxy_cannot_send_a_prefix_that_is_not_a_path(
    demo_data, db, client, settings, prefix
):
    settings.SIP_TRUSTED_PROXIES = ["127.0.0.1"]
    body = client.get("/ows/wms", CAPABILITIES["/ows/wms"], HTTP_X_FORWARDED_PREFIX=prefix).content
    assert b'xlink:href="http://testserver/ows/wms?"' in body
    assert b"evil" not in body


def test_an_untrusted_peer_cannot_claim_https(db, client, settings):
    """Django's own reading (request.is_secure via SECURE_PROXY_SSL_HEADER) agrees with ours."""
    settings.SIP_TRUSTED_PROXIES = ["192.0.2.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    answer = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert answer.status_code == 301 and answer["Location"].startswith("https://")
    trusted = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.1")
    assert trusted.status_code != 301
