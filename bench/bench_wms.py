"""WMS GetMap: 256×256 PNG tiles at random places over the parcels, through /ows/wms under
gunicorn (2 workers) against the same map rendered by bare mapscript, in the same run.

The baseline that the ratio is taken against is bare mapscript behind the same gunicorn
(bench/wms_bare.py: no Django, no registry, no permissions) fed by the same HTTP client, so
the ratio is the cost of what SIP adds. Also printed: bare mapscript in two processes with no
HTTP at all (where the client and the HTTP server cost nothing), and the mapserv CGI."""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
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
    from .wms_bare import draw, open_map

    path, tiles = args
    m = open_map(path, LAYERS)
    return sum(len(draw(m, bbox, 256, 256)) for bbox in tiles)


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


def _throughput(url: str, tiles, folder: Path) -> tuple[float, float]:
    """(tiles/s with 4 concurrent clients, ms a tile for one client in sequence) against `url`.

    The concurrent clients are curl's (libcurl, in C, as GDAL and QGIS use): a Python client
    on the same two cores would spend about as much CPU as the servers it measures."""
    config = folder / "curl.conf"
    config.write_text(
        "".join(f'url = "{url}{urlencode(_wms_params(bbox))}"\noutput = "/dev/null"\n' for bbox in tiles)
    )
    command = ["curl", "-sf", "--no-progress-meter", "--parallel", "--parallel-immediate"]
    command += ["--parallel-max", "4", "-K", str(config)]
    for bbox in tiles[:40]:  # every worker builds its map, connects
        _tile(url, bbox)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    tps = len(tiles) / (time.perf_counter() - start)
    start = time.perf_counter()
    for bbox in tiles[:100]:
        _tile(url, bbox)
    return tps, (time.perf_counter() - start) / 100 * 1000


def run() -> list[str]:
    from layers.render.mapfile import build_map
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
        # Spawned, not forked: a fork would share the sockets of MapServer's pooled PostGIS
        # connections that earlier benches in this process opened (after `--scale`, the two
        # workers' queries failed on the shared connection).
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
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

        # The same HTTP clients for both servers, in turns (first one, then the other) so that
        # load from elsewhere on the machine and warm caches favour neither.
        def ours():
            return gunicorn(workers=2, threads=1), "/ows/wms?"

        def bare():
            server = liveserver.gunicorn(
                env={"SIP_BENCH_MAPFILE": str(mapfile)},
                workers=2,
                threads=1,
                app="bench.wms_bare:application",
                ready_path="/",
            )
            return server, "/?"

        runs: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
        samples = {}
        for turn in range(TURNS):
            for name, start_server in sorted({"ours": ours, "bare": bare}.items(), reverse=turn % 2 == 1):
                server, path = start_server()
                with server as base:
                    runs[name].append(_throughput(base + path, tiles, folder))
                    samples[name] = [_pixels(_tile(base + path, bbox)) for bbox in tiles[:5]]
        assert samples["ours"] == samples["bare"], "the baseline must draw the same map"
        ours_tps, bare_http_tps = (max(t for t, _ in runs[k]) for k in ("ours", "bare"))
        ours_single_ms, bare_single_ms = (min(ms for _, ms in runs[k]) for k in ("ours", "bare"))
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    return [
        f"GetMap 256x256 PNG over {LAYERS}, {len(tiles)} random {TILE_M} m tiles, gunicorn with 2 workers, "
        f"4 concurrent curl clients: /ows/wms {ours_tps:.0f} tiles/s vs bare mapscript behind the same "
        f"gunicorn {bare_http_tps:.0f} tiles/s = {ours_tps / bare_http_tps:.2f}x mapscript over the same "
        "HTTP "
        f"(target 0.9x, 150 tiles/s; best of {TURNS} turns each: "
        f"ours {_runs([t for t, _ in runs['ours']])}, bare {_runs([t for t, _ in runs['bare']])})",
        f"bare mapscript in 2 processes with no HTTP server and no client: {bare_tps:.0f} tiles/s "
        f"(/ows/wms = {ours_tps / bare_tps:.2f}x of that)",
        f"one client in sequence: /ows/wms {ours_single_ms:.1f} ms a tile, bare mapscript over HTTP "
        f"{bare_single_ms:.1f} ms; mapserv CGI {cgi_ms:.1f} ms a tile "
        "(process start + DB connect per request)",
    ]
