#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: a temp folder, a loopback port, trust
# authentication, no fsync (the data is thrown away). PostgreSQL refuses to run as root, so as root the
# server runs as the `postgres` user.
#
#   eval "$(scripts/postgres.sh start)"   # prints: export STRIDE_TEST_POSTGRES='Host=…;Port=…;…' STRIDE_PG_DIR=…
#   STRIDE_PG_DURABLE=1 scripts/postgres.sh start   # with PostgreSQL's durable defaults (benchmarks)
#   scripts/postgres.sh stop "$STRIDE_PG_DIR"
#
# Finds the server in PATH or in /usr/lib/postgresql/<version>/bin (Debian); installs Debian's
# `postgresql` package when it is missing and this user can.
set -euo pipefail

find_bin() {
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin
    bin=$(find_bin || true)
    if [ -z "$bin" ]; then
        echo "PostgreSQL is not installed; installing Debian's postgresql package..." >&2
        if [ "$(id -u)" -eq 0 ]; then
            { apt-get install -y postgresql || { apt-get update && apt-get install -y postgresql; }; } >&2
        elif command -v sudo >/dev/null 2>&1; then
            { sudo apt-get install -y postgresql || { sudo apt-get update && sudo apt-get install -y postgresql; }; } >&2
        fi
        bin=$(find_bin || true)
        [ -n "$bin" ] || { echo "PostgreSQL could not be installed." >&2; return 1; }
    fi

    local dir port
    dir=$(mktemp -d "${TMPDIR:-/tmp}/stride-pg.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=${STRIDE_PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
    as_owner "$bin/initdb" -D "$dir/data" -U stride --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    # Tests throw the data away, so they skip durability; STRIDE_PG_DURABLE=1 (the benchmarks) keeps
    # PostgreSQL's defaults, so that a commit is on disk as in production.
    local options="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300"
    if [ "${STRIDE_PG_DURABLE:-0}" != 1 ]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    else
        # As a production server would be sized: the default 128 MB of shared buffers is far below the
        # large benchmark dataset, which then goes through the operating system's cache on every read.
        options="$options -c shared_buffers=1GB"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" \
        start >&2 || { cat "$dir/server.log" >&2; return 1; }
    echo "export STRIDE_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=stride;Database=postgres' STRIDE_PG_DIR='$dir' STRIDE_PG_BIN='$bin'"
}

stop() {
    local dir=${1:-${STRIDE_PG_DIR:-}}
    [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
    local bin=${STRIDE_PG_BIN:-$(find_bin)}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 start | stop [dir]" >&2; exit 2 ;;
esac
