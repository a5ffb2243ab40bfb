"""The public URLs every page gives its JavaScript (rendered with json_script as #sip-urls), so
that no script hard-codes a path: behind a proxy that mounts SIP under a prefix
(X-Forwarded-Prefix: /sip) every one of them carries the prefix."""

from __future__ import annotations

from sip.urls_public import forwarded_prefix, public_path

from .urls import API_MOUNTS

# Named pages the scripts link to or fetch.
PAGES = {
    "home": "home",
    "cemeteries": "cemetery-index",
    "offline": "pwa-offline",
    "offline_grave": "pwa-offline-grave",
    "service_worker": "pwa-service-worker",
}
OWS = {"wms": "ows-wms", "wfs": "ows-wfs", "layers": "ows-layers"}


def public_urls_config(request) -> dict:
    """{"prefix", "api": {app: root}, "ows": {...}, "pages": {...}} as this visitor must ask."""
    prefix = forwarded_prefix(request)
    api = {(mount.rstrip("/") or "core"): f"{prefix}/api/{mount}" for mount in API_MOUNTS}
    return {
        "prefix": prefix,
        "api": api,
        "ows": {key: public_path(name, request=request) for key, name in OWS.items()},
        "pages": {key: public_path(name, request=request) for key, name in PAGES.items()},
        # The incident tracking page of a token is pages.incidents + token + "/".
        "incidents_track": prefix + "/zgloszenia/",
        # What the resident app's service worker controls: the whole site, under the prefix.
        "scope": prefix + "/",
    }


def public_urls(request) -> dict:
    """Template context: sip_urls (see public_urls_config); a few reverses, cheap on every page."""
    return {"sip_urls": public_urls_config(request)}
