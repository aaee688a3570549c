# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab hold: VMX on while a command runs and off after it; signals.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

EBUSY_MSG="vmxlab: VMX is in use by another hypervisor (most likely kvm_intel with a VM running, or kvm_intel on a kernel that turns VMX on at load): stop its VMs or unload kvm_intel; the kernel log (dmesg) names the reason"

# hold_log NAME EXPECTED: the fake device saw exactly EXPECTED (a b ...).
hold_log() {
	local got
	got=$(tr '\n' ' ' 2>/dev/null < "$OUT/hold.log")
	if [ "$got" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "device calls '$got', expected '$2'"
	fi
}

test_fake_hold() {
	export FAKE_VMXLAB_LOG=$OUT/hold.log
	rm -f "$OUT/hold.log"
	run_fake hold-cmd hold --device /fake/vmxlab -- sh -c 'exit 7'
	expect_exit hold/command-status 7 hold-cmd
	hold_log hold/enable-then-disable "enable disable "

	# shellcheck disable=SC2016 # $1 is the command's own argument
	run_fake hold-args hold --device /fake/vmxlab -- sh -c 'echo "$1"' sh --json
	expect_line hold/command-keeps-its-options "$OUT/hold-args.out" "--json"

	run_fake hold-noexec hold --device /fake/vmxlab -- /nonexistent/command
	expect_exit hold/command-not-found-127 127 hold-noexec

	rm -f "$OUT/hold.log"
	FAKE_VMXLAB_ENABLE=ebusy run_fake hold-busy hold --device /fake/vmxlab -- true
	expect_exit hold/ebusy-exit-4 4 hold-busy
	expect_line hold/ebusy-message "$OUT/hold-busy.err" "$EBUSY_MSG"
	hold_log hold/ebusy-runs-nothing ""

	FAKE_VMXLAB_ENABLE=eio run_fake hold-eio hold --device /fake/vmxlab -- true
	expect_exit hold/other-error-exit-1 1 hold-eio
	expect_match hold/other-error-message "$OUT/hold-eio.err" 'enabling VMX failed: .*; see dmesg$'

	test_hold_signal
	test_hold_forwards_signal
	unset FAKE_VMXLAB_LOG
}

# Wait (up to 5 s) until the fake device has seen ENABLE.
wait_enabled() {
	local _
	for _ in $(seq 50); do
		grep -q enable "$OUT/hold.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

test_hold_signal() {
	local pid
	rm -f "$OUT/hold.log"
	LD_PRELOAD=$FAKE "$VMXLAB" hold --device /fake/vmxlab 2> "$OUT/hold-wait.err" &
	pid=$!
	wait_enabled
	sleep 0.2
	kill -TERM "$pid" 2> /dev/null
	wait "$pid"
	# shellcheck disable=SC2034 # read by expect_exit (lib.sh)
	rc=$?
	expect_exit hold/sigterm-ends-hold 0 hold-wait
	hold_log hold/sigterm-disables "enable disable "
}

test_hold_forwards_signal() {
	local pid
	rm -f "$OUT/hold.log"
	LD_PRELOAD=$FAKE "$VMXLAB" hold --device /fake/vmxlab -- sleep 30 2> "$OUT/hold-fwd.err" &
	pid=$!
	wait_enabled
	sleep 0.2
	kill -TERM "$pid" 2> /dev/null
	wait "$pid"
	# shellcheck disable=SC2034 # read by expect_exit (lib.sh)
	rc=$?
	expect_exit hold/sigterm-reaches-command-143 143 hold-fwd
	hold_log hold/sigterm-command-disables "enable disable "
}

run_cases() {
	test_fake_hold
}
