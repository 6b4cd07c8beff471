#!/usr/bin/env bash
# The Xen Test Framework's HVM tests on Mica (docs/abi.md, "Platform"): every
# hvm64, hvm32, hvm32pae and hvm32pse image XTF builds (scripts/xtf-build.sh,
# from the tarball, unmodified), booted as a domU beside a dom0 that stays up:
# dom0's toolstack creates each one from a boot module with the memory and
# vCPUs its own xl config asks for, waits for it and goes on to the next.
# Each must print exactly one "Test result: SUCCESS" or "Test result: SKIP"
# and power off; a SKIP must have printed the reason tests/system/xtf-skips.txt
# lists for it (each with why Xen itself, without a debug build, skips it too)
# and no other "Skip:", "Fail" or "Error" line.
# No ERROR, FAILURE, crash or hang. An image that needs what Mica does not
# have yet is listed in tests/system/xtf-pending.txt with what it needs:
# reported, counted in the summary, and a failure once it passes (so the
# list only shrinks). The images are dealt into boots of up to 31 (dom0's
# module limit is 32, the script takes one).
#
#   tests/system/xtf.sh OUTDIR              build, boot all, check
#   tests/system/xtf.sh OUTDIR boot LIST    boot the groups LIST names (0,1,2)
#   tests/system/xtf.sh OUTDIR check        check the boots' logs
# (run.sh boots some groups on each of its two cores, then checks.)
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/system/lib.sh

out=${1:?usage: $0 OUTDIR [boot LIST | check]}
mode=${2:-all}
mkdir -p "$out/xtf"
PER_BOOT=31
SKIPS=tests/system/xtf-skips.txt
PENDING=tests/system/xtf-pending.txt

# Every HVM image, sorted: "NAME FILE MEMORY VCPUS", NAME = ENV-TEST.
list_images() {
    local tree=$1 f cfg mem vcpus
    for f in "$tree"/tests/*/test-hvm*; do
        case "$f" in *.*) continue ;; esac
        cfg=$f.cfg
        mem=$(sed -nE 's/^memory *= *([0-9]+).*/\1/p' "$cfg" | tail -1)
        vcpus=$(sed -nE 's/^vcpus *= *([0-9]+).*/\1/p' "$cfg" | tail -1)
        echo "$(basename "$f" | sed 's/^test-//') $f ${mem:-128} ${vcpus:-1}"
    done | sort
}

# boot_group I: one Bochs boot of the I-th group of images.
boot_group() {
    local i=$1 dir="$out/xtf/boot$1" name file mem vcpus
    rm -rf "$dir"
    mkdir -p "$dir"
    # guest_nmis=yes: nmi-taskswitch-priv sends itself NMIs through its APIC.
    printf 'hypervisor guest_nmis=yes\ndomain name=dom0 kernel=dom0.elf memory=64 privileged=yes modules=images cmdline="name=dom0 script=xtf.txt"\n' \
        > "$dir/xtf.cfg"
    scripts/mkimage.sh --esp "$dir/xtf.img" --config "$dir/xtf.cfg" "${files[@]}" > /dev/null &&
        mmd -i "$dir/xtf.img" ::/images || { echo "mkimage failed" > "$dir/error"; return; }
    : > "$dir/xtf.txt"
    while read -r name file mem vcpus; do
        mcopy -i "$dir/xtf.img" "$file" "::/images/test-$name" ||
            { echo "mcopy $file failed" > "$dir/error"; return; }
        echo "create name=$name kernel=test-$name memory=$mem vcpus=$vcpus" >> "$dir/xtf.txt"
        echo "wait $name 60" >> "$dir/xtf.txt"
        echo "destroy $name" >> "$dir/xtf.txt"     # refused unless it hung
        echo "$name" >> "$dir/names"
    done < "$dir/../group$i"
    echo "info" >> "$dir/xtf.txt"
    echo "poweroff" >> "$dir/xtf.txt"
    mcopy -i "$dir/xtf.img" "$dir/xtf.txt" ::/images/xtf.txt ||
        { echo "mcopy xtf.txt failed" > "$dir/error"; return; }
    scripts/bochs-run.sh --image "$dir/xtf.img" --serial "$dir/serial.log" --timeout 1200 \
        > "$dir/run.log" 2>&1
    echo $? > "$dir/status"
    sed -i 's/\r$//' "$dir/serial.log"
}

# The groups: every image in one of ceil(n / PER_BOOT) boots, dealt in turn.
make_groups() {
    local tree n groups
    tree=$(scripts/xtf-build.sh) || return 1
    list_images "$tree" > "$out/xtf/images"
    n=$(wc -l < "$out/xtf/images")
    groups=$(( (n + PER_BOOT - 1) / PER_BOOT ))
    rm -f "$out"/xtf/group*
    awk -v g="$groups" -v dir="$out/xtf" '{ print > (dir "/group" (NR - 1) % g) }' "$out/xtf/images"
    echo "$groups" > "$out/xtf/groups"
}

# boot_groups LIST: the boots of the groups LIST names ("0,1,2"; "all": every one).
boot_groups() {
    local groups i
    # Both cores' steps ask; the lock makes the second wait for the first's list.
    ( flock 9; [ -f "$out/xtf/groups" ] || make_groups ) 9> "$out/xtf/lock" ||
        { echo "FAIL: xtf/build (scripts/xtf-build.sh failed)"; return; }
    groups=$(cat "$out/xtf/groups")
    for ((i = 0; i < groups; i++)); do
        case ",$1," in *,"$i",*|,all,) boot_group "$i" ;; esac
    done
}

# listed FILE NAME: the second field of FILE's first line whose glob matches NAME.
listed() {
    local glob field
    while IFS='|' read -r glob field _; do
        glob=$(echo "$glob" | sed -E 's/^ +| +$//g')
        case "$glob" in ''|'#'*) continue ;; esac
        # shellcheck disable=SC2053
        if [[ $2 == $glob ]]; then echo "$field" | sed -E 's/^ +| +$//g'; return; fi
    done < "$1"
}

# judge NAME LOG: sets `outcome` (SUCCESS, SKIP, ERROR, FAILURE, crashed or
# none), `good` (1 if that is what the image must give) and `detail`.
judge() {
    local name=$1 L=$2 results want
    outcome=none good=0 detail=""
    results=$(grep -Ec "^\[$name\] Test result: " "$L")
    local got
    got=$(grep -Eo "^\[$name\] Test result: [A-Z]+" "$L" | head -1 | awk '{print $NF}')
    # Crashed by the hypervisor, or ended by its own panic (SHUTDOWN_crash).
    detail=$(grep -Em1 "^\[dom0\] toolstack: domain '$name' \(id [0-9]+\) (crashed|shut down \(crash\))" "$L" |
             sed 's/^\[dom0\] toolstack: //')
    if [ -n "$detail" ]; then
        outcome=crashed
        detail="$detail${got:+ after $got} $(grep -Em1 "^\[$name\] PANIC" "$L")"
        return
    fi
    case "$got" in
        SUCCESS|SKIP|ERROR|FAILURE) outcome=$got ;;
        *) detail="no test result (hung?)"; return ;;
    esac
    if [ "$results" -ne 1 ]; then
        detail="$results result lines, expected one"
    elif ! grep -Eq "^\[dom0\] toolstack: domain '$name' \(id [0-9]+\) shut down \(poweroff\)$" "$L"; then
        detail="$got, but it did not power off"
    elif [ "$got" = SUCCESS ]; then
        good=1
    elif [ "$got" = SKIP ]; then
        want=$(listed "$SKIPS" "$name")
        if [ -z "$want" ]; then
            detail="SKIP, not in $SKIPS: $(reasons "$name" "$L")"
        elif ! grep -Eq "^\[$name\] .*($want)" "$L"; then
            detail="SKIP, but $SKIPS expects a line matching /$want/: $(reasons "$name" "$L")"
        elif grep -E "^\[$name\] (Skip|Fail|Error)" "$L" | grep -Evq "($want)"; then
            detail="SKIP for /$want/, but also: $(grep -E "^\[$name\] (Skip|Fail|Error)" "$L" |
                                                 grep -Ev "($want)" | head -1)"
        else
            good=1
            detail="SKIP: $(grep -Eo "^\[$name\] .*($want).*" "$L" | head -1 | sed -E "s/^\[$name\] //")"
        fi
    else
        detail="$got: $(grep -E "^\[$name\] " "$L" | grep -Ev 'Test result|Xen Test Framework|Environment:' |
                        tail -3 | sed -E "s/^\[$name\] //" | paste -sd'|')"
    fi
}

reasons() {         # the lines of NAME that look like a reason to skip
    grep -E "^\[$1\] " "$2" | grep -Ei 'skip|not available|unavailable|not supported|not detected|no working' |
        sort -u | sed -E "s/^\[$1\] //" | paste -sd';'
}

# Every entry of FILE still names an image (no stale lines).
check_current() {
    local file=$1 glob nm found
    local -a names
    mapfile -t names < <(awk '{print $1}' "$out/xtf/images")
    while IFS='|' read -r glob _; do
        glob=$(echo "$glob" | sed -E 's/^ +| +$//g')
        case "$glob" in ''|'#'*) continue ;; esac
        found=0
        for nm in "${names[@]}"; do
            # shellcheck disable=SC2053
            [[ $nm == $glob ]] && { found=1; break; }
        done
        [ $found -eq 1 ] || fail "xtf/$(basename "$file" .txt)-current" "'$glob' matches no image"
    done < "$file"
}

check() {
    local groups n=0 ok=0 pending_n=0 outcome good detail pending
    local -A count=()
    groups=$(cat "$out/xtf/groups" 2>/dev/null) ||
        { fail "xtf/built" "no image list: scripts/xtf-build.sh failed (its words are in the boot step's log)"; return; }
    for ((i = 0; i < groups; i++)); do
        local dir="$out/xtf/boot$i" L="$out/xtf/boot$i/serial.log"
        if [ -f "$dir/error" ]; then fail "xtf/boot$i/image" "$(cat "$dir/error")"; continue; fi
        [ -f "$dir/status" ] || { fail "xtf/boot$i/booted" "no step booted group $i"; continue; }
        expect_status "xtf/boot$i/powered-off" "$(cat "$dir/status" 2>/dev/null)" 0
        expect "xtf/boot$i/dom0-stayed-up" "$L" '^\(mica\)   domain dom0 +id 0 +shut down \(poweroff\)$'
        expect_frames_returned "xtf/boot$i/every-frame-returned" "$L"
        expect_none "xtf/boot$i/no-hypervisor-fault" "$L" '^\(mica\) (PANIC at|HYPERVISOR FAULT)'
        while read -r name; do
            n=$((n + 1))
            judge "$name" "$L"
            count[$outcome]=$(( ${count[$outcome]:-0} + 1 ))
            pending=$(listed "$PENDING" "$name")
            if [ -n "$pending" ] && [ $good -eq 1 ]; then
                fail "xtf/$name" "passes now (${detail:-SUCCESS}): take it out of $PENDING"
            elif [ -n "$pending" ]; then
                pending_n=$((pending_n + 1))
                pass "xtf/$name (pending: $pending; now $outcome${detail:+: $detail})"
            elif [ $good -eq 1 ]; then
                ok=$((ok + 1))
                pass "xtf/$name${detail:+ ($detail)}"
            else
                fail "xtf/$name" "$detail"
            fi
        done < "$dir/names"
    done
    local total line
    total=$(wc -l < "$out/xtf/images")
    line="$n of $total images: ${count[SUCCESS]:-0} SUCCESS, ${count[SKIP]:-0} SKIP, ${count[ERROR]:-0} ERROR,"
    line+=" ${count[FAILURE]:-0} FAILURE, ${count[crashed]:-0} crashed, ${count[none]:-0} without a result"
    line+=" ($pending_n of them pending in $PENDING)"
    if [ "$n" -eq "$total" ] && [ $((ok + pending_n)) -eq "$total" ]; then pass "xtf/summary: $line"
    else fail "xtf/summary" "$line"; fi
    check_current "$SKIPS"
    check_current "$PENDING"
}

case "$mode" in
    all) boot_groups all; check ;;
    boot) boot_groups "${3:?LIST}" ;;
    check) check ;;
    *) echo "usage: $0 OUTDIR [boot LIST | check]" >&2; exit 2 ;;
esac
