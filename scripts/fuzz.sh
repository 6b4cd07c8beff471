#!/usr/bin/env bash
# One fuzzing run in Bochs (`make fuzz SEED=S CALLS=N INSNS=M`, `make soak`):
# dom0, a domU running the hypercall fuzzer test=fuzz (tests/guest/test_fuzz.c)
# for N calls and, with --insns, a domU running the instruction fuzzer
# test=insn-fuzz (tests/guest/test_insn.c) for M instructions, both with that
# seed (--calls 0 leaves the hypercall fuzzer out). Prints the fuzzers' lines
# and the hypervisor's leak check, then a verdict.
#
#   scripts/fuzz.sh [--seed S] [--calls N] [--insns M] [--enable LIST] [--ring]
#                   [--trace K] [--cpus N] [--timeout S] [--config CFG] [--out DIR]
#
# --enable passes enable=LIST to the instruction fuzzer (generators that are
# off by default: unbacked, all; docs/security.md). --ring adds
# a ring-server/ring-client pair doing 10,000 round trips beside the fuzzers.
# A seed gives the same calls in whichever domain runs it; what the
# hypervisor answers can also depend on what other domains do meanwhile, so
# --config boots a whole configuration instead (e.g. tests/system/fuzz.cfg,
# to replay the system test with its seeds edited). --trace K prints every
# call and instruction from the K-th on (10 and 60 ms apart, within the
# console's rate limit). Exit status 0 when every fuzzer printed its done
# line with only documented outcomes, no domain crashed, the ring pair (if
# any) finished, the hypervisor did not fault, and every frame and object
# was back at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--seed S] [--calls N] [--insns M] [--enable LIST] [--ring] [--trace K] [--cpus N] [--timeout S] [--config CFG] [--out DIR]" >&2
    exit 2
}

seed=1 calls=10000 insns=0 enable="" ring=0 trace="" cpus=1 timeout=600 config="" out=build/fuzz
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) seed="${2:?}"; shift 2 ;;
        --calls) calls="${2:?}"; shift 2 ;;
        --insns) insns="${2:?}"; shift 2 ;;
        --enable) enable="${2:?}"; shift 2 ;;
        --ring) ring=1; shift ;;
        --trace) trace="${2:?}"; shift 2 ;;
        --cpus) cpus="${2:?}"; shift 2 ;;
        --timeout) timeout="${2:?}"; shift 2 ;;
        --config) config="${2:?}"; shift 2 ;;
        --out) out="${2:?}"; shift 2 ;;
        *) usage ;;
    esac
done

B=build
mkdir -p "$out"
if [ -z "$config" ]; then
    config="$out/fuzz.cfg"
    id=1
    {
        echo "# Written by scripts/fuzz.sh."
        echo "hypervisor timeslice_ms=5"
        echo 'domain name=dom0 kernel=dom0.elf memory=16 privileged=yes cmdline="name=dom0"'
        if [ "$calls" != 0 ]; then
            echo "domain name=fuzz kernel=domu-test.elf memory=8 vcpus=4 cmdline=\"name=fuzz test=fuzz seed=$seed calls=$calls${trace:+ trace=$trace}\""
            id=$((id + 1))
        fi
        if [ "$insns" != 0 ]; then
            echo "domain name=insn-fuzz kernel=domu-test.elf memory=8 cmdline=\"name=insn-fuzz test=insn-fuzz seed=$seed count=$insns${enable:+ enable=$enable}${trace:+ trace=$trace}\""
            id=$((id + 1))
        fi
        if [ "$ring" = 1 ]; then
            echo "domain name=ring-server kernel=domu-test.elf memory=8 cmdline=\"name=ring-server test=ring-server peer=$((id + 1))\""
            echo "domain name=ring-client kernel=domu-test.elf memory=8 cmdline=\"name=ring-client test=ring-client peer=$id\""
        fi
    } > "$config"
fi
scripts/mkimage.sh --esp "$out/fuzz.img" --config "$config" \
    $B/BOOTX64.EFI $B/mica.elf $B/dom0.elf $B/domu.elf $B/dom0-test.elf $B/domu-test.elf > /dev/null

echo "fuzz.sh: booting $config in Bochs with $cpus CPU(s); serial log $out/fuzz.log"
start=$(date +%s)
status=0
scripts/bochs-run.sh --image "$out/fuzz.img" --serial "$out/fuzz.log" --cpus "$cpus" \
    --timeout "$timeout" > "$out/bochs.out" 2>&1 || status=$?
sed -i 's/\r$//' "$out/fuzz.log"
L="$out/fuzz.log"
# The hypervisor's own lines: domains' lines start with "[name]", and a
# fuzzer prints random bytes.
grep -v '^\[' "$L" > "$out/hypervisor.log" || true
H="$out/hypervisor.log"

grep -E '^\[[^]]*\] (fuzz: |insn: (class|vectors|results|stray|done|#)|FAIL|PASS: ipc/ring|guest exception)' "$L" || true
grep -E '^\(mica\) (HYPERVISOR FAULT|PANIC|domain .* crashed|all domains have ended|objects in use|destroyed|  domain )' "$H" || true
secs=$(( $(date +%s) - start ))
echo "fuzz.sh: Bochs ran $secs s (exit status $status)"
# Rates over the wall clock (each done line has its own, in guest time).
done_calls=$( (grep -Eo '^\[[^]]*\] fuzz: done seed [0-9]+ calls [0-9]+' "$L" || true) |
    awk '{ n += $NF } END { print n + 0 }')
done_insns=$( (grep -Eo '^\[[^]]*\] insn: done seed [0-9]+ count [0-9]+' "$L" || true) |
    awk '{ n += $NF } END { print n + 0 }')
echo "fuzz.sh: $done_calls calls and $done_insns instructions in $secs s:" \
    "$(( done_calls / (secs > 0 ? secs : 1) )) calls/s, $(( done_insns / (secs > 0 ? secs : 1) )) instructions/s"

problems=()
[ "$status" = 0 ] || problems+=("Bochs did not power off (status $status)")
if grep -Eq 'HYPERVISOR FAULT|PANIC' "$H"; then problems+=("the hypervisor faulted"); fi
fuzzers=$(grep -Ec '^\[[^]]*\] (fuzz: seed [0-9]+ calls [0-9]+|insn: seed [0-9]+ count [0-9]+.*)$' "$L" || true)
done_lines=$(grep -Ec '^\[[^]]*\] (fuzz|insn): done seed ' "$L" || true)
[ "$fuzzers" -gt 0 ] && [ "$fuzzers" = "$done_lines" ] ||
    problems+=("$done_lines of $fuzzers fuzzers printed their done line")
if grep -Eq '^\[[^]]*\] (fuzz: results ok [0-9]+|insn: results) undocumented [1-9]' "$L"; then
    problems+=("undocumented results")
fi
if grep -Eq '^\(mica\) domain .* crashed' "$H"; then problems+=("a domain crashed"); fi
if grep -q 'ring-client' "$config" &&
    ! grep -Eq '^\[ring-client\] PASS: ipc/ring-client 10000 round trips$' "$L"; then
    problems+=("the ring pair did not finish its round trips")
fi
frames=$(grep -Eo 'free frames: [0-9]+ \([0-9]+ before' "$H" | grep -Eo '[0-9]+' | tr '\n' ' ' || true)
set -- $frames
[ $# = 2 ] && [ "$1" = "$2" ] || problems+=("free frames at the end and before differ: ${frames:-no line}")
grep -Eq '^\(mica\) objects in use: grant mappings 0 \(counted 0\), grant pins 0, event channels 0 ' "$H" ||
    problems+=("objects still in use at the end")

if [ ${#problems[@]} = 0 ]; then
    echo "fuzz.sh: OK"
    exit 0
fi
for p in "${problems[@]}"; do echo "fuzz.sh: FAILED: $p"; done
exit 1
