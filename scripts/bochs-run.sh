#!/usr/bin/env bash
# Boot a Mica image in Bochs (VMX + EPT) with OVMF.
#
#   scripts/bochs-run.sh --image IMG [--serial FILE] [--cpus N] [--memory MiB]
#                        [--timeout SECONDS] [--console]
#
# The serial console (COM1) is written to FILE (default: in the run folder).
# --console also shows it on the terminal as it is written. Each run works on
# its own copy of the image in a fresh folder, so runs never share Bochs's
# image lock and a killed run cannot block the next one.
# Exit status: 0 when Bochs ended by itself (Mica's power-off), 124 on timeout,
# otherwise Bochs's own status.
set -euo pipefail

image="" serial="" cpus=1 memory=512 timeout=300 console=0
while [ $# -gt 0 ]; do
    case "$1" in
        --image) image="$2"; shift 2 ;;
        --serial) serial="$2"; shift 2 ;;
        --cpus) cpus="$2"; shift 2 ;;
        --memory) memory="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        --console) console=1; shift ;;
        *) echo "usage: $0 --image IMG [--serial FILE] [--cpus N] [--memory MiB] [--timeout S] [--console]" >&2; exit 2 ;;
    esac
done
[ -f "$image" ] || { echo "$0: image '$image' not found (run make first)" >&2; exit 2; }
OVMF=/usr/share/OVMF/OVMF_CODE.fd
[ -f "$OVMF" ] || { echo "$0: $OVMF missing (scripts/install-deps.sh)" >&2; exit 2; }

run=$(mktemp -d "${TMPDIR:-/tmp}/mica-bochs.XXXXXX")
[ -n "$serial" ] || serial="$run/serial.log"
mkdir -p "$(dirname "$serial")"
: > "$serial"
cp "$image" "$run/disk.img"

# ips sets emulated time per instruction: near the real emulation speed keeps
# emulated timers close to wall-clock time (EMULATORS.md).
cat > "$run/bochsrc" <<RC
memory: guest=$memory, host=$memory
romimage: file=$OVMF
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model=corei7_haswell_4770, count=$cpus, ips=60000000, reset_on_triple_fault=0
pci: enabled=1, chipset=i440fx
ata0-master: type=disk, path=$run/disk.img, mode=flat
boot: disk
com1: enabled=1, mode=file, dev=$serial
port_e9_hack: enabled=1
display_library: term
log: $run/bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
RC
echo c > "$run/debugger.rc"

# Bochs's term display needs a terminal and TERM; script(1) provides the former.
export TERM="${TERM:-dumb}"
[ "$TERM" = "unknown" ] && export TERM=dumb

tail_pid=""
if [ "$console" = 1 ]; then
    tail -n +1 -f "$serial" &
    tail_pid=$!
fi

set +e
timeout --foreground -k 5 "$timeout" \
    script -qec "bochs -q -f '$run/bochsrc' -rc '$run/debugger.rc'" /dev/null \
    > "$run/bochs.out" 2>&1 < /dev/null
status=$?
set -e

if [ -n "$tail_pid" ]; then
    sleep 0.5
    kill "$tail_pid" 2>/dev/null || true
    wait "$tail_pid" 2>/dev/null || true
fi
rm -f "$run/disk.img" "$run/disk.img.lock"

if [ $status -eq 124 ]; then
    echo "bochs-run: timed out after ${timeout}s (serial log: $serial, bochs log: $run/bochs.log)" >&2
elif ! grep -q "Shutdown port: shutdown requested" "$run/bochs.log" "$run/bochs.out" 2>/dev/null; then
    echo "bochs-run: Bochs ended without Mica's power-off (status $status; see $run/bochs.log)" >&2
    [ $status -eq 0 ] && status=1
else
    status=0
fi
exit $status
