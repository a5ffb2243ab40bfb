"""Consultations and geo-surveys: answers validated per question type over HTTP, closed and
planned consultations refused with their dates, nothing stored on error, free texts published
only once approved, results hidden before the close, verified residents answer once."""

from __future__ import annotations

import copy
import re

import pytest
from django.core import mail

from participation.consultations import services
from participation.models import Answer, Consultation, EmailCode, Response

from .consult_fixtures import full_answers, lonlat, make_consultation, q, responses_url

pytestmark = pytest.mark.django_db


def post(client, c, body):
    return client.post(responses_url(c), body, content_type="application/json")


def test_a_full_response_is_stored_with_every_answer_in_storage_crs(client, gmina):
    c = make_consultation(gmina)
    resp = post(client, c, {"answers": full_answers(c, gmina)})
    assert resp.status_code == 201, resp.json()
    response = Response.objects.get(pk=resp.json()["id"])
    answers = {a.question.position: a for a in response.answers.select_related("question")}
    assert answers[1].choices == [0]
    assert answers[2].choices == [0, 2]
    assert answers[3].value == 4
    assert answers[5].choices == [2, 0, 1]
    point = answers[6].geom
    assert point.srid == 2180 and point.geom_type == "Point"
    # The oracle: the point was made 1000 m east and north of the gmina's corner.
    xmin, ymin, _, _ = gmina.boundary.extent
    assert abs(point.x - (xmin + 1000)) < 0.05 and abs(point.y - (ymin + 1000)) < 0.05
    assert answers[7].geom.geom_type == "LineString"
    assert not answers[4].text_approved and not answers[6].text_approved


def _replace(answers, position_pk, **fields):
    out = copy.deepcopy(answers)
    for item in out:
        if item["question"] == position_pk:
            for k in ("choices", "value", "text", "geometry"):
                item.pop(k, None)
            item.update(fields)
    return out


@pytest.mark.parametrize(
    "position, fields, message",
    [
        (1, {"choices": [0, 1]}, "dokładnie jedną"),
        (1, {"choices": [3]}, "od 0 do 2"),
        (1, {"choices": ["0"]}, "listę liczb"),
        (2, {"choices": [0, 1, 2]}, "najwyżej 2"),
        (2, {"choices": [1, 1]}, "powtarzają"),
        (3, {"value": 6}, "od 1 do 5"),
        (3, {"value": 0}, "od 1 do 5"),
        (3, {"value": True}, "od 1 do 5"),
        (3, {"choices": [1]}, "nie przyjmuje"),
        (4, {"text": "x" * 2001}, "2000"),
        (5, {"choices": [0, 1]}, "wszystkie"),
        (5, {"choices": [0, 0, 1]}, "powtarzają"),
        (6, {"geometry": {"type": "LineString", "coordinates": [[15.5, 51.2], [15.6, 51.3]]}}, "punkt"),
        (6, {"geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}, "poza obszarem Polski"),
        (6, {"geometry": {"type": "Point", "coordinates": [1e308, 51]}}, "Polski"),
        (6, {"geometry": {"type": "Point", "coordinates": "x"}}, "GeoJSON"),
        (6, {"geometry": "POINT(15 51)"}, "GeoJSON"),
        (
            7,
            {"geometry": {"type": "Polygon", "coordinates": [[[15.5, 51.2], [15.6, 51.2], [15.5, 51.2]]]}},
            "",
        ),
    ],
)
def test_bad_answers_are_refused_per_question_type_and_nothing_is_stored(
    client, gmina, position, fields, message
):
    c = make_consultation(gmina)
    answers = _replace(full_answers(c, gmina), q(c, position).pk, **fields)
    resp = post(client, c, {"answers": answers})
    assert resp.status_code == 400, resp.content
    detail = str(resp.json()["detail"])
    assert f"Pytanie {position}" in detail or position == 7
    assert message in detail
    assert not Response.objects.filter(consultation=c).exists()
    assert not Answer.objects.filter(response__consultation=c).exists()


def test_an_invalid_polygon_is_refused(client, gmina):
    c = make_consultation(gmina)
    question = q(c, 7)
    question.geometry = "any"
    question.save()
    lon, lat = lonlat(gmina)
    bowtie = [[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01], [lon, lat]]
    answers = _replace(
        full_answers(c, gmina), question.pk, geometry={"type": "Polygon", "coordinates": [bowtie]}
    )
    resp = post(client, c, {"answers": answers})
    assert resp.status_code == 400
    assert "nieprawidłowa geometria" in resp.json()["detail"]


def test_required_unknown_and_duplicate_questions(client, gmina, other_gmina):
    c = make_consultation(gmina)
    other = make_consultation(other_gmina)
    answers = full_answers(c, gmina)
    resp = post(client, c, {"answers": answers[1:]})
    assert resp.status_code == 400 and "wymagane" in resp.json()["detail"]
    resp = post(client, c, {"answers": [*answers, {"question": q(other, 1).pk, "choices": [0]}]})
    assert resp.status_code == 400 and "nie ma pytania" in resp.json()["detail"]
    resp = post(client, c, {"answers": [*answers, answers[0]]})
    assert resp.status_code == 400 and "więcej niż raz" in resp.json()["detail"]
    resp = post(client, c, {"answers": "tak"})
    assert resp.status_code == 400
    assert not Response.objects.filter(consultation=c).exists()


@pytest.mark.parametrize(
    "opens, closes, word", [(-10, -1, "zamknięta"), (2, 9, "jeszcze się nie rozpoczęła")]
)
def test_a_consultation_outside_its_dates_is_refused_with_the_dates(client, gmina, opens, closes, word):
    c = make_consultation(gmina, opens=opens, closes=closes)
    resp = post(client, c, {"answers": full_answers(c, gmina)})
    assert resp.status_code == 409
    detail = resp.json()["detail"]
    assert word in detail
    assert f"{c.opens_on:%d.%m.%Y}" in detail and f"{c.closes_on:%d.%m.%Y}" in detail
    assert not Response.objects.filter(consultation=c).exists()


def test_results_are_hidden_before_the_close_and_texts_until_approved(client, gmina, editor):
    c = make_consultation(gmina)
    for i in range(3):
        assert (
            post(client, c, {"answers": full_answers(c, gmina, text=f"Tekst mieszkańca {i}")}).status_code
            == 201
        )
    resp = client.get(f"/api/participation/consultations/{c.pk}/results/")
    assert resp.status_code == 403 and f"{c.closes_on:%d.%m.%Y}" in resp.json()["detail"]
    assert client.get(f"/konsultacje/{c.pk}/wyniki/").status_code == 403

    Consultation.objects.filter(pk=c.pk).update(
        opens_on=c.opens_on.replace(year=c.opens_on.year - 1),
        closes_on=c.closes_on.replace(year=c.closes_on.year - 1),
    )
    body = client.get(f"/api/participation/consultations/{c.pk}/results/").json()
    assert body["responses"] == 3
    by_position = {r["position"]: r for r in body["questions"]}
    assert [b["count"] for b in by_position[1]["bars"]] == [3, 0, 0]
    assert [b["count"] for b in by_position[2]["bars"]] == [3, 0, 3, 0]
    assert by_position[3]["mean"] == 4
    assert [r["label"] for r in by_position[5]["ranking"]] == ["parking", "zieleń", "plac zabaw"]
    assert by_position[4]["texts"] == [] and by_position[4]["awaiting_moderation"] == 3
    assert len(body["map_answers"]["features"]) == 6
    assert all(f["properties"]["comment"] == "" for f in body["map_answers"]["features"])
    page = client.get(f"/konsultacje/{c.pk}/wyniki/").content.decode()
    assert "Tekst mieszkańca" not in page and "Tu przy alejce" not in page

    # An editor of the gmina approves one text in the admin (its moderation action).
    client.force_login(editor)
    first = Answer.objects.get(response__consultation=c, question__position=4, text="Tekst mieszkańca 0")
    resp = client.post(
        "/admin/participation/answer/",
        {"action": "approve", "_selected_action": [first.pk]},
    )
    assert resp.status_code == 302
    client.logout()
    body = client.get(f"/api/participation/consultations/{c.pk}/results/").json()
    texts = next(r for r in body["questions"] if r["position"] == 4)["texts"]
    assert texts == ["Tekst mieszkańca 0"]
    page = client.get(f"/konsultacje/{c.pk}/wyniki/").content.decode()
    assert "Tekst mieszkańca 0" in page and "Tekst mieszkańca 1" not in page


def test_another_gminas_editor_cannot_approve_texts(client, gmina, other_editor):
    c = make_consultation(gmina)
    post(client, c, {"answers": full_answers(c, gmina)})
    answer = Answer.objects.get(response__consultation=c, question__position=4)
    client.force_login(other_editor)
    client.post("/admin/participation/answer/", {"action": "approve", "_selected_action": [answer.pk]})
    answer.refresh_from_db()
    assert not answer.text_approved
    assert client.get(f"/admin/participation/answer/{answer.pk}/change/").status_code in (302, 403)
    listing = client.get("/admin/participation/answer/").content.decode()
    assert "Więcej drzew" not in listing


def test_verified_residents_answer_once_with_an_emailed_code(client, gmina):
    c = make_consultation(gmina, audience="verified")
    email = "Jan.Mieszkaniec@example.org"
    resp = post(client, c, {"answers": full_answers(c, gmina)})
    assert resp.status_code == 400 and "kod" in resp.json()["detail"]
    resp = client.post(
        f"/api/participation/consultations/{c.pk}/codes/", {"email": email}, content_type="application/json"
    )
    assert resp.status_code == 202
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    resp = post(client, c, {"answers": full_answers(c, gmina), "email": email, "code": wrong})
    assert resp.status_code == 400 and "Nieprawidłowy kod" in resp.json()["detail"]
    resp = post(client, c, {"answers": full_answers(c, gmina), "email": email.lower(), "code": code})
    assert resp.status_code == 201
    # The code is used up; a new code for the same address cannot answer again.
    client.post(
        f"/api/participation/consultations/{c.pk}/codes/", {"email": email}, content_type="application/json"
    )
    code2 = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    resp = post(client, c, {"answers": full_answers(c, gmina), "email": email, "code": code2})
    assert resp.status_code == 409 and "już odpowiedziano" in resp.json()["detail"]
    assert Response.objects.filter(consultation=c).count() == 1
    # The address is kept nowhere in clear.
    for row in [*Response.objects.filter(consultation=c).values_list(), *EmailCode.objects.values_list()]:
        assert all(email.lower() not in str(v).lower() for v in row)


def test_codes_are_rate_limited_per_address(client, gmina):
    c = make_consultation(gmina, audience="verified")
    for _ in range(services.CODES_PER_HOUR):
        services.send_code(consultation=c, email="a@example.org")
    with pytest.raises(services.TooManyCodes):
        services.send_code(consultation=c, email="A@example.org ")


def test_list_and_detail_api(client, gmina, other_gmina):
    open_here = make_consultation(gmina, title="Otwarta tutaj")
    make_consultation(gmina, opens=-20, closes=-5, title="Zamknięta tutaj")
    make_consultation(other_gmina, title="Otwarta gdzie indziej")
    body = client.get("/api/participation/consultations/", {"gmina": gmina.teryt}).json()
    assert [r["title"] for r in body["results"]] == ["Otwarta tutaj"] and body["count"] == 1
    body = client.get("/api/participation/consultations/", {"state": "all", "gmina": gmina.teryt}).json()
    assert sorted(r["title"] for r in body["results"]) == ["Otwarta tutaj", "Zamknięta tutaj"]
    body = client.get("/api/participation/consultations/", {"state": "all", "limit": 200}).json()
    titles = {r["title"] for r in body["results"]}
    assert {"Otwarta tutaj", "Zamknięta tutaj", "Otwarta gdzie indziej"} <= titles
    assert client.get("/api/participation/consultations/", {"gmina": "999999_9"}).status_code == 404
    assert client.get("/api/participation/consultations/", {"state": "x"}).status_code == 400
    detail = client.get(f"/api/participation/consultations/{open_here.pk}/").json()
    assert detail["area"]["type"] == "MultiPolygon"
    kinds = [x["kind"] for x in detail["questions"]]
    assert kinds == ["single", "multiple", "scale", "text", "ranking", "map", "map"]
    assert detail["questions"][0]["options"] == ["codziennie", "co tydzień", "rzadziej"]
    assert client.get("/api/participation/consultations/999999999/").status_code == 404
    assert client.get(f"/konsultacje/?gmina={gmina.slug}").content.decode().count("Otwarta tutaj") == 1


def test_the_survey_page_and_the_openapi_schema(client, gmina):
    c = make_consultation(gmina)
    page = client.get(f"/konsultacje/{c.pk}/")
    assert page.status_code == 200
    assert "Zaznacz, gdzie brakuje ławek" in page.content.decode()
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/participation/consultations/", "/api/participation/consultations/{id}/responses/"):
        assert path.replace("{id}", "{pk}") in schema or path in schema
