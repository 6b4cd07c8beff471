# Helpers for system tests: every check prints one PASS/FAIL line.

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
