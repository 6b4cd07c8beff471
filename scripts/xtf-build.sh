#!/usr/bin/env bash
# Build the Xen Test Framework's HVM test images from the tarball in
# ../shared/external with XTF's own makefiles (tests/system/xtf.sh boots them).
#
#   scripts/xtf-build.sh [TARBALL]      prints the built tree's path
#   (default: $XTF_TARBALL, ../shared/external/xtf-*.tar.gz, /work/shared/external/...)
#
# Only the HVM environments (hvm64, hvm32, hvm32pae, hvm32pse) are built: Mica
# has no PV guests. The tree is cached in build/xtf/<first 16 hex digits of
# the tarball's SHA-256>/, so a new tarball builds afresh and an unchanged one
# is not built again. Nothing of XTF is changed: its top-level makefile's
# exported settings are given here, then each test's own makefile is asked for
# its environments (TEST-ENVS) and builds the HVM ones with their xl configs
# (test-ENV-NAME.cfg: the memory and vCPUs each test asks for).
set -euo pipefail
cd "$(dirname "$0")/.."

# The tarball: as given, or $XTF_TARBALL, or the workplace's shared folder
# beside this checkout (../shared/external), or at /work/shared/external.
tarball=${1:-${XTF_TARBALL:-}}
if [ -z "$tarball" ]; then
    for candidate in ../shared/external/xtf-*.tar.gz /work/shared/external/xtf-*.tar.gz; do
        [ -f "$candidate" ] && { tarball=$candidate; break; }
    done
fi
[ -f "$tarball" ] || { echo "$0: no XTF tarball: give one, set XTF_TARBALL, or put xtf-*.tar.gz in" \
    "../shared/external or /work/shared/external" >&2; exit 2; }
sum=$(sha256sum "$tarball" | cut -c1-16)
dir=$PWD/build/xtf/$sum
tree=$dir/xtf
# One build at a time: a second caller waits for the first and takes its tree.
mkdir -p build/xtf
exec 9> build/xtf/lock
flock 9
if [ -f "$dir/built" ]; then
    echo "$tree"
    exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$tarball" -C "$dir"
[ -f "$tree/build/gen.mk" ] || { echo "$0: $tarball does not unpack to xtf/" >&2; exit 2; }

# What XTF's top-level Makefile exports to the per-test makefiles.
export ROOT=$tree xtfdir=$tree xtftestdir=$tree/tests DESTDIR=$tree/dist
export CC=gcc LD=ld OBJCOPY=objcopy CPP="gcc -E" PYTHON=python3
export INSTALL=install INSTALL_DATA="install -m 644 -p" INSTALL_DIR="install -d -p" \
    INSTALL_PROGRAM="install -p"
built=0
for t in "$tree"/tests/*/; do
    name=$(basename "$t")
    [ -f "$t/Makefile" ] || continue
    envs=$(make -s -rR -C "$t" --no-print-directory \
        --eval 'mica-print-envs: ; @echo $(TEST-ENVS)' mica-print-envs)
    targets=()
    for env in $envs; do
        case "$env" in hvm*) targets+=("test-$env-$name" "test-$env-$name.cfg") ;; esac
    done
    [ ${#targets[@]} -gt 0 ] || continue
    make -s -rR -j2 -C "$t" --no-print-directory "${targets[@]}" >/dev/null 2>"$dir/$name.err" ||
        { echo "$0: building XTF test $name failed:" >&2; cat "$dir/$name.err" >&2; exit 1; }
    built=$((built + ${#targets[@]} / 2))
done
[ "$built" -gt 0 ] || { echo "$0: no HVM test in $tarball" >&2; exit 1; }
echo "$built" > "$dir/built"
echo "$tree"
