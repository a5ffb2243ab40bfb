"""Malformed WMS requests: each gets an OGC exception report with its code and a 4xx status."""

from __future__ import annotations

import pytest

from .conftest import get

GOOD_13 = {
    "SERVICE": "WMS",
    "VERSION": "1.3.0",
    "REQUEST": "GetMap",
    "LAYERS": "dzialki",
    "STYLES": "",
    "CRS": "EPSG:2180",
    "BBOX": "382773,260516,383273,261016",
    "WIDTH": "256",
    "HEIGHT": "256",
    "FORMAT": "image/png",
}
GOOD_11 = {**{k: v for k, v in GOOD_13.items() if k != "CRS"}, "VERSION": "1.1.1", "SRS": "EPSG:2180"}
INFO = {
    **GOOD_13,
    "REQUEST": "GetFeatureInfo",
    "QUERY_LAYERS": "dzialki",
    "I": "10",
    "J": "10",
    "INFO_FORMAT": "text/html",
}


def _without(params, key):
    return {k: v for k, v in params.items() if k != key}


CASES = [
    ("unknown layer", {**GOOD_13, "LAYERS": "nie-ma-takiej"}, "LayerNotDefined"),
    ("empty layer name", {**GOOD_13, "LAYERS": "dzialki,"}, "LayerNotDefined"),
    ("missing LAYERS", _without(GOOD_13, "LAYERS"), "MissingParameterValue"),
    ("too many layers", {**GOOD_13, "LAYERS": ",".join(["dzialki"] * 21)}, "InvalidParameterValue"),
    ("unknown CRS", {**GOOD_13, "CRS": "EPSG:9999"}, "InvalidCRS"),
    ("CRS as a file path", {**GOOD_13, "CRS": "/etc/passwd"}, "InvalidCRS"),
    ("CRS as PROJ text", {**GOOD_13, "CRS": "+proj=longlat +datum=WGS84"}, "InvalidCRS"),
    ("1.1.1 unknown SRS", {**GOOD_11, "SRS": "EPSG:31467"}, "InvalidSRS"),
    ("missing CRS", _without(GOOD_13, "CRS"), "MissingParameterValue"),
    ("BBOX min > max", {**GOOD_13, "BBOX": "383273,261016,382773,260516"}, "InvalidParameterValue"),
    ("BBOX text", {**GOOD_13, "BBOX": "a,b,c,d"}, "InvalidParameterValue"),
    ("BBOX three numbers", {**GOOD_13, "BBOX": "1,2,3"}, "InvalidParameterValue"),
    ("BBOX infinite", {**GOOD_13, "BBOX": "0,0,inf,1"}, "InvalidParameterValue"),
    ("BBOX NaN", {**GOOD_13, "BBOX": "nan,0,1,1"}, "InvalidParameterValue"),
    (
        "BBOX out of the world",
        {**GOOD_11, "SRS": "EPSG:4326", "BBOX": "-500,0,10,10"},
        "InvalidParameterValue",
    ),
    ("BBOX huge", {**GOOD_13, "BBOX": "0,0,1e30,1e30"}, "InvalidParameterValue"),
    ("missing BBOX", _without(GOOD_13, "BBOX"), "MissingParameterValue"),
    ("WIDTH=0", {**GOOD_13, "WIDTH": "0"}, "InvalidParameterValue"),
    ("WIDTH too big", {**GOOD_13, "WIDTH": "4097"}, "InvalidParameterValue"),
    ("HEIGHT negative", {**GOOD_13, "HEIGHT": "-5"}, "InvalidParameterValue"),
    ("WIDTH text", {**GOOD_13, "WIDTH": "szeroko"}, "InvalidParameterValue"),
    ("missing HEIGHT", _without(GOOD_13, "HEIGHT"), "MissingParameterValue"),
    ("unknown FORMAT", {**GOOD_13, "FORMAT": "image/gif"}, "InvalidFormat"),
    ("missing FORMAT", _without(GOOD_13, "FORMAT"), "MissingParameterValue"),
    ("unknown style", {**GOOD_13, "STYLES": "fantazyjny"}, "StyleNotDefined"),
    ("TRANSPARENT not boolean", {**GOOD_13, "TRANSPARENT": "maybe"}, "InvalidParameterValue"),
    ("BGCOLOR not hex", {**GOOD_13, "BGCOLOR": "red"}, "InvalidParameterValue"),
    ("missing REQUEST", _without(GOOD_13, "REQUEST"), "MissingParameterValue"),
    ("unknown REQUEST", {**GOOD_13, "REQUEST": "GetCoffee"}, "OperationNotSupported"),
    ("other service", {**GOOD_13, "SERVICE": "WCS"}, "InvalidParameterValue"),
    ("info point outside", {**INFO, "I": "256"}, "InvalidPoint"),
    ("info point text", {**INFO, "J": "x"}, "InvalidPoint"),
    ("info missing I", _without(INFO, "I"), "MissingParameterValue"),
    ("info unknown format", {**INFO, "INFO_FORMAT": "application/pdf"}, "InvalidFormat"),
    ("info layer not shown", {**INFO, "QUERY_LAYERS": "obreby"}, "LayerNotDefined"),
    ("info feature count", {**INFO, "FEATURE_COUNT": "1000"}, "InvalidParameterValue"),
    ("info feature count superscript", {**INFO, "FEATURE_COUNT": "²"}, "InvalidParameterValue"),
    (
        "info feature count beyond int64",
        {**INFO, "FEATURE_COUNT": "9223372036854775808"},
        "InvalidParameterValue",
    ),
    ("WIDTH beyond int64", {**GOOD_13, "WIDTH": "9223372036854775808"}, "InvalidParameterValue"),
    (
        "legend unknown layer",
        {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetLegendGraphic", "LAYER": "nie"},
        "LayerNotDefined",
    ),
    (
        "legend missing layer",
        {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetLegendGraphic"},
        "MissingParameterValue",
    ),
]


@pytest.mark.parametrize("params,code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_request_gets_exception_report(wms_url, params, code):
    answer = get(wms_url, params)
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    assert answer.exception_code() == code
    if params.get("VERSION") == "1.1.1":
        assert answer.content_type.startswith("application/vnd.ogc.se_xml")
        assert b"<ServiceExceptionReport" in answer.body and b'version="1.1.1"' in answer.body
    else:
        assert answer.content_type.startswith("text/xml")
        assert b'xmlns="http://www.opengis.net/ogc"' in answer.body


def test_the_good_requests_above_do_work(wms_url):
    """The cases differ from working requests only by the broken parameter."""
    for params in (GOOD_13, GOOD_11):
        assert get(wms_url, params).content_type == "image/png"
    assert get(wms_url, INFO).status == 200


def test_post_is_refused_cleanly(wms_url):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(wms_url, data=b"<x/>", method="POST"), timeout=10)
    assert err.value.code == 405
