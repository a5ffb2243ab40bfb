"""Residents' reports: the routing decision (1,000 road segments, 20 rules in the gmina), a POST
of a report without photos over HTTP, Open311 GET requests.json of 1,000 reports, and a WMS
tile of the `zgloszenia` layer at 10,000 reports against a tile of the parcels layer.

Everything the benchmark adds (a bench gmina far from the demo ones, its roads, rules and
reports) is removed at the end."""

from __future__ import annotations

import json
import random
import secrets
import urllib.request
import uuid
from urllib.parse import urlencode

from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.db import transaction
from django.utils import timezone

from .common import p50, timings

BX, BY, SIZE = 600_000, 250_000, 10_000  # the bench gmina: a 10 km square in eastern Poland
TERYT = "069999_2"
ROADS = 1_000
TILE_M = 500


def _setup():
    from incidents.models import Category, CategoryGroup, Report, RoutingRule
    from sip.models import Gmina, Street, Unit

    rng = random.Random(15)
    gmina = Gmina.objects.create(
        teryt=TERYT,
        name="Gmina benchmarkowa",
        kind="rural",
        slug="gmina-benchmarkowa",
        boundary=MultiPolygon(Polygon.from_bbox((BX, BY, BX + SIZE, BY + SIZE)), srid=2180),
    )
    office = Unit.objects.create(name="Urząd Gminy benchmarkowej", kind="gmina_office", gmina=gmina)
    managers = {
        "powiatowa": Unit.objects.create(name="Bench PZD", kind="external"),
        "wojewodzka": Unit.objects.create(name="Bench ZDW", kind="external"),
        "krajowa": Unit.objects.create(name="Bench GDDKiA", kind="external"),
    }
    kinds = ["gminna"] * 7 + ["powiatowa", "wojewodzka", "krajowa"]
    streets = []
    for i in range(ROADS):
        x, y = BX + rng.uniform(0, SIZE - 300), BY + rng.uniform(0, SIZE - 300)
        kind = kinds[i % len(kinds)]
        line = LineString((x, y), (x + rng.uniform(50, 300), y + rng.uniform(-100, 300)), srid=2180)
        streets.append(
            Street(
                gmina=gmina,
                name=f"Odcinek {i}",
                road_category=kind,
                road_manager=managers.get(kind),
                geom=MultiLineString(line, srid=2180),
            )
        )
    Street.objects.bulk_create(streets)
    group = CategoryGroup.objects.create(name="Bench", order=999)
    cats = [Category.objects.create(code=f"bench-{i}", name=f"Bench {i}", group=group) for i in range(5)]
    rules = []
    for i in range(20):
        cat = cats[i % 5]
        condition = ["road", "cemetery", "register", "anywhere"][i % 4]
        rules.append(
            RoutingRule(
                gmina=gmina,
                category=cat if i % 7 else None,
                condition=condition,
                road_categories="powiatowa,wojewodzka,krajowa" if condition == "road" else "",
                register="lamps" if condition == "register" else "",
                unit=None if condition in ("road", "register") else office,
                priority=i,
            )
        )
    RoutingRule.objects.bulk_create(rules)
    _analyze("sip_street", "incidents_routingrule")
    return gmina, office, cats, Report


def _reports(gmina, office, cat, n: int, extents, rng) -> None:
    """n reports spread over `extents` (bulk, as if sent over the past weeks)."""
    from incidents.models import Report, ReportCounter

    now = timezone.now()
    with transaction.atomic():
        counter, _ = ReportCounter.objects.select_for_update().get_or_create(year=now.year)
        start = counter.last
        counter.last += n
        counter.save()
        rows = []
        for i in range(n):
            minx, miny, maxx, maxy = extents[i % len(extents)]
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy), srid=2180)
            seq = start + i + 1
            rows.append(
                Report(
                    number=f"ZG/{now.year}/{seq:06d}",
                    year=now.year,
                    sequence=seq,
                    token=secrets.token_urlsafe(24),
                    gmina=gmina,
                    category=cat,
                    description="Zgłoszenie benchmarku",
                    point=p,
                    public_point=p,
                    responsible_unit=office,
                    routing_reason="benchmark",
                    status=["nowe", "przyjete", "w_realizacji", "zrealizowane"][i % 4],
                    status_changed_at=now,
                )
            )
        Report.objects.bulk_create(rows, batch_size=2000)
    _analyze("incidents_report")


def _analyze(*tables: str) -> None:
    """Planner statistics after a bulk insert, as autovacuum keeps them on a running server."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names


def _cleanup():
    from incidents.models import Category, CategoryGroup, Report, RoutingRule, StatusChange
    from sip.models import AuditLog, Gmina, Street, Unit

    gmina = Gmina.objects.filter(teryt=TERYT).first()
    if gmina is None:
        return
    StatusChange.objects.filter(report__gmina=gmina).delete()
    Report.objects.filter(gmina=gmina).delete()
    RoutingRule.objects.filter(gmina=gmina).delete()
    Category.objects.filter(code__startswith="bench-").delete()
    CategoryGroup.objects.filter(name="Bench").delete()
    Street.objects.filter(gmina=gmina).delete()
    AuditLog.objects.filter(gmina=gmina).delete()
    Unit.objects.filter(gmina=gmina).delete()
    Unit.objects.filter(name__in=["Bench PZD", "Bench ZDW", "Bench GDDKiA"]).delete()
    gmina.delete()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.read()


def _tile_params(layer: str, bbox) -> str:
    return urlencode(
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetMap",
            "LAYERS": layer,
            "STYLES": "",
            "SRS": "EPSG:2180",
            "BBOX": ",".join(f"{v:.2f}" for v in bbox),
            "WIDTH": 256,
            "HEIGHT": 256,
            "FORMAT": "image/png",
            "TRANSPARENT": "TRUE",
        }
    )


def run() -> list[str]:
    from incidents.routing import decide
    from sip.models import Gmina

    _cleanup()
    out = []
    try:
        gmina, office, cats, _ = _setup()
        rng = random.Random(3)
        points = [Point(BX + rng.uniform(0, SIZE), BY + rng.uniform(0, SIZE), srid=2180) for _ in range(400)]
        # How loaded the machine is now: the decision makes 4-6 such queries.
        trivial = timings(lambda i: type(office).objects.filter(pk=office.pk).first(), 200, warmup=20)
        out.append(f"(machine now: a one-row ORM query p50 {p50(trivial):.2f} ms)")
        ms = timings(lambda i: decide(point=points[i % len(points)], category=cats[i % 5]), 400, warmup=20)
        out.append(
            f"routing decision ({ROADS} road segments, 20 rules): p50 {p50(ms):.2f} ms (target ≤ 5 ms)"
        )

        _reports(gmina, office, cats[0], 1_000, [(BX, BY, BX + SIZE, BY + SIZE)], rng)
        demo_extents = [g.boundary.extent for g in Gmina.objects.exclude(pk=gmina.pk)]
        _reports(gmina, office, cats[1], 9_000, demo_extents, rng)  # 10,000 in all on the map
        tiles = []
        for i in range(120):
            minx, miny, maxx, maxy = demo_extents[i % len(demo_extents)]
            x, y = rng.uniform(minx, maxx - TILE_M), rng.uniform(miny, maxy - TILE_M)
            tiles.append((x, y, x + TILE_M, y + TILE_M))

        env = {"SIP_INCIDENT_POST_RATE": "1000000/min"}
        with gunicorn_env(env) as base:
            body_point = Point(BX + 5_000, BY + 5_000, srid=2180).transform(4326, clone=True)

            def post(i):
                data = json.dumps(
                    {
                        "category": cats[i % 5].code,
                        "lat": body_point.y,
                        "lon": body_point.x,
                        "description": "Benchmark",
                        "client_request_id": str(uuid.uuid4()),
                    }
                ).encode()
                req = urllib.request.Request(
                    base + "/api/incidents/reports/", data=data, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(req, timeout=30) as resp:
                    assert resp.status in (200, 201), resp.status
                    resp.read()

            ms = timings(post, 200, warmup=10)
            out.append(
                f"POST /api/incidents/reports/ without photos over HTTP: p50 {p50(ms):.2f} ms "
                "(target ≤ 50 ms)"
            )

            url = base + "/open311/v2/requests.json?" + urlencode({"jurisdiction_id": TERYT})
            count = len(json.loads(_get(url)))
            ms = timings(lambda i: _get(url), 30, warmup=3)
            out.append(
                f"GET /open311/v2/requests.json of {count} reports: p50 {p50(ms):.2f} ms (target ≤ 150 ms)"
            )

            wms = base + "/ows/wms?"
            parcels = timings(
                lambda i: _get(wms + _tile_params("dzialki", tiles[i % len(tiles)])), 120, warmup=10
            )
            reports = timings(
                lambda i: _get(wms + _tile_params("zgloszenia", tiles[i % len(tiles)])), 120, warmup=10
            )
            out.append(
                f"WMS tile zgloszenia (10,000 reports): p50 {p50(reports):.2f} ms "
                f"vs dzialki {p50(parcels):.2f} ms "
                f"= {p50(reports) / p50(parcels):.2f}x (target ≤ 1.2x)"
            )
    finally:
        _cleanup()
    return out


def gunicorn_env(env: dict):
    from sip import liveserver

    return liveserver.gunicorn(
        env={"DJANGO_SETTINGS_MODULE": "sip.settings.dev", **env}, workers=2, threads=1
    )
