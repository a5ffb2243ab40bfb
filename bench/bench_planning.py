"""Zoning extracts: one wypis + wyrys for one parcel, and a 100-parcel batch, issued in process
(removed afterwards: bench_extracts.removed_afterwards); baseline: the bare PostGIS share query
for the same parcel."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from planning import selectors, services
from planning.models import IssuedDocument, Plan
from sip.models import Gmina, Parcel

from .bench_extracts import APPLICANT, removed_afterwards
from .common import p50, report, timings


def _issue(user, identifiers: list[str]) -> tuple[float, IssuedDocument]:
    """Issue an extract (committed: the pipeline's transactions are durable); return seconds and
    the document."""
    started = time.perf_counter()
    _case, document = services.issue_extract(
        actor=user, parcel_identifiers=identifiers, kind="both", applicant=APPLICANT
    )
    return time.perf_counter() - started, document


def run() -> list[str]:
    gmina = Gmina.objects.get(teryt="020101_1")
    with removed_afterwards(gmina):
        return _run()


def _run() -> list[str]:
    user = get_user_model().objects.get(username="planista-boleslawiec")
    amendment = Plan.objects.get(gmina__teryt="020101_1", resolution_number="XXXI/402/2021")
    base = amendment.amendments_made.get().amended
    # One parcel in the plan, outside the amended area: one wypis, one wyrys sheet.
    inside = (
        Parcel.objects.filter(gmina__teryt="020101_1", geom__within=base.boundary)
        .exclude(geom__intersects=amendment.boundary)
        .order_by("identifier")
    )
    sample = list(inside[:: max(1, inside.count() // 10)][:10])
    sql = selectors._ZONING_SQL
    today = timezone.localdate()  # the query reads the plans in force on a day

    def bare(i):
        with connection.cursor() as cur:
            cur.execute(sql, {"parcel": sample[i % len(sample)].pk, "day": today})
            cur.fetchall()

    base_ms = p50(timings(bare, 200))
    _issue(user, [sample[0].identifier])  # warm-up: fonts, templates, mapscript
    single = [_issue(user, [p.identifier]) for p in sample]
    single_ms = p50([s * 1000 for s, _ in single])
    worst_ms = max(s * 1000 for s, _ in single)
    pages = single[0][1]

    centre = base.boundary.point_on_surface
    batch = list(
        Parcel.objects.filter(gmina__teryt="020101_1", geom__within=base.boundary)
        .order_by(_distance(centre))
        .values_list("identifier", flat=True)[:100]
    )
    batch_s, doc = _issue(user, batch)
    return [
        report(
            "extract wypis+wyrys, 1 parcel (in process)",
            single_ms,
            base_ms,
            "bare PostGIS share query",
            f"max {worst_ms:.0f} ms over {len(sample)} parcels; "
            f"{pages.wypis_pages}+{pages.wyrys_pages} pages",
        ),
        f"extract batch of {len(batch)} parcels: {batch_s:.1f} s "
        f"({doc.wypis_pages} wypis pages + {doc.wyrys_pages} wyrys pages, {doc.size / 1e6:.1f} MB); "
        "target ≤ 60 s",
    ]


def _distance(point):
    from django.contrib.gis.db.models.functions import Distance

    return Distance("geom", point)
