#!/usr/bin/env bash
# Runs every test project (fast and slow tags alike), the CLI probe (scripts/probe.sh: the built launcher against
# hostile input, signals, full disks and shared logs), then the quick benchmark budget check.
# Prints one closing line "N passed, N failed" for the whole run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$(mktemp)"
status=0
# The minimal console logger prints each failure with its message and stack, so a CI log says why.
dotnet test LowLatency.sln -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" 2>&1 | tee "$out" || status=$?
tests_out="$(mktemp)"
cp "$out" "$tests_out"
passed=$(grep -Eo 'Passed: +[0-9]+' "$out" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$out" | awk '{s+=$2} END {print s+0}')
# The probe bounds itself (a timeout per case); the outer one only guards CI against a probe that hangs as a whole.
timeout -k 5 300 scripts/probe.sh 2>&1 | tee "$out"
probe_status=${PIPESTATUS[0]}
[ "$probe_status" -eq 0 ] || status=$probe_status
passed=$((passed + $(sed -nE 's/^probe: ([0-9]+) passed.*/\1/p' "$out" | awk '{n=$1} END {print n+0}')))
failed=$((failed + $(sed -nE 's/^probe: [0-9]+ passed, ([0-9]+) failed.*/\1/p' "$out" | awk '{n=$1} END {print n+0}')))
# CI shows only the log's tail: repeat each failed test with the start of its message just above the closing line.
failures="$(grep -E -A8 '^ *Failed [A-Za-z_]' "$tests_out" | head -n 120)"
rm -f "$out" "$tests_out"
if [ "$status" -eq 0 ]; then
  ./lowlatency bench --check --quick || status=$?
fi
if [ -n "$failures" ]; then
  echo "failed tests:"
  echo "$failures"
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
