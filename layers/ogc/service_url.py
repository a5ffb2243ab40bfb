"""The public URL of a service as the client sees it (behind nginx: X-Forwarded-*); built by the
one public URL helper, sip.urls_public."""

from __future__ import annotations

from sip.urls_public import request_url


def service_url(request) -> str:
    """Return scheme://host[:port][/prefix]/path of this request's endpoint, as advertised in
    capabilities."""
    return request_url(request)
