#!/usr/bin/env bash
# Builds GitLogBench and prints three Markdown tables: in-process timings, fresh-process timings
# (one listing per process, as one `stride` run does it) and the robustness checks.
# Usage: bench/git-log/run.sh [--commits N] [--runs R] [--commit-graph]
# The fresh-process timings use hyperfine when it is installed (HYPERFINE= forces a plain bash loop).
# Everything it creates goes under ${TMPDIR:-/tmp}/gitlogbench/ (the repository is reused).
set -euo pipefail
cd "$(dirname "$0")"

commits=20000 runs=15 graph=()
while [ $# -gt 0 ]; do
  case "$1" in
    --commits) commits=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --commit-graph) graph=(--commit-graph); shift ;;
    *) echo "unknown argument: $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done

out="${TMPDIR:-/tmp}/gitlogbench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
dotnet build -c Release -nologo -v q >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
dll="$PWD/bin/Release/net10.0/GitLogBench.dll"
repo=$(dotnet "$dll" --create --commits "$commits" "${graph[@]}")

load() { echo "load average ($1): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }
load "start"
echo
echo "## In process ($runs calls after the first)"
echo
dotnet "$dll" --commits "$commits" --runs "$runs" "${graph[@]}" | tee "$out/in-process.md"

# One listing per fresh `dotnet` process, timed from outside.
names=() cmds=()
add() { names+=("$1"); shift; cmds+=("$(printf '%q ' "$@")"); }
once() { add "$*" dotnet "$dll" --once "$1" --repo "$repo" "${@:2}"; }
add "runtime only (--once none)" dotnet "$dll" --once none --repo "$repo"
add "git log alone, r$((commits - 10))..HEAD" git -C "$repo" log "--format=%H %at" "r$((commits - 10))..HEAD" --
for range in "r$((commits - 10))..HEAD" "r$((commits - 1000))..HEAD" HEAD; do
  once git "$range"; once libgit2 "$range"
done
for way in git libgit2 libgit2-treesame; do once "$way" "r$((commits - 1000))..HEAD" -- src/mod3; done
once git --tags 'r*'; once libgit2 --tags 'r*'

echo
echo "## Fresh process ($runs rounds after a warm-up round; each round runs every command once, in turn)"
echo
# Interleaved rounds rather than one command's runs in a row: on a shared machine, load that comes
# and goes then hits every command alike.
hf=${HYPERFINE-hyperfine}
args=(); for i in "${!cmds[@]}"; do args+=(-n "$i" "${cmds[$i]}"); done
mkdir -p "$out/fresh"
for round in $(seq 0 "$runs"); do
  if [ -n "$hf" ] && command -v "$hf" >/dev/null; then
    "$hf" -N --runs 1 --style none --export-csv "$out/fresh/round.csv" "${args[@]}" >/dev/null
    tail -n +2 "$out/fresh/round.csv" | while IFS=, read -r i seconds _; do
      [ "$round" -eq 0 ] || echo "$seconds" >>"$out/fresh/$i"
    done
  else
    for i in "${!cmds[@]}"; do
      s=$(date +%s%N); eval "${cmds[$i]}" >/dev/null; e=$(date +%s%N)
      [ "$round" -eq 0 ] || echo "$(( (e - s) / 1000 ))e-6" >>"$out/fresh/$i"
    done
  fi
done
{
  echo "| command | median (ms) | min–max (ms) |"
  echo "| --- | ---: | ---: |"
  for i in "${!cmds[@]}"; do
    sort -g "$out/fresh/$i" | awk -v name="${names[$i]}" '{ t[NR] = $1 * 1000 } END {
      m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "| `%s` | **%.1f** | %.1f–%.1f |\n", name, m, t[1], t[NR] }'
  done
} | tee "$out/fresh-process.md"
echo
load "end of timings"

echo
echo "## Robustness"
echo
dotnet "$dll" --robustness --work "${TMPDIR:-/tmp}/gitlogbench/robustness" | tee "$out/robustness.md"
echo
echo "(tables saved in $out)"
