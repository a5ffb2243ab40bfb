"""Comments on a draft plan: submitted during the inspection with the data the planning act
requires, refused after the deadline with the date, placed by parcel or on the map, decided by
the gmina's planner, exported as XLSX and PDF; the public list carries no personal data."""

from __future__ import annotations

import io

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from participation.comments import services
from participation.models import PlanInspection
from planning.models import Plan
from sip.tenancy import PLANNER
from tests.conftest import ObrebFactory, ParcelFactory, make_user
from tests.utils import pdf_text

from .consult_fixtures import lonlat, make_draft_plan, make_inspection

pytestmark = pytest.mark.django_db

PERSON = {
    "author": "Zofia Poufna-Testowa",
    "address": "ul. Ukryta 13, 59-700 Bolesławiec",
    "email": "zofia.poufna@example.org",
    "text": "Proszę o zmianę przeznaczenia mojej działki na zabudowę jednorodzinną.",
}


def _point_form(gmina, dx=1500, dy=1500):
    lon, lat = lonlat(gmina, dx, dy)
    return f'{{"type": "Point", "coordinates": [{lon}, {lat}]}}'


def submit_page(client, inspection, **fields):
    return client.post(f"/konsultacje/wylozenia/{inspection.pk}/", {**PERSON, **fields})


def test_a_comment_on_the_map_gets_the_next_number_and_a_generalised_place(client, gmina):
    ObrebFactory(gmina=gmina, name="Obręb Parkowy")
    inspection = make_inspection(gmina)
    resp = submit_page(client, inspection, geometry=_point_form(gmina, 1530, 1570), holds_land="on")
    assert resp.status_code == 200, resp.content.decode()[-2000:]
    assert "numer 1" in resp.content.decode()
    resp = submit_page(client, inspection, geometry=_point_form(gmina, 1600, 1700))
    comment = inspection.comments.get(number=1)
    assert comment.holds_land and comment.obreb_name == "Obręb Parkowy"
    assert inspection.comments.count() == 2
    # Oracle: the point lies 1500 m from the gmina's corner; its 100 m cell's centre is published.
    xmin, ymin, _, _ = gmina.boundary.extent
    x, y = xmin + 1530, ymin + 1570
    assert abs(comment.geom.x - x) < 0.05
    expected = (x // 100 * 100 + 50, y // 100 * 100 + 50)
    assert (round(comment.public_point.x, 3), round(comment.public_point.y, 3)) == expected


def test_a_comment_on_a_parcel_is_checked_through_the_parcel_lookup(client, gmina, other_gmina):
    inspection = make_inspection(gmina)
    parcel = ParcelFactory(obreb=ObrebFactory(gmina=gmina), geom=_parcel_square(gmina))
    foreign = ParcelFactory(obreb=ObrebFactory(gmina=other_gmina))
    resp = submit_page(client, inspection, parcel_identifier=parcel.identifier)
    assert resp.status_code == 200
    assert inspection.comments.get().parcel_identifier == parcel.identifier
    resp = submit_page(client, inspection, parcel_identifier=f"{gmina.teryt}.9999.77777")
    assert resp.status_code == 400 and "Nie ma działki" in resp.content.decode()
    resp = submit_page(client, inspection, parcel_identifier=foreign.identifier)
    assert resp.status_code == 400 and "innej gminie" in resp.content.decode()
    resp = submit_page(client, inspection, parcel_identifier="działka 12")
    assert resp.status_code == 400 and "Nieprawidłowy identyfikator" in resp.content.decode()
    resp = submit_page(client, inspection)
    assert resp.status_code == 400 and "Wskaż miejsce" in resp.content.decode()
    assert inspection.comments.count() == 1


def _parcel_square(gmina):
    from tests.conftest import square

    xmin, ymin, _, _ = gmina.boundary.extent
    return square(xmin + 1500, ymin + 1500, 30)


def test_required_fields_and_a_place_outside_the_plan(client, gmina):
    inspection = make_inspection(gmina)
    resp = submit_page(client, inspection, author="", geometry=_point_form(gmina))
    assert resp.status_code == 400
    resp = submit_page(client, inspection, geometry=_point_form(gmina, 100, 100))  # outside the draft's area
    assert resp.status_code == 400 and "poza obszarem projektu" in resp.content.decode()
    resp = submit_page(client, inspection, geometry='{"type": "Point", "coordinates": [2.35, 48.85]}')
    assert resp.status_code == 400 and "poza obszarem Polski" in resp.content.decode()
    resp = submit_page(client, inspection, geometry="nie-json")
    assert resp.status_code == 400
    assert not inspection.comments.exists()


def test_comments_after_the_deadline_are_refused_with_the_date(client, gmina):
    inspection = make_inspection(gmina, starts=-20, ends=-1)
    resp = submit_page(client, inspection, geometry=_point_form(gmina))
    assert resp.status_code == 400
    assert f"minął {inspection.ends_on:%d.%m.%Y} r." in resp.content.decode()
    with pytest.raises(services.InspectionClosed, match=f"{inspection.ends_on:%d.%m.%Y}"):
        services.submit_comment(
            inspection=inspection, geom=Point(*lonlat(gmina, 1500, 1500), srid=4326), **PERSON
        )
    planned = make_inspection(gmina, starts=3, ends=30)
    with pytest.raises(services.InspectionClosed, match=f"{planned.starts_on:%d.%m.%Y}"):
        services.submit_comment(
            inspection=planned, geom=Point(*lonlat(gmina, 1500, 1500), srid=4326), **PERSON
        )
    assert not inspection.comments.exists() and not planned.comments.exists()


def test_only_a_draft_plan_is_laid_out(gmina):
    plan = make_draft_plan(gmina)
    plan.status = Plan.Status.IN_FORCE
    plan.save()
    inspection = PlanInspection(gmina=gmina, plan=plan, starts_on="2026-01-01", ends_on="2026-02-01")
    with pytest.raises(ValidationError, match="projekt planu"):
        inspection.full_clean()


def _comment(inspection, gmina, **extra):
    return services.submit_comment(
        inspection=inspection, geom=Point(*lonlat(gmina, 1500, 1500), srid=4326), **{**PERSON, **extra}
    )


def test_the_planner_decides_and_reasons_are_required_for_refusals(client, gmina, planner, other_gmina):
    inspection = make_inspection(gmina)
    comment = _comment(inspection, gmina)
    url = f"/konsultacje/wylozenia/{inspection.pk}/uwagi/{comment.number}/rozstrzygnij/"
    client.force_login(make_user("planista-inny", PLANNER, other_gmina))
    assert client.post(url, {"decision": "accepted"}).status_code == 403
    assert client.get(f"/konsultacje/wylozenia/{inspection.pk}/uwagi/").status_code == 403
    client.force_login(planner)
    resp = client.post(url, {"decision": "rejected", "reason": ""})
    assert resp.status_code == 400 and "uzasadnienie" in resp.content.decode()
    resp = client.post(url, {"decision": "partial", "reason": "Zmieniono linię zabudowy w części."})
    assert resp.status_code == 302
    comment.refresh_from_db()
    assert comment.decision == "partial" and comment.decided_by == planner
    resp = client.post(url, {"decision": "pending"})
    assert resp.status_code == 400
    page = client.get(f"/konsultacje/wylozenia/{inspection.pk}/uwagi/").content.decode()
    assert PERSON["author"] in page and PERSON["text"] in page


def test_the_public_list_has_no_personal_data(client, gmina, planner):
    inspection = make_inspection(gmina)
    comment = _comment(inspection, gmina)
    services.decide(actor=planner, comment=comment, decision="accepted", reason="Uwzględniono.")
    page = client.get(f"/konsultacje/wylozenia/{inspection.pk}/").content.decode()
    assert "uwzględniona" in page and "Uwzględniono." in page
    for secret in PERSON.values():
        assert secret not in page
    exact = comment.geom.transform(4326, clone=True)
    assert f"{exact.x:.6f}" not in page  # only the rounded point


def test_wykaz_uwag_exports_for_the_gminas_staff(client, gmina, planner, other_editor):
    inspection = make_inspection(gmina)
    for i in range(3):
        _comment(inspection, gmina, author=f"Autor {i}")
    url = f"/konsultacje/wylozenia/{inspection.pk}/wykaz-uwag."
    assert client.get(url + "xlsx").status_code == 302
    client.force_login(other_editor)
    assert client.get(url + "xlsx").status_code == 403
    assert client.get(url + "pdf").status_code == 403
    client.force_login(planner)
    resp = client.get(url + "xlsx")
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    data = rows[3:]
    assert len(data) == inspection.comments.count() == 3
    assert [r[2] for r in data] == ["Autor 0", "Autor 1", "Autor 2"]
    pdf = client.get(url + "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = pdf_text(pdf.content)
    assert "Autor 2" in text and "Wykaz uwag" in text
