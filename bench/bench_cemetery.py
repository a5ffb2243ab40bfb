"""Cemetery: walking route to a grave vs the bare pgRouting call in the same run; grave search
over 100,000 extra burials that the benchmark adds to the demo cemetery and removes after."""

from __future__ import annotations

import random
import time
import urllib.request
from datetime import date, timedelta
from urllib.parse import urlencode

import numpy as np
from django.db import connection

from cemetery_routing import routes, search, selectors
from cemetery_routing.models import Burial, Gate, Grave, name_tokens
from cemetery_routing.routing import PathRouter
from fixtures.demo.names import FEMALE_FIRST, MALE_FIRST, SURNAMES, feminine

from .common import gunicorn, p50, report

CEMETERY = "cmentarz-komunalny-boleslawiec"
EXTRA_BURIALS = 100_000
MARKER = "bench: wpis tymczasowy"
QUERIES = [
    "Kowalski",
    "wojcik",
    "Wujcik Jan",
    "Łukasz Nowak",
    "nowak 1975",
    "Zielinska Maria",
    "Dabrowska",
    "Szymanski Piotr",
    "Kowalczyk",
    "Lewandowsky",
    "Wiśniewska Zofia",
    "jankowski",
    "Kaminski Stanislaw",
    "mazur",
    "Krawczyk Barbara",
    "pawlowska",
]


def run() -> list[str]:
    lines = _routes()
    lines += _search()
    return lines


def _routes() -> list[str]:
    graves = Grave.objects.filter(cemetery__slug=CEMETERY).exclude(section__name="I6")
    ids = sorted(graves.values_list("pk", flat=True))
    sample = random.Random(7).sample(ids, 300)
    first = Grave.objects.get(pk=sample[0])
    router = PathRouter(first.cemetery_id)
    gates = list(Gate.objects.filter(cemetery_id=first.cemetery_id).order_by("pk"))
    prepared = []
    for grave in Grave.objects.filter(pk__in=sample).in_bulk().values():
        snaps = router.snap(
            [(1, grave.geom.x, grave.geom.y)] + [(2 + k, g.geom.x, g.geom.y) for k, g in enumerate(gates)],
            step_free=False,
        )
        prepared.append((grave.pk, snaps[1], [snaps[p] for p in sorted(snaps) if p != 1]))
    bare, ours = [], []
    # Interleaved, so that load from elsewhere on the machine hits both alike.
    for round_ in range(2):
        for grave_id, target, starts in prepared:
            t0 = time.perf_counter()
            router.bare(starts, target)
            t1 = time.perf_counter()
            routes.route_feature(routes.route_to_grave(grave_id), 4326)
            t2 = time.perf_counter()
            if round_:  # the first round warms the caches and the function's plan
                bare.append((t1 - t0) * 1000)
                ours.append((t2 - t1) * 1000)
    edges = first.cemetery.edges.count()
    with gunicorn(workers=2) as base:
        http = []
        for round_ in range(2):
            for grave_id, _, _ in prepared:
                t0 = time.perf_counter()
                urllib.request.urlopen(f"{base}/api/cemetery/graves/{grave_id}/route/").read()
                if round_:
                    http.append((time.perf_counter() - t0) * 1000)
    return [
        report(
            "route to a grave (in process: SQL + steps + GeoJSON)",
            p50(ours),
            p50(bare),
            "bare pgr_withPoints",
            f"{edges} edges, {len(gates)} gates, target ≤1.3x",
        ),
        f"route to a grave (HTTP, gunicorn): p50 {p50(http):.2f} ms (target ≤15 ms)",
    ]


def _add_burials(grave_ids: list[int]) -> None:
    rng = np.random.default_rng(99)
    w_s = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.8
    w_m = 1.0 / np.arange(1, len(MALE_FIRST) + 1) ** 0.8
    w_f = 1.0 / np.arange(1, len(FEMALE_FIRST) + 1) ** 0.8
    surnames = rng.choice(len(SURNAMES), EXTRA_BURIALS, p=w_s / w_s.sum())
    males = rng.choice(len(MALE_FIRST), EXTRA_BURIALS, p=w_m / w_m.sum())
    females = rng.choice(len(FEMALE_FIRST), EXTRA_BURIALS, p=w_f / w_f.sum())
    sex = rng.random(EXTRA_BURIALS) < 0.5
    deaths = rng.integers(0, 80 * 365, EXTRA_BURIALS)
    ages = rng.integers(20 * 365, 100 * 365, EXTRA_BURIALS)
    graves = rng.choice(grave_ids, EXTRA_BURIALS)
    batch = []
    for i in range(EXTRA_BURIALS):
        surname = SURNAMES[surnames[i]] if sex[i] else feminine(SURNAMES[surnames[i]])
        first = MALE_FIRST[males[i]] if sex[i] else FEMALE_FIRST[females[i]]
        death = date(1946, 1, 1) + timedelta(days=int(deaths[i]))
        batch.append(
            Burial(
                grave_id=int(graves[i]),
                first_name=first,
                surname=surname,
                birth_date=death - timedelta(days=int(ages[i])),
                death_date=death,
                record=MARKER,
                search_names=name_tokens(surname, first),
            )
        )
        if len(batch) == 10_000:
            Burial.objects.bulk_create(batch)
            batch = []
    Burial.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE cemetery_routing_burial")


def _search() -> list[str]:
    grave_ids = list(Grave.objects.filter(cemetery__slug=CEMETERY).values_list("pk", flat=True))
    Burial.objects.filter(record=MARKER).delete()
    started = time.monotonic()
    _add_burials(grave_ids)
    added_s = time.monotonic() - started
    try:
        total = Burial.objects.count()
        in_process = []
        for round_ in range(3):
            for q in QUERIES:
                t0 = time.perf_counter()
                [selectors.search_feature(b, 4326) for b in search.search_burials(q)]
                if round_:
                    in_process.append((time.perf_counter() - t0) * 1000)
        with gunicorn(workers=2) as base:
            http = []
            for round_ in range(3):
                for q in QUERIES:
                    t0 = time.perf_counter()
                    urllib.request.urlopen(f"{base}/api/cemetery/graves/?{urlencode({'q': q})}").read()
                    if round_:
                        http.append((time.perf_counter() - t0) * 1000)
    finally:
        Burial.objects.filter(record=MARKER).delete()
    return [
        f"grave search over {total} burials (HTTP, gunicorn): p50 {p50(http):.2f} ms, "
        f"max {max(http):.2f} ms (target ≤30 ms); in process p50 {p50(in_process):.2f} ms; "
        f"{len(QUERIES)} queries with and without diacritics and typos "
        f"({EXTRA_BURIALS} burials added in {added_s:.1f} s and removed after)",
    ]
