"""The installable resident app (PWA): web app manifest, the service worker at /sw.js (scope /),
the offline pages, and the size of a cemetery's offline download.

The service worker's own code is a static file (geoportal/static/geoportal/pwa/sw.js); /sw.js
serves it from the site's root, because a worker controls only the paths under its own URL, with
a version line made from the hash of every file it uses: any change to them changes /sw.js byte
for byte, which is what makes browsers install the new worker. Above the code it gets its
configuration: the precache list, the offline pages and the paths it answers, all as the visitor's
browser asks for them (behind a proxy that mounts SIP under /sip: /sip/sw.js, scope /sip/).
"""

from __future__ import annotations

import hashlib
import json
import math

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from cemetery_routing.models import Cemetery
from sip.urls_public import forwarded_prefix, public_path, without_proxy_prefix

THEME_COLOUR = "#1d4f91"
BACKGROUND_COLOUR = "#ffffff"
OFFLINE_ZOOMS = range(15, 21)  # zoom levels of the tiles stored for a cemetery (15–20)
# Bytes of one 256-pixel PNG tile of the cemetery map (base map with graves) at zooms 15–20,
# measured on the demo data: 7.0 kB a tile over Nowogrodziec's cemetery (all 62), 9.4 kB over
# Bolesławiec's (a sample of 94); an estimate shown before the download, not a promise.
TILE_BYTES_ESTIMATE = 9_000

# Static files the worker stores when it installs: what the offline pages and a downloaded
# cemetery's pages need to open without network.
PRECACHED_STATIC = (
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/images/layers.png",
    "leaflet/images/layers-2x.png",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-shadow.png",
    "geoportal/site.css",
    "geoportal/pwa/app.js",
    "geoportal/pwa/offline-cemetery.js",
    "geoportal/pwa/offline-core.js",
    "geoportal/pwa/grave-offline.js",
    "geoportal/pwa/icons/icon-192.png",
    "cemetery_routing/cemetery.css",
    "cemetery_routing/cemetery-map.js",
    "cemetery_routing/cemetery.js",
    "cemetery_routing/grave.js",
)
# The offline pages (URL names), stored too; the worker answers with them without network.
PRECACHED_PAGES = ("pwa-offline", "pwa-offline-grave")
# Files whose content goes into the worker's version (besides the precache list itself).
_VERSIONED = ("geoportal/pwa/sw.js", *PRECACHED_STATIC)


@cache_control(max_age=3600, public=True)
def manifest(request):
    """/manifest.webmanifest: what a phone needs to install SIP as an app."""
    scope = forwarded_prefix(request) + "/"
    icons = [
        {
            "src": static(f"geoportal/pwa/icons/icon-{n}.png"),
            "sizes": f"{n}x{n}",
            "type": "image/png",
            "purpose": "any",
        }
        for n in (192, 512)
    ] + [
        {
            "src": static(f"geoportal/pwa/icons/maskable-{n}.png"),
            "sizes": f"{n}x{n}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for n in (192, 512)
    ]
    body = {
        "id": scope,
        "name": "SIP – System Informacji Przestrzennej gmin partnerskich",
        "short_name": "SIP",
        "description": "Mapa gminy, wyszukiwarka grobów z trasą do grobu (także bez sieci na cmentarzu).",
        "lang": "pl",
        "dir": "ltr",
        "start_url": public_path("home", request=request) + "?source=pwa",
        "scope": scope,
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["navigation", "government"],
        "icons": icons,
        "shortcuts": [{"name": "Wyszukiwarka grobów", "url": public_path("cemetery-index", request=request)}],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )


def _read(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    with open(found, "rb") as fh:
        return fh.read()


def worker_version() -> str:
    """A short hash of the worker's code, its precache list and every file it precaches."""
    digest = hashlib.sha256()
    for path in _VERSIONED:
        digest.update(path.encode() + b"\0" + _read(path) + b"\0")
    digest.update(json.dumps(PRECACHED_PAGES).encode())
    return digest.hexdigest()[:12]


@require_GET
@never_cache
def service_worker(request):
    """/sw.js: the worker at the site's root (scope /), never taken from an HTTP cache."""
    version = worker_version()
    paths = worker_paths(request)
    pages = [public_path(name, request=request) for name in PRECACHED_PAGES]
    head = (
        f"// SIP resident app, service worker version {version}.\n"
        f"self.SIP_VERSION = {json.dumps(version)};\n"
        f"self.SIP_PATHS = {json.dumps(paths)};\n"
        f"self.SIP_PRECACHE = {json.dumps([*pages, *(static(p) for p in PRECACHED_STATIC)])};\n"
        f"self.SIP_CORE = {json.dumps(static('geoportal/pwa/offline-core.js') + '?v=' + version)};\n"
    )
    response = HttpResponse(
        head.encode() + _read("geoportal/pwa/sw.js"), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = paths["scope"]
    # The worker's own policy: its code and the core it imports come from SIP, it fetches only
    # SIP's own URLs (cross-origin requests are left to the page and never pass through it).
    response["Content-Security-Policy"] = "default-src 'self'; script-src 'self'; connect-src 'self'"
    return response


def _named_root(name: str, request, *args) -> str:
    """The path under which a named URL's family lives: its path with the given arguments and the
    last segment(s) they fill cut off ("cemetery-grave-card", 0 -> "/sip/cmentarze/grob/")."""
    path = public_path(name, args=list(args), request=request)
    for arg in reversed(args):
        path = path.removesuffix(f"{arg}/")
    return path


def worker_paths(request) -> dict[str, str]:
    """The paths the service worker works with, as this visitor's browser asks for them."""
    prefix = forwarded_prefix(request)
    return {
        "scope": prefix + "/",
        "offline": public_path("pwa-offline", request=request),
        "offline_grave": public_path("pwa-offline-grave", request=request),
        # The cemetery API's root: every endpoint the worker answers offline lies under it.
        "api_cemetery": _named_root("cemetery-list-api", request).removesuffix("cemeteries/"),
        "grave_card": _named_root("cemetery-grave-card", request, 0),
        "wms": public_path("ows-wms", request=request),
        "static": static(""),
        "media_cemetery": prefix + without_proxy_prefix(settings.MEDIA_URL).rstrip("/") + "/cemetery/",
    }


def offline_page(request):
    """/offline/: what the worker shows for a page that was not stored, without network."""
    return render(request, "geoportal/pwa/offline.html")


def offline_grave(request):
    """/offline/grob/: the grave card drawn on the phone from a downloaded cemetery (the worker
    answers /cmentarze/grob/<id>/ with it when there is no network)."""
    return render(request, "geoportal/pwa/offline_grave.html")


def tile_range(west: float, south: float, east: float, north: float, zoom: int) -> tuple[int, int, int, int]:
    """Web Mercator tile columns and rows (x0, y0, x1, y1, inclusive) covering a box in degrees,
    as Leaflet numbers 256-pixel tiles."""
    n = 2**zoom

    def x_of(lon):
        return math.floor((lon + 180.0) / 360.0 * n)

    def y_of(lat):
        s = math.sin(math.radians(max(min(lat, 85.0511287798), -85.0511287798)))
        return math.floor((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)

    return x_of(west), y_of(north), x_of(east), y_of(south)


@require_GET
def cemetery_download_size(request, slug: str):
    """/api/geoportal/offline/cemeteries/<slug>/: what "Pobierz cmentarz na telefon" stores and its size."""
    from cemetery_routing import selectors

    found = (
        Cemetery.objects.filter(slug=slug)
        .select_related("gmina")
        .annotate(ll=Transform("boundary", 4326))
        .first()
    )
    if found is None:
        raise Http404("Nie ma takiego cmentarza.")
    west, south, east, north = found.ll.extent
    tiles = 0
    per_zoom = {}
    for z in OFFLINE_ZOOMS:
        x0, y0, x1, y1 = tile_range(west, south, east, north, z)
        per_zoom[z] = (x1 - x0 + 1) * (y1 - y0 + 1)
        tiles += per_zoom[z]
    data_url = public_path("cemetery-offline-api", args=[found.slug], request=request)
    data_bytes = len(json.dumps(selectors.offline_package(found), ensure_ascii=False).encode())
    ortho = found.orthophotos.order_by("-taken_on").first()
    ortho_bytes = 0
    if ortho is not None:
        try:
            ortho_bytes = ortho.image.size
        except OSError:
            ortho_bytes = 0
    return JsonResponse(
        {
            "cemetery": {"name": found.name, "slug": found.slug, "gmina": found.gmina.name},
            "bounds": [[south, west], [north, east]],
            "zooms": list(OFFLINE_ZOOMS),
            "tiles": tiles,
            "tiles_per_zoom": per_zoom,
            "data_url": data_url,
            "pages": [public_path("cemetery-page", args=[found.slug], request=request)],
            "bytes": tiles * TILE_BYTES_ESTIMATE + data_bytes + ortho_bytes,
            "bytes_data": data_bytes,
            "bytes_tiles_estimate": tiles * TILE_BYTES_ESTIMATE,
            "bytes_orthophoto": ortho_bytes,
        },
        json_dumps_params={"ensure_ascii": False},
    )
