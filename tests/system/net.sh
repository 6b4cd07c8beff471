#!/usr/bin/env bash
# dom0's network card (tests/system/net.cfg, tests/guest/test_net.c): one
# Bochs boot with an Intel e1000 (82540EM) joined to Bochs's built-in
# virtual host `vnet` (192.168.10.1: ARP, ICMP echo, DHCP), a peer nobody
# here wrote; nothing reaches a real network. Checked here:
#  - dom0 finds the card and reads the MAC Bochs gives it, the link is up;
#  - DHCP gives it a 192.168.10.x lease from 192.168.10.1, ARP resolves the
#    server;
#  - 1,000 echo requests, one at a time, each answered within a second:
#    no loss; the median round trip in instructions is reported
#    (bench: e1000_echo_rtt); the card is polled for these;
#  - the same with the card's interrupt on an event channel (PHYSDEVOP_map_pirq,
#    EVTCHNOP_bind_pirq; bench: e1000_echo_irq_rtt): no loss, every event a
#    handler call, no spurious one, one RXT0 cause per frame received and
#    one TXDW per frame sent, no wait ended with a frame left;
#  - the card's own counters (GPRC/GPTC) equal the driver's, nothing missed
#    or malformed;
#  - no hypervisor fault, no domain crash, no access of dom0's refused by
#    the hypervisor, the machine powers off with every frame returned.
# Bochs's vnet writes its packet log (ne2k-pktlog.txt) to the folder Bochs
# runs in: OUTDIR/net-run/, kept for reading after a failure.
#   tests/system/net.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)         # Bochs runs in a folder of its own (below)
PINGS=1000                      # pings= in net.cfg
L="$out/net.log"
run="$out/net-run"              # Bochs's working folder and vnet's (empty) TFTP root
rm -rf "$run"
mkdir -p "$run/tftp"

scripts/mkimage.sh --esp "$out/net.img" --config tests/system/net.cfg "${files[@]}" > /dev/null ||
    { fail "net/image" "mkimage failed"; exit 0; }
scripts=$(pwd)/scripts
(cd "$run" && "$scripts/bochs-run.sh" --image "$out/net.img" --serial "$L" --nic "vnet:$run/tftp" \
    --timeout 400) > "$out/net.run" 2>&1
status=$?
sed -i 's/\r$//' "$L"

expect_status "net/powered-off" "$status" 0
expect "net/card-found" "$L" '^\[dom0\] PASS: net/probe$'
expect "net/mac-from-eeprom" "$L" '^\[dom0\] net: e1000-0 mac 52:54:00:12:34:56 irq [0-9]+$'
expect "net/link-up" "$L" '^\[dom0\] PASS: net/link-up$'
expect "net/dhcp-lease" "$L" \
    '^\[dom0\] net: dhcp lease 192\.168\.10\.[0-9]+ from 192\.168\.10\.1 mask 255\.255\.255\.0 '
expect "net/arp-resolves-server" "$L" \
    '^\[dom0\] net: peer 192\.168\.10\.1 at ([0-9a-f]{2}:){5}[0-9a-f]{2}$'
expect "net/echo-$PINGS-no-loss" "$L" \
    "^\\[dom0\\] net: e1000_echo: $PINGS echo requests, $PINGS replies, 0 lost$"
expect "net/echo-rtt-reported" "$L" '^\[dom0\] bench: e1000_echo_rtt [0-9]+ \(reps '
expect "net/irq-bound" "$L" '^\[dom0\] e1000: GSI [0-9]+ is PIRQ [0-9]+ on port [0-9]+ \(level, '
expect "net/irq-echo-$PINGS-no-loss" "$L" \
    "^\\[dom0\\] net: e1000_echo_irq: $PINGS echo requests, $PINGS replies, 0 lost$"
expect "net/irq-echo-rtt-reported" "$L" '^\[dom0\] bench: e1000_echo_irq_rtt [0-9]+ \(reps '
for c in every-call-an-event none-spurious rxt0-per-frame-received txdw-per-frame-sent none-lost; do
    expect "net/irq-$c" "$L" "^\\[dom0\\] PASS: net/irq-$c$"
done
grep -E '^\[dom0\] (net: (card|driver|interrupts)|bench: e1000|e1000: GSI|pirq: )' "$L" |
    sed 's/^/  /'
grep -E '^\[dom0\] (PASS|FAIL): net/' "$L" | sed -E 's/^\[dom0\] (PASS|FAIL): /\1: guest\//'
cases=$(grep -Ec '^\[dom0\] PASS: net/' "$L")
if [ "$cases" -ge 15 ]; then pass "net/case-count"; else fail "net/case-count" "$cases passed"; fi
expect "net/done" "$L" '^\[dom0\] net: done$'
expect_none "net/no-fault-or-crash" "$L" 'guest exception|HYPERVISOR FAULT|PANIC|crashed'
# Neither the PCI scan nor the driver touches what the hypervisor keeps.
expect_none "net/nothing-refused" "$L" '^\(mica\) trace: d0v[0-9]+ .*refused'
expect_frames_returned "net/every-frame-returned" "$L"
