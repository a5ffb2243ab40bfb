"""The offline outbox of incident reports (geoportal/static/geoportal/pwa/outbox.js), at unit
level: the module on a SIP page, sending through a stand-in of incidents' submitReport that
POSTs the documented multipart body to /api/incidents/reports/, which Playwright answers in
place of the server (the incidents API is another branch). What arrives is parsed here and the
photos' SHA-256 compared with the originals: the bytes the browser sent, since the real server
re-encodes images (sip/images.py) and the stored files cannot equal the originals."""

from __future__ import annotations

import hashlib
import json
import os
from email.parser import BytesParser
from email.policy import default

import pytest

from tests.e2e import test_incidents
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

# The incidents tests' fixtures: a lonely public lamp, and removal of the reports made.
lamp = test_incidents.lamp
cleanup = test_incidents.cleanup

MODULE = """
import { createOutbox, mountOutbox } from "/static/geoportal/pwa/outbox.js";
// The shape of incidents' submitReport(payload, photos): multipart POST, the server's JSON
// back, an error with `status` for a refusal, the fetch's TypeError without network.
async function send(payload, photos) {
  const form = new FormData();
  for (const [key, value] of Object.entries(payload)) form.append(key, String(value));
  photos.forEach((p) => form.append("photos", p, p.name));
  const resp = await fetch("/api/incidents/reports/", { method: "POST", body: form });
  const body = await resp.json();
  if (!resp.ok) { const err = new Error(body.detail); err.status = resp.status; throw err; }
  return body;
}
const outbox = createOutbox({ send });
const box = document.createElement("section");
box.id = "outbox";
box.hidden = true;
document.querySelector("main").prepend(box);
mountOutbox(box, outbox);
outbox.start();
window.testOutbox = outbox;
"""

SUBMIT = """async ([a, b]) => {
  const photos = [new File([new Uint8Array(a)], "dziura.jpg", {type: "image/jpeg"}),
                  new File([new Uint8Array(b)], "znak.png", {type: "image/png"})];
  const r = await window.testOutbox.submit(
    {category: "drogi-dziura", description: "Dziura w jezdni", lat: 51.2636, lon: 15.5697}, photos);
  return {sent: r.sent, id: (r.record || {}).client_request_id};
}"""


@pytest.fixture
def outbox_page(live_server_url, browser):
    # No service worker: Playwright routes only requests that no worker handles.
    context = browser.new_context(locale="pl-PL", bypass_csp=True, service_workers="block")
    page = context.new_page()
    page.base = live_server_url
    yield page
    context.close()


def parse(request) -> dict:
    body = request.post_data_buffer
    message = BytesParser(policy=default).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + body
    )
    fields, photos = {}, []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            photos.append(hashlib.sha256(part.get_payload(decode=True)).hexdigest())
        else:
            fields[name] = part.get_content()
    return {"fields": fields, "photos": photos}


# The outbox is asked in the page until it is empty. (wait_for_function does not await an async
# predicate: its Promise is truthy at once, so it returned before anything was sent.)
UNTIL_EMPTY = """async () => {
  for (let i = 0; i < 300; i++) {
    if ((await window.testOutbox.list()).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}"""


def wait_until_empty(page):
    assert page.evaluate(UNTIL_EMPTY), "the outbox still holds the report after 15 s"


def open_page(page, server):
    page.route("**/api/incidents/reports/", server)
    # The module alone: the page's own app outbox (pwa/app.js, with the real submitReport) would
    # share its IndexedDB store and send the same reports past this stand-in.
    page.route(
        "**/static/geoportal/pwa/app.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    page.goto(f"{page.base}/offline/")
    page.add_script_tag(type="module", content=MODULE)
    page.wait_for_function("() => window.testOutbox !== undefined")


def test_offline_report_waits_and_arrives_once_with_its_photos(outbox_page):
    page = outbox_page
    photo_a, photo_b = os.urandom(50_000), os.urandom(20_000)
    originals = [hashlib.sha256(photo_a).hexdigest(), hashlib.sha256(photo_b).hexdigest()]
    arrived = []
    state = {"status": 201}

    def server(route):
        if state["status"] is None:
            route.abort("internetdisconnected")
            return
        if state["status"] != 201:
            route.fulfill(status=state["status"], json={"detail": "Błąd serwera."})
            return
        arrived.append(parse(route.request))
        route.fulfill(status=201, json={"outcome": "created", "number": f"Z/{len(arrived)}"})

    open_page(page, server)
    page.context.set_offline(True)
    state["status"] = None
    queued = page.evaluate(SUBMIT, [list(photo_a), list(photo_b)])
    assert queued["sent"] is False
    page.get_by_text("Oczekujące (1)").wait_for()
    assert page.get_by_role("button", name="Wyślij teraz").is_visible()
    assert arrived == []

    # The network returns: the "online" event sends it, and it leaves the outbox.
    state["status"] = 201
    page.context.set_offline(False)
    wait_until_empty(page)
    assert len(arrived) == 1
    assert arrived[0]["fields"]["client_request_id"] == queued["id"]
    assert arrived[0]["fields"]["description"] == "Dziura w jezdni"
    assert arrived[0]["photos"] == originals
    page.locator("#outbox").wait_for(state="hidden")
    # Nothing is sent twice: another flush finds nothing.
    page.evaluate("() => window.testOutbox.flush()")
    assert len(arrived) == 1


def test_a_server_error_keeps_the_report_until_a_later_start(outbox_page):
    page = outbox_page
    photo_a, photo_b = os.urandom(30_000), os.urandom(10_000)
    arrived, failures = [], []
    state = {"status": 500}

    def server(route):
        if state["status"] != 201:
            failures.append(parse(route.request)["fields"]["client_request_id"])
            route.fulfill(status=state["status"], json={"detail": "Błąd serwera."})
            return
        arrived.append(parse(route.request))
        route.fulfill(status=201, json={"outcome": "created", "number": "Z/1"})

    open_page(page, server)
    queued = page.evaluate(SUBMIT, [list(photo_a), list(photo_b)])
    assert queued["sent"] is False and failures == [queued["id"]]
    page.get_by_text("Oczekujące (1)").wait_for()
    # "Wyślij teraz" against the failing server: still waiting, the same id tried again.
    page.get_by_role("button", name="Wyślij teraz").click()
    page.get_by_text("Nie udało się wysłać").wait_for()
    assert failures == [queued["id"], queued["id"]]
    assert page.get_by_text("Oczekujące (1)").is_visible()
    assert arrived == []

    # The next start of the app (no Background Sync): sent then, once, with the same photos.
    state["status"] = 201
    page.reload()
    page.add_script_tag(type="module", content=MODULE)
    page.wait_for_function("() => window.testOutbox !== undefined")
    wait_until_empty(page)
    assert len(arrived) == 1
    assert arrived[0]["fields"]["client_request_id"] == queued["id"]
    assert arrived[0]["photos"] == [hashlib.sha256(photo_a).hexdigest(), hashlib.sha256(photo_b).hexdigest()]
    assert json.loads(json.dumps(arrived[0]["fields"]))["lat"] == "51.2636"


# --- through the real report form and the real incidents API -----------------------------------


def _fill_report(phone, lamp, photos):
    from tests.e2e.test_incidents import _map_centre

    phone.goto(
        f"{phone.base}/boleslawiec/#map=19/{lamp['lat']:.7f}/{lamp['lon']:.7f}&layers=oswietlenie-latarnie"
    )
    phone.wait_for_function("() => window.sipPortal !== undefined && window.sipOutbox !== undefined")
    phone.locator("#report-button").wait_for(state="visible")
    phone.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 2")
    phone.mouse.click(*_map_centre(phone))
    phone.get_by_role("button", name="Zgłoś usterkę tego obiektu").click()
    phone.locator(".rp-group legend").first.wait_for()
    phone.locator(".rp-cat", has_text="Nie świeci latarnia").click()
    phone.fill("#rp-description", "Latarnia nie świeci, zgłoszenie wysłane bez zasięgu.")
    phone.set_input_files("#rp-photo-input", [str(p) for p in photos])
    phone.wait_for_function("(n) => document.querySelectorAll('.rp-thumbs li').length === n", arg=len(photos))


def test_report_form_offline_goes_to_the_outbox_and_arrives_once(
    phone, lamp, tmp_path, cleanup, django_db_blocker
):
    from PIL import Image

    from incidents.models import Report
    from tests.e2e.test_incidents import jpeg_with_gps

    photos = [tmp_path / "latarnia-1.jpg", tmp_path / "latarnia-2.jpg"]
    jpeg_with_gps(photos[0], 51.0, 15.0)
    jpeg_with_gps(photos[1], 51.1, 15.1)
    originals = [hashlib.sha256(p.read_bytes()).hexdigest() for p in photos]
    _fill_report(phone, lamp, photos)

    phone.context.set_offline(True)
    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    phone.get_by_text("Zgłoszenie czeka na wysłanie").wait_for()
    phone.get_by_text("Oczekujące (1)").wait_for()
    pending = phone.evaluate(
        "async () => (await (await window.sipOutbox).list()).map(r => r.client_request_id)"
    )
    assert len(pending) == 1
    # The photos wait in IndexedDB byte for byte (the outbox sends these Blobs unchanged: see the
    # test above, where the bytes that arrived are hashed).
    stored_hashes = phone.evaluate(
        "async () => { const [r] = await (await window.sipOutbox).list(); const out = [];"
        " for (const p of r.photos) {"
        " const d = await crypto.subtle.digest('SHA-256', await p.blob.arrayBuffer());"
        " out.push([...new Uint8Array(d)].map(b => b.toString(16).padStart(2, '0')).join('')); }"
        " return out; }"
    )
    assert stored_hashes == originals
    shot(phone, "outbox-pending")

    phone.context.set_offline(False)  # the "online" event sends it
    assert phone.evaluate(UNTIL_EMPTY.replace("window.testOutbox", "(await window.sipOutbox)"))
    phone.locator("#app-outbox").wait_for(state="hidden")
    with django_db_blocker.unblock():
        stored = list(Report.objects.filter(client_request_id=pending[0]))
        cleanup.extend(r.number for r in stored)
        assert len(stored) == 1
        report = stored[0]
        assert report.photos.count() == 2
        # The server re-encodes images (sip/images.py: no EXIF, new JPEG): the stored files
        # cannot have the originals' bytes; their pictures have the originals' size.
        for p in report.photos.all():
            with p.image.open("rb") as fh:
                assert Image.open(fh).size == (640, 480)


def test_report_form_server_error_keeps_the_report_queued(phone, lamp, tmp_path, cleanup, django_db_blocker):
    from incidents.models import Report
    from tests.e2e.test_incidents import jpeg_with_gps

    photos = [tmp_path / "a.jpg", tmp_path / "b.jpg"]
    jpeg_with_gps(photos[0], 51.0, 15.0)
    jpeg_with_gps(photos[1], 51.1, 15.1)
    phone.route(
        "**/api/incidents/reports/",
        lambda route: (
            route.fulfill(status=500, json={"detail": "Błąd serwera."})
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    _fill_report(phone, lamp, photos)
    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    phone.get_by_text("Zgłoszenie czeka na wysłanie").wait_for()
    phone.get_by_text("Oczekujące (1)").wait_for()
    phone.get_by_role("button", name="Wyślij teraz").click()
    phone.get_by_text("Nie udało się wysłać").wait_for()
    pending = phone.evaluate(
        "async () => (await (await window.sipOutbox).list()).map(r => r.client_request_id)"
    )
    assert len(pending) == 1
    with django_db_blocker.unblock():
        assert not Report.objects.filter(client_request_id=pending[0]).exists()
