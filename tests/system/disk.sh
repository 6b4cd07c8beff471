#!/usr/bin/env bash
# dom0's PCI list and ATA driver against a real (emulated) disk
# (tests/guest/test_disk.c, docs/devices.md). Creates a 64 MiB image and
# attaches it as Bochs's ata1-master (scripts/bochs-run.sh --disk2, in place),
# then boots tests/system/disk.cfg twice on the same image:
#  1. disk_phase=write: PCI list, IDENTIFY (model, sectors), 1,000 scattered
#     sectors written by DMA and read back, a multi-PRD request, PIO, requests
#     beyond the end refused, the 4 KiB DMA figures; meanwhile a domU
#     ("poker") writes resets and commands to the same channel's ports;
#  2. disk_phase=verify: a fresh boot reads back what the first one wrote;
#  3. disk_phase=absent, without the disk but with an e1000 (on Bochs's
#     built-in vnet host, no real network): the empty channel is reported
#     as such in bounded time, and the PCI list shows the NIC too.
# Between the boots this script reads the image itself and checks every
# pattern sector at its byte offset: the LBAs the driver sent are the ones
# the device used, not merely consistent with the driver's own reads.
#   tests/system/disk.sh OUTDIR      (images built from build/)
#   DISK_DMA=no tests/system/disk.sh OUTDIR      (PIO only)
#   DISK_IRQ=no tests/system/disk.sh OUTDIR      (completion polled, not by event channel)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
DISK_MIB=64
SECTORS=$(( DISK_MIB * 1024 * 1024 / 512 ))   # Bochs: IDENTIFY words 100..103 = image size / 512
SEED=7 COUNT=1000
disk="$out/disk2.img"
rm -f "$disk" "$disk.lock"
truncate -s ${DISK_MIB}M "$disk"

boot() {            # boot PHASE [BOCHS-RUN OPTIONS...]
    local p=$1 L="$out/disk-$1.log"
    shift
    sed -e "s/disk_phase=write/disk_phase=$p/" -e "s/disk_sectors=[0-9]*/disk_sectors=$SECTORS/" \
        -e "s/disk_seed=[0-9]*/disk_seed=$SEED/" -e "s/disk_count=[0-9]*/disk_count=$COUNT/" \
        -e "s/test=disk/test=disk disk_dma=${DISK_DMA:-yes} disk_irq=${DISK_IRQ:-yes}/" \
        tests/system/disk.cfg > "$out/disk-$p.cfg"
    scripts/mkimage.sh --esp "$out/disk-$p.img" --config "$out/disk-$p.cfg" "${files[@]}" \
        > /dev/null || { fail "disk-$p/image" "mkimage failed"; return 1; }
    scripts/bochs-run.sh --image "$out/disk-$p.img" --serial "$L" "$@" --timeout 600 \
        > "$out/disk-$p.run" 2>&1
    local status=$?
    sed -i 's/\r$//' "$L"
    expect_status "disk-$p/powered-off" "$status" 0
    expect "disk-$p/test-ran-to-end" "$L" '^\[dom0\] disk: done, '
    expect_none "disk-$p/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC'
    expect_none "disk-$p/no-domain-crashed" "$L" "^\(mica\) domain '[^']+' \(id [0-9]+\) crashed"
    expect_none "disk-$p/primary-channel-untouched" "$L" '^\[dom0\] ata: (ata0|channel 0)'
    # Neither the PCI scan nor the driver touches what the hypervisor keeps.
    expect_none "disk-$p/nothing-refused" "$L" '^\(mica\) trace: d0v[0-9]+ .*refused'
    # The guests' own cases, renamed by phase and domain.
    grep -E '^\[(dom0|poker)\] (PASS|FAIL): disk/' "$L" |
        sed -E "s/^\[(dom0|poker)\] (PASS|FAIL): disk\//\2: disk-$p\/\1\//"
}

# irq_accounting PHASE: the hypervisor's count of GSI 15 (interrupts taken,
# events delivered) equals the events dom0's driver handled, each of which
# found the device's interrupt flag set (test=disk checks that last part).
irq_accounting() {
    local p=$1 L="$out/disk-$1.log" hv guest
    hv=$(grep -Eo '^\(mica\) pirq 15 \(GSI 15, [a-z]+\): [0-9]+ interrupts, [0-9]+ delivered, [0-9]+ EOIs, [0-9]+ while unbound' "$L" |
         grep -Eo '[0-9]+ (interrupts|delivered|while)' | grep -Eo '^[0-9]+' | tr '\n' ' ')
    guest=$(grep -Eo '^\[dom0\] disk: [0-9]+ interrupts on channel 1 \(irq 15\), [0-9]+ delivered' "$L" |
            grep -Eo '[0-9]+ delivered' | grep -Eo '^[0-9]+')
    set -- $hv
    if [ $# -eq 3 ] && [ -n "$guest" ] && [ "$1" = "$2" ] && [ "$2" = "$guest" ] && [ "$3" = 0 ]; then
        pass "disk-$p/irq15-taken-delivered-handled-equal"
        echo "  GSI 15: $1 interrupts, $2 delivered, $guest handled by dom0"
    else
        fail "disk-$p/irq15-taken-delivered-handled-equal" "hypervisor: ${hv:-no pirq line}; dom0 handled: ${guest:-?}"
    fi
}

# The pattern of tests/guest/test_disk.c, recomputed from the image file.
check_image() {
    python3 - "$disk" "$SEED" "$COUNT" "$SECTORS" <<'PY'
import struct, sys
path, seed, count, sectors = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
M = (1 << 64) - 1
def mix(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)
def pattern(lba):
    words = [(lba ^ (seed << 48)) & M] + [mix((lba * 64 + i + seed * 0x100000001) & M) for i in range(1, 64)]
    return struct.pack("<64Q", *words)
# The scattered sectors, and the 300 written in one request at the middle.
lbas = [(i * 104729 + seed) % sectors for i in range(count)] + \
       list(range(sectors // 2, sectors // 2 + 300))
bad = []
with open(path, "rb") as f:
    for lba in lbas:
        f.seek(lba * 512)
        if f.read(512) != pattern(lba):
            bad.append(lba)
print("PASS: disk/image-holds-pattern-at-lba-offsets" if not bad else
      "FAIL: disk/image-holds-pattern-at-lba-offsets (%d of %d sectors differ, first lba %d)" % (len(bad), len(lbas), bad[0]))
PY
}

boot write --disk2 "$disk"
L="$out/disk-write.log"
expect "disk-write/pci-lists-ide" "$L" '^\[dom0\] pci: 00:01\.1 8086:7010 class 01\.01\.80 BAR4 io 0x[0-9a-f]+\+16'
expect "disk-write/pci-lists-host-bridge" "$L" '^\[dom0\] pci: 00:00\.0 8086:1237 class 06\.00\.'
expect "disk-write/identify-line" "$L" "^\[dom0\] ata: ata1\.0: 'Generic 1234' $SECTORS sectors of 512 bytes, DMA"
if [ "${DISK_IRQ:-yes}" != no ]; then
    expect "disk-write/completion-by-event-channel" "$L" '^\[dom0\] disk: completion by event channel'
    irq_accounting write
fi
expect "disk-write/domu-poked" "$L" '^\[poker\] disk: domu wrote the ATA ports [1-9][0-9]* times'
expect "disk-write/domu-shut-down" "$L" '^\(mica\)   domain poker +id [0-9]+ +shut down \(poweroff\)$'
expect "disk-write/bench-read" "$L" '^\[dom0\] bench: disk_read_4k [0-9]+ '
expect "disk-write/bench-write" "$L" '^\[dom0\] bench: disk_write_4k [0-9]+ '
expect "disk-write/bench-read-path" "$L" '^\[dom0\] bench: disk_read_4k_path [0-9]+ '
expect "disk-write/bench-write-path" "$L" '^\[dom0\] bench: disk_write_4k_path [0-9]+ '
grep -E '^\[dom0\] bench: disk_' "$L" | sed 's/^\[dom0\] /  /'
check_image
boot verify --disk2 "$disk"
expect "disk-verify/read-back-1000" "$out/disk-verify.log" '^\[dom0\] disk: 1000 sectors checked, 0 differ, 0 errors'
if [ "${DISK_IRQ:-yes}" != no ]; then
    expect "disk-verify/completion-by-event-channel" "$out/disk-verify.log" \
        '^\[dom0\] disk: completion by event channel'
    irq_accounting verify
fi
mkdir -p "$out/disk-vnet"
boot absent --nic vnet:"$out/disk-vnet"
expect "disk-absent/pci-lists-e1000" "$out/disk-absent.log" \
    '^\[dom0\] pci: 00:02\.0 8086:100e class 02\.00\.00 BAR0 mem 0x[0-9a-f]+\+131072 BAR1 io 0x[0-9a-f]+\+64 irq [0-9]+$'
