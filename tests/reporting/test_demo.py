"""The demo's saved and published queries: present in each demo gmina, answering, and the
felling-permit count per obręb equal to an independent count (ST_Within per obręb)."""

import pytest

from inventory.models import Tree
from inventory.registers import felling_permit_expression
from reporting.models import SavedQuery
from sip.models import Gmina, Obreb

pytestmark = pytest.mark.django_db
DEMO = ["boleslawiec", "gmina-boleslawiec", "nowogrodziec"]


def test_published_queries_in_each_demo_gmina(demo_data, client):
    for slug in DEMO:
        gmina = Gmina.objects.get(slug=slug)
        published = SavedQuery.objects.filter(gmina=gmina, published=True)
        assert published.count() >= 2
        for q in published:
            r = client.get(f"/api/reporting/published/{q.slug}/?gmina={slug}")
            assert r.status_code == 200, q.slug
            assert r.json()["rows"], q.slug


def test_burials_published_where_the_demo_has_cemeteries(demo_data):
    for slug in ("boleslawiec", "nowogrodziec"):
        assert SavedQuery.objects.filter(published=True, slug=f"{slug}-pochowki-kwatery-dekady").exists()


def test_felling_permit_per_obreb_against_st_within(demo_data, client):
    gmina = Gmina.objects.get(slug="gmina-boleslawiec")
    data = client.get(
        f"/api/reporting/published/gmina-boleslawiec-drzewa-zezwolenie-obreby/?gmina={gmina.slug}"
    ).json()
    got = {r["obreb"]: r["value"] for r in data["rows"]}
    needing = Tree.objects.filter(gmina=gmina).annotate(fp=felling_permit_expression()).filter(fp="required")
    expected = {}
    for o in Obreb.objects.filter(gmina=gmina):
        n = needing.filter(geom__within=o.geom).count()
        if n:
            expected[f"{gmina.teryt}.{o.code}"] = n
    assert {k: v for k, v in got.items() if k is not None} == expected
    assert data["counts_people"] is False


def test_load_demo_is_idempotent_for_reports(demo_data):
    before = sorted(SavedQuery.objects.filter(published=True).values_list("slug", "params"))
    from fixtures.demo import reports

    reports.load(lambda items, desc: items)
    after = sorted(SavedQuery.objects.filter(published=True).values_list("slug", "params"))
    assert before == after
