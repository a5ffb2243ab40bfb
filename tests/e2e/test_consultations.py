"""A resident answers the demo geo-survey on a phone (375 px): chooses, rates, taps a point on
the map, sends, and the answer is stored with the point where the finger was."""

import pytest
from django.contrib.gis.geos import Point

from participation.models import Answer, Consultation, Response
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_resident_answers_a_geo_survey_with_a_map_point_on_a_phone(phone, demo_data, django_db_blocker):
    # The live server reads the committed demo data: the test reads it too, outside a test
    # transaction (transactional_db would empty the tables afterwards), and removes its answer.
    with django_db_blocker.unblock():
        _answer_on_a_phone(phone)


def _answer_on_a_phone(phone):
    page = phone
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    consultation = Consultation.objects.filter(
        gmina__teryt="020101_1", title__startswith="Mała architektura"
    ).get()
    before = set(Response.objects.filter(consultation=consultation).values_list("pk", flat=True))
    page.goto(f"{page.base}/konsultacje/?gmina=boleslawiec")
    page.get_by_role("link", name=consultation.title).click()
    page.wait_for_selector("#survey")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_label("codziennie").check()
    page.get_by_label("ławek").check()
    page.locator("fieldset[data-kind=scale] input[value='4']").check()
    map_box = page.locator("fieldset[data-kind=map] .qmap")
    map_box.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.qmap .leaflet-tile-loaded').length > 0")
    box = map_box.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.wait_for_function(
        "() => document.querySelector('fieldset[data-kind=map] .draw-status')"
        ".textContent.includes('Zaznaczono')"
    )
    # The point the finger touched, as Leaflet reads it (the oracle for the stored point).
    tapped = page.evaluate(
        "([x, y]) => { const el = document.querySelector('fieldset[data-kind=map] .qmap');"
        " const r = el.getBoundingClientRect(); return [x - r.left, y - r.top]; }",
        [x, y],
    )
    page.locator("fieldset[data-kind=map] textarea").fill("Ławka przy placu zabaw")
    shot(page, "ankieta-telefon-mapa")
    page.get_by_role("button", name="Wyślij odpowiedzi").click()
    page.wait_for_selector("#done:not([hidden])")
    shot(page, "ankieta-telefon-wyslano")
    assert not errors, errors
    new = Response.objects.filter(consultation=consultation).exclude(pk__in=before)
    try:
        assert new.count() == 1
        answer = Answer.objects.get(response=new.get(), question__kind="map")
        assert answer.text == "Ławka przy placu zabaw" and answer.geom.geom_type == "Point"
        assert consultation.area.contains(answer.geom)
        assert tapped[0] > 0 and tapped[1] > 0
        # The tap was at the centre of the map, which Leaflet had fitted to the area: the point
        # lies near the centre of the area's bounding box (within a few map pixels).
        xmin, ymin, xmax, ymax = consultation.area.extent
        centre = Point((xmin + xmax) / 2, (ymin + ymax) / 2, srid=2180)
        assert answer.geom.distance(centre) < 150
        choices = {a.question.position: a for a in new.get().answers.select_related("question")}
        assert choices[1].choices == [0] and choices[3].value == 4
    finally:
        new.delete()
