#!/usr/bin/env bash
# Scheduler and SMP system tests in Bochs (the acceptance of the SMP issue):
#  - sched-weights.cfg, 1 CPU: weights 1:2:4 get 1/7, 2/7, 4/7 of the CPU;
#  - sched-balance.cfg, 2 CPUs: five equal domUs get 2/5 of a CPU each;
#  - sched-cap.cfg, 1 CPU: a 25% cap set by dom0 through domctl holds (and a
#    domU's control calls are refused), a domain spinning with interrupts
#    off does not stop the others, and a ping-pong pair's wake-ups stay
#    within the documented latency bound under that load;
#  - sched-cap.cfg again with vmx_disable=preemption_timer_save, 1 CPU: the
#    same cap, spinner and latency checks hold when the preemption timer is
#    re-armed before every entry, and the VMX feature block says so
#    (docs/architecture.md, "VMX features");
#  - smp-guest.cfg, 4 CPUs: every CPU starts, a 4-vCPU guest works on all.
# Each domain measures its own share from its runstate (tests/guest/test_share.c).
# Shares are checked within +-5 percentage points, as the issue asks.
#   tests/system/sched.sh OUTDIR [BOOT...]   (images built from build/; only
#                                            the named boots if any are given)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR [BOOT...]}
shift
only=" $* "
wanted() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }
TOLERANCE=50                    # permille
# docs/scheduler.md: a wake-up reaches a blocked vCPU within 500 us of system
# time; Bochs runs the TSC at 60 MHz, and a round trip is two wake-ups.
WAKE_BOUND_TICKS=30000

boot() {                        # boot NAME CPUS TIMEOUT [CONFIG]
    scripts/mkimage.sh --esp "$out/$1.img" --config "${4:-tests/system/$1.cfg}" "${files[@]}" \
        > /dev/null || { echo 1 > "$out/$1.status"; return; }
    scripts/bochs-run.sh --image "$out/$1.img" --serial "$out/$1.log" --cpus "$2" \
        --timeout "$3" > "$out/$1.run" 2>&1
    echo $? > "$out/$1.status"
    sed -i 's/\r$//' "$out/$1.log"
}

# expect_share NAME LOG DOMAIN PERMILLE: the domain's measured share is within
# TOLERANCE of PERMILLE (of one CPU).
expect_share() {
    local got
    got=$(grep -Eo "^\[$3\] share: $3 .* permille [0-9]+" "$2" | grep -Eo '[0-9]+$')
    if [ -z "$got" ]; then
        fail "$1" "no share line from $3 in $2"
    elif [ $((got - $4)) -le $TOLERANCE ] && [ $(($4 - got)) -le $TOLERANCE ]; then
        pass "$1"; echo "  $3: $got permille (expected $4 +-$TOLERANCE)"
    else
        fail "$1" "$3 got $got permille, expected $4 +-$TOLERANCE"
    fi
}

# expect_cpus NAME LOG N: N CPUs reported up, each with its own line.
expect_cpus() {
    expect "$1/all-cpus-up" "$2" "^\(mica\) smp: $3 of $3 CPUs up$"
    for ((cpu = 1; cpu < $3; cpu++)); do
        expect "$1/cpu$cpu-boot-line" "$2" "^\(mica\) cpu $cpu: APIC id [0-9]+ up$"
    done
}

common_checks() {               # common_checks NAME
    local L="$out/$1.log"
    expect_status "$1/powered-off" "$(cat "$out/$1.status")" 0
    expect "$1/cpu0-boot-line" "$L" '^\(mica\) cpu 0: APIC id [0-9]+, the boot CPU, up$'
    expect "$1/summary" "$L" '^\(mica\) summary:$'
    expect_none "$1/no-fault-or-crash" "$L" 'HYPERVISOR FAULT|PANIC|crashed|FAIL'
    expect_frames_returned "$1/every-frame-returned" "$L"
}

if wanted sched-weights; then
boot sched-weights 1 240
common_checks sched-weights
L="$out/sched-weights.log"
expect_share "sched-weights/w1-gets-1/7" "$L" w1 143
expect_share "sched-weights/w2-gets-2/7" "$L" w2 286
expect_share "sched-weights/w4-gets-4/7" "$L" w4 571
fi

if wanted sched-balance; then
boot sched-balance 2 400
common_checks sched-balance
L="$out/sched-balance.log"
expect_cpus sched-balance "$L" 2
for d in e1 e2 e3 e4 e5; do
    expect_share "sched-balance/$d-gets-2/5" "$L" $d 400
done
migrations=$(grep -Eo '^\(mica\) scheduler: [0-9]+ migrations' "$L" | grep -Eo '[0-9]+')
if [ "${migrations:-0}" -gt 0 ]; then pass "sched-balance/vcpus-migrated"; echo "  $migrations migrations"
else fail "sched-balance/vcpus-migrated" "no migrations recorded"; fi
fi

# cap_checks NAME: the sched-cap.cfg checks, on the boot NAME.
cap_checks() {
    common_checks "$1"
    expect_share "$1/capped-at-25%" "$out/$1.log" capped 250
    expect "$1/spinner-ran-with-interrupts-off" "$out/$1.log" '^\[spinner\] share: .*interrupts were off'
    # The spinner never gives the CPU up; the uncapped domain still gets its
    # half of what the cap leaves (3/8, less the ping-pong pair's little).
    expect_share "$1/others-run-beside-the-spinner" "$out/$1.log" free 375
    # dom0 set the cap and the pin at run time and read the domain back; a domU
    # is refused every control call.
    cases=$(grep -Ec '^\[(dom0|denied)\] PASS: control/' "$out/$1.log")
    if [ "$cases" -eq 12 ]; then pass "$1/domctl-sysctl-cases"
    else fail "$1/domctl-sysctl-cases" "$cases of 12 passed"; fi
    grep -E '^\[dom0\] control: ' "$out/$1.log" | sed 's/^/  /'
    rtt=$(grep -Eo 'max_rtt_ticks [0-9]+' "$out/$1.log" | grep -Eo '[0-9]+')
    if [ -z "$rtt" ]; then
        fail "$1/wakeup-latency" "no latency line in $out/$1.log"
    elif [ "$rtt" -le $((2 * WAKE_BOUND_TICKS)) ]; then
        pass "$1/wakeup-latency"; grep -E '^\[ping\] latency:' "$out/$1.log" | sed 's/^/  /'
    else
        fail "$1/wakeup-latency" "worst round trip $rtt ticks > 2 x $WAKE_BOUND_TICKS"
    fi
}

if wanted sched-cap; then
    boot sched-cap 1 240
    cap_checks sched-cap
fi

# The same boot as if the CPU could not save the preemption timer on exit
# (as some nested hypervisors do): re-armed before every entry, the timer must
# still end the spinner's slices and keep the cap and shares.
if wanted sched-cap-rearm; then
    sed 's/^hypervisor .*/& vmx_disable=preemption_timer_save/' tests/system/sched-cap.cfg \
        > "$out/sched-cap-rearm.cfg"
    boot sched-cap-rearm 1 240 "$out/sched-cap-rearm.cfg"
    cap_checks sched-cap-rearm
    L="$out/sched-cap-rearm.log"
    expect "sched-cap-rearm/option-taken" "$L" \
        '^\(mica\) option: vmx_disable=preemption_timer_save \(run as if the CPU lacked it\)$'
    expect "sched-cap-rearm/table-names-cpu" "$L" \
        '^\(mica\) vmx: CPU .*family 0x[0-9a-f]+ model 0x[0-9a-f]+ stepping [0-9]+$'
    expect "sched-cap-rearm/table-needs-line" "$L" '^\(mica\) vmx: needs \(all present\): EPT'
    expect "sched-cap-rearm/table-uses-line" "$L" '^\(mica\) vmx: uses: virtual NMIs, RDTSCP, INVPCID$'
    expect "sched-cap-rearm/table-save-fallback" "$L" \
        '^\(mica\) vmx: does without preemption timer saved on exit \(off by vmx_disable=preemption_timer_save\): the timer is re-armed'
    expect "sched-cap-rearm/table-vpid-unused" "$L" \
        '^\(mica\) vmx: does without VPID \(offered\): not enabled'
    expect_count "sched-cap-rearm/table-printed-once" "$L" '^\(mica\) vmx: CPU ' 1
    # Bit 22 (save VMX-preemption timer value) is off in the exit controls.
    exitctl=$(grep -Eo '^\(mica\) vmx: on .* exit 0x[0-9a-f]+' "$L" | grep -Eo '0x[0-9a-f]+$')
    if [ -n "$exitctl" ] && [ $((exitctl & (1 << 22))) -eq 0 ]; then pass "sched-cap-rearm/save-control-off"
    else fail "sched-cap-rearm/save-control-off" "exit controls '${exitctl}'"; fi
fi
exit 0
