"""The demo: an open geo-survey with answers in each demo gmina, a closed one with results, a
draft plan laid out in Bolesławiec with comments; loading again gives the same rows."""

import pytest

from fixtures.demo import consultations as demo
from fixtures.demo import plans
from participation.models import Answer, Consultation, PlanComment, PlanInspection
from sip.models import Gmina

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Consultation.objects.values_list("gmina__teryt", "title", "opens_on", "closes_on")),
        sorted(Answer.objects.values_list("question__text", "choices", "value", "text")),
        sorted(PlanComment.objects.values_list("number", "author", "parcel_identifier", "decision")),
    )


def test_every_demo_gmina_has_an_open_geo_survey_with_answers(client, demo_data):
    for gmina in Gmina.objects.filter(teryt__in=demo.TERYTS):
        body = client.get("/api/participation/consultations/", {"gmina": gmina.teryt}).json()
        assert body["count"] >= 1, gmina
        c = Consultation.objects.get(pk=body["results"][0]["id"])
        assert c.responses.count() == 12
        assert c.questions.filter(kind="map").exists()
        assert Answer.objects.filter(response__consultation=c, geom__isnull=False).count() == 12
        assert Answer.objects.filter(response__consultation=c, geom__within=c.area).count() == 12


def test_the_closed_demo_consultation_shows_results(client, demo_data):
    closed = Consultation.objects.get(title__startswith="Park Chrobrego")
    body = client.get(f"/api/participation/consultations/{closed.pk}/results/").json()
    assert body["responses"] == 20
    texts = next(q for q in body["questions"] if q["kind"] == "text")
    assert len(texts["texts"]) == 4 and texts["awaiting_moderation"] == 6
    assert client.get(f"/konsultacje/{closed.pk}/wyniki/").status_code == 200


def test_a_draft_plan_is_laid_out_in_boleslawiec_with_comments(client, demo_data):
    inspection = PlanInspection.objects.get(gmina__teryt="020101_1")
    assert inspection.state() == "open" and inspection.plan.status == "in_preparation"
    assert inspection.comments.count() == 4
    assert inspection.comments.exclude(parcel_identifier="").count() == 2
    assert inspection.comments.filter(decision="partial").count() == 1
    page = client.get(f"/konsultacje/wylozenia/{inspection.pk}/").content.decode()
    assert "uwzględniona częściowo" in page and "Jan Kowalski" not in page


def test_loading_again_gives_the_same_rows(demo_data):
    before = _snapshot()
    demo.clear(lambda items, desc: items)
    plans.load(lambda items, desc: items)
    demo.load(lambda items, desc: items)
    assert _snapshot() == before
