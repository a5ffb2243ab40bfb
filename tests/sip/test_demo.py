"""Invariants of the demo data: real gminas, parcels tiling each gmina, valid identifiers."""

import pytest
from django.core.management import call_command
from django.db import connection
from pyproj import Transformer

from sip.identifiers import PARCEL_ID_RE
from sip.models import AddressPoint, Gmina, Parcel, Street
from sip.tenancy import CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER

pytestmark = pytest.mark.django_db
DEMO = {
    "020101_1": ("Bolesławiec", "urban"),
    "020102_2": ("Bolesławiec", "rural"),
    "020104_3": ("Nowogrodziec", "urban_rural"),
}


def sql(query, params=()):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def test_real_gminas_where_they_really_are(demo_data):
    to_2180 = Transformer.from_crs(4326, 2180, always_xy=True)
    seats = {"020101_1": (15.5697, 51.2636), "020104_3": (15.3989, 51.1978)}
    for teryt, (name, kind) in DEMO.items():
        g = Gmina.objects.get(teryt=teryt)
        assert (g.name, g.kind) == (name, kind)
        if teryt in seats:
            from django.contrib.gis.geos import Point

            assert g.boundary.contains(Point(*to_2180.transform(*seats[teryt]), srid=2180))
    areas = {g.teryt: g.boundary.area / 1e6 for g in Gmina.objects.filter(teryt__in=DEMO)}
    assert 18 < areas["020101_1"] < 30  # real: 23.6 km²
    assert 250 < areas["020102_2"] < 330  # real: 288.6 km²
    assert 150 < areas["020104_3"] < 200  # real: 174 km²
    # The rural gmina surrounds the town.
    assert sql(
        "SELECT ST_Contains(ST_MakePolygon(ST_ExteriorRing((ST_Dump(r.boundary)).geom)), t.boundary) "
        "FROM sip_gmina r, sip_gmina t WHERE r.teryt='020102_2' AND t.teryt='020101_1'"
    )[0][0]
    overlap = sql(
        "SELECT coalesce(sum(ST_Area(ST_Intersection(a.boundary, b.boundary))), 0) "
        "FROM sip_gmina a JOIN sip_gmina b ON a.id < b.id AND a.boundary && b.boundary "
        "WHERE a.teryt = ANY(%s) AND b.teryt = ANY(%s)",
        [list(DEMO), list(DEMO)],
    )[0][0]
    assert overlap < 0.01


def tiling_problems(teryts: list[str]) -> list[str]:
    """What keeps the parcels of the gminas from tiling each gmina and each obręb (gaps,
    overlaps, invalid parcels, parcels outside their gmina or obręb); empty when they do."""
    # Each outline is buffered once (a buffer written per parcel row was most of the test's time).
    rows = sql(
        """
        WITH g AS MATERIALIZED (
            SELECT id, teryt, ST_Area(boundary) AS area, ST_Buffer(boundary, 0.01) AS near
            FROM sip_gmina WHERE teryt = ANY(%s))
        SELECT g.teryt, g.area, sum(ST_Area(p.geom)), ST_Area(ST_Union(p.geom)),
               bool_and(ST_IsValid(p.geom)), bool_and(ST_CoveredBy(p.geom, g.near))
        FROM g JOIN sip_parcel p ON p.gmina_id = g.id
        GROUP BY g.id, g.teryt, g.area""",
        [teryts],
    )
    problems = [f"{t}: no parcels" for t in set(teryts) - {r[0] for r in rows}]
    for teryt, boundary, total, union, valid, inside in rows:
        if not (valid and inside):
            problems.append(f"{teryt}: invalid parcels or parcels outside the gmina")
        if abs(total - boundary) >= 1.0:
            problems.append(f"{teryt}: gaps or overlaps {total - boundary} m²")
        if abs(union - total) >= 1.0:
            problems.append(f"{teryt}: overlaps {total - union} m²")
    # Each parcel lies in its own obręb, and the parcels of an obręb cover it.
    rows = sql(
        """
        WITH o AS MATERIALIZED (
            SELECT o.id, o.code, ST_Area(o.geom) AS area, ST_Buffer(o.geom, 0.01) AS near FROM sip_obreb o
            JOIN sip_gmina g ON g.id = o.gmina_id WHERE g.teryt = ANY(%s))
        SELECT o.code, o.area, sum(ST_Area(p.geom)), count(*) FILTER (WHERE NOT ST_CoveredBy(p.geom, o.near))
        FROM o JOIN sip_parcel p ON p.obreb_id = o.id GROUP BY o.id, o.code, o.area""",
        [teryts],
    )
    for code, area, total, outside in rows:
        if outside:
            problems.append(f"obręb {code}: {outside} parcels outside it")
        if abs(total - area) >= 1.0:
            problems.append(f"obręb {code}: parcels cover {total} m² of {area} m²")
    return problems


def test_parcels_tile_each_gmina_without_gaps_or_overlaps(demo_data):
    assert tiling_problems(list(DEMO)) == []


def test_parcel_identifiers_are_valid_and_consistent(demo_data):
    parcels = Parcel.objects.filter(gmina__teryt__in=DEMO).select_related("gmina", "obreb")
    assert parcels.count() >= 20_000
    for p in parcels.only("identifier", "number", "gmina__teryt", "obreb__code").iterator(chunk_size=5000):
        assert PARCEL_ID_RE.match(p.identifier), p.identifier
        assert p.identifier == f"{p.gmina.teryt}.{p.obreb.code}.{p.number}"
    assert parcels.filter(number__contains="/").count() > 1000


def test_registered_and_geometry_areas_are_close(demo_data):
    worst = sql(
        "SELECT max(abs(registered_area_m2 - ST_Area(geom)) / ST_Area(geom)) FROM sip_parcel p "
        "JOIN sip_gmina g ON g.id = p.gmina_id WHERE g.teryt = ANY(%s)",
        [list(DEMO)],
    )[0][0]
    assert 0 < worst < 0.05


def test_streets_and_addresses(demo_data):
    assert Street.objects.filter(gmina__teryt="020101_1").count() >= 20
    town = AddressPoint.objects.filter(gmina__teryt="020101_1")
    assert town.count() > 3000 and town.filter(street__isnull=True).count() == 0
    villages = AddressPoint.objects.filter(gmina__teryt="020102_2")
    assert villages.count() > 1000 and villages.filter(street__isnull=False).count() == 0
    # Every address point lies on a parcel of its own gmina.
    assert (
        sql(
            "SELECT count(*) FROM sip_addresspoint a WHERE NOT EXISTS (SELECT 1 FROM sip_parcel p "
            "WHERE p.gmina_id = a.gmina_id AND ST_Contains(p.geom, a.geom))"
        )[0][0]
        == 0
    )
    # No address is given twice.
    assert (
        sql(
            "SELECT count(*) FROM (SELECT gmina_id, locality, street_id, house_number FROM sip_addresspoint "
            "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d"
        )[0][0]
        == 0
    )


def test_demo_accounts_for_every_role(demo_data):
    from django.contrib.auth.models import User

    assert User.objects.get(username="centrala").groups.filter(name=CENTRAL_ADMIN).exists()
    for slug in ("boleslawiec", "gmina-boleslawiec", "nowogrodziec"):
        for prefix, role in (
            ("redaktor", EDITOR),
            ("planista", PLANNER),
            ("przegladajacy", VIEWER),
        ):
            user = User.objects.get(username=f"{prefix}-{slug}")
            assert user.check_password("sip-demo") and user.groups.filter(name=role).exists()
            assert user.membership.gmina.slug == slug


def test_load_demo_is_deterministic_and_idempotent(demo_data):
    def fingerprint():
        return sql(
            "SELECT count(*), md5(string_agg(identifier || ST_AsText(ST_SnapToGrid(geom, 0.01)), ',' "
            "ORDER BY identifier)) FROM sip_parcel p JOIN sip_gmina g ON g.id = p.gmina_id "
            "WHERE g.teryt = '020104_3'"
        )[0]

    before = fingerprint()
    call_command("load_demo", verbosity=0)
    assert fingerprint() == before
    from fixtures.demo import version
    from sip.models import DemoDataset

    assert list(DemoDataset.objects.values_list("version", flat=True)) == [version()]
    assert Gmina.objects.filter(teryt__in=DEMO).count() == 3
