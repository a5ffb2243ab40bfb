"""WMS 1.3.0 and 1.1.1 against the live server: OWSLib, GDAL's WMS driver, images by pixels."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.db import connection
from osgeo import gdal
from owslib.wms import WebMapService

from .conftest import get

gdal.UseExceptions()

PUBLIC = {"gminy", "obreby", "dzialki", "adresy"}
TILE = 256


@pytest.fixture(scope="module")
def edge_tile(demo_data, django_db_blocker):
    """A 400 m square (EPSG:2180, x/y order; 1:5,600 in 256 pixels, where parcels are drawn) on
    the outer edge of the partner gminas: part parcels, part outside every parcel; with the
    oracle of which pixel centres lie in a parcel."""
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN("
            "ST_Union(boundary), 1)), 1) AS p FROM sip_gmina) s"
        )
        x, y = cur.fetchone()
        bbox = (round(x) - 200, round(y) - 200, round(x) + 200, round(y) + 200)
        step = 8
        res = (bbox[2] - bbox[0]) / TILE
        cur.execute(
            """
            WITH pts AS (
              SELECT i, j, ST_SetSRID(ST_MakePoint(%s + (i + 0.5) * %s, %s - (j + 0.5) * %s), 2180) AS p
              FROM generate_series(0, %s - 1, %s) i, generate_series(0, %s - 1, %s) j)
            SELECT i, j,
              EXISTS (SELECT 1 FROM sip_parcel WHERE ST_Covers(geom, p)),
              EXISTS (SELECT 1 FROM sip_parcel WHERE geom && ST_Expand(p, %s)
                      AND ST_DWithin(ST_Boundary(geom), p, %s))
            FROM pts
            """,
            [bbox[0], res, bbox[3], res, TILE, step, TILE, step, 3 * res, 3 * res],
        )
        oracle = [(i, j, inside) for i, j, inside, near_edge in cur.fetchall() if not near_edge]
    return bbox, oracle


def _getmap(wms_url, version, srs_key, srs, bbox, layers="dzialki", **extra):
    params = {
        "SERVICE": "WMS",
        "VERSION": version,
        "REQUEST": "GetMap",
        "LAYERS": layers,
        "STYLES": "",
        srs_key: srs,
        "BBOX": ",".join(str(v) for v in bbox),
        "WIDTH": TILE,
        "HEIGHT": TILE,
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
        **extra,
    }
    return get(wms_url, params)


def test_owslib_reads_capabilities_1_3_0_and_1_1_1(wms_url):
    for version in ("1.3.0", "1.1.1"):
        wms = WebMapService(wms_url, version=version, timeout=60)
        assert PUBLIC <= set(wms.contents), version
        parcels = wms["dzialki"]
        assert parcels.title == "Działki ewidencyjne"
        assert parcels.queryable == 1
        crs = {c if isinstance(c, str) else c[-1] for c in parcels.crsOptions}
        assert {"EPSG:2180", "EPSG:2176", "EPSG:3857", "EPSG:4326"} <= crs, (version, crs)
        lon_min, lat_min, lon_max, lat_max = parcels.boundingBoxWGS84[:4]
        assert 15.0 < lon_min < 15.6 < lon_max < 16.0 and 51.0 < lat_min < 51.3 < lat_max < 51.5
        assert "image/png" in wms.getOperationByName("GetMap").formatOptions
        assert parcels.styles["default"]["legend"].startswith(wms_url)


def test_capabilities_bounding_box_follows_axis_order(wms_url):
    from lxml import etree

    caps13 = etree.fromstring(get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body)
    ns = {"w": "http://www.opengis.net/wms"}
    box13 = caps13.xpath("//w:Layer[w:Name='gminy']/w:BoundingBox[@CRS='EPSG:2180']", namespaces=ns)[0]
    caps11 = etree.fromstring(
        get(wms_url, {"SERVICE": "WMS", "VERSION": "1.1.1", "REQUEST": "GetCapabilities"}).body
    )
    box11 = caps11.xpath("//Layer[Name='gminy']/BoundingBox[@SRS='EPSG:2180']")[0]
    # PL-1992 is northing/easting in EPSG: 1.3.0 lists northing (~380 km) first, 1.1.1 easting (~260 km).
    assert float(box13.get("minx")) == pytest.approx(float(box11.get("miny")))
    assert float(box13.get("miny")) == pytest.approx(float(box11.get("minx")))
    assert 350_000 < float(box13.get("minx")) < 400_000 and 220_000 < float(box11.get("minx")) < 280_000


def test_parcels_drawn_where_parcels_are_and_transparent_elsewhere(wms_url, edge_tile):
    bbox, oracle = edge_tile
    inside = sum(1 for *_, v in oracle if v)
    assert 20 < inside < len(oracle) - 20, "the tile must hold both parcels and empty ground"
    e_n = (bbox[1], bbox[0], bbox[3], bbox[2])
    image = _getmap(wms_url, "1.3.0", "CRS", "EPSG:2180", e_n).image()
    assert image.shape == (TILE, TILE, 4)
    wrong = [(i, j, v) for i, j, v in oracle if (image[j, i, 3] > 0) != v]
    assert not wrong, f"{len(wrong)} of {len(oracle)} pixels disagree with PostGIS, e.g. {wrong[:5]}"


def test_same_area_in_1_1_1_and_1_3_0_gives_the_same_image(wms_url, edge_tile):
    bbox, _ = edge_tile
    in_2180_13 = _getmap(wms_url, "1.3.0", "CRS", "EPSG:2180", (bbox[1], bbox[0], bbox[3], bbox[2])).image()
    in_2180_11 = _getmap(wms_url, "1.1.1", "SRS", "EPSG:2180", bbox).image()
    assert np.array_equal(in_2180_13, in_2180_11)

    lonlat = (15.567, 51.262, 15.573, 51.2655)  # 1:5,800 in 256 pixels: parcels are drawn
    latlon = (lonlat[1], lonlat[0], lonlat[3], lonlat[2])
    img11 = _getmap(wms_url, "1.1.1", "SRS", "EPSG:4326", lonlat).image()
    img13 = _getmap(wms_url, "1.3.0", "CRS", "EPSG:4326", latlon).image()
    crs84 = _getmap(wms_url, "1.3.0", "CRS", "CRS:84", lonlat).image()
    assert (img11[..., 3] > 0).mean() > 0.9, "the centre of Bolesławiec is covered by parcels"
    assert np.array_equal(img11, img13) and np.array_equal(img11, crs84)
    # The wrong order for 1.3.0 points at another place (15°N 51°E) with nothing drawn.
    swapped = _getmap(wms_url, "1.3.0", "CRS", "EPSG:4326", lonlat).image()
    assert (swapped[..., 3] > 0).mean() == 0


def test_owslib_getmap_jpeg_and_opaque_png(wms_url, edge_tile):
    bbox, _ = edge_tile
    wms = WebMapService(wms_url, version="1.1.1", timeout=60)
    for fmt, magic in (("image/jpeg", b"\xff\xd8"), ("image/png", b"\x89PNG")):
        img = wms.getmap(layers=["gminy", "dzialki"], srs="EPSG:2180", bbox=bbox, size=(300, 200), format=fmt)
        body = img.read()
        assert body.startswith(magic)


def test_gdal_wms_driver_reads_capabilities_and_map(wms_url, edge_tile):
    caps = gdal.Open(f"WMS:{wms_url}?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")
    names = " ".join(caps.GetMetadata("SUBDATASETS").values())
    assert "LAYERS=dzialki" in names and "LAYERS=obreby" in names
    bbox, oracle = edge_tile
    url = (
        f"WMS:{wms_url}?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=dzialki&SRS=EPSG:2180"
        f"&BBOX={','.join(str(v) for v in bbox)}&FORMAT=image/png&TRANSPARENT=TRUE"
    )
    ds = gdal.Open(url)
    assert ds.RasterCount == 4
    alpha = np.frombuffer(
        ds.GetRasterBand(4).ReadRaster(0, 0, ds.RasterXSize, ds.RasterYSize, TILE, TILE), dtype=np.uint8
    ).reshape(TILE, TILE)
    agree = sum(1 for i, j, v in oracle if (alpha[j, i] > 0) == v)
    assert agree / len(oracle) > 0.97


def test_getfeatureinfo_names_the_parcel_under_the_pixel(wms_url, django_db_blocker):
    from sip.models import Parcel

    with django_db_blocker.unblock():
        parcel = Parcel.objects.get(identifier="020101_1.0001.1")
        point = parcel.geom.point_on_surface
    x, y = point.x, point.y
    bbox = (x - 50, y - 50, x + 50, y + 50)
    wms = WebMapService(wms_url, version="1.3.0", timeout=60)
    common = {
        "layers": ["dzialki"],
        "srs": "EPSG:2180",
        # OWSLib takes x/y and writes northing first itself, as EPSG:2180 demands in 1.3.0.
        "bbox": bbox,
        "size": (101, 101),
        "format": "image/png",
        "query_layers": ["dzialki"],
        "xy": (50, 50),
    }
    answer = json.loads(wms.getfeatureinfo(info_format="application/json", **common).read())
    assert [f["properties"]["identifier"] for f in answer["features"]] == ["020101_1.0001.1"]
    assert answer["layers"]["dzialki"]["labels"]["number"] == "numer działki"
    html = wms.getfeatureinfo(info_format="text/html", **common).read().decode()
    assert "identyfikator działki" in html and "020101_1.0001.1" in html
    gml = wms.getfeatureinfo(info_format="application/vnd.ogc.gml", **common).read().decode()
    assert "<identifier>020101_1.0001.1</identifier>" in gml


def test_legend_graphic_shows_the_style(wms_url):
    answer = get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetLegendGraphic",
            "LAYER": "dzialki",
            "FORMAT": "image/png",
            "SLD_VERSION": "1.1.0",
        },
    )
    image = answer.image()
    colours = {tuple(int(v) for v in c) for c in image[..., :3].reshape(-1, 3)}
    # The parcels' fill colour #fee8c8 at its 60 % opacity over white, as on the map.
    key = tuple(round(0.6 * c + 0.4 * 255) for c in (0xFE, 0xE8, 0xC8))
    assert any(all(abs(a - b) <= 4 for a, b in zip(c, key, strict=True)) for c in colours), key


def test_capabilities_advertise_the_address_the_client_used(wms_url):
    answer = get(
        wms_url,
        {"SERVICE": "WMS", "REQUEST": "GetCapabilities"},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost", "X-Forwarded-Port": "8443"},
    )
    assert b'xlink:href="https://localhost:8443/ows/wms?"' in answer.body
    plain = get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"})
    assert f'xlink:href="{wms_url}?"'.encode() in plain.body


def test_get_styles_exports_sld_that_reads_back(wms_url):
    from layers.registry.sld import parse_sld

    answer = get(
        wms_url, {"SERVICE": "WMS", "VERSION": "1.1.1", "REQUEST": "GetStyles", "LAYERS": "dzialki,adresy"}
    )
    assert answer.status == 200 and answer.content_type.startswith("application/vnd.ogc.sld+xml")
    assert answer.body.count(b"<NamedLayer>") == 2
    parsed = parse_sld(answer.body)
    # The parcels are drawn by their scale classes alone, each with the fill and the numbers.
    assert parsed.attrs["rules_only"] and parsed.rules
    assert all(r.fill_colour == "#fee8c8" and r.label_field == "number" for r in parsed.rules)
