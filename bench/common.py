"""Helpers shared by the benchmarks: demo data, a real gunicorn, timing."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_demo() -> None:
    """Load the demo data unless the database already holds this generator version's data."""
    from django.core.management import call_command

    from fixtures.demo import version
    from sip.models import DemoDataset

    if not DemoDataset.objects.filter(version=version()).exists():
        call_command("load_demo", verbosity=0)


@contextmanager
def gunicorn(workers: int = 2, threads: int = 1):
    """Run SIP under gunicorn on a free port; yield its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "sip.settings.base"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "sip.wsgi",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/schema/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def timings(fn: Callable[[int], object], n: int, warmup: int = 5) -> list[float]:
    """Call fn(i) n times after a warm-up; return the durations in milliseconds."""
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, ours_ms: float, baseline_ms: float, baseline: str, extra: str = "") -> str:
    line = (
        f"{name}: p50 {ours_ms:.2f} ms vs {baseline} {baseline_ms:.2f} ms "
        f"= {ours_ms / baseline_ms:.2f}x the baseline"
    )
    return line + (f"; {extra}" if extra else "")
