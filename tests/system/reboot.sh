#!/usr/bin/env bash
# dom0 asks for a reboot (tests/system/reboot.cfg, docs/devices.md "Power-off
# and reboot"): once every domain has ended, the hypervisor resets the
# machine through the chipset's reset control register instead of powering
# it off. Bochs logs the write (its PCI-to-ISA bridge, "CPU reset register")
# and resets; OVMF does not get through a second boot after such a reset in
# Bochs, so the script stops Bochs a few seconds after the reset, and what
# is checked is that the reset was written and nothing ran on.
#   tests/system/reboot.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/reboot.log"
scripts/mkimage.sh --esp "$out/reboot.img" --config tests/system/reboot.cfg "${files[@]}" \
    > /dev/null || { fail "reboot/image" "mkimage failed"; exit 0; }
B_LOG="$out/reboot.bochs.log"
rm -f "$B_LOG"
# Its run folder (a copy of the image) inside OUTDIR: killed, it cannot clean up.
rm -rf "$out/reboot-tmp"
mkdir -p "$out/reboot-tmp"
TMPDIR="$out/reboot-tmp" setsid scripts/bochs-run.sh --image "$out/reboot.img" --serial "$L" --bochs-log "$B_LOG" \
    --timeout 180 > "$out/reboot.run" 2>&1 &
run=$!
reset=0
for _ in $(seq 1 180); do
    sleep 1
    if grep -q 'CPU reset register = 0x06' "$B_LOG" 2>/dev/null; then reset=1; break; fi
    kill -0 $run 2>/dev/null || break
done
[ $reset = 0 ] || sleep 3                 # whatever would still run after the reset
still_running=0
kill -0 $run 2>/dev/null && still_running=1
kill -- -$run 2>/dev/null
wait $run 2>/dev/null
rm -rf "$out/reboot-tmp"
sed -i 's/\r$//' "$L"
expect "reboot/dom0-asked" "$L" '^\[dom0\] reboot: SCHEDOP_shutdown\(SHUTDOWN_reboot\)$'
expect "reboot/summary-says-reboot" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(reboot\)$'
expect "reboot/domu-ended-first" "$L" '^\(mica\)   domain domu +id 1 +shut down \(poweroff\)$'
expect "reboot/hypervisor-resets" "$L" '^\(mica\) rebooting'
expect_none "reboot/not-powered-off" "$L" '^\(mica\) powering off'
expect_none "reboot/reset-took-effect" "$L" 'reboot did not take effect'
expect "reboot/chipset-reset-written" "$out/reboot.bochs.log" 'CPU reset register = 0x06'
# Bochs did not stop through the shutdown port: it was still running, reset.
expect_status "reboot/bochs-still-running-after-reset" "$still_running" 1
