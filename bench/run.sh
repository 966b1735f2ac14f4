#!/usr/bin/env bash
# The benchmark, in one command: builds the service, starts PostgreSQL on
# loopback (installed from Debian if missing) for the FerretDB-on-PostgreSQL
# backend, runs bench/ and writes bench/RESULTS.md, results.json, latency.svg.
#   bench/run.sh                       # sizes 1k, 10k, 100k; 1, 8, 32 clients
#   bench/run.sh -sizes 1000 -duration 1s   # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d)
chmod 755 "$work"
chown postgres "$work"
port=55432
cleanup() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$work/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=on -c shared_buffers=256MB" start >/dev/null
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p $port ferretdb

go build -o "$work/thidua" .
go run ./bench -bin "$work/thidua" -pg "postgres://postgres@127.0.0.1:$port/ferretdb" -out bench "$@"
