#!/usr/bin/env bash
# Device ownership (docs/devices.md; tests/guest/test_devices.c), one Bochs
# boot with a second disk (ata1-master) and an e1000 on Bochs's vnet: dom0
# reaches PCI configuration space and its devices' ports, the hypervisor's
# ports are refused with a trace line each while the machine keeps running
# through every reset dom0 tries, a BAR cannot be moved over RAM and one that
# moves is remapped; a domU's port I/O reaches no device and it may not bind
# a PIRQ.
#   tests/system/devices.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out/devices-vnet"
truncate -s 16M "$out/devices-disk2.img"
DOM0_CASES=22
DOMU_CASES=5

scripts/mkimage.sh --esp "$out/devices.img" --config tests/system/devices.cfg "${files[@]}" \
    > /dev/null || { fail "devices/image" "mkimage failed"; exit 0; }
scripts/bochs-run.sh --image "$out/devices.img" --serial "$out/devices.log" --timeout 180 \
    --disk2 "$out/devices-disk2.img" --nic "vnet:$out/devices-vnet" > "$out/devices.run" 2>&1
status=$?
L="$out/devices.log"
sed -i 's/\r$//' "$L"
expect_status "devices/powered-off" "$status" 0
expect_none "devices/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC'
expect_none "devices/no-domain-crashed" "$L" "^\(mica\) domain '[^']+' \(id [0-9]+\) crashed"
expect_frames_returned "devices/every-frame-returned" "$L"
expect "devices/bars-mapped-for-dom0" "$L" '^\(mica\) pci: [1-9][0-9]* memory BARs mapped for d0 '
expect_count "devices/dom0-cases" "$L" '^\[dom0\] PASS: devices/' $DOM0_CASES
expect_count "devices/domu-cases" "$L" '^\[pokes\] PASS: devices/' $DOMU_CASES
grep -E '^\[[a-z0-9]+\] FAIL: devices/' "$L" | sed -E 's/^\[([a-z0-9]+)\] FAIL: /FAIL: devices\/guest\/\1\//'
expect "devices/dom0-done" "$L" '^\[dom0\] devices: done$'
# Each refusal is named, once per access.
while IFS='|' read -r name what; do
    expect "devices/traced-$name" "$L" "^\(mica\) trace: d0v0 $what"
done <<'CASES'
com1-write|port 0x3f8 write refused: the hypervisor's serial port
reset-register|port 0xcf9 write refused: the reset control register
keyboard-reset|port 0x64 write refused: the keyboard controller
fast-reset|port 0x92 write refused: system control port A
com1-string-read|port 0x3f8 string read refused
bar-over-ram|PCI 00:02.0 BAR0 to \[0x100000, 0x120000\) refused: the range covers RAM
bar-over-hypervisor|PCI 00:02.0 BAR0 to \[0x4000000, 0x4020000\) refused: the range covers RAM
CASES
expect_none "devices/domu-access-not-traced-as-dom0" "$L" '^\(mica\) trace: d1v0 '
