"""Each permission check of planning has a test that fails without it (scripts/mutate_checks.py
removes them one by one): extracts are issued and re-issued by the gmina's planner only, the
register with applicants' personal data is shown only to the gmina's staff, imports only in
one's own gmina."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from planning import imports, services
from planning.models import ExtractCase, IssuedDocument, Zone
from sip.tenancy import PLANNER, VIEWER
from tests.conftest import make_user

from .conftest import make_plan, make_zone, rect

pytestmark = pytest.mark.django_db

APPLICANT = "Zofia Poufna-Wnioskodawczyni"


@pytest.fixture
def case(planner, world):
    parcel = world.parcel("7", world.at(10, 10, 40, 40))
    case, _ = services.issue_extract(
        actor=planner,
        parcel_identifiers=[parcel.identifier],
        kind="wypis",
        applicant=APPLICANT,
        applicant_address="ul. Tajna 1",
    )
    return case


@pytest.fixture
def other_planner(other_gmina):
    return make_user("planista-inny", PLANNER, other_gmina)


def test_only_the_gminas_planner_issues_an_extract(world, other_planner, viewer, editor):
    parcel = world.parcel("8", world.at(50, 10, 60, 20))
    before = ExtractCase.objects.count()
    for user in (other_planner, viewer, editor):
        with pytest.raises(PermissionDenied):
            services.issue_extract(actor=user, parcel_identifiers=[parcel.identifier], kind="wypis")
    assert ExtractCase.objects.count() == before


def test_only_the_gminas_planner_reissues(case, other_planner, viewer):
    for user in (other_planner, viewer):
        with pytest.raises(PermissionDenied):
            services.reissue_extract(actor=user, case=case)
    assert case.documents.count() == 1


def test_a_viewer_cannot_reissue_on_the_page(client, case, viewer, other_planner, planner):
    """The page asks for the issuing permission, not only the right to read the case."""
    for user in (viewer, other_planner):
        client.force_login(user)
        assert client.post(f"/planowanie/sprawa/{case.pk}/wydaj/").status_code == 403
    assert case.documents.count() == 1
    client.force_login(viewer)
    assert client.get(f"/planowanie/sprawa/{case.pk}/").status_code == 200  # reading is allowed
    client.force_login(planner)
    assert client.post(f"/planowanie/sprawa/{case.pk}/wydaj/").status_code == 302
    assert case.documents.count() == 2


def test_pages_of_a_case_refuse_another_gmina(client, case, other_planner):
    document = IssuedDocument.objects.get(case=case)
    client.force_login(other_planner)
    assert client.get(f"/planowanie/sprawa/{case.pk}/").status_code == 403
    assert client.get(f"/planowanie/dokument/{document.pk}.pdf").status_code == 403


def test_register_pages_need_the_role_and_a_gmina(client, case, other_gmina):
    no_role = make_user("bez-roli", None, case.gmina)
    no_gmina = make_user("bez-gminy", VIEWER, None)
    for user in (no_role, no_gmina):
        client.force_login(user)
        assert client.get("/planowanie/").status_code == 403
        assert client.get("/planowanie/rejestr.xlsx").status_code == 403


def test_register_shows_only_own_gmina(client, case, other_planner):
    client.force_login(other_planner)
    page = client.get("/planowanie/").content.decode()
    assert APPLICANT not in page and case.case_number not in page
    assert APPLICANT.encode() not in client.get("/planowanie/rejestr.xlsx").content


def test_application_form_needs_the_issuing_role(client, world, viewer, editor):
    for user in (viewer, editor):
        client.force_login(user)
        assert client.get("/planowanie/nowa/").status_code == 403


def test_admin_register_of_cases_hides_other_gminas_applicants(client, case, other_planner):
    """The register holds applicants' names and addresses: another gmina sees none of them."""
    client.force_login(other_planner)
    listing = client.get("/admin/planning/extractcase/")
    assert listing.status_code == 200
    assert APPLICANT not in listing.content.decode() and case.case_number not in listing.content.decode()
    detail = client.get(f"/admin/planning/extractcase/{case.pk}/change/", follow=True)
    assert APPLICANT not in detail.content.decode()
    assert (
        client.get(f"/admin/planning/extractcase/?q={APPLICANT[:5]}").content.decode().count(APPLICANT) == 0
    )


def test_admin_lists_only_own_gminas_zones(client, world, editor, other_gmina):
    other_plan = make_plan(
        other_gmina, rect(*other_gmina.boundary.extent[:2], *other_gmina.boundary.extent[2:])
    )
    foreign = make_zone(other_plan, "77ZZ", other_plan.boundary)
    own = world.base.zones.get(symbol="1MN")
    client.force_login(editor)
    link = "/admin/planning/zone/{}/change/"
    assert link.format(foreign.pk) not in client.get("/admin/planning/zone/", {"q": "77ZZ"}).content.decode()
    assert link.format(own.pk) in client.get("/admin/planning/zone/", {"q": "1MN"}).content.decode()
    # The list itself, not only its search, holds only the editor's gmina.
    request = RequestFactory().get("/admin/planning/zone/")
    request.user = editor
    listed = admin.site._registry[Zone].get_queryset(request)
    assert listed.filter(pk=own.pk).exists() and not listed.filter(pk=foreign.pk).exists()
    assert Zone.objects.filter(symbol="77ZZ").exists()


def test_imports_refuse_another_gmina(world, other_editor, tmp_path):
    with pytest.raises(PermissionDenied):
        imports.import_app_gml(actor=other_editor, gmina=world.gmina, data=b"<nie-gml/>")
    with pytest.raises(PermissionDenied):
        imports.import_zones(
            actor=other_editor, plan=world.base, path=tmp_path / "brak.gpkg", symbol_field="symbol"
        )
