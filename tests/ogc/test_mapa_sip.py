"""Mapa SIP, the base map, reads at every zoom: GetMap at each scale band draws what the layers'
scale-dependent classes say, in the colours of the registry's styles (read from the database,
the oracle of where things are is PostGIS)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection
from lxml import etree

from .conftest import get

pytestmark = pytest.mark.demo
SIZE = 256
OGC_PIXEL_M = 0.00028


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _getmap(wms_url, layers, x, y, scale, *, srs="EPSG:2180", size=SIZE):
    """A transparent PNG of `layers` centred on (x, y) (EPSG:2180) at the true scale 1:scale."""
    half = size / 2 * OGC_PIXEL_M * scale
    answer = get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": layers,
            "STYLES": "",
            "SRS": srs,
            "BBOX": ",".join(str(v) for v in (x - half, y - half, x + half, y + half)),
            "WIDTH": size,
            "HEIGHT": size,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        },
    )
    assert answer.status == 200, answer.body[:300]
    return answer.image()


def _near(image, colour: str, tolerance: int = 12) -> np.ndarray:
    """A mask of the opaque pixels within `tolerance` of the colour in every channel."""
    rgb = np.array(_hex(colour), dtype=int)
    close = (np.abs(image[..., :3].astype(int) - rgb) <= tolerance).all(axis=-1)
    return close & (image[..., 3] > 200)


def _centre(mask, radius: int = 3) -> bool:
    c = SIZE // 2
    return bool(mask[c - radius : c + radius + 1, c - radius : c + radius + 1].any())


def _rules(style_name: str) -> list:
    from layers.models import Layer

    layer = Layer.objects.select_related("style").get(name=style_name)
    return list(layer.style.rules.order_by("order", "id"))


def _rule(rules, scale: int, **attrs):
    """The first rule drawing at 1:scale whose attributes match (as MapServer picks a class)."""
    for rule in rules:
        if rule.min_scale and scale < rule.min_scale or rule.max_scale and scale >= rule.max_scale:
            continue
        if rule.field and str(attrs.get(rule.field)) != rule.value:
            continue
        return rule
    raise AssertionError(f"no rule draws at 1:{scale} for {attrs}")


@pytest.fixture(scope="module")
def places(demo_data, django_db_blocker):
    """Known features: points on the longest national road (a quarter and half way along), the
    middle of the longest gmina street in a town, a parcel's and an address's inner point."""
    with django_db_blocker.unblock(), connection.cursor() as cur:
        # The longest piece of a national road: its middle, and points 800 m before and after
        # the point a quarter along it (a tile's label sits in the middle of the visible piece).
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT l, ST_Length(l) n FROM (SELECT (ST_Dump(geom)).geom l "
            "FROM sip_street WHERE road_category = 'krajowa') s ORDER BY ST_Length(l) DESC LIMIT 1) r, "
            "LATERAL (VALUES (ST_LineInterpolatePoint(l, 0.5)), (ST_LineInterpolatePoint(l, 0.25)), "
            "(ST_LineInterpolatePoint(l, GREATEST(0.25 - 800 / n, 0))), "
            "(ST_LineInterpolatePoint(l, LEAST(0.25 + 800 / n, 1)))) v(p)"
        )
        road_middle, road_quarter, *road_around = cur.fetchall()
        cur.execute(
            "SELECT ST_X(m), ST_Y(m) FROM (SELECT ST_LineInterpolatePoint(l, 0.5) m FROM (SELECT "
            "(ST_Dump(s.geom)).geom l FROM sip_street s JOIN sip_gmina g ON g.id = s.gmina_id "
            "WHERE s.road_category = 'gminna' AND g.teryt = '020101_1') s ORDER BY ST_Length(l) DESC "
            "LIMIT 1) p"
        )
        street = cur.fetchone()
        cur.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM sip_parcel "
            "WHERE identifier LIKE '020101\\_1.%%' AND ST_Area(geom) BETWEEN 400 AND 2000 "
            "ORDER BY id LIMIT 1 OFFSET 50) p"
        )
        parcel = cur.fetchone()
        cur.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM sip_addresspoint a JOIN sip_gmina g ON g.id = a.gmina_id "
            "WHERE g.teryt = '020101_1' ORDER BY a.id LIMIT 1 OFFSET 100"
        )
        address = cur.fetchone()
    return {
        "road_quarter": road_quarter,
        "road_around": road_around,
        "road_middle": road_middle,
        "street": street,
        "parcel": parcel,
        "address": address,
    }


def test_main_road_in_its_category_colour_with_its_number_at_gmina_scale(wms_url, places, django_db_blocker):
    with django_db_blocker.unblock():
        rules = _rules("ulice")
    road = _rule(rules, 50_000, road_category="krajowa")
    assert road.label_field == "road_number"
    x0, y0 = places["road_quarter"]
    image = _getmap(wms_url, "ulice", x0, y0, 50_000)
    colour = _near(image, road.stroke_colour)
    pixel = OGC_PIXEL_M * 50_000
    for x, y in places["road_around"]:
        i, j = round(SIZE / 2 + (x - x0) / pixel), round(SIZE / 2 - (y - y0) / pixel)
        assert colour[j - 3 : j + 4, i - 3 : i + 4].any(), "the national road is drawn in its colour"
    around_middle = _getmap(wms_url, "ulice", *places["road_middle"], 50_000)
    assert _near(around_middle, road.label_colour, 30).sum() > 15, "the road number is written"
    # Closer in, the same road is a street: wider, and labelled with its name, not its number.
    street = _rule(rules, 10_000, road_category="krajowa")
    assert street.label_field == "name" and street.stroke_width > road.stroke_width


def test_street_names_at_1_10000_and_not_at_gmina_scale(wms_url, places, django_db_blocker):
    with django_db_blocker.unblock():
        rules = _rules("ulice")
        from layers.models import Layer

        style = Layer.objects.get(name="ulice").style
        label_colour = style.label_colour
    near_10k = _getmap(wms_url, "ulice", *places["street"], 10_000)
    gmina_view = _getmap(wms_url, "ulice", *places["street"], 50_000)
    street_10k = _rule(rules, 10_000, road_category="gminna")
    assert street_10k.label_field == "name"
    assert _near(near_10k, street_10k.stroke_colour or style.stroke_colour).sum() > 200
    assert _near(near_10k, label_colour, 30).sum() > 30, "street names are written at 1:10,000"
    assert _near(gmina_view, label_colour, 30).sum() == 0, "no street names at 1:50,000"
    road_50k = _rule(rules, 50_000, road_category="gminna")
    assert _near(gmina_view, road_50k.stroke_colour or style.stroke_colour, 30).sum() > 100


def test_parcel_numbers_absent_at_1_25000_and_present_at_1_1000(wms_url, places, django_db_blocker):
    with django_db_blocker.unblock():
        from layers.models import Layer

        style = Layer.objects.get(name="dzialki").style
    far = _getmap(wms_url, "dzialki", *places["parcel"], 25_000)
    assert far[..., 3].max() == 0, "parcels are not drawn at the gmina scale"
    close = _getmap(wms_url, "dzialki", *places["parcel"], 1_000)
    assert _near(close, style.label_colour, 30).sum() > 15, "parcel numbers are written at 1:1,000"
    assert _near(close, style.stroke_colour, 30).sum() > 100, "parcel boundaries are drawn"
    detail = _getmap(wms_url, "dzialki", *places["parcel"], 5_000)
    assert _near(detail, style.stroke_colour, 30).sum() > 100, "parcels are drawn from 1:5,000"


def test_house_numbers_only_close_up(wms_url, places, django_db_blocker):
    with django_db_blocker.unblock():
        from layers.models import Layer

        style = Layer.objects.get(name="adresy").style
    close = _getmap(wms_url, "adresy", *places["address"], 1_000)
    detail = _getmap(wms_url, "adresy", *places["address"], 5_000)
    far = _getmap(wms_url, "adresy", *places["address"], 25_000)
    assert _centre(_near(close, style.fill_colour)) and _centre(_near(detail, style.fill_colour))
    # The numbers are written in black, darker than the points' own grey.
    assert style.label_colour == "#000000" and sum(_hex(style.fill_colour)) > 3 * 60
    assert _near(close, style.label_colour, 60).sum() > 10, "house numbers at 1:1,000"
    assert _near(detail, style.label_colour, 60).sum() == 0, "points without numbers at 1:5,000"
    assert far[..., 3].max() == 0


def test_web_mercator_requests_follow_the_ground_scale(wms_url, places):
    """Leaflet asks in EPSG:3857, whose metres at 51° N are 1.6 ground metres: the bands follow
    the scale on the ground (the map's scale bar), so a 3857 tile at 1:1,000 on the ground shows
    what a PL-1992 map at 1:1,000 shows."""
    from django.contrib.gis.geos import Point

    x, y = places["parcel"]
    p = Point(x, y, srid=2180).transform(3857, clone=True)
    stretch = 1 / np.cos(np.radians(Point(x, y, srid=2180).transform(4326, clone=True).y))
    # True 1:6,000 is inside the parcels' band (to 1:7,500); nominal 3857 scale is 1:9,600.
    image = _getmap(wms_url, "dzialki", p.x, p.y, 6_000 * stretch, srs="EPSG:3857")
    assert image[..., 3].max() > 0


def test_capabilities_advertise_the_scale_range_of_each_layer(wms_url):
    ns = {"w": "http://www.opengis.net/wms"}
    caps = etree.fromstring(get(wms_url, {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body)

    def denominators(name):
        layer = caps.xpath(f"//w:Layer[w:Name='{name}']", namespaces=ns)[0]
        return tuple(
            float(found[0]) if found else None
            for found in (
                layer.xpath("w:MinScaleDenominator/text()", namespaces=ns),
                layer.xpath("w:MaxScaleDenominator/text()", namespaces=ns),
            )
        )

    assert denominators("dzialki") == (None, 7_500)
    assert denominators("adresy") == (None, 7_500)
    # Layers drawn only by their classes: the range over which some class draws.
    assert denominators("ulice") == (None, 1_000_000)
    assert denominators("obreby") == (None, 150_000)


def test_forest_green_and_buildings_by_scale(wms_url, django_db_blocker):
    """Land cover draws at the gmina scale in its class's colour (a forest in forest green at
    1:50,000); building footprints only from the detail scale."""
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -100)) p "
            "FROM sip_landcover WHERE kind = 'las' AND NOT ST_IsEmpty(ST_Buffer(geom, -100)) "
            "ORDER BY ST_Area(geom) DESC LIMIT 1) f"
        )
        forest = cur.fetchone()
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM sip_building "
            "WHERE ST_Area(geom) > 150 ORDER BY id LIMIT 1) b"
        )
        building = cur.fetchone()
        rules = _rules("pokrycie-terenu")
        from layers.models import Layer

        building_style = Layer.objects.get(name="budynki").style
    if forest is None or building is None:
        pytest.skip("the demo data has no forests or buildings yet (the street-first demo generator)")
    green = _rule(rules, 50_000, kind="las").fill_colour
    assert _centre(_near(_getmap(wms_url, "pokrycie-terenu", *forest, 50_000), green, 3), radius=0)
    close = _getmap(wms_url, "budynki", *building, 1_000)
    far = _getmap(wms_url, "budynki", *building, 25_000)
    assert _centre(_near(close, building_style.fill_colour, 6), radius=0)
    assert far[..., 3].max() == 0
