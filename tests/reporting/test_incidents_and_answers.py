"""The reportable datasets of incident reports and consultation answers: their counts against
independent counts, and their personal fields refused."""

import pytest
from django.contrib.auth.models import User

from incidents.models import Report
from participation.models import Answer
from reporting.models import SavedQuery
from sip.models import Gmina, Obreb

pytestmark = pytest.mark.django_db


def post_query(client, body):
    return client.post("/api/reporting/query/", body, content_type="application/json")


def test_incidents_per_obreb_and_category_in_each_demo_gmina(demo_data, client):
    for gmina in Gmina.objects.filter(teryt__in=["020101_1", "020102_2", "020104_3"]):
        query = SavedQuery.objects.get(slug=f"{gmina.slug}-zgloszenia-obreby-kategorie", published=True)
        client.force_login(User.objects.get(username=f"redaktor-{gmina.slug}"))
        data = post_query(client, query.params).json()
        got = {(r["obreb"], r["category"]): r["value"] for r in data["rows"] if r["obreb"] is not None}
        expected = {}
        for obreb in Obreb.objects.filter(gmina=gmina):
            inside = Report.objects.filter(gmina=gmina, public_point__within=obreb.geom)
            for name in inside.values_list("category__name", flat=True):
                key = (f"{gmina.teryt}.{obreb.code}", name)
                expected[key] = expected.get(key, 0) + 1
        assert got == expected and sum(expected.values()) > 0
        public = client.get(f"/api/reporting/published/{query.slug}/?gmina={gmina.slug}").json()
        assert public["counts_people"] is True
        assert all(r["value"] is None or r["value"] >= public["k"] or r["value"] == 0 for r in public["rows"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"dataset": "zgloszenia", "group_by": ["reporter_email"]}, "reporter_email"),
        ({"dataset": "zgloszenia", "filters": {"description": ["lampa"]}}, "description"),
        ({"dataset": "odpowiedzi-konsultacji", "group_by": ["text"]}, "text"),
    ],
)
def test_personal_fields_of_reports_and_answers_are_refused(demo_data, client, body, field):
    client.force_login(User.objects.get(username="redaktor-boleslawiec"))
    resp = post_query(client, body)
    assert resp.status_code == 400 and field in resp.json()["detail"]


def test_answers_per_question_kind_count_the_gminas_answers(demo_data, client):
    gmina = Gmina.objects.get(teryt="020101_1")
    client.force_login(User.objects.get(username="redaktor-boleslawiec"))
    data = post_query(client, {"dataset": "odpowiedzi-konsultacji", "group_by": ["question_kind"]}).json()
    got = {r["question_kind"]: r["value"] for r in data["rows"]}
    answers = Answer.objects.filter(response__consultation__gmina=gmina)
    expected = {}
    for kind in answers.values_list("question__kind", flat=True):
        expected[kind] = expected.get(kind, 0) + 1
    assert got == expected and sum(expected.values()) > 0
