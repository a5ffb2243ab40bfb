"""Incident reports in a real browser: a resident on a phone reports a broken lamp from the map
with a photo and finds it on the tracking page; a staff member changes a status in the panel."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.gis.geos import Point

from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e

LAMP_CATEGORY = "test-e2e-latarnia"


def jpeg_with_gps(path, lat: float, lon: float) -> None:
    """A real small JPEG (Pillow) with a camera's GPS position in its EXIF."""
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    def dms(value: float):
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60 * 1000)
        return (IFDRational(d, 1), IFDRational(m, 1), IFDRational(s, 1000))

    img = Image.new("RGB", (640, 480), (40, 60, 90))
    for x in range(200, 440):
        for y in range(100, 380, 7):
            img.putpixel((x, y), (250, 220, 120))
    exif = Image.Exif()
    exif[0x010F] = "Aparat testowy"  # camera make: must not survive on the server
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif)
    path.write_bytes(buf.getvalue())


@pytest.fixture
def lamp(demo_data, django_db_blocker):
    """A public lamp of Bolesławiec with no other lamp within 15 m (a tap hits only it)."""
    from django.contrib.gis.db.models.functions import Transform

    from inventory.models import LampOnMap

    with django_db_blocker.unblock():
        for lamp in LampOnMap.objects.filter(gmina__slug="boleslawiec", is_public=True).order_by("id")[:50]:
            if not LampOnMap.objects.filter(geom__dwithin=(lamp.geom, 15)).exclude(pk=lamp.pk).exists():
                ll = LampOnMap.objects.annotate(ll=Transform("geom", 4326)).get(pk=lamp.pk).ll
                return {"id": lamp.pk, "number": lamp.external_id, "lat": ll.y, "lon": ll.x}
    raise AssertionError("no lonely public lamp in the demo data")


@pytest.fixture
def cleanup(django_db_blocker):
    """Reports made by a test against the live server are removed afterwards (it keeps its
    database between tests)."""
    made = []
    yield made
    from incidents.models import Report

    with django_db_blocker.unblock():
        for number in made:
            for r in Report.objects.filter(number=number):
                for p in r.photos.all():
                    p.image.delete(save=False)
                r.delete()


def _map_centre(page):
    size = page.evaluate("(() => { const s = window.sipPortal.map.getSize(); return [s.x, s.y]; })()")
    box = page.locator("#map").bounding_box()
    return box["x"] + size[0] / 2, box["y"] + size[1] / 2


def test_resident_reports_a_broken_lamp_from_the_phone_and_tracks_it(
    phone, lamp, tmp_path, cleanup, django_db_blocker
):
    errors = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto(
        f"{phone.base}/boleslawiec/#map=19/{lamp['lat']:.7f}/{lamp['lon']:.7f}&layers=oswietlenie-latarnie"
    )
    phone.wait_for_function("() => window.sipPortal !== undefined")
    phone.locator("#report-button").wait_for(state="visible")
    phone.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 2")
    shot(phone, "incidents-phone-portal")

    # The resident taps the lamp; its popup offers to report a fault of this object.
    phone.mouse.click(*_map_centre(phone))
    action = phone.get_by_role("button", name=re.compile("Zgłoś usterkę tego obiektu"))
    action.wait_for()
    assert lamp["number"] in phone.inner_text(".leaflet-popup-content")
    shot(phone, "incidents-phone-popup")
    action.click()

    panel = phone.locator("#report-panel")
    panel.wait_for(state="visible")
    assert f"nr {lamp['number']}" in phone.inner_text(".rp-object")
    assert "położenie obiektu" in phone.inner_text(".rp-place-status")
    # The categories are grouped, with icons; the lamp's category is chosen by its label.
    phone.locator(".rp-group legend").first.wait_for()
    assert phone.locator(".rp-cat svg use").count() >= phone.locator(".rp-cat").count() > 3
    phone.locator(".rp-cat", has_text="Nie świeci latarnia").click()
    phone.fill("#rp-description", "Latarnia nie świeci od trzech dni, ciemno na przejściu.")
    assert phone.inner_text("#rp-count").startswith("55 / 4000")
    photo = tmp_path / "latarnia.jpg"
    jpeg_with_gps(photo, 51.0, 15.0)  # a position far away: not used, the box stays unticked
    phone.set_input_files("#rp-photo-input", str(photo))
    phone.locator(".rp-thumbs li").wait_for()
    assert "z położeniem" in phone.inner_text(".rp-thumbs")
    assert not phone.is_checked("#rp-photo-location")
    phone.fill("#rp-email", "mieszkaniec@example.org")
    shot(phone, "incidents-phone-form")

    phone.get_by_role("button", name="Wyślij zgłoszenie").click()
    done = phone.locator(".rp-done")
    done.wait_for(state="visible")
    text = done.inner_text()
    number = re.search(r"ZG/\d{4}/\d{6}", text).group(0)
    cleanup.append(number)
    # The lamp's register rule names its operator; the answer says where the report went.
    assert re.search(r"Trafiło do: |Ta sprawa należy do: ", text)
    link = phone.locator(".rp-track-link")
    href = link.get_attribute("href")
    assert re.search(r"/zgloszenia/[\w-]{20,}/$", href)
    shot(phone, "incidents-phone-done")

    with django_db_blocker.unblock():
        from PIL import Image

        from incidents.models import Report

        report = Report.objects.get(number=number)
        assert report.register == "lamps" and report.register_item_id == lamp["id"]
        assert report.responsible_unit.name in text
        assert report.reporter_email == "mieszkaniec@example.org"
        # The lamp's own position, not the photo's (the box was not ticked).
        lamp_point = Point(lamp["lon"], lamp["lat"], srid=4326).transform(2180, clone=True)
        assert report.point.distance(lamp_point) < 1
        assert report.photos.count() == 1
        with report.photos.get().image.open("rb") as f:
            stored = Image.open(f)
            assert not stored.getexif()  # camera, GPS: all gone

    # The tracking link shows the report, without the resident's e-mail.
    phone.goto(href)
    phone.locator("#track-title").wait_for()
    assert phone.inner_text("#track-title") == number
    page_text = phone.inner_text("main")
    assert "Nie świeci latarnia" in page_text and "mieszkaniec@example.org" not in page_text
    assert "Zgłoszenie przyjęte" in page_text
    phone.wait_for_function("() => window.sipReportMap !== undefined")
    shot(phone, "incidents-phone-tracking")
    assert not _serious(phone)
    assert not errors, errors


@pytest.fixture
def staff_report(demo_data, django_db_blocker, cleanup):
    """A new report in Bolesławiec made through the service, as the form makes it."""
    from incidents import services
    from incidents.models import Category

    with django_db_blocker.unblock():
        submitted = services.create_report(
            point=Point(15.5697, 51.2636, srid=4326),
            category=Category.objects.get(code=LAMP_CATEGORY_CODE()),
            description="Nie świeci latarnia przy rynku (test panelu).",
            reporter_email="ktos@example.org",
        )
        report = submitted.report
    cleanup.append(report.number)
    return report


def LAMP_CATEGORY_CODE() -> str:  # noqa: N802 - the demo's code, looked up once
    from incidents.models import Category

    return (
        Category.objects.filter(name__icontains="latarnia").order_by("id").values_list("code", flat=True)[0]
    )


def test_staff_member_changes_a_status_in_the_panel(page, staff_report, django_db_blocker):
    page.goto(f"{page.base}/admin/login/?next=/zgloszenia/panel/")
    page.fill("#id_username", "redaktor-boleslawiec")
    page.fill("#id_password", "sip-demo")
    page.click("input[type=submit]")
    page.locator("#reports").wait_for()
    page.select_option("select[name=sort]", "newest")
    page.get_by_role("button", name="Filtruj").click()
    row_link = page.get_by_role("link", name=staff_report.number)
    row_link.wait_for()
    page.wait_for_function("() => window.sipPanelMap !== undefined")
    shot(page, "incidents-panel")
    assert not _serious(page)
    row_link.click()
    page.locator("#form-status").wait_for()
    page.select_option("#id_status", "w_realizacji")
    page.fill("#id_status_public", "Zlecono naprawę firmie oświetleniowej.")
    page.fill("#id_status_internal", "Zlecenie 12/2026, kontakt p. Nowak.")
    page.get_by_role("button", name="Zapisz status").click()
    page.locator(".messages p").wait_for()
    assert page.inner_text("#report-status") == "w realizacji"
    assert "Zlecenie 12/2026" in page.inner_text(".staff-history")
    shot(page, "incidents-panel-report")
    assert not _serious(page)
    with django_db_blocker.unblock():
        staff_report.refresh_from_db()
        assert staff_report.status == "w_realizacji"
    page.goto(f"{page.base}/zgloszenia/{staff_report.token}/")
    text = page.inner_text("main")
    assert "Zlecono naprawę firmie oświetleniowej." in text and "Zlecenie 12/2026" not in text


def _serious(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_report_form_is_accessible_and_usable_by_keyboard(page, demo_data):
    page.goto(f"{page.base}/boleslawiec/")
    page.wait_for_function("() => window.sipPortal !== undefined")
    page.locator("#report-button").focus()
    page.keyboard.press("Enter")
    page.locator(".rp-group legend").first.wait_for()
    assert page.evaluate("document.activeElement.id") == "rp-title"
    # Place by keyboard: the map's centre; then a category with the keyboard.
    page.get_by_role("button", name="Środek mapy").focus()
    page.keyboard.press("Enter")
    assert "środek mapy" in page.inner_text(".rp-place-status")
    page.locator(".rp-cat input").first.focus()
    page.keyboard.press("Space")
    assert page.locator(".rp-cat input:checked").count() == 1
    # Sending without a description: the error is next to the field, which gets the focus.
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    page.locator("#rp-err-description").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "rp-description"
    assert page.get_attribute("#rp-description", "aria-invalid") == "true"
    assert not _serious(page)
    # Escape closes the panel and gives the focus back; what was chosen is kept.
    page.keyboard.press("Escape")
    page.locator("#report-panel").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == "report-button"
    page.click("#report-button")
    assert page.locator(".rp-cat input:checked").count() == 1
