"""Each permission check of the registers has a test that fails without it
(scripts/mutate_checks.py removes them one by one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from inventory import selectors, services
from inventory.importing.runner import import_file
from inventory.models import Inspection, LightingLine, Photo, RegisterVisibility, SmallArchitecture
from inventory.registers import REGISTERS
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LINES = REGISTERS["lighting-lines"]  # internal by default
BENCHES = REGISTERS["small-architecture"]


def inside(gmina, dx=100, dy=100):
    x, y = gmina.boundary.extent[:2]
    return x + dx, y + dy


@pytest.fixture
def line(gmina):
    x, y = inside(gmina)
    return LightingLine.objects.create(
        gmina=gmina, external_id="L-1", circuit="O1", geom=LineString((x, y), (x + 50, y), srid=2180)
    )


@pytest.fixture
def bench(gmina):
    return SmallArchitecture.objects.create(
        gmina=gmina, external_id="B-1", kind="bench", geom=Point(*inside(gmina), srid=2180)
    )


def test_services_refuse_another_gminas_editor_and_a_viewer(other_editor, viewer, gmina, line):
    photo = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xd9", content_type="image/jpeg")
    for user in (other_editor, viewer):
        with pytest.raises(PermissionDenied):
            services.create_item(
                actor=user, register=LINES, gmina=gmina, geom=line.geom, values={"circuit": "O2"}
            )
        with pytest.raises(PermissionDenied):
            services.update_item(actor=user, register=LINES, item=line, values={"circuit": "X"})
        with pytest.raises(PermissionDenied):
            services.delete_item(actor=user, register=LINES, item=line)
        with pytest.raises(PermissionDenied):
            services.record_inspection(
                actor=user,
                register=LINES,
                item=line,
                inspected_on=dt.date(2026, 1, 1),
                inspector="X",
                result="ok",
            )
        with pytest.raises(PermissionDenied):
            services.add_photo(actor=user, register=LINES, item=line, image=photo)
        with pytest.raises(PermissionDenied):
            services.set_register_public(actor=user, register=LINES, gmina=gmina, is_public=True)
    assert LightingLine.objects.filter(gmina=gmina).count() == 1
    assert LightingLine.objects.get(pk=line.pk).circuit == "O1"
    assert (
        not Inspection.objects.filter(gmina=gmina).exists() and not Photo.objects.filter(gmina=gmina).exists()
    )
    assert not RegisterVisibility.objects.filter(gmina=gmina).exists()


def test_staff_pages_refuse_another_gmina(client, other_editor, gmina, line):
    client.force_login(other_editor)
    base = f"/rejestry/{gmina.slug}"
    for url in (f"{base}/", f"{base}/{LINES.slug}/", f"{base}/{LINES.slug}/{line.pk}/"):
        assert client.get(url).status_code == 403, url


def test_import_pages_need_the_adding_role(client, other_editor, viewer, gmina):
    base = f"/rejestry/{gmina.slug}/{BENCHES.slug}/import"
    for user in (other_editor, viewer):
        client.force_login(user)
        for url in (f"{base}/", f"{base}/podglad/?t=x", f"{base}/odrzucone/?t=x"):
            assert client.get(url).status_code == 403, url


def test_internal_register_needs_the_view_role(client, gmina, line):
    RegisterVisibility.objects.create(gmina=gmina, register="lamps", is_public=False)
    no_role = make_user("bez-roli", None, gmina)
    client.force_login(no_role)
    base = f"/rejestry/{gmina.slug}"
    for url in (
        f"{base}/{LINES.slug}/",
        f"{base}/{LINES.slug}/{line.pk}/",
        f"{base}/{LINES.slug}/eksport/csv/",
        f"{base}/obwody/",
        f"{base}/przeglady/",
    ):
        assert client.get(url).status_code == 403, url
    index = client.get(f"{base}/").content.decode()
    assert LINES.title not in index
    assert LINES.model.objects.filter(gmina=gmina).count() == 1
    assert gmina.pk not in selectors.visible_gmina_ids(no_role, LINES)


def test_pages_show_writing_only_to_those_who_may(client, editor, viewer, gmina, line):
    base = f"/rejestry/{gmina.slug}"
    client.force_login(viewer)
    index = client.get(f"{base}/").content.decode()
    assert "Import z pliku" not in index and 'name="public"' not in index
    assert "Zaległe przeglądy" in index
    assert "Dodaj na mapie" not in client.get(f"{base}/{LINES.slug}/").content.decode()
    item = client.get(f"{base}/{LINES.slug}/{line.pk}/").content.decode()
    assert "Zapisz" not in item and "Usuń obiekt" not in item
    resp = client.post(f"{base}/{LINES.slug}/{line.pk}/", {"save": "1", "circuit": "X"})
    assert resp.status_code == 403 and "nie pozwala zmieniać" in resp.content.decode()
    assert LightingLine.objects.get(pk=line.pk).circuit == "O1"
    client.force_login(editor)
    index = client.get(f"{base}/").content.decode()
    assert "Import z pliku" in index and 'name="public"' in index
    assert "Dodaj na mapie" in client.get(f"{base}/{LINES.slug}/").content.decode()
    item = client.get(f"{base}/{LINES.slug}/{line.pk}/").content.decode()
    assert "Zapisz przegląd" in item and "Usuń obiekt" in item
    no_inspections = make_user("bez-przegladow", None, gmina)
    no_inspections.user_permissions.add(Permission.objects.get(codename="view_lightingline"))
    client.force_login(no_inspections)
    assert "Zaległe przeglądy" not in client.get(f"{base}/").content.decode()
    assert "Zapisz przegląd" not in client.get(f"{base}/{LINES.slug}/{line.pk}/").content.decode()


def test_overdue_api_needs_the_inspection_role(other_editor, editor, gmina):
    client = APIClient()
    client.force_authenticate(other_editor)
    assert client.get(f"/api/inventory/inspections/overdue/?gmina={gmina.teryt}").status_code == 403
    client.force_authenticate(editor)
    assert client.get(f"/api/inventory/inspections/overdue/?gmina={gmina.teryt}").status_code == 200


@pytest.mark.parametrize("held", ["add", "change"])
def test_import_needs_both_adding_and_changing(held, gmina, tmp_path):
    clerk = make_user(f"tylko-{held}", None, gmina)
    clerk.user_permissions.add(Permission.objects.get(codename=f"{held}_smallarchitecture"))
    path = tmp_path / "lawki.csv"
    path.write_text("numer;rodzaj;x;y\nB-9;ławka;1;1\n")
    with pytest.raises(PermissionDenied):
        import_file(actor=clerk, register=BENCHES, gmina=gmina, path=path)
    assert not SmallArchitecture.objects.filter(external_id="B-9").exists()


def test_registers_list_marks_only_editable_ones(editor, viewer, gmina, bench):
    assert all(r["can_edit"] for r in selectors.registers_of(editor, gmina))
    assert not any(r["can_edit"] for r in selectors.registers_of(viewer, gmina))
