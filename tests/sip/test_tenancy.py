"""Every write path refuses the wrong gmina and the wrong role, and leaves nothing changed."""

import json
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from sip import services, tenancy
from sip.models import AuditLog, Obreb, Parcel
from tests.conftest import ObrebFactory, ParcelFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(gmina):
    return ParcelFactory(obreb=ObrebFactory(gmina=gmina))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_scopes(central_admin, editor, other_editor, gmina, other_gmina, viewer):
    assert set(tenancy.scoped_gminas(central_admin)) >= {gmina, other_gmina}
    assert list(tenancy.scoped_gminas(editor)) == [gmina]
    assert tenancy.can(editor, "sip.change_parcel", gmina)
    assert not tenancy.can(editor, "sip.change_parcel", other_gmina)
    assert not tenancy.can(viewer, "sip.change_parcel", gmina)
    assert tenancy.can(viewer, "sip.view_parcel", gmina)
    from django.contrib.auth.models import AnonymousUser

    assert not tenancy.scoped_gminas(AnonymousUser()).exists()


def test_service_update_by_own_editor_is_audited(editor, parcel):
    services.update_parcel(actor=editor, parcel=parcel, registered_area_m2=Decimal("950.00"))
    parcel.refresh_from_db()
    assert parcel.registered_area_m2 == Decimal("950.00")
    entry = AuditLog.objects.get(object_id=str(parcel.pk), action="update")
    assert entry.user == editor and entry.changes["registered_area_m2"] == ["900.00", "950.00"]


@pytest.mark.parametrize("write", ["update", "delete", "create"])
def test_services_refuse_another_gminas_editor(other_editor, parcel, write):
    before = Parcel.objects.get(pk=parcel.pk)
    with pytest.raises(PermissionDenied, match="tej gminy"):
        if write == "update":
            services.update_parcel(actor=other_editor, parcel=parcel, registered_area_m2=1)
        elif write == "delete":
            services.delete_parcel(actor=other_editor, parcel=parcel)
        else:
            services.create_parcel(
                actor=other_editor,
                # A number with "/", which the parcel factory's sequence never gives the fixture.
                identifier=f"{parcel.gmina.teryt}.{parcel.obreb.code}.77/7",
                geom=square(*parcel.geom.extent[:2], 10),
            )
    after = Parcel.objects.get(pk=parcel.pk)
    assert after.registered_area_m2 == before.registered_area_m2 and after.geom.equals(before.geom)
    assert not Parcel.objects.filter(gmina=parcel.gmina, number="77/7").exists()
    assert not AuditLog.objects.filter(gmina=parcel.gmina).exists()


def test_viewer_and_planner_cannot_write(viewer, planner, parcel):
    for user in (viewer, planner):
        with pytest.raises(PermissionDenied, match="rola"):
            services.update_parcel(actor=user, parcel=parcel, registered_area_m2=1)


def test_api_patch_by_own_editor(editor, parcel):
    resp = api(editor).patch(
        f"/api/parcels/{quote(parcel.identifier, safe='')}/?srid=2180",
        {"registered_area_m2": "901.5"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["properties"]["registered_area_m2"] == 901.5


def test_api_refuses_another_gminas_editor(other_editor, parcel):
    client = api(other_editor)
    path = f"/api/parcels/{quote(parcel.identifier, safe='')}/"
    assert client.patch(path, {"registered_area_m2": "1"}, format="json").status_code == 403
    resp = client.delete(path)
    assert resp.status_code == 403 and "tej gminy" in resp.json()["detail"]
    assert Parcel.objects.get(pk=parcel.pk).registered_area_m2 == Decimal("900.00")


def test_api_refuses_anonymous_writes(client, parcel):
    path = f"/api/parcels/{quote(parcel.identifier, safe='')}/"
    resp = client.patch(path, json.dumps({"registered_area_m2": "1"}), content_type="application/json")
    assert resp.status_code == 403
    assert Parcel.objects.filter(pk=parcel.pk).exists()


def test_api_geometry_without_srid_is_refused(editor, parcel):
    x, y = parcel.geom.extent[:2]
    resp = api(editor).patch(
        f"/api/parcels/{quote(parcel.identifier, safe='')}/",
        {"wkt": f"POLYGON(({x} {y},{x + 5} {y},{x + 5} {y + 5},{x} {y}))"},
        format="json",
    )
    assert resp.status_code == 400 and "bez układu" in json.dumps(resp.json(), ensure_ascii=False)
    resp = api(editor).patch(
        f"/api/parcels/{quote(parcel.identifier, safe='')}/",
        {"wkt": f"SRID=2180;POLYGON(({x} {y},{x + 5} {y},{x + 5} {y + 5},{x} {y}))"},
        format="json",
    )
    assert resp.status_code == 200
    assert Parcel.objects.get(pk=parcel.pk).geom.area == pytest.approx(12.5)


def test_admin_lists_only_own_gmina(client, editor, parcel, other_gmina):
    foreign = ParcelFactory(obreb=ObrebFactory(gmina=other_gmina))
    client.force_login(editor)
    page = client.get("/admin/sip/parcel/").content.decode()
    assert parcel.identifier in page and foreign.identifier not in page


def test_admin_change_of_another_gminas_parcel_is_403(client, other_editor, parcel):
    client.force_login(other_editor)
    url = f"/admin/sip/parcel/{parcel.pk}/change/"
    assert client.get(url).status_code == 403
    resp = client.post(url, {"registered_area_m2": "1", "geom": parcel.geom.geojson})
    assert resp.status_code == 403
    assert client.post(f"/admin/sip/parcel/{parcel.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Parcel.objects.get(pk=parcel.pk).registered_area_m2 == Decimal("900.00")


def test_admin_change_by_own_editor_goes_through_services(client, editor, parcel):
    client.force_login(editor)
    geom = parcel.geom.transform(4326, clone=True)
    resp = client.post(
        f"/admin/sip/parcel/{parcel.pk}/change/", {"registered_area_m2": "905", "geom": geom.json}
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert Parcel.objects.get(pk=parcel.pk).registered_area_m2 == Decimal("905.00")
    assert AuditLog.objects.filter(object_id=str(parcel.pk), user=editor).exists()


def test_admin_obreb_of_another_gmina_is_403(client, other_editor, parcel):
    client.force_login(other_editor)
    obreb = parcel.obreb
    resp = client.post(
        f"/admin/sip/obreb/{obreb.pk}/change/",
        {"gmina": obreb.gmina_id, "code": "0999", "name": "x", "geom": obreb.geom.json},
    )
    assert resp.status_code == 403
    assert Obreb.objects.get(pk=obreb.pk).code == obreb.code


def test_generic_scoped_save_refuses_moving_an_object_into_a_foreign_gmina(editor, other_gmina, parcel):
    obreb = parcel.obreb
    obreb.gmina = other_gmina
    with pytest.raises(PermissionDenied):
        services.save_scoped(actor=editor, obj=obreb)
    assert Obreb.objects.get(pk=obreb.pk).gmina_id == parcel.gmina_id
