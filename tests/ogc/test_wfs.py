"""WFS 2.0 against the live server: OWSLib, GDAL/OGR's WFS driver, filters, paging, CRS,
visibility and malformed requests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.db import connection
from osgeo import ogr
from owslib.wfs import WebFeatureService

from .conftest import INTERNAL, get

ogr.UseExceptions()

# Around the Rynek of Bolesławiec, EPSG:2180 x/y.
BBOX = (260516, 382773, 261016, 383273)


@pytest.fixture(scope="module")
def parcels_in_bbox(demo_data, django_db_blocker):
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(
            "SELECT identifier FROM sip_parcel "
            "WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 2180))",
            list(BBOX),
        )
        return {r[0] for r in cur.fetchall()}


def _geojson(wfs_url, auth=None, **params):
    answer = get(
        wfs_url,
        {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "OUTPUTFORMAT": "geojson", **params},
        auth=auth,
    )
    assert answer.status == 200, answer.body[:500]
    return json.loads(answer.body)


def test_owslib_reads_capabilities_and_features(wfs_url, parcels_in_bbox):
    wfs = WebFeatureService(wfs_url, version="2.0.0", timeout=60)
    names = {n.split(":")[-1] for n in wfs.contents}
    assert {"dzialki", "obreby", "gminy", "adresy"} <= names
    key = next(n for n in wfs.contents if n.endswith("dzialki"))
    assert wfs.contents[key].title == "Działki ewidencyjne"
    response = wfs.getfeature(
        typename=[key], bbox=(*BBOX, "urn:ogc:def:crs:EPSG::2180"), outputFormat="application/json"
    )
    found = {f["properties"]["identifier"] for f in json.loads(response.read())["features"]}
    assert found == parcels_in_bbox and len(found) > 20


def test_gml_with_fes_property_filter(wfs_url):
    fes = (
        "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo>"
        "<fes:ValueReference>identifier</fes:ValueReference><fes:Literal>020101_1.0001.1</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    answer = get(
        wfs_url,
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "dzialki",
            "FILTER": fes,
        },
    )
    body = answer.body.decode()
    assert answer.status == 200 and "gml/3.2" in answer.content_type + body[:500]
    assert body.count("<wfs:member>") == 1 and 'numberMatched="1"' in body
    assert "<app:identifier>020101_1.0001.1</app:identifier>" in body


def test_geojson_paging_and_output_crs(wfs_url, django_db_blocker):
    first = _geojson(wfs_url, TYPENAMES="dzialki", COUNT=5, SORTBY="identifier")
    second = _geojson(wfs_url, TYPENAMES="dzialki", COUNT=5, STARTINDEX=5, SORTBY="identifier")
    ids = [f["properties"]["identifier"] for f in first["features"] + second["features"]]
    assert len(ids) == len(set(ids)) == 10
    with django_db_blocker.unblock():
        from sip.models import Parcel

        expected = list(Parcel.objects.order_by("identifier").values_list("identifier", flat=True)[:10])
        total = Parcel.objects.count()
    assert ids == expected and first["numberMatched"] == total

    one = _geojson(wfs_url, TYPENAMES="dzialki", COUNT=1, SRSNAME="EPSG:4326", SORTBY="identifier")
    lon, lat = one["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 15.0 < lon < 16.0 and 51.0 < lat < 51.5
    pl2000 = _geojson(wfs_url, TYPENAMES="dzialki", COUNT=1, SRSNAME="EPSG:2176", SORTBY="identifier")
    x, y = pl2000["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 5_500_000 < x < 5_560_000 and 5_660_000 < y < 5_700_000


def test_gdal_wfs_driver_reads_the_layer(wfs_url, parcels_in_bbox):
    ds = ogr.Open(f"WFS:{wfs_url}?VERSION=2.0.0")
    names = {ds.GetLayer(i).GetName().split(":")[-1] for i in range(ds.GetLayerCount())}
    assert {"dzialki", "obreby", "gminy", "adresy"} <= names
    layer = next(
        ds.GetLayer(i) for i in range(ds.GetLayerCount()) if ds.GetLayer(i).GetName().endswith("dzialki")
    )
    layer.SetSpatialFilterRect(*BBOX)
    found = {f.GetField("identifier") for f in layer}
    assert found == parcels_in_bbox


def test_internal_layer_visibility(wfs_url, internal_layer):
    own, other = ("redaktor-boleslawiec", "sip-demo"), ("redaktor-nowogrodziec", "sip-demo")
    assert INTERNAL.encode() not in get(wfs_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).body
    assert (
        INTERNAL.encode()
        not in get(wfs_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}, auth=other).body
    )
    assert INTERNAL.encode() in get(wfs_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}, auth=own).body
    params = {
        "SERVICE": "WFS",
        "VERSION": "2.0.0",
        "REQUEST": "GetFeature",
        "TYPENAMES": INTERNAL,
        "COUNT": 3,
    }
    assert get(wfs_url, params).status == 401
    assert get(wfs_url, params, auth=other).status == 400
    # A hidden type name is answered exactly as an unknown one: nothing tells that it exists.
    missing = INTERNAL.replace("test", "brak")
    for auth in (None, other):
        hidden = get(wfs_url, params, auth=auth)
        unknown = get(wfs_url, {**params, "TYPENAMES": missing}, auth=auth)
        assert hidden.status == unknown.status and hidden.exception_code() == unknown.exception_code()
        assert hidden.body.replace(INTERNAL.encode(), missing.encode()) == unknown.body
        assert hidden.headers.get("WWW-Authenticate") == unknown.headers.get("WWW-Authenticate")
    mine = _geojson(wfs_url, auth=own, TYPENAMES=INTERNAL, COUNT=50000)
    ids = [f["properties"]["identifier"] for f in mine["features"]]
    # A layer of one gmina: only that gmina's parcels.
    assert ids and all(i.startswith("020101_1.") for i in ids)
    assert mine["numberMatched"] == len(ids)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0">
<wfs:Query typeNames="dzialki"><fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">
<fes:PropertyIsEqualTo><fes:ValueReference>number</fes:ValueReference><fes:Literal>&lol3;</fes:Literal>
</fes:PropertyIsEqualTo></fes:Filter></wfs:Query></wfs:GetFeature>"""

WFS_CASES = [
    ("unknown type", {"TYPENAMES": "nie-ma-takiej"}, "InvalidParameterValue"),
    ("missing type", {}, "MissingParameterValue"),
    ("bad srsName", {"TYPENAMES": "dzialki", "SRSNAME": "EPSG:9999"}, "InvalidParameterValue"),
    ("bbox text", {"TYPENAMES": "dzialki", "BBOX": "a,b,c,d"}, "InvalidParameterValue"),
    ("broken FES XML", {"TYPENAMES": "dzialki", "FILTER": "<fes:Filter><fes:PropertyIsEqualTo>"}, None),
    (
        "unknown property in filter",
        {
            "TYPENAMES": "dzialki",
            "FILTER": "<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo>"
            "<fes:ValueReference>haslo</fes:ValueReference><fes:Literal>1</fes:Literal>"
            "</fes:PropertyIsEqualTo></fes:Filter>",
        },
        None,
    ),
    ("negative count", {"TYPENAMES": "dzialki", "COUNT": "-1"}, "InvalidParameterValue"),
    ("count beyond int64", {"TYPENAMES": "dzialki", "COUNT": "9223372036854775808"}, "InvalidParameterValue"),
    (
        "startindex beyond int64",
        {"TYPENAMES": "dzialki", "STARTINDEX": "9223372036854775808"},
        "InvalidParameterValue",
    ),
    (
        "startindex beyond int32",
        {"TYPENAMES": "dzialki", "STARTINDEX": "2147483648"},
        "InvalidParameterValue",
    ),
    ("count of superscript two", {"TYPENAMES": "dzialki", "COUNT": "²"}, "InvalidParameterValue"),
    (
        "unknown output format",
        {"TYPENAMES": "dzialki", "OUTPUTFORMAT": "application/pdf"},
        "InvalidParameterValue",
    ),
]


@pytest.mark.parametrize("params,code", [c[1:] for c in WFS_CASES], ids=[c[0] for c in WFS_CASES])
def test_malformed_wfs_request_gets_exception_report(wfs_url, params, code):
    answer = get(wfs_url, {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", **params})
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    assert b"ows:ExceptionReport" in answer.body
    if code:
        assert answer.exception_code() == code


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<wfs:GetFeature service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0">
<wfs:Query typeNames="dzialki"><fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">
<fes:PropertyIsEqualTo><fes:ValueReference>number</fes:ValueReference><fes:Literal>&secret;</fes:Literal>
</fes:PropertyIsEqualTo></fes:Filter></wfs:Query></wfs:GetFeature>"""


@pytest.mark.parametrize("body", [BOMB, XXE], ids=["entity-expansion", "external-entity"])
def test_xml_bomb_and_external_entity_are_refused(wfs_url, body):
    request = urllib.request.Request(wfs_url, data=body, headers={"Content-Type": "text/xml"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    assert 400 <= err.value.code < 500
    answer = err.value.read()
    assert b"ExceptionReport" in answer and b"root:" not in answer


def test_external_entity_in_a_get_filter_is_refused(wfs_url):
    params = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "dzialki"}
    fes = XXE.split(b"<fes:Filter", 1)[1].split(b"</wfs:Query>")[0]
    doctype = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    answer = get(wfs_url, {**params, "FILTER": (doctype + b"<fes:Filter" + fes).decode()})
    assert 400 <= answer.status < 500 and b"root:" not in answer.body
    assert b"ExceptionReport" in answer.body


@pytest.mark.parametrize("typename", ["dzialki", "drzewa", "groby", "strefy", "oswietlenie-latarnie"])
def test_geojson_from_rows_equals_gisservers_own_rendering(demo_data, db, client, monkeypatch, typename):
    """layers.ogc.wfs.RowGeoJsonRenderer reads rows as tuples; its output must be what gisserver's
    instance-based renderer writes for the same request (properties, ids, geometries, counts)."""
    from layers.ogc import wfs

    params = {
        "SERVICE": "WFS",
        "VERSION": "2.0.0",
        "REQUEST": "GetFeature",
        "TYPENAMES": typename,
        "COUNT": 300,
        "STARTINDEX": 50,
        "SRSNAME": "EPSG:4326",
        "OUTPUTFORMAT": "geojson",
    }

    def fetch(**extra):
        response = client.get("/ows/wfs", {**params, **extra})
        assert response.status_code == 200
        body = json.loads(b"".join(response.streaming_content))
        body.pop("timeStamp")
        return body

    variants = [{}, {"PROPERTYNAME": f"{typename}/geom"}, {"SRSNAME": "EPSG:2176"}]
    fast = [fetch(**v) for v in variants]
    monkeypatch.setattr(wfs.RowGeoJsonRenderer, "_flat_elements", staticmethod(lambda projection: None))
    reference = [fetch(**v) for v in variants]
    assert len(fast[0]["features"]) >= 150 and fast[0]["features"][0]["properties"]
    assert fast == reference
