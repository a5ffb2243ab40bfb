"""`make setup`'s backup part: passphrases, pgBackRest configuration, WAL archiving on the
embedded cluster, the stanza in both repositories, both restic repositories. Idempotent; a
second run changes nothing and takes about a second."""

from __future__ import annotations

import os
import secrets
import time

from .layout import (
    PG_BIN,
    STANZA,
    BackupError,
    Layout,
    as_owner,
    chown_owner,
    cluster_owner,
    pgbackrest,
    restic,
    run,
)

# Retention: repo1 (local, fast restores) keeps the last 2 full backups; repo2 (the partner)
# keeps full backups for 35 days, so a monthly drill always finds one. WAL is kept for them.
RETENTION = {1: ("count", 2), 2: ("time", 35)}
# WAL waiting for an unreachable partner is kept up to this size, then dropped (the archive
# then has a gap and a new full backup is needed; pgBackRest logs it): a full disk would stop
# the database, which is worse.
QUEUE_MAX = "4GiB"
ARCHIVE_CONF = "sip-backup.conf"


def _passphrase(layout: Layout, name: str, *, owner: bool) -> str:
    path = layout.passphrase_file(name)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
    os.chmod(path, 0o600)
    if owner:
        chown_owner(path)
    return path.read_text().strip()


def pgbackrest_conf(layout: Layout, pass1: str, pass2: str) -> str:
    lines = ["[global]"]
    for n, passphrase in ((1, pass1), (2, pass2)):
        kind, count = RETENTION[n]
        if n == 2 and layout.partner == "ssh":
            p = layout.partner_ssh
            # pgBackRest 2.45 keeps a remote repository's path and retention in the repository
            # host's own configuration (p["config"]); the cipher is set on both sides (each
            # end reads the encrypted info files).
            lines += [
                "repo2-cipher-type=aes-256-cbc",
                f"repo2-cipher-pass={passphrase}",
                "repo2-host=127.0.0.1",
                f"repo2-host-port={p['port']}",
                f"repo2-host-user={p['user']}",
                f"repo2-host-config={p['config']}",
                f"cmd-ssh={p['cmd_ssh']}",
            ]
            continue
        lines += [
            f"repo{n}-path={layout.repo_path(n)}",
            f"repo{n}-cipher-type=aes-256-cbc",
            f"repo{n}-cipher-pass={passphrase}",
            f"repo{n}-retention-full-type={kind}",
            f"repo{n}-retention-full={count}",
        ]
    lines += [
        "archive-async=y",
        f"archive-push-queue-max={QUEUE_MAX}",
        f"spool-path={layout.spool}",
        f"log-path={layout.log}",
        f"lock-path={layout.dir / 'lock'}",
        "compress-type=lz4",
        "process-max=2",
        "start-fast=y",
        "log-level-console=warn",
        "log-level-file=info",
        "",
        f"[{STANZA}]",
        f"pg1-path={layout.pgdata}",
        f"pg1-port={layout.port}",
        f"pg1-socket-path={layout.pgdata}",
        f"pg1-user={cluster_owner()}",
        "",
    ]
    return "\n".join(lines)


def _psql(layout: Layout, query: str) -> str:
    cmd = as_owner(
        [str(PG_BIN / "psql"), "-h", str(layout.pgdata), "-p", str(layout.port), "-U", cluster_owner()]
        + ["-d", "postgres", "-qAtc", query]
    )
    return run(cmd, what="psql").stdout.strip()


def configure_archiving(layout: Layout) -> str:
    """archive_mode/archive_command through pgBackRest in <pgdata>/sip-backup.conf, included
    from postgresql.conf; restarts the cluster only when archive_mode was off."""
    command = f"pgbackrest --config={layout.conf} --stanza={STANZA} archive-push %p"
    wanted = (
        "# Written by SIP's make setup (sip/backup/setup.py): WAL archiving through pgBackRest.\n"
        "archive_mode = on\n"
        f"archive_command = '{command}'\n"
        "archive_timeout = 300\n"
        "wal_level = replica\n"
    )
    conf = layout.pgdata / ARCHIVE_CONF
    main = layout.pgdata / "postgresql.conf"
    text = main.read_text()
    changed = False
    if f"include_if_exists = '{ARCHIVE_CONF}'" not in text:
        main.write_text(text.rstrip("\n") + f"\ninclude_if_exists = '{ARCHIVE_CONF}'\n")
        changed = True
    if not conf.exists() or conf.read_text() != wanted:
        conf.write_text(wanted)
        chown_owner(conf)
        changed = True
    if _psql(layout, "SHOW archive_mode") != "on":
        ctl = [str(PG_BIN / "pg_ctl"), "-D", str(layout.pgdata), "-m", "fast", "-w", "-t", "120", "restart"]
        run(as_owner(ctl + ["-l", str(layout.pgdata / "server.log")]), what="pg_ctl restart")
        return "włączono archiwizację WAL (restart klastra)"
    if changed or _psql(layout, "SHOW archive_command") != command:
        _psql(layout, "SELECT pg_reload_conf()")
        return "zaktualizowano archiwizację WAL"
    return "archiwizacja WAL już włączona"


def _dirs(layout: Layout) -> None:
    layout.dir.mkdir(parents=True, exist_ok=True)
    # The cluster's owner must reach var/backup inside the checkout.
    chain = [layout.dir, *layout.dir.parents]
    chain = chain[: chain.index(layout.top) + 1] if layout.top in chain else [layout.dir]
    for parent in chain:
        mode = parent.stat().st_mode
        if os.geteuid() == 0 and not mode & 0o001 and parent.stat().st_uid == 0:
            os.chmod(parent, mode | 0o001)
    for sub in ("repo1", "repo2", "spool", "log", "lock"):
        path = layout.dir / sub
        path.mkdir(exist_ok=True)
        os.chmod(path, 0o750)
        chown_owner(path)
    layout.cache.mkdir(exist_ok=True)


def restic_init(layout: Layout, n: int) -> str:
    if restic(layout, n, "cat", "config", what="restic", check=False, timeout=120).returncode == 0:
        return f"restic{n}: repozytorium już istnieje"
    restic(layout, n, "init", what=f"restic init (restic{n})", timeout=300)
    return f"restic{n}: utworzono zaszyfrowane repozytorium {layout.restic_repo(n)}"


def setup(layout: Layout, *, archiving: bool = True) -> list[str]:
    """Prepare everything; returns what was done, one line each."""
    started = time.monotonic()
    _dirs(layout)
    pass1 = _passphrase(layout, "repo1", owner=True)
    pass2 = _passphrase(layout, "repo2", owner=True)
    for n in (1, 2):
        _passphrase(layout, f"restic{n}", owner=False)
    text = pgbackrest_conf(layout, pass1, pass2)
    if not layout.conf.exists() or layout.conf.read_text() != text:
        fd = os.open(layout.conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
    os.chmod(layout.conf, 0o600)
    chown_owner(layout.conf)
    done = []
    if not (layout.pgdata / "PG_VERSION").exists():
        raise BackupError(f"brak klastra PostgreSQL w {layout.pgdata}")
    proc = pgbackrest(layout, "stanza-create", what="pgbackrest stanza-create", check=False, timeout=300)
    if proc.returncode != 0:
        raise BackupError("pgbackrest stanza-create: " + (proc.stderr or proc.stdout).strip()[-600:])
    done.append("pgBackRest: stanza 'sip' w repo1 i repo2 (aes-256-cbc)")
    if archiving:
        done.append(configure_archiving(layout))
    for n in (1, 2):
        done.append(restic_init(layout, n))
    done.append(f"gotowe w {time.monotonic() - started:.1f} s")
    return done
