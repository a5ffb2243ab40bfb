"""Each permission check of the core (sip) has a test that fails without it
(scripts/mutate_checks.py removes them one by one)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import RequestFactory

from planning.models import ExtractCase
from sip import parcel_import, services, tenancy
from sip.admin import GminaScopedAdmin
from sip.models import AuditLog, Obreb, Parcel
from tests.conftest import ObrebFactory, ParcelFactory, make_user

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_admin_offers_only_own_gmina(editor, gmina, other_gmina):
    form = admin.site._registry[Obreb].get_form(_request(editor))
    assert list(form.base_fields["gmina"].queryset) == [gmina]


def test_admin_search_and_many_to_many_choices_are_scoped(editor, gmina, other_gmina):
    own, foreign = (
        ParcelFactory(obreb=ObrebFactory(gmina=gmina)),
        ParcelFactory(obreb=ObrebFactory(gmina=other_gmina)),
    )
    request = _request(editor)
    parcel_admin = admin.site._registry[Parcel]
    found, _ = parcel_admin.get_search_results(request, Parcel.objects.all(), "")
    assert own in found and foreign not in found
    scoped = GminaScopedAdmin(ExtractCase, admin.site)
    field = scoped.formfield_for_manytomany(ExtractCase._meta.get_field("parcels"), request)
    assert own in field.queryset and foreign not in field.queryset


def test_parcel_admin_adds_only_with_a_gmina(client, gmina):
    homeless = make_user("redaktor-bez-gminy", tenancy.EDITOR, None)
    assert not admin.site._registry[Parcel].has_add_permission(_request(homeless))
    client.force_login(homeless)
    assert client.get("/admin/sip/parcel/add/").status_code == 403


def test_audit_log_admin_lists_only_own_gmina(client, editor, other_editor, gmina, other_gmina):
    foreign = ParcelFactory(obreb=ObrebFactory(gmina=other_gmina))
    services.update_parcel(actor=other_editor, parcel=foreign, registered_area_m2=1)
    client.force_login(editor)
    assert foreign.identifier not in client.get("/admin/sip/auditlog/").content.decode()
    assert AuditLog.objects.filter(gmina=other_gmina).exists()


def test_user_admin_is_the_central_units(client, editor, central_admin):
    client.force_login(editor)
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 403
    model_admin = admin.site._registry[User]
    assert not model_admin.has_module_permission(_request(editor))
    assert not model_admin.has_view_permission(_request(editor))
    assert not model_admin.has_change_permission(_request(editor))
    boss = User.objects.create_superuser("szef", password="x-haslo-szefa")
    client.force_login(central_admin)
    assert client.get(f"/admin/auth/user/{editor.pk}/change/").status_code == 200
    assert client.get(f"/admin/auth/user/{boss.pk}/change/").status_code == 403


def test_scoped_save_and_delete_check_the_old_gmina_too(editor, other_editor, gmina, other_gmina):
    obreb = ObrebFactory(gmina=gmina)
    obreb.gmina = other_gmina  # another gmina's editor takes it over
    with pytest.raises(PermissionDenied):
        services.save_scoped(actor=other_editor, obj=obreb)
    assert Obreb.objects.get(pk=obreb.pk).gmina == gmina
    with pytest.raises(PermissionDenied):
        services.delete_scoped(actor=other_editor, obj=Obreb.objects.get(pk=obreb.pk))
    assert Obreb.objects.filter(pk=obreb.pk).exists()


def test_parcel_import_refuses_another_gmina(other_editor, gmina, tmp_path):
    with pytest.raises(PermissionDenied):
        parcel_import.import_parcels(actor=other_editor, path=tmp_path / "brak.gpkg", gmina=gmina)


def test_many_to_many_from_either_side_refuses_another_gminas_object(central_admin, gmina, other_gmina):
    case = ExtractCase.objects.create(
        gmina=gmina,
        year=2026,
        number=1,
        case_number="X.1.2026",
        applicant="A",
        application_date="2026-01-01",
        kind="wypis",
    )
    foreign = ParcelFactory(obreb=ObrebFactory(gmina=other_gmina))
    with pytest.raises(ValidationError, match="innej gminy"), transaction.atomic():
        case.parcels.add(foreign)
    with pytest.raises(ValidationError, match="innej gminy"), transaction.atomic():
        foreign.extract_cases.add(case)
    assert not case.parcels.exists()
    own = ParcelFactory(obreb=ObrebFactory(gmina=gmina))
    own.extract_cases.add(case)
    assert list(case.parcels.all()) == [own]


def test_parcel_api_refuses_before_reading_the_body(other_editor, gmina):
    """Another gmina's editor learns nothing from the body's validation: 403, not 400."""
    from urllib.parse import quote

    from rest_framework.test import APIClient

    parcel = ParcelFactory(obreb=ObrebFactory(gmina=gmina))
    client = APIClient()
    client.force_authenticate(other_editor)
    resp = client.patch(f"/api/parcels/{quote(parcel.identifier, safe='')}/", {}, format="json")
    assert resp.status_code == 403


def test_admin_list_and_search_show_only_own_gmina(client, editor, gmina, other_gmina):
    foreign = ParcelFactory(obreb=ObrebFactory(gmina=other_gmina))
    client.force_login(editor)
    page = client.get("/admin/sip/parcel/", {"q": foreign.identifier}).content.decode()
    assert f"/admin/sip/parcel/{foreign.pk}/change/" not in page
    assert not admin.site._registry[Parcel].get_queryset(_request(editor)).filter(pk=foreign.pk).exists()


def test_admin_delete_page_of_another_gminas_object_is_403(client, other_editor, gmina):
    parcel = ParcelFactory(obreb=ObrebFactory(gmina=gmina))
    assert not admin.site._registry[Parcel].has_delete_permission(_request(other_editor), parcel)
    client.force_login(other_editor)
    assert client.get(f"/admin/sip/parcel/{parcel.pk}/delete/").status_code == 403
    assert Parcel.objects.filter(pk=parcel.pk).exists()
