"""The resident app (issue 19): installable, a cemetery used without network, the first load's
weight. Debian's Chromium through Playwright against the live gunicorn server."""

from __future__ import annotations

import io
import json
import math
import urllib.parse
import urllib.request

import pytest
from PIL import Image

from sip.text import fold
from tests.e2e.conftest import shot
from tests.utils import artifact

from .test_accessibility import axe_violations

pytestmark = pytest.mark.e2e

SMALL = "cmentarz-komunalny-nowogrodziec"


def get(base: str, path: str):
    with urllib.request.urlopen(base + path, timeout=60) as resp:
        return resp.status, dict(resp.headers), resp.read()


@pytest.fixture
def phone_page(live_server_url, browser):
    """A 375-pixel phone with a fresh profile (its own caches and service worker)."""
    # bypass_csp only lets the test inject axe-core; the app's own scripts are the same either way
    # (tests/e2e/test_csp.py checks the policy).
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="pl-PL",
        bypass_csp=True,
    )
    page = context.new_page()
    page.base = live_server_url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def test_manifest_fields_and_icons(live_server_url):
    status, headers, body = get(live_server_url, "/manifest.webmanifest")
    assert status == 200 and headers["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(body)
    assert manifest["id"] == "/" and manifest["short_name"] == "SIP" and manifest["name"].startswith("SIP")
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    assert manifest["theme_color"] == "#1d4f91" and manifest["scope"] == "/"
    seen = set()
    for icon in manifest["icons"]:
        status, headers, png = get(live_server_url, icon["src"])
        assert status == 200 and headers["Content-Type"] == "image/png", icon
        image = Image.open(io.BytesIO(png))
        assert f"{image.width}x{image.height}" == icon["sizes"], icon
        seen.add((icon["sizes"], icon["purpose"]))
        if icon["purpose"] == "maskable":
            # Launchers cut maskable icons to their shape: no transparent pixel anywhere.
            assert image.convert("RGBA").getextrema()[3][0] == 255, icon
    assert seen >= {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}


def test_service_worker_is_served_for_the_whole_site(live_server_url):
    status, headers, body = get(live_server_url, "/sw.js")
    assert status == 200
    assert headers["Content-Type"].startswith("text/javascript")
    assert headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in headers["Cache-Control"] and "max-age=0" in headers["Cache-Control"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert b"self.SIP_VERSION" in body and b"importScripts" in body


def test_service_worker_registered_and_controlling(page):
    page.goto(f"{page.base}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)
    scope = page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope")
    assert scope == f"{page.base}/"
    # Every resident page registers it and names the manifest.
    for path in ("/cmentarze/", f"/cmentarze/{SMALL}/", "/gmina-boleslawiec/", "/offline/"):
        page.goto(f"{page.base}{path}")
        assert page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest", path
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def test_offline_page_is_polish_and_served_for_an_unstored_page(phone_page):
    page = phone_page
    page.goto(f"{page.base}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)
    page.context.set_offline(True)
    page.goto(f"{page.base}/gmina-nowogrodziec/")
    page.get_by_role("heading", name="Brak połączenia z internetem").wait_for()
    assert page.locator("#app-status").is_visible()
    assert "Jesteś offline" in page.locator("#app-status").inner_text()
    shot(page, "pwa-offline-page")


def test_a_new_worker_version_keeps_downloaded_cemeteries(phone_page):
    page = phone_page
    page.goto(f"{page.base}/offline/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)
    # The phone as an older release left it: that release's shell cache, and a downloaded
    # cemetery (a stand-in entry in a cache named as the download names it).
    page.evaluate(
        "async () => {"
        " await (await caches.open('sip-shell-previous')).put('/offline/', new Response('old shell'));"
        " await (await caches.open('sip-cemetery-stand-in')).put('/kept', new Response('kept')); }"
    )
    # Another worker script takes over the registration (as a deployment's new /sw.js does):
    # it installs, activates ("activated" once its activate handler has finished) and claims.
    page.evaluate(
        "async () => {"
        " const reg = await navigator.serviceWorker.register('/sw.js?release=next', {scope: '/'});"
        " const w = reg.installing || reg.waiting || reg.active;"
        " if (w.state !== 'activated') await new Promise(r => w.addEventListener('statechange',"
        " () => { if (w.state === 'activated') r(); })); }"
    )
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").endswith("release=next")
    after = page.evaluate("async () => await caches.keys()")
    assert "sip-shell-previous" not in after, after
    assert [k for k in after if k.startswith("sip-shell-")], after
    assert "sip-cemetery-stand-in" in after
    assert page.evaluate("async () => await (await caches.match('/kept')).text()") == "kept"


def test_ios_hint(live_server_url, browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    )
    page = context.new_page()
    page.goto(f"{live_server_url}/cmentarze/")
    hint = page.locator("#app-install")
    hint.wait_for()
    assert "Udostępnij → Do ekranu początkowego" in hint.inner_text()
    shot(page, "pwa-ios-hint")
    context.close()


def _tile_box(url: str):
    """The BBOX (EPSG:3857) of a GetMap URL, or None."""
    query = {k.upper(): v for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)}
    if query.get("REQUEST", "").lower() != "getmap":
        return None
    return [float(v) for v in query["BBOX"].split(",")]


def _mercator(lon: float, lat: float):
    r = 6378137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def test_offline_cemetery_search_card_and_route(phone_page, db):
    page = phone_page
    from cemetery_routing.models import Burial, Cemetery

    small_cemetery = Cemetery.objects.get(slug=SMALL)

    burial = (
        Burial.objects.filter(
            grave__cemetery=small_cemetery, is_public=True, surname__regex=r"[ąćęłńóśźżŁŚŻ]"
        )
        .order_by("id")
        .first()
    )
    assert burial is not None
    grave_id = burial.grave_id
    _, _, body = get(page.base, f"/api/cemetery/graves/{grave_id}/route/")
    online_route = json.loads(body)["properties"]
    _, _, body = get(page.base, f"/api/geoportal/offline/cemeteries/{SMALL}/")
    size = json.loads(body)

    failed_online = set()
    page.on("requestfailed", lambda r: failed_online.add(r.url))
    page.on("response", lambda r: failed_online.add(r.url) if r.status >= 400 else None)
    page.goto(f"{page.base}/cmentarze/{SMALL}/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)
    page.get_by_role("button", name="Pobierz cmentarz na telefon").click()
    page.locator(".offline-size").wait_for()
    assert f"{size['tiles']} kafli mapy" in page.locator(".offline-size").inner_text()
    shot(page, "pwa-cemetery-size")
    page.get_by_role("button", name="Zapisz w telefonie").click()
    page.locator(".offline-saved").wait_for(timeout=240_000)
    saved = page.evaluate("() => JSON.parse(localStorage.getItem('sip-offline-cemeteries'))")[SMALL]
    assert saved["tiles"] == size["tiles"]
    cached = page.evaluate(
        "async (slug) => (await (await caches.open('sip-cemetery-' + slug)).keys()).map(r => r.url)", SMALL
    )
    assert sum(1 for u in cached if "/ows/wms" in u) == size["tiles"]
    shot(page, "pwa-cemetery-downloaded")

    # Airplane mode: reload, search by the surname without diacritics, open the card, the route.
    (w, s), (e, n) = (
        _mercator(size["bounds"][0][1], size["bounds"][0][0]),
        _mercator(size["bounds"][1][1], size["bounds"][1][0]),
    )
    failed = []

    def on_failed(request):
        url = request.url
        box = _tile_box(url)
        if box is not None:
            if box[0] < e and box[2] > w and box[1] < n and box[3] > s and _zoom(box) in range(15, 21):
                failed.append(url)
        elif any(p in url for p in ("/api/cemetery/", "/cmentarze/", "/static/", "/media/", "/offline/")):
            # The test server serves no media (DEBUG off, nginx's job): a drone photo missing
            # online too is not an offline failure.
            if url not in failed_online:
                failed.append(url)

    page.on("requestfailed", on_failed)
    page.context.set_offline(True)
    page.reload()
    page.locator("#app-status").wait_for()
    assert "offline" in page.locator("#app-status").inner_text()
    page.locator(".leaflet-tile-loaded").first.wait_for()
    plain = fold(burial.surname)
    assert plain != burial.surname.lower()
    page.fill("#q", plain)
    page.get_by_role("button", name="Szukaj").click()
    link = page.locator("#results a", has_text=burial.first_name).first
    link.wait_for()
    shot(page, "pwa-offline-search")
    link.click()
    page.wait_for_url(f"**/cmentarze/grob/{grave_id}/")
    page.locator("h1", has_text=burial.surname).wait_for()
    page.wait_for_function("() => document.getElementById('summary').textContent.includes(' m')")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 0")
    offline_len = page.evaluate(
        "async (id) => (await (await fetch(`/api/cemetery/graves/${id}/route/`)).json()).properties", grave_id
    )
    assert offline_len["offline"] is True
    assert abs(offline_len["length_m"] - online_route["length_m"]) < 0.5, (offline_len, online_route)
    assert offline_len["gate"] == online_route["gate"]
    assert [s["maneuver"] for s in offline_len["steps"]] == [s["maneuver"] for s in online_route["steps"]]
    assert "offline" in page.locator("#app-status").inner_text()
    shot(page, "pwa-offline-grave-card")
    assert axe_violations(page) == []
    # The offline page for a page never stored, with the list of downloaded cemeteries.
    page.goto(f"{page.base}/gmina-boleslawiec/")
    page.get_by_role("link", name=small_cemetery.name).wait_for()
    assert axe_violations(page) == []
    shot(page, "pwa-offline-page-with-cemetery")
    assert failed == []

    # Back online: "Usuń" takes the cemetery off the phone.
    page.context.set_offline(False)
    page.goto(f"{page.base}/cmentarze/{SMALL}/")
    page.get_by_role("button", name="Usuń").click()
    page.get_by_role("button", name="Pobierz cmentarz na telefon").wait_for()
    assert page.evaluate("async (slug) => await caches.has('sip-cemetery-' + slug)", SMALL) is False


def _zoom(box) -> int:
    return round(math.log2(40075016.68557849 / (box[2] - box[0])))


def test_offline_core_agrees_with_the_server(page, db):
    """The phone's folding, PL-1992 projection and walking routes against the server's."""
    from cemetery_routing.models import Cemetery, Grave
    from tests.conftest import REFERENCE_POINTS

    page.goto(f"{page.base}/offline/")
    page.add_script_tag(url=f"{page.base}/static/geoportal/pwa/offline-core.js")
    samples = [
        "Łukasz Żółć",
        "  WÓJCIK  Jan ",
        "Nowak-Wiśniewska",
        "Straße",
        "Øster",
        "Đorđe",
        "ﬁlip",
        "ĄĘ óś ŹŻ",
        "ĐURĐEVIĆ",
        "Kruszyn–Bolesławice — „Stara” ‘droga’",
        "sou\u00adtěž\u200bka\ufeff",
        "ΟΔΥΣΣΕΥΣ",
        "İzmir ẞ",
        "a\u2003b\u001fc",
    ]
    assert page.evaluate("(xs) => xs.map(x => SipOffline.fold(x))", samples) == [fold(x) for x in samples]
    for p in REFERENCE_POINTS:
        x, y = page.evaluate("([lon, lat]) => SipOffline.toPl1992(lon, lat)", [p.lon, p.lat])
        assert abs(x - p.x2180) < 0.002 and abs(y - p.y2180) < 0.002, p

    cemetery = Cemetery.objects.get(slug=SMALL)
    inside = cemetery.boundary.point_on_surface.transform(4326, clone=True)
    here = f"{inside.x:.7f},{inside.y:.7f}"
    graves = list(
        Grave.objects.filter(cemetery=cemetery, burials__is_public=True).distinct().order_by("pk")[::40]
    )
    assert len(graves) >= 10
    page.evaluate(
        "async (slug) => {"
        " window.pkg = await (await fetch(`/api/cemetery/cemeteries/${slug}/offline/`)).json(); }",
        SMALL,
    )
    same = compared = 0
    for grave in graves:
        for query, options in (
            ("", {}),
            ("?step_free=1", {"stepFree": True}),
            (f"?from={here}", {"from": {"lon": inside.x, "lat": inside.y}}),
        ):
            status, _, body = get(page.base, f"/api/cemetery/graves/{grave.pk}/route/{query}")
            server = json.loads(body)["properties"]
            phone = page.evaluate(
                "([id, options]) => SipOffline.route([window.pkg], id, options)", [grave.pk, options]
            )
            assert phone["status"] == status == 200, (grave.pk, query, phone)
            mine = phone["body"]["properties"]
            assert abs(mine["length_m"] - server["length_m"]) < 0.2, (grave.pk, query, mine, server)
            assert mine["gate"] == server["gate"], (grave.pk, query)
            # The graph is a grid: several paths can be equally short, and pgRouting and this
            # Dijkstra may pick different ones. The steps add up to the length either way, and
            # begin and end alike.
            assert abs(sum(s["distance_m"] for s in mine["steps"]) - mine["length_m"]) < 0.5
            assert mine["steps"][0]["text"].split(" idź")[0] == server["steps"][0]["text"].split(" idź")[0]
            assert mine["steps"][-1]["maneuver"] == server["steps"][-1]["maneuver"] == "arrive"
            same += [s["text"] for s in mine["steps"]] == [s["text"] for s in server["steps"]]
            compared += 1
    # Most routes come out step for step as the server's.
    assert same >= compared * 0.5, (same, compared)


def _is_tile(url: str) -> bool:
    return _tile_box(url) is not None or "geoportal.gov.pl" in url


def test_first_load_of_the_portal_stays_under_500_kb(live_server_url, browser):
    """Like Lighthouse's total byte weight: every response of the first visit (a fresh profile,
    empty HTTP cache) except map tiles, as transferred (headers and encoded bodies)."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, locale="pl-PL")
    page = context.new_page()
    weights, tiles = {}, []

    def finished(request):
        if _is_tile(request.url):
            tiles.append(request.url)
            return
        sizes = request.sizes()
        weights[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    page.on("requestfinished", finished)
    page.goto(f"{live_server_url}/gmina-boleslawiec/")
    page.wait_for_function("() => window.sipPortal !== undefined")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30000)
    page.wait_for_load_state("networkidle")
    # The service worker's installation stores the offline pages and their files too; the page
    # does not see those requests, so they are weighed here (what the page already had excluded).
    precache = page.evaluate(
        "async () => {"
        " const c = await caches.open((await caches.keys()).find(k => k.startsWith('sip-shell-')));"
        " return (await c.keys()).map(r => r.url); }"
    )
    context.close()
    for url in precache:
        if url not in weights:
            _, headers, body = get(url, "")
            weights[url] = len(body) + sum(len(k) + len(v) + 4 for k, v in headers.items())
    total = sum(weights.values())
    report = "\n".join(f"{w:>8} {u}" for u, w in sorted(weights.items(), key=lambda kv: -kv[1]))
    artifact("pwa-first-load.txt").write_text(f"total {total} bytes without {len(tiles)} tiles\n{report}\n")
    assert tiles, "the map asked for no tiles: the page did not draw"
    assert total < 500_000, report
