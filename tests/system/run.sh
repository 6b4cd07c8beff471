#!/usr/bin/env bash
# System tests: boot whole images in emulators and check the serial logs.
#  - Bochs (VMX + EPT): three domains plus a corrupt one, in one boot; the
#    ABI cases; inter-domain channels and grants.
#  - Bochs with 1, 2 and 4 CPUs: the scheduler's shares, caps, balancing and
#    wake-up latency, and multi-vCPU guests (tests/system/sched.sh).
#  - Bochs: the ABI conformance suite as dom0 and as a domU
#    (tests/system/conformance.sh), the hypercall and instruction fuzzers
#    and their leak check on 4 CPUs (tests/system/fuzz.sh), and hostile
#    domains on 2 CPUs (tests/system/hostile.sh).
#  - Bochs with 2 CPUs: the watchdog reports a CPU hung in the hypervisor
#    (selftest=watchdog, tests/system/watchdog.cfg) and powers off.
#  - Bochs with 2 CPUs: the last domain powers off from one vCPU while the
#    other is in guest mode on the other CPU, and the run still ends
#    (tests/system/shutdown-running.cfg).
#  - Bochs with 1 and 2 CPUs: CR8, string I/O, and every row of the CPU-state
#    table staying each domain's own across switches and migrations
#    (tests/system/cpu-state.sh).
#  - Bochs: dom0's PCI list and ATA driver on a disk image attached as
#    ata1-master, written in one boot and read back in the next
#    (tests/system/disk.sh).
#  - Bochs with a second disk and an e1000: dom0 owns the devices, the
#    hypervisor's ports and BAR placement over RAM are refused, a domU
#    reaches no device (tests/system/devices.sh); dom0's reboot resets the
#    machine (tests/system/reboot.sh).
#  - Bochs: dom0's e1000 against Bochs's vnet host: DHCP, 1,000 echo
#    requests polled and 1,000 by interrupt without loss, the card's
#    counters and interrupt causes against the driver's (tests/system/net.sh).
#  - Bochs: dom0's boot modules, read from its modules= folder, listed in
#    its start info and found by dom0 with their sizes (tests/system/modules.sh).
#  - Bochs: dom0's toolstack, from a script: domains created at run time
#    from boot modules, limits refused by name, pause, reaping on
#    VIRQ_DOM_EXC, 100 create/destroy cycles (tests/system/toolstack.sh).
#  - Bochs: dom0's xenstore daemon: a domU runs the store's suite over
#    its ring (every request type, permissions, transactions, watches,
#    quotas, a hostile header), another sends its index wild; dom0 stays
#    up and the domUs' nodes go with them (tests/system/xenstore.sh).
#  - Bochs with COM1 on a loopback socket: a person's session at dom0's
#    shell: line editing, history, domains created, paused, reaped and
#    destroyed (tests/system/serial.sh, tests/system/serial_session.py);
#    and 20 domUs at once: list, top's CPU shares against the weights,
#    pause, destroy, every frame back (tests/system/control.sh).
#  - Bochs: every HVM image of the Xen Test Framework (built from its
#    tarball, cached in build/xtf/), unmodified, as domUs beside a dom0 that
#    stays up: SUCCESS, or SKIP for a listed reason (tests/system/xtf.sh);
#    three boots on one core, one on the other.
#  - Bochs with a Nehalem CPU (no unrestricted guest): refused by name, with
#    the CPU named (tests/system/vmx-refusal.sh);
#  - QEMU TCG (no VMX): Mica refuses cleanly, naming VMX and the CPU; with
#    an SPCR naming COM2 added to QEMU's ACPI tables, the console moves
#    there (tests/system/spcr.sh); the loader reports a bad
#    configuration line, a missing kernel file, a kernel path naming a
#    directory and a missing modules folder, then returns to the firmware.
# Bochs uses one core and the QEMU runs the other, so both run at once.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=$B/system
rm -rf "$out"
mkdir -p "$out"

# timed NAME COMMAND...: run it, adding "NAME SECONDS" (its wall time) to
# $out/timings, so a slow step shows where make test's time goes.
timed() {
    local name=$1 start=$SECONDS status
    shift
    "$@"
    status=$?
    echo "$name $((SECONDS - start))" >> "$out/timings"
    return $status
}

# A kernel cut off inside its program headers: must be refused by name.
head -c 100 $B/domu.elf > "$out/corrupt.elf"
scripts/mkimage.sh --esp "$out/three.img" --config tests/system/three-domains.cfg \
    "${files[@]}" "$out/corrupt.elf" || exit 1
printf 'domain name=dom0 kernel=dom0.elf memory=32 privileged=yes\nhypervisor timeslice_ms=5\ndomain name=x kernel=domu.elf memory=lots\n' \
    > "$out/badline.cfg"
printf 'domain name=dom0 kernel=dom0.elf memory=32 privileged=yes\ndomain name=ghost kernel=ghost.elf memory=16\n' \
    > "$out/missing.cfg"
printf 'hypervisor selftest=fault\ndomain name=dom0 kernel=dom0.elf memory=32 privileged=yes\n' > "$out/fault.cfg"
scripts/mkimage.sh --esp "$out/fault.img" --config "$out/fault.cfg" "${files[@]}" || exit 1
scripts/mkimage.sh --esp "$out/badline.img" --config "$out/badline.cfg" "${files[@]}" || exit 1
scripts/mkimage.sh --esp "$out/missing.img" --config "$out/missing.cfg" "${files[@]}" || exit 1
printf 'domain name=dom0 kernel=dom0.elf memory=32 privileged=yes\ndomain name=d kernel=kernels memory=16\n' \
    > "$out/dirkernel.cfg"
scripts/mkimage.sh --esp "$out/dirkernel.img" --config "$out/dirkernel.cfg" "${files[@]}" || exit 1
mmd -i "$out/dirkernel.img" ::/kernels || exit 1
printf 'domain name=dom0 kernel=dom0.elf memory=32 privileged=yes modules=nothere\n' \
    > "$out/nomodules.cfg"
scripts/mkimage.sh --esp "$out/nomodules.img" --config "$out/nomodules.cfg" "${files[@]}" || exit 1

scripts/mkimage.sh --esp "$out/abi.img" --config tests/system/abi.cfg "${files[@]}" || exit 1
scripts/mkimage.sh --esp "$out/ipc.img" --config tests/system/ipc.cfg "${files[@]}" || exit 1
scripts/mkimage.sh --esp "$out/smp.img" --config tests/system/smp-guest.cfg "${files[@]}" || exit 1
scripts/mkimage.sh --esp "$out/watchdog.img" --config tests/system/watchdog.cfg "${files[@]}" || exit 1
scripts/mkimage.sh --esp "$out/shutdown-running.img" --config tests/system/shutdown-running.cfg \
    "${files[@]}" || exit 1

# The Bochs boots one after the other on one core; the QEMU runs on the other.
(
    timed three scripts/bochs-run.sh --image "$out/three.img" --serial "$out/three.log" --timeout 240 \
        > "$out/three.run" 2>&1
    echo $? > "$out/three.status"
    timed abi scripts/bochs-run.sh --image "$out/abi.img" --serial "$out/abi.log" --timeout 300 \
        > "$out/abi.run" 2>&1
    echo $? > "$out/abi.status"
    timed ipc scripts/bochs-run.sh --image "$out/ipc.img" --serial "$out/ipc.log" --timeout 400 \
        > "$out/ipc.run" 2>&1
    echo $? > "$out/ipc.status"
    timed smp scripts/bochs-run.sh --image "$out/smp.img" --serial "$out/smp.log" --cpus 4 --timeout 300 \
        > "$out/smp.run" 2>&1
    echo $? > "$out/smp.status"
    timed watchdog scripts/bochs-run.sh --image "$out/watchdog.img" --serial "$out/watchdog.log" --cpus 2 \
        --timeout 120 > "$out/watchdog.run" 2>&1
    echo $? > "$out/watchdog.status"
    timed shutdown-running scripts/bochs-run.sh --image "$out/shutdown-running.img" --serial "$out/shutdown-running.log" \
        --cpus 2 --timeout 120 > "$out/shutdown-running.run" 2>&1
    echo $? > "$out/shutdown-running.status"
    # The benchmark guests still run and produce every figure (few repetitions).
    timed bench-check scripts/bench.sh --check > "$out/bench.check" 2>&1
    # The ABI conformance suite, as dom0 and as a domU (tests/system/conformance.sh).
    timed conformance tests/system/conformance.sh "$out" > "$out/conformance.results" 2>&1
    # A CPU model without unrestricted guest is refused by name (about 40 s).
    timed vmx-refusal tests/system/vmx-refusal.sh "$out" > "$out/vmx-refusal.results" 2>&1
    # The fuzzers on 4 CPUs: 130,000 calls and 1,050,000 instructions, with replays.
    timed fuzz tests/system/fuzz.sh "$out" > "$out/fuzz.results" 2>&1
    # Three of the four boots of XTF images (tests/system/xtf.sh); the other
    # core, whose steps take longer, boots the fourth.
    timed xtf-a tests/system/xtf.sh "$out" boot 0,1,2 > "$out/xtf-boot-a.log" 2>&1
) &
bochs_pid=$!

# XTF's HVM images build (cached in build/xtf/) while QEMU waits in firmware menus.
timed xtf-build scripts/xtf-build.sh > "$out/xtf-build.log" 2>&1 &
xtf_build_pid=$!

timed qemu-novmx scripts/qemu-run.sh --tcg --cpus 2 --image $B/esp.img --serial "$out/novmx.log" --timeout 60 \
    > "$out/novmx.run" 2>&1
novmx_status=$?
# The console moved to the UART an ACPI SPCR names (tests/system/spcr.sh).
timed spcr tests/system/spcr.sh "$out" > "$out/spcr.results" 2>&1
# The loader's error paths return to the firmware, which then waits in its menu:
# the timeout (status 124) is the expected end of these two runs.
timed qemu-badline scripts/qemu-run.sh --tcg --image "$out/badline.img" --serial "$out/badline.log" --timeout 20 \
    > "$out/badline.run" 2>&1
timed qemu-missing scripts/qemu-run.sh --tcg --image "$out/missing.img" --serial "$out/missing.log" --timeout 20 \
    > "$out/missing.run" 2>&1
timed qemu-dirkernel scripts/qemu-run.sh --tcg --image "$out/dirkernel.img" --serial "$out/dirkernel.log" --timeout 20 \
    > "$out/dirkernel.run" 2>&1
timed qemu-nomodules scripts/qemu-run.sh --tcg --image "$out/nomodules.img" --serial "$out/nomodules.log" --timeout 20 \
    > "$out/nomodules.run" 2>&1
# After its fault report the hypervisor halts for good: the timeout ends this run too.
timed qemu-fault scripts/qemu-run.sh --tcg --image "$out/fault.img" --serial "$out/fault.log" --timeout 20 \
    > "$out/fault.run" 2>&1

# Then the scheduler and SMP boots (tests/system/sched.sh), the hostile
# domains (tests/system/hostile.sh), the CPU-state boots
# (tests/system/cpu-state.sh), the disk boots (tests/system/disk.sh), the
# device-ownership boot (tests/system/devices.sh) and the network boot
# (tests/system/net.sh), dom0's boot modules (tests/system/modules.sh) and
# its toolstack (tests/system/toolstack.sh) and xenstore (tests/system/xenstore.sh)
# use this core.
timed sched tests/system/sched.sh "$out" > "$out/sched.results" 2>&1
timed hostile tests/system/hostile.sh "$out" > "$out/hostile.results" 2>&1
timed cpu-state tests/system/cpu-state.sh "$out" > "$out/cpu-state.results" 2>&1
timed disk tests/system/disk.sh "$out" > "$out/disk.results" 2>&1
timed devices tests/system/devices.sh "$out" > "$out/devices.results" 2>&1
timed reboot tests/system/reboot.sh "$out" > "$out/reboot.results" 2>&1
timed net tests/system/net.sh "$out" > "$out/net.results" 2>&1
timed modules tests/system/modules.sh "$out" > "$out/modules.results" 2>&1
timed toolstack tests/system/toolstack.sh "$out" > "$out/toolstack.results" 2>&1
timed xenstore tests/system/xenstore.sh "$out" > "$out/xenstore.results" 2>&1
timed serial tests/system/serial.sh "$out" > "$out/serial.results" 2>&1
timed control tests/system/control.sh "$out" > "$out/control.results" 2>&1
wait $xtf_build_pid
timed xtf-b tests/system/xtf.sh "$out" boot 3 > "$out/xtf-boot-b.log" 2>&1

wait $bochs_pid
timed xtf-check tests/system/xtf.sh "$out" check > "$out/xtf.results" 2>&1
bochs_status=$(cat "$out/three.status")
# The consoles end lines with CR LF; compare lines without the CR.
sed -i 's/\r$//' "$out"/*.log

# --- Bochs: three domains ---------------------------------------------------
L="$out/three.log"
expect_status "bochs/powered-off" $bochs_status 0
expect "bochs/vmx-on" "$L" '^\(mica\) vmx: on'
expect "bochs/dom0-is-privileged" "$L" "domain 'dom0' id 0: .*privileged \(dom0\)"
expect "bochs/dom0-hello" "$L" '^\[dom0\] hello from dom0$'
expect "bochs/domu1-hello" "$L" '^\[domu1\] hello from domu1$'
expect "bochs/probe-reads-beyond-ram" "$L" '^\[probe\] ept-probe: reading 0x1000000$'
expect "bochs/probe-crashed-by-ept-violation" "$L" \
    "^\(mica\) domain 'probe' \(id [0-9]+\) crashed: EPT violation: read of GPA 0x1000000 .*at RIP 0x"
expect_none "bochs/probe-read-did-not-return" "$L" 'ept-probe: FAIL'
expect_count "bochs/unbacked-cases-passed" "$L" '^\[unbacked\] PASS: unbacked/' 18
expect_none "bochs/unbacked-no-case-failed" "$L" '^\[unbacked\] FAIL'
expect "bochs/unbacked-inc-crashes-with-reason" "$L" \
    "^\(mica\) domain 'unbacked' \(id [0-9]+\) crashed: EPT violation: (read|write) of GPA 0xfed00000 \(linear 0xfed00000\): cannot complete it \(not a MOV, MOVZX, MOVSX or BT with a memory operand; bytes ff 03 "
expect_count "bochs/vlapic-cases-passed" "$L" '^\[vlapic\] PASS: vlapic/' 44
expect_none "bochs/vlapic-no-case-failed" "$L" '^\[vlapic\] FAIL'
expect "bochs/vlapic-done" "$L" '^\[vlapic\] vlapic: done$'
expect "bochs/summary-vlapic" "$L" '^\(mica\)   domain vlapic +id [0-9]+ +shut down \(poweroff\)$'
expect "bochs/corrupt-refused-by-name" "$L" "^\(mica\) domain 'corrupt' refused: "
expect "bochs/triple-fault-crashes-domain" "$L" \
    "^\(mica\) domain 'tripler' \(id [0-9]+\) crashed: triple fault at RIP 0x"
expect "bochs/halted-domain-crashed-at-end" "$L" \
    "^\(mica\) domain 'sleeper' \(id [0-9]+\) crashed: every vCPU blocked with nothing that can wake it"
expect "bochs/summary-tripler" "$L" '^\(mica\)   domain tripler +id [0-9]+ +crashed: triple fault'
expect "bochs/summary-sleeper" "$L" '^\(mica\)   domain sleeper +id [0-9]+ +crashed: every vCPU blocked'
expect "bochs/summary-dom0" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect "bochs/summary-domu1" "$L" '^\(mica\)   domain domu1 +id [0-9]+ +shut down \(poweroff\)$'
expect "bochs/summary-probe" "$L" '^\(mica\)   domain probe +id [0-9]+ +crashed: EPT violation'
expect "bochs/summary-corrupt" "$L" '^\(mica\)   domain corrupt +refused: '
expect_frames_returned "bochs/every-frame-returned" "$L"
expect_none "bochs/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC'
# The guest's own hypercall error cases, one line each.
cases=$(grep -Ec '^\[dom0\] (PASS|FAIL): hc/' "$L")
if [ "$cases" -ge 15 ]; then pass "bochs/hypercall-cases-ran"; else fail "bochs/hypercall-cases-ran" "$cases cases"; fi
grep -E '^\[dom0\] (PASS|FAIL): hc/' "$L" | sed -E 's/^\[dom0\] (PASS|FAIL): hc\//\1: guest\/hc\//'
# Tracing (docs/boot-config.md): trace=errors names the check behind every
# error dom0's cases provoke; domu1 alone has trace=hypercalls.
expect "trace/errors-option" "$L" '^\(mica\) option: trace=errors'
expect "trace/error-site-dispatch" "$L" \
    '^\(mica\) trace: d0v0 hypercall [0-9]+: error -38 \(ENOSYS\) at hv/hypercall\.c:[0-9]+$'
expect "trace/error-site-subop" "$L" \
    '^\(mica\) trace: d0v0 xen_version op [0-9]+: error -14 \(EFAULT\) at [a-z0-9_/]+\.c:[0-9]+$'
expect_none "trace/every-error-has-a-site" "$L" '^\(mica\) trace: .*unrecorded site'
expect "trace/domu1-calls" "$L" \
    '^\(mica\) trace: d1v0 event_channel_op op [0-9]+ \(0x[0-9a-f]+(, 0x[0-9a-f]+){4}\) = -?[0-9]+$'
expect_none "trace/untraced-domains-quiet" "$L" '^\(mica\) trace: d[02-9]v[0-9]+ .*\) = -?[0-9]+$'
expect_none "trace/off-by-default" "$out/abi.log" 'trace: '

# --- Bochs: the Xen-PVH ABI (tests/system/abi.cfg) --------------------------------
L="$out/abi.log"
expect_status "abi/powered-off" "$(cat "$out/abi.status")" 0
expect "abi/dom0-cases-done" "$L" '^\[dom0\] abi: done$'
expect_none "abi/no-guest-exception" "$L" 'guest exception|HYPERVISOR FAULT|PANIC|crashed'
cases=$(grep -Ec '^\[dom0\] (PASS|FAIL): (hc|abi)/' "$L")
if [ "$cases" -ge 40 ]; then pass "abi/dom0-case-count"; else fail "abi/dom0-case-count" "$cases cases"; fi
grep -E '^\[dom0\] (PASS|FAIL): (hc|abi)/' "$L" | sed -E 's/^\[dom0\] (PASS|FAIL): /\1: guest\//'
# Wall clock: the guests' view matches this machine's clock (Bochs starts its
# RTC at the host time) within a day.
if wc=$(grep -Eom1 '^\[dom0\] wallclock: [0-9]+' "$L" | grep -Eo '[0-9]+$'); then
    now=$(date +%s)
    if [ $(( wc > now ? wc - now : now - wc )) -le 86400 ]; then pass "abi/wallclock"
    else fail "abi/wallclock" "guest says $wc, host says $now"; fi
else
    fail "abi/wallclock" "no wallclock line"
fi
# Console rings: every line of both domUs arrives whole, none torn by the other.
for d in domu1 domu2; do
    n=$(grep -Ec "^\[$d\] line [0-9]+ of $d: the quick brown fox jumps over the lazy dog 0123456789 ABCDE$" "$L")
    if [ "$n" -eq 20 ]; then pass "abi/$d-ring-lines-whole"; else fail "abi/$d-ring-lines-whole" "$n of 20"; fi
done
expect "abi/dom0-console-io" "$L" '^\[dom0\] console_io returns the count$'
# Timers: 50 sleeps of 100 ms, pvclock and TSC agreeing within 1%, none early.
sleeps=$(grep -Ec '^\[sleeper\] PASS: sleep/[0-9]+ ' "$L")
if [ "$sleeps" -eq 50 ]; then pass "abi/sleep-50-timed"; else fail "abi/sleep-50-timed" "$sleeps of 50 passed"; fi
grep -E '^\[sleeper\] FAIL: sleep/' "$L" | sed -E 's/^\[sleeper\] FAIL: /FAIL: guest\//'
expect "abi/sleep-done" "$L" '^\[sleeper\] sleep: done$'
for d in dom0 domu1 domu2 sleeper; do
    expect "abi/summary-$d" "$L" "^\(mica\)   domain $d +id [0-9]+ +shut down \(poweroff\)$"
done
expect_frames_returned "abi/every-frame-returned" "$L"

# --- Bochs: inter-domain channels and grants (tests/system/ipc.cfg) -------------
L="$out/ipc.log"
expect_status "ipc/powered-off" "$(cat "$out/ipc.status")" 0
grep -E '^\[[a-z0-9-]+\] (PASS|FAIL): ipc/' "$L" | sed -E 's/^\[([a-z0-9-]+)\] (PASS|FAIL): ipc\/(.*)$/\2: guest\/\1\/\3/'
cases=$(grep -Ec '^\[[a-z0-9-]+\] PASS: ipc/' "$L")
if [ "$cases" -ge 65 ]; then pass "ipc/case-count"; else fail "ipc/case-count" "$cases passed"; fi
expect "ipc/ring-10000-round-trips" "$L" '^\[ring-client\] PASS: ipc/ring-client 10000 round trips$'
expect "ipc/ring-10000-requests-served" "$L" '^\[ring-server\] PASS: ipc/ring-server 10000 requests$'
sums=$(grep -Eo 'ipc/copy-checksum 0x[0-9a-f]+' "$L" | sort -u)
if [ "$(echo "$sums" | wc -l)" -eq 1 ] && [ "$(grep -c 'ipc/copy-checksum' "$L")" -eq 2 ]; then
    pass "ipc/copy-1MiB-checksums-match"
else
    fail "ipc/copy-1MiB-checksums-match" "$(echo $sums)"
fi
expect "ipc/orphan-page-intact-after-granter-died" "$L" '^\[orphan-mapper\] PASS: ipc/orphan-intact$'
expect "ipc/granter-ends-grant-after-mapper-died" "$L" '^\[lt-granter\] PASS: ipc/lifetime-end-after-mapper-died$'
expect "ipc/ro-writer-crashed-alone" "$L" \
    "^\(mica\) domain 'ro-writer' \(id [0-9]+\) crashed: EPT violation: write of GPA "
expect_count "ipc/only-the-writer-crashed" "$L" "^\(mica\) domain '[^']+' \(id [0-9]+\) crashed" 1
expect_count "ipc/eleven-domains-powered-off" "$L" '^\(mica\)   domain [a-z0-9-]+ +id [0-9]+ +shut down \(poweroff\)$' 11
expect_frames_returned "ipc/every-frame-returned" "$L"

# --- Bochs, 4 CPUs: multi-vCPU domains (tests/system/smp-guest.cfg) -------------
L="$out/smp.log"
expect "smp/all-4-cpus-up" "$L" '^\(mica\) smp: 4 of 4 CPUs up$'
for cpu in 1 2 3; do
    expect "smp/cpu$cpu-boot-line" "$L" "^\(mica\) cpu $cpu: APIC id [0-9]+ up$"
done
expect_status "smp/powered-off" "$(cat "$out/smp.status")" 0
# The production dom0 lists what it owns: the ESP's disk, no network card.
expect "smp/production-dom0-probes-its-devices" "$L" '^\[dom0\] dom0: 1 disk, 0 network cards$'
expect_none "smp/production-dom0-refused-nothing" "$L" '^\(mica\) trace: d0v[0-9]+ .*refused'
expect "smp/domain-has-4-vcpus" "$L" "^\(mica\) domain 'smp' id [0-9]+: .*, 4 vCPUs$"
grep -E '^\[smp\] (PASS|FAIL): smp/' "$L" | sed -E 's/^\[smp\] (PASS|FAIL): /\1: guest\//'
cases=$(grep -Ec '^\[smp\] PASS: smp/' "$L")
if [ "$cases" -ge 90 ]; then pass "smp/case-count"; else fail "smp/case-count" "$cases passed"; fi
expect "smp/cases-done" "$L" '^\[smp\] smp: done$'
# The last vCPU up going down ends the domain with poweroff (Xen's rule).
expect "smp/last-vcpu-down-powers-off" "$L" '^\(mica\)   domain smp +id [0-9]+ +shut down \(poweroff\)$'
# The CPU-bound load reports from its own runstate every 200 ms, then powers off.
for i in 0 1; do
    hog=$(grep -Ec "^\[hog\] hog: hog vcpu $i running_ns [0-9]+ now_ns [0-9]+$" "$L")
    if [ "$hog" -ge 3 ]; then pass "smp/hog-vcpu$i-reports"
    else fail "smp/hog-vcpu$i-reports" "$hog lines from vCPU $i"; fi
done
expect "smp/hog-done" "$L" '^\[hog\] hog: hog done$'
expect "smp/hog-powered-off" "$L" '^\(mica\)   domain hog +id [0-9]+ +shut down \(poweroff\)$'
expect_none "smp/no-fault-or-crash" "$L" 'guest exception|HYPERVISOR FAULT|PANIC|crashed|FAIL'
expect_frames_returned "smp/every-frame-returned" "$L"

# --- Bochs, 2 CPUs: the watchdog (tests/system/watchdog.cfg) ----------------------
# CPU 1 hangs holding the hypervisor lock; CPU 0, waiting for it, reports.
L="$out/watchdog.log"
expect "watchdog/option-too-small-ignored" "$L" \
    "^\(mica\) option 'watchdog_ms=50' ignored: watchdog_ms takes 0 \(off\) or 500\.\.600000$"
expect "watchdog/option-not-a-number-ignored" "$L" "^\(mica\) option 'watchdog_ms=5x' ignored: "
expect "watchdog/on" "$L" '^\(mica\) watchdog: 500 ms, each of 2 CPUs checks the others$'
expect "watchdog/selftest-hangs" "$L" '^\(mica\) selftest: cpu 1 hangs in the hypervisor with its lock held$'
expect "watchdog/names-the-cpu" "$L" '^\(mica\) WATCHDOG: cpu 1 made no progress for [0-9]+ ms \(watchdog_ms=500\)$'
expect "watchdog/stalled-cpu-state" "$L" \
    '^\(mica\)   cpu 1: selftest=watchdog: spinning with interrupts off, holding the hypervisor lock; no progress for [0-9]+ ms \(STALLED\)$'
expect "watchdog/reporter-waits-for-lock" "$L" \
    '^\(mica\)   cpu 0: waiting for the hypervisor lock \(held by cpu 1\) \(this CPU, reporting\)$'
expect "watchdog/nmi-answered" "$L" "^\(mica\) cpu 1 at the watchdog's NMI \(selftest=watchdog"
expect "watchdog/backtrace-names-selftest" "$L" '^\(mica\)   #0 0x[0-9a-f]+ watchdog_selftest_hang\+0x'
expect "watchdog/backtrace-names-caller" "$L" '^\(mica\)   #1 0x[0-9a-f]+ sched_cpu_loop\+0x'
expect "watchdog/powering-off" "$L" '^\(mica\) powering off$'
expect_status "watchdog/powered-off" "$(cat "$out/watchdog.status")" 0
expect_none "watchdog/no-fault-or-panic" "$L" 'HYPERVISOR FAULT|PANIC'
# It must not fire in any other boot where it runs (those with 2 or more CPUs).
watched=0
for log in "$out"/*.log; do
    [ "$log" != "$L" ] && grep -Eq '^\(mica\) watchdog: [0-9]+ ms, each of' "$log" || continue
    watched=$((watched + 1))
    expect_none "watchdog/silent-in-$(basename "$log" .log)" "$log" 'WATCHDOG'
done
if [ "$watched" -ge 4 ]; then pass "watchdog/on-in-the-smp-boots"
else fail "watchdog/on-in-the-smp-boots" "on in $watched other boots, expected 4 or more"; fi

# --- Bochs, 2 CPUs: the last domain powers off with a vCPU still on the other CPU --
# (tests/system/shutdown-running.cfg). This used to hang: the CPU that took the
# shutdown kept the hypervisor lock, going round its scheduling loop until the
# other CPU, which needed the lock, had put that vCPU. The watchdog checks it too.
L="$out/shutdown-running.log"
expect "shutdown-running/leaves-a-vcpu-running" "$L" \
    '^\[leaver\] hog: leaver powers off with 1 other vcpus running$'
expect "shutdown-running/run-ends" "$L" '^\(mica\) all domains have ended; free frames: '
expect "shutdown-running/leaver-shut-down" "$L" '^\(mica\)   domain leaver +id [0-9]+ +shut down \(poweroff\)$'
expect_frames_returned "shutdown-running/frames-returned" "$L"
expect_status "shutdown-running/powered-off" "$(cat "$out/shutdown-running.status")" 0

# --- Bochs: the benchmark guests (scripts/bench.sh --check) -----------------------
grep -E '^(PASS|FAIL): bench/' "$out/bench.check" || fail "bench/check-ran" "no result lines in $out/bench.check"

# --- Bochs, Nehalem CPU: no unrestricted guest, refused (tests/system/vmx-refusal.sh) ---
cat "$out/vmx-refusal.results"

# --- QEMU TCG: no VMX ---------------------------------------------------------
L="$out/novmx.log"
expect_status "qemu-tcg/powered-off" $novmx_status 0
expect "qemu-tcg/names-missing-vmx" "$L" '^\(mica\) VMX unusable: VMX \(CPUID.1:ECX.VMX\[bit 5\] = 0\) missing'
expect "qemu-tcg/powering-off" "$L" '^\(mica\) powering off$'
# QEMU publishes ACPI tables: the CPUs come from its MADT (found before VMX is needed).
expect "qemu-tcg/madt-lists-2-cpus" "$L" '^\(mica\) smp: ACPI MADT lists 2 enabled CPUs$'
expect_none "qemu-tcg/no-domain-started" "$L" 'hello from|HYPERVISOR FAULT|PANIC'

# --- QEMU TCG: the serial console from an ACPI SPCR (tests/system/spcr.sh) ---
cat "$out/spcr.results"

# --- QEMU TCG: loader errors ------------------------------------------------
expect "loader/bad-config-line" "$out/badline.log" 'mica\.cfg:3: .*memory'
expect_none "loader/bad-config-no-hypervisor" "$out/badline.log" '\(mica\) Mica hypervisor starting'
expect "loader/missing-kernel-named" "$out/missing.log" "mica\.cfg:2: .*ghost\.elf"
expect_none "loader/missing-kernel-no-hypervisor" "$out/missing.log" '\(mica\) Mica hypervisor starting'
expect "loader/directory-kernel-named" "$out/dirkernel.log" "mica\.cfg:2: cannot read 'kernels': is a directory"
expect_none "loader/directory-kernel-no-hypervisor" "$out/dirkernel.log" '\(mica\) Mica hypervisor starting'
expect "loader/missing-modules-folder-named" "$out/nomodules.log" \
    "mica\.cfg:1: cannot open modules folder 'nothere': Not Found"
expect_none "loader/missing-modules-folder-no-hypervisor" "$out/nomodules.log" '\(mica\) Mica hypervisor starting'

# --- Bochs: the ABI conformance suite (tests/system/conformance.sh) ------------------
cat "$out/conformance.results"

# --- Bochs, 4 CPUs: the hypercall and instruction fuzzers, leak check (tests/system/fuzz.sh) ---
cat "$out/fuzz.results"

# --- Bochs: scheduler and SMP (tests/system/sched.sh) -----------------------------
cat "$out/sched.results"

# --- Bochs, 2 CPUs: hostile domains affect only themselves (tests/system/hostile.sh) ---
cat "$out/hostile.results"

# --- Bochs, 1 and 2 CPUs: CR8, string I/O, CPU state per domain (tests/system/cpu-state.sh) ---
cat "$out/cpu-state.results"

# --- Bochs: PCI list, ATA disk by DMA, persistence across boots (tests/system/disk.sh) ---
cat "$out/disk.results"

# --- Bochs: dom0 owns the devices, a domU none (tests/system/devices.sh) --------
cat "$out/devices.results"

# --- Bochs: dom0's reboot resets the machine (tests/system/reboot.sh) ---------
cat "$out/reboot.results"

# --- Bochs: dom0's e1000 and network stack against vnet (tests/system/net.sh) ---
cat "$out/net.results"

# --- Bochs: dom0's boot modules (tests/system/modules.sh) ------------------------
cat "$out/modules.results"

# --- Bochs: dom0's toolstack builds domains at run time (tests/system/toolstack.sh) ---
cat "$out/toolstack.results"

# --- Bochs: dom0's xenstore serves a domU's ring (tests/system/xenstore.sh) ---
cat "$out/xenstore.results"

# --- Bochs: a session at dom0's shell over the serial line (tests/system/serial.sh) ---
cat "$out/serial.results"

# --- Bochs: 20 domUs created, watched, paused and destroyed at the shell (tests/system/control.sh) ---
cat "$out/control.results"

# --- Bochs: the Xen Test Framework's HVM images as domUs (tests/system/xtf.sh) ---
cat "$out/xtf.results"

# --- QEMU TCG: a fault in the hypervisor explains itself ------------------------
L="$out/fault.log"
expect "hv-fault/vector-named" "$L" '^\(mica\) HYPERVISOR FAULT on cpu 0: vector 14 \(#PF page fault\), error code 0x0$'
expect "hv-fault/cr2" "$L" '^\(mica\)   cr2 0000000000000010$'
expect "hv-fault/registers" "$L" '^\(mica\)   rax [0-9a-f]{16} rbx [0-9a-f]{16}'
expect "hv-fault/rip-symbolised" "$L" '^\(mica\)   #0 0x[0-9a-f]+ selftest_fault\+0x'
expect "hv-fault/caller-symbolised" "$L" '^\(mica\)   #1 0x[0-9a-f]+ hv_main\+0x'
expect "hv-fault/halts" "$L" '^\(mica\) halting: hypervisor fault$'
exit 0
