#!/usr/bin/env bash
# Install the Debian 12 packages Mica needs to build, test and run.
# Does nothing when everything is already there; needs root (or sudo) otherwise.
set -euo pipefail

packages=(build-essential nasm gnu-efi mtools dosfstools fdisk ovmf
          bochs bochsbios bochs-term qemu-system-x86 util-linux python3)

# Each package is represented by a file it installs.
declare -A marker=(
    [build-essential]=/usr/bin/gcc [nasm]=/usr/bin/nasm
    [gnu-efi]=/usr/lib/crt0-efi-x86_64.o [mtools]=/usr/bin/mcopy
    [dosfstools]=/sbin/mkfs.fat [fdisk]=/sbin/sfdisk
    [ovmf]=/usr/share/OVMF/OVMF_CODE.fd [bochs]=/usr/bin/bochs
    [bochsbios]=/usr/share/bochs/BIOS-bochs-latest
    [bochs-term]=/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so
    [qemu-system-x86]=/usr/bin/qemu-system-x86_64 [util-linux]=/usr/bin/script
    [python3]=/usr/bin/python3
)

missing=()
for p in "${packages[@]}"; do
    [ -e "${marker[$p]}" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
