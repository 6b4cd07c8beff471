#!/usr/bin/env bash
# Boot a Mica image in QEMU with OVMF: KVM with nested VMX when /dev/kvm offers
# it (the fast path), otherwise TCG, which has no VMX at all (Mica must then
# refuse cleanly and power off).
#
#   scripts/qemu-run.sh --image IMG [--serial FILE] [--cpus N] [--memory MiB]
#                       [--timeout SECONDS] [--console] [--tcg]
#                       [--acpi-table FILE] [--serial2 FILE]
# --acpi-table adds a whole ACPI table (header included) to QEMU's own, e.g.
# an SPCR; --serial2 logs COM2 (0x2F8) too.
#
# Exit status: 0 when Mica powered the machine off, 124 on timeout, else 1.
set -euo pipefail

image="" serial="" cpus=1 memory=512 timeout=120 console=0 force_tcg=0 extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --image) image="$2"; shift 2 ;;
        --serial) serial="$2"; shift 2 ;;
        --cpus) cpus="$2"; shift 2 ;;
        --memory) memory="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        --console) console=1; shift ;;
        --tcg) force_tcg=1; shift ;;
        --acpi-table) extra+=(-acpitable file="$2"); shift 2 ;;
        --serial2) extra+=(-serial file:"$2"); shift 2 ;;
        *) echo "usage: $0 --image IMG [--serial FILE] [--cpus N] [--memory MiB] [--timeout S] [--console] [--tcg] [--acpi-table FILE] [--serial2 FILE]" >&2; exit 2 ;;
    esac
done
[ -f "$image" ] || { echo "$0: image '$image' not found (run make first)" >&2; exit 2; }

run=$(mktemp -d "${TMPDIR:-/tmp}/mica-qemu.XXXXXX")
[ -n "$serial" ] || serial="$run/serial.log"
cp /usr/share/OVMF/OVMF_VARS.fd "$run/vars.fd"
cp "$image" "$run/disk.img"

accel=(-accel tcg -cpu max)
nested=/sys/module/kvm_intel/parameters/nested
if [ "$force_tcg" = 0 ] && [ -w /dev/kvm ] && grep -qE '^(Y|1)' "$nested" 2>/dev/null; then
    accel=(-accel kvm -cpu host,+vmx)
    echo "qemu-run: KVM with nested VMX"
else
    echo "qemu-run: TCG (no VMX: Mica is expected to refuse to run domains)"
fi

args=(-machine q35 "${accel[@]}" -smp "$cpus" -m "$memory"
      -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd
      -drive if=pflash,format=raw,file="$run/vars.fd"
      -drive format=raw,file="$run/disk.img"
      -display none -no-reboot
      -serial file:"$serial" "${extra[@]}"
      -device isa-debug-exit,iobase=0xf4,iosize=1)

tail_pid=""
if [ "$console" = 1 ]; then
    : > "$serial"
    tail -n +1 -f "$serial" &
    tail_pid=$!
fi
set +e
timeout -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" > "$run/qemu.out" 2>&1 < /dev/null
status=$?
set -e
if [ -n "$tail_pid" ]; then
    sleep 0.5
    kill "$tail_pid" 2>/dev/null || true
    wait "$tail_pid" 2>/dev/null || true
fi
rm -f "$run/disk.img"

# isa-debug-exit ends QEMU with (value << 1) | 1; Mica writes 0x10, so 33 is its
# power-off (0 is an ACPI power-off).
case $status in
    33|0) exit 0 ;;
    124) echo "qemu-run: timed out after ${timeout}s (serial log: $serial)" >&2; exit 124 ;;
    *) echo "qemu-run: QEMU exited with status $status (see $run/qemu.out)" >&2; exit 1 ;;
esac
