"""Two planners of one gmina issuing extracts at the same moment: do they finish in about the time
of one (the case number's lock is held for milliseconds, the rendering runs outside any
transaction), or in the time of two (one waits for the other's PDF)?

Each planner is its own process (MapServer and WeasyPrint hold the GIL: threads would queue on it
whatever the database does), issuing through the real pipeline (planning.services.issue_extract)
against the development database; the pipeline's transactions are durable, so the cases and
documents are committed, and removed again afterwards (removed_afterwards), with the gmina's
counter put back. Printed: one extract alone, two at once, and their ratio (target ≈ 1, well
below 2)."""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import time
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

GMINA = "020101_1"
PLANNER = "planista-boleslawiec"
APPLICANT = "Benchmark"
ROUNDS = 4


@contextmanager
def removed_afterwards(gmina):
    """Remove the cases (and their documents and files) that the benchmark issues in the gmina
    while the block runs, and put the gmina's case counter back. Issued documents are immutable
    (a trigger refuses DELETE): the trigger is switched off for this one transaction only."""
    from planning.models import CaseCounter, ExtractCase, IssuedDocument

    year = timezone.localdate().year
    last_pk = ExtractCase.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    counter = CaseCounter.objects.filter(gmina=gmina, year=year).values_list("last_number", flat=True).first()
    try:
        yield
    finally:
        cases = ExtractCase.objects.filter(gmina=gmina, pk__gt=last_pk, applicant=APPLICANT)
        documents = IssuedDocument.objects.filter(case__in=cases)
        files = [d.file for d in documents]
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("ALTER TABLE planning_issueddocument DISABLE TRIGGER planning_document_immutable")
            documents.delete()
            with connection.cursor() as cur:
                cur.execute("ALTER TABLE planning_issueddocument ENABLE TRIGGER planning_document_immutable")
            cases.delete()
            if counter is None:
                CaseCounter.objects.filter(gmina=gmina, year=year).delete()
            else:
                CaseCounter.objects.filter(gmina=gmina, year=year).update(last_number=counter)
        for f in files:
            f.storage.delete(f.name)


def sample_parcels(count: int) -> list[str]:
    """Parcels in the demo's base plan outside its amendment: one wypis page and one wyrys sheet."""
    from planning.models import Plan
    from sip.models import Parcel

    amendment = Plan.objects.get(gmina__teryt=GMINA, resolution_number="XXXI/402/2021")
    base = amendment.amendments_made.get().amended
    inside = (
        Parcel.objects.filter(gmina__teryt=GMINA, geom__within=base.boundary)
        .exclude(geom__intersects=amendment.boundary)
        .order_by("identifier")
        .values_list("identifier", flat=True)
    )
    found = list(inside[: count * 7 : 7])
    return (found * count)[:count]


def planner_process(conn) -> None:
    """One planner: set up Django, then issue one extract per (start_at, identifier) received,
    starting at that wall-clock moment; answer (started, finished) of each."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sip.settings.dev")
    os.environ.setdefault("DEBUG", "false")
    django.setup()
    from django.contrib.auth import get_user_model

    from planning import services

    # Timing only: how long the short transaction that takes the case number lasted. Were the
    # number's lock held across another planner's rendering, this is where it would show.
    register = services._register_case
    registering = []

    def timed_register(**kwargs):
        t = time.perf_counter()
        try:
            return register(**kwargs)
        finally:
            registering.append(time.perf_counter() - t)

    services._register_case = timed_register
    user = get_user_model().objects.get(username=PLANNER)
    conn.send("ready")
    while (job := conn.recv()) is not None:
        start_at, identifier = job
        while time.time() < start_at:
            time.sleep(0.0005)
        started, cpu = time.time(), time.process_time()
        services.issue_extract(actor=user, parcel_identifiers=[identifier], kind="both", applicant=APPLICANT)
        conn.send((started, time.time(), time.process_time() - cpu, registering[-1]))
    conn.close()


def run() -> list[str]:
    from sip.models import Gmina

    gmina = Gmina.objects.get(teryt=GMINA)
    parcels = iter(sample_parcels(2 + 3 * ROUNDS))
    ctx = mp.get_context("spawn")
    pipes, procs = [], []
    connection.close()  # the children open their own connections
    with removed_afterwards(gmina):
        try:
            for _ in range(2):
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=planner_process, args=(child,), daemon=True)
                proc.start()
                pipes.append(parent)
                procs.append(proc)
            for p in pipes:
                assert p.recv() == "ready"

            def issue(which: list[int]) -> list[tuple[float, float, float, float]]:
                start_at = time.time() + 0.2
                for i in which:
                    pipes[i].send((start_at, next(parcels)))
                return [pipes[i].recv() for i in which]

            for i in (0, 1):  # warm-up: fonts, templates, mapscript in each process
                issue([i])
            single, pair, cpu, numbering = [], [], [], []
            for _ in range(ROUNDS):
                [(s, e, c, r)] = issue([0])
                single.append(e - s)
                cpu.append(c)
                both = issue([0, 1])
                pair.append(max(b[1] for b in both) - min(b[0] for b in both))
                numbering += [b[3] for b in both]
        finally:
            for p in pipes:
                p.send(None)
            for proc in procs:
                proc.join(timeout=30)
    one, two = statistics.median(single), statistics.median(pair)
    load = os.getloadavg()[0]
    return [
        f"extract wypis+wyrys, one planner alone: median {one * 1000:.0f} ms over {ROUNDS} "
        f"({', '.join(f'{s * 1000:.0f}' for s in single)} ms)",
        f"two planners of one gmina at the same moment: both done in median {two * 1000:.0f} ms "
        f"({', '.join(f'{s * 1000:.0f}' for s in pair)} ms)",
        f"concurrent/sequential-single = {two / one:.2f} (one at a time would be ≈2.0; target ≈1 on "
        f"an idle machine: {os.cpu_count()} cores, load average {load:.1f} during the run)",
        f"CPU of one extract: median {statistics.median(cpu) * 1000:.0f} ms; the case number's "
        f"transaction while both planners issue: median {statistics.median(numbering) * 1000:.0f} ms, "
        f"max {max(numbering) * 1000:.0f} ms (a lock held across the rendering would make it ≈ one "
        "extract's time)",
    ]
