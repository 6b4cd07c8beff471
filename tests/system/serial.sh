#!/usr/bin/env bash
# dom0's console driven as a person would (tests/system/serial.cfg): Bochs's
# COM1 is a TCP socket on loopback (scripts/bochs-run.sh --serial-socket);
# tests/system/serial_session.py connects, logs what it receives and types
# the steps of tests/system/serial.steps one character at a time: a line
# edited with backspace, the same line recalled with the up arrow, and
# recalled once more and edited in the middle. dom0 (echo=3) reads them
# through its line editor and prints each back; then it powers off.
#   tests/system/serial.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/serial.log"
scripts/mkimage.sh --esp "$out/serial.img" --config tests/system/serial.cfg "${files[@]}" \
    > /dev/null || { fail "serial/image" "mkimage failed"; exit 0; }
start=$(date +%s)
python3 tests/system/serial_session.py --image "$out/serial.img" --log "$L" --timeout 400 \
    tests/system/serial.steps 2> "$out/serial.err"
status=$?
[ -s "$out/serial.err" ] && { fail "serial/driver" "$(tail -1 "$out/serial.err")"; }
echo "  serial session: $(( $(date +%s) - start )) s, driver status $status"
sed -i 's/\r$//' "$L"
expect_count "serial/three-lines-echoed" "$L" '^\[dom0\] echo: hellp (big )?world$' 3
expect_none "serial/nothing-cancelled-or-lost" "$L" '^\[dom0\] echo: (\(cancelled\)|no input|console read failed)'
expect_none "serial/no-stray-characters" "$L" '^\[dom0\] .*\?'
expect "serial/dom0-went-on" "$L" '^\[dom0\] ticks: [0-9]+$'
expect "serial/summary-dom0" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect_none "serial/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC'
