# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The tool tests' helpers, sourced by run.sh from this directory: where
# things are, one result line per check (pass, fail, expect_*), running
# the tool (run, run_fake, run_kvm), and setup, which makes the fixtures
# that several files in cases/ use.

TESTS=$PWD
VMXLAB=${VMXLAB:-$TESTS/../vmxlab}
OUT=$TESTS/out
FAKE=$TESTS/fakedev.so

pass() { echo "PASS $1"; }
# failures: the FAIL lines so far (run.sh starts it at 0).
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# run NAME ARGS...: run vmxlab; output in $OUT/NAME.out/.err, status in $rc.
run() {
	local name=$1
	shift
	"$VMXLAB" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
}

# run_fake NAME ARGS...: the same against the fake device.
run_fake() {
	local name=$1
	shift
	LD_PRELOAD=$FAKE "$VMXLAB" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
}

# expect_exit NAME STATUS: the last run exited with STATUS.
expect_exit() {
	if [ "$rc" -eq "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit status $rc, expected $2 (stderr: $(head -c 300 "$OUT/${3:-$1}.err"))"
	fi
}

# expect_line NAME FILE LINE: FILE has LINE exactly.
expect_line() {
	if grep -qxF -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line '$3' in $(basename "$2")"
	fi
}

# expect_match NAME FILE REGEX: a line of FILE matches the extended REGEX.
expect_match() {
	if grep -qE -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line matching '$3' in $(basename "$2")"
	fi
}

# expect_count NAME FILE FIXED-STRING N: N lines of FILE contain it.
expect_count() {
	local n
	n=$(grep -cF -- "$3" "$2")
	if [ "$n" -eq "$4" ]; then
		pass "$1"
	else
		fail "$1" "$n lines with '$3' in $(basename "$2"), expected $4"
	fi
}

# expect_python NAME FILE EXPR...: python3 asserts on the JSON in FILE (d).
expect_python() {
	local name=$1 file=$2 err
	shift 2
	if err=$(python3 - "$file" "$@" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    assert eval(expr), expr
PY
	); then
		pass "$name"
	else
		fail "$name" "$(echo "$err" | tail -n 1)"
	fi
}

# run_kvm NAME DEVICE SCRIPT ARGS...: vmxlab run against the stand-in's
# scripted KVM-API part ($OUT/NAME.log: what the device was told).
run_kvm() {
	local name=$1 dev=$2 script=$3
	shift 3
	rm -f "$OUT/$name.log"
	FAKE_KVM_SCRIPT=$script FAKE_KVM_LOG=$OUT/$name.log LD_PRELOAD=$FAKE \
		"$VMXLAB" run --device "/fake/$dev" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
}

# expect_tail NAME FILE LINES...: the last lines of FILE are LINES, in
# this order (hex values as X).
expect_tail() {
	local name=$1 file=$2 n got
	shift 2
	n=$#
	got=$(tail -n "$n" "$file" | sed 's/=0x[0-9a-f]*/=X/g')
	if [ "$got" = "$(printf '%s\n' "$@")" ]; then
		pass "$name"
	else
		fail "$name" "last lines '$(echo "$got" | tr '\n' '|')'"
	fi
}

# setup: a fresh $OUT with the fixtures: capability files that make_caps
# writes (MSR values filled in by hand from the SDM, decided by
# vmx/caps.c) and hlt.bin, a guest that only halts.
setup() {
	local p
	rm -rf "$OUT"
	mkdir -p "$OUT"
	if [ ! -x "$VMXLAB" ]; then
		fail build "$VMXLAB not built"
		exit 1
	fi
	for p in haswell westmere-no-ug core2; do
		./make_caps "$p" "$OUT/$p.caps" || fail "fixture/$p" "make_caps failed"
	done
	printf '\xf4' > "$OUT/hlt.bin"
}
