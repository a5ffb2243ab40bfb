"""One vote per resident: the database keeps exactly one ballot of a person, whatever the
channel and however many requests race; the ballot table cannot be joined to the person."""

import threading

import pytest
from django.contrib.postgres.fields import ArrayField
from django.core import mail
from django.db import connection, models
from django.test import Client

from participation.budget import services
from participation.models import Ballot, OneTimeCode, RegisteredResident, VoterMark
from tests.conftest import GminaFactory

from .budget_fixtures import ballot_url, make_edition, make_project, register, resident_pesel

PERSON = {"pesel": "44051401359", "first_name": "Jan", "last_name": "Nowak"}


def post(client, edition, projects, **fields):
    body = {"projects": [p.pk for p in projects], **fields}
    return client.post(ballot_url(edition), body, content_type="application/json")


@pytest.mark.django_db
def test_second_ballot_of_the_same_person_is_refused(client, gmina):
    edition = make_edition(gmina)
    p, q = make_project(edition, 10), make_project(edition, 20)
    register(edition, PERSON["pesel"], "Jan", "Nowak")
    assert post(client, edition, [p], **PERSON).status_code == 201
    again = post(client, edition, [q], **{**PERSON, "pesel": "440 514 013 59", "first_name": "JAN"})
    assert again.status_code == 409
    assert again.json()["detail"] == services.ALREADY_VOTED
    assert (
        Ballot.objects.filter(edition=edition).count() == 1
        and VoterMark.objects.filter(edition=edition).count() == 1
    )
    assert Ballot.objects.filter(edition=edition).get().projects == [p.pk]


@pytest.fixture
def committed_edition(django_db_blocker):
    """An edition committed to the test database, so that threads with their own connections see
    it; removed afterwards. (A transactional test would flush the whole database, demo data
    included, which the other tests of the session share.)"""
    with django_db_blocker.unblock():
        gmina = GminaFactory(teryt="029998_2", slug="gmina-budzet-watki")
        edition = make_edition(gmina)
        project = make_project(edition, 10)
        register(edition, PERSON["pesel"], "Jan", "Nowak")
        try:
            yield edition, project
        finally:
            gmina.delete()
            connection.close()


def test_ten_simultaneous_ballots_of_one_person_store_exactly_one(committed_edition, django_db_blocker):
    edition, p = committed_edition
    barrier = threading.Barrier(10)
    statuses, errors = [], []

    def cast():
        try:
            barrier.wait(timeout=30)
            statuses.append(post(Client(), edition, [p], **PERSON).status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=cast) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors
        assert sorted(statuses) == [201] + [409] * 9
        assert Ballot.objects.filter(edition=edition).count() == 1
        assert VoterMark.objects.filter(edition=edition).count() == 1


@pytest.mark.django_db
def test_paper_ballot_blocks_online_and_the_reverse(client, gmina, editor):
    edition = make_edition(gmina)
    p = make_project(edition, 10)
    register(edition, PERSON["pesel"], "Jan", "Nowak")
    fields = {k: v for k, v in PERSON.items()}
    services.enter_paper_ballot(actor=editor, edition=edition, project_ids=[p.pk], fields=fields)
    assert post(client, edition, [p], **PERSON).status_code == 409

    other = {"pesel": resident_pesel(3), "first_name": "Ewa", "last_name": "Lis"}
    register(edition, other["pesel"], "Ewa", "Lis")
    assert post(client, edition, [p], **other).status_code == 201
    with pytest.raises(services.BallotRefused) as refused:
        services.enter_paper_ballot(actor=editor, edition=edition, project_ids=[p.pk], fields=other)
    assert refused.value.status == 409
    assert sorted(Ballot.objects.filter(edition=edition).values_list("channel", flat=True)) == [
        "online",
        "paper",
    ]


@pytest.mark.django_db
def test_paper_ballots_only_by_staff_of_the_gmina(gmina, other_editor, viewer):
    edition = make_edition(gmina)
    p = make_project(edition, 10)
    register(edition, PERSON["pesel"], "Jan", "Nowak")
    from django.core.exceptions import PermissionDenied

    for user in (other_editor, viewer):
        with pytest.raises(PermissionDenied):
            services.enter_paper_ballot(actor=user, edition=edition, project_ids=[p.pk], fields=PERSON)
    assert not Ballot.objects.filter(edition=edition).exists()


@pytest.mark.django_db
def test_paper_only_edition_refuses_online_ballots(client, gmina):
    edition = make_edition(gmina, verification="paper")
    p = make_project(edition, 10)
    answer = post(client, edition, [p], first_name="Jan", last_name="Nowak")
    assert answer.status_code == 403 and "kartach papierowych" in answer.json()["detail"]


@pytest.mark.django_db
def test_declaration_with_an_email_code(client, gmina):
    edition = make_edition(gmina, verification="declaration")
    p = make_project(edition, 10)
    person = {
        "first_name": "Zofia",
        "last_name": "Wójcik",
        "address": "ul. Długa 5",
        "birth_date": "1970-01-02",
        "email": "zofia@example.pl",
    }
    sent = post(client, edition, [p], **person)
    assert sent.status_code == 202 and "kod" in sent.json()["detail"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zofia@example.pl"]
    code = next(w for w in mail.outbox[0].body.split() if w.isdigit() and len(w) == 6)
    wrong = post(client, edition, [p], **person, code="000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and "nie zgadza" in wrong.json()["detail"]
    assert not Ballot.objects.filter(edition=edition).exists()
    # The same declaration written a little differently is the same person.
    assert (
        post(
            client, edition, [p], **{**person, "address": "Długa 5", "last_name": "WÓJCIK"}, code=code
        ).status_code
        == 201
    )
    assert OneTimeCode.objects.filter(edition=edition).get().used
    again = post(client, edition, [p], **person)  # a new code for the same person...
    code2 = next(w for w in mail.outbox[-1].body.split() if w.isdigit() and len(w) == 6)
    assert again.status_code == 202
    assert post(client, edition, [p], **person, code=code2).status_code == 409  # ...does not vote twice
    # Nothing of the e-mail address or the code is stored in clear.
    row = OneTimeCode.objects.filter(edition=edition).values().first()
    assert "zofia" not in str(row) and code not in str(row)


def test_ballot_holds_no_link_to_the_person_or_the_mark():
    """Introspection: the ballot's fields are its key, the edition, the choice and the channel;
    no foreign key but the edition, no time, nothing the mark also holds."""
    fields = {f.name: f for f in Ballot._meta.concrete_fields}
    assert set(fields) == {"id", "edition", "projects", "channel"}
    relations = [f for f in Ballot._meta.get_fields() if f.is_relation]
    assert [f.related_model.__name__ for f in relations] == ["BudgetEdition"]
    assert isinstance(fields["id"], models.UUIDField)  # no sequence numbering marks and ballots alike
    assert isinstance(fields["projects"], ArrayField)
    assert not any(
        isinstance(f, models.DateField | models.DateTimeField | models.TimeField) for f in fields.values()
    )
    mark = {f.name for f in VoterMark._meta.concrete_fields}
    assert mark == {"id", "edition", "key"}  # no choice, no channel, no time
    assert isinstance(VoterMark._meta.pk, models.UUIDField)
    assert not {f.name for f in VoterMark._meta.get_fields() if f.is_relation} - {"edition"}
    # Nothing points at a ballot or a mark either.
    for model in (Ballot, VoterMark):
        assert not [f for f in model._meta.get_fields() if f.auto_created and not f.concrete]


@pytest.mark.django_db
def test_identifier_is_never_stored_in_clear(client, gmina):
    edition = make_edition(gmina)
    p = make_project(edition, 10)
    register(edition, PERSON["pesel"], "Jan", "Nowak")
    assert post(client, edition, [p], **PERSON).status_code == 201
    post(client, edition, [p], **{**PERSON, "pesel": resident_pesel(9)})  # a failure, counted
    with connection.cursor() as cur:
        for table in (
            "participation_registeredresident",
            "participation_votermark",
            "participation_ballot",
            "participation_verificationfailure",
            "participation_gminavotersecret",
        ):
            cur.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            dump = str(cur.fetchall())
            assert PERSON["pesel"] not in dump and resident_pesel(9) not in dump
    assert RegisteredResident.objects.filter(edition=edition).get().key != PERSON["pesel"]
