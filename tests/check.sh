#!/usr/bin/env bash
# make check: every stage of vmxlab's tests, one summary line at the end.
#
#   tests/check.sh              make check
#   tests/check.sh --host-only  make check-host: no dependency install,
#                               no packaging, no emulator
#
# Stages: dependencies, shellcheck over every shell script, builds (both
# kernels, no warnings; the tool), host unit tests, tool tests, libFuzzer
# harnesses of the pure logic (tests/fuzz; --host-only: the corpus), DKMS
# packaging against both kernels, the emulated machines (with --host-only
# only shellcheck, builds, unit and tool tests).  Each stage leaves result lines
# `PASS name` / `FAIL name: reason` in build/results/ (build/results-host/
# with --host-only); a stage that cannot run leaves a FAIL line, so nothing
# passes by being skipped.  The last line printed is `N passed, N failed`;
# the exit status is 0 only when N failed is 0 and at least one test ran.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
HOST_ONLY=0
case ${1:-} in
--host-only) HOST_ONLY=1 ;;
'') ;;
*) echo "usage: $0 [--host-only]" >&2; exit 2 ;;
esac
RESULTS=build/results
[ "$HOST_ONLY" = 0 ] || RESULTS=build/results-host
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

record() { echo "$1" >> "$RESULTS/$2.txt"; }

# Run a command as one result line: PASS NAME, or FAIL NAME with its log.
stage() {
	local name=$1 file=$2
	shift 2
	local log="$RESULTS/$file-${name//\//_}.log"
	if "$@" > "$log" 2>&1; then
		record "PASS $name" "$file"
	else
		record "FAIL $name: exit $?, see $log" "$file"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
}

# A suite writes its own result lines; none at all (a missing file, or
# only build errors) is a failure, never a silent pass.
collect() {
	local name=$1 file=$2
	if grep -qE '^(PASS|FAIL) ' "$file" 2>/dev/null; then
		grep -E '^(PASS|FAIL) ' "$file" >> "$RESULTS/$name.txt"
	else
		record "FAIL $name: the suite produced no results (it could not run): $(tail -n 1 "$file" 2>/dev/null)" "$name"
	fi
}

deps() {
	if [ "$(id -u)" = 0 ]; then
		tests/install-deps.sh
	else
		echo "not root: assuming dependencies are installed (run 'sudo make deps' if not)"
	fi
}

main() {
	if [ "$HOST_ONLY" = 0 ]; then
		echo "== dependencies"
		stage deps setup deps
	fi
	echo "== shellcheck"
	tests/shellcheck.sh > "$RESULTS/shellcheck.log" 2>&1
	grep -v '^PASS ' "$RESULTS/shellcheck.log"
	collect shellcheck "$RESULTS/shellcheck.log"
	echo "== build"
	stage build/modules-6.1-and-6.12 build make -s modules-all
	stage build/tool build make -s -C tools
	stage build/tool-static build make -s -C tools static
	stage build/test-guests build make -s -C tests/guests
	echo "== host unit tests"
	make -s -C tests/unit run > "$RESULTS/unit.log" 2>&1
	tail -n 3 "$RESULTS/unit.log"
	collect unit build/unit/results.txt
	echo "== tool tests"
	make -s -C tools test > "$RESULTS/tools.log" 2>&1
	collect tools "$RESULTS/tools.log"
	fuzz_stage
	if [ "$HOST_ONLY" = 0 ]; then
		echo "== packaging: DKMS for 6.1 and 6.12, the udev rule"
		tests/packaging.sh > "$RESULTS/packaging.log" 2>&1
		grep -E '^(PASS|FAIL) ' "$RESULTS/packaging.log"
		collect packaging "$RESULTS/packaging.log"
		echo "== emulated machines"
		tests/machine/check.sh build/machine 2>&1 | tee "$RESULTS/machine.log" |
			grep -E '^(PASS|FAIL) ' || true
		collect machine build/machine/machine.results
	fi
	summarize
}

# libFuzzer over the pure logic (tests/fuzz): the kept corpus once with
# --host-only, else 15 s for each of the 8 harnesses (2 minutes), one line each.
fuzz_stage() {
	local what=regress
	[ "$HOST_ONLY" = 1 ] || what="run SECONDS=15"
	echo "== fuzzing the pure logic ($what)"
	# shellcheck disable=SC2086 # $what is a make target and its variable
	nice -n 10 make -s -C tests/fuzz $what > "$RESULTS/fuzz.log" 2>&1
	grep -E '^FAIL ' "$RESULTS/fuzz.log"
	collect fuzz "$RESULTS/fuzz.log"
}

summarize() {
	local passed failed
	passed=$(cat "$RESULTS"/*.txt | grep -c '^PASS ')
	failed=$(cat "$RESULTS"/*.txt | grep -c '^FAIL ')
	if [ "$failed" -gt 0 ]; then
		echo "== failures"
		cat "$RESULTS"/*.txt | grep '^FAIL '
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

main "$@"
