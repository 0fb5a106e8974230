#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL tests: a fresh cluster in a temporary folder, on loopback only,
# with a password (so the tests can check a wrong one is refused). Nothing is downloaded: Debian's postgresql.
#
#   eval "$(bash scripts/pg-throwaway.sh start)"   # exports NEWSLETTER_TEST_PG and PG_THROWAWAY_DIR
#   bash scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
#
# PG_THROWAWAY_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous_commit, full_page_writes on), for
# benchmarks that must pay the real cost of a commit; without it the server is tuned for test speed.
set -euo pipefail

bin_dir() {
  local pg_ctl
  pg_ctl=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pg_ctl" ] || { echo 'PostgreSQL is not installed (Debian: apt-get install postgresql)' >&2; exit 1; }
  echo "$pg_ctl"
}

# PostgreSQL refuses to run as root; then the cluster belongs to the postgres user Debian's package creates.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(bin_dir)
    dir=$(mktemp -d /tmp/newsletter-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=${PG_THROWAWAY_PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
    password=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
    printf '%s\n' "$password" > "$dir/pw" && chmod 644 "$dir/pw"
    as_owner "$bin/initdb" -D "$dir/data" -U newsletter --pwfile="$dir/pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pw"
    # Tuned for throwaway speed, not durability: these databases live for one test run. Unless asked to be durable.
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_THROWAWAY_DURABLE:-}" = 1 ] && fast=""
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-h 127.0.0.1 -p $port -k $dir $fast -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export PG_THROWAWAY_DIR=$dir"
    echo "export NEWSLETTER_TEST_PG=postgres://newsletter:$password@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: pg-throwaway.sh stop <dir>}
    bin=$(bin_dir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo 'usage: pg-throwaway.sh start | stop <dir>' >&2
    exit 2
    ;;
esac
