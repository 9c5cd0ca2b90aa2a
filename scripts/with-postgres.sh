#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server and TIERGATE_TEST_POSTGRES_URL pointing at it.
#   scripts/with-postgres.sh <command...>
# Uses an already set TIERGATE_TEST_POSTGRES_URL as is. Otherwise installs Debian's
# `postgresql` when its server binaries are missing (root + apt-get only), creates a cluster
# in a temporary folder, starts it on a free loopback port, runs the command, and removes it.
set -euo pipefail

log() { printf '[with-postgres] %s\n' "$*" >&2; }

if [ -n "${TIERGATE_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(find_pg_bin)
  fi
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  log "no PostgreSQL server binaries and no way to install them: install postgresql"
  exit 1
fi

# initdb refuses to run as root: run the server as the postgres user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DATA=$(mktemp -d /tmp/tiergate-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$DATA/db" -A trust -U postgres -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
  -o "-h 127.0.0.1 -p $PORT -k $DATA -c max_connections=200 -c fsync=on" start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE tiergate_test" >/dev/null
export TIERGATE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/tiergate_test"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
