"""CRS handling and WMS parameter parsing, with pyproj as the independent oracle."""

from __future__ import annotations

import pytest
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from layers.crs import bbox_to_xy, northing_first, transform_extent, transform_point
from layers.ogc.exceptions import InvalidCRS, InvalidParameterValue
from layers.ogc.params import parse_bbox, parse_crs, request_version
from sip.geometry import ACCEPTED_SRIDS


@pytest.mark.parametrize("srid", ACCEPTED_SRIDS)
def test_axis_order_agrees_with_pyproj(srid):
    first = ProjCRS.from_epsg(srid).axis_info[0].direction
    assert northing_first(srid) == (first == "north")


def test_bbox_order_per_version():
    assert bbox_to_xy((51.0, 15.0, 52.0, 16.0), 4326, "1.3.0") == (15.0, 51.0, 16.0, 52.0)
    assert bbox_to_xy((15.0, 51.0, 16.0, 52.0), 4326, "1.1.1") == (15.0, 51.0, 16.0, 52.0)
    assert bbox_to_xy((1.0, 2.0, 3.0, 4.0), 3857, "1.3.0") == (1.0, 2.0, 3.0, 4.0)


def test_reprojection_matches_pyproj():
    from tests.conftest import BOLESLAWIEC as p

    x, y = transform_point(p.lon, p.lat, 4326, 2180)
    assert x == pytest.approx(p.x2180, abs=0.01) and y == pytest.approx(p.y2180, abs=0.01)
    extent = (255_000.0, 378_000.0, 265_000.0, 388_000.0)
    ours = transform_extent(extent, 2176)
    oracle = Transformer.from_crs(2180, 2176, always_xy=True).transform_bounds(*extent, densify_pts=21)
    # pyproj with always_xy answers easting first; 2176 is northing/easting in EPSG, we keep x/y.
    assert ours == pytest.approx(oracle, abs=0.5)


@pytest.mark.parametrize(
    "asked,version",
    [("", "1.3.0"), ("1.3.0", "1.3.0"), ("1.1.1", "1.1.1"), ("1.1.0", "1.1.1"), ("2.0", "1.3.0")],
)
def test_version_negotiation(asked, version):
    assert request_version({"version": asked}) == version


@pytest.mark.parametrize("raw", ["EPSG:2180", "epsg:2180", "urn:ogc:def:crs:EPSG::2180"])
def test_crs_allow_list_accepts_spellings(raw):
    assert parse_crs({"crs": raw}, "1.3.0") == (2180, False)


@pytest.mark.parametrize(
    "raw", ["EPSG:9999", "/etc/passwd", "+proj=merc", "EPSG:2180 ", "EPSG:-1", "file:///x"]
)
def test_crs_outside_the_allow_list_is_refused(raw):
    if raw == "EPSG:2180 ":
        assert parse_crs({"crs": raw}, "1.3.0")[0] == 2180  # surrounding spaces are harmless
        return
    with pytest.raises(InvalidCRS) as err:
        parse_crs({"crs": raw}, "1.3.0")
    assert err.value.code == "InvalidCRS"


def test_bbox_parsing_limits():
    assert parse_bbox({"bbox": "51,15,52,16"}, 4326, "1.3.0", False) == (15.0, 51.0, 16.0, 52.0)
    for raw in ("1,2,3", "1,2,3,x", "3,2,1,4", "1,2,1,4", "1e309,0,1,1"):
        with pytest.raises(InvalidParameterValue) as err:
            parse_bbox({"bbox": raw}, 2180, "1.1.1", False)
        assert err.value.code == "InvalidParameterValue"
