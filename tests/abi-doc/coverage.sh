#!/usr/bin/env bash
# docs/abi.md's "Conformance coverage" table against the document and the
# suite (tests/abi/). One PASS/FAIL line per item:
#  - abi-coverage/documented/<NAME>: every hypercall of the "Hypercalls"
#    table and every numbered sub-operation or parameter (`| N | \`NAME\` |`
#    rows above the coverage section) has a row of its own;
#  - abi-coverage/row/<call>/<sub-op>: the row has its five cells, none
#    empty, each naming cases or saying `n/a: <why>`, and every case it
#    names exists in the suite's source: `name` as a string literal in
#    tests/abi/<call>.c or tests/abi/<call>-<part>.c (or the shared
#    conformance.c and badptr.c),
#    `family.name` in that family's file; `<name>-badptr-*` stands for the
#    cases abi_badptr_cases() prints for "<name>", one per kind.
# Given the serial log of tests/system/conformance.sh, every case a row
# names must also have passed (or been skipped) in both dom0 and the domU
# (hypercall.restricted-* and event_channel_op.fifo-2l-*: in the domain
# `restricted`, which runs them; event_channel_op.fifo-*: in `fifo`):
#   tests/abi-doc/coverage.sh [OUTDIR/conformance.log]
set -uo pipefail
cd "$(dirname "$0")/../.."
doc=docs/abi.md
log=${1:-}
section='## Conformance coverage'
columns=(success errors permissions bad-pointers isolation)

if ! grep -qx "$section" "$doc"; then
    echo "FAIL: abi-coverage/section (no '$section' in $doc)"
    exit 0
fi
if [ -n "$log" ] && [ ! -f "$log" ]; then
    echo "FAIL: abi-coverage/log ($log not found)"
    log=""
fi

# String literals of each source file: "file<TAB>literal".
declare -A literal
while IFS=$'\t' read -r file lit; do
    literal["$file:$lit"]=1
done < <(for f in tests/abi/*.c; do
             # a family's cases may be split: tests/abi/<family>-<part>.c
             family=$(basename "$f" .c); family=${family%%-*}
             grep -o '"[^"]*"' "$f" | tr -d '"' | sed "s|^|$family\t|"
         done)

# Cases that passed (or were skipped), per domain: "dom0 family.case".
declare -A passed
if [ -n "$log" ]; then
    while read -r d name; do
        passed["$d $name"]=1
        # a bad-pointer kind also counts for its "<name>-badptr-*"
        [[ $name == *-badptr-* ]] && passed["$d ${name%-badptr-*}-badptr-*"]=1
    done < <(sed -nE 's/^\[(dom0|domu|restricted|fifo)\] abi: ([a-z_]+\.[^:]+): (PASS|SKIP).*$/\1 \2/p' "$log")
fi

# Cases only one side runs: the meeting (the lower id offers, the other
# binds) and phase 2 (dom0 acts on the domU, the domU sees it).
declare -A only_dom0=(
    [event_channel_op.alloc_unbound-for-peer]=1 [event_channel_op.bind_interdomain-by-peer-seen]=1
    [event_channel_op.bind_interdomain-foreign-allocated]=1
    [event_channel_op.send-foreign-allocated]=1
    [event_channel_op.reset-foreign-closed-all]=1 [event_channel_op.reset-foreign-kept-console]=1
    [event_channel_op.reset-foreign-our-ends-unbound]=1 [hypercall.gone-domain-stopped]=1)
declare -A only_domu=(
    [event_channel_op.bind_interdomain-peer]=1 [event_channel_op.reset-by-dom0-seen]=1
    [event_channel_op.reset-by-dom0-closed-virq]=1 [event_channel_op.reset-by-dom0-kept-console]=1)

# tests/abi/domctl-lifecycle.c: dom0 builds domains, the domU is refused each sub-op.
while read -r lit; do
    if [[ $lit == *-from-domu ]]; then only_domu[domctl.$lit]=1; else only_dom0[domctl.$lit]=1; fi
done < <(grep -o '"[^"]*"' tests/abi/domctl-lifecycle.c | tr -d '"')

in_source() {   # in_source FAMILY NAME
    local name=${2%-badptr-\*}
    [ -n "${literal["$1:$name"]:-}" ] || [ -n "${literal["conformance:$name"]:-}" ] ||
        [ -n "${literal["badptr:$name"]:-}" ]
}

in_log() {      # in_log FAMILY.NAME
    # test=restricted's cases run in the domain of that name alone.
    if [[ $1 == hypercall.restricted-* || $1 == event_channel_op.fifo-2l-* ]]; then
        [ -n "${passed["restricted $1"]:-}" ]
        return
    fi
    # test=evtchn-fifo's cases run in the domain `fifo` alone.
    if [[ $1 == event_channel_op.fifo-* ]]; then
        [ -n "${passed["fifo $1"]:-}" ]
        return
    fi
    [ -n "${only_domu[$1]:-}" ] || [ -n "${passed["dom0 $1"]:-}" ] || return 1
    [ -n "${only_dom0[$1]:-}" ] || [ -n "${passed["domu $1"]:-}" ]
}

# The rows, and the names their first cells give.
mapfile -t rows < <(sed -n "/^$section\$/,\$p" "$doc" | grep -E '^\| `')
declare -A named
for row in "${rows[@]}"; do
    IFS='|' read -ra cell <<< "$row"
    first=${cell[1]}
    while [[ $first =~ \`([^\`]+)\`(.*) ]]; do
        named[${BASH_REMATCH[1]}]=1
        first=${BASH_REMATCH[2]}
    done
done

# Every `| N | \`name\` |` row of the contract above the coverage section.
count=0
while read -r name; do
    count=$((count + 1))
    if [ -n "${named[$name]:-}" ]; then echo "PASS: abi-coverage/documented/$name"
    else echo "FAIL: abi-coverage/documented/$name (no row of the coverage table names it)"; fi
done < <(sed "/^$section\$/,\$d" "$doc" | grep -Eo '^\| [0-9]+ \| `[A-Za-z_0-9]+` \|' |
         grep -Eo '`[^`]+`' | tr -d '`' | sort -u)
[ $count -gt 0 ] || echo "FAIL: abi-coverage/documented (no numbered calls found in $doc)"

for row in "${rows[@]}"; do
    IFS='|' read -ra cell <<< "$row"
    key=$(echo ${cell[1]//\`/} | tr ' ' '/')
    family=${cell[1]#*\`}
    family=${family%%\`*}
    if [ ${#cell[@]} -ne 7 ]; then
        echo "FAIL: abi-coverage/row/$key ($(( ${#cell[@]} - 1 )) cells, expected 6)"
        continue
    fi
    problems=""
    for i in 0 1 2 3 4; do
        text=${cell[$((i + 2))]}
        text=${text#"${text%%[![:space:]]*}"}
        col=${columns[$i]}
        if [ -z "$text" ]; then
            problems+=" $col: empty;"
            continue
        fi
        # Cases are the backticked lower-case names; upper-case ones are references.
        cases=()
        rest=$text
        while [[ $rest =~ \`([a-z0-9_][a-z0-9_.*-]*)\`(.*) ]]; do
            cases+=("${BASH_REMATCH[1]}")
            rest=${BASH_REMATCH[2]}
        done
        if [ ${#cases[@]} -eq 0 ] && ! [[ $text =~ ^n/a(\ in\ the\ suite)?:\ .{8,} ]]; then
            problems+=" $col: names no case and gives no 'n/a: <why>';"
        fi
        for tok in "${cases[@]}"; do
            fam=$family name=$tok
            if [[ $tok == *.* ]]; then fam=${tok%%.*} name=${tok#*.}; fi
            if ! in_source "$fam" "$name"; then
                problems+=" $col: $fam.$name is not in tests/abi/$fam.c;"
            elif [ -n "$log" ] && ! in_log "$fam.$name"; then
                problems+=" $col: $fam.$name did not pass in both domains;"
            fi
        done
    done
    if [ -z "$problems" ]; then echo "PASS: abi-coverage/row/$key"
    else echo "FAIL: abi-coverage/row/$key (${problems# })"; fi
done
