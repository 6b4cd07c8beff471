#!/usr/bin/env bash
# One hypercall-fuzzing run in Bochs (`make fuzz SEED=S CALLS=N`): dom0 and
# one domU running test=fuzz (tests/guest/test_fuzz.c) with that seed. Prints
# the fuzzer's lines and the hypervisor's leak check, then a verdict.
#
#   scripts/fuzz.sh [--seed S] [--calls N] [--trace K] [--cpus N] [--timeout S]
#                   [--config CFG] [--out DIR]
#
# A seed gives the same calls in whichever domain runs it; what the
# hypervisor answers can also depend on what other domains do meanwhile, so
# --config boots a whole configuration instead (e.g. tests/system/fuzz.cfg,
# to replay the system test with its seeds edited). --trace K prints every
# call from the K-th on (10 ms apart, within the console's rate limit).
# Exit status 0 when every fuzzer printed its done line, the hypervisor did
# not fault, and every frame and object was back at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--seed S] [--calls N] [--trace K] [--cpus N] [--timeout S] [--config CFG] [--out DIR]" >&2
    exit 2
}

seed=1 calls=10000 trace="" cpus=1 timeout=600 config="" out=build/fuzz
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) seed="${2:?}"; shift 2 ;;
        --calls) calls="${2:?}"; shift 2 ;;
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
    cat > "$config" <<CFG
# Written by scripts/fuzz.sh.
hypervisor timeslice_ms=5
domain name=dom0 kernel=dom0.elf memory=16 privileged=yes cmdline="name=dom0"
domain name=fuzz kernel=domu-test.elf memory=8 vcpus=4 cmdline="name=fuzz test=fuzz seed=$seed calls=$calls${trace:+ trace=$trace}"
CFG
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

grep -E '^\[[^]]*\] (fuzz: |FAIL|guest exception)' "$L" || true
grep -E '^\(mica\) (HYPERVISOR FAULT|PANIC|domain .* crashed|all domains have ended|objects in use|destroyed|  domain )' "$H" || true
echo "fuzz.sh: Bochs ran $(( $(date +%s) - start )) s (exit status $status)"

problems=()
[ "$status" = 0 ] || problems+=("Bochs did not power off (status $status)")
if grep -Eq 'HYPERVISOR FAULT|PANIC' "$H"; then problems+=("the hypervisor faulted"); fi
fuzzers=$(grep -Ec '^\[[^]]*\] fuzz: seed [0-9]+ calls [0-9]+$' "$L" || true)
done_lines=$(grep -Ec '^\[[^]]*\] fuzz: done seed ' "$L" || true)
[ "$fuzzers" -gt 0 ] && [ "$fuzzers" = "$done_lines" ] ||
    problems+=("$done_lines of $fuzzers fuzzers printed their done line")
if grep -Eq '^\[[^]]*\] fuzz: results ok [0-9]+ undocumented [1-9]' "$L"; then
    problems+=("undocumented results")
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
