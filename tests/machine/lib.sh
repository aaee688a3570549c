#!/bin/sh
# shellcheck shell=dash # busybox ash: ShellCheck 0.9.0 knows no busybox dialect
# Helpers for the in-machine tests (/lib/vmxlab-test.sh), busybox ash.
# A test passes by exiting 0; `fail WHY` ends it with a reason the
# runner reports.  The runner removes vmxlab and kvm modules after each
# test, so every test starts with none loaded.
# shellcheck source=/dev/null # written by build-initramfs.sh
. /etc/vmxlab.conf

fail() {
	echo "FAIL-REASON: $*"
	exit 1
}

# A measurement worth seeing in the serial log even when the test passes.
note() {
	echo "NOTE: $*"
}

# The tool comes from another build step; without it the test cannot
# run, which is a failure, never a pass.
need_tool() {
	[ -x /bin/vmxlab ] || fail "not run: tools/vmxlab-static was not built into the initramfs"
}

load_vmxlab() {
	local out
	out=$(insmod /vmxlab.ko 2>&1) || fail "insmod vmxlab.ko failed: $out"
}

# irqbypass, kvm, kvm-intel: Debian's own, from the same kernel package.
load_kvm() {
	local m out
	for m in irqbypass kvm kvm-intel; do
		out=$(insmod "/kvm/$m.ko" 2>&1) || fail "insmod $m.ko failed: $out"
	done
}

# Kernel log lines since the last klog_mark (see kmsg-tail).
klog_mark() { kmsg-tail /tmp/test.seq > /dev/null; }
klog_new() { kmsg-tail /tmp/test.seq; }

# `vmxlab cpus`, saved, then each of lines 0..N-1 must match a pattern.
# Usage: expect_cpus_state WHEN PATTERN   (PATTERN: grep -E for one CPU)
expect_cpus_state() {
	local when="$1" pattern="$2" out cpu=0 line
	out=$(vmxlab cpus 2>&1) || fail "$when: 'vmxlab cpus' failed: $out"
	echo "$when: vmxlab cpus:"
	echo "$out"
	while [ "$cpu" -lt "$EXPECT_CPUS" ]; do
		line=$(echo "$out" | grep "^cpu$cpu: ")
		echo "$line" | grep -qE "$pattern" ||
			fail "$when: cpu$cpu: want '$pattern', got '$line'"
		cpu=$((cpu + 1))
	done
}

# `vmxlab hold -- true` WHEN another hypervisor holds VMX: it must exit 4
# with a reason, and the kernel log must name PATTERN (the way out).
expect_hold_refused() {
	local when=$1 pattern=$2 out rc log
	klog_mark
	out=$(vmxlab hold -- true 2>&1)
	rc=$?
	log=$(klog_new)
	note "vmxlab hold $when: exit $rc: $out"
	echo "kernel log: $log"
	[ "$rc" -eq 4 ] || fail "'vmxlab hold -- true' $when: exit $rc, want 4; output: $out"
	[ -n "$out" ] || fail "'vmxlab hold' $when printed no reason for exit 4"
	echo "$log" | grep -q "$pattern" ||
		fail "kernel log does not name $pattern: $(echo "$log" | grep 'vmxlab' | head -n 1)"
}
