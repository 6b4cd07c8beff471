#!/usr/bin/env bash
# The hypercall ABI conformance suite (tests/abi/, docs/abi.md "Conformance
# coverage") in Bochs: dom0 and a domU run test=conformance against each
# other (tests/system/conformance.cfg). One line per case of each domain:
#   PASS: abi/<domain>/<family>.<case>
#   FAIL: abi/<domain>/<family>.<case> (<detail>)
#   PASS: abi/<domain>/<family>.<case> (skipped: <reason>)
# then checks that each suite ran to its end with 0 failed and counted its
# own lines right, that the domains powered off, that the hypervisor never
# faulted, and that every frame went back to the allocator. A fourth domain,
# `restricted`, runs test=restricted under the deny= of its boot line, and
# what dom0 denies it at run time: its cases (PASS: abi/restricted/...) and
# the hypervisor's policy lines, one per denied call or sub-op however often
# it was called, are checked too. A fifth, `fifo`, runs test=evtchn-fifo: it
# switches itself to the FIFO event-channel ABI (PASS: abi/fifo/...).
#   tests/system/conformance.sh OUTDIR     (images built from build/; BUILD= overrides)
#   CPUS=2 tests/system/conformance.sh OUTDIR    (Bochs CPUs, default 1)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
cpus=${CPUS:-1}
mkdir -p "$out"
L="$out/conformance.log"
# Fewer cases than this means a suite stopped early without saying so.
MIN_CASES=800

if scripts/mkimage.sh --esp "$out/conformance.img" --config tests/system/conformance.cfg \
        "${files[@]}" > "$out/conformance.mkimage" 2>&1 &&
   mmd -i "$out/conformance.img" ::/images &&
   mcopy -i "$out/conformance.img" "$B/domu-test.elf" ::/images/domu-test.elf; then
    scripts/bochs-run.sh --image "$out/conformance.img" --serial "$L" --cpus "$cpus" \
        --timeout 600 > "$out/conformance.run" 2>&1
    status=$?
else
    status=image
    : > "$L"
fi
sed -i 's/\r$//' "$L"
expect_status "abi/powered-off" "$status" 0

for d in dom0 domu; do
    lines=$(grep -E "^\[$d\] abi: [a-z_]+\.[A-Za-z0-9_.-]+: (PASS|FAIL|SKIP)" "$L")
    # PASS: abi/dom0/family.case, FAIL: ... (detail), SKIP -> PASS (skipped: reason)
    printf '%s\n' "$lines" | sed -nE \
        -e "s/^\[$d\] abi: ([^ ]+): PASS$/PASS: abi\/$d\/\1/p" \
        -e "s/^\[$d\] abi: ([^ ]+): FAIL: (.*)$/FAIL: abi\/$d\/\1 (\2)/p" \
        -e "s/^\[$d\] abi: ([^ ]+): SKIP: (.*)$/PASS: abi\/$d\/\1 (skipped: \2)/p"
    n_pass=$(printf '%s\n' "$lines" | grep -c ': PASS$')
    n_fail=$(printf '%s\n' "$lines" | grep -c ': FAIL: ')
    n_skip=$(printf '%s\n' "$lines" | grep -c ': SKIP: ')
    summary=$(grep -Em1 "^\[$d\] abi: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" "$L")
    if [ -z "$summary" ]; then
        fail "abi/$d-suite-finished" "no summary line from $d"
    else
        pass "abi/$d-suite-finished"
        echo "  $summary"
        if [ "$summary" = "[$d] abi: $n_pass passed, $n_fail failed, $n_skip skipped" ]; then
            pass "abi/$d-counts-match-lines"
        else
            fail "abi/$d-counts-match-lines" "lines say $n_pass/$n_fail/$n_skip"
        fi
        case "$summary" in
            *" 0 failed,"*) pass "abi/$d-none-failed" ;;
            *) fail "abi/$d-none-failed" "$summary" ;;
        esac
    fi
    total=$((n_pass + n_fail + n_skip))
    if [ "$total" -ge $MIN_CASES ]; then pass "abi/$d-case-count"
    else fail "abi/$d-case-count" "$total cases, expected at least $MIN_CASES"; fi
    # Each case is one line: a name reported twice means two cases share it.
    dup=$(printf '%s\n' "$lines" | sed -E 's/: (PASS|FAIL|SKIP).*$//' | sort | uniq -d | head -3)
    if [ -z "$dup" ]; then pass "abi/$d-case-names-unique"
    else fail "abi/$d-case-names-unique" "$(echo $dup)"; fi
done
# Both ran the same cases (their expectations differ, their names do not),
# apart from the meeting (dom0 offers, the domU binds), dom0's phase-2
# actions and the domU's view of them, and the domains dom0 builds.
names() { grep -Eo "^\[$1\] abi: [a-z_]+\.[^:]+" "$L" | sed "s/^\[$1\] abi: //" | sort -u; }
one_sided='event_channel_op\.(reset-foreign|reset-by-dom0|bind_interdomain-foreign|send-foreign'
one_sided+='|alloc_unbound-for-peer|bind_interdomain-peer$|bind_interdomain-by-peer)'
one_sided+='|hypercall\.gone-domain-stopped'
# tests/abi/domctl-lifecycle.c: dom0 builds domains, the domU is refused each sub-op.
one_sided+='|domctl\.('"$(grep -o '"[^"]*"' tests/abi/domctl-lifecycle.c | tr -d '"' |
    grep -E '^[a-z_]+(-[a-z0-9_]+)*$' | paste -sd'|')"')$'
only=$(comm -3 <(names dom0) <(names domu) | tr -d '\t' | grep -vE "$one_sided" | head -5)
if [ -z "$only" ]; then pass "abi/same-cases-in-both"
else fail "abi/same-cases-in-both" "only in one: $(echo $only)"; fi

# The restricted domain: its own cases, then the policy's console lines.
lines=$(grep -E "^\[restricted\] abi: [a-z_]+\.[A-Za-z0-9_.-]+: (PASS|FAIL|SKIP)" "$L")
printf '%s\n' "$lines" | sed -nE \
    -e "s/^\[restricted\] abi: ([^ ]+): PASS$/PASS: abi\/restricted\/\1/p" \
    -e "s/^\[restricted\] abi: ([^ ]+): FAIL: (.*)$/FAIL: abi\/restricted\/\1 (\2)/p"
expect "abi/restricted-none-failed" "$L" '^\[restricted\] abi: [1-9][0-9]* passed, 0 failed, 0 skipped$'
policy="^\(mica\) policy: domain 'restricted' \(id 3\)"
denied="$policy denied"
expect_count "abi/restricted-policy-at-build" "$L" \
    "$policy may not call: grant_table_op sched_op:poll event_channel_op:alloc_unbound$" 1
expect_count "abi/restricted-policy-line-alloc_unbound" "$L" \
    "$denied event_channel_op op 6 \(alloc_unbound\): -EPERM, counted from now on$" 1
expect_count "abi/restricted-policy-line-grant_table_op" "$L" \
    "$denied grant_table_op op [0-9]+ \([a-z_]+\), the whole call: -EPERM, counted from now on$" 1
expect_count "abi/restricted-policy-line-poll" "$L" \
    "$denied sched_op op 3 \(poll\): -EPERM, counted from now on$" 1
expect_count "abi/restricted-policy-line-set-at-run-time" "$L" \
    "$denied xen_version op 7 \(pagesize\): -EPERM, counted from now on$" 1
expect_count "abi/policy-lines-only-restricted" "$L" '^\(mica\) policy: ' 5

# The FIFO domain: its own cases, all passed.
lines=$(grep -E "^\[fifo\] abi: [a-z_]+\.[A-Za-z0-9_.-]+: (PASS|FAIL|SKIP)" "$L")
printf '%s\n' "$lines" | sed -nE \
    -e "s/^\[fifo\] abi: ([^ ]+): PASS$/PASS: abi\/fifo\/\1/p" \
    -e "s/^\[fifo\] abi: ([^ ]+): FAIL: (.*)$/FAIL: abi\/fifo\/\1 (\2)/p"
expect "abi/fifo-none-failed" "$L" '^\[fifo\] abi: [1-9][0-9]* passed, 0 failed, 0 skipped$'

for d in dom0 domu gone restricted fifo; do
    expect "abi/$d-powered-off" "$L" "^\(mica\)   domain $d +id [0-9]+ +shut down \(poweroff\)$"
done
expect_none "abi/no-fault-or-crash" "$L" 'HYPERVISOR FAULT|PANIC|crashed|guest exception'
expect_none "abi/no-console-dropped" "$L" 'console bytes dropped'
expect_frames_returned "abi/every-frame-returned" "$L"
# Every case docs/abi.md's coverage table names passed in both domains.
bad=$(tests/abi-doc/coverage.sh "$L" | grep '^FAIL: ')
if [ -z "$bad" ]; then pass "abi/coverage-table-cases-passed"
else fail "abi/coverage-table-cases-passed" "$(echo "$bad" | head -3 | tr '\n' ' ')"; fi
exit 0
