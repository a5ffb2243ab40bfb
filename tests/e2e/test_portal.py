"""The geoportal in a real browser: search, highlight, permalink, tools, phone, accessibility."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def open_portal(page, slug="gmina-boleslawiec", hash_=""):
    page.goto(f"{page.base}/{slug}/{hash_}")
    page.wait_for_function("() => window.sipPortal !== undefined")


def set_view(page, lat: float, lon: float, zoom: int) -> None:
    """Move the map and return once Leaflet has finished moving (its zoom may be animated)."""
    page.evaluate(
        "([lat, lon, zoom]) => new Promise(done => {"
        " const m = window.sipPortal.map; m.once('moveend', () => done()); m.setView([lat, lon], zoom); })",
        [lat, lon, zoom],
    )


def test_search_a_parcel_and_see_it_highlighted(page, demo_data):
    open_portal(page)
    page.fill("#search-input", "15 kruszyn")
    option = page.locator("#search-results li").first
    option.wait_for()
    assert "Działka 15, obręb Kruszyn" in option.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.sipPortal.highlight.getLayers().length === 1")
    assert "Działka: Działka 15, obręb Kruszyn" in page.inner_text("#search-status")
    # The map moved to the parcel: it is in view and the view is close up.
    in_view = page.evaluate(
        "(() => { const p = window.sipPortal; return p.map.getBounds().contains(p.highlight.getBounds()) "
        "&& p.map.getZoom() >= 15; })()"
    )
    assert in_view
    assert page.locator("path.leaflet-interactive[stroke='#e08a00']").count() == 1
    shot(page, "portal-parcel-search")


def test_search_an_address(page, demo_data):
    open_portal(page, "boleslawiec")
    page.fill("#search-input", "garncarska 1")
    page.locator("#search-results li[data-kind=address]").first.wait_for()
    page.locator("#search-results li[data-kind=address]").first.click()
    page.wait_for_function("() => window.sipPortal.map.getZoom() === 18")
    assert page.locator("#search-status").inner_text().startswith("Adres: ul. Garncarska")


def test_permalink_restores_the_view(page, demo_data, browser):
    open_portal(page, "nowogrodziec")
    page.evaluate("window.sipPortal.map.setView([51.2, 15.40], 16)")
    page.wait_for_function("() => location.hash.includes('map=16/51.2')")
    url = page.url
    other = browser.new_page()
    other.goto(url)
    other.wait_for_function("() => window.sipPortal !== undefined")
    centre = other.evaluate(
        "(() => { const c = window.sipPortal.map.getCenter(); return [c.lat, c.lng]; })()"
    )
    assert other.evaluate("window.sipPortal.map.getZoom()") == 16
    assert centre == pytest.approx([51.2, 15.40], abs=1e-5)
    other.close()


def test_orthophoto_unreachable_degrades_to_a_message(page, demo_data):
    open_portal(page)
    page.check("input[name=base][value=ortho]")
    page.locator("#notice").wait_for(state="visible")
    assert "Ortofotomapa jest teraz niedostępna" in page.inner_text("#notice")
    assert page.evaluate("window.sipPortal.map.getZoom()") > 0  # the map still works


def test_measure_distance(page, demo_data):
    open_portal(page, "boleslawiec")
    set_view(page, 51.2636, 15.5697, 16)
    page.click("#tools-panel summary")
    page.click("#tool-distance")
    box = page.locator("#map").bounding_box()
    a = (box["x"] + 400, box["y"] + 300)
    b = (box["x"] + 700, box["y"] + 300)
    page.mouse.click(*a)
    page.mouse.click(*b)
    text = page.inner_text("#measure-result")
    expected = page.evaluate(
        "(() => { const m = window.sipPortal.map; return m.distance("
        "m.containerPointToLatLng([400, 300]), m.containerPointToLatLng([700, 300])); })()"
    )
    value = float(text.split(":")[1].strip().split()[0].replace(",", "."))
    assert text.startswith("Odległość") and value == pytest.approx(expected, abs=0.2)


def test_phone_viewport(phone, demo_data):
    phone.goto(f"{phone.base}/boleslawiec/")
    phone.wait_for_function("() => window.sipPortal !== undefined")
    assert phone.get_attribute("#sidebar-toggle", "aria-expanded") == "false"
    map_box = phone.locator("#map").bounding_box()
    assert map_box["width"] >= 370  # the map takes the whole phone width
    shot(phone, "portal-phone-closed")
    phone.tap("#sidebar-toggle")
    phone.locator("#search-input").wait_for(state="visible")
    assert phone.get_attribute("#sidebar-toggle", "aria-expanded") == "true"
    # The sidebar slides in (a CSS transition): measure it once no transition runs on it.
    # getAnimations() sees transitions that are pending or running.
    phone.wait_for_function("() => document.getElementById('sidebar').getAnimations().length === 0")
    box = phone.locator("#sidebar").bounding_box()
    assert box["x"] == 0 and box["width"] > 300
    # The search box is on top: nothing of the map covers it.
    assert (
        phone.evaluate(
            "(() => { const r = document.getElementById('search-input').getBoundingClientRect();"
            " return document.elementFromPoint(r.x + 20, r.y + 10).id; })()"
        )
        == "search-input"
    )
    shot(phone, "portal-phone-menu")


@pytest.mark.django_db
def test_phone_first_view_shows_villages_and_roads(phone, demo_data):
    """The first view of a gmina on a phone is the gmina with its roads and places on Mapa SIP,
    not an outline on an empty map: the base map's tiles of that view hold drawings in the
    colours of the roads' classes at that scale."""
    import io

    import numpy as np
    from PIL import Image

    from layers.models import Layer

    tiles = []

    def collect(response):
        params = {k.lower(): v for k, v in parse_qsl(urlsplit(response.url).query)}
        if "/ows/wms" in response.url and params.get("request") == "GetMap" and "ulice" in params["layers"]:
            tiles.append(response)

    phone.on("response", collect)
    phone.goto(f"{phone.base}/boleslawiec/")
    phone.wait_for_function("() => window.sipPortal !== undefined")
    phone.wait_for_load_state("networkidle")
    # The whole gmina is in view, at a gmina scale (the scale bar's 1:n on the ground).
    in_view = phone.evaluate(
        "(() => { const p = window.sipPortal; const g = p.config.gmina.bounds;"
        " return p.map.getBounds().pad(0.05).contains(L.latLngBounds(g)); })()"
    )
    assert in_view
    assert tiles and all(r.status == 200 for r in tiles)
    images = [np.asarray(Image.open(io.BytesIO(r.body())).convert("RGBA")) for r in tiles]
    drawn = [img for img in images if len({tuple(c) for c in img.reshape(-1, 4)}) > 1]
    assert drawn, "every tile of the base map is a single colour"
    pixels = np.concatenate([img.reshape(-1, 4) for img in images])
    opaque = pixels[pixels[:, 3] > 200][:, :3].astype(int)
    road_colours = {
        r.stroke_colour
        for r in Layer.objects.get(name="ulice").style.rules.all()
        if r.stroke_colour and (r.min_scale or 0) >= 10_000
    }
    seen = [
        c
        for c in road_colours
        if (np.abs(opaque - [int(c[i : i + 2], 16) for i in (1, 3, 5)]) <= 8).all(1).sum() > 20
    ]
    assert seen, f"no road of the gmina view drawn (colours {sorted(road_colours)})"
    shot(phone, "portal-phone-first-view")


def test_accessibility_axe(page, demo_data):
    from axe_playwright_python.sync_playwright import Axe

    for path in ("/", "/boleslawiec/"):
        page.goto(page.base + path)
        page.wait_for_load_state("networkidle")
        results = Axe().run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious]


def test_first_load_is_small(page, demo_data):
    sizes = []
    page.on("response", lambda r: sizes.append(len(r.body())) if "/ows/" not in r.url and r.ok else None)
    open_portal(page, "gmina-boleslawiec")
    page.wait_for_load_state("networkidle")
    assert sum(sizes) < 500_000, f"first load transferred {sum(sizes)} bytes"


def test_toggle_a_layer_and_see_its_tiles_load(page, demo_data):
    open_portal(page, "boleslawiec")
    tiles = []

    def collect(response):
        params = {k.lower(): v for k, v in parse_qsl(urlsplit(response.url).query)}
        if "/ows/wms" in response.url and params.get("layers") == "plany":
            tiles.append((response, params))

    page.on("response", collect)
    box = page.locator("#layer-plany")
    assert not box.is_checked()
    box.check()
    page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 4")
    # Every tile of the layer has come (loaded or failed): their answers are all in `tiles`.
    page.wait_for_function(
        "() => { const own = [...document.querySelectorAll('img.leaflet-tile')]"
        ".filter(i => /[?&]layers=plany(&|$)/i.test(i.src));"
        " return own.length > 0 && own.every(i => i.complete); }"
    )
    assert tiles and all(r.status == 200 and r.headers["content-type"] == "image/png" for r, _ in tiles)
    assert all(p["width"] == "256" and p["height"] == "256" for _, p in tiles)
    assert "layers=plany" in page.url
    # The legend of the layer is shown while it is on.
    legend = "#layer-tree img[alt='Legenda: Plany miejscowe i plany ogólne – granice']"
    page.wait_for_function(f'() => document.querySelector("{legend}").naturalWidth > 0')
    assert page.locator(legend).is_visible()
    shot(page, "portal-layer-plany")


@pytest.mark.django_db
def test_click_a_parcel_and_read_its_identifier(page, demo_data):
    from sip.models import Parcel

    parcel = Parcel.objects.get(identifier="020101_1.0002.40")
    point = parcel.geom.point_on_surface.transform(4326, clone=True)
    open_portal(page, "boleslawiec")
    set_view(page, point.y, point.x, 18)
    size = page.evaluate("(() => { const s = window.sipPortal.map.getSize(); return [s.x, s.y]; })()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + size[0] / 2, box["y"] + size[1] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "020101_1.0002.40" in popup.inner_text()
    assert "identyfikator działki" in popup.inner_text()
    shot(page, "portal-popup")


@pytest.mark.django_db
def test_search_a_grave_and_see_the_route_drawn(page, demo_data):
    from cemetery_routing.models import Burial

    burial = (
        Burial.objects.filter(is_public=True, grave__cemetery__gmina__slug="boleslawiec")
        .exclude(grave__section__name__icontains="budow")
        .order_by("id")
        .first()
    )
    open_portal(page, "boleslawiec")
    page.fill("#search-input", f"{burial.surname} {burial.first_name}")
    option = page.locator("#search-results li[data-kind=grave]").first
    option.wait_for()
    option.click()
    page.locator("#grave-panel ol.steps li").first.wait_for()
    summary = page.inner_text("#grave-panel .route-summary")
    assert summary.startswith("Trasa od bramy") and "min pieszo" in summary
    steps = page.locator("#grave-panel ol.steps li").all_inner_texts()
    assert len(steps) >= 2 and any(s.startswith(("Skręć", "Idź", "Wejdź", "Grób")) for s in steps), steps
    assert page.locator("path.leaflet-interactive[stroke='#c51b7d']").count() == 1
    shot(page, "portal-grave-route")


def test_print_a_pdf_of_the_view(page, demo_data):
    open_portal(page, "boleslawiec")
    set_view(page, 51.2636, 15.5697, 17)
    page.click("#print-panel summary")
    page.select_option("#print-scale", "1000")
    page.select_option("#print-paper", "A3")
    with page.expect_popup() as popup_info:
        page.click("#print-form button[type=submit]")
    popup = popup_info.value
    params = dict(parse_qsl(urlsplit(popup.url).query))
    assert params["scale"] == "1000" and params["paper"] == "A3" and params["gmina"] == "boleslawiec"
    lon, lat = (float(v) for v in params["center"].split(","))
    assert (lat, lon) == pytest.approx((51.2636, 15.5697), abs=1e-4)
    resp = page.request.get(popup.url)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.body()[:5] == b"%PDF-"


def test_planner_issues_an_extract_from_a_found_parcel(page, demo_data):
    page.goto(f"{page.base}/admin/login/?next=/boleslawiec/")
    page.fill("#id_username", "planista-boleslawiec")
    page.fill("#id_password", "sip-demo")
    page.click("input[type=submit]")
    page.wait_for_function("() => window.sipPortal !== undefined")
    page.fill("#search-input", "020101_1.0002.40")
    page.locator("#search-results li[data-kind=parcel]").first.wait_for()
    page.keyboard.press("Enter")
    link = page.locator("#extract-link a")
    link.wait_for()
    assert "020101_1.0002.40" in link.inner_text()
    link.click()
    page.wait_for_load_state()
    assert "/planowanie/nowa/" in page.url
    assert page.input_value("textarea[name=parcels], input[name=parcels]") == "020101_1.0002.40"


def test_no_extract_button_for_residents(page, demo_data):
    open_portal(page, "boleslawiec")
    page.fill("#search-input", "020101_1.0002.40")
    page.locator("#search-results li[data-kind=parcel]").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.sipPortal.highlight.getLayers().length === 1")
    assert page.locator("#extract-link a").count() == 0


@pytest.mark.django_db
def test_cemetery_page_search_lists_the_buried_with_their_grave_cards(page, demo_data):
    """/cmentarze/ asks /api/cemetery/burials/: each hit names a person and links to the card of
    the grave (not a burial id under the graves path); no console errors (favicon included)."""
    from cemetery_routing.models import Burial

    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    burial = Burial.objects.filter(is_public=True).order_by("id").first()
    page.goto(f"{page.base}/cmentarze/")
    page.fill("#q", f"{burial.surname} {burial.first_name}")
    page.press("#q", "Enter")
    link = page.locator("#results li a").first
    link.wait_for()
    hrefs = page.locator("#results li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert f"/cmentarze/grob/{burial.grave_id}/" in hrefs
    assert burial.surname in page.inner_text("#results")
    assert not errors, errors


def test_the_language_switch_gives_the_english_portal(page, demo_data):
    """The button in the bar switches to English: the page's texts come from locale/en and the
    script's from the JavaScript catalogue; the other button goes back to Polish."""
    open_portal(page, "nowogrodziec")
    assert page.locator("#layers-panel summary").inner_text() == "Warstwy"
    with page.expect_navigation():
        page.click("header form.lang button[value=en]")
    page.wait_for_function("() => document.documentElement.lang === 'en' && window.sipPortal !== undefined")
    assert page.locator("#layers-panel summary").inner_text() == "Layers"
    page.fill("#search-input", "k")
    page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
    assert page.inner_text("#search-status") == "Type at least two characters."
    with page.expect_navigation():
        page.click("header form.lang button[value=pl]")
    page.wait_for_function("() => document.documentElement.lang === 'pl' && window.sipPortal !== undefined")
    assert page.locator("#layers-panel summary").inner_text() == "Warstwy"
