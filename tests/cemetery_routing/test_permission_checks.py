"""Each permission check of the cemetery area has a test that fails without it
(scripts/mutate_checks.py removes them one by one)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from cemetery_routing import selectors, services
from cemetery_routing.cemetery_book import import_book
from cemetery_routing.models import Alley, AlleyEdge, Burial, Cemetery, Grave, GraveHolder
from sip.tenancy import VIEWER
from tests.conftest import make_user

from .test_staff import workbook

pytestmark = pytest.mark.django_db


def test_save_refuses_another_gminas_object_and_moving_one_in(
    editor, other_editor, test_cemetery, other_cemetery
):
    grave = Grave.objects.filter(cemetery=test_cemetery).first()
    with pytest.raises(PermissionDenied):
        services.add_burial(actor=other_editor, grave=grave, first_name="Obcy", surname="Wpis")
    assert not Burial.objects.filter(surname="Wpis").exists()
    # Taking another gmina's gate into one's own cemetery: the old gmina is checked too.
    gate = test_cemetery.gates.first()
    gate.cemetery = other_cemetery
    with pytest.raises(PermissionDenied):
        services.save_object(actor=other_editor, obj=gate)
    assert test_cemetery.gates.filter(pk=gate.pk).exists()


def test_delete_and_graph_refuse_another_gmina(other_editor, viewer, test_cemetery):
    alley = Alley.objects.filter(cemetery=test_cemetery).first()
    for user in (other_editor, viewer):
        with pytest.raises(PermissionDenied):
            services.delete_object(actor=user, obj=alley)
        with pytest.raises(PermissionDenied):
            services.build_graph(actor=user, cemetery=test_cemetery)
    assert Alley.objects.filter(pk=alley.pk).exists()
    assert AlleyEdge.objects.filter(cemetery=test_cemetery).exists()


def test_staff_pages_of_a_cemetery_refuse_another_gmina(client, other_editor, test_cemetery):
    client.force_login(other_editor)
    base = f"/admin/cemetery_routing/cemetery/{test_cemetery.pk}"
    assert client.get(f"{base}/import/").status_code == 403
    assert client.get(f"{base}/wolne-groby/").status_code == 403
    edges = AlleyEdge.objects.filter(cemetery=test_cemetery).count()
    AlleyEdge.objects.filter(cemetery=test_cemetery).delete()
    assert client.post(f"{base}/siec-alejek/").status_code == 403
    assert edges and not AlleyEdge.objects.filter(cemetery=test_cemetery).exists()


def test_leases_need_a_gmina_and_the_role(client, test_cemetery):
    Grave.objects.filter(cemetery=test_cemetery).update(lease_expires=date.today() + timedelta(days=10))
    for user in (
        make_user("bez-gminy", VIEWER, None),
        make_user("bez-roli", None, test_cemetery.gmina),
    ):
        client.force_login(user)
        assert client.get("/admin/cemetery_routing/cemetery/oplaty/").status_code == 403


def test_holders_are_shown_only_to_those_who_may_see_them(client, editor, viewer, test_cemetery):
    grave = Grave.objects.filter(cemetery=test_cemetery).first()
    Grave.objects.filter(pk=grave.pk).update(lease_expires=date.today() + timedelta(days=10))
    GraveHolder.objects.create(grave=grave, full_name="Dysponent Poufny")
    client.force_login(viewer)
    leases = client.get("/admin/cemetery_routing/cemetery/oplaty/").content.decode()
    assert str(grave.section.name) in leases and "Dysponent Poufny" not in leases
    page = client.get(f"/admin/cemetery_routing/grave/{grave.pk}/change/").content.decode()
    assert "Dysponent Poufny" not in page
    client.force_login(editor)
    assert "Dysponent Poufny" in client.get("/admin/cemetery_routing/cemetery/oplaty/").content.decode()
    assert (
        "Dysponent Poufny" in client.get(f"/admin/cemetery_routing/grave/{grave.pk}/change/").content.decode()
    )


def test_selectors_list_only_own_gminas_graves(editor, test_cemetery, other_cemetery):
    soon = date.today() + timedelta(days=10)
    Grave.objects.filter(cemetery__in=[test_cemetery, other_cemetery]).update(lease_expires=soon)
    leases = selectors.expiring_leases(editor, until=soon + timedelta(days=1))
    assert leases.exists() and not leases.filter(cemetery=other_cemetery).exists()
    Grave.objects.filter(cemetery__in=[test_cemetery, other_cemetery]).update(status="free")
    assert not selectors.free_graves(editor, other_cemetery.pk).exists()
    assert selectors.free_graves(editor, test_cemetery.pk).exists()


def test_book_import_refuses_another_gmina_and_holders_without_the_right(other_editor, test_cemetery):
    row = ["A", 1, 1, "Józef", "Kowalski", None, None, "05.11.1988", None, "tak", "Anna Kowalska", None, None]
    without_holder = [*row[:10], None, None, None]
    with pytest.raises(PermissionDenied):
        import_book(actor=other_editor, cemetery=test_cemetery, path_or_file=workbook([without_holder]))
    assert not Burial.objects.filter(grave__cemetery=test_cemetery, surname="Kowalski").exists()
    clerk = make_user("pracownik-ksiegi", None, test_cemetery.gmina)
    clerk.user_permissions.add(
        Permission.objects.get(codename="add_burial"), Permission.objects.get(codename="change_burial")
    )
    with pytest.raises(PermissionDenied, match="dysponent"):
        import_book(actor=clerk, cemetery=test_cemetery, path_or_file=workbook([row]))
    assert not GraveHolder.objects.filter(grave__cemetery=test_cemetery).exists()
    report = import_book(actor=clerk, cemetery=test_cemetery, path_or_file=workbook([without_holder]))
    assert report.rows[0].status == "imported"


def test_new_cemetery_only_in_own_gmina(editor, other_gmina):
    cemetery = Cemetery(gmina=other_gmina, name="Obcy", slug="obcy", boundary=other_gmina.boundary)
    with pytest.raises(PermissionDenied):
        services.save_object(actor=editor, obj=cemetery)
    assert not Cemetery.objects.filter(slug="obcy").exists()
