"""The baseline server of bench_wms: MapServer through mapscript behind the same gunicorn as
SIP, with no Django, no registry, no permissions. It draws the layer named in LAYERS from the
mapfile in SIP_BENCH_MAPFILE for a GetMap's BBOX, WIDTH and HEIGHT (EPSG:2180, WMS 1.1.1 axis
order) and answers the PNG; any other request answers "ok" (gunicorn's readiness check)."""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import mapscript

_map = None


def _the_map(layer_name: str):
    global _map
    if _map is None:
        _map = mapscript.mapObj(os.environ["SIP_BENCH_MAPFILE"])
        _map.selectOutputFormat("png-transparent")
        for i in range(_map.numlayers):
            layer = _map.getLayer(i)
            layer.status = mapscript.MS_ON if layer.name == layer_name else mapscript.MS_OFF
    return _map


def application(environ, start_response):
    query = {k.upper(): v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if "BBOX" not in query:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    m = _the_map(query["LAYERS"])
    width, height = int(query["WIDTH"]), int(query["HEIGHT"])
    minx, miny, maxx, maxy = (float(v) for v in query["BBOX"].split(","))
    m.setSize(width, height)
    # WMS BBOX is the outer edge of the pixels; mapObj extent is their centres.
    hx, hy = (maxx - minx) / width / 2, (maxy - miny) / height / 2
    m.setExtent(minx + hx, miny + hy, maxx - hx, maxy - hy)
    body = m.draw().getBytes()
    start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(body)))])
    return [body]
