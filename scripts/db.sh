#!/usr/bin/env bash
# The private PostgreSQL cluster of a SIP checkout: ${SIP_PGDATA:-.pgdata/}, 127.0.0.1:${SIP_DB_PORT:-5433}.
# Usage: scripts/db.sh start|stop|status
# When run as root, the cluster belongs to the postgres OS user (PostgreSQL refuses to run as root).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pgdata="${SIP_PGDATA:-$top/.pgdata}"
port="${SIP_DB_PORT:-5433}"
bin=/usr/lib/postgresql/15/bin
db_name=sip
db_user=sip
db_password=sip

if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi
psql_admin() { as_owner "$bin/psql" -h "$pgdata" -p "$port" -U "$owner" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

ensure_reachable() {
  # The postgres user must be able to enter the checkout (mktemp -d makes it 0700).
  if [ "$owner" = postgres ] && ! runuser -u postgres -- test -x "$top"; then
    echo "SIP: nadaję prawo przejścia (o+x) katalogowi $top, aby klaster mógł działać jako postgres"
    chmod o+x "$top"
  fi
}

init_cluster() {
  [ -f "$pgdata/PG_VERSION" ] && return 0
  echo "SIP: tworzę prywatny klaster PostgreSQL w .pgdata/ (port $port)"
  mkdir -p "$pgdata"
  chown "$owner" "$pgdata"
  chmod 700 "$pgdata"
  as_owner "$bin/initdb" -D "$pgdata" -U "$owner" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  cat >>"$pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$pgdata'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
work_mem = 32MB
max_connections = 200
CONF
}

is_running() { as_owner "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

start() {
  ensure_reachable
  init_cluster
  if ! is_running; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "SIP: port $port jest zajęty przez inny serwer; ustaw SIP_DB_PORT albo DATABASE_URL" >&2
      exit 1
    fi
    as_owner "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 start >/dev/null
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='$db_user'")" != 1 ]; then
    psql_admin -c "CREATE ROLE $db_user LOGIN SUPERUSER PASSWORD '$db_password'"
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$db_name'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE $db_name OWNER $db_user"
  fi
  PGOPTIONS="-c client_min_messages=warning" as_owner "$bin/psql" -h "$pgdata" -p "$port" -U "$owner" -d "$db_name" -v ON_ERROR_STOP=1 -qAt \
    -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "CREATE EXTENSION IF NOT EXISTS pgrouting" \
    -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" -c "CREATE EXTENSION IF NOT EXISTS unaccent"
}

stop() {
  if [ -f "$pgdata/PG_VERSION" ] && is_running; then
    as_owner "$bin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
    echo "SIP: klaster zatrzymany"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if [ -f "$pgdata/PG_VERSION" ] && is_running; then echo running; else echo stopped; exit 3; fi ;;
  *) echo "użycie: $0 start|stop|status" >&2; exit 2 ;;
esac
