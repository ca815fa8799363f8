#!/usr/bin/env bash
# Profiles one benchmark part of Stride with dotnet-trace (sampled thread time) and prints where the
# time goes. Uses the Release build that bench/run.sh makes (builds it when missing).
#
#   bench/profile.sh batch                       # POST /api/v1/events, medium, 5,000 per request
#   bench/profile.sh single                      # wrk -t2 -c32 POST /api/v1/changes
#   bench/profile.sh latency --days 90 [--system svc-1]
#   (--build rebuilds the work tree first; otherwise the last build of bench/run.sh without --commit)
#
# Needs dotnet-trace: dotnet tool install -g dotnet-trace. The trace adds overhead, so read the
# split of time, not the absolute speed. Output: bench/results/profile-<part>-<stamp>.*
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
SHARED=${STRIDE_SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
WORK=${STRIDE_BENCH_WORK:-${TMPDIR:-/tmp}/stride-bench}
PY=${PYTHON:-python3}
TOOL=$BENCH/stride_bench.py
SERVER_ART=$BENCH/data/build
SERVER_DIR=$SERVER_ART/bin/Stride.Server/release
PORT=5181
KEY=stride-profile-$RANDOM$RANDOM
DAYS=90
SYSTEM=
SECONDS_=
REBUILD=0
END=1789948800

PART=${1:-}
[ -n "$PART" ] && shift
while [ $# -gt 0 ]; do
    case "$1" in
        --days) DAYS=$2; shift 2 ;;
        --system) SYSTEM=$2; shift 2 ;;
        --seconds) SECONDS_=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        --build) REBUILD=1; shift ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
case "$PART" in
    batch) SECONDS_=${SECONDS_:-45} ;;
    single) SECONDS_=${SECONDS_:-12} ;;
    latency) SECONDS_=${SECONDS_:-15} ;;
    *) echo "usage: bench/profile.sh batch|single|latency [--days N] [--system S] [--seconds N] [--port P] [--build]" >&2; exit 2 ;;
esac

export PATH=$PATH:$HOME/.dotnet/tools
command -v dotnet-trace >/dev/null || { echo "dotnet-trace is missing: dotnet tool install -g dotnet-trace" >&2; exit 1; }
[ -f "$BENCH/data/medium.ndjson" ] || "$PY" "$SHARED/gen_events.py" --seed 5 --systems 50 --days 730 --scale 1 > "$BENCH/data/medium.ndjson"
if [ "$REBUILD" = 1 ] || [ ! -f "$SERVER_DIR/Stride.Server.dll" ]; then
    dotnet build "$REPO/src/Stride.Server" -c Release --artifacts-path "$SERVER_ART" -nologo -v q -p:OpenApiGenerateDocuments=false
fi

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$BENCH/results" "$WORK/db"
OUT=$BENCH/results/profile-$PART-$STAMP
DB=$WORK/db/profile-$STAMP.db
SPID=
cleanup() {
    if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then kill "$SPID"; wait "$SPID" 2>/dev/null || true; fi
    rm -f "$DB" "$DB-wal" "$DB-shm"
}
trap cleanup EXIT

( cd "$SERVER_DIR" && Stride__Database="Data Source=$DB" STRIDE_BOOTSTRAP_KEY="$KEY" \
    Stride__Limits__RequestsPerSecond=100000000 Stride__Limits__Burst=100000000 \
    exec dotnet Stride.Server.dll --urls "http://127.0.0.1:$PORT" ) > "$OUT.server.log" 2>&1 &
SPID=$!
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && break; sleep 0.2; done

ingest() { "$PY" "$TOOL" ingest --port "$PORT" --key "$KEY" --file "$BENCH/data/medium.ndjson" --server-pid "$SPID"; }
wrk_run() { STRIDE_API_KEY=$KEY wrk -t2 -c32 -d"$1" -s "$SHARED/post-change.lua" "http://127.0.0.1:$PORT/api/v1/changes"; }
latency() {
    "$PY" "$TOOL" latency --port "$PORT" --key "$KEY" --from $((END - DAYS * 86400)) --to "$END" \
        ${SYSTEM:+--system "$SYSTEM"} --server-pid "$SPID" "$@"
}

# Warm up (and, for latency, load the data) before tracing.
case "$PART" in
    single) wrk_run 3s > /dev/null ;;
    latency) ingest > /dev/null; latency --runs 5 --warmup 5 > /dev/null ;;
esac

echo "tracing $PART for $SECONDS_ s" >&2
dotnet-trace collect -p "$SPID" --profile dotnet-sampled-thread-time --format Speedscope \
    --duration "00:00:00:$SECONDS_" -o "$OUT.nettrace" > "$OUT.trace.log" 2>&1 &
TPID=$!
sleep 2
case "$PART" in
    batch) ingest ;;
    single) wrk_run "$((SECONDS_ - 4))s" ;;
    latency) latency --seconds "$((SECONDS_ - 4))" --warmup 0 ;;
esac
wait "$TPID" || { cat "$OUT.trace.log" >&2; exit 1; }

case "$PART" in
    batch) roots=("SqliteWriter.CommitGroup" "IngestionApi") ;;
    single) roots=("HttpProtocol+<ProcessRequests>" "SqliteWriter.CommitGroup") ;;
    latency) roots=("MetricsApi") ;;
esac
for root in "${roots[@]}"; do
    "$PY" "$TOOL" hotspots "$OUT.speedscope.json" --root "$root" --top 25
    echo
done | tee "$OUT.txt"
echo "trace: $OUT.speedscope.json (open in https://www.speedscope.app or any speedscope viewer); summary: $OUT.txt" >&2
