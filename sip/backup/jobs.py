"""`make backup` and `make backup-status`: back up the database to both pgBackRest repositories
and the files to both restic repositories; report per repository the newest backup, its size and
age, the WAL archive, and the last drill."""

from __future__ import annotations

import datetime as dt
import json
import time

from .layout import BackupError, Layout, media_roots, partner_pull, pgbackrest, pgbackrest_info, restic

BACKUP_MAX_AGE_H = 26
DRILL_MAX_AGE_D = 35
FULL_EVERY_DAYS = 7
RESTIC_KEEP = ["--keep-daily", "14", "--keep-weekly", "8", "--keep-monthly", "12"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _backups_by_repo(info: dict) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {1: [], 2: []}
    for b in info.get("backup", []):
        out.setdefault(b["database"]["repo-key"], []).append(b)
    return out


def _backup_type(info: dict, repo: int) -> str:
    """full when the repository has no full backup of the last FULL_EVERY_DAYS days, else incr."""
    fulls = [b for b in _backups_by_repo(info).get(repo, []) if b["type"] == "full"]
    if not fulls:
        return "full"
    newest = max(b["timestamp"]["stop"] for b in fulls)
    return "full" if time.time() - newest > FULL_EVERY_DAYS * 86400 else "incr"


def backup(layout: Layout, *, kind: str | None = None) -> tuple[list[str], bool]:
    """One backup to each repository, each independent of the other's failure; returns the lines
    to print and whether all succeeded."""
    lines, ok = [], True
    info = pgbackrest_info(layout)
    for repo in (1, 2):
        btype = kind or _backup_type(info, repo)
        started = time.monotonic()
        try:
            args = (f"--repo={repo}", f"--type={btype}", "backup")
            if repo == 2 and layout.partner == "ssh":
                partner_pull(layout, *args, what="pgbackrest backup repo2 (na hoście partnera)")
            else:
                pgbackrest(layout, *args, what=f"pgbackrest backup repo{repo}")
            lines.append(f"baza danych → repo{repo}: kopia {btype} w {time.monotonic() - started:.1f} s")
        except BackupError as exc:
            ok = False
            lines.append(f"BŁĄD: baza danych → repo{repo}: {exc}")
    roots = [str(p) for p in media_roots().values() if p.exists()]
    for n in (1, 2):
        started = time.monotonic()
        try:
            if roots:
                restic(layout, n, "backup", "--tag", "sip", "--json", *roots, what=f"restic backup restic{n}")
                restic(
                    layout,
                    n,
                    "forget",
                    "--tag",
                    "sip",
                    *RESTIC_KEEP,
                    "--prune",
                    what=f"restic forget restic{n}",
                )
            lines.append(f"pliki → restic{n}: kopia w {time.monotonic() - started:.1f} s")
        except BackupError as exc:
            ok = False
            lines.append(f"BŁĄD: pliki → restic{n}: {exc}")
    return lines, ok


def _age_text(seconds: float | None) -> str:
    if seconds is None:
        return "brak"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 72 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} dni"


def restic_snapshots(layout: Layout, n: int) -> list[dict] | None:
    proc = restic(layout, n, "snapshots", "--json", what="restic snapshots", check=False, timeout=120)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout or "[]")


def archive_status(layout: Layout) -> dict:
    """The WAL archive as pgBackRest sees it per repository, and PostgreSQL's archiver."""
    status: dict = {"repos": {}, "archiver": None}
    info = pgbackrest_info(layout)
    for arch in info.get("archive", []):
        status["repos"][arch["database"]["repo-key"]] = {"min": arch.get("min"), "max": arch.get("max")}
    try:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(
                "SELECT archived_count, last_archived_wal, last_archived_time, failed_count, "
                "last_failed_wal, last_failed_time FROM pg_stat_archiver"
            )
            row = cur.fetchone()
        names = ["archived_count", "last_archived_wal", "last_archived_time", "failed_count"]
        names += ["last_failed_wal", "last_failed_time"]
        status["archiver"] = {
            k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in zip(names, row, strict=True)
        }
        last_ok, last_bad = row[2], row[5]
        status["failing"] = bool(last_bad and (not last_ok or last_bad > last_ok))
    except Exception as exc:  # the status must show what it can even without the database
        status["archiver_error"] = str(exc)
    return status


def last_drill(layout: Layout) -> dict | None:
    try:
        return json.loads(layout.drill_report.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def status(layout: Layout) -> dict:
    """Per repository the newest backup (time, age, size), the archive, the last drill, and
    `problems`: what makes the status red."""
    now = _now()
    info = pgbackrest_info(layout)
    repos_state = {r["key"]: r for r in info.get("repo", [])}
    result: dict = {"checked_at": now.isoformat(), "repositories": [], "problems": []}
    by_repo = _backups_by_repo(info)
    for repo in (1, 2):
        backups = by_repo.get(repo, [])
        newest = max(backups, key=lambda b: b["timestamp"]["stop"]) if backups else None
        entry = {
            "name": f"repo{repo}",
            "tool": "pgBackRest",
            "where": "lokalne" if repo == 1 else "gmina partnerska",
            "state": repos_state.get(repo, {}).get("status", {}).get("message", "niedostępne"),
            "newest": None,
            "age_s": None,
            "size": None,
        }
        if newest:
            stop = dt.datetime.fromtimestamp(newest["timestamp"]["stop"], dt.UTC)
            entry.update(
                newest=stop.isoformat(),
                age_s=(now - stop).total_seconds(),
                size=newest["info"]["repository"]["size"],
                label=newest["label"],
                type=newest["type"],
            )
        result["repositories"].append(entry)
    for n in (1, 2):
        snaps = restic_snapshots(layout, n)
        entry = {"name": f"restic{n}", "tool": "restic", "where": "lokalne" if n == 1 else "gmina partnerska"}
        entry.update(state="ok" if snaps is not None else "niedostępne", newest=None, age_s=None, size=None)
        if snaps:
            newest = max(snaps, key=lambda s: s["time"])
            when = dt.datetime.fromisoformat(newest["time"])
            entry.update(newest=when.isoformat(), age_s=(now - when).total_seconds(), snapshots=len(snaps))
        result["repositories"].append(entry)
    for entry in result["repositories"]:
        entry["age"] = _age_text(entry["age_s"])
        if entry["age_s"] is None or entry["age_s"] > BACKUP_MAX_AGE_H * 3600:
            result["problems"].append(
                f"{entry['name']}: najnowsza kopia {entry['age']} (limit {BACKUP_MAX_AGE_H} h)"
            )
        if entry["state"] not in ("ok",):
            result["problems"].append(f"{entry['name']}: stan {entry['state']}")
    result["archive"] = archive_status(layout)
    if result["archive"].get("failing"):
        result["problems"].append("archiwizacja WAL: ostatnia próba nieudana (repozytorium niedostępne?)")
    drill = last_drill(layout)
    result["drill"] = drill
    if not drill:
        result["problems"].append("brak próby odtworzenia")
    else:
        age = (now - dt.datetime.fromisoformat(drill["finished_at"])).total_seconds()
        result["drill_age"] = _age_text(age)
        if not drill.get("ok"):
            result["problems"].append("ostatnia próba odtworzenia NIEUDANA")
        if age > DRILL_MAX_AGE_D * 86400:
            result["problems"].append(
                f"ostatnia próba odtworzenia {_age_text(age)} temu (limit {DRILL_MAX_AGE_D} dni)"
            )
    result["ok"] = not result["problems"]
    return result


def status_lines(st: dict) -> list[str]:
    lines = []
    for e in st["repositories"]:
        size = f", {e['size'] / 1e6:.1f} MB" if e.get("size") else ""
        lines.append(
            f"{e['name']:8} ({e['tool']}, {e['where']}): najnowsza kopia {e['age']} temu{size}; "
            f"stan {e['state']}"
        )
    arch = st["archive"].get("archiver") or {}
    lines.append(
        f"archiwum WAL: ostatni {arch.get('last_archived_wal')} ({arch.get('last_archived_time')}), "
        f"nieudanych prób {arch.get('failed_count')}"
    )
    drill = st.get("drill")
    if drill:
        verdict = "udana" if drill.get("ok") else "NIEUDANA"
        lines.append(
            f"próba odtworzenia: {verdict}, {st.get('drill_age')} temu "
            f"(RTO {drill.get('rto_s')} s, RPO {drill.get('rpo_s')} s)"
        )
    lines += [f"PROBLEM: {p}" for p in st["problems"]]
    lines.append("STAN: " + ("dobry" if st["ok"] else "WYMAGA UWAGI"))
    return lines
