"""A real SIP server under gunicorn on a free local port, for live tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the same database as a Django DATABASES entry."""
    d = settings_dict
    return f"postgis://{d['USER']}:{d['PASSWORD']}@{d['HOST']}:{d['PORT']}/{d['NAME']}"


@contextmanager
def gunicorn(
    *,
    env: dict[str, str] | None = None,
    workers: int = 2,
    threads: int = 1,
    timeout_s: float = 180,
    app: str = "sip.project.wsgi",
    ready_path: str = "/api/schema/",
) -> Iterator[str]:
    """Start gunicorn with `app` (SIP by default), wait until `ready_path` answers, yield the
    base URL, stop it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    full_env = {**os.environ, "DEBUG": "false", **(env or {})}
    # The server's log goes to a file, not a pipe: nobody reads a pipe while the server runs, and
    # once its 64 KB are full every thread logging a warning (e.g. axes, for each failed login)
    # blocks in write(), holding whatever it holds (a row lock of a failed-login count).
    log_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                # One probe at a time, given all the time that is left: a probe abandoned after a
                # few seconds on a busy machine was asked again while the server still answered
                # it, the answers (the whole API schema) piled up in its threads, and none came
                # back before the deadline (drf-spectacular also loads its extensions racily).
                urllib.request.urlopen(base + ready_path, timeout=max(1.0, deadline - time.monotonic()))
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    log_file.seek(0)
                    log = log_file.read().decode(errors="replace")[-2000:]
                    raise RuntimeError("gunicorn did not start: " + log) from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_file.close()
