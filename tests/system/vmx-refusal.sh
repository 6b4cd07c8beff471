#!/usr/bin/env bash
# A CPU without a VMX feature Mica needs is refused by name: Bochs's
# corei5_lynnfield_750 (Nehalem: EPT and VPID, but no unrestricted guest)
# must get one line naming the feature and the CPU, then a power-off, and
# no domain may start (docs/architecture.md, "VMX features").
#   tests/system/vmx-refusal.sh OUTDIR      (images built from build/)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR}
L="$out/vmx-refusal.log"
scripts/bochs-run.sh --image "$B/esp.img" --serial "$L" --cpu-model corei5_lynnfield_750 \
    --timeout 180 > "$out/vmx-refusal.run" 2>&1
status=$?
sed -i 's/\r$//' "$L"
expect_status "vmx-refusal/powered-off" $status 0
expect "vmx-refusal/names-feature-and-cpu" "$L" \
    '^\(mica\) VMX unusable: unrestricted guest missing on this CPU \(Intel\(R\) Core\(TM\) i5 CPU 750 @ 2\.67GHz, family 0x6 model 0x1e stepping 5\)'
expect_count "vmx-refusal/one-refusal-line" "$L" 'VMX unusable' 1
expect "vmx-refusal/cannot-run-domains" "$L" '^\(mica\) cannot run domains on this machine$'
expect "vmx-refusal/powering-off" "$L" '^\(mica\) powering off$'
expect_none "vmx-refusal/no-table-no-domain" "$L" '^\(mica\) vmx: |hello from|HYPERVISOR FAULT|PANIC'
