"""Planning through a real server (gunicorn on the test database with the demo data)."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from planning.models import Plan
from sip.models import Parcel

pytestmark = pytest.mark.django_db


def test_zoning_and_schema_through_gunicorn(live_server_url):
    amendment = Plan.objects.filter(amendments_made__isnull=False).order_by("pk").first()
    parcel = Parcel.objects.filter(geom__intersects=amendment.boundary).order_by("identifier").first()
    url = f"{live_server_url}/api/planning/parcels/{quote(parcel.identifier, safe='')}/zoning/"
    body = json.load(urllib.request.urlopen(url, timeout=30))
    assert body["parcel"]["identifier"] == parcel.identifier
    assert amendment.resolution_number in {p["resolution_number"] for p in body["plans"]}
    schema = urllib.request.urlopen(f"{live_server_url}/api/schema/", timeout=30).read().decode()
    assert "/api/planning/extracts/" in schema and "/api/planning/parcels/{identifier}/zoning/" in schema
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{live_server_url}/verify/nie-ma-takiego-kodu", timeout=30)
    assert err.value.code == 404
