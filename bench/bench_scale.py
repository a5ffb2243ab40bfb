"""SIP at regional scale (`python -m bench --scale [N]`, not part of the normal run): the same
requests measured over the demo gminas alone and again with N synthetic gminas added by
`load_demo --region N` (default 150), side by side, and how each figure grows.

Requests go through Django's test client in this process against the development database:
the figures are SIP's own work (queries, rendering, serialising) without HTTP."""

from __future__ import annotations

import math
import os
import random
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client

from .bench_planning import _issue
from .common import p50, timings

SCALE_ONLY = True
N = 30
WORLD = 20037508.342789244


def _tile_bbox_3857(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    """The web-mercator bounds of the z/x/y tile that holds the point."""
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    size = 2 * WORLD / n
    minx = -WORLD + x * size
    maxy = WORLD - y * size
    return (minx, maxy - size, minx + size, maxy)


def _figures(client: Client, label: str) -> dict[str, float | int]:
    from sip.models import Gmina, Parcel

    rng = random.Random(7)
    gmina = Gmina.objects.get(teryt="020101_1")
    centre = gmina.boundary.point_on_surface.transform(4326, clone=True)
    out: dict[str, float | int] = {"parcels": Parcel.objects.count(), "gminas": Gmina.objects.count()}
    # A fixed piece of work that does not depend on the data: if it grows between the two
    # columns, the machine was busier for one of them and every figure carries that factor.
    out["machine check (fixed work) ms"] = p50(timings(lambda i: sum(j * j for j in range(200_000)), 9))

    def get(path, params=None):
        resp = client.get(path, params or {})
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        assert resp.status_code == 200, (path, params, resp.status_code, body[:300])
        return body

    for zoom in (10, 13, 17):

        def tile(i, zoom=zoom):
            dx, dy = rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02)
            bbox = _tile_bbox_3857(centre.x + dx * (20 - zoom) / 3, centre.y + dy * (20 - zoom) / 3, zoom)
            get(
                "/ows/wms",
                {
                    "SERVICE": "WMS",
                    "VERSION": "1.3.0",
                    "REQUEST": "GetMap",
                    "LAYERS": "dzialki,ulice,adresy,gminy",
                    "STYLES": "",
                    "CRS": "EPSG:3857",
                    "BBOX": ",".join(f"{v:.2f}" for v in bbox),
                    "WIDTH": "256",
                    "HEIGHT": "256",
                    "FORMAT": "image/png",
                },
            )

        out[f"WMS tile z{zoom} ms"] = p50(timings(tile, N))
    box = gmina.boundary.extent

    def wfs(i):
        x = rng.uniform(box[0], box[2] - 500)
        y = rng.uniform(box[1], box[3] - 500)
        get(
            "/ows/wfs",
            {
                "SERVICE": "WFS",
                "VERSION": "2.0.0",
                "REQUEST": "GetFeature",
                "TYPENAMES": "dzialki",
                "BBOX": f"{x},{y},{x + 500},{y + 500},urn:ogc:def:crs:EPSG::2180",
                "COUNT": "50",
                "STARTINDEX": "0",
            },
        )

    out["WFS GetFeature BBOX ms"] = p50(timings(wfs, N))
    for name, params in (
        ("search identifier ms", {"q": "020101_1.0001.1"}),
        ("search number+obręb ms", {"q": "15 Kruszyn"}),
        ("search address, no gmina ms", {"q": "Garncarska 12"}),
        ("search address in gmina ms", {"q": "Garncarska 12", "gmina": "020101_1"}),
    ):
        out[name] = p50(timings(lambda i, params=params: get("/api/parcels/", params), N))
    out["geoportal search ms"] = p50(
        timings(lambda i: get("/api/geoportal/search/", {"q": "Garncarska 12", "gmina": gmina.slug}), N)
    )
    out["landing page / ms"] = p50(timings(lambda i: get("/"), 5, warmup=1))

    def landing_cold(i):
        # What the first visit after a change pays: the parcel counts and the outlines read
        # again (both are kept in the cache between visits).
        cache.clear()
        get("/")

    out["landing page /, cold cache ms"] = p50(timings(landing_cold, 3, warmup=1))
    out["portal page ms"] = p50(timings(lambda i: get(f"/{gmina.slug}/"), 10, warmup=2))
    for service, path in (("WMS", "/ows/wms"), ("WFS", "/ows/wfs")):
        version = "1.3.0" if service == "WMS" else "2.0.0"
        params = {"SERVICE": service, "VERSION": version, "REQUEST": "GetCapabilities"}
        out[f"{service} GetCapabilities ms"] = p50(
            timings(lambda i, params=params, path=path: get(path, params), 5, warmup=1)
        )
        out[f"{service} GetCapabilities KB"] = round(len(get(path, params)) / 1024)
    out["layers of one gmina ms"] = p50(
        timings(lambda i: get("/ows/layers", {"gmina": gmina.slug}), 10, warmup=2)
    )
    out["tenancy check ms"] = p50(timings(lambda i: _tenancy_check(gmina), 50, warmup=5))
    planner = get_user_model().objects.get(username="planista-boleslawiec")
    identifier = (
        Parcel.objects.filter(gmina=gmina).order_by("identifier").values_list("identifier", flat=True)[500]
    )
    out["extract issue (1 parcel) ms"] = p50(timings(lambda i: _issue(planner, [identifier]), 5, warmup=1))
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        out["database MB"] = round(cur.fetchone()[0] / 2**20)
    return out


def _tenancy_check(gmina) -> None:
    """What a staff request pays for its tenancy: the account as a session loads it, its role
    groups, its gmina and the permission, for data of its own gmina."""
    from sip import tenancy

    user = get_user_model().objects.get(username="planista-boleslawiec")
    tenancy.require(user, "planning.add_extractcase", gmina)


def run() -> list[str]:
    from django.core.management import call_command

    from fixtures.demo import region

    n = int(os.environ.get("SIP_BENCH_REGION", "150"))
    client = Client()
    region.remove(lambda text: None)
    small = _figures(client, "demo")
    started = time.monotonic()
    call_command("load_demo", region=n, verbosity=0)
    load_s = time.monotonic() - started
    try:
        big = _figures(client, "region")
    finally:
        region.remove(lambda text: None)
    lines = [
        f"demo gminas vs demo + {n} synthetic gminas (load_demo --region {n}: {load_s:.0f} s)",
        f"{'figure':32s} {'demo':>10s} {'region':>10s} {'growth':>8s}",
    ]
    for key in small:
        a, b = small[key], big[key]
        growth = f"{b / a:.2f}x" if a else "-"
        lines.append(f"{key:32s} {a:10.1f} {b:10.1f} {growth:>8s}")
    return lines
