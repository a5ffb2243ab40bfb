"""Parcel API: GET /api/parcels/<id>/ through gunicorn vs the same row read by plain SQL."""

import random
import urllib.request
from urllib.parse import quote

from django.db import connection

from sip.models import Parcel

from .common import gunicorn, p50, report, timings


def run() -> list[str]:
    ids = list(Parcel.objects.values_list("identifier", flat=True))
    rng = random.Random(7)
    sample = [rng.choice(ids) for _ in range(400)]

    def sql(i):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT identifier, ST_AsGeoJSON(ST_Transform(geom, 4326), 9), ST_Area(geom), "
                "registered_area_m2 FROM sip_parcel WHERE identifier = %s",
                [sample[i % len(sample)]],
            )
            cur.fetchone()

    base_ms = p50(timings(sql, 400))
    with gunicorn(workers=2) as base:

        def api(i):
            ident = quote(sample[i % len(sample)], safe="")
            urllib.request.urlopen(f"{base}/api/parcels/{ident}/").read()

        api_ms = p50(timings(api, 400))

        def search(i):
            urllib.request.urlopen(f"{base}/api/parcels/?q=ko%C5%9Bciuszki+{i % 60 + 1}").read()

        search_ms = p50(timings(search, 100))
    return [
        report("parcel GET (HTTP, gunicorn)", api_ms, base_ms, "plain SQL in process"),
        f"parcel address search (HTTP): p50 {search_ms:.2f} ms over {len(ids)} parcels",
    ]
