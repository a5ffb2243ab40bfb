"""A resident votes in the participatory budget on a phone (375 px wide), in a real browser."""

import pytest

from fixtures.demo.budget import demo_residents
from participation.budget import voterkeys
from participation.models import Ballot, BudgetEdition, VoterMark
from tests.e2e.conftest import shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def voter(demo_data, django_db_blocker):
    """A demo resident of Bolesławiec; the vote the test commits is removed afterwards, so that
    the kept test database lets the next run vote again."""
    with django_db_blocker.unblock():
        edition = BudgetEdition.objects.get(gmina__teryt="020101_1")
        number, first, last, _ = demo_residents("020101_1")[1]
        key = voterkeys.identifier_key(voterkeys.gmina_secret(edition.gmina_id), number)
        VoterMark.objects.filter(edition=edition, key=key).delete()
        before = set(Ballot.objects.filter(edition=edition).values_list("id", flat=True))
    yield edition, number, first, last
    with django_db_blocker.unblock():
        VoterMark.objects.filter(edition=edition, key=key).delete()
        Ballot.objects.filter(edition=edition).exclude(id__in=before).delete()


def test_resident_votes_on_a_phone(phone, voter):
    edition, number, first, last = voter
    phone.goto(f"{phone.base}/budzet/{edition.pk}/")
    phone.locator("#map .leaflet-interactive").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    shot(phone, "budget-phone-projects")
    boxes = phone.locator("#ballot input[name=projects]")
    assert boxes.count() == 20
    # Two projects from different pools (an osiedle and the city-wide one).
    phone.locator("label.project", has_text="Łąka kwietna").locator("input").check()
    phone.locator("label.project", has_text="Stacje naprawy rowerów").locator("input").check()
    phone.wait_for_function(
        "() => document.getElementById('choice-summary').textContent.includes('Wybrano projektów: 2')"
    )
    phone.fill("#pesel", number)
    phone.fill("#first_name", first)
    phone.fill("#last_name", "zle-nazwisko")
    phone.locator("#vote").scroll_into_view_if_needed()
    shot(phone, "budget-phone-form")
    phone.click("#vote")
    phone.locator("#ballot-error").wait_for()
    assert "sprawdź numer PESEL oraz imię i nazwisko" in phone.inner_text("#ballot-error")
    # The choice is kept; the resident corrects the surname.
    assert phone.locator("label.project", has_text="Łąka kwietna").locator("input").is_checked()
    phone.fill("#last_name", last)
    if phone.locator("input[name=parent_consent]").count():
        phone.locator("input[name=parent_consent]").check()
    phone.click("#vote")
    phone.locator("#voted").wait_for()
    shot(phone, "budget-phone-voted")
    assert "Głos został zapisany" in phone.inner_text("#voted")
