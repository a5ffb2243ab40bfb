"""The budget API and pages: editions, projects as GeoJSON, no personal data in any public
answer, the schema, and the staff pages of one gmina only."""

import json

import pytest
from django.utils import timezone

from participation.budget import voterkeys
from participation.models import Ballot, BudgetProject

from .budget_fixtures import ballot_url, make_district, make_edition, make_project, register

pytestmark = pytest.mark.django_db

PERSON = {"pesel": "44051401359", "first_name": "Hieronim", "last_name": "Zdzieblarski"}


def test_editions_list(client, gmina):
    edition = make_edition(gmina, rule="approval", max_projects=3, pool="250000.50")
    make_district(edition, "Północ", 1000)
    answer = client.get(f"/api/participation/budgets/?gmina={gmina.teryt}")
    assert answer.status_code == 200
    (row,) = answer.json()["results"]
    assert row["gmina"] == gmina.teryt and row["phase"] == "voting" and row["rule"] == "approval"
    assert row["max_projects"] == 3 and row["pool"] == "250000.50" and row["verification"] == "register"
    assert row["districts"][0]["name"] == "Północ"
    assert row["voting_start"] and row["voting_end"]
    assert client.get("/api/participation/budgets/?gmina=000000_0").status_code == 404


def test_projects_geojson_lists_verified_only(client, gmina):
    edition = make_edition(gmina)
    d = make_district(edition, "Południe", 1000)
    good = make_project(edition, 1234.5, district=d)
    make_project(edition, 10, status="rejected")
    make_project(edition, 10, status="submitted")
    body = client.get(f"/api/participation/budgets/{edition.pk}/projects/").json()
    assert [f["id"] for f in body["features"]] == [good.pk]
    f = body["features"][0]
    assert f["properties"]["cost"] == "1234.50" and f["properties"]["district"] == "Południe"
    lon, lat = f["geometry"]["coordinates"]
    assert 14 < lon < 25 and 49 < lat < 55
    assert client.get("/api/participation/budgets/999999/projects/").status_code == 404


def test_bad_ballot_bodies_are_400_and_store_nothing(client, gmina):
    edition = make_edition(gmina)
    make_project(edition, 10)
    for body in ({}, {"projects": "3"}, {"projects": [-1]}, {"projects": [1], "email": "nie-mail"}):
        answer = client.post(ballot_url(edition), body, content_type="application/json")
        assert answer.status_code == 400, body
        assert answer.json()["detail"]
    assert not Ballot.objects.filter(edition=edition).exists()


def test_no_personal_data_in_public_answers(client, gmina):
    edition = make_edition(gmina)
    p = make_project(edition, 10)
    register(edition, PERSON["pesel"], PERSON["first_name"], PERSON["last_name"])
    voted = client.post(ballot_url(edition), {"projects": [p.pk], **PERSON}, content_type="application/json")
    assert voted.status_code == 201
    type(edition).objects.filter(pk=edition.pk).update(voting_end=timezone.now())
    secret = voterkeys.gmina_secret(gmina.pk).decode()
    key = voterkeys.identifier_key(secret.encode(), PERSON["pesel"])
    answers = [voted.content]
    for url in (
        "/api/participation/budgets/",
        f"/api/participation/budgets/{edition.pk}/projects/",
        f"/api/participation/budgets/{edition.pk}/results/",
        f"/api/participation/budgets/{edition.pk}/results/?output=csv",
        f"/budzet/{edition.pk}/",
        f"/budzet/{edition.pk}/wyniki.csv",
        "/budzet/",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        answers.append(answer.content)
    text = b"".join(answers).decode().lower()
    for secret_text in (PERSON["pesel"], "hieronim", "zdzieblarski", secret, key):
        assert secret_text.lower() not in text
    # The ballot answer does not give the ballot's id: nobody can prove how they voted.
    assert str(Ballot.objects.filter(edition=edition).get().id) not in voted.content.decode()


def test_schema_documents_the_budget_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/participation/budgets/",
        "/api/participation/budgets/{id}/ballots/",
        "/api/participation/budgets/{id}/results/",
        "/api/participation/budgets/{id}/projects/",
    ):
        assert path in schema


def test_voting_on_the_page(client, gmina):
    edition = make_edition(gmina, rule="approval", max_projects=1)
    p, q = make_project(edition, 10, title="Ławki"), make_project(edition, 20, title="Drzewa")
    register(edition, PERSON["pesel"], PERSON["first_name"], PERSON["last_name"])
    page = client.get(f"/budzet/{edition.pk}/")
    assert (
        page.status_code == 200
        and "Ławki" in page.content.decode()
        and 'name="pesel"' in page.content.decode()
    )
    too_many = client.post(f"/budzet/{edition.pk}/", {"projects": [p.pk, q.pk], **PERSON})
    assert too_many.status_code == 400 and "najwyżej 1" in too_many.content.decode()
    done = client.post(f"/budzet/{edition.pk}/", {"projects": [q.pk], **PERSON})
    assert done.status_code == 201 and "Głos został zapisany" in done.content.decode()
    assert Ballot.objects.filter(edition=edition).get().projects == [q.pk]
    assert client.get(f"/budzet/{edition.pk}/wyniki.csv").status_code == 403


def test_staff_pages_of_own_gmina_only(client, gmina, editor, other_editor, viewer):
    edition = make_edition(gmina, phase="verification")
    p = make_project(edition, 10, status="submitted")
    staff, paper = f"/budzet/{edition.pk}/urzad/", f"/budzet/{edition.pk}/urzad/karta/"
    assert client.get(staff).status_code == 302  # to the login page
    client.force_login(other_editor)
    assert client.get(staff).status_code == 403 and client.get(paper).status_code == 403
    assert client.post(staff, {"project": p.pk, "status": "verified"}).status_code == 403
    p.refresh_from_db()
    assert p.status == "submitted"
    client.force_login(viewer)
    assert client.get(staff).status_code == 200 and client.get(paper).status_code == 403
    assert client.post(staff, {"project": p.pk, "status": "verified"}).status_code == 403
    client.force_login(editor)
    refused = client.post(staff, {"project": p.pk, "status": "rejected", "reason": ""})
    assert refused.status_code == 400 and "powód odrzucenia" in refused.content.decode()
    assert (
        client.post(staff, {"project": p.pk, "status": "rejected", "reason": "Teren prywatny"}).status_code
        == 302
    )
    p.refresh_from_db()
    assert (p.status, p.rejection_reason, p.is_public) == ("rejected", "Teren prywatny", False)
    assert client.get(paper).status_code == 200


def test_admin_lists_own_gmina_only(client, gmina, other_gmina, editor):
    mine = make_edition(gmina)
    theirs = make_edition(other_gmina)
    theirs.title = "Edycja innej gminy"
    theirs.save()
    client.force_login(editor)
    listing = client.get("/admin/participation/budgetedition/").content.decode()
    assert mine.title in listing and "Edycja innej gminy" not in listing
    assert client.get(f"/admin/participation/budgetedition/{theirs.pk}/change/").status_code == 403
    assert json.dumps(BudgetProject._meta.verbose_name)
