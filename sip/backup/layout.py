"""Where SIP's backups live and how the tools are called.

Everything is under var/backup/ of the checkout (SIP_BACKUP_DIR): the pgBackRest configuration
(pgbackrest.conf, passed with --config, never /etc), repositories repo1 (local) and repo2 (the
partner gmina's device: a mount, or an SSH host with SIP_BACKUP_PARTNER=ssh), restic
repositories restic1 and restic2, the passphrases (0600 files), spool, logs and the last drill
report. The embedded cluster is SIP_PGDATA (default .pgdata/) on SIP_DB_PORT (default 5433).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

STANZA = "sip"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


class BackupError(RuntimeError):
    """A backup tool failed; the message says which and why (in Polish)."""


def _top() -> Path:
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layout:
    top: Path
    pgdata: Path
    port: int
    dir: Path
    partner: str  # "local" (repo2 is a path, e.g. a mount) or "ssh" (repo2-host, restic sftp:)

    @classmethod
    def from_env(cls, partner: str | None = None) -> Layout:
        top = _top()
        backup_dir = Path(os.environ.get("SIP_BACKUP_DIR", top / "var" / "backup")).resolve()
        if partner is None:
            partner = os.environ.get("SIP_BACKUP_PARTNER", "")
            marker = backup_dir / "partner-ssh" / "partner.json"
            if not partner:
                partner = "ssh" if marker.exists() else "local"
        return cls(
            top=top,
            pgdata=Path(os.environ.get("SIP_PGDATA", top / ".pgdata")).resolve(),
            port=int(os.environ.get("SIP_DB_PORT", "5433")),
            dir=backup_dir,
            partner=partner,
        )

    conf = property(lambda self: self.dir / "pgbackrest.conf")
    spool = property(lambda self: self.dir / "spool")
    log = property(lambda self: self.dir / "log")
    drill_report = property(lambda self: self.dir / "last-drill.json")
    drill_dir = property(lambda self: self.dir / "drill")
    cache = property(lambda self: self.dir / "restic-cache")

    def repo_path(self, n: int) -> Path:
        return self.dir / f"repo{n}"

    def passphrase_file(self, name: str) -> Path:
        return self.dir / f"{name}.passphrase"

    @property
    def partner_ssh(self) -> dict:
        """The SSH stand-in's settings (written by scripts/partner-ssh.sh), {} when not set up."""
        path = self.dir / "partner-ssh" / "partner.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def restic_repo(self, n: int) -> str:
        if n == 2 and self.partner == "ssh":
            p = self.partner_ssh
            return f"sftp:{p['user']}@127.0.0.1:{p['home']}/restic"
        return str(self.dir / f"restic{n}")


def cluster_owner() -> str:
    """The OS user the cluster runs as: postgres when we are root (PostgreSQL refuses root)."""
    return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


def as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def run(args: list[str], *, what: str, env: dict | None = None, check: bool = True, timeout: int = 3600):
    """Run a tool; a failure raises BackupError naming it with its last lines of output."""
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        errors="replace",
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        raise BackupError(f"{what}: polecenie zakończone kodem {proc.returncode}\n{tail}")
    return proc


def pgbackrest(layout: Layout, *args: str, what: str, check: bool = True, timeout: int = 3600):
    cmd = as_owner(["pgbackrest", f"--config={layout.conf}", f"--stanza={STANZA}", *args])
    return run(cmd, what=what, check=check, timeout=timeout)


def pgbackrest_info(layout: Layout) -> dict:
    """pgbackrest info as JSON for our stanza ({} when the stanza does not exist)."""
    proc = pgbackrest(layout, "--output=json", "info", what="pgbackrest info", check=False, timeout=120)
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return {}
    return data[0] if data else {}


def restic_env(layout: Layout, n: int) -> dict:
    env = {
        "RESTIC_REPOSITORY": layout.restic_repo(n),
        "RESTIC_PASSWORD_FILE": str(layout.passphrase_file(f"restic{n}")),
        "RESTIC_CACHE_DIR": str(layout.cache),
    }
    return env


def restic(layout: Layout, n: int, *args: str, what: str, check: bool = True, timeout: int = 3600):
    cmd = ["restic", *_restic_sftp_args(layout, n), *args]
    return run(cmd, what=what, env=restic_env(layout, n), check=check, timeout=timeout)


def partner_pull(layout: Layout, *args: str, what: str, check: bool = True, timeout: int = 7200):
    """Run pgBackRest on the partner's host over SSH (pgBackRest 2.45 takes backups to a
    repository host from that host, pulling from our cluster through pg1-host)."""
    p = layout.partner_ssh
    remote = " ".join(["pgbackrest", f"--config={p['config']}", f"--stanza={STANZA}", *args])
    return run([p["cmd_ssh"], f"{p['user']}@127.0.0.1", remote], what=what, check=check, timeout=timeout)


def _restic_sftp_args(layout: Layout, n: int) -> list[str]:
    if n == 2 and layout.partner == "ssh":
        p = layout.partner_ssh
        return ["-o", f"sftp.command=ssh {p['ssh_options']} {p['user']}@127.0.0.1 -s sftp"]
    return []


def media_roots() -> dict[str, Path]:
    """The folders of SIP's storages, by storage alias."""
    from django.conf import settings

    return {"default": Path(settings.MEDIA_ROOT), "private": Path(settings.SIP_PRIVATE_ROOT)}


def chown_owner(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
