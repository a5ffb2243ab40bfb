"""`make bench`: runs every bench/bench_*.py and prints its figures (ratios against baselines
measured in the same run)."""

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
    only = sys.argv[1:]
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    for name in names:
        if only and not any(o in name for o in only):
            continue
        started = time.monotonic()
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        for line in module.run():
            print("  " + line, flush=True)
        print(f"   ({time.monotonic() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
