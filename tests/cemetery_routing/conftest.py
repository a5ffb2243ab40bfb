import pytest

from cemetery_routing.models import Cemetery

BIG = "cmentarz-komunalny-boleslawiec"
SMALL = "cmentarz-komunalny-nowogrodziec"


@pytest.fixture
def big_cemetery(demo_data, db):
    return Cemetery.objects.get(slug=BIG)


@pytest.fixture
def small_cemetery(demo_data, db):
    return Cemetery.objects.get(slug=SMALL)
