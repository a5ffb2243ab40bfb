"""Participatory budget: a ballot POST over HTTP with 50,000 residents in the register (target
p50 ≤ 30 ms), 200 simultaneous ballots of distinct residents (all stored, ≤ 10 s), results of
50,000 ballots (≤ 1 s). A temporary edition is added in Bolesławiec and removed after."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.utils import timezone

from participation.budget import pesel, selectors, voterkeys
from participation.models import Ballot, BudgetEdition, BudgetProject, RegisteredResident, VoterMark
from sip.models import Gmina

from .common import gunicorn, p50, report, timings

RESIDENTS = 50_000
SEQUENTIAL = 300
CONCURRENT = 200
BALLOTS = 50_000
TITLE = "bench: edycja tymczasowa"


def _people() -> list[tuple[str, str, str]]:
    born = dt.date(1960, 1, 1)
    return [
        (
            pesel.make(born + dt.timedelta(days=n // 1000), n % 1000, female=n % 2 == 0),
            f"imie{n}",
            f"nazwisko{n}",
        )
        for n in range(RESIDENTS)
    ]


def _remove() -> None:
    # Projects first: a district with projects is protected from deletion.
    BudgetProject.objects.filter(edition__title=TITLE).delete()
    BudgetEdition.objects.filter(title=TITLE).delete()


def _setup(people) -> tuple[BudgetEdition, list[int]]:
    gmina = Gmina.objects.get(teryt="020101_1")
    _remove()
    now = timezone.now()
    edition = BudgetEdition.objects.create(
        gmina=gmina,
        title=TITLE,
        year=now.year,
        pool=Decimal(1_000_000),
        rule="knapsack",
        verification="register",
        submission_start=now - dt.timedelta(days=60),
        submission_end=now - dt.timedelta(days=30),
        voting_start=now - dt.timedelta(days=1),
        voting_end=now + dt.timedelta(days=1),
    )
    centre = gmina.boundary.centroid
    ids = [
        BudgetProject.objects.create(
            edition=edition,
            gmina=gmina,
            title=f"Projekt {i}",
            cost=Decimal(50_000 + 10_000 * i),
            location=Point(centre.x + 50 * i, centre.y, srid=2180),
            status="verified",
        ).pk
        for i in range(12)
    ]
    secret = voterkeys.gmina_secret(gmina.pk)
    RegisteredResident.objects.bulk_create(
        [
            RegisteredResident(
                edition=edition,
                key=voterkeys.identifier_key(secret, number),
                first_name=first,
                last_name=last,
                birth_date=pesel.birth_date(number),
            )
            for number, first, last in people
        ],
        batch_size=5000,
    )
    return edition, ids


def _post(url: str, body: dict) -> int:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def run() -> list[str]:
    people = _people()
    edition, ids = _setup(people)
    rng = random.Random(16)
    lines = []
    try:
        with gunicorn(workers=2, threads=4) as base:
            url = f"{base}/api/participation/budgets/{edition.pk}/ballots/"

            def body(i: int) -> dict:
                number, first, last = people[i]
                return {
                    "projects": rng.sample(ids, 3),
                    "pesel": number,
                    "first_name": first,
                    "last_name": last,
                }

            statuses, fresh = [], itertools.count()  # timings() repeats i after its warm-up
            ms = timings(lambda _i: statuses.append(_post(url, body(next(fresh)))), SEQUENTIAL, warmup=5)
            assert set(statuses) == {201}, set(statuses)
            # Baseline in the same run: a read of the editions (two small queries), so that the
            # figure can be judged on a loaded machine.
            listing = f"{base}/api/participation/budgets/?limit=1"
            base_ms = timings(lambda _i: urllib.request.urlopen(listing, timeout=60).read(), 100, warmup=5)
            lines.append(
                report(
                    f"ballot POST over HTTP, {RESIDENTS:,} residents in the register (target ≤ 30 ms)",
                    p50(ms),
                    p50(base_ms),
                    "GET of the editions",
                    f"p90 {sorted(ms)[int(len(ms) * 0.9)]:.1f} ms",
                )
            )
            start = SEQUENTIAL + 5
            bodies = [body(start + i) for i in range(CONCURRENT)]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
                got = list(pool.map(lambda b: _post(url, b), bodies))
            took = time.perf_counter() - t0
            stored = Ballot.objects.filter(edition=edition).count()
            marks = VoterMark.objects.filter(edition=edition).count()
            lines.append(
                f"{CONCURRENT} simultaneous ballots of distinct residents: {took:.2f} s (target ≤ 10 s), "
                f"answers 201: {got.count(201)}, ballots stored {stored} of {start + CONCURRENT}, "
                f"marks {marks}"
            )
        Ballot.objects.filter(edition=edition).delete()
        Ballot.objects.bulk_create(
            [
                Ballot(edition=edition, projects=sorted(rng.sample(ids, rng.randint(1, 4))), channel="online")
                for _ in range(BALLOTS)
            ],
            batch_size=5000,
        )
        BudgetEdition.objects.filter(pk=edition.pk).update(voting_end=timezone.now())
        edition.refresh_from_db()
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            res = selectors.results(edition)
            runs.append((time.perf_counter() - t0) * 1000)
        assert res.ballots == BALLOTS
        lines.append(f"results of {BALLOTS:,} ballots: median {p50(runs):.0f} ms (target ≤ 1000 ms)")
    finally:
        _remove()
    return lines
