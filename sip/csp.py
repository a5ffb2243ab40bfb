"""Content-Security-Policy of every response.

Scripts only from SIP's own origin (or an inline script carrying this response's nonce, which
django-leaflet's map widgets add); images also from data:, blob: and the hosts of the external
map services that apps register here (layers registers its WMS/WMTS services). The policy
without the nonce is built once and kept for SIP_CSP_REFRESH_SECONDS (default 10 s), and
forgotten at once in the process that changes a service, so a request costs a string format.

Styles allow 'unsafe-inline': Leaflet and the admin's widgets position elements with style
attributes; a style cannot run a script, and scripts are what the policy keeps out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)
_image_sources: list[Callable[[], Iterable[str]]] = []
_lock = threading.Lock()
_cached: tuple[float, str] | None = None


def register_image_sources(provider: Callable[[], Iterable[str]]) -> None:
    """Add a function returning URLs (or origins) the browser may load images from."""
    if provider not in _image_sources:
        _image_sources.append(provider)


def forget() -> None:
    """Rebuild the policy on the next response (call when an image source changes)."""
    global _cached
    _cached = None


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def _origins() -> tuple[list[str], bool]:
    """The image origins of every provider, and whether all of them answered."""
    found, complete = set(), True
    for provider in _image_sources:
        try:
            found.update(o for o in map(_origin, provider()) if o)
        except Exception:  # noqa: BLE001 - no database yet, or none allowed: retry next time
            logger.info("Content-Security-Policy: image sources of %s unavailable", provider)
            complete = False
    return sorted(found), complete


def _build(origins: list[str]) -> str:
    return (
        "default-src 'self'; "
        "script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src " + " ".join(["'self'", "data:", "blob:", *origins]) + "; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def policy(nonce: str) -> str:
    """The Content-Security-Policy header value for one response."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is None or now - cached[0] > float(getattr(settings, "SIP_CSP_REFRESH_SECONDS", 10.0)):
        with _lock:
            origins, complete = _origins()
            cached = (now, _build(origins))
            if complete:
                _cached = cached
    return cached[1].replace("{nonce}", nonce)
