# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What info, cpus and hold say when the device is missing, is not
# vmxlab's, or is root-only.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

ENOENT_MSG="vmxlab: /nonexistent not found: load the module with 'modprobe vmxlab' (or 'insmod vmxlab.ko' from the build tree)"

test_device_errors() {
	local cmd
	# What the host's CPU says decides the advice: pin it to a fixture.
	export VMXLAB_CPUINFO=$TESTS/cpuinfo-intel-vmx.txt
	for cmd in info cpus hold; do
		run "enoent-$cmd" "$cmd" --device /nonexistent
		expect_exit "device/$cmd-enoent-exit" 3 "enoent-$cmd"
		expect_line "device/$cmd-enoent-message" "$OUT/enoent-$cmd.err" "$ENOENT_MSG"
		run "enotty-$cmd" "$cmd" --device /dev/null
		expect_exit "device/$cmd-enotty-exit" 3 "enotty-$cmd"
		expect_line "device/$cmd-enotty-message" "$OUT/enotty-$cmd.err" \
			"vmxlab: /dev/null is not a vmxlab device"
	done
	# A CPU without VT-x: "load the module" would be the wrong advice.
	VMXLAB_CPUINFO=$TESTS/cpuinfo-amd.txt run enoent-novmx info --device /nonexistent
	expect_exit device/no-vtx-exit 3 enoent-novmx
	expect_match device/no-vtx-message "$OUT/enoent-novmx.err" \
		"^vmxlab: /nonexistent not found, and this CPU offers no usable VT-x \\(no 'vmx' flag in /proc/cpuinfo\\)"
	unset VMXLAB_CPUINFO
	run_fake eacces info --device /fake/eacces
	expect_exit device/eacces-exit 3 eacces
	expect_line device/eacces-message "$OUT/eacces.err" \
		"vmxlab: permission denied opening /fake/eacces: it is root-only (mode 0600); run as root"
}

run_cases() {
	test_device_errors
}
