#!/usr/bin/env bash
# The fuzz suite (tests/LowLatency.Fuzz.Tests): seeded mutation fuzzers for every parser and reader, plus the replayed
# regressions. Default = the CI run: fixed seed, 10,000 cases per target (dotnet test LowLatency.sln runs the same).
#   scripts/fuzz.sh [--long] [--seed N] [--count N] [--filter EXPR] [--no-build]
#   --long     1,000,000 cases per target from a random seed, printed so a failure can be replayed with --seed
#   --seed N   run seed (default 20261124)        --count N  cases per target (default 10000)
#   --filter   a dotnet test filter, e.g. 'FullyQualifiedName~Kraken' (one target)
# Prints one line per target (cases, failures, kinds, seconds); a failure prints its seed, case index, mutations,
# exception, top frames and input, and writes the input (and a minimised one) under $LL_FUZZ_OUT (default
# $TMPDIR/lowlatency-fuzz). Replay one case: LL_FUZZ_SEED=S LL_FUZZ_CASE=I with --filter on its test.
# Exit status: 0 when every target and regression passes, 1 otherwise, 2 on bad arguments.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

count="" seed="" long=0 filter="" build=1
usage() { echo "fuzz.sh: $1 (usage: scripts/fuzz.sh [--long] [--seed N] [--count N] [--filter EXPR] [--no-build])" >&2; exit 2; }
number() { [[ "$2" =~ ^[0-9]+$ ]] || usage "$1 needs a whole number, got '$2'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --long) long=1 ;;
    --seed) [ $# -ge 2 ] || usage "--seed needs a value"; number --seed "$2"; seed="$2"; shift ;;
    --count) [ $# -ge 2 ] || usage "--count needs a value"; number --count "$2"; count="$2"; shift ;;
    --filter) [ $# -ge 2 ] || usage "--filter needs a value"; filter="$2"; shift ;;
    --no-build) build=0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
  shift
done

if [ "$long" -eq 1 ]; then
  count="${count:-1000000}"
  seed="${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
fi
count="${count:-10000}"
seed="${seed:-20261124}"
# A case never takes seconds; a test silent for this long is hung (the blame collector dumps and stops it).
hang_minutes=$(( count / 2000 > 10 ? count / 2000 : 10 ))

if [ "$build" -eq 1 ]; then
  dotnet build tests/LowLatency.Fuzz.Tests -c Release -v q --nologo || exit 1
fi

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
echo "fuzz: seed $seed, $count cases per target"
status=0
LL_FUZZ_COUNT="$count" LL_FUZZ_SEED="$seed" LL_FUZZ_REPORT="$report" \
  dotnet test tests/LowLatency.Fuzz.Tests -c Release --no-build --nologo -v q --logger "console;verbosity=normal" \
  --blame-hang-timeout "${hang_minutes}m" ${filter:+--filter "$filter"} || status=1

printf '%-18s %10s %9s %6s %9s\n' target cases failures kinds seconds
sort "$report" | while IFS=$'\t' read -r target cases failed kinds seconds _; do
  printf '%-18s %10s %9s %6s %9s\n' "$target" "$cases" "$failed" "$kinds" "$seconds"
done
[ "$status" -eq 0 ] || echo "fuzz: failures above; replay with scripts/fuzz.sh --seed $seed --count $count --filter <test>" >&2
exit "$status"
