"""Voting rules of the participatory budget: knapsack and approval, the window, PESEL checks,
minors, and the greedy choice of winners."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from participation.budget import pesel, selectors, services
from participation.models import Ballot, VoterMark

from .budget_fixtures import (
    ballot_url,
    make_district,
    make_edition,
    make_project,
    register,
    resident_pesel,
)

pytestmark = pytest.mark.django_db

VALID = "44051401359"  # the example of a valid PESEL (born 1944-05-14), checked by hand below


def vote(client, edition, projects, number, first="Anna", last="Kowalska", **extra):
    body = {
        "projects": [p.pk for p in projects],
        "pesel": number,
        "first_name": first,
        "last_name": last,
        **extra,
    }
    return client.post(ballot_url(edition), body, content_type="application/json")


# --- PESEL ------------------------------------------------------------------------------------


def test_pesel_check_digit_by_hand():
    # 4·1+4·3+0·7+5·9+1·1+4·3+0·7+1·9+3·1+5·3 = 101; (10 − 1) mod 10 = 9
    assert pesel.validate(VALID) == (VALID, datetime.date(1944, 5, 14))


@pytest.mark.parametrize(
    "number, message",
    [
        ("44051401358", "cyfrę kontrolną"),
        ("4405140135", "11 cyfr"),
        ("4405140135a", "11 cyfr"),
        ("44133101354", "niemożliwą datę"),  # month 13 is no month of any century
        ("01223012349", "niemożliwą datę"),  # 30 February 2001
    ],
)
def test_pesel_refused_with_reason(number, message):
    with pytest.raises(pesel.PeselError, match=message):
        pesel.validate(number)


def test_pesel_months_of_2000s_carry_20():
    # Born 2005-12-31: month 12 + 20 = 32.
    first_ten = "0532310012"
    number = first_ten + str(
        (10 - sum(int(d) * w for d, w in zip(first_ten, (1, 3, 7, 9) * 3, strict=False)) % 10) % 10
    )
    assert pesel.validate(number)[1] == datetime.date(2005, 12, 31)
    assert pesel.make(datetime.date(2005, 12, 31), 1, female=True)[2:6] == "3231"
    assert pesel.birth_date("02290112342") == datetime.date(2002, 9, 1)


# --- choices ----------------------------------------------------------------------------------


def test_knapsack_equal_to_pool_is_accepted_and_over_is_refused(client, gmina):
    edition = make_edition(gmina, pool="100000")
    a, b, c = make_project(edition, 60000), make_project(edition, 40000), make_project(edition, 1)
    register(edition, VALID, "Jan", "Nowak")
    over = vote(client, edition, [a, b, c], VALID, "Jan", "Nowak")
    assert over.status_code == 400
    assert "100 001,00 zł" in over.json()["detail"] and "100 000,00 zł" in over.json()["detail"]
    assert (
        not Ballot.objects.filter(edition=edition).exists()
        and not VoterMark.objects.filter(edition=edition).exists()
    )
    equal = vote(client, edition, [a, b], VALID, "Jan", "Nowak")
    assert equal.status_code == 201, equal.json()
    assert list(Ballot.objects.filter(edition=edition).values_list("projects", flat=True)) == [
        sorted([a.pk, b.pk])
    ]


def test_knapsack_per_district_pools(client, gmina):
    edition = make_edition(gmina, pool="300000")
    north, south = make_district(edition, "Północ", 100000), make_district(edition, "Południe", 100000)
    n1, n2 = make_project(edition, 70000, district=north), make_project(edition, 40000, district=north)
    s1 = make_project(edition, 90000, district=south)
    city = make_project(edition, 100000)
    register(edition, VALID)
    # 110 000 in one district of 100 000, though the whole choice is within the 300 000 of the edition.
    refused = vote(client, edition, [n1, n2], VALID)
    assert refused.status_code == 400 and "okręg Północ" in refused.json()["detail"]
    assert vote(client, edition, [n1, s1, city], VALID).status_code == 201


def test_approval_over_the_maximum(client, gmina):
    edition = make_edition(gmina, rule="approval", max_projects=2)
    projects = [make_project(edition, 1000) for _ in range(3)]
    register(edition, VALID)
    answer = vote(client, edition, projects, VALID)
    assert answer.status_code == 400 and "najwyżej 2" in answer.json()["detail"]
    assert vote(client, edition, projects[:2], VALID).status_code == 201


def test_unverified_or_foreign_projects_are_not_on_the_ballot(client, gmina, other_gmina):
    edition = make_edition(gmina)
    rejected = make_project(edition, 10, status="rejected")
    foreign = make_project(make_edition(other_gmina), 10)
    register(edition, VALID)
    for p in (rejected, foreign):
        answer = vote(client, edition, [p], VALID)
        assert answer.status_code == 400 and str(p.pk) in answer.json()["detail"]
    assert vote(client, edition, [], VALID).status_code == 400


@pytest.mark.parametrize(
    "phase, word", [("verification", "jeszcze się nie rozpoczęło"), ("results", "zakończyło")]
)
def test_ballot_outside_the_window(client, gmina, phase, word):
    edition = make_edition(gmina, phase=phase)
    p = make_project(edition, 10)
    register(edition, VALID)
    answer = vote(client, edition, [p], VALID)
    assert answer.status_code == 400 and word in answer.json()["detail"]
    assert not VoterMark.objects.filter(edition=edition).exists()


def test_minors(client, gmina):
    today = timezone.localdate()
    minor = pesel.make(today.replace(year=today.year - 15), 7, female=True)
    strict = make_edition(gmina)
    p = make_project(strict, 10)
    register(strict, minor, "Ola", "Mała")
    answer = vote(client, strict, [p], minor, "Ola", "Mała", parent_consent=True)
    assert answer.status_code == 400 and "pełnoletnie" in answer.json()["detail"]
    open_ = make_edition(gmina, minors_allowed=True)
    q = make_project(open_, 10)
    register(open_, minor, "Ola", "Mała")
    answer = vote(client, open_, [q], minor, "Ola", "Mała")
    assert answer.status_code == 400 and "zgodę rodzica" in answer.json()["detail"]
    assert vote(client, open_, [q], minor, "Ola", "Mała", parent_consent=True).status_code == 201


def test_verification_failure_does_not_tell_whether_the_pesel_is_in_the_register(client, gmina):
    edition = make_edition(gmina)
    p = make_project(edition, 10)
    register(edition, VALID, "Jan", "Nowak")
    wrong_name = vote(client, edition, [p], VALID, "Jan", "Kowalski")
    absent = vote(client, edition, [p], resident_pesel(5), "Jan", "Nowak")
    assert wrong_name.status_code == absent.status_code == 400
    assert wrong_name.json() == absent.json()
    assert "sprawdź numer PESEL oraz imię i nazwisko" in absent.json()["detail"]
    # Names are compared folded: case, diacritics and hyphens do not matter.
    assert vote(client, edition, [p], VALID, " JAN ", "nowak").status_code == 201


def test_verification_attempts_are_rate_limited(client, gmina):
    edition = make_edition(gmina)
    p = make_project(edition, 10)
    register(edition, VALID, "Jan", "Nowak")
    for _ in range(services.MAX_FAILURES_PER_PERSON):
        assert vote(client, edition, [p], VALID, "Jan", "Zły").status_code == 400
    limited = vote(client, edition, [p], VALID, "Jan", "Nowak")
    assert limited.status_code == 429 and "Spróbuj ponownie" in limited.json()["detail"]
    # Another person from the same address still may try, up to the per-caller limit.
    other = resident_pesel(1)
    register(edition, other, "Ewa", "Lis")
    assert vote(client, edition, [p], other, "Ewa", "Lis").status_code == 201
    for n in range(services.MAX_FAILURES_PER_CLIENT):
        vote(client, edition, [p], resident_pesel(100 + n), "X", "Y")
    third = resident_pesel(2)
    register(edition, third, "Olek", "Kot")
    assert vote(client, edition, [p], third, "Olek", "Kot").status_code == 429


# --- results ------------------------------------------------------------------------------------


def test_greedy_winners_skip_a_project_that_does_not_fit():
    # Oracle by hand: pool 100; votes A 50 (cost 60), B 40 (cost 50), C 30 (cost 40), D 0 (cost 1).
    # A wins (40 left), B does not fit and is skipped, C fits exactly, D has no votes.
    a, b, c, d = (
        selectors.ProjectResult(i, n, None, Decimal(cost), v)
        for i, n, cost, v in [(1, "A", 60, 50), (2, "B", 50, 40), (3, "C", 40, 30), (4, "D", 1, 0)]
    )
    spent = selectors.greedy_winners([a, b, c, d], Decimal(100))
    assert [p.won for p in (a, b, c, d)] == [True, False, True, False]
    assert spent == Decimal(100)


def test_results_hidden_before_close_and_greedy_after(client, gmina):
    edition = make_edition(gmina, pool="100", rule="approval", max_projects=3)
    big = make_project(edition, 60, title="Duży")
    bigger = make_project(edition, 50, title="Większy, nie mieści się")
    small = make_project(edition, 40, title="Mały")
    votes = [[big, bigger, small]] * 3 + [[big, bigger]] * 2 + [[big]] * 1  # 6, 5, 3 votes
    for n, chosen in enumerate(votes):
        number = resident_pesel(n)
        register(edition, number, f"Imię{n}", "Nazwisko")
        assert vote(client, edition, chosen, number, f"Imię{n}", "Nazwisko").status_code == 201
    hidden = client.get(f"/api/participation/budgets/{edition.pk}/results/")
    assert hidden.status_code == 403 and "po zakończeniu głosowania" in hidden.json()["detail"]
    assert client.get(f"/api/participation/budgets/{edition.pk}/results/?output=csv").status_code == 403
    type(edition).objects.filter(pk=edition.pk).update(
        voting_end=timezone.now() - datetime.timedelta(seconds=1)
    )
    answer = client.get(f"/api/participation/budgets/{edition.pk}/results/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["ballots"] == 6 and data["online"] == 6
    rows = {p["title"]: (p["votes"], p["won"]) for p in data["pools"][0]["projects"]}
    assert rows == {"Duży": (6, True), "Większy, nie mieści się": (5, False), "Mały": (3, True)}
    assert data["pools"][0]["spent"] == "100.00"
    csv_text = client.get(f"/api/participation/budgets/{edition.pk}/results/?output=csv").content.decode()
    assert csv_text.splitlines()[0] == "id,tytul,okreg,koszt_zl,glosy,wybrany"
    assert f"{small.pk},Mały,,40.00,3,tak" in csv_text.splitlines()


def test_results_per_district_pool(client, gmina):
    edition = make_edition(gmina, pool="150", phase="results")
    north = make_district(edition, "Północ", 50)
    a = make_project(edition, 100, title="Miasto")
    b = make_project(edition, 50, title="Północ A", district=north)
    c = make_project(edition, 30, title="Północ B", district=north)
    Ballot.objects.bulk_create(
        [Ballot(edition=edition, projects=[a.pk, b.pk], channel="online")] * 1
        + [Ballot(edition=edition, projects=[c.pk], channel="paper") for _ in range(2)]
    )
    res = selectors.results(edition)
    assert [(p.label, p.pool) for p in res.pools] == [("projekty ogólnomiejskie", 100), ("Północ", 50)]
    won = {p.title for p in res.projects if p.won}
    assert won == {"Miasto", "Północ B"}  # B has 1 vote, C 2: C wins 30 of 50, B (50) no longer fits
    assert (res.ballots, res.online, res.paper) == (3, 1, 2)


def test_reseal_keeps_the_votes(gmina):
    edition = make_edition(gmina, phase="results")
    p = make_project(edition, 10)
    Ballot.objects.bulk_create([Ballot(edition=edition, projects=[p.pk], channel="online") for _ in range(5)])
    ids = set(Ballot.objects.filter(edition=edition).values_list("id", flat=True))
    assert services.reseal_ballots(edition=edition) is True
    assert set(Ballot.objects.filter(edition=edition).values_list("id", flat=True)).isdisjoint(ids)
    assert selectors.votes_per_project(edition) == {p.pk: 5}
    assert services.reseal_ballots(edition=edition) is False
