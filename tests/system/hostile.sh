#!/usr/bin/env bash
# Hostile domains (tests/system/hostile.cfg, tests/guest/test_hostile*.c): one
# Bochs boot with 2 CPUs runs, all at once, a domain that floods its console
# (console_io and its ring, then corrupt ring indices), one that sends on
# every port number, one that uses up its event channels, one that uses up
# its grant table, maptrack and page-table share, one that hands the
# hypervisor pointers through page-table loops, one that spins with
# interrupts off and one that triple-faults; beside them dom0 and `good`
# measure their CPU share and `punctual` times 50 ms sleeps. Checked here:
#  - each hostile domain reports its own cases passed and ends as expected:
#    shut down, or (the triple fault) crashed with a report naming it, and no
#    other domain crashed;
#  - the well-behaved domains finish on time: each share at least
#    MIN_SHARE_PERMILLE of a CPU (an equal share is 2000/8 = 250: eight
#    domains compete for the two CPUs at the start of the window), and no
#    sleep more than MAX_LATE_US late. Seen: 41 ms, from the flooding
#    domains' console lines (each ~8 ms at 115200 baud, printed whole by
#    the CPU that runs the domain); 0.2 ms in the same boot with every
#    hostile domain replaced by a CPU-bound one; 390 ms while one console_io
#    call still printed all its 4 KiB (~355 ms) in one go;
#  - the console flood is rate-limited: the flooder's bytes in the log stay
#    within console_rate (2048 bytes/s in hostile.cfg) for each second it
#    wrote in, the hypervisor reports what it dropped, and no other domain
#    lost output; escape characters arrive as '?';
#  - no hypervisor fault or panic, the machine powers off, every frame is
#    returned.
#   tests/system/hostile.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
MIN_SHARE_PERMILLE=150
MAX_LATE_US=100000
FLOOD_SECONDS=3                 # the flooder's seconds= in hostile.cfg
RATE=2048                       # console_rate= in hostile.cfg: bytes/s per domain

L="$out/hostile.log"
scripts/mkimage.sh --esp "$out/hostile.img" --config tests/system/hostile.cfg "${files[@]}" \
    > /dev/null || { fail "hostile/image" "mkimage failed"; exit 0; }
scripts/bochs-run.sh --image "$out/hostile.img" --serial "$L" --cpus 2 --timeout 240 \
    > "$out/hostile.run" 2>&1
status=$?
sed -i 's/\r$//' "$L"

expect_status "hostile/powered-off" "$status" 0
expect_none "hostile/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC'
expect_frames_returned "hostile/every-frame-returned" "$L"

# The guests' own cases, one line each.
grep -E '^\[[a-z0-9-]+\] (PASS|FAIL): hostile/' "$L" |
    sed -E 's/^\[([a-z0-9-]+)\] (PASS|FAIL): hostile\/(.*)$/\2: guest\/\1\/\3/'
expect_none "hostile/no-guest-case-failed" "$L" '^\[[a-z0-9-]+\] FAIL'
count_cases() {                 # count_cases NAME DOMAIN N: N cases of DOMAIN passed
    local n
    n=$(grep -Ec "^\[$2\] PASS: hostile/" "$L")
    if [ "$n" -eq "$3" ]; then pass "$1"; else fail "$1" "$n of $3 cases passed"; fi
}
count_cases "hostile/flood-console-cases" flooder 2
count_cases "hostile/flood-events-cases" eventer 4
count_cases "hostile/exhaust-evtchn-cases" porthog 7
count_cases "hostile/exhaust-grants-cases" granthog 13
count_cases "hostile/pt-loop-cases" ptloop 9
count_cases "hostile/punctual-cases" punctual 1

# How each ended: the triple fault crashed alone, with a report naming it.
expect "hostile/tripler-crashed-by-name" "$L" \
    "^\(mica\) domain 'tripler' \(id [0-9]+\) crashed: triple fault at RIP 0x"
expect_count "hostile/only-the-tripler-crashed" "$L" "^\(mica\) domain '[^']+' \(id [0-9]+\) crashed" 1
for d in dom0 flooder eventer porthog granthog ptloop spinner good punctual; do
    expect "hostile/$d-shut-down" "$L" "^\(mica\)   domain $d +id [0-9]+ +shut down \(poweroff\)$"
done
expect "hostile/pt-loop-message-read-through-the-loop" "$L" \
    '^\[ptloop\] pt-loop: the hypervisor read this through a page-table loop$'

# The well-behaved domains got their CPU and their timers.
for d in dom0 good; do
    got=$(grep -Eo "^\[$d\] share: $d .* permille [0-9]+" "$L" | grep -Eo '[0-9]+$')
    if [ -z "$got" ]; then fail "hostile/$d-got-its-share" "no share line from $d"
    elif [ "$got" -ge $MIN_SHARE_PERMILLE ]; then
        pass "hostile/$d-got-its-share"; echo "  $d: $got permille of a CPU (at least $MIN_SHARE_PERMILLE)"
    else fail "hostile/$d-got-its-share" "$got permille < $MIN_SHARE_PERMILLE"; fi
done
expect "hostile/spinner-ran-with-interrupts-off" "$L" '^\[spinner\] share: .*interrupts were off'
late=$(grep -Eo '^\[punctual\] punctual: .* worst lateness [0-9]+' "$L" | grep -Eo '[0-9]+$')
if [ -z "$late" ]; then fail "hostile/punctual-sleeps-on-time" "no punctual line"
elif [ "$late" -le $MAX_LATE_US ]; then
    pass "hostile/punctual-sleeps-on-time"; grep -E '^\[punctual\] punctual: ' "$L" | sed 's/^/  /'
else fail "hostile/punctual-sleeps-on-time" "worst lateness $late us > $MAX_LATE_US us"; fi

# The flood: rate-limited, reported, sanitised. The flooder's bytes in the
# log (its lines, and the reports its corrupt ring caused, both charged to
# it) fit the 1-second windows it wrote in: at most 4 for the 3 s of flood
# (they start at its first write after the last one ended), one for the
# corrupt ring, one for its report.
bytes=$( { grep -E '^\[flooder\] ' "$L" | sed 's/^\[flooder\] //'
           grep -E "^\(mica\) domain 'flooder': console ring indices corrupt" "$L" | sed 's/^(mica) //'
         } | awk '{ n += length($0) + 1 } END { print n + 0 }')
limit=$((RATE * (FLOOD_SECONDS + 3)))
if [ "$bytes" -gt 0 ] && [ "$bytes" -le "$limit" ]; then
    pass "hostile/flood-rate-limited"; echo "  flooder: $bytes bytes in the log (at most $limit)"
else fail "hostile/flood-rate-limited" "$bytes bytes of the flooder's in the log, limit $limit"; fi
expect "hostile/flood-drops-reported" "$L" \
    "^\(mica\) domain 'flooder': [0-9]+ console bytes dropped \(over $RATE bytes/s\)$"
others=$(grep -E "^\(mica\) domain '[^']+': [0-9]+ console bytes dropped" "$L" |
         grep -v "^(mica) domain 'flooder'")
if [ -z "$others" ]; then pass "hostile/only-the-flooder-lost-output"
else fail "hostile/only-the-flooder-lost-output" "$(echo "$others" | head -1)"; fi
expect "hostile/flood-escape-shown-as-?" "$L" '^\[flooder\] flood: flooder .*\?\[2J\?'
expect_none "hostile/no-raw-control-characters" "$L" $'^\\[flooder\\] .*[\x01-\x08\x0b-\x1f\x7f]'
exit 0
