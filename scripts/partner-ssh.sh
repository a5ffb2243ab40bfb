#!/usr/bin/env bash
# A stand-in for the partner gmina's backup host, on this machine: an sshd on 127.0.0.1 that
# lets in only a separate OS user (sip-partner) with a key, holding pgBackRest's repo2 (as a
# repository host, repo2-host) and restic's second repository (sftp:). Used by
# `make restore-drill PARTNER=ssh`; never by `make test`.
# Usage: scripts/partner-ssh.sh up|down   (as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir="${SIP_BACKUP_DIR:-$top/var/backup}/partner-ssh"
port="${SIP_PARTNER_SSH_PORT:-5446}"
user=sip-partner
home=/var/lib/sip-partner
pgdata="${SIP_PGDATA:-$top/.pgdata}"
db_port="${SIP_DB_PORT:-5433}"

up() {
  [ "$(id -u)" -eq 0 ] || { echo "partner-ssh: uruchom jako root" >&2; exit 1; }
  mkdir -p "$dir" /run/sshd
  id "$user" >/dev/null 2>&1 || useradd --system --create-home --home-dir "$home" --shell /bin/sh "$user"
  install -d -o "$user" -g "$user" -m 0700 "$home" "$home/pgbackrest" "$home/log" "$home/lock" "$home/spool"
  [ -f "$dir/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C sip-partner-host -f "$dir/host_key"
  [ -f "$dir/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C sip-gmina -f "$dir/client_key"
  [ -f "$dir/partner_key" ] || ssh-keygen -q -t ed25519 -N '' -C sip-partner -f "$dir/partner_key"
  # Our side's key is used by pgBackRest (as postgres) and restic (as root); the partner's key,
  # by its pgBackRest pulling backups from our cluster (as sip-partner).
  chown postgres "$dir/client_key"
  chown "$user" "$dir/partner_key"
  chmod 0600 "$dir/client_key" "$dir/partner_key"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
  chmod 0644 "$dir/known_hosts"
  install -m 0644 "$dir/client_key.pub" "$dir/authorized_keys.$user"
  install -m 0644 "$dir/partner_key.pub" "$dir/authorized_keys.postgres"
  for who in client partner; do
    cat >"$dir/ssh-$who" <<SSH
#!/bin/sh
exec ssh -i $dir/${who}_key -o UserKnownHostsFile=$dir/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -p $port "\$@"
SSH
    chmod 0755 "$dir/ssh-$who"
  done
  cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys.%u
AllowUsers $user postgres
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
UsePAM yes
StrictModes no
Subsystem sftp internal-sftp
LogLevel ERROR
CONF
  # The partner's pgBackRest: repo2 is local to it; it holds repo2's cipher passphrase
  # (pgBackRest 2.45 encrypts on the repository host) and pulls backups from our cluster.
  cat >"$home/pgbackrest.conf" <<CONF
[global]
repo2-path=$home/pgbackrest
repo2-cipher-type=aes-256-cbc
repo2-cipher-pass=$(cat "$top/var/backup/repo2.passphrase")
repo2-retention-full-type=time
repo2-retention-full=35
log-path=$home/log
lock-path=$home/lock
spool-path=$home/spool
compress-type=lz4
start-fast=y
log-level-console=warn
cmd-ssh=$dir/ssh-partner

[sip]
pg1-host=127.0.0.1
pg1-host-port=$port
pg1-host-user=postgres
pg1-host-config=${SIP_BACKUP_DIR:-$top/var/backup}/pgbackrest.conf
pg1-path=$pgdata
pg1-port=$db_port
pg1-socket-path=$pgdata
CONF
  chown "$user:$user" "$home/pgbackrest.conf"
  chmod 0600 "$home/pgbackrest.conf"
  if ! { [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; }; then
    /usr/sbin/sshd -f "$dir/sshd_config"
  fi
  cat >"$dir/partner.json" <<JSON
{"user": "$user", "home": "$home", "port": $port, "config": "$home/pgbackrest.conf",
 "cmd_ssh": "$dir/ssh-client",
 "ssh_options": "-i $dir/client_key -o UserKnownHostsFile=$dir/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -p $port"}
JSON
  echo "partner-ssh: sshd na 127.0.0.1:$port, użytkownik $user ($home)"
}

down() {
  if [ -f "$dir/sshd.pid" ]; then
    kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
    rm -f "$dir/sshd.pid"
  fi
  rm -f "$dir/partner.json"
  echo "partner-ssh: sshd zatrzymany"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "użycie: $0 up|down" >&2; exit 2 ;;
esac
