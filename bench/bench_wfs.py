"""WFS GetFeature of 10,000 parcels as GeoJSON through /ows/wfs (django-gisserver, gunicorn)
against a plain SQL ST_AsGeoJSON query of the same rows assembled into a FeatureCollection."""

from __future__ import annotations

import json
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
        wfs_ms = p50(timings(wfs, 10, warmup=2))
    return [
        report(
            f"WFS GetFeature {COUNT} parcels GeoJSON (HTTP, gunicorn)",
            wfs_ms,
            base_ms,
            "plain SQL ST_AsGeoJSON",
        )
    ]
