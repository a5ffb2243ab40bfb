"""The planner's pages: application form, register with search and filters, XLSX export, admin."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from planning.models import ExtractCase
from sip.tenancy import PLANNER
from tests.conftest import GminaFactory, make_user

pytestmark = pytest.mark.django_db


def apply(client, world, number, applicant, kind="wypis"):
    parcel = world.parcel(number, world.at(10, int(number), 20, int(number) + 5))
    return client.post(
        "/planowanie/nowa/",
        {
            "applicant": applicant,
            "applicant_address": "ul. Długa 1, Testowo",
            "application_date": "2026-01-05",
            "kind": kind,
            "parcels": f"{parcel.identifier}\n",
            "purpose": "sprzedaż działki",
        },
    )


def test_application_form_registers_and_issues(client, planner, world):
    client.force_login(planner)
    assert "Wniosek o wypis i wyrys" in client.get("/planowanie/nowa/").content.decode()
    resp = apply(client, world, "1", "Adam Nowak", kind="both")
    assert resp.status_code == 302
    case = ExtractCase.objects.get(gmina=world.gmina)
    page = client.get(resp["Location"]).content.decode()
    assert case.case_number in page and "Adam Nowak" in page and case.documents.get().sha256 in page


def test_form_shows_polish_errors_and_writes_nothing(client, planner, world):
    client.force_login(planner)
    before = ExtractCase.objects.count()
    resp = client.post(
        "/planowanie/nowa/",
        {
            "applicant": "X",
            "application_date": "2026-01-05",
            "kind": "both",
            "parcels": "020101_1.0001.999999",
        },
    )
    assert resp.status_code == 200
    assert "Nie ma w systemie działek: 020101_1.0001.999999" in resp.content.decode()
    assert ExtractCase.objects.count() == before


def test_register_search_filter_and_xlsx(client, planner, world):
    client.force_login(planner)
    apply(client, world, "1", "Adam Nowak")
    apply(client, world, "2", "Barbara Kowalska", kind="both")
    page = client.get("/planowanie/?q=Kowalska").content.decode()
    assert "Barbara Kowalska" in page and "Adam Nowak" not in page
    page = client.get("/planowanie/?rodzaj=wypis").content.decode()
    assert "Adam Nowak" in page and "Barbara Kowalska" not in page
    resp = client.get("/planowanie/rejestr.xlsx?q=Nowak")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(resp.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Znak sprawy" and len(rows) == 2
    case = ExtractCase.objects.get(applicant="Adam Nowak")
    assert rows[1][0] == case.case_number and rows[1][3] == "Adam Nowak" and rows[1][9] == 30.0
    assert rows[1][11] == case.documents.get().sha256


def test_register_shows_only_own_gmina(client, planner, world):
    client.force_login(planner)
    apply(client, world, "1", "Adam Nowak")
    other = make_user("planista-obcy", PLANNER, GminaFactory())
    client.force_login(other)
    assert "Adam Nowak" not in client.get("/planowanie/").content.decode()
    case = ExtractCase.objects.get(gmina=world.gmina)
    assert client.get(f"/planowanie/sprawa/{case.pk}/").status_code == 403


def test_register_needs_login_and_role(client, world):
    assert client.get("/planowanie/").status_code == 302
    editor_without_gmina = make_user("bez-gminy", None, None)
    client.force_login(editor_without_gmina)
    assert client.get("/planowanie/").status_code == 403


def test_admin_lists_plans_of_own_gmina(client, editor, world):
    client.force_login(editor)
    page = client.get("/admin/planning/plan/").content.decode()
    assert "X/100/2015" in page
    assert client.get(f"/admin/planning/zone/?plan__gmina__id__exact={world.gmina.pk}").status_code == 200


def test_admin_register_links_to_the_planner_pages(client, planner, world):
    client.force_login(planner)
    page = client.get("/admin/planning/extractcase/").content.decode()
    assert "/planowanie/nowa/" in page and "Zarejestruj wniosek" in page


def test_form_proposes_today_as_application_date(client, planner, world):
    from django.utils import timezone

    client.force_login(planner)
    page = client.get("/planowanie/nowa/").content.decode()
    assert f'type="date" name="application_date" value="{timezone.localdate():%Y-%m-%d}"' in page
