"""GET /api/inventory/<register>/: GeoJSON with bbox and attribute filters; writes for staff;
tenancy: one gmina's staff cannot see or change another gmina's internal registers."""

import pytest
from pyproj import Transformer
from rest_framework.test import APIClient

from inventory import services
from inventory.models import Lamp, LightingLine, Tree
from inventory.registers import get_register
from sip.models import AuditLog
from tests.conftest import make_user

from .conftest import OSIECZNICA_2180, SAMPLES, run_import

pytestmark = pytest.mark.django_db
TO_4326 = Transformer.from_crs(2180, 4326, always_xy=True)


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def samples(osiecznica):
    run_import(
        "trees", str(SAMPLES / "drzewa_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )
    run_import("lighting-lines", str(SAMPLES / "linie_oswietlenia_osiecznica.geojson"), "--gmina", "020105_2")
    run_import(
        "lamps", str(SAMPLES / "latarnie_osiecznica.xlsx"), "--gmina", "020105_2", "--errors", "/dev/null"
    )
    return osiecznica


def ids(body) -> set[str]:
    return {f["properties"]["external_id"] for f in body["features"]}


def test_public_register_as_geojson_in_4326_and_2180(samples):
    body = api().get("/api/inventory/trees/?gmina=020105_2").json()
    assert body["type"] == "FeatureCollection" and body["numberMatched"] == 6
    tree = next(f for f in body["features"] if f["properties"]["external_id"] == "D-001")
    assert tree["properties"]["species"] == "lipa drobnolistna (Tilia cordata)"
    assert tree["properties"]["height_m"] == 18.5 and tree["properties"]["felling_permit"] == "required"
    stored = Tree.objects.get(gmina__teryt="020105_2", external_id="D-001").geom
    lon, lat = TO_4326.transform(stored.x, stored.y)
    assert tree["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    body = api().get("/api/inventory/trees/?gmina=020105_2&srid=2180").json()
    tree = next(f for f in body["features"] if f["properties"]["external_id"] == "D-001")
    assert tree["geometry"]["coordinates"] == pytest.approx([stored.x, stored.y], abs=0.01)


def test_bbox_and_attribute_filters(samples):
    x0, y0 = OSIECZNICA_2180
    # D-001 at (+100, +200), D-011 at (+250, -100) from Osiecznica; P-01 at (-500, +500).
    bbox = f"{x0},{y0 - 150},{x0 + 300},{y0 + 250}"
    body = api().get(f"/api/inventory/trees/?bbox={bbox}&bbox_srid=2180").json()
    assert ids(body) == {"D-001", "D-011"}
    lon0, lat0 = TO_4326.transform(x0, y0 - 150)
    lon1, lat1 = TO_4326.transform(x0 + 300, y0 + 250)
    assert ids(api().get(f"/api/inventory/trees/?bbox={lon0},{lat0},{lon1},{lat1}").json()) == {
        "D-001",
        "D-011",
    }
    c = api()
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&trunk_circumference_cm__gte=300").json()) == {
        "D-002",
        "P-01",
    }
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&species=Quercus robur").json()) == {
        "D-002",
        "P-01",
    }
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&natural_monument=tak").json()) == {"P-01"}
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&condition=2").json()) == {"D-005"}
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&felling_permit=not_required").json()) == {"D-005"}
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&felling_permit=measure").json()) == {"D-011"}
    assert ids(c.get("/api/inventory/trees/?gmina=020105_2&surveyed_on__lte=2024-05-12").json()) == {
        "D-001",
        "D-002",
    }
    resp = c.get("/api/inventory/trees/?gmina=020105_2&wysokosc=3")
    assert resp.status_code == 400 and resp.json()["detail"] == "Nieznany filtr „wysokosc”."
    resp = c.get("/api/inventory/trees/?gmina=020105_2&bbox=1,2,3")
    assert resp.status_code == 400 and "bbox" in resp.json()["detail"]
    resp = c.get("/api/inventory/trees/?gmina=020105_2&height_m__gte=dużo")
    assert resp.status_code == 400 and "nie jest liczbą" in resp.json()["detail"]
    assert c.get("/api/inventory/lawki/").status_code == 404


def test_internal_lighting_is_seen_only_by_the_gminas_staff(samples, osiecznica_viewer, other_editor):
    assert get_register("lamps").public_by_default is True
    assert get_register("lighting-lines").public_by_default is False
    assert api().get("/api/inventory/lighting-lines/?gmina=020105_2").status_code == 404
    assert api(other_editor).get("/api/inventory/lighting-lines/?gmina=020105_2").status_code == 404
    assert api(other_editor).get("/api/inventory/lighting-lines/").json()["numberMatched"] == 0
    assert api(osiecznica_viewer).get("/api/inventory/lighting-lines/").json()["numberMatched"] == 3
    pk = LightingLine.objects.filter(gmina=samples).first().pk
    assert api(other_editor).get(f"/api/inventory/lighting-lines/{pk}/").status_code == 404
    assert api(osiecznica_viewer).get(f"/api/inventory/lighting-lines/{pk}/").status_code == 200


def test_a_public_lamp_names_its_internal_line_only_to_who_may_see_the_lines(
    samples, osiecznica_viewer, osiecznica_editor, other_editor
):
    lamp = Lamp.objects.filter(gmina=samples, line__isnull=False).select_related("line").first()
    label = lamp.line.external_id
    assert label

    def line_of(user):
        body = api(user).get("/api/inventory/lamps/?gmina=020105_2").json()
        listed = {f["properties"]["external_id"]: f["properties"]["line"] for f in body["features"]}
        one = api(user).get(f"/api/inventory/lamps/{lamp.pk}/").json()["properties"]["line"]
        assert one == listed[lamp.external_id]
        return one

    # The lamps are public, the lines internal: the line's number is not shown past the register.
    assert line_of(None) is None
    assert line_of(other_editor) is None
    assert line_of(osiecznica_viewer) == label
    # Nor which lamps hang on one line.
    on_line = f"/api/inventory/lamps/?gmina=020105_2&line={lamp.line_id}"
    assert api().get(on_line).json()["numberMatched"] == 0
    assert api(osiecznica_viewer).get(on_line).json()["numberMatched"] >= 1
    changed = api(osiecznica_editor).patch(
        f"/api/inventory/lamps/{lamp.pk}/", {"properties": {"power_w": 40}}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["properties"]["line"] == label
    services.set_register_public(
        actor=osiecznica_editor, register=get_register("lighting-lines"), gmina=samples, is_public=True
    )
    assert line_of(None) == label


def test_a_gmina_may_make_a_register_internal(samples, osiecznica_editor, other_editor):
    services.set_register_public(
        actor=osiecznica_editor, register=get_register("trees"), gmina=samples, is_public=False
    )
    assert api().get("/api/inventory/trees/?gmina=020105_2").status_code == 404
    assert api().get("/api/inventory/trees/?q=P-0").json()["numberMatched"] == 0
    assert api(other_editor).get("/api/inventory/trees/?gmina=020105_2").status_code == 404
    assert api(osiecznica_editor).get("/api/inventory/trees/?q=P-0").json()["numberMatched"] == 1
    assert api(osiecznica_editor).get("/api/inventory/trees/?gmina=020105_2").json()["numberMatched"] == 6
    with pytest.raises(Exception, match="tej gminy"):
        services.set_register_public(
            actor=other_editor, register=get_register("trees"), gmina=samples, is_public=True
        )


def feature(x, y, **props):
    lon, lat = TO_4326.transform(x, y)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def test_staff_create_and_update(samples, osiecznica_editor):
    x0, y0 = OSIECZNICA_2180
    body = feature(
        x0 + 5,
        y0 + 5,
        gmina="020105_2",
        external_id="D-100",
        species="Acer platanoides",
        trunk_circumference_cm="55",
        height_m="9,5",
        condition="dobry",
    )
    resp = api(osiecznica_editor).post("/api/inventory/trees/", body, format="json")
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["properties"]["height_m"] == 9.5 and created["properties"]["felling_permit"] == "required"
    tree = Tree.objects.get(gmina__teryt="020105_2", external_id="D-100")
    assert tree.geom.distance(type(tree.geom)(x0 + 5, y0 + 5, srid=2180)) < 0.01
    resp = api(osiecznica_editor).patch(
        f"/api/inventory/trees/{tree.pk}/", {"properties": {"circumference_at_5cm_cm": 48}}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["properties"]["felling_permit"] == "not_required"
    entries = AuditLog.objects.filter(model="inventory.tree", object_id=str(tree.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["circumference_at_5cm_cm"] == [None, 48]


def test_writes_are_refused_with_polish_reasons(samples, osiecznica_editor, osiecznica_viewer, other_editor):
    x0, y0 = OSIECZNICA_2180
    good = feature(x0, y0, gmina="020105_2", circuit="9", power_w=50)
    assert api().post("/api/inventory/lamps/", good, format="json").status_code == 403
    resp = api(other_editor).post("/api/inventory/lamps/", good, format="json")
    assert resp.status_code == 403 and "tej gminy" in resp.json()["detail"]
    resp = api(osiecznica_viewer).post("/api/inventory/lamps/", good, format="json")
    assert resp.status_code == 403 and "rola" in resp.json()["detail"]
    lamp = Lamp.objects.filter(gmina=samples).first()
    resp = api(other_editor).patch(
        f"/api/inventory/lamps/{lamp.pk}/", {"properties": {"power_w": 1}}, format="json"
    )
    assert resp.status_code == 403
    assert api(other_editor).delete(f"/api/inventory/lamps/{lamp.pk}/").status_code == 403
    assert Lamp.objects.get(pk=lamp.pk).power_w == lamp.power_w
    editor = api(osiecznica_editor)
    resp = editor.post("/api/inventory/lamps/", feature(x0, y0, gmina="020105_2", power_w=50), format="json")
    assert resp.status_code == 400 and resp.json()["detail"] == {"circuit": ["Wartość wymagana."]}
    resp = editor.post(
        "/api/inventory/lamps/",
        feature(x0 + 50_000, y0, gmina="020105_2", circuit="1", power_w=5),
        format="json",
    )
    assert resp.status_code == 400 and "poza gminą Osiecznica" in resp.json()["detail"]["geom"][0]
    resp = editor.post(
        "/api/inventory/lamps/",
        {**good, "geometry": {"type": "LineString", "coordinates": [[15.4, 51.35], [15.41, 51.35]]}},
        format="json",
    )
    assert resp.status_code == 400 and "Oczekiwano geometrii typu punkt" in resp.json()["detail"]["geom"][0]
    existing = Lamp.objects.filter(gmina=samples).exclude(external_id="").first().external_id
    resp = editor.post(
        "/api/inventory/lamps/",
        feature(x0, y0, gmina="020105_2", circuit="1", power_w=5, external_id=existing),
        format="json",
    )
    assert resp.status_code == 400 and "już w rejestrze" in str(resp.json()["detail"])
    assert editor.delete(f"/api/inventory/lamps/{lamp.pk}/").status_code == 204
    assert not Lamp.objects.filter(pk=lamp.pk).exists()


def test_circuit_totals_api(samples, osiecznica_viewer):
    body = api(osiecznica_viewer).get("/api/inventory/lighting/circuits/?gmina=020105_2").json()
    by_key = {(c["switch_cabinet"], c["circuit"]): c for c in body["circuits"]}
    assert set(by_key) == {("SO-1", "1"), ("SO-1", "2"), ("SO-2", "1")}
    assert sum(c["lamps"] for c in body["circuits"]) == 15
    assert by_key[("SO-1", "2")]["line_length_m"] == pytest.approx(500, abs=0.5)
    assert by_key[("SO-1", "2")]["lines"] >= 1
    # The lamps are public, the lighting lines internal: anonymous callers get the lamp totals
    # and nothing counted or measured from the lines (no circuit known only from a line either).
    public = api().get("/api/inventory/lighting/circuits/?gmina=020105_2").json()["circuits"]
    lamp_circuits = {k for k, c in by_key.items() if c["lamps"]}
    assert {(c["switch_cabinet"], c["circuit"]) for c in public} == lamp_circuits
    assert all(c["lines"] is None and c["line_length_m"] is None for c in public)
    assert [c["lamps"] for c in public] == [by_key[k]["lamps"] for k in sorted(lamp_circuits)]
    user = make_user("inny-przegladajacy", None, None)
    assert api(user).get("/api/inventory/inspections/overdue/?gmina=020105_2").status_code == 403


@pytest.mark.parametrize("value", ["²", "9" * 5000])
@pytest.mark.parametrize("key", ["limit", "offset", "srid", "bbox_srid", "line", "power_w__gte", "condition"])
def test_a_number_that_is_not_plain_is_a_400_with_a_message(samples, key, value):
    # "²".isdigit() is True but int("²") fails, and int() refuses 5,000 digits: never a 500.
    resp = api().get("/api/inventory/lamps/", {"gmina": "020105_2", key: value})
    assert resp.status_code == 400 and resp.json()["detail"], resp.content[:300]
