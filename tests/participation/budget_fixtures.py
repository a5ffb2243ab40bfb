"""Helpers of the participatory budget tests: editions around "now", projects, register entries.

Kept in a module of their own (imported by the test files) rather than a conftest, so that the
consultation tests in this folder keep their own fixtures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.utils import timezone

from participation.budget import pesel, voterkeys
from participation.models import BudgetDistrict, BudgetEdition, BudgetProject, RegisteredResident
from tests.conftest import square

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def make_edition(
    gmina,
    *,
    rule="knapsack",
    max_projects=None,
    pool="100000",
    verification="register",
    minors_allowed=False,
    phase="voting",
    **extra,
) -> BudgetEdition:
    """An edition of the gmina whose voting is open now (phase="voting"), over or not yet begun."""
    now = timezone.now()
    start = {"voting": now - DAY, "results": now - 10 * DAY, "verification": now + DAY}[phase]
    end = {"voting": now + DAY, "results": now - HOUR, "verification": now + 10 * DAY}[phase]
    return BudgetEdition.objects.create(
        gmina=gmina,
        title=f"Budżet obywatelski {gmina.name}",
        year=start.year,
        pool=Decimal(pool),
        rule=rule,
        max_projects=max_projects,
        verification=verification,
        minors_allowed=minors_allowed,
        submission_start=start - 60 * DAY,
        submission_end=start - 30 * DAY,
        voting_start=start,
        voting_end=end,
        **extra,
    )


def make_project(edition, cost, *, title=None, district=None, status="verified") -> BudgetProject:
    x, y = edition.gmina.boundary.centroid.coords
    return BudgetProject.objects.create(
        edition=edition,
        gmina=edition.gmina,
        district=district,
        title=title or f"Projekt za {cost} zł",
        description="Opis projektu",
        cost=Decimal(str(cost)),
        location=Point(x, y, srid=2180),
        status=status,
        rejection_reason="" if status != "rejected" else "Poza kompetencjami gminy",
    )


def make_district(edition, name, pool) -> BudgetDistrict:
    x, y = edition.gmina.boundary.centroid.coords
    return BudgetDistrict.objects.create(
        edition=edition, name=name, pool=Decimal(str(pool)), area=square(x, y, 500)
    )


def resident_pesel(n: int, *, born=datetime.date(1980, 5, 17)) -> str:
    return pesel.make(born + datetime.timedelta(days=n // 1000), n % 1000, female=n % 2 == 0)


def register(edition, number: str, first="Anna", last="Kowalska", born=None) -> RegisteredResident:
    """Put a person straight into the edition's register, as the import does."""
    secret = voterkeys.gmina_secret(edition.gmina_id)
    if born is None and edition.identifier_kind == "pesel":
        born = pesel.birth_date(number)
    return RegisteredResident.objects.create(
        edition=edition,
        key=voterkeys.identifier_key(secret, number),
        first_name=voterkeys.normalise_name(first),
        last_name=voterkeys.normalise_name(last),
        birth_date=born,
    )


def ballot_url(edition) -> str:
    return f"/api/participation/budgets/{edition.pk}/ballots/"
