"""Reprojection in PostGIS checked against pyproj and against exact identities of the CRSs."""

import pytest
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point
from django.db import connection
from pyproj import Transformer

from sip.geometry import GeometryError, parse_srid, to_storage_multipolygon
from tests.conftest import REFERENCE_POINTS, square


def postgis_transform(x, y, source, target):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), %s), %s) g",
            [x, y, source, target],
        )
        return cur.fetchone()


@pytest.mark.django_db
@pytest.mark.parametrize("point", REFERENCE_POINTS, ids=lambda p: p.name)
def test_reference_points_agree_with_pyproj_and_the_kept_values(point):
    for target, expected in (
        (2180, (point.x2180, point.y2180)),
        (2176, (point.x2176, point.y2176)),
    ):
        ours = postgis_transform(point.lon, point.lat, 4326, target)
        oracle = Transformer.from_crs(4326, target, always_xy=True).transform(point.lon, point.lat)
        assert ours == pytest.approx(oracle, abs=0.01)
        assert ours == pytest.approx(expected, abs=0.01)
    back = postgis_transform(point.x2176, point.y2176, 2176, 2180)
    assert back == pytest.approx((point.x2180, point.y2180), abs=0.01)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lon, srid, easting",
    [
        (19.0, 2180, 500_000.0),
        (15.0, 2176, 5_500_000.0),
        (18.0, 2177, 6_500_000.0),
        (21.0, 2178, 7_500_000.0),
        (24.0, 2179, 8_500_000.0),
    ],
)
def test_central_meridian_maps_to_the_false_easting(lon, srid, easting):
    x, _ = postgis_transform(lon, 52.0, 4326, srid)
    assert x == pytest.approx(easting, abs=0.001)


@pytest.mark.django_db
def test_transform_in_queries_keeps_lon_lat_order(demo_data):
    from sip.models import Gmina

    g = Gmina.objects.annotate(w=Transform("boundary", 4326)).get(teryt="020101_1")
    lon, lat = g.w.centroid.coords
    assert 15.4 < lon < 15.7 and 51.2 < lat < 51.35


def test_srid_allow_list():
    assert parse_srid("EPSG:2176") == 2176
    assert parse_srid("urn:ogc:def:crs:EPSG::4326") == 4326
    assert parse_srid(None, default=4326) == 4326
    for bad in ("31467", "+proj=longlat", "EPSG:2180; DROP TABLE", "abc"):
        with pytest.raises(GeometryError, match="Nieobsługiwany"):
            parse_srid(bad)


def test_geometry_without_srid_or_outside_poland_is_refused():
    with pytest.raises(GeometryError, match="bez układu"):
        to_storage_multipolygon(square(255_000, 395_000, 10, srid=None))
    with pytest.raises(GeometryError, match="poza obszarem Polski"):
        # PL-1992 coordinates labelled as WGS 84 by mistake land far outside Poland.
        to_storage_multipolygon(square(15.5, 51.2, 0.001, srid=2180))
    with pytest.raises(GeometryError, match="poza obszarem Polski"):
        to_storage_multipolygon(square(2.35, 48.85, 0.001, srid=4326))  # Paris


def test_geometry_is_reprojected_without_touching_the_callers_object():
    original = square(5_527_884.0, 5_691_006.0, 10, srid=2176)
    coords = original.coords
    stored = to_storage_multipolygon(original)
    assert stored.srid == 2180 and original.srid == 2176 and original.coords == coords
    assert stored.centroid.x == pytest.approx(249_444, abs=15)
    assert stored.area == pytest.approx(100, rel=1e-3)


def test_point_with_srid_converts_to_storage():
    p = Point(15.5697, 51.2636, srid=4326).transform(2180, clone=True)
    assert (p.x, p.y) == pytest.approx((260_766.442, 383_023.609), abs=0.01)
