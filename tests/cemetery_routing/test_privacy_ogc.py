"""The grave holder appears in no map service answer: WMS GetFeatureInfo, WFS, capabilities."""

import pytest

from cemetery_routing.models import GraveHolder

pytestmark = pytest.mark.django_db


def secrets_of(holder):
    return [s for s in (holder.full_name, holder.phone, holder.address, holder.email) if s]


def test_wms_and_wfs_show_the_grave_but_not_its_holder(client, demo_data):
    holder = GraveHolder.objects.select_related("grave").order_by("pk").first()
    g = holder.grave.geom
    answers = []
    for fmt in ("text/html", "application/json", "application/vnd.ogc.gml"):
        resp = client.get(
            "/ows/wms",
            {
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetFeatureInfo",
                "LAYERS": "groby",
                "QUERY_LAYERS": "groby",
                "STYLES": "",
                "CRS": "EPSG:2180",
                "BBOX": f"{g.y - 1},{g.x - 1},{g.y + 1},{g.x + 1}",
                "WIDTH": 21,
                "HEIGHT": 21,
                "I": 10,
                "J": 10,
                "INFO_FORMAT": fmt,
            },
        )
        assert resp.status_code == 200
        answers.append(resp.content.decode())
    assert holder.grave.number in answers[0] and "numer grobu" in answers[0]
    resp = client.get(
        "/ows/wfs",
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "groby",
            # EPSG:2180 as a URN is northing first.
            "BBOX": f"{g.y - 1},{g.x - 1},{g.y + 1},{g.x + 1},urn:ogc:def:crs:EPSG::2180",
            "OUTPUTFORMAT": "application/json",
        },
    )
    assert resp.status_code == 200, resp.content[:300]
    answers.append(b"".join(resp.streaming_content).decode() if resp.streaming else resp.content.decode())
    assert f'"number": "{holder.grave.number}"' in answers[-1].replace('":"', '": "')
    answers.append(client.get("/ows/wms", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).content.decode())
    for answer in answers:
        for secret in secrets_of(holder):
            assert secret not in answer
        assert "lease_expires" not in answer and "opłacony do" not in answer
