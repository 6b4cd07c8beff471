#!/usr/bin/env bash
# Enforce who may include what (the Makefile runs this after each compile):
#
#   scripts/check-includes.sh AREA DEPFILE
#
# DEPFILE is the compiler's -MMD list for one object of AREA. Every header
# in it that lies inside this repository must lie under one of AREA's
# allowed folders (headers outside it, the compiler's and GNU-EFI's, are
# not ours to police). On a violation it names the source, the first header
# it may not see and the rule, and exits 1, which fails the build.
set -euo pipefail

area=$1 depfile=$2
case "$area" in
    hv)     allowed="hv/" ;                          rule="hv/ sees hv/include/ only, never arch/ (it calls arch_* hooks from hv/include/hv/arch.h)" ;;
    arch)   allowed="arch/ hv/include/" ;            rule="arch/ sees arch/ and hv/include/" ;;
    loader) allowed="boot/ hv/include/mica/ hv/include/public/" ; rule="the loader sees hv/include/mica/ and hv/include/public/ only" ;;
    guest)  allowed="guest-pv/ tests/guest/ tests/abi/ hv/include/public/" ; rule="guest code sees hv/include/public/ only from the hypervisor side" ;;
    toolstack) allowed="guest-pv/ boot/bootcfg.c hv/include/public/ hv/include/mica/bootcfg.h hv/include/mica/hypercall_names.h"
            rule="the toolstack sees the guest's headers and the boot configuration's parser (mica/bootcfg.h) only" ;;
    *) echo "$0: unknown area '$area'" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd -P)
# The first word is the object ("x.o:"); -MP adds "header:" lines: drop both.
mapfile -t deps < <(sed 's/\\$//' "$depfile" | tr -s ' \t' '\n\n' | grep -v -e ':$' -e '^$')
[ ${#deps[@]} -gt 0 ] || exit 0
source=${deps[0]}
bad=()
while IFS= read -r dep; do
    case "$dep" in ../*|/*) continue ;; esac     # outside the repository
    ok=0
    for a in $allowed; do
        case "$dep" in "$a"*) ok=1 ;; esac
    done
    [ $ok -eq 1 ] || bad+=("$dep")
done < <(realpath -m --relative-to="$root" "${deps[@]}")
[ ${#bad[@]} -eq 0 ] && exit 0
# Dependencies come in the order the preprocessor met them: the first is the
# one the source (or one of its own headers) named.
more=""
[ ${#bad[@]} -gt 1 ] && more=" (and $(( ${#bad[@]} - 1 )) more headers it pulls in)"
echo "include boundary: $source includes ${bad[0]}$more: $rule (docs/architecture.md)" >&2
exit 1
