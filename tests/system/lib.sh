# Helpers for system tests: every check prints one PASS/FAIL line.

# What every test image holds besides its configuration: the loader, the
# hypervisor, the production guests and the test guests (build/ by default).
B=${BUILD:-build}
files=($B/BOOTX64.EFI $B/mica.elf $B/dom0.elf $B/domu.elf $B/dom0-test.elf $B/domu-test.elf)

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; }

# expect NAME LOG PATTERN: an extended regex must match a line of LOG.
expect() {
    if grep -Eq -- "$3" "$2"; then pass "$1"; else fail "$1" "no line matching /$3/ in $2"; fi
}

# expect_none NAME LOG PATTERN: no line of LOG may match.
expect_none() {
    if grep -Eq -- "$3" "$2"; then fail "$1" "unexpected: $(grep -Em1 -- "$3" "$2")"; else pass "$1"; fi
}

# expect_status NAME ACTUAL WANTED
expect_status() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "exit status $2, expected $3"; fi
}

# expect_frames_returned NAME LOG: the hypervisor's end-of-run line shows as
# many free frames as before the first domain was built.
expect_frames_returned() {
    local frames
    if frames=$(grep -Eo 'free frames: [0-9]+ \([0-9]+ before' "$2"); then
        set -- "$1" $(echo "$frames" | grep -Eo '[0-9]+')
        if [ "$2" = "$3" ]; then pass "$1"
        else fail "$1" "$2 free at the end, $3 before the domains"; fi
    else
        fail "$1" "no free-frame line in $2"
    fi
}

# expect_count NAME LOG PATTERN N: exactly N lines match.
expect_count() {
    local n
    n=$(grep -Ec -- "$3" "$2")
    if [ "$n" -eq "$4" ]; then pass "$1"; else fail "$1" "$n lines match /$3/, expected $4"; fi
}
