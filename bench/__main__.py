"""`make bench`: runs every bench/bench_*.py and prints its figures (ratios against baselines
measured in the same run). `python -m bench --scale` adds the regional-scale bench;
`SIP_BENCH_REGION=N` sets its number of synthetic gminas (150)."""

import importlib
import os
import sys
import time
from pathlib import Path

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sip.settings.dev")
    # Measure what production runs: no query log, no debug pages (dev.py defaults to DEBUG on).
    os.environ.setdefault("DEBUG", "false")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    from bench.common import ensure_demo

    ensure_demo()
    args = sys.argv[1:]
    # --scale adds the regional-scale bench (minutes: it loads 150 synthetic gminas and removes
    # them afterwards); the normal run leaves it out.
    scale = "--scale" in args
    only = [a for a in args if a != "--scale"]
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    for name in names:
        if only and not any(o in name for o in only):
            continue
        module = importlib.import_module(f"bench.{name}")
        if getattr(module, "SCALE_ONLY", False) and not scale:
            continue
        started = time.monotonic()
        print(f"== {name}", flush=True)
        for line in module.run():
            print("  " + line, flush=True)
        print(f"   ({time.monotonic() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
