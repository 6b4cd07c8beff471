#!/usr/bin/env bash
# dom0's PCI list and ATA driver against a real (emulated) disk
# (tests/guest/test_disk.c, docs/devices.md). Creates a 64 MiB image and
# attaches it as Bochs's ata1-master (scripts/bochs-run.sh --disk2, in place),
# then boots tests/system/disk.cfg twice on the same image:
#  1. disk_phase=write: PCI list, IDENTIFY (model, sectors), 1,000 scattered
#     sectors written by DMA and read back, a multi-PRD request, PIO, requests
#     beyond the end refused, the 4 KiB DMA figures;
#  2. disk_phase=verify: a fresh boot reads back what the first one wrote;
#  3. disk_phase=absent, without the disk: the empty channel is reported
#     as such in bounded time.
# Between the boots this script reads the image itself and checks every
# pattern sector at its byte offset: the LBAs the driver sent are the ones
# the device used, not merely consistent with the driver's own reads.
#   tests/system/disk.sh OUTDIR      (images built from build/)
#   DISK_DMA=no tests/system/disk.sh OUTDIR      (PIO only)
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

boot() {            # boot PHASE [DISK]
    local L="$out/disk-$1.log" disk_arg=()
    [ -n "${2:-}" ] && disk_arg=(--disk2 "$2")
    sed -e "s/disk_phase=write/disk_phase=$1/" -e "s/disk_sectors=[0-9]*/disk_sectors=$SECTORS/" \
        -e "s/disk_seed=[0-9]*/disk_seed=$SEED/" -e "s/disk_count=[0-9]*/disk_count=$COUNT/" \
        -e "s/test=disk/test=disk disk_dma=${DISK_DMA:-yes}/" \
        tests/system/disk.cfg > "$out/disk-$1.cfg"
    scripts/mkimage.sh --esp "$out/disk-$1.img" --config "$out/disk-$1.cfg" "${files[@]}" \
        > /dev/null || { fail "disk-$1/image" "mkimage failed"; return 1; }
    scripts/bochs-run.sh --image "$out/disk-$1.img" --serial "$L" "${disk_arg[@]}" --timeout 600 \
        > "$out/disk-$1.run" 2>&1
    local status=$?
    sed -i 's/\r$//' "$L"
    expect_status "disk-$1/powered-off" "$status" 0
    expect "disk-$1/test-ran-to-end" "$L" '^\[dom0\] disk: done, '
    expect_none "disk-$1/no-hypervisor-fault" "$L" 'HYPERVISOR FAULT|PANIC'
    expect_none "disk-$1/no-domain-crashed" "$L" "^\(mica\) domain '[^']+' \(id [0-9]+\) crashed"
    expect_none "disk-$1/primary-channel-untouched" "$L" '^\[dom0\] ata: (ata0|channel 0)'
    # Neither the PCI scan nor the driver touches what the hypervisor keeps.
    expect_none "disk-$1/nothing-refused" "$L" '^\(mica\) trace: d0v[0-9]+ .*refused'
    # The guest's own cases, renamed by phase.
    grep -E '^\[dom0\] (PASS|FAIL): disk/' "$L" | sed -E "s/^\[dom0\] (PASS|FAIL): disk\//\1: disk-$1\/guest\//"
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
bad = []
with open(path, "rb") as f:
    for i in range(count):
        lba = (i * 104729 + seed) % sectors
        f.seek(lba * 512)
        if f.read(512) != pattern(lba):
            bad.append(lba)
print("PASS: disk/image-holds-pattern-at-lba-offsets" if not bad else
      "FAIL: disk/image-holds-pattern-at-lba-offsets (%d of %d sectors differ, first lba %d)" % (len(bad), count, bad[0]))
PY
}

boot write "$disk"
L="$out/disk-write.log"
expect "disk-write/pci-lists-ide" "$L" '^\[dom0\] pci: 00:01\.1 8086:7010 class 01\.01\.80 BAR4 io 0x[0-9a-f]+\+16'
expect "disk-write/pci-lists-host-bridge" "$L" '^\[dom0\] pci: 00:00\.0 8086:1237 class 06\.00\.'
expect "disk-write/identify-line" "$L" "^\[dom0\] ata: ata1\.0: 'Generic 1234' $SECTORS sectors of 512 bytes, DMA"
expect "disk-write/bench-read" "$L" '^\[dom0\] bench: disk_read_4k [0-9]+ '
expect "disk-write/bench-write" "$L" '^\[dom0\] bench: disk_write_4k [0-9]+ '
expect "disk-write/bench-read-path" "$L" '^\[dom0\] bench: disk_read_4k_path [0-9]+ '
expect "disk-write/bench-write-path" "$L" '^\[dom0\] bench: disk_write_4k_path [0-9]+ '
grep -E '^\[dom0\] bench: disk_' "$L" | sed 's/^\[dom0\] /  /'
check_image
boot verify "$disk"
expect "disk-verify/read-back-1000" "$out/disk-verify.log" '^\[dom0\] disk: 1000 sectors checked, 0 differ, 0 errors'
boot absent
