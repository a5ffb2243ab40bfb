"""The baseline server of bench_wms: MapServer through mapscript behind the same gunicorn as
SIP, with no Django, no registry, no permissions. It draws the layer named in LAYERS from the
mapfile in SIP_BENCH_MAPFILE for a GetMap's BBOX, WIDTH and HEIGHT (EPSG:2180, WMS 1.1.1 axis
order) and answers the PNG; any other request answers "ok" (gunicorn's readiness check)."""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import mapscript

_maps: dict[str, object] = {}


def open_map(path: str, layer_name: str):
    """The saved mapfile with only `layer_name` switched on, drawing transparent PNG."""
    m = mapscript.mapObj(path)
    m.selectOutputFormat("png-transparent")
    for i in range(m.numlayers):
        layer = m.getLayer(i)
        layer.status = mapscript.MS_ON if layer.name == layer_name else mapscript.MS_OFF
    return m


def draw(m, bbox, width: int, height: int) -> bytes:
    # The same extent as layers.render.Frame.mapserver_extent; the baseline imports nothing of SIP
    # (that module needs Django).
    minx, miny, maxx, maxy = bbox
    half_x, half_y = (maxx - minx) / width / 2, (maxy - miny) / height / 2
    m.setSize(width, height)
    m.setExtent(minx + half_x, miny + half_y, maxx - half_x, maxy - half_y)
    return m.draw().getBytes()


def application(environ, start_response):
    query = {k.upper(): v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if "BBOX" not in query:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    layer = query["LAYERS"]
    if layer not in _maps:
        _maps[layer] = open_map(os.environ["SIP_BENCH_MAPFILE"], layer)
    bbox = [float(v) for v in query["BBOX"].split(",")]
    body = draw(_maps[layer], bbox, int(query["WIDTH"]), int(query["HEIGHT"]))
    start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(body)))])
    return [body]
