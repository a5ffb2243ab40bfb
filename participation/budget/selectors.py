"""Reads of the participatory budget: editions and their phase, the projects on the ballot, the
pools, and the results (hidden until the voting closes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from sip import tenancy

from ..models import Ballot, BudgetDistrict, BudgetEdition, BudgetProject

CITYWIDE = "projekty ogólnomiejskie"


class ResultsHidden(Exception):
    """Results asked for before the voting closed; the message says when they will be shown."""


PHASES = {
    "planned": "przed naborem projektów",
    "submitting": "zgłaszanie projektów",
    "verification": "weryfikacja projektów",
    "voting": "głosowanie",
    "results": "wyniki",
}


def phase(edition: BudgetEdition, now: datetime.datetime | None = None) -> str:
    """The edition's phase now: planned, submitting, verification, voting or results."""
    now = now or timezone.now()
    if now < edition.submission_start:
        return "planned"
    if now < edition.submission_end:
        return "submitting"
    if now < edition.voting_start:
        return "verification"
    if now < edition.voting_end:
        return "voting"
    return "results"


def editions(*, gmina=None) -> QuerySet[BudgetEdition]:
    """Every edition (public facts only are read from them), optionally of one gmina."""
    qs = BudgetEdition.objects.select_related("gmina").order_by("-year", "gmina__name", "id")
    return qs.filter(gmina=gmina) if gmina is not None else qs


def staff_editions(user) -> QuerySet[BudgetEdition]:
    """The editions of the gminas the staff member works with."""
    return tenancy.scope_queryset(editions(), user)


def ballot_projects(edition: BudgetEdition) -> QuerySet[BudgetProject]:
    """The projects on the edition's ballot (verified), with their districts."""
    return BudgetProject.objects.filter(edition=edition, is_public=True).select_related("district")


def citywide_pool(edition: BudgetEdition, districts: list[BudgetDistrict] | None = None) -> Decimal:
    """The pool of projects outside any district: the edition's pool less the district pools."""
    if districts is None:
        spent = BudgetDistrict.objects.filter(edition=edition).aggregate(s=Sum("pool"))["s"]
    else:
        spent = sum((d.pool for d in districts), Decimal(0))
    return edition.pool - (spent or Decimal(0))


def pools_of(edition: BudgetEdition, projects: list[BudgetProject]) -> list[tuple[Decimal, str, list]]:
    """The projects split by the pool they compete for: [(pool, label, projects)], city-wide first."""
    districts = list(BudgetDistrict.objects.filter(edition=edition).order_by("name"))
    out = [(citywide_pool(edition, districts), CITYWIDE, [p for p in projects if p.district_id is None])]
    for d in districts:
        out.append((d.pool, f"okręg {d.name}", [p for p in projects if p.district_id == d.pk]))
    return [(pool, label, chosen) for pool, label, chosen in out if chosen or label == CITYWIDE]


@dataclass
class ProjectResult:
    id: int
    title: str
    district: str | None
    cost: Decimal
    votes: int
    won: bool = False


@dataclass
class PoolResult:
    label: str
    pool: Decimal
    spent: Decimal = Decimal(0)
    projects: list[ProjectResult] = field(default_factory=list)


@dataclass
class Results:
    edition: BudgetEdition
    ballots: int
    online: int
    paper: int
    pools: list[PoolResult]

    @property
    def projects(self) -> list[ProjectResult]:
        return [p for pool in self.pools for p in pool.projects]


def votes_per_project(edition: BudgetEdition) -> dict[int, int]:
    """{project id: ballots that chose it}."""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT p, count(*) FROM {Ballot._meta.db_table}, unnest(projects) AS p "
            "WHERE edition_id = %s GROUP BY p",
            [edition.pk],
        )
        return dict(cur.fetchall())


def greedy_winners(candidates: list[ProjectResult], pool: Decimal) -> Decimal:
    """Mark the winners of one pool: by votes descending (ties: cheaper first, then lower id), a
    project wins while it fits in what is left of the pool; one that does not fit is skipped and
    the next ones are still tried. A project nobody voted for does not win. Return the sum spent."""
    left = pool
    for p in sorted(candidates, key=lambda p: (-p.votes, p.cost, p.id)):
        if p.votes > 0 and p.cost <= left:
            p.won = True
            left -= p.cost
    return pool - left


def results(edition: BudgetEdition, now: datetime.datetime | None = None) -> Results:
    """Votes per project and the winners of each pool; ResultsHidden before the voting closes."""
    now = now or timezone.now()
    if now < edition.voting_end:
        end = timezone.localtime(edition.voting_end)
        raise ResultsHidden(f"Wyniki zostaną opublikowane po zakończeniu głosowania ({end:%d.%m.%Y, %H:%M}).")
    votes = votes_per_project(edition)
    channels = dict(
        Ballot.objects.filter(edition=edition).values_list("channel").annotate(n=Count("id")).order_by()
    )
    districts = list(BudgetDistrict.objects.filter(edition=edition).order_by("name"))
    projects = list(ballot_projects(edition))
    pools = [PoolResult(CITYWIDE, citywide_pool(edition, districts))]
    pools += [PoolResult(d.name, d.pool) for d in districts]
    by_district = {None: pools[0], **{d.pk: pools[i + 1] for i, d in enumerate(districts)}}
    for p in projects:
        by_district[p.district_id].projects.append(
            ProjectResult(p.pk, p.title, p.district.name if p.district else None, p.cost, votes.get(p.pk, 0))
        )
    for pool in pools:
        pool.spent = greedy_winners(pool.projects, pool.pool)
        pool.projects.sort(key=lambda p: (-p.votes, p.cost, p.id))
    pools = [p for p in pools if p.projects]
    online, paper = channels.get("online", 0), channels.get("paper", 0)
    return Results(edition, online + paper, online, paper, pools)
