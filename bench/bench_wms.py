"""WMS GetMap: 256×256 PNG tiles at random places over the parcels, through /ows/wms under
gunicorn (2 workers) against the same map rendered by bare mapscript, in the same run.

The baseline that the ratio is taken against is bare mapscript behind the same gunicorn
(bench/wms_bare.py: no Django, no registry, no permissions) fed by the same HTTP client, so
the ratio is the cost of what SIP adds. Also printed: bare mapscript in two processes with no
HTTP at all (where the client and the HTTP server cost nothing), and the mapserv CGI."""

from __future__ import annotations

import io
import os
import random
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from sip import liveserver

from .common import gunicorn

TILES = 600
TURNS = 3
TILE_M = 500
LAYERS = "dzialki"
MAPSERV = "/usr/lib/cgi-bin/mapserv"


def _tiles() -> list[tuple[float, float, float, float]]:
    from sip.models import Gmina

    extents = [g.boundary.extent for g in Gmina.objects.all()]
    rng = random.Random(11)
    out = []
    for i in range(TILES):
        minx, miny, maxx, maxy = extents[i % len(extents)]
        x = rng.uniform(minx, maxx - TILE_M)
        y = rng.uniform(miny, maxy - TILE_M)
        out.append((x, y, x + TILE_M, y + TILE_M))
    return out


def _bare_worker(args) -> int:
    """Render tiles with mapscript from the saved mapfile, as MapServer's WMS would."""
    import mapscript

    path, tiles = args
    m = mapscript.mapObj(path)
    layer = m.getLayerByName(LAYERS)
    layer.status = mapscript.MS_ON
    m.selectOutputFormat("png-transparent")
    m.setSize(256, 256)
    total = 0
    for minx, miny, maxx, maxy in tiles:
        half = (maxx - minx) / 256 / 2
        m.setExtent(minx + half, miny + half, maxx - half, maxy - half)
        total += len(m.draw().getBytes())
    return total


def _wms_params(bbox) -> dict:
    return {
        "SERVICE": "WMS",
        "VERSION": "1.1.1",
        "REQUEST": "GetMap",
        "LAYERS": LAYERS,
        "STYLES": "",
        "SRS": "EPSG:2180",
        "BBOX": ",".join(f"{v:.2f}" for v in bbox),
        "WIDTH": 256,
        "HEIGHT": 256,
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
    }


def _tile(url: str, bbox) -> bytes:
    with urllib.request.urlopen(url + urlencode(_wms_params(bbox)), timeout=30) as resp:
        assert resp.headers["Content-Type"] == "image/png"
        return resp.read()


def _pixels(png: bytes) -> bytes:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


def _runs(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values)


def _throughput(url: str, tiles) -> tuple[float, float]:
    """(tiles/s with 4 concurrent clients, ms a tile for one client in sequence) against `url`."""

    def fetch(bbox):
        return len(_tile(url, bbox))

    with ThreadPoolExecutor(4) as clients:
        list(clients.map(fetch, tiles[:40]))  # every worker builds its map, connects
        start = time.perf_counter()
        list(clients.map(fetch, tiles))
        tps = len(tiles) / (time.perf_counter() - start)
    start = time.perf_counter()
    for bbox in tiles[:100]:
        fetch(bbox)
    return tps, (time.perf_counter() - start) / 100 * 1000


def run() -> list[str]:
    from layers.mapfile import build_map
    from layers.selectors import catalogue

    tiles = _tiles()
    folder = Path(tempfile.mkdtemp(prefix="sip-bench-"))
    mapfile = folder / "sip.map"
    m = build_map(catalogue())
    # What the CGI's own WMS needs to answer GetMap from the same map.
    m.web.metadata.set("wms_enable_request", "GetMap")
    m.web.metadata.set("wms_srs", "EPSG:2180")
    m.web.metadata.set("wms_title", "SIP")
    m.save(str(mapfile))
    os.chmod(mapfile, 0o600)
    try:
        # Bare mapscript, two processes (the machine's two cores), no HTTP, no Django.
        halves = [(str(mapfile), tiles[0::2]), (str(mapfile), tiles[1::2])]
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_bare_worker, [(str(mapfile), tiles[:10])] * 2))  # connect, warm up
            start = time.perf_counter()
            list(pool.map(_bare_worker, halves))
            bare_tps = len(tiles) / (time.perf_counter() - start)

        # The mapserv CGI: a process per request, as a plain CGI deployment runs it.
        config = folder / "mapserver.conf"
        config.write_text(f'CONFIG ENV MS_MAP_PATTERN "^{folder}/" END END\n')
        env = {**os.environ, "MAPSERVER_CONFIG_FILE": str(config), "REQUEST_METHOD": "GET"}
        cgi_n = 60
        start = time.perf_counter()
        for bbox in tiles[:cgi_n]:
            query = urlencode({"map": str(mapfile), **_wms_params(bbox)})
            out = subprocess.run(
                [MAPSERV], env={**env, "QUERY_STRING": query}, capture_output=True, check=True
            )
            assert b"image/png" in out.stdout[:200], out.stdout[:300]
        cgi_ms = (time.perf_counter() - start) / cgi_n * 1000

        # The same HTTP client for both servers, in turns so that load from elsewhere on the
        # machine hits both alike.
        ours_runs, bare_http_runs = [], []
        for _ in range(TURNS):
            with gunicorn(workers=2, threads=1) as base:
                ours_tps_run, ours_single_ms = _throughput(base + "/ows/wms?", tiles)
                ours_runs.append(ours_tps_run)
                ours_sample = [_pixels(_tile(base + "/ows/wms?", bbox)) for bbox in tiles[:5]]
            with liveserver.gunicorn(
                env={"SIP_BENCH_MAPFILE": str(mapfile)},
                workers=2,
                threads=1,
                app="bench.wms_bare:application",
                ready_path="/",
            ) as base:
                bare_http_runs.append(_throughput(base + "/?", tiles)[0])
                bare_sample = [_pixels(_tile(base + "/?", bbox)) for bbox in tiles[:5]]
            assert ours_sample == bare_sample, "the baseline must draw the same map"
        ours_tps, bare_http_tps = max(ours_runs), max(bare_http_runs)
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    return [
        f"GetMap 256x256 PNG over {LAYERS}, {len(tiles)} random {TILE_M} m tiles, gunicorn with 2 workers "
        f"and 4 concurrent HTTP clients: /ows/wms {ours_tps:.0f} tiles/s vs bare mapscript behind the "
        f"same gunicorn {bare_http_tps:.0f} tiles/s = {ours_tps / bare_http_tps:.2f}x the bare rendering "
        f"(target 0.8x, 150 tiles/s; best of {TURNS} turns each: "
        f"ours {_runs(ours_runs)}, bare {_runs(bare_http_runs)})",
        f"bare mapscript in 2 processes with no HTTP and no client: {bare_tps:.0f} tiles/s "
        f"(/ows/wms = {ours_tps / bare_tps:.2f}x of that)",
        f"one client in sequence: /ows/wms {ours_single_ms:.1f} ms a tile; "
        f"mapserv CGI {cgi_ms:.1f} ms a tile (process start + DB connect per request)",
    ]
