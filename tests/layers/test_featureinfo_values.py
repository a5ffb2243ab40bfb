"""GetFeatureInfo and WFS GeoJSON of layers whose columns are dates or decimals: dates as ISO
text (JSON) and xsd:date text (GML), decimals as numbers, never a 500."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from lxml import etree

from participation.models import Consultation
from tests.conftest import ParcelFactory
from tests.participation.consult_fixtures import inner_square
from tests.utils import wms_feature_info


@pytest.fixture
def consultation(gmina):
    return Consultation.objects.create(
        gmina=gmina,
        title="Ławki w parku",
        description="Gdzie brakuje ławek?",
        area=inner_square(gmina),
        opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 31),
        audience="anyone",
    )


def test_dates_in_json_gml_and_html(client, consultation):
    centre = consultation.area.centroid
    resp = wms_feature_info(client, "konsultacje", centre.x, centre.y, "application/json")
    assert resp.status_code == 200, resp.content[:300]
    (feature,) = json.loads(resp.content)["features"]
    assert feature["properties"]["opens_on"] == "2026-03-02"
    assert feature["properties"]["closes_on"] == "2026-03-31"

    resp = wms_feature_info(client, "konsultacje", centre.x, centre.y, "application/vnd.ogc.gml")
    assert resp.status_code == 200, resp.content[:300]
    root = etree.fromstring(resp.content)
    assert root.findtext(".//konsultacje_feature/opens_on") == "2026-03-02"

    resp = wms_feature_info(client, "konsultacje", centre.x, centre.y, "text/html")
    assert resp.status_code == 200 and "Ławki w parku" in resp.content.decode()


def test_wfs_geojson_writes_dates(client, consultation):
    resp = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "konsultacje",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    (feature,) = [f for f in json.loads(body)["features"] if f["properties"]["title"] == "Ławki w parku"]
    assert feature["properties"]["opens_on"] == "2026-03-02"


def test_decimal_area_is_a_number_in_json(client, gmina):
    parcel = ParcelFactory(obreb__gmina=gmina, registered_area_m2=Decimal("1234.56"))
    centre = parcel.geom.centroid
    resp = wms_feature_info(client, "dzialki", centre.x, centre.y, "application/json")
    assert resp.status_code == 200, resp.content[:300]
    (feature,) = json.loads(resp.content)["features"]
    assert feature["properties"]["registered_area_m2"] == 1234.56
