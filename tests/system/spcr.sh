#!/usr/bin/env bash
# The serial console from the ACPI SPCR, end to end, under QEMU TCG (no VMX,
# so the boot stops after the console and VMX lines): an SPCR naming COM2
# (0x2F8) at 57600 baud, added to QEMU's ACPI tables, must move the console
# there. COM1 has the lines up to the move; COM2 the rest, with the refusal.
#   tests/system/spcr.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
# Revision 2, 80 bytes (Microsoft's SPCR layout): a 16550 in I/O space with
# 8-bit registers at 0x2F8, I/O APIC GSI 3, baud code 6 (57600), 8N1, VT100.
python3 - "$out/spcr.bin" <<'PY'
import struct, sys
t = bytearray(80)
t[0:4] = b"SPCR"
struct.pack_into("<IBB6s8sI4sI", t, 4, 80, 2, 0, b"MICA  ", b"SPCRTEST", 1, b"MICA", 1)
t[36] = 0x00                                    # full 16550
struct.pack_into("<BBBBQ", t, 40, 1, 8, 0, 1, 0x2F8)
t[52] = 1 << 1                                  # I/O APIC interrupt
struct.pack_into("<I", t, 54, 3)                # GSI 3
t[58], t[60] = 6, 1                             # 57600 baud, 1 stop bit
struct.pack_into("<HH", t, 64, 0xFFFF, 0xFFFF)  # not a PCI device
t[9] = (-sum(t)) & 0xFF
open(sys.argv[1], "wb").write(t)
PY
scripts/qemu-run.sh --tcg --image "$B/esp.img" --serial "$out/spcr-com1.log" \
    --serial2 "$out/spcr-com2.log" --acpi-table "$out/spcr.bin" --timeout 60 \
    > "$out/spcr.run" 2>&1
status=$?
sed -i 's/\r$//' "$out/spcr-com1.log" "$out/spcr-com2.log"
expect_status "spcr/powered-off" $status 0
expect "spcr/com1-says-moving" "$out/spcr-com1.log" "^\(mica\) console: moving to the ACPI SPCR's UART$"
expect "spcr/com2-names-port-and-baud" "$out/spcr-com2.log" \
    '^\(mica\) console: I/O port 0x2f8 at 57600 baud \(from the ACPI SPCR\)$'
expect "spcr/com2-has-the-rest" "$out/spcr-com2.log" '^\(mica\) VMX unusable: VMX .* missing on this CPU \('
expect_none "spcr/com1-has-no-later-lines" "$out/spcr-com1.log" 'VMX unusable'
