#!/usr/bin/env bash
# Measure Mica's path lengths in Bochs, where one TSC tick is one instruction
# (docs/performance.md says what each figure includes).
#
#   scripts/bench.sh [--reps N] [--check]
#
# Boots tests/system/bench.cfg once, then dom0's device drivers: its disk
# (tests/system/bench-disk.cfg with a second disk: 4 KiB requests by DMA)
# and its e1000 (tests/system/bench-net.cfg against Bochs's vnet: echo
# round trips),
# reads the "bench: <key> <value>" lines from the serial logs, adds the
# image sizes and the source line count, writes
# build/bench.json and prints each figure against tests/bench/baseline.json.
# Exit status 1 if a figure is missing, Bochs failed, or a figure grew by more
# than TOLERANCE_PERCENT (5%) over the baseline or has no baseline: a grown
# figure passes only once tests/bench/baseline.json is re-measured in the same
# change (docs/performance.md, "How the baseline moves"). --check (used by make
# test) runs few repetitions and only verifies that every figure was produced.
set -uo pipefail
cd "$(dirname "$0")/.."

reps=10000 check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps="$2"; shift 2 ;;
        --check) check=1; reps=100; shift ;;
        *) echo "usage: $0 [--reps N] [--check]" >&2; exit 2 ;;
    esac
done

B=build
out=$B/bench
mkdir -p "$out"
sed "s/test=bench peer=1/test=bench peer=1 reps=$reps/" tests/system/bench.cfg > "$out/bench.cfg"
scripts/mkimage.sh --esp "$out/bench.img" --config "$out/bench.cfg" \
    $B/BOOTX64.EFI $B/mica.elf $B/dom0.elf $B/domu.elf $B/dom0-test.elf $B/domu-test.elf || exit 1
scripts/bochs-run.sh --image "$out/bench.img" --serial "$out/serial.log" --timeout 900 \
    > "$out/bochs.run" 2>&1
status=$?
sed -i 's/\r$//' "$out/serial.log"

# The device figures: dom0's ATA driver on a scratch disk (ata1-master).
scripts/mkimage.sh --esp "$out/bench-disk.img" --config tests/system/bench-disk.cfg \
    $B/BOOTX64.EFI $B/mica.elf $B/dom0.elf $B/domu.elf $B/dom0-test.elf $B/domu-test.elf || exit 1
rm -f "$out/disk2.img"
truncate -s 64M "$out/disk2.img"
scripts/bochs-run.sh --image "$out/bench-disk.img" --serial "$out/serial-disk.log" --timeout 300 \
    --disk2 "$out/disk2.img" > "$out/bochs-disk.run" 2>&1 || status=$?
sed -i 's/\r$//' "$out/serial-disk.log"

# dom0's e1000 against Bochs's vnet, which writes its packet log where Bochs runs.
scripts/mkimage.sh --esp "$out/bench-net.img" --config tests/system/bench-net.cfg \
    $B/BOOTX64.EFI $B/mica.elf $B/dom0.elf $B/domu.elf $B/dom0-test.elf $B/domu-test.elf || exit 1
rm -rf "$out/net-run"
mkdir -p "$out/net-run/tftp"
top=$(pwd)
(cd "$out/net-run" && "$top/scripts/bochs-run.sh" --image "$top/$out/bench-net.img" \
    --serial "$top/$out/serial-net.log" --nic "vnet:$top/$out/net-run/tftp" --timeout 300) \
    > "$out/bochs-net.run" 2>&1 || status=$?
sed -i 's/\r$//' "$out/serial-net.log"
cat "$out/serial-disk.log" "$out/serial-net.log" > "$out/serial-devices.log"

# Domains built at run time from dom0's shell (docs/performance.md,
# "domain_create_rt"): its script times each create and destroy.
scripts/mkimage.sh --esp "$out/bench-toolstack.img" --config tests/system/bench-toolstack.cfg \
    $B/BOOTX64.EFI $B/mica.elf $B/dom0.elf $B/domu.elf \
    $B/domu.elf=images/domu.elf $B/domu-test.elf=images/domu-test.elf \
    tests/system/bench-toolstack.txt=images/bench.txt || exit 1
scripts/bochs-run.sh --image "$out/bench-toolstack.img" --serial "$out/serial-toolstack.log" \
    --timeout 300 > "$out/bochs-toolstack.run" 2>&1 || status=$?
sed -i 's/\r$//' "$out/serial-toolstack.log"

python3 - "$out/serial.log" "$B/mica.elf" "$B/bench.json" tests/bench/baseline.json \
    "$check" "$status" "$out/serial-devices.log" "$out/serial-toolstack.log" <<'PY'
import json, os, re, subprocess, sys

log, elf, out_json, baseline_path, check, status, devices_log, toolstack_log = sys.argv[1:9]
check, status = check == "1", int(status)
text = open(log).read()

figures = {}
# Guest figures: "[dom0] bench: <key> <median> (reps ...)"; the device
# boots' come from dom0 only too (their hypervisor lines are not these).
for source in (text, open(devices_log).read()):
    for key, value in re.findall(r"^\[dom0\] bench: (\w+) (\d+)", source, re.M):
        figures[key] = int(value)
# Hypervisor figures
hv = dict(re.findall(r"^\(mica\) bench: (hv_entry_tsc|boot_scrub) (\d+)", text, re.M))
m = re.search(r"^\(mica\) bench: domain_create big 64 MiB (\d+) ticks", text, re.M)
if m:
    figures["domain_create_64m"] = int(m.group(1))
if "hv_entry_tsc" in hv and "guest_entry_tsc" in figures:
    figures["boot_scrub"] = int(hv["boot_scrub"])
    figures["boot_to_dom0"] = figures.pop("guest_entry_tsc") - int(hv["hv_entry_tsc"]) - figures["boot_scrub"]
figures.pop("baseline", None)

# The shell's `time create` starts at tsc S; the domain's first instruction
# reads E: domain_create_rt_<N>m = E - S (its memory zeroed included).
# `time destroy` gives destroydomain_<N>m.
start, entry, command = {}, {}, None
for line in open(toolstack_log):
    m = re.match(r"^\[dom0\] mica> time (create|destroy) name=(\w+)|^\[dom0\] mica> time (destroy) (\w+)", line)
    if m:
        command = (m.group(1) or m.group(3), m.group(2) or m.group(4))
        continue
    m = re.match(r"^\[dom0\] time: (\d+) ticks, from tsc (\d+)$", line)
    if m and command:
        kind, name = command
        if kind == "create":
            start[name] = int(m.group(2))
        else:
            figures["destroydomain_" + name[1:] + "m"] = int(m.group(1))
        command = None
        continue
    m = re.match(r"^\[(rt\d+)\] bench: guest_entry_tsc (\d+)$", line)
    if m:
        entry[m.group(1)] = int(m.group(2))     # printed before the shell's time: line
for name in start:
    if name in entry:
        figures["domain_create_rt_" + name[2:] + "m"] = entry[name] - start[name]

# Image sections and source size.
sections = subprocess.run(["readelf", "-SW", elf], capture_output=True, text=True).stdout
size = lambda name: sum(int(m.group(1), 16) for m in
                        re.finditer(r"\s" + re.escape(name) + r"\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+)", sections))
figures["hv_text_bytes"] = size(".text")
figures["hv_data_bytes"] = size(".rodata") + size(".data")
sloc = 0
for top in ("hv", "arch", "boot"):
    for root, _, files in os.walk(top):
        for f in files:
            if not f.endswith((".c", ".h", ".asm")):
                continue
            in_comment = False
            for line in open(os.path.join(root, f), errors="replace"):
                s = line.strip()
                if in_comment:
                    in_comment = "*/" not in s
                    continue
                if not s or s.startswith("//") or s.startswith(";"):
                    continue
                if s.startswith("/*"):
                    in_comment = "*/" not in s
                    continue
                sloc += 1
figures["hv_sloc"] = sloc

keys = ["null_hypercall", "hypercall_page_call", "evtchn_send_self", "evtchn_pingpong_oneway",
        "vcpu_switch", "timer_wakeup", "grant_copy_4k", "boot_to_dom0", "boot_scrub",
        "domain_create_64m", "hv_text_bytes", "hv_data_bytes", "hv_sloc",
        "disk_read_4k", "disk_write_4k", "disk_read_4k_path", "disk_write_4k_path",
        "e1000_echo_rtt", "e1000_echo_irq_rtt", "e1000_echo_tx_path", "e1000_echo_rx_path",
        "domain_create_rt_16m", "domain_create_rt_64m", "domain_create_rt_256m",
        "destroydomain_16m", "destroydomain_64m", "destroydomain_256m"]

if check:
    # make test: the benchmark guests ran and produced every figure.
    print(("PASS" if status == 0 else "FAIL") + ": bench/boot-powered-off")
    for k in keys:
        print(("PASS" if k in figures else "FAIL") + ": bench/produces-" + k)
    sys.exit(0)

json.dump({k: figures[k] for k in keys if k in figures}, open(out_json, "w"), indent=2)
base = json.load(open(baseline_path)) if os.path.exists(baseline_path) else {}
# Every figure is an exact instruction count (or a size), so a growth past
# the tolerance is a real change: the baseline moves only with its reason.
TOLERANCE_PERCENT = 5
print(f"{'figure':24} {'value':>12} {'baseline':>12}  change")
problems = []
unexplained = False     # a figure grew, or has no baseline
for k in keys:
    v = figures.get(k)
    b = base.get(k)
    if v is None:
        print(f"{k:24} {'missing':>12}")
        problems.append(f"{k} was not produced (see {log})")
        continue
    flag = ""
    if b is None:
        change = ""
        flag = "  NO BASELINE"
        problems.append(f"{k} = {v} has no baseline in {baseline_path}")
        unexplained = True
    elif b == 0:
        change = ""
        if v > 0:
            flag = f"  GREW > {TOLERANCE_PERCENT}%"
            problems.append(f"{k} grew from 0 to {v}")
            unexplained = True
    else:
        pct = (v - b) * 100.0 / b
        change = f"{pct:+.1f}%"
        if v * 100 > b * (100 + TOLERANCE_PERCENT):
            flag = f"  GREW > {TOLERANCE_PERCENT}%"
            problems.append(f"{k} grew {pct:+.1f}% ({b} -> {v}, +{v - b}), "
                            f"more than the {TOLERANCE_PERCENT}% tolerance")
            unexplained = True
        elif v * 100 < b * (100 - TOLERANCE_PERCENT):
            flag = f"  SHRANK > {TOLERANCE_PERCENT}% (re-measure the baseline)"
    print(f"{k:24} {v:>12} {b if b is not None else '-':>12}  {change}{flag}")
print(f"wrote {out_json}")
if status:
    problems.append(f"Bochs run failed (status {status}; see {os.path.dirname(log)}/bochs.run)")
for p in problems:
    print(f"bench: FAIL: {p}")
if unexplained:
    print(f"bench: a figure may grow past {TOLERANCE_PERCENT}% only in a change that also updates "
          f"{baseline_path} and says why in docs/performance.md")
sys.exit(1 if problems else 0)
PY
