"""The demo budgets: Bolesławiec votes now, Nowogrodziec shows its results; the map layer."""

import pytest
from django.utils import timezone

from fixtures.demo.budget import demo_residents
from participation.budget import selectors
from participation.models import BudgetEdition, RegisteredResident

pytestmark = pytest.mark.django_db


def test_boleslawiec_votes_and_a_demo_resident_can_vote(demo_data, client):
    edition = BudgetEdition.objects.get(gmina__teryt="020101_1")
    assert edition.gmina.kind == "urban"
    assert selectors.phase(edition) == "voting", (
        "the demo votes from 24 days before the day it was loaded to seven months after"
    )
    projects = list(selectors.ballot_projects(edition))
    assert len(projects) == 20
    assert len({p.district_id for p in projects if p.district_id}) == 3
    assert all(p.district is None or p.district.area.contains(p.location) for p in projects)
    assert RegisteredResident.objects.filter(edition=edition).count() == 2000
    number, first, last, _ = demo_residents("020101_1")[0]
    cheap = min(projects, key=lambda p: p.cost)
    body = {
        "projects": [cheap.pk],
        "pesel": number,
        "first_name": first,
        "last_name": last,
        "parent_consent": True,
    }
    answer = client.post(
        f"/api/participation/budgets/{edition.pk}/ballots/", body, content_type="application/json"
    )
    assert answer.status_code == 201, answer.json()


def test_nowogrodziec_is_closed_with_results(demo_data, client):
    edition = BudgetEdition.objects.get(gmina__teryt="020104_3")
    assert edition.voting_end < timezone.now()
    body = client.get(f"/api/participation/budgets/{edition.pk}/results/").json()
    assert body["ballots"] == 1100 and body["paper"] > 0
    assert [p["label"] for p in body["pools"]] == ["projekty ogólnomiejskie", "Zebrzydowa"]
    for pool in body["pools"]:
        assert any(p["won"] for p in pool["projects"])
        assert sum(float(p["cost"]) for p in pool["projects"] if p["won"]) <= float(pool["pool"])


def test_projects_layer_in_the_wms(demo_data, client):
    caps = client.get("/ows/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").content.decode()
    assert "budzet-obywatelski-projekty" in caps
    png = client.get(
        "/ows/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=budzet-obywatelski-projekty&STYLES=&CRS=EPSG:2180"
        "&BBOX=377000,255000,389000,267000&WIDTH=256&HEIGHT=256&FORMAT=image/png"
    )
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
