#!/usr/bin/env bash
# dom0's boot modules (docs/boot-config.md, docs/abi.md "Boot modules"), one
# Bochs boot: the loader reads the folder that modules= names (domu.elf and a
# text file), the hypervisor copies both into dom0's RAM and lists them in
# its start info, and the production dom0 prints each one's name and size
# as it found them, saying which starts with the ELF magic.
#   tests/system/modules.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/modules.log"
printf 'a boot module that is not an ELF image\n' > "$out/modules-hello.txt"
elf_size=$(stat -c %s "$B/domu.elf")
txt_size=$(stat -c %s "$out/modules-hello.txt")
{
    scripts/mkimage.sh --esp "$out/modules.img" --config tests/system/modules.cfg "${files[@]}" &&
    mmd -i "$out/modules.img" ::/images ::/images/sub &&
    mcopy -i "$out/modules.img" "$out/modules-hello.txt" ::/images/hello.txt &&
    mcopy -i "$out/modules.img" "$B/domu.elf" ::/images/domu.elf
} > /dev/null || { fail "modules/image" "mkimage failed"; exit 0; }
scripts/bochs-run.sh --image "$out/modules.img" --serial "$L" --timeout 180 \
    > "$out/modules.run" 2>&1
status=$?
sed -i 's/\r$//' "$L"
expect_status "modules/powered-off" "$status" 0
expect "modules/hv-placed-domu-elf" "$L" \
    "^\(mica\) domain 'dom0': module domu\.elf, $elf_size bytes at 0x[0-9a-f]+000$"
expect "modules/hv-placed-hello-txt" "$L" \
    "^\(mica\) domain 'dom0': module hello\.txt, $txt_size bytes at 0x[0-9a-f]+000$"
expect "modules/dom0-sees-domu-elf" "$L" \
    "^\[dom0\] dom0: module domu\.elf $elf_size bytes, starts with \\\\x7fELF$"
expect "modules/dom0-sees-hello-txt" "$L" "^\[dom0\] dom0: module hello\.txt $txt_size bytes$"
# Sorted by name, whatever the directory's order; the sub-folder is no module.
order=$(grep -Eo '^\[dom0\] dom0: module [^ ]+' "$L" | awk '{print $4}' | tr '\n' ' ')
if [ "$order" = "domu.elf hello.txt " ]; then pass "modules/sorted-by-name"
else fail "modules/sorted-by-name" "dom0 listed: $order"; fi
expect "modules/dom0-ran-on" "$L" '^\[dom0\] dom0: [0-9]+ disks?, [0-9]+ network cards?$'
expect "modules/dom0-powered-off" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect_frames_returned "modules/every-frame-returned" "$L"
expect_none "modules/no-fault-or-crash" "$L" 'HYPERVISOR FAULT|PANIC|crashed|refused'
