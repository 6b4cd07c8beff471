#!/usr/bin/env bash
# dom0's toolstack (docs/toolstack.md), one Bochs boot: dom0 runs a script
# (a boot module) that creates domains at run time from boot modules,
# lists them, is refused creates that break a limit (each error names the
# resource), pauses a CPU hog and sees its CPU time stop, unpauses it,
# reboots a domain (the shell creates it again from its line), sees one
# crash (reported with the hypervisor's reason, and reaped),
# sets a domU's memory target down to 8 MiB and back (its balloon driver
# follows memory/target; list shows it), is refused targets out of range,
# creates one with unbacked=crash that reads past its RAM (crashed, as
# at boot), runs a domU that balloons 4 MiB out, down to its floor and back,
# waits for one domain to power off by itself (VIRQ_DOM_EXC: dom0 reports
# why and reaps it), shuts the other down, runs 100 create/destroy
# cycles, and checks that the free frames are back where they started.
#   tests/system/toolstack.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/toolstack.log"
S="$out/toolstack.txt"
CYCLES=100
{
    echo "info"
    echo "create name=web kernel=domu.elf memory=16 cmdline=\"name=web\""
    echo "create name=hog kernel=domu-test.elf memory=8 cmdline=\"name=hog test=cpu-hog seconds=30\""
    echo "list"
    echo "wait web 60"
    echo "sleep 300"
    echo "info"
    echo "# refusals: each names the resource, and nothing changes"
    echo "create name=hog kernel=domu.elf memory=16"
    echo "create name=big kernel=domu.elf memory=4096"
    echo "create name=many kernel=domu.elf memory=4 vcpus=9"
    echo "create name=off kernel=domu.elf memory=4 cpus=7"
    echo "create name=nokernel kernel=nothere.elf memory=4"
    echo "create name=dom0again kernel=domu.elf memory=4 privileged=yes"
    echo "frobnicate"
    echo "info"
    echo "pause hog"
    echo "list"
    echo "sleep 300"
    echo "list"
    echo "unpause hog"
    echo "sleep 300"
    echo "list"
    echo "shutdown hog"
    echo "wait hog 60"
    echo "list"
    echo "create name=rb kernel=domu-test.elf memory=4 cmdline=\"name=rb test=idle\""
    echo "sleep 200"
    echo "reboot rb"
    echo "sleep 500"
    echo "list"
    echo "destroy rb"
    echo "create name=tripler kernel=domu-test.elf memory=4 cmdline=\"name=tripler test=triple-fault\""
    echo "wait tripler 60"
    echo "create name=bal kernel=domu-test.elf memory=16 cmdline=\"name=bal test=balloon\""
    echo "wait bal 60"
    echo "create name=strict kernel=domu-test.elf memory=4 unbacked=crash cmdline=\"name=strict test=ept-probe\""
    echo "wait strict 60"
    echo "# mem-set: the domain's balloon follows memory/target down and back up"
    echo "create name=follow kernel=domu-test.elf memory=16 cmdline=\"name=follow test=balloon-follow\""
    echo "sleep 500"
    echo "mem-set follow 8"
    echo "sleep 1000"
    echo "list"
    echo "mem-set follow 16"
    echo "sleep 1000"
    echo "list"
    echo "mem-set follow 32"
    echo "mem-set follow 1"
    echo "mem-set dom0 8"
    echo "destroy follow"
    echo "info"                 # the free frames before the cycles
    for i in $(seq 1 $CYCLES); do
        echo "create name=cycle$i kernel=domu.elf memory=4"
        echo "destroy cycle$i"
    done
    echo "info"
    echo "dmesg 2000"
    echo "poweroff"
} > "$S"
{
    scripts/mkimage.sh --esp "$out/toolstack.img" --config tests/system/toolstack.cfg "${files[@]}" &&
    mmd -i "$out/toolstack.img" ::/images &&
    mcopy -i "$out/toolstack.img" "$B/domu.elf" ::/images/domu.elf &&
    mcopy -i "$out/toolstack.img" "$B/domu-test.elf" ::/images/domu-test.elf &&
    mcopy -i "$out/toolstack.img" "$S" ::/images/toolstack.txt
} > /dev/null || { fail "toolstack/image" "mkimage failed"; exit 0; }
scripts/bochs-run.sh --image "$out/toolstack.img" --serial "$L" --timeout 600 \
    > "$out/toolstack.run" 2>&1
status=$?
sed -i 's/\r$//' "$L"
expect_status "toolstack/powered-off" "$status" 0
D='^\[dom0\] '
expect "toolstack/created-web" "$L" "${D}create: domain 'web' is id [0-9]+$"
expect "toolstack/created-hog" "$L" "${D}create: domain 'hog' is id [0-9]+$"
expect "toolstack/web-runs" "$L" '^\[web\] '
expect "toolstack/list-header" "$L" "${D}ID +NAME +STATE +MEM\(MiB\) +MAX +VCPUS +CPU\(s\)$"
expect "toolstack/list-web" "$L" "${D} +[0-9]+ web +[a-z]+ +[0-9]+ +16 +1 +[0-9]+\.[0-9]$"
expect "toolstack/refused-duplicate-name" "$L" "${D}create: refused: name: 'hog' is taken$"
expect "toolstack/refused-memory" "$L" "${D}create: refused: memory: need [0-9]+ frames, [0-9]+ free$"
expect "toolstack/refused-vcpus" "$L" "${D}create: refused: vcpus: 9 asked, 1 to 8 allowed$"
expect "toolstack/refused-offline-cpu" "$L" "${D}create: refused: cpus: none of 0x80 online \(0x1 are\)$"
expect "toolstack/refused-no-module" "$L" "${D}create: no boot module 'nothere\.elf'"
expect "toolstack/refused-privileged" "$L" "${D}create: privileged=yes: there is one dom0"
expect "toolstack/unknown-command" "$L" "${D}frobnicate: no such command \(help lists them\)$"
# Free frames at the five info lines: before anything, around the refusals
# (nothing changed), and before and after the 100 cycles (all back).
mapfile -t free < <(grep -Eo "${D}host: [0-9]+ free frames$" "$L" | grep -Eo '[0-9]+ free' | grep -Eo '[0-9]+')
if [ ${#free[@]} -eq 5 ] && [ "${free[1]}" = "${free[2]}" ]; then pass "toolstack/refusals-change-nothing"
else fail "toolstack/refusals-change-nothing" "free frames at the info lines: ${free[*]}"; fi
expect "toolstack/list-paused" "$L" "${D} +[0-9]+ hog +paused +"
# The hog's CPU time, in the three lists after pause: equal while paused, then grown.
mapfile -t hog < <(grep -E "${D} +[0-9]+ hog +" "$L" | awk '{print $NF}')
if [ ${#hog[@]} -ge 4 ] && [ "${hog[1]}" = "${hog[2]}" ] &&
   awk -v a="${hog[2]}" -v b="${hog[3]}" 'BEGIN { exit !(b > a) }'; then
    pass "toolstack/pause-stops-cpu-time"
else
    fail "toolstack/pause-stops-cpu-time" "hog CPU(s) in the lists: ${hog[*]}"
fi
expect "toolstack/web-reaped" "$L" "${D}toolstack: domain 'web' \(id [0-9]+\) shut down \(poweroff\)$"
expect "toolstack/hog-reaped" "$L" "${D}toolstack: domain 'hog' \(id [0-9]+\) shut down \(poweroff\)$"
expect "toolstack/reboot-reaped" "$L" "${D}toolstack: domain 'rb' \(id [0-9]+\) shut down \(reboot\)$"
expect "toolstack/reboot-restarts" "$L" "${D}toolstack: restarting 'rb'$"
expect_count "toolstack/reboot-comes-back" "$L" "${D}create: domain 'rb' is id [0-9]+$" 2
expect "toolstack/crash-reported-and-reaped" "$L" "${D}toolstack: domain 'tripler' \(id [0-9]+\) crashed: triple fault at RIP 0x"
expect "toolstack/list-shows-ended" "$L" "${D}ended: web \(id [0-9]+\) shut down \(poweroff\)$"
expect_count "toolstack/balloon-cases-passed" "$L" '^\[bal\] PASS: balloon/' 7
expect_count "toolstack/balloon-cases-failed" "$L" '^\[bal\] FAIL: ' 0
expect "toolstack/balloon-reaped" "$L" "${D}toolstack: domain 'bal' \(id [0-9]+\) shut down \(poweroff\)$"
expect "toolstack/unbacked-crash-flag" "$L" "${D}toolstack: domain 'strict' \(id [0-9]+\) crashed: EPT violation: read of GPA 0x400000 "
expect "toolstack/mem-set-down" "$L" "${D}mem-set: 'follow' target 8 MiB \(owns 1[56] MiB now; its balloon driver follows\)$"
expect "toolstack/balloon-follows-down" "$L" "${D} +[0-9]+ follow +[a-z]+ +8 +8 +1 +"
expect "toolstack/balloon-follows-up" "$L" "${D} +[0-9]+ follow +[a-z]+ +1[56] +16 +1 +"
expect "toolstack/mem-set-above-static-max" "$L" "${D}mem-set: 'follow' may have 2 to 16 MiB \(its memory=\)$"
expect_count "toolstack/mem-set-out-of-range" "$L" "${D}mem-set: 'follow' may have 2 to 16 MiB" 2
expect "toolstack/mem-set-not-dom0" "$L" "${D}mem-set: dom0 keeps its memory"
expect_none "toolstack/balloon-follow-no-failure" "$L" '^\[follow\] FAIL'
expect_count "toolstack/cycles-created" "$L" "${D}create: domain 'cycle[0-9]+' is id [0-9]+$" $CYCLES
expect_count "toolstack/cycles-destroyed" "$L" "${D}destroy: domain 'cycle[0-9]+' \(id [0-9]+\) destroyed$" $CYCLES
# The cycles leave the free frames as they found them, but for one frame:
# since the local APIC landed, dom0 ends this script owning one frame more
# than at its start, taken at a point that varies (seen after the
# balloon-follow phase, and among the cycles). dom0 returns it when it ends
# (every-frame-returned, below, holds); what it is has not been found yet
# (an open item of issue 15's closing note). A leak in create/destroy would
# cost a frame or more per cycle: 100 at least.
if [ ${#free[@]} -eq 5 ] && [ $(( free[0] - free[4] )) -ge 0 ] && [ $(( free[0] - free[4] )) -le 1 ] &&
   [ $(( free[3] - free[4] )) -ge 0 ] && [ $(( free[3] - free[4] )) -le 1 ]; then
    pass "toolstack/free-frames-back-after-cycles"
else
    fail "toolstack/free-frames-back-after-cycles" "free frames at the five info lines: ${free[*]}"
fi
ncmd=$(grep -Evc '^[[:space:]]*(#|$)' "$S")
# dmesg replays the hypervisor's own lines, one of ours each.
expect "toolstack/dmesg-replays-log" "$L" "${D}\(mica\) domain 'cycle$CYCLES' id [0-9]+: 4 MiB, entry 0x[0-9a-f]+, created by dom0$"
expect "toolstack/script-summary" "$L" "${D}script: $ncmd commands, 10 failed$"
expect "toolstack/dom0-powered-off" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect_frames_returned "toolstack/every-frame-returned" "$L"
expect "toolstack/no-objects-left" "$L" '^\(mica\) objects in use: grant mappings 0 \(counted 0\), grant pins 0, event channels 0'
expect_none "toolstack/no-fault-or-other-crash" "$L" "HYPERVISOR FAULT|PANIC|'(dom0|web|hog|rb|cycle[0-9]+)' \(id [0-9]+\) crashed"
