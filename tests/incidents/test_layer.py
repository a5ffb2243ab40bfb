"""The public layer `zgloszenia`: category and status at the public position (snapped to the
nearest street where the gmina generalises the category); no personal data in WMS
GetFeatureInfo, WFS or the capabilities."""

from __future__ import annotations

import pytest

from incidents import services
from incidents.models import CategorySetting, ReportOnMap

from .conftest import AX, AY, pt

SECRETS = ("Zofia Prywatna", "zofia@example.org", "601234567", "Śmieci za moim domem", "Kwiatowa 7")


@pytest.fixture
def private_report(world):
    CategorySetting.objects.create(gmina=world.a, category=world.grave_cat, generalise_private=True)
    return services.create_report(
        point=pt(100, 530),  # 30 m north of ul. Gminna (y = 500)
        category=world.grave_cat,
        description="Śmieci za moim domem",
        reporter_name="Zofia Prywatna",
        reporter_email="zofia@example.org",
        reporter_phone="601234567",
        address="Kwiatowa 7",
    ).report


def answers_at(client, p) -> list[str]:
    out = []
    for fmt in ("text/html", "application/json", "application/vnd.ogc.gml"):
        resp = client.get(
            "/ows/wms",
            {
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetFeatureInfo",
                "LAYERS": "zgloszenia",
                "QUERY_LAYERS": "zgloszenia",
                "STYLES": "",
                "CRS": "EPSG:2180",
                "BBOX": f"{p.y - 2},{p.x - 2},{p.y + 2},{p.x + 2}",
                "WIDTH": 21,
                "HEIGHT": 21,
                "I": 10,
                "J": 10,
                "INFO_FORMAT": fmt,
            },
        )
        assert resp.status_code == 200, resp.content[:300]
        out.append(resp.content.decode())
    resp = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "zgloszenia",
            "BBOX": f"{p.y - 50},{p.x - 50},{p.y + 50},{p.x + 50},urn:ogc:def:crs:EPSG::2180",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    out.append(b"".join(resp.streaming_content).decode() if resp.streaming else resp.content.decode())
    return out


def test_position_snapped_to_the_street_and_no_personal_data(client, private_report):
    on_map = ReportOnMap.objects.get(pk=private_report.pk)
    assert (round(on_map.geom.x, 3), round(on_map.geom.y, 3)) == (AX + 100, AY + 500)
    assert private_report.point.y == AY + 530  # the staff keep the true position
    answers = answers_at(client, on_map.geom)
    assert "Porządek na cmentarzu" in answers[0] and private_report.number in answers[0]
    assert private_report.number in answers[-1]  # WFS has it
    answers.append(client.get("/ows/wms", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).content.decode())
    for answer in answers:
        for secret in SECRETS:
            assert secret not in answer
    # Nothing at the true position (30 m away from the public one).
    assert private_report.number not in answers_at(client, private_report.point)[0]


def test_the_view_has_no_personal_columns(db):
    names = {f.name for f in ReportOnMap._meta.get_fields()}
    assert names == {
        "id",
        "gmina",
        "number",
        "category",
        "category_name",
        "status",
        "status_label",
        "reported_on",
        "geom",
    }


def test_getmap_draws_the_layer_by_status(client, db, demo_data):
    # MapServer reads through its own connection: committed (demo) reports only.
    p = ReportOnMap.objects.filter(status="nowe").order_by("pk").first().geom
    resp = client.get(
        "/ows/wms",
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": "zgloszenia",
            "STYLES": "",
            "SRS": "EPSG:2180",
            "BBOX": f"{p.x - 50},{p.y - 50},{p.x + 50},{p.y + 50}",
            "WIDTH": 101,
            "HEIGHT": 101,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        },
    )
    assert resp.status_code == 200 and resp["Content-Type"] == "image/png", resp.content[:300]
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(resp.content)).convert("RGBA")
    assert image.getpixel((50, 50))[:3] == (0xE3, 0x1A, 0x1C)  # "nowe" is red


def test_the_day_of_a_report_is_a_date_in_every_answer(client, private_report):
    """`reported_on` is a date column (no longer text): ISO 8601 in GetFeatureInfo's JSON and
    GML and in the WFS answers, xsd:date in DescribeFeatureType."""
    import json

    from django.utils import timezone
    from lxml import etree

    day = timezone.localtime(private_report.created_at).date().isoformat()
    on_map = ReportOnMap.objects.get(pk=private_report.pk)
    assert on_map.reported_on.isoformat() == day
    html, gfi_json, gfi_gml, wfs_json = answers_at(client, on_map.geom)
    (feature,) = json.loads(gfi_json)["features"]
    assert feature["properties"]["reported_on"] == day
    assert etree.fromstring(gfi_gml.encode()).findtext(".//zgloszenia_feature/reported_on") == day
    (feature,) = json.loads(wfs_json)["features"]
    assert feature["properties"]["reported_on"] == day

    resp = client.get(
        "/ows/wfs",
        {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "DescribeFeatureType", "TYPENAMES": "zgloszenia"},
    )
    assert resp.status_code == 200, resp.content[:300]
    schema = etree.fromstring(b"".join(resp.streaming_content) if resp.streaming else resp.content)
    xsd = "{http://www.w3.org/2001/XMLSchema}"
    types = {e.get("name"): e.get("type") for e in schema.iter(f"{xsd}element")}
    assert types["reported_on"].split(":")[-1] == "date", types

    gml = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "zgloszenia",
            "RESOURCEID": f"zgloszenia.{private_report.pk}",
        },
    )
    assert gml.status_code == 200, gml.content[:300]
    body = b"".join(gml.streaming_content) if gml.streaming else gml.content
    assert [e.text for e in etree.fromstring(body).iter() if str(e.tag).endswith("}reported_on")] == [day]
