"""The public URL of a service as the client sees it (behind nginx: X-Forwarded-*).

The X-Forwarded-* headers reach this point only from a trusted proxy (SIP_TRUSTED_PROXIES,
sip.middleware.TrustedProxyMiddleware); even then each value is checked before it is used.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from sip.text import plain_int

# A path prefix such as /sip or /gis/sip: segments of URL-safe characters, never "//host".
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)+")


def service_url(request) -> str:
    """Return scheme://host[:port]/path of this request's endpoint, as advertised in capabilities."""
    proto = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
    scheme = proto if proto in ("http", "https") else request.scheme
    host = request.get_host()
    forwarded = request.META.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
    if forwarded:
        domain, _port = split_domain_port(forwarded)
        if domain and validate_host(domain, settings.ALLOWED_HOSTS):
            host = forwarded
    port = request.META.get("HTTP_X_FORWARDED_PORT", "").strip()
    if plain_int(port, max_digits=5) is not None and ":" not in host.rsplit("]", 1)[-1]:
        default = {"http": "80", "https": "443"}[scheme]
        if port != default:
            host = f"{host}:{port}"
    prefix = request.META.get("HTTP_X_FORWARDED_PREFIX", "").rstrip("/")
    if prefix and not _PREFIX.fullmatch(prefix):
        prefix = ""
    return f"{scheme}://{host}{prefix}{request.path}"
