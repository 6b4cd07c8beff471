#!/usr/bin/env bash
# Build a boot image: a FAT32 EFI system partition image (--esp), or a GPT
# disk image with one EFI system partition that can be written to a USB stick
# (--gpt). BOOTX64.EFI goes to EFI/BOOT/, the configuration to mica.cfg, every
# other file to the root. A file argument "SRC=NAME" stores SRC as NAME,
# which may name a folder ("images/domu.elf": dom0's boot modules).
#
#   scripts/mkimage.sh --esp build/esp.img --config boot/mica.cfg build/BOOTX64.EFI build/mica.elf ...
set -euo pipefail

usage() { echo "usage: $0 (--esp|--gpt) OUT --config CFG FILE[=NAME]..." >&2; exit 2; }

mode="" out="" config=""
while [ $# -gt 0 ]; do
    case "$1" in
        --esp|--gpt) mode="$1"; out="${2:-}"; shift 2 ;;
        --config) config="${2:-}"; shift 2 ;;
        --*) usage ;;
        *) break ;;
    esac
done
[ -n "$mode" ] && [ -n "$out" ] && [ -n "$config" ] || usage
[ -f "$config" ] || { echo "$0: configuration '$config' not found" >&2; exit 1; }

ESP_KIB=65536                   # 64 MiB: comfortably above FAT32's minimum size
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
esp="$tmp/esp.img"

mkfs.fat -F 32 -n MICA -C "$esp" "$ESP_KIB" >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$config" ::/mica.cfg
for arg in "$@"; do
    src="${arg%%=*}"
    name=$(basename "$src")
    [ "$arg" != "$src" ] && name="${arg#*=}"
    [ -f "$src" ] || { echo "$0: '$src' not found" >&2; exit 1; }
    dir=$(dirname "$name")
    if [ "$dir" != . ] && ! mdir -i "$esp" "::/$dir" > /dev/null 2>&1; then
        mmd -i "$esp" "::/$dir"
    fi
    if [ "$name" = "BOOTX64.EFI" ]; then
        mcopy -i "$esp" "$src" ::/EFI/BOOT/BOOTX64.EFI
    else
        mcopy -i "$esp" "$src" "::/$name"
    fi
done

if [ "$mode" = "--esp" ]; then
    mv "$esp" "$out"
    exit 0
fi

# GPT: partition 1 starts at 1 MiB and is the ESP; 1 MiB spare at the end for the backup GPT.
disk="$tmp/disk.img"
truncate -s $(( (ESP_KIB + 2048) * 1024 )) "$disk"
printf 'label: gpt\nstart=2048, size=%d, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="Mica ESP"\n' \
    $(( ESP_KIB * 2 )) | sfdisk --quiet "$disk"
dd if="$esp" of="$disk" bs=1M seek=1 conv=notrunc status=none
mv "$disk" "$out"
