"""`make restore-drill`: restore the database from the partner repository only (repo2) into a
scratch cluster on another port, the files from the partner restic repository only into a
scratch folder, compare both with the live system at the restore's point in time, check a
point-in-time recovery between two marker rows, and report (text and var/backup/last-drill.json).
Nothing is left running; the scratch copies are removed.

The point in time P is taken inside one repeatable-read transaction on the live database: its
first statement reads clock_timestamp() (the recovery target) and the same transaction computes
the live digests, so both describe the same moment. A transaction committing in the few
microseconds between the snapshot and that clock reading would show as a mismatch (never hide
one); on a busy server run the drill at a quiet hour.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import time
from pathlib import Path

import psycopg
from django.db import connection

from sip.models import BackupMarker

from . import compare as cmp
from .layout import (
    PG_BIN,
    STANZA,
    BackupError,
    Layout,
    as_owner,
    chown_owner,
    media_roots,
    partner_pull,
    pgbackrest,
    restic,
    run,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def live_dsn() -> str:
    s = connection.settings_dict
    return f"host={s['HOST']} port={s['PORT']} user={s['USER']} password={s['PASSWORD']} dbname={s['NAME']}"


def newest_wal_age(layout: Layout, repo: int) -> float | None:
    """Seconds since the newest WAL file reached the repository (the RPO if the office burnt now)."""
    proc = pgbackrest(
        layout, f"--repo={repo}", "--recurse", "--output=json", "repo-ls", f"archive/{STANZA}",
        what="pgbackrest repo-ls", check=False, timeout=300,
    )  # fmt: skip
    if proc.returncode != 0:
        return None
    times = [e["time"] for name, e in json.loads(proc.stdout).items() if e["type"] == "file" and "-" in name]
    return time.time() - max(times) if times else None


def _target_text(moment: dt.datetime) -> str:
    """pgBackRest's time format (milliseconds at most), rounded up so that nothing the live
    snapshot saw is left out."""
    utc = moment.astimezone(dt.UTC)
    ms = -(-utc.microsecond // 1000)
    utc = utc.replace(microsecond=0) + dt.timedelta(milliseconds=ms)
    return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _pg_ctl(pgdata: Path, *args: str, what: str, check: bool = True):
    return run(
        as_owner([str(PG_BIN / "pg_ctl"), "-D", str(pgdata), *args]), what=what, check=check, timeout=900
    )


def _stop(pgdata: Path) -> None:
    if (pgdata / "postmaster.pid").exists():
        _pg_ctl(pgdata, "-m", "immediate", "-w", "stop", what="pg_ctl stop", check=False)


def _server_log(pgdata: Path) -> str:
    try:
        return "\n".join((pgdata / "drill.log").read_text().splitlines()[-8:])
    except FileNotFoundError:
        return ""


def _wait_promoted(dsn: str, pgdata: Path, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(dsn, connect_timeout=5) as c:
                if not c.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return
        except psycopg.OperationalError as exc:
            if not (pgdata / "postmaster.pid").exists():
                raise BackupError(
                    "odtwarzany klaster zatrzymał się w trakcie odtwarzania:\n" + _server_log(pgdata)
                ) from exc
        time.sleep(0.5)
    raise BackupError("odtwarzanie nie skończyło się w czasie")


def _verify(layout: Layout, report: dict) -> None:
    """pgbackrest verify and restic check of the partner's repositories; failures are mismatches."""
    # pgBackRest 2.45's verify exits 0 even when it finds damage; its summary says "status: error".
    args = ("--repo=2", "--log-level-console=info", "verify")
    if layout.partner == "ssh":
        # verify reads every file: it runs where the repository is (from our side, pgBackRest
        # 2.45's remote crashes on it).
        proc = partner_pull(layout, *args, what="pgbackrest verify", check=False, timeout=3600)
    else:
        proc = pgbackrest(layout, *args, what="pgbackrest verify", check=False, timeout=3600)
    out = (proc.stdout or "") + (proc.stderr or "")
    bad = proc.returncode != 0 or "status: error" in out
    report["verify_pgbackrest"] = not bad
    if bad:
        lines = [ln.strip() for ln in out.splitlines() if "invalid" in ln or "ERROR" in ln or "missing" in ln]
        report["mismatches"].append(
            "pgbackrest verify repo2: " + " | ".join(lines[-4:] or out.splitlines()[-3:])
        )
    proc = restic(layout, 2, "check", "--read-data", what="restic check", check=False, timeout=3600)
    report["verify_restic"] = proc.returncode == 0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        report["mismatches"].append("restic check restic2: " + " | ".join(tail))


def run_drill(layout: Layout, *, port: int, keep: bool = False) -> dict:
    """The whole drill; returns the report (also written to last-drill.json)."""
    started = _now()
    stamp = started.strftime("%Y%m%dT%H%M%S%f")
    report: dict = {
        "started_at": started.isoformat(),
        "partner": layout.partner,
        "source": {"database": "repo2 (pgBackRest)", "files": "restic2"},
        "mismatches": [],
        "tables": 0,
        "rows": 0,
        "files": 0,
    }
    work = layout.drill_dir
    pgdata, files = work / "pgdata", work / "files"
    try:
        rpo = newest_wal_age(layout, 2)
        report["rpo_s"] = round(rpo, 1) if rpo is not None else None
        _verify(layout, report)
        if not _port_free(port):
            raise BackupError(f"port {port} jest zajęty; wskaż inny (SIP_DRILL_PORT)")
        _stop(pgdata)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        pgdata.mkdir(mode=0o700)
        chown_owner(work)
        chown_owner(pgdata)

        # The point in time, between two markers.
        t1 = BackupMarker.objects.create(label=f"drill-{stamp}-T1")
        columns = cmp.django_file_columns()
        roots = media_roots()
        with psycopg.connect(live_dsn()) as live:
            live.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            target = live.execute("SELECT clock_timestamp()").fetchone()[0]
            snapshot = cmp.take_snapshot(live, roots, columns)
        t2 = BackupMarker.objects.create(label=f"drill-{stamp}-T2")
        report["pitr"] = {"target": target.isoformat(), "t1": t1.label, "t2": t2.label}
        # WAL up to T2 must reach repo2 (check switches the segment and waits for it), and the
        # files the rows name go to the partner's restic repository.
        pgbackrest(layout, "--archive-timeout=300", "check", what="pgbackrest check", timeout=900)
        restic(layout, 2, "backup", "--tag", "sip", *[str(p) for p in roots.values() if p.exists()],
               what="restic backup restic2")  # fmt: skip

        began = time.monotonic()
        restore_command = (
            f"pgbackrest --config={layout.conf} --stanza={STANZA} --repo=2 --pg1-path={pgdata} "
            'archive-get %f "%p"'
        )
        pgbackrest(
            layout, "--repo=2", f"--pg1-path={pgdata}", "--type=time", f"--target={_target_text(target)}",
            "--target-action=promote", "--archive-mode=off",
            f"--recovery-option=restore_command={restore_command}",
            "restore", what="pgbackrest restore (repo2)", timeout=7200,
        )  # fmt: skip
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={pgdata} "
            "-c archive_mode=off -c shared_buffers=128MB"
        )
        _pg_ctl(pgdata, "-o", options, "-l", str(pgdata / "drill.log"), "-w", "-t", "600", "start",
                what="pg_ctl start (kopia)", check=False)  # fmt: skip
        s = connection.settings_dict
        restored_dsn = (
            f"host=127.0.0.1 port={port} user={s['USER']} password={s['PASSWORD']} dbname={s['NAME']}"
        )
        _wait_promoted(restored_dsn, pgdata)
        restic(layout, 2, "restore", "latest", "--tag", "sip", "--target", str(files),
               what="restic restore (restic2)", timeout=7200)  # fmt: skip
        report["rto_s"] = round(time.monotonic() - began, 1)

        restored_roots = {alias: files / Path(root).relative_to("/") for alias, root in roots.items()}
        with psycopg.connect(restored_dsn) as restored:
            result = cmp.compare_with(snapshot, restored, restored_roots, columns)
            labels = {
                r[0]
                for r in restored.execute(
                    "SELECT label FROM sip_backupmarker WHERE label = ANY(%s)", [[t1.label, t2.label]]
                )
            }
        report.update(tables=result.tables, rows=result.rows, files=result.files)
        report["mismatches"] += result.mismatches
        report["pitr"].update(t1_present=t1.label in labels, t2_absent=t2.label not in labels)
        if t1.label not in labels:
            report["mismatches"].append(f"odtwarzanie do chwili: brak znacznika T1 ({t1.label})")
        if t2.label in labels:
            report["mismatches"].append(
                f"odtwarzanie do chwili: jest znacznik T2 ({t2.label}), którego być nie powinno"
            )
    except BackupError as exc:
        report["mismatches"].append(f"BŁĄD: {exc}")
    finally:
        _stop(pgdata)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    report["finished_at"] = _now().isoformat()
    report["ok"] = not report["mismatches"]
    layout.dir.mkdir(parents=True, exist_ok=True)
    tmp = layout.drill_report.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    os.replace(tmp, layout.drill_report)
    return report


def report_lines(report: dict) -> list[str]:
    lines = [
        f"Próba odtworzenia ({report['started_at']}), partner: {report['partner']}",
        f"  źródło: baza z {report['source']['database']}, pliki z {report['source']['files']}",
        f"  tabel porównanych: {report['tables']}, wierszy: {report['rows']}, plików: {report['files']}",
        f"  RPO (wiek najnowszego WAL w repo2): {report.get('rpo_s')} s",
        f"  RTO (czas odtworzenia bazy i plików): {report.get('rto_s')} s",
    ]
    pitr = report.get("pitr") or {}
    if "t1_present" in pitr:
        lines.append(
            f"  odtworzenie do chwili {pitr['target']}: T1 {'jest' if pitr['t1_present'] else 'BRAK'}, "
            f"T2 {'brak' if pitr['t2_absent'] else 'JEST'}"
        )
    lines += [f"  NIEZGODNOŚĆ: {m}" for m in report["mismatches"]]
    lines.append("  WYNIK: " + ("zgodne" if report["ok"] else f"NIEZGODNE ({len(report['mismatches'])})"))
    return lines
