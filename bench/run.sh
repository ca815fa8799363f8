#!/usr/bin/env bash
# Stride benchmark harness: measures Stride against the reference programs of ../shared/bench in
# one run on this machine and writes a Markdown table of medians and ratios to
# bench/results/latest.md (and stdout). See bench/README.md.
#
#   bench/run.sh                          # everything, default repetitions
#   bench/run.sh --parts batch,single --reps 5
#   bench/run.sh --parts latency --datasets medium --runs 30
#   bench/run.sh --refs-only              # only the reference programs (no Stride server)
#   bench/run.sh --store postgres --parts pgbatch,latency   # Stride on a throwaway PostgreSQL server
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SHARED=${STRIDE_SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
WORK=${STRIDE_BENCH_WORK:-${TMPDIR:-/tmp}/stride-bench}
DATA=$BENCH/data
PY=${PYTHON:-python3}
TOOL=$BENCH/stride_bench.py

PARTS=batch,single,latency
STORE=sqlite           # the store Stride runs on: sqlite (a fresh file per run) or postgres (a fresh database)
REPS=3                 # repetitions of each ingestion measurement (Stride and its reference)
RUNS=21                # timed GET /api/v1/metrics requests per window, after WARMUP untimed ones
WARMUP=5
DATASETS=medium,large  # datasets for the latency part (batched ingestion always uses medium)
SYSTEM=svc-1           # the single system of the latency part (raw name; Stride normalizes URLs)
NAIVE_REPS=1           # naive_sql.py invocations per window (each already prints a median of 5)
NAIVE_LARGE=0          # also run naive_sql.py on the large dataset (slow: minutes per window)
BATCH=5000
FORMAT=ndjson
CONNECTIONS=1
CEILING_ROWS=1000000
WRK_DURATION=10s
WRK_WARMUP=3s
PORT=5180
CEILING_PORT=5099
BUILD=1
REFS_ONLY=0
COMMIT=                # build Stride from a clean export of this commit instead of the work tree
KEY=${STRIDE_BENCH_KEY:-stride-bench-$(date +%s)-$RANDOM}
END=1789948800         # gen_events.py's end: 1790000000 - (1790000000 % 86400)
DAY=86400

usage() {
    cat <<EOF
Usage: bench/run.sh [options]
  --parts LIST        batch,single,latency,pgbatch (default: $PARTS); pgbatch = batched ingestion
                      of the large dataset into PostgreSQL against postgres-ceiling (implies --store postgres)
  --store S           sqlite or postgres: the store Stride runs on (default: $STORE); postgres starts a
                      throwaway server (scripts/postgres.sh, durable settings) for the run
  --reps N            repetitions of each ingestion measurement (default: $REPS)
  --runs N            timed metric requests per window, median reported (default: $RUNS; use >= 15)
  --warmup N          untimed metric requests before timing (default: $WARMUP)
  --datasets LIST     latency datasets: medium,large (default: $DATASETS)
  --system NAME       the one system of the latency part (default: $SYSTEM)
  --naive-reps N      naive_sql.py runs per window (default: $NAIVE_REPS)
  --naive-large       also time naive_sql.py on the large dataset (slow)
  --batch N           events per POST /api/v1/events request (default: $BATCH)
  --format F          ndjson or json (array) bodies (default: $FORMAT)
  --connections N     concurrent connections for batched ingestion (default: $CONNECTIONS)
  --ceiling-rows N    rows for sqlite-ceiling (default: $CEILING_ROWS)
  --wrk-duration D    measured wrk duration (default: $WRK_DURATION); --wrk-warmup D (default: $WRK_WARMUP)
  --port N            Stride's port (default: $PORT); --ceiling-port N (default: $CEILING_PORT)
  --no-build          use the existing Release builds
  --commit REV        build Stride from a clean export (git archive) of REV, e.g. HEAD, rather
                      than from the work tree (which may hold someone's unfinished edits)
  --refs-only         run only the reference programs (when Stride does not build)
Environment: STRIDE_SHARED_BENCH (reference programs, default ../shared/bench),
             STRIDE_BENCH_WORK (scratch dir, default \$TMPDIR/stride-bench).
EOF
}

ARGS="$*"
while [ $# -gt 0 ]; do
    case "$1" in
        --parts) PARTS=$2; shift 2 ;;
        --store) STORE=$2; shift 2 ;;
        --reps) REPS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --datasets) DATASETS=$2; shift 2 ;;
        --system) SYSTEM=$2; shift 2 ;;
        --naive-reps) NAIVE_REPS=$2; shift 2 ;;
        --naive-large) NAIVE_LARGE=1; shift ;;
        --batch) BATCH=$2; shift 2 ;;
        --format) FORMAT=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --ceiling-rows) CEILING_ROWS=$2; shift 2 ;;
        --wrk-duration) WRK_DURATION=$2; shift 2 ;;
        --wrk-warmup) WRK_WARMUP=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        --ceiling-port) CEILING_PORT=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --commit) COMMIT=$2; shift 2 ;;
        --refs-only) REFS_ONLY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

has_part() { [[ ",$PARTS," == *",$1,"* ]]; }
has_dataset() { [[ ",$DATASETS," == *",$1,"* ]]; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
jstr() { "$PY" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

[ -d "$SHARED" ] || die "reference programs not found at $SHARED (set STRIDE_SHARED_BENCH)"
for tool in dotnet "$PY" curl; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
if has_part single && ! command -v wrk >/dev/null; then
    die "wrk is not installed (apt-get install -y wrk hyperfine)"
fi

case "$STORE" in sqlite|postgres) ;; *) die "--store must be sqlite or postgres" ;; esac
has_part pgbatch && STORE=postgres

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$BENCH/results/$STAMP
RESULTS=$OUT/results.jsonl
mkdir -p "$OUT" "$DATA" "$WORK/db"
: > "$RESULTS"
record() {   # record KIND EXTRA_JSON_FIELDS JSON_OBJECT
    local kind=$1 extra=$2 obj=$3
    echo "{\"kind\":\"$kind\"${extra:+,$extra},${obj#\{}" >> "$RESULTS"
}

# ------------------------------------------------------------------ processes

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && stop_pid "$pid"
    done
    rm -f "$WORK"/db/*.db "$WORK"/db/*.db-wal "$WORK"/db/*.db-shm
    [ -n "${PG_DIR:-}" ] && "$REPO/scripts/postgres.sh" stop "$PG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "process $pid did not stop within 20 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    local keep=() p
    for p in "${PIDS[@]:-}"; do [ "$p" != "$pid" ] && [ -n "$p" ] && keep+=("$p"); done
    PIDS=("${keep[@]:-}")
}

port_free() { ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" ; }

wait_http() {   # wait_http URL PID LOGFILE
    local url=$1 pid=$2 logfile=$3 i
    for i in $(seq 1 600); do
        if curl -fs -o /dev/null --max-time 2 "$url"; then return 0; fi
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logfile" >&2; die "process $pid exited before $url answered"; }
        sleep 0.1
    done
    tail -n 30 "$logfile" >&2
    die "$url did not answer within 60 s"
}

PG_DIR=
PG_SERVER=
start_postgres() {   # a throwaway PostgreSQL server with durable settings, for the whole run
    local env
    env=$(STRIDE_PG_DURABLE=1 "$REPO/scripts/postgres.sh" start) || die "PostgreSQL did not start"
    eval "$env"
    PG_DIR=$STRIDE_PG_DIR
    PG_SERVER=$STRIDE_TEST_POSTGRES
    log "PostgreSQL: $PG_SERVER"
}
pg_port() { echo "$PG_SERVER" | sed -E 's/.*Port=([0-9]+).*/\1/'; }
pg_sql() { psql -q -h 127.0.0.1 -p "$(pg_port)" -U stride -d postgres -c "$1" > /dev/null; }
fresh_pg_database() {   # fresh_pg_database NAME: (re)creates database NAME; prints its connection string
    pg_sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
    pg_sql "CREATE DATABASE $1"
    echo "Host=127.0.0.1;Port=$(pg_port);Username=stride;Database=$1"
}

STRIDE_PID=
start_stride() {   # start_stride NAME: a fresh SQLite file $WORK/db/NAME.db, or a fresh PostgreSQL database NAME
    local name=$1 db=$WORK/db/$1.db logfile=$OUT/stride-$1.log database
    rm -f "$db" "$db-wal" "$db-shm"
    database="Data Source=$db"
    [ "$STORE" = postgres ] && database=$(fresh_pg_database "stride_${name//-/_}")
    port_free "$PORT" || die "port $PORT is in use"
    # The content root is the working directory, so start inside the build output to get its appsettings.json.
    # The per-key rate limit (1,000 requests/s by default) is raised far above what one machine sends, so
    # that the limiter is measured but never refuses: the benchmarks push one key as hard as they can.
    ( cd "$SERVER_DIR" && Stride__Database="$database" STRIDE_BOOTSTRAP_KEY="$KEY" \
        Stride__Limits__RequestsPerSecond=100000000 Stride__Limits__Burst=100000000 \
        exec dotnet Stride.Server.dll --urls "http://127.0.0.1:$PORT" ) > "$logfile" 2>&1 &
    STRIDE_PID=$!
    PIDS+=("$STRIDE_PID")
    wait_http "http://127.0.0.1:$PORT/readyz" "$STRIDE_PID" "$logfile"
}
stop_stride() {
    [ -n "$STRIDE_PID" ] && stop_pid "$STRIDE_PID"
    STRIDE_PID=
    rm -f "$WORK"/db/*.db "$WORK"/db/*.db-wal "$WORK"/db/*.db-shm
}

# ------------------------------------------------------------------ data and builds

dataset_args() {
    case "$1" in
        medium) echo "--seed 5 --systems 50 --days 730 --scale 1" ;;
        large) echo "--seed 5 --systems 50 --days 730 --scale 8" ;;
        *) die "unknown dataset $1" ;;
    esac
}
ensure_dataset() {
    local name=$1 file=$DATA/$1.ndjson
    if [ ! -s "$file" ]; then
        log "generating $name dataset: gen_events.py $(dataset_args "$name")"
        # shellcheck disable=SC2046
        "$PY" "$SHARED/gen_events.py" $(dataset_args "$name") > "$file.tmp"
        mv "$file.tmp" "$file"
    fi
}
ensure_naive_db() {
    local name=$1 db=$DATA/naive-$1.db
    if [ ! -s "$db" ]; then
        log "loading $name into naive_sql.py's database"
        rm -f "$db.tmp"
        "$PY" "$SHARED/naive_sql.py" load "$DATA/$name.ndjson" "$db.tmp"
        mv "$db.tmp" "$db"
    fi
}

REFS=$WORK/refs
SERVER_SRC=$REPO
SERVER_ART=$DATA/build
if [ -n "$COMMIT" ]; then
    SHA=$(git -C "$REPO" rev-parse --short "$COMMIT^{commit}") || die "unknown commit $COMMIT"
    SERVER_SRC=$WORK/src-$SHA
    SERVER_ART=$WORK/build-$SHA
fi
SERVER_DIR=$SERVER_ART/bin/Stride.Server/release
build_refs() {
    log "building the reference programs (Release) in $REFS"
    rm -rf "$REFS/kestrel-ceiling" "$REFS/sqlite-ceiling"
    mkdir -p "$REFS"
    cp -r "$SHARED/kestrel-ceiling" "$SHARED/sqlite-ceiling" "$REFS/"
    chmod -R u+w "$REFS"
    # Stop MSBuild from picking up build settings of any folder above the copies.
    echo '<Project />' > "$REFS/Directory.Build.props"
    echo '<Project />' > "$REFS/Directory.Packages.props"
    dotnet build "$REFS/kestrel-ceiling" -c Release --artifacts-path "$REFS/art" -nologo -v q > "$OUT/build-refs.log" 2>&1 \
        || { tail -n 30 "$OUT/build-refs.log" >&2; die "kestrel-ceiling did not build"; }
    dotnet build "$REFS/sqlite-ceiling" -c Release --artifacts-path "$REFS/art" -nologo -v q >> "$OUT/build-refs.log" 2>&1 \
        || { tail -n 30 "$OUT/build-refs.log" >&2; die "sqlite-ceiling did not build"; }
    # Stride's own reference for PostgreSQL (bench/postgres-ceiling), built the same way.
    dotnet build "$BENCH/postgres-ceiling" -c Release --artifacts-path "$REFS/art" -nologo -v q >> "$OUT/build-refs.log" 2>&1 \
        || { tail -n 30 "$OUT/build-refs.log" >&2; die "postgres-ceiling did not build"; }
}
KESTREL_DLL=$REFS/art/bin/KestrelCeiling/release/KestrelCeiling.dll
SQLITE_DLL=$REFS/art/bin/SqliteCeiling/release/SqliteCeiling.dll
POSTGRES_DLL=$REFS/art/bin/PostgresCeiling/release/PostgresCeiling.dll

build_server() {
    if [ -n "$COMMIT" ]; then
        log "exporting $SHA (git archive) to $SERVER_SRC"
        rm -rf "$SERVER_SRC"
        mkdir -p "$SERVER_SRC"
        git -C "$REPO" archive "$SHA" | tar -x -C "$SERVER_SRC"
    fi
    log "building src/Stride.Server (Release) into $SERVER_ART"
    # A separate artifacts path keeps this build's obj/ and bin/ apart from anyone else's build of the tree.
    dotnet build "$SERVER_SRC/src/Stride.Server" -c Release --artifacts-path "$SERVER_ART" -nologo -v q \
        -p:OpenApiGenerateDocuments=false > "$OUT/build-server.log" 2>&1 \
        || { grep -E 'error' "$OUT/build-server.log" | sort -u | head -n 20 >&2; die "Stride.Server did not build (log: $OUT/build-server.log)"; }
    source_state > "$SERVER_ART/built-from.txt"
}
source_state() {   # the commit the sources are at, and whether src/ differs from it
    local state
    if [ -n "$COMMIT" ]; then
        state="$SHA (clean export)"
    else
        state=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
        git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || state="$state + uncommitted changes in src/"
    fi
    echo "$state, built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# ------------------------------------------------------------------ parts

ingest() {   # ingest DATASET [KEY]: POST the dataset to the running server; prints the client's JSON
    "$PY" "$TOOL" ingest --port "$PORT" --key "${2:-$KEY}" --file "$DATA/$1.ndjson" --batch "$BATCH" \
        --format "$FORMAT" --connections "$CONNECTIONS" --server-pid "$STRIDE_PID"
}

new_organization_key() {   # new_organization_key NAME: creates an organization with the operator key; prints its admin key
    curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        -d "{\"name\":\"$1\"}" "http://127.0.0.1:$PORT/api/v1/organizations" \
        | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["adminKey"])'
}

part_batch() {
    ensure_dataset medium
    local rep json
    for rep in $(seq 1 "$REPS"); do
        log "batch $rep/$REPS: sqlite-ceiling $CEILING_ROWS"
        json=$(dotnet "$SQLITE_DLL" "$CEILING_ROWS" | tee -a "$OUT/sqlite-ceiling.txt" | "$PY" "$TOOL" ceiling)
        record sqlite_ceiling "\"rep\":$rep" "$json"
        log "  $json"
        [ "$REFS_ONLY" = 1 ] && continue
        log "batch $rep/$REPS: Stride, medium dataset, $BATCH events/request"
        start_stride "batch-$rep"
        # Like wrk's warm-up run for part 2: a fresh server first compiles its code (the first
        # requests run unoptimized code while a third of the CPU recompiles it), so the dataset goes
        # once into another organization (recorded as the fresh server's figure), then is measured
        # into the first one, on a server that already holds that much data.
        local warm
        warm=$(new_organization_key "warm-up-$rep") || { stop_stride; die "could not create the warm-up organization"; }
        json=$(ingest medium "$warm") || { log "  $json"; stop_stride; die "batched ingestion (warm-up) failed"; }
        record batch_fresh "\"rep\":$rep" "$json"
        log "  fresh server: $json"
        json=$(ingest medium) || { log "  $json"; stop_stride; die "batched ingestion failed"; }
        stop_stride
        record batch "\"rep\":$rep" "$json"
        log "  $json"
    done
}

part_pgbatch() {   # batched ingestion of the large dataset into PostgreSQL, against postgres-ceiling
    ensure_dataset large
    local rep json rows
    rows=$(wc -l < "$DATA/large.ndjson")
    for rep in $(seq 1 "$REPS"); do
        log "pgbatch $rep/$REPS: postgres-ceiling $rows rows (binary COPY)"
        json=$(dotnet "$POSTGRES_DLL" "$(fresh_pg_database ceiling)" "$rows" | tee -a "$OUT/postgres-ceiling.txt" | "$PY" "$TOOL" ceiling)
        record postgres_ceiling "\"rep\":$rep" "$json"
        log "  $json"
        [ "$REFS_ONLY" = 1 ] && continue
        log "pgbatch $rep/$REPS: Stride on PostgreSQL, large dataset, $BATCH events/request"
        start_stride "pgbatch-$rep"
        json=$(ingest large) || { log "  $json"; stop_stride; die "batched ingestion into PostgreSQL failed"; }
        stop_stride
        record pgbatch "\"rep\":$rep" "$json"
        log "  $json"
    done
}

cpu_ticks() {   # user + system CPU time of a process, in clock ticks (1/CLK_TCK s)
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
cpu_diff() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }

run_wrk() {   # run_wrk URL DURATION OUTFILE
    STRIDE_API_KEY=$KEY wrk -t2 -c32 -d"$2" -s "$SHARED/post-change.lua" "$1" > "$3" 2>&1
}

part_single() {
    local rep json pid cpu0 cpu1
    for rep in $(seq 1 "$REPS"); do
        log "single $rep/$REPS: kestrel-ceiling"
        port_free "$CEILING_PORT" || die "port $CEILING_PORT is in use"
        ( cd "$(dirname "$KESTREL_DLL")" && exec dotnet "$KESTREL_DLL" --urls "http://127.0.0.1:$CEILING_PORT" ) \
            > "$OUT/kestrel-$rep.log" 2>&1 &
        pid=$!
        PIDS+=("$pid")
        wait_http "http://127.0.0.1:$CEILING_PORT/count" "$pid" "$OUT/kestrel-$rep.log"
        run_wrk "http://127.0.0.1:$CEILING_PORT/ingest" "$WRK_WARMUP" "$OUT/wrk-kestrel-$rep-warmup.txt"
        cpu0=$(cpu_ticks "$pid")
        run_wrk "http://127.0.0.1:$CEILING_PORT/ingest" "$WRK_DURATION" "$OUT/wrk-kestrel-$rep.txt"
        cpu1=$(cpu_ticks "$pid")
        stop_pid "$pid"
        json=$("$PY" "$TOOL" wrk < "$OUT/wrk-kestrel-$rep.txt")
        record wrk "\"target\":\"kestrel\",\"rep\":$rep,\"server_cpu_s\":$(cpu_diff "$cpu0" "$cpu1")" "$json"
        log "  $json"
        [ "$REFS_ONLY" = 1 ] && continue
        log "single $rep/$REPS: Stride POST /api/v1/changes"
        start_stride "single-$rep"
        run_wrk "http://127.0.0.1:$PORT/api/v1/changes" "$WRK_WARMUP" "$OUT/wrk-stride-$rep-warmup.txt"
        cpu0=$(cpu_ticks "$STRIDE_PID")
        run_wrk "http://127.0.0.1:$PORT/api/v1/changes" "$WRK_DURATION" "$OUT/wrk-stride-$rep.txt"
        cpu1=$(cpu_ticks "$STRIDE_PID")
        stop_stride
        json=$("$PY" "$TOOL" wrk < "$OUT/wrk-stride-$rep.txt")
        record wrk "\"target\":\"stride\",\"rep\":$rep,\"server_cpu_s\":$(cpu_diff "$cpu0" "$cpu1")" "$json"
        log "  $json"
    done
}

part_latency() {
    local ds days sys from json rep extra
    for ds in ${DATASETS//,/ }; do
        ensure_dataset "$ds"
        if [ "$REFS_ONLY" = 0 ]; then
            log "latency $ds: loading Stride"
            start_stride "latency-$ds"
            json=$(ingest "$ds") || { log "  $json"; stop_stride; die "loading $ds failed"; }
            record load "\"dataset\":\"$ds\"" "$json"
            log "  $json"
            for days in 90 365; do
                from=$((END - days * DAY))
                for sys in "" "$SYSTEM"; do
                    log "latency $ds ${days} d ${sys:-all systems}: Stride, $WARMUP warm-up + $RUNS timed"
                    json=$("$PY" "$TOOL" latency --port "$PORT" --key "$KEY" --from "$from" --to "$END" \
                        ${sys:+--system "$sys"} --runs "$RUNS" --warmup "$WARMUP" --server-pid "$STRIDE_PID")
                    record latency "\"dataset\":\"$ds\",\"days\":$days,\"system\":$(jstr "$sys")" "$json"
                    log "  $json"
                    if [ "$ds" = medium ]; then
                        log "latency $ds ${days} d ${sys:-all systems}: dashboard page, $WARMUP warm-up + $RUNS timed"
                        json=$("$PY" "$TOOL" latency --dashboard --port "$PORT" --key "$KEY" --from "$from" --to "$END" \
                            ${sys:+--system "$sys"} --runs "$RUNS" --warmup "$WARMUP" --server-pid "$STRIDE_PID")
                        record dashboard "\"dataset\":\"$ds\",\"days\":$days,\"system\":$(jstr "$sys")" "$json"
                        log "  $json"
                    fi
                done
            done
            stop_stride
        fi
        if [ "$ds" = medium ] || [ "$NAIVE_LARGE" = 1 ]; then
            ensure_naive_db "$ds"
            for rep in $(seq 1 "$NAIVE_REPS"); do
                for days in 90 365; do
                    from=$((END - days * DAY))
                    for sys in "" "$SYSTEM"; do
                        log "latency $ds ${days} d ${sys:-all systems}: naive_sql.py ($rep/$NAIVE_REPS)"
                        json=$("$PY" "$TOOL" naive --script "$SHARED/naive_sql.py" --db "$DATA/naive-$ds.db" \
                            --from "$from" --to "$END" ${sys:+--system "$sys"})
                        record naive "\"dataset\":\"$ds\",\"days\":$days,\"system\":$(jstr "$sys"),\"rep\":$rep" "$json"
                        log "  $json"
                    done
                done
            done
        else
            extra="naive_sql.py was not run on $ds (pass --naive-large to include it)"
            record note "" "{\"text\":$(jstr "$extra")}"
        fi
    done
}

# ------------------------------------------------------------------ main

T0=$(date +%s)
if [ "$BUILD" = 1 ] || [ ! -f "$KESTREL_DLL" ] || [ ! -f "$SQLITE_DLL" ] || [ ! -f "$POSTGRES_DLL" ]; then build_refs; fi
[ "$STORE" = postgres ] && start_postgres
commit="none (--refs-only)"
if [ "$REFS_ONLY" = 0 ]; then
    if [ "$BUILD" = 1 ] || [ ! -f "$SERVER_DIR/Stride.Server.dll" ]; then build_server; fi
    commit=$(cat "$SERVER_ART/built-from.txt" 2>/dev/null || echo "unknown (built before bench/run.sh recorded it)")
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
record meta "" "{\"store\":\"$STORE\",\"date\":$(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)"),\"machine\":$(jstr "$(nproc) cores, $cpu"),\"commit\":$(jstr "$commit"),\"command\":$(jstr "bench/run.sh $ARGS")}"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
note_load() { record note "" "{\"text\":$(jstr "load average (1, 5, 15 min) $1: $(loadavg)")}"; }
note_load "at the start"
has_part batch && part_batch && note_load "after batched ingestion"
has_part single && part_single && note_load "after single-event ingestion"
has_part latency && part_latency && note_load "after the latency part"
has_part pgbatch && part_pgbatch && note_load "after batched ingestion into PostgreSQL"

record note "" "{\"text\":$(jstr "whole run took $(( $(date +%s) - T0 )) s; raw results and logs in bench/results/$STAMP/")}"
"$PY" "$TOOL" report "$RESULTS" --out "$OUT/report.md" > /dev/null
cp "$OUT/report.md" "$BENCH/results/latest.md"
cat "$BENCH/results/latest.md"
