"""WFS GetFeature of 10,000 parcels as GeoJSON through /ows/wfs (django-gisserver, gunicorn)
against a plain SQL ST_AsGeoJSON query of the same rows assembled into a FeatureCollection.

The HTTP client is curl (libcurl, as GDAL and QGIS use) and the time is curl's own
time_total: Python's http.client decodes a 4.6 MB chunked response slowly enough to
measure itself rather than the server."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from urllib.parse import urlencode

from django.db import connection

from .common import gunicorn, p50, report, timings

COUNT = 10_000


def run() -> list[str]:
    def sql(_i):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id, identifier, number, registered_area_m2, ST_AsGeoJSON(geom, 15) "
                "FROM sip_parcel ORDER BY id LIMIT %s",
                [COUNT],
            )
            rows = cur.fetchall()
        parts = [
            f'{{"type":"Feature","id":"dzialki.{pk}","geometry":{geom},"properties":'
            f"{json.dumps({'identifier': ident, 'number': num, 'registered_area_m2': str(area)})}}}"
            for pk, ident, num, area, geom in rows
        ]
        return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"

    assert len(json.loads(sql(0))["features"]) == COUNT
    base_ms = p50(timings(sql, 10, warmup=2))
    query = urlencode(
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "dzialki",
            "COUNT": COUNT,
            "OUTPUTFORMAT": "geojson",
        }
    )
    with gunicorn(workers=2) as base:

        def wfs(_i):
            with urllib.request.urlopen(f"{base}/ows/wfs?{query}", timeout=120) as resp:
                return resp.read()

        got = json.loads(wfs(0))
        assert len(got["features"]) == COUNT, len(got["features"])

        def curl_ms() -> float:
            out = subprocess.run(
                ["curl", "-sf", "-o", "/dev/null", "-w", "%{time_total}", f"{base}/ows/wfs?{query}"],
                capture_output=True,
                text=True,
                check=True,
            )
            return float(out.stdout) * 1000

        curl_ms()
        wfs_ms = p50([curl_ms() for _ in range(10)])
        urllib_ms = p50(timings(wfs, 5, warmup=1))
    return [
        report(
            f"WFS GetFeature {COUNT} parcels GeoJSON (HTTP, gunicorn, curl)",
            wfs_ms,
            base_ms,
            "plain SQL ST_AsGeoJSON",
            f"with Python urllib as the client p50 {urllib_ms:.0f} ms",
        )
    ]
