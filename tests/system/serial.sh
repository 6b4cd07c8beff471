#!/usr/bin/env bash
# dom0's shell driven as a person would (tests/system/serial.cfg,
# docs/toolstack.md): Bochs's COM1 is a TCP socket on loopback
# (scripts/bochs-run.sh --serial-socket); tests/system/serial_session.py
# connects, logs what it receives and types the steps of
# tests/system/serial.steps one character at a time: commands edited with
# backspace and recalled from the history, domains created, refused,
# paused, unpaused, reaped when they end and destroyed, a domU's console
# attached with `console`, typed at and left with Ctrl-], then poweroff.
#   tests/system/serial.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/serial.log"
scripts/mkimage.sh --esp "$out/serial.img" --config tests/system/serial.cfg "${files[@]}" \
    "$B/domu.elf=images/domu.elf" "$B/domu-test.elf=images/domu-test.elf" \
    > /dev/null || { fail "serial/image" "mkimage failed"; exit 0; }
start=$(date +%s)
python3 tests/system/serial_session.py --image "$out/serial.img" --log "$L" --timeout 400 \
    tests/system/serial.steps 2> "$out/serial.err"
status=$?
[ -s "$out/serial.err" ] && { fail "serial/driver" "$(tail -1 "$out/serial.err")"; }
echo "  serial session: $(( $(date +%s) - start )) s, driver status $status"
sed -i 's/\r$//' "$L"
expect "serial/typed-line-echoed-live" "$L" '^\[dom0\] mica> lisz'$'\b'' '$'\b''t$'
expect "serial/console-echo-ready" "$L" '^\[echo\] console-echo: echo ready$'
expect_none "serial/console-typed-not-to-dom0" "$L" '^\[dom0\] (hello mica|quit)'
expect_none "serial/no-stray-characters" "$L" '^\[dom0\] .*\?'
expect "serial/summary-dom0" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect_frames_returned "serial/every-frame-returned" "$L"
expect_none "serial/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC|crashed'
