"""Positions written in PL-2000 zone 5, PL-1992 and latitude/longitude (decimal or DMS) land on
the same place; pyproj is the oracle."""

import pytest
from pyproj import Transformer

from inventory.importing import coordinates as co
from inventory.models import Tree
from inventory.values import ValueProblem, parse_number

from .conftest import OSIECZNICA_2180, rejected_rows, run_import

TO_2176 = Transformer.from_crs(2180, 2176, always_xy=True)
TO_4326 = Transformer.from_crs(2180, 4326, always_xy=True)


def dms(value: float, pos: str, neg: str) -> str:
    hemisphere = pos if value >= 0 else neg
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return f"{d}°{m:02d}'{s:07.4f}\"{hemisphere}"


def test_dms_and_decimal_commas_are_read():
    (lat,) = co.parse_dms("51°15'49.0\"N")
    assert lat.value == pytest.approx(51 + 15 / 60 + 49 / 3600) and lat.axis == "lat"
    lat, lon = co.parse_dms("N 51°15,5' E 15°34'10,9\"")
    assert lat.value == pytest.approx(51.258333, abs=1e-6) and lon.value == pytest.approx(15.569694, abs=1e-6)
    assert co.parse_dms("15°34'10.9\"W")[0].value < 0
    with pytest.raises(ValueProblem, match="mniejsze od 60"):
        co.parse_dms("51°75'10\"N")
    assert parse_number("5 691 006,52") == 5691006.52
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("18,5 m") == 18.5
    first, second = co.read_pair("51,353100 15,400300")
    assert (first.value, second.value) == (51.3531, 15.4003)


def test_pl2000_zone_is_taken_from_the_easting_and_axis_order_is_tried_both_ways():
    e, n = TO_2176.transform(*OSIECZNICA_2180)
    for a, b in ((e, n), (n, e)):
        options = co.candidates(co.Reading(a, False, None), co.Reading(b, False, None))
        assert (2176, e, n) in options
    assert co.candidates(co.Reading(6_500_000, False, None), co.Reading(5_700_000, False, None))[0][0] == 2177


@pytest.mark.django_db
def test_one_tree_written_five_ways_lands_on_one_place(osiecznica, tmp_path):
    x0, y0 = OSIECZNICA_2180[0] + 321.25, OSIECZNICA_2180[1] - 123.75
    e2000, n2000 = TO_2176.transform(x0, y0)
    lon, lat = TO_4326.transform(x0, y0)
    comma = lambda v, p=2: f"{v:.{p}f}".replace(".", ",")  # noqa: E731
    lines = [
        "Nr;Gatunek;Obwód pnia;X;Y;Współrzędne GPS",
        f"A;lipa drobnolistna;100;{comma(n2000)};{comma(e2000)};",  # PL-2000, X = northing (geodesy)
        f"B;lipa drobnolistna;100;{comma(e2000)};{comma(n2000)};",  # PL-2000, X = easting (GIS)
        f"C;lipa drobnolistna;100;{comma(y0)};{comma(x0)};",  # PL-1992, northing first
        f"D;lipa drobnolistna;100;;;{comma(lat, 8)} {comma(lon, 8)}",  # decimal degrees, commas
        f"E;lipa drobnolistna;100;;;{dms(lat, 'N', 'S')} {dms(lon, 'E', 'W')}",  # DMS
    ]
    path = tmp_path / "drzewa.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1250")
    out = run_import("trees", str(path), "--gmina", "020105_2")
    assert rejected_rows(out) == {}, out
    for tree in Tree.objects.filter(gmina=osiecznica):
        assert tree.geom.srid == 2180
        assert tree.geom.x == pytest.approx(x0, abs=0.01), tree.external_id
        assert tree.geom.y == pytest.approx(y0, abs=0.01), tree.external_id
    assert Tree.objects.filter(gmina=osiecznica).count() == 5


@pytest.mark.django_db
def test_srid_option_and_header_hint_fix_the_system(osiecznica, tmp_path):
    x0, y0 = OSIECZNICA_2180
    path = tmp_path / "drzewa.csv"
    path.write_text(
        f"Gatunek;Obwód pnia;X [EPSG:2180];Y [EPSG:2180]\nlipa drobnolistna;50;{x0};{y0}\n", encoding="utf-8"
    )
    run_import("trees", str(path), "--gmina", "020105_2")
    assert Tree.objects.get(gmina=osiecznica).geom.coords == pytest.approx((x0, y0))
    # The same numbers read as PL-2000 zone 6 cannot lie in Osiecznica.
    out = run_import("trees", str(path), "--gmina", "020105_2", "--srid", "2177")
    assert "nie wyglądają" in out or "poza gminą" in out
