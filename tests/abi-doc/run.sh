#!/usr/bin/env bash
# docs/abi.md is the contract: every hypercall in the dispatch table
# (hv/hypercall.c) must have its section there, and every sub-operation and
# parameter the public headers define must be named in it. One PASS/FAIL line
# per item.
set -uo pipefail
cd "$(dirname "$0")/../.."
doc=docs/abi.md

# [HYPERCALL_NAME] = { do_name, ... } -> number from public/hypercall.h
grep -Eo '\[HYPERCALL_[A-Z_]+\] = \{ do_[a-z_]+' hv/hypercall.c |
while read -r entry _ _ handler; do
    macro=${entry#[}; macro=${macro%]}
    name=${handler#do_}
    number=$(awk -v m="$macro" '$1 == "#define" && $2 == m { print $3 }' hv/include/public/hypercall.h)
    if [ -z "$number" ]; then
        echo "FAIL: abi-doc/hypercall-$name (no number for $macro)"
    elif grep -Eq "^### $number \`$name\(" "$doc" && grep -Eq "^\| $number \| \`$name\` \|" "$doc"; then
        echo "PASS: abi-doc/hypercall-$number-$name"
    else
        echo "FAIL: abi-doc/hypercall-$number-$name (no '### $number \`$name(...)' section or table row in $doc)"
    fi
done

# Sub-operations and parameters: XENVER_VERSION is documented as XENVER_version.
for prefix in XENVER XENMEM VCPUOP SCHEDOP EVTCHNOP HVMOP CONSOLEIO GNTTABOP PHYSDEVOP; do
    grep -ho "#define ${prefix}_[A-Z_0-9]* " hv/include/public/*.h | awk '{ print $2 }' |
    grep -v '_MAX$' | sort -u |
    while read -r macro; do
        rest=${macro#${prefix}_}
        name="${prefix}_$(echo "$rest" | tr 'A-Z' 'a-z')"
        if grep -q "\`$name\`" "$doc"; then echo "PASS: abi-doc/$name"
        else echo "FAIL: abi-doc/$name (not named in $doc)"; fi
    done
done
grep -ho '#define HVM_PARAM_[A-Z_]* ' hv/include/public/hvm_op.h | awk '{ print $2 }' |
grep -v '_TYPE\|_SHIFT\|_MIN\|_VECTOR$' |
while read -r macro; do
    if grep -q "\`$macro\`" "$doc"; then echo "PASS: abi-doc/$macro"
    else echo "FAIL: abi-doc/$macro (not named in $doc)"; fi
done

# The conformance suite's coverage table (docs/abi.md, "Conformance coverage").
tests/abi-doc/coverage.sh
