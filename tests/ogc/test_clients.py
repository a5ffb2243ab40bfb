"""What desktop clients (QGIS, GDAL, OWSLib) rely on: the WFS page limit announced as the
standard CountDefault, answers that depend on the caller not reused by caches, register layers
with internal rows for staff, GetFeatureInfo GML with geometry, and each layer's own extent."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from lxml import etree
from osgeo import gdal, ogr
from owslib.wfs import WebFeatureService

from .conftest import get

gdal.UseExceptions()
ogr.UseExceptions()

OWS = "http://www.opengis.net/ows/1.1"
WFS_NS = "http://www.opengis.net/wfs/2.0"
PAGE = 5000
CENTRAL = ("centrala", "sip-demo")
OWN_EDITOR = ("redaktor-boleslawiec", "sip-demo")
OTHER_EDITOR = ("redaktor-nowogrodziec", "sip-demo")
BOLESLAWIEC = "020101_1"
NOWOGRODZIEC = "020104_3"


def _scalar(sql, params=()):
    # Through the `db` fixture: a module-scoped fixture's django_db_blocker.unblock() reads
    # the database named in the settings, not the test database.
    assert connection.settings_dict["NAME"].startswith("test"), connection.settings_dict["NAME"]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


@pytest.fixture
def parcel_count(demo_data, db):
    count = _scalar("SELECT count(*) FROM sip_parcel")
    assert count > PAGE, "the demo needs more parcels than one WFS page"
    return count


def _wfs(wfs_url, auth=None, **params):
    return get(wfs_url, {"SERVICE": "WFS", "VERSION": "2.0.0", **params}, auth=auth)


# --- WFS page limit ----------------------------------------------------------------------------


def test_capabilities_announce_count_default(wfs_url):
    body = _wfs(wfs_url, REQUEST="GetCapabilities").body
    root = etree.fromstring(body)
    found = root.xpath(
        "/*/ows:OperationsMetadata/ows:Constraint[@name='CountDefault']/ows:DefaultValue/text()",
        namespaces={"ows": OWS},
    )
    assert found == [str(PAGE)]
    paging = root.xpath(
        "/*/ows:OperationsMetadata/ows:Constraint[@name='ImplementsResultPaging']/ows:DefaultValue/text()",
        namespaces={"ows": OWS},
    )
    assert paging == ["TRUE"]
    # OWSLib lists it among the service's operations metadata.
    wfs = WebFeatureService(wfs_url, version="2.0.0", timeout=60)
    assert "CountDefault" in {getattr(op, "name", None) for op in wfs.operations}


@pytest.mark.parametrize("count", [None, 10000], ids=["no COUNT", "COUNT above the limit"])
def test_a_truncated_page_says_so_and_links_the_next(wfs_url, parcel_count, count):
    """QGIS with paging off asks without COUNT, with a large page size with COUNT > 5000: both
    get the first 5,000, numberMatched says how many there are and `next` where the rest is."""
    params = {"REQUEST": "GetFeature", "TYPENAMES": "dzialki", "PROPERTYNAME": "identifier"}
    if count:
        params["COUNT"] = count
    answer = _wfs(wfs_url, **params)
    assert answer.status == 200, answer.body[:300]
    root = etree.fromstring(answer.body)
    assert root.get("numberReturned") == str(PAGE)
    assert root.get("numberMatched") == str(parcel_count)
    assert "STARTINDEX=5000" in root.get("next", "").upper()
    hits = etree.fromstring(_wfs(wfs_url, REQUEST="GetFeature", TYPENAMES="dzialki", RESULTTYPE="hits").body)
    assert hits.get("numberMatched") == str(parcel_count) and hits.get("numberReturned") == "0"


def test_gdal_reads_the_limit_and_every_parcel(wfs_url, parcel_count):
    ds = gdal.OpenEx(f"WFS:{wfs_url}?VERSION=2.0.0", gdal.OF_VECTOR)
    layer = ds.GetLayerByName("sip:dzialki") or ds.GetLayerByName("dzialki")
    # GDAL's WFS driver reads CountDefault and pages with it: no parcel is lost.
    assert layer.GetFeatureCount() == parcel_count
    assert sum(1 for _ in layer) == parcel_count


def test_qgis_reads_every_parcel_or_knows_it_did_not(live_server_url, parcel_count):
    """QGIS 3.22 itself (Debian's python3-qgis): with a page size above the limit it pages at
    the announced 5,000 and reads every parcel (before: 5,000, silently); with paging off it gets
    one request's worth but knows the layer's real size (before: 5,000 of 5,000)."""
    _needs_qgis()
    seen = _qgis("wfs-count", live_server_url, "app:dzialki", "pagingEnabled=true", "pageSize=10000")
    assert seen["valid"], seen
    assert seen["read"] == seen["feature_count"] == parcel_count
    seen = _qgis("wfs-count", live_server_url, "app:dzialki", "pagingEnabled=false")
    assert seen["read"] == PAGE and seen["feature_count"] == parcel_count


def _needs_qgis() -> None:
    """Skip where Debian's python3-qgis is missing, without importing it here: PyQt5 puts its own
    module in sys.modules["sip"], which would shadow SIP's `sip` package for every later test."""
    if importlib.util.find_spec("qgis") is None:
        pytest.skip("python3-qgis (scripts/system-packages.sh) is not installed")


def _qgis(*args) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": tempfile.gettempdir()}
    done = subprocess.run(
        [sys.executable, "-m", "tests.ogc.qgis_probe", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Caches ------------------------------------------------------------------------------------


def test_every_ows_and_api_answer_varies_with_the_caller(wms_url, wfs_url, live_server_url):
    answers = [
        get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}),
        get(wfs_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}),
        _wfs(wfs_url, REQUEST="GetFeature", TYPENAMES="obreby", COUNT=1),
        get(live_server_url + "/ows/layers"),
        get(live_server_url + "/api/inventory/lighting-lines/"),
        get(live_server_url + "/api/parcels/", {"q": "1"}),
        get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}, auth=("centrala", "zle-haslo")),
    ]
    for answer in answers:
        vary = {v.strip().lower() for v in answer.headers.get("Vary", "").split(",")}
        assert {"authorization", "cookie"} <= vary, (answer.status, answer.headers)
        assert answer.headers.get("Cache-Control"), answer.headers


def test_an_answer_with_internal_rows_is_never_stored(wms_url):
    """A client cache that ignores Vary (Qt's, so QGIS's) must not keep the anonymous image of a
    layer whose rows depend on the caller and show it to staff; public layers stay cacheable."""
    lines = get(wms_url, _getmap_params("oswietlenie-linie", _AROUND_RYNEK))
    assert lines.status == 200
    assert "no-store" in lines.headers["Cache-Control"] and "private" in lines.headers["Cache-Control"]
    parcels = get(wms_url, _getmap_params("dzialki", _AROUND_RYNEK))
    assert parcels.headers["Cache-Control"].startswith("public")


# --- Internal register rows --------------------------------------------------------------------

_AROUND_RYNEK = (260516, 382773, 261016, 383273)


def _getmap_params(layers, bbox, size=128):
    return {
        "SERVICE": "WMS",
        "VERSION": "1.1.1",
        "REQUEST": "GetMap",
        "LAYERS": layers,
        "STYLES": "",
        "SRS": "EPSG:2180",
        "BBOX": ",".join(map(str, bbox)),
        "WIDTH": size,
        "HEIGHT": size,
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
    }


@pytest.fixture
def lighting(demo_data, db):
    """{gmina TERYT: ids of its lighting lines} and a 300 m box around one in Bolesławiec;
    lighting lines are an internal register in every demo gmina."""
    assert connection.settings_dict["NAME"].startswith("test")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT g.teryt, array_agg(l.id ORDER BY l.id) FROM inventory_lightingline l "
            "JOIN sip_gmina g ON g.id = l.gmina_id GROUP BY g.teryt"
        )
        ids = {teryt: set(found) for teryt, found in cur.fetchall()}
        cur.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_LineInterpolatePoint(l.geom, 0.5) AS c "
            "FROM inventory_lightingline l JOIN sip_gmina g ON g.id = l.gmina_id "
            "WHERE g.teryt = %s ORDER BY l.id LIMIT 1) s",
            [BOLESLAWIEC],
        )
        x, y = cur.fetchone()
        cur.execute("SELECT count(*) FROM inventory_registervisibility WHERE register = 'lighting-lines'")
        assert cur.fetchone()[0] == 0, "the demo keeps lighting lines internal"
    assert len(ids) >= 2 and ids[BOLESLAWIEC]
    return ids, (round(x) - 150, round(y) - 150, round(x) + 150, round(y) + 150)


def _wfs_ids(wfs_url, auth=None) -> set[int]:
    answer = _wfs(wfs_url, auth, REQUEST="GetFeature", TYPENAMES="oswietlenie-linie", OUTPUTFORMAT="geojson")
    assert answer.status == 200, answer.body[:300]
    return {int(f["id"].rsplit(".", 1)[1]) for f in json.loads(answer.body)["features"]}


def test_staff_see_their_gminas_internal_rows_through_wfs(wfs_url, lighting):
    ids, _ = lighting
    everything = set().union(*ids.values())
    assert _wfs_ids(wfs_url) == set()
    assert _wfs_ids(wfs_url, OWN_EDITOR) == ids[BOLESLAWIEC]
    assert _wfs_ids(wfs_url, OTHER_EDITOR) == ids.get(NOWOGRODZIEC, set())
    assert _wfs_ids(wfs_url, CENTRAL) == everything


def test_staff_see_their_gminas_internal_rows_on_the_map(wms_url, lighting):
    _, bbox = lighting
    drawn = {}
    for who, auth in (
        ("anonymous", None),
        ("own", OWN_EDITOR),
        ("other", OTHER_EDITOR),
        ("central", CENTRAL),
    ):
        answer = get(wms_url, _getmap_params("oswietlenie-linie", bbox), auth=auth)
        drawn[who] = int((answer.image()[..., 3] > 0).sum())
    assert drawn["anonymous"] == 0 and drawn["other"] == 0
    assert drawn["own"] > 100 and drawn["central"] == drawn["own"]


# --- GetFeatureInfo for QGIS -------------------------------------------------------------------


@pytest.fixture
def obreb(demo_data, db):
    """A point inside obręb 0001 of Bolesławiec (EPSG:2180 x/y) and the obręb's outline."""
    assert connection.settings_dict["NAME"].startswith("test")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p), ST_AsText(o.geom) FROM (SELECT geom, ST_PointOnSurface(geom) AS p "
            "FROM sip_obreb WHERE code = '0001' AND gmina_id = "
            "(SELECT id FROM sip_gmina WHERE teryt = %s)) o",
            [BOLESLAWIEC],
        )
        x, y, wkt = cur.fetchone()
    return x, y, ogr.CreateGeometryFromWkt(wkt)


def _mm_rounding_area(outline) -> float:
    """The most area by which an outline written to the millimetre (GML's 3 decimals in metres)
    can differ from the stored one: each vertex rounded by at most half a millimetre in x and in
    y, so each edge moved by at most 0.71 mm; a wrong or simplified geometry differs by far more."""
    return max(1.0, outline.Boundary().Length() * 0.00071)


def _gfi(wms_url, x, y, info_format):
    return get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetFeatureInfo",
            "LAYERS": "obreby",
            "QUERY_LAYERS": "obreby",
            "STYLES": "",
            "CRS": "EPSG:2180",
            "BBOX": f"{y - 50},{x - 50},{y + 50},{x + 50}",
            "WIDTH": 101,
            "HEIGHT": 101,
            "I": 50,
            "J": 50,
            "INFO_FORMAT": info_format,
        },
    )


def test_gml_feature_info_carries_the_geometry(wms_url, obreb):
    x, y, outline = obreb
    answer = _gfi(wms_url, x, y, "application/vnd.ogc.gml")
    root = etree.fromstring(answer.body)
    gml = {"gml": "http://www.opengis.net/gml"}
    (feature,) = root.findall("obreby_layer/obreby_feature")
    assert feature.findtext("code") == "0001"
    (geometry,) = feature.find("geometry")
    assert geometry.get("srsName") == "EPSG:2180"
    # The geometry read by OGR from the GML is the obręb's outline.
    read = ogr.CreateGeometryFromGML(etree.tostring(geometry).decode())
    assert read.SymDifference(outline).Area() < _mm_rounding_area(outline)
    box = feature.find("gml:boundedBy/gml:Box/gml:coordinates", gml).text.split()
    (minx, miny), (maxx, maxy) = (map(float, c.split(",")) for c in box)
    env = outline.GetEnvelope()
    assert (minx, maxx, miny, maxy) == pytest.approx(env, abs=0.01)


def test_feature_info_with_schema_types_the_obreb_code_as_text(wms_url, obreb):
    x, y, _ = obreb
    answer = _gfi(wms_url, x, y, "application/vnd.ogc.gml+xsd")
    assert answer.content_type.startswith("multipart/mixed")
    assert b'<element name="code" type="string"' in answer.body


def test_qgis_identifies_the_obreb_with_its_outline_and_text_code(live_server_url, obreb):
    """QGIS's identify tool (WMS provider, feature format): the geometry to highlight, and the
    code "0001" as text (it guessed a number, 1, from a GML without a schema)."""
    _needs_qgis()
    x, y, outline = obreb
    seen = _qgis("wms-identify", live_server_url, "obreby", str(x), str(y), "2180")
    (feature,) = seen["features"]
    assert feature["attributes"]["code"] == "0001" and feature["types"]["code"] == "string"
    assert ogr.CreateGeometryFromWkt(feature["geometry"]).SymDifference(outline).Area() < _mm_rounding_area(
        outline
    )


# --- Extents -----------------------------------------------------------------------------------


def test_each_layer_advertises_the_extent_of_its_own_rows(wms_url, wfs_url, demo_data, db):
    """The cemeteries layer's bounding boxes (WMS 1.3.0 and WFS) lie around the cemeteries, not
    around the whole partnership."""
    assert connection.settings_dict["NAME"].startswith("test")
    with connection.cursor() as cur:
        # The cemeteries' PL-1992 box, taken to WGS 84 as a box (what a capabilities box is).
        cur.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Transform("
            "ST_SetSRID(ST_Extent(boundary)::geometry, 2180), 4326) AS e FROM cemetery_routing_cemetery) s"
        )
        cemeteries = cur.fetchone()
        cur.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent("
            "ST_Transform(boundary, 4326)) AS e FROM sip_gmina) s"
        )
        gminas = cur.fetchone()
    slack = 2e-5  # degrees, about 2 m

    def inside(box):
        west, south, east, north = box
        return (
            cemeteries[0] - slack <= west <= cemeteries[0] + slack
            and cemeteries[1] - slack <= south <= cemeteries[1] + slack
            and cemeteries[2] - slack <= east <= cemeteries[2] + slack
            and cemeteries[3] - slack <= north <= cemeteries[3] + slack
        )

    wms = etree.fromstring(get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body)
    ns = {"w": "http://www.opengis.net/wms"}
    (layer,) = wms.xpath("//w:Layer[w:Name='cmentarze']", namespaces=ns)
    geo = layer.find("w:EX_GeographicBoundingBox", ns)
    box = tuple(
        float(geo.findtext(f"w:{k}", namespaces=ns))
        for k in ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")
    )
    assert inside(box), (box, cemeteries)
    # Much smaller than the partnership (three gminas).
    assert (box[2] - box[0]) * (box[3] - box[1]) < 0.2 * (gminas[2] - gminas[0]) * (gminas[3] - gminas[1])

    wfs = etree.fromstring(_wfs(wfs_url, REQUEST="GetCapabilities").body)
    (ft,) = wfs.xpath("//wfs:FeatureType[wfs:Name='app:cmentarze']", namespaces={"wfs": WFS_NS})
    lower = ft.findtext(f"{{{OWS}}}WGS84BoundingBox/{{{OWS}}}LowerCorner").split()
    upper = ft.findtext(f"{{{OWS}}}WGS84BoundingBox/{{{OWS}}}UpperCorner").split()
    assert inside((*map(float, lower), *map(float, upper)))


# --- Walking routes against the alleys as a client reads them --------------------------------


@pytest.mark.parametrize("slug", ["cmentarz-komunalny-nowogrodziec", "cmentarz-komunalny-boleslawiec"])
def test_routes_are_the_shortest_over_the_alleys_read_through_wfs(wfs_url, db, slug):
    """An independent Dijkstra (networkx) over the alleys read back through the WFS, joined and
    noded in Python: for a few hundred graves the route is exactly as long (within 1 cm)."""
    import random

    from shapely.geometry import shape

    from cemetery_routing.models import Cemetery, Grave
    from cemetery_routing.routes import RouteError, route_to_grave
    from tests.cemetery_routing.oracle import Oracle

    answer = _wfs(
        wfs_url, REQUEST="GetFeature", TYPENAMES="alejki", OUTPUTFORMAT="geojson", SRSNAME="EPSG:2180"
    )
    features = json.loads(answer.body)["features"]
    cemetery = Cemetery.objects.get(slug=slug)
    area = shape(json.loads(cemetery.boundary.buffer(5).geojson))
    alleys = [
        (f["geometry"]["coordinates"], f["properties"]["step_free"])
        for f in features
        if shape(f["geometry"]).intersects(area)
    ]
    assert len(alleys) == cemetery.alleys.count()
    oracle = Oracle(cemetery, alleys=alleys)
    ids = sorted(Grave.objects.filter(cemetery=cemetery).values_list("pk", flat=True))
    checked = refused = 0
    for grave_id in random.Random(14).sample(ids, min(300, len(ids))):
        grave = Grave.objects.get(pk=grave_id)
        expected = oracle.lengths((grave.geom.x, grave.geom.y), oracle.gates)
        try:
            got = route_to_grave(grave_id).length_m
        except RouteError:
            assert expected == {None}, grave_id
            refused += 1
            continue
        assert any(e is not None and abs(e - got) <= 0.01 for e in expected), (grave_id, got, expected)
        checked += 1
    assert checked >= 250 and refused <= 10


def test_answers_vary_with_the_caller_under_a_script_name_mount(client, db):
    # Mounted under /sip by the WSGI server (SCRIPT_NAME), the answer is the same as at the root:
    # it still says that it depends on the caller, and the API still answers errors in JSON.
    for path, params in (
        ("/ows/wms", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}),
        ("/ows/layers", {}),
        ("/api/parcels/", {"q": "Polna"}),
    ):
        answer = client.get(path, params, SCRIPT_NAME="/sip")
        assert answer.status_code == 200, (path, answer.status_code, answer.content[:200])
        vary = {v.strip().lower() for v in answer.headers.get("Vary", "").split(",")}
        assert {"authorization", "cookie"} <= vary, (path, answer.headers)
    missing = client.get("/api/nie-ma-takiego/", SCRIPT_NAME="/sip")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("application/json")
