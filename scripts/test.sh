#!/usr/bin/env bash
# Runs every test project (fast and slow tags alike), then the quick benchmark budget check.
# Prints one closing line "N passed, N failed" for the whole run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$(mktemp)"
status=0
dotnet test LowLatency.sln -c Release --no-build --nologo -v q 2>&1 | tee "$out" || status=$?
passed=$(grep -Eo 'Passed: +[0-9]+' "$out" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$out" | awk '{s+=$2} END {print s+0}')
rm -f "$out"
if [ "$status" -eq 0 ]; then
  ./lowlatency bench --check --quick || status=$?
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
