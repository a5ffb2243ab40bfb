"""An independent Open311 client (the `georeport` package from PyPI, JSON and XML through
xmltodict) reads the live server's demo data: services, a definition, requests, one request."""

from __future__ import annotations

import datetime as dt

import pytest

georeport = pytest.importorskip("georeport")

JURISDICTION = "020101_1"  # Bolesławiec (demo)


@pytest.fixture
def since(demo_data, django_db_blocker) -> str:
    """A day before the oldest demo report (they are dated in the weeks before loading)."""
    from django.db.models import Min

    from incidents.models import Report

    with django_db_blocker.unblock():
        oldest = Report.objects.filter(gmina__teryt=JURISDICTION).aggregate(m=Min("created_at"))["m"]
    return (oldest - dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_reads_services_and_requests(live_server_url, since, fmt):
    client = georeport.GeoReport(
        live_server_url + "/open311/v2", jurisdiction=JURISDICTION, output_format=fmt
    )
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert {"dziura-w-jezdni", "latarnia", "gaz"} <= codes
    definition = client.get_service_definition("dziura-w-jezdni")
    assert definition["service_code"] == "dziura-w-jezdni"
    requests_ = client.get_service_requests(start_date=since)
    assert len(requests_) >= 5
    for item in requests_:
        assert item["status"] in ("open", "closed")
        assert item["service_request_id"].startswith("ZG-")
        assert "Mieszkaniec" not in str(item) and "@demo.sip.example" not in str(item)
    one = client.get_service_request(requests_[0]["service_request_id"])
    assert one["service_request_id"] == requests_[0]["service_request_id"]
    assert one["agency_responsible"]
    closed = client.get_service_requests(start_date=since, status="closed")
    assert all(i["status"] == "closed" for i in (closed if isinstance(closed, list) else [closed]))
