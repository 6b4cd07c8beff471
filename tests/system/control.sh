#!/usr/bin/env bash
# The control plane as a person uses it (issue 14's acceptance), typed at
# dom0's shell over the emulated serial line (tests/system/serial_session.py):
# 20 domUs created at run time (two CPU hogs of weights 512 and 256, one
# that echoes its console input, 17 idle domains), `list` shows them all
# with state and memory, `top` shows the hogs' CPU shares in the ratio of
# their weights, a paused hog's CPU time stops and grows again once
# unpaused, `console` shows one's output and types a line to it, Ctrl-]
# comes back to the shell, all 20 are destroyed, and the free
# frames are back at the count `info` showed before the first create.
#   tests/system/control.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/control.log"
S="$out/control.steps"
IDLE=17
{
    echo 'expect control/ready 240 ^\[dom0\] toolstack: type help for the commands$'
    echo 'send info\r'
    echo 'expect control/info-before 60 ^\[dom0\] host: [0-9]+ free frames$'
    for w in 512 256; do
        n=$((w == 512 ? 1 : 2))
        echo "send create name=hog$n kernel=domu-test.elf memory=4 weight=$w cmdline=\"name=hog$n test=cpu-hog seconds=3600 report=no\"\\r"
        echo "expect control/created-hog$n 60 ^\\[dom0\\] create: domain 'hog$n' is id [0-9]+\$"
    done
    echo "send create name=echo kernel=domu-test.elf memory=4 cmdline=\"name=echo test=console-echo\"\\r"
    echo "expect control/created-echo 60 ^\\[dom0\\] create: domain 'echo' is id [0-9]+\$"
    for i in $(seq 1 $IDLE); do
        echo "send create name=idle$i kernel=domu-test.elf memory=4 cmdline=\"name=idle$i test=idle\"\\r"
        echo "expect control/created-idle$i 60 ^\\[dom0\\] create: domain 'idle$i' is id [0-9]+\$"
    done
    echo 'send list\r'
    echo "expect control/list-shows-the-last 60 ^\\[dom0\\] +[0-9]+ idle$IDLE +blocked +4 +4 +1 +"
    echo 'send top 4\r'
    echo 'expect control/top-ran 60 ^\[dom0\] +[0-9]+ idle1 +blocked +[0-9]+\.[0-9] +'
    echo 'expect control/top-done 120 \[dom0\] mica> $'
    echo 'send pause hog2\r'
    echo 'send list\r'
    echo 'expect control/hog2-paused 60 ^\[dom0\] +[0-9]+ hog2 +paused +'
    echo 'sleep 2'
    echo 'send list\r'
    echo 'expect control/hog2-still-paused 60 ^\[dom0\] +[0-9]+ hog2 +paused +'
    echo 'send unpause hog2\r'
    echo 'sleep 2'
    echo 'send list\r'
    echo 'expect control/hog2-runs-again 60 ^\[dom0\] +[0-9]+ hog2 +running +'
    # One domU's console, both ways: its output here, a typed line to it, Ctrl-] back.
    echo 'send console echo\r'
    echo "expect control/console-attached 60 ^\\[dom0\\] console: attached to 'echo' \\(id [0-9]+\\); Ctrl-\\] returns to the shell\$"
    echo 'send hello control\r'
    echo 'expect control/console-output-seen 60 ^\[echo\] echo: hello control$'
    echo 'send <ctrl-]>'
    echo "expect control/console-detached 60 ^\\[dom0\\] console: detached from 'echo'\$"
    echo 'expect control/console-prompt-back 30 \[dom0\] mica> $'
    for d in hog1 hog2 echo $(seq -f 'idle%g' 1 $IDLE); do
        echo "send destroy $d\\r"
        echo "expect control/destroyed-$d 60 ^\\[dom0\\] destroy: domain '$d' \\(id [0-9]+\\) destroyed\$"
    done
    echo 'send info\r'
    echo 'expect control/info-after 60 ^\[dom0\] host: [0-9]+ free frames$'
    echo 'send poweroff\r'
    echo 'end control/powered-off 240'
} > "$S"
scripts/mkimage.sh --esp "$out/control.img" --config tests/system/serial.cfg "${files[@]}" \
    "$B/domu.elf=images/domu.elf" "$B/domu-test.elf=images/domu-test.elf" \
    > /dev/null || { fail "control/image" "mkimage failed"; exit 0; }
start=$(date +%s)
python3 tests/system/serial_session.py --image "$out/control.img" --log "$L" --timeout 900 \
    "$S" 2> "$out/control.err"
status=$?
[ -s "$out/control.err" ] && { fail "control/driver" "$(tail -1 "$out/control.err")"; }
echo "  control session: $(( $(date +%s) - start )) s, driver status $status"
sed -i 's/\r$//' "$L"
D='^\[dom0\] '
# list: every one of the 20, each with its 4 MiB.
n=$(grep -Ec "${D} +[0-9]+ (hog[12]|echo|idle[0-9]+) +[a-z]+ +4 +4 +1 +" "$L")
if [ "$n" -ge 20 ]; then pass "control/list-shows-20-domains"; else fail "control/list-shows-20-domains" "$n rows"; fi
# top's last table: hog1 (weight 512) near twice hog2 (256), both busy.
h1=$(grep -E "${D} +[0-9]+ hog1 +running +[0-9]+\.[0-9] " "$L" | tail -1 | awk '{print $5}')
h2=$(grep -E "${D} +[0-9]+ hog2 +running +[0-9]+\.[0-9] " "$L" | tail -1 | awk '{print $5}')
if [ -n "$h1" ] && [ -n "$h2" ] && awk -v a="$h1" -v b="$h2" 'BEGIN { exit !(b > 5 && a / b > 1.6 && a / b < 2.5) }'; then
    pass "control/top-shares-follow-weights"
else
    fail "control/top-shares-follow-weights" "hog1 ${h1:-?}%, hog2 ${h2:-?}%"
fi
expect "control/top-header" "$L" "${D}ID +NAME +STATE +CPU\(%\) +CPU\(s\) +EXITS/s +HCALLS/s +SENDS/s +MEM\(MiB\) +VCPUS$"
# The hogs exit to the hypervisor (preemption, the timer) but make no hypercalls.
if grep -Eq "${D} +[0-9]+ hog1 +running +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[1-9][0-9]* +0 +0 " "$L"; then
    pass "control/top-counts-exits"
else
    fail "control/top-counts-exits" "no hog1 row with exits and no hypercalls"
fi
# The paused hog's CPU time in the two lists while paused: equal.
mapfile -t p < <(grep -E "${D} +[0-9]+ hog2 +paused +" "$L" | awk '{print $NF}')
if [ ${#p[@]} -ge 2 ] && [ "${p[0]}" = "${p[1]}" ]; then pass "control/paused-cpu-time-stops"
else fail "control/paused-cpu-time-stops" "hog2 CPU(s) while paused: ${p[*]}"; fi
mapfile -t free < <(grep -Eo "${D}host: [0-9]+ free frames$" "$L" | grep -Eo '[0-9]+ free' | grep -Eo '[0-9]+')
if [ ${#free[@]} -eq 2 ] && [ "${free[0]}" = "${free[1]}" ]; then pass "control/free-frames-back"
else fail "control/free-frames-back" "free frames before and after: ${free[*]}"; fi
expect "control/summary-dom0" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect_frames_returned "control/every-frame-returned" "$L"
expect "control/no-objects-left" "$L" '^\(mica\) objects in use: grant mappings 0 \(counted 0\), grant pins 0, event channels 0'
expect_none "control/no-fault-or-crash" "$L" 'HYPERVISOR FAULT|PANIC|crashed'
