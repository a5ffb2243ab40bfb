"""Helpers shared by the benchmarks: demo data, a real gunicorn, timing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from sip import liveserver


def ensure_demo() -> None:
    """Load the demo data unless the database already holds this generator version's data."""
    from django.core.management import call_command

    from fixtures.demo import version
    from sip.models import DemoDataset

    if not DemoDataset.objects.filter(version=version()).exists():
        call_command("load_demo", verbosity=0)


def gunicorn(workers: int = 2, threads: int = 1):
    """SIP under gunicorn on the development database; a context manager yielding its URL."""
    return liveserver.gunicorn(
        env={"DJANGO_SETTINGS_MODULE": "sip.settings.dev"}, workers=workers, threads=threads
    )


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
