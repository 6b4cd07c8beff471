#!/usr/bin/env bash
# Run every test and end with one line "N passed, N failed".
# Host unit tests (build/unit/test_*) and system tests (tests/system/run.sh)
# each print one "PASS: name" or "FAIL: name (why)" line per case. A test
# program that exits non-zero without a FAIL line (a crash, a sanitizer
# report) counts as one failure of its own.
set -uo pipefail
cd "$(dirname "$0")/.."

results=$(mktemp)
trap 'rm -f "$results"' EXIT

run_suite() {               # run_suite NAME COMMAND...
    local name=$1 log
    shift
    log=$(mktemp)
    "$@" > "$log" 2>&1
    local status=$?
    grep -E '^(PASS|FAIL): ' "$log" | tee -a "$results"
    if [ $status -ne 0 ] && ! grep -q '^FAIL: ' "$log"; then
        echo "FAIL: $name (exited with status $status)" | tee -a "$results"
        tail -20 "$log"
    fi
    grep -q '^FAIL: ' "$log" && { echo "--- output of $name ---"; grep -vE '^PASS: ' "$log" | tail -40; }
    rm -f "$log"
}

for t in build/unit/test_*; do
    [ -x "$t" ] && run_suite "$(basename "$t")" "$t"
done
run_suite abi-doc tests/abi-doc/run.sh
run_suite system tests/system/run.sh

passed=$(grep -c '^PASS: ' "$results")
failed=$(grep -c '^FAIL: ' "$results")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
