#!/usr/bin/env bash
# Fuzzing in Bochs with 4 CPUs (tests/system/fuzz.cfg): hypercalls
# (tests/guest/test_fuzz.c) from three domUs with seeds 1, 2 and 3 (50,000,
# 50,000 and 20,000 calls) and a fourth replaying seed 1 for 10,000 calls;
# instructions (tests/guest/test_insn.c) from two domUs running 500,000 each
# with seeds 1 and 2 and a third replaying the first 50,000 of seed 1; a
# ring-server / ring-client pair does its 10,000 round trips meanwhile.
# Checks: each hypercall fuzzer finished (or crashed itself with a report,
# never through a hypervisor fault) with only documented errors; at least
# 130,000 calls and 1,000,000 instructions in all; each instruction
# fuzzer finished, with every outcome one docs/abi.md allows, and did not
# crash; each replay made the same calls or instructions (same digest); the
# ring pair and dom0 completed; the machine powered off; every frame, grant
# mapping, pin and event channel was back at the end.
#   tests/system/fuzz.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
MIN_CALLS=130000 MIN_INSNS=1000000 REPLAY_INSNS=50000
mkdir -p "$out"

scripts/mkimage.sh --esp "$out/fuzz.img" --config tests/system/fuzz.cfg "${files[@]}" > /dev/null ||
    { fail "fuzz/image" "mkimage failed"; exit 0; }
start=$(date +%s)
scripts/bochs-run.sh --image "$out/fuzz.img" --serial "$out/fuzz.log" --cpus 4 --timeout 420 \
    > "$out/fuzz.run" 2>&1
status=$?
secs=$(( $(date +%s) - start ))
sed -i 's/\r$//' "$out/fuzz.log"
L="$out/fuzz.log"
# The hypervisor's own lines: domains' lines start with "[name]", and the
# fuzzers print random bytes.
H="$out/fuzz-hypervisor.log"
grep -v '^\[' "$L" > "$H"

expect_status "fuzz/powered-off" "$status" 0
expect_none "fuzz/no-hypervisor-fault" "$H" 'HYPERVISOR FAULT|PANIC|assert'

# fuzzer NAME SEED CALLS: it printed its done line with only documented
# errors, or crashed itself with a report (not a VM-entry failure: its
# start states are the hypervisor's to check).
fuzzer() {
    local crash
    if grep -Eq "^\[$1\] fuzz: done seed $2 calls $3 in " "$L"; then
        pass "fuzz/$1-done"
        expect "fuzz/$1-only-documented-errors" "$L" "^\[$1\] fuzz: results ok [0-9]+ undocumented 0 "
        return
    fi
    crash=$(grep -Em1 "^\(mica\) domain '$1' \(id [0-9]+\) crashed: |^\[$1\] guest exception " "$L")
    if [ -n "$crash" ] && [[ "$crash" != *"VM entry"* ]] && ! grep -Eq 'HYPERVISOR FAULT|PANIC' "$H"; then
        pass "fuzz/$1-done"; echo "  $1 crashed itself: $crash"
    else
        fail "fuzz/$1-done" "no done line${crash:+; $crash}"
    fi
}
fuzzer fuzz-a 1 50000
fuzzer fuzz-b 2 50000
fuzzer fuzz-a2 1 10000
fuzzer fuzz-c 3 20000

total=$(grep -Eo '^\[fuzz-[a-z0-9]+\] fuzz: done seed [0-9]+ calls [0-9]+' "$L" |
        awk '{ n += $NF } END { print n + 0 }')
if [ "$total" -ge $MIN_CALLS ]; then pass "fuzz/at-least-$MIN_CALLS-calls"
else fail "fuzz/at-least-$MIN_CALLS-calls" "$total calls"; fi

# Same seed, same calls: the replay's digest after 10,000 calls is the first run's.
first=$(grep -Eo '^\[fuzz-a\] fuzz: 10000 calls, [0-9]+ ms, digest 0x[0-9a-f]+' "$L" | grep -Eo '0x[0-9a-f]+$')
again=$(grep -Eo '^\[fuzz-a2\] fuzz: done seed 1 calls 10000 .* digest 0x[0-9a-f]+' "$L" | grep -Eo '0x[0-9a-f]+$')
if [ -n "$first" ] && [ "$first" = "$again" ]; then pass "fuzz/seed-replays-the-same-calls"
else fail "fuzz/seed-replays-the-same-calls" "digest ${first:-none} then ${again:-none}"; fi

# The instruction fuzzers: done, every outcome allowed, never crashed, and
# the replay generated the same instructions as the first 50,000 of insn-a.
for d in "insn-a 1 500000" "insn-b 2 500000" "insn-a2 1 $REPLAY_INSNS"; do
    set -- $d
    expect "fuzz/$1-done" "$L" "^\[$1\] insn: done seed $2 count $3 in "
    expect "fuzz/$1-only-documented-outcomes" "$L" "^\[$1\] insn: results undocumented 0$"
    expect_none "fuzz/$1-not-crashed" "$L" "^\(mica\) domain '$1' \(id [0-9]+\) crashed"
done
first=$(grep -Eo "^\[insn-a\] insn: $REPLAY_INSNS insns, [0-9]+ ms, digest 0x[0-9a-f]+" "$L" | grep -Eo '0x[0-9a-f]+$')
again=$(grep -Eo "^\[insn-a2\] insn: done seed 1 count $REPLAY_INSNS .* digest 0x[0-9a-f]+" "$L" | grep -Eo '0x[0-9a-f]+$')
if [ -n "$first" ] && [ "$first" = "$again" ]; then pass "fuzz/insn-seed-replays-the-same-instructions"
else fail "fuzz/insn-seed-replays-the-same-instructions" "digest ${first:-none} then ${again:-none}"; fi
total=$(grep -Eo '^\[insn-[a-z0-9]+\] insn: done seed [0-9]+ count [0-9]+' "$L" |
        awk '{ n += $NF } END { print n + 0 }')
if [ "$total" -ge $MIN_INSNS ]; then pass "fuzz/at-least-$MIN_INSNS-instructions"
else fail "fuzz/at-least-$MIN_INSNS-instructions" "$total instructions"; fi

# The other domains kept running.
expect "fuzz/ring-10000-round-trips" "$L" '^\[ring-client\] PASS: ipc/ring-client 10000 round trips$'
expect "fuzz/ring-10000-requests-served" "$L" '^\[ring-server\] PASS: ipc/ring-server 10000 requests$'
expect_none "fuzz/ring-no-failure" "$L" '^\[ring-(client|server)\] FAIL'
for d in dom0 ring-server ring-client insn-a insn-b insn-a2; do
    expect "fuzz/summary-$d" "$H" "^\(mica\)   domain $d +id [0-9]+ +shut down \(poweroff\)$"
done

# Nothing leaked: frames, grant mappings and pins, event channels.
expect_frames_returned "fuzz/every-frame-returned" "$H"
expect "fuzz/no-objects-left" "$H" \
    '^\(mica\) objects in use: grant mappings 0 \(counted 0\), grant pins 0, event channels 0 '

echo "  Bochs ran ${secs}s"
grep -E '^\[(fuzz|insn)-[a-z0-9]+\] (fuzz: (done|results)|insn: (done|results|vectors))' "$L" | sed 's/^/  /'
exit 0
