#!/usr/bin/env bash
# Boot a Mica image in Bochs (VMX + EPT) with OVMF.
#
#   scripts/bochs-run.sh --image IMG [--serial FILE] [--cpus N] [--memory MiB]
#                        [--timeout SECONDS] [--console] [--disk2 IMG]
#                        [--nic vnet:DIR] [--bochs-log FILE] [--serial-socket PORT]
#                        [--cpu-model MODEL]
# --cpu-model picks the emulated CPU (bochs -help cpu lists them; default
# corei7_haswell_4770, which has every VMX feature Mica uses).
#
# The serial console (COM1) is written to FILE (default: in the run folder).
# --serial-socket PORT makes COM1 a TCP server on 127.0.0.1:PORT instead, for
# a program that types into dom0's console and reads it (tests/system/
# serial_session.py); Bochs waits for that client before it starts, and the
# client writes what it receives to FILE (this script only empties it).
# --console also shows it on the terminal as it is written. Each run works on
# its own copy of the image in a fresh folder, so runs never share Bochs's
# image lock and a killed run cannot block the next one.
# --disk2 attaches IMG as the secondary channel's master disk (ata1-master,
# ports 0x170/0x376, IRQ 15) and uses it in place, so what a boot writes is
# there for the next one; its lock is removed afterwards. --nic vnet:DIR adds
# an Intel e1000 (82540EM, PCI slot 1, MAC 52:54:00:12:34:56) joined to Bochs's
# built-in virtual host `vnet` (192.168.10.1: ARP, ICMP echo, DHCP, TFTP from
# DIR); no mode reaches a real network. Bochs's own log (errors, and the
# PCI-to-ISA bridge's lines: IRQ routing and writes to the reset control
# register) goes to the run folder, or to FILE with --bochs-log.
# Exit status: 0 when Bochs ended by itself (Mica's power-off), 124 on timeout,
# otherwise Bochs's own status.
set -euo pipefail

image="" serial="" cpus=1 memory=512 timeout=300 console=0 disk2="" nic="" bochs_log="" socket="" model=corei7_haswell_4770
while [ $# -gt 0 ]; do
    case "$1" in
        --image) image="$2"; shift 2 ;;
        --serial) serial="$2"; shift 2 ;;
        --cpus) cpus="$2"; shift 2 ;;
        --memory) memory="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        --console) console=1; shift ;;
        --disk2) disk2="$2"; shift 2 ;;
        --nic) nic="$2"; shift 2 ;;
        --bochs-log) bochs_log="$2"; shift 2 ;;
        --serial-socket) socket="$2"; shift 2 ;;
        --cpu-model) model="$2"; shift 2 ;;
        *) echo "usage: $0 --image IMG [--serial FILE] [--cpus N] [--memory MiB] [--timeout S] [--console] [--disk2 IMG] [--nic vnet:DIR] [--bochs-log FILE] [--serial-socket PORT] [--cpu-model MODEL]" >&2; exit 2 ;;
    esac
done
case "$socket" in
    "") ;;
    *[!0-9]*) echo "$0: --serial-socket takes a TCP port number" >&2; exit 2 ;;
    *) [ "$socket" -ge 1 ] && [ "$socket" -le 65535 ] ||
        { echo "$0: --serial-socket: port $socket out of range" >&2; exit 2; } ;;
esac
[ -f "$image" ] || { echo "$0: image '$image' not found (run make first)" >&2; exit 2; }
OVMF=/usr/share/OVMF/OVMF_CODE.fd
[ -f "$OVMF" ] || { echo "$0: $OVMF missing (scripts/install-deps.sh)" >&2; exit 2; }

run=$(mktemp -d "${TMPDIR:-/tmp}/mica-bochs.XXXXXX")
[ -n "$serial" ] || serial="$run/serial.log"
mkdir -p "$(dirname "$serial")"
: > "$serial"
cp "$image" "$run/disk.img"
if [ -n "$bochs_log" ]; then
    mkdir -p "$(dirname "$bochs_log")"
    bochs_log=$(realpath "$bochs_log")
    : > "$bochs_log"
else
    bochs_log="$run/bochs.log"
fi
# Loopback only: what is typed into dom0's console never comes from the network.
com1="com1: enabled=1, mode=file, dev=$serial"
[ -z "$socket" ] || com1="com1: enabled=1, mode=socket-server, dev=127.0.0.1:$socket"
devices=""
if [ -n "$disk2" ]; then
    [ -f "$disk2" ] || { echo "$0: disk '$disk2' not found" >&2; exit 2; }
    disk2=$(realpath "$disk2")
    rm -f "$disk2.lock"
    devices+="ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
ata1-master: type=disk, path=$disk2, mode=flat
"
fi
slots=""
case "$nic" in
    "") ;;
    vnet:*)
        dir=$(realpath "${nic#vnet:}")
        [ -d "$dir" ] || { echo "$0: vnet folder '$dir' not found" >&2; exit 2; }
        slots=", slot1=e1000"
        devices+="e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=vnet, ethdev=$dir
" ;;
    *) echo "$0: --nic takes vnet:DIR (no mode that reaches a real network)" >&2; exit 2 ;;
esac

# ips sets emulated time per instruction: near the real emulation speed keeps
# emulated timers close to wall-clock time (EMULATORS.md).
cat > "$run/bochsrc" <<RC
memory: guest=$memory, host=$memory
romimage: file=$OVMF
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model=$model, count=$cpus, ips=60000000, reset_on_triple_fault=0
pci: enabled=1, chipset=i440fx$slots
ata0-master: type=disk, path=$run/disk.img, mode=flat
${devices}boot: disk
$com1
port_e9_hack: enabled=1
display_library: term
log: $bochs_log
panic: action=fatal
error: action=ignore
info: action=ignore, pci2isa=report
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
[ -z "$disk2" ] || rm -f "$disk2.lock"

if [ $status -eq 124 ]; then
    echo "bochs-run: timed out after ${timeout}s (serial log: $serial, bochs log: $bochs_log)" >&2
elif ! grep -q "Shutdown port: shutdown requested" "$bochs_log" "$run/bochs.out" 2>/dev/null; then
    echo "bochs-run: Bochs ended without Mica's power-off (status $status; see $bochs_log)" >&2
    [ $status -eq 0 ] && status=1
else
    status=0
fi
exit $status
