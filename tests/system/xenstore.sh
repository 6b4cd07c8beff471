#!/usr/bin/env bash
# dom0's xenstore daemon (docs/xenstore.md), one Bochs boot: a boot domU
# (id 1) is in the store from the shell's start; dom0's shell writes and
# reads nodes of its own, creates a domU that runs the store's
# suite over its ring (test=xenstore: every request type, permissions,
# transactions, watches, quotas, then a header with an oversize length),
# lists the domU's nodes while it runs, waits for it to end, creates one
# that sends its producer index wild (test=xenstore-wild), and checks that
# dom0 still answers, that each domU's nodes are gone once it is, and that
# every frame and grant mapping came back.
#   tests/system/xenstore.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
L="$out/xenstore.log"
S="$out/xenstore.txt"
{
    echo "xenstore-read /local/domain/1/name"
    echo "xenstore-write /tool/greeting hello from dom0"
    echo "xenstore-read /tool/greeting"
    echo "xenstore-read /tool/missing"
    echo "create name=xs kernel=domu-test.elf memory=8 cmdline=\"name=xs test=xenstore\""
    echo "xenstore-read /local/domain/2/name"
    echo "xenstore-ls /local/domain/2"
    echo "wait xs 600"
    echo "xenstore-read /local/domain/2/name"
    echo "create name=wild kernel=domu-test.elf memory=4 cmdline=\"name=wild test=xenstore-wild\""
    echo "wait wild 120"
    echo "destroy early"
    echo "xenstore-ls /local/domain"
    echo "xenstore-ls /vm"
    echo "list"
    echo "info"
    echo "poweroff"
} > "$S"
{
    scripts/mkimage.sh --esp "$out/xenstore.img" --config tests/system/xenstore.cfg "${files[@]}" &&
    mmd -i "$out/xenstore.img" ::/images &&
    mcopy -i "$out/xenstore.img" "$B/domu-test.elf" ::/images/domu-test.elf &&
    mcopy -i "$out/xenstore.img" "$S" ::/images/xenstore.txt
} > /dev/null || { fail "xenstore/image" "mkimage failed"; exit 0; }
scripts/bochs-run.sh --image "$out/xenstore.img" --serial "$L" --timeout 900 \
    > "$out/xenstore.run" 2>&1
status=$?
sed -i 's/\r$//' "$L"
expect_status "xenstore/powered-off" "$status" 0
D='^\[dom0\] '
expect "xenstore/boot-domu-introduced" "$L" "${D}\"early\"$"
expect "xenstore/dom0-write-read" "$L" "${D}\"hello from dom0\"$"
expect "xenstore/dom0-read-missing" "$L" "${D}xenstore-read: /tool/missing: ENOENT$"
expect "xenstore/created-xs" "$L" "${D}create: domain 'xs' is id 2$"
expect "xenstore/name-node" "$L" "${D}\"xs\"$"
expect "xenstore/ls-domid" "$L" "${D}domid = \"2\"$"
expect "xenstore/ls-static-max" "$L" "${D} static-max = \"8192\"$"
expect "xenstore/ls-control-shutdown" "$L" "${D} shutdown = \"\"$"

# The domU's suite: its lines, each PASS; the summary says 0 failed.
X='^\[xs\] '
grep -E "${X}(PASS|FAIL): xenstore/" "$L" | sed -E "s/${X}//"
n_pass=$(grep -Ec "${X}PASS: xenstore/" "$L")
n_fail=$(grep -Ec "${X}FAIL: xenstore/" "$L")
expect "xenstore/domu-suite-finished" "$L" "${X}xenstore: ${n_pass} passed, 0 failed$"
if [ "$n_pass" -ge 100 ] && [ "$n_fail" -eq 0 ]; then pass "xenstore/domu-suite-cases"
else fail "xenstore/domu-suite-cases" "$n_pass passed, $n_fail failed"; fi
W='^\[wild\] '
grep -E "${W}(PASS|FAIL): xenstore/" "$L" | sed -E "s/${W}//"
expect "xenstore/wild-finished" "$L" "${W}xenstore: 5 passed, 0 failed$"
expect "xenstore/dom0-saw-proto" "$L" "${D}xenstore: domain 2 broke the ring protocol \(error 3\)"
expect "xenstore/dom0-saw-ringidx" "$L" "${D}xenstore: domain 3 broke the ring protocol \(error 2\)"

# dom0 is still up, and the domUs' nodes went with them (early's with destroy).
expect "xenstore/early-destroyed" "$L" "${D}destroy: domain 'early' \(id 1\) destroyed$"
expect "xenstore/xs-reaped" "$L" "${D}toolstack: domain 'xs' \(id 2\) shut down \(poweroff\)$"
expect "xenstore/name-gone-after-reap" "$L" "${D}xenstore-read: /local/domain/2/name: ENOENT$"
ls_domains=$(sed -n "/${D}mica> xenstore-ls \/local\/domain$/,/${D}mica> /p" "$L" | grep -Ec "${D}[0-9]+ = ")
if [ "$ls_domains" -eq 1 ] && grep -Eq "${D}0 = \"\"$" "$L"; then pass "xenstore/only-dom0-left"
else fail "xenstore/only-dom0-left" "$ls_domains domains under /local/domain at the end"; fi
ls_vm=$(sed -n "/${D}mica> xenstore-ls \/vm$/,/${D}mica> /p" "$L" | grep -Ec "${D}[0-9]+ = ")
if [ "$ls_vm" -eq 0 ]; then pass "xenstore/vm-nodes-gone"
else fail "xenstore/vm-nodes-gone" "$ls_vm entries under /vm at the end"; fi
expect "xenstore/dom0-answers-after" "$L" "${D}host: [0-9]+ CPUs"
ncmd=$(grep -Evc '^[[:space:]]*(#|$)' "$S")
expect "xenstore/script-summary" "$L" "${D}script: $ncmd commands, 2 failed$"
expect "xenstore/dom0-powered-off" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
expect_frames_returned "xenstore/every-frame-returned" "$L"
expect "xenstore/no-objects-left" "$L" '^\(mica\) objects in use: grant mappings 0 \(counted 0\), grant pins 0, event channels 0'
expect_none "xenstore/no-fault-or-crash" "$L" "HYPERVISOR FAULT|PANIC|crashed"
