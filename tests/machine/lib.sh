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

# Memory, for tests that check that a loop leaks none.  MemFree alone
# misses the pages parked on the per-CPU page lists (/proc/zoneinfo
# "count:"), where freed pages go first: MemFree moved by 1.7 MiB over 20
# load cycles here while MemFree + those lists moved by less than 120 KiB,
# after drop_caches.  So: mem_settle, then mem_free_kb, before and after.
meminfo_kb() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }

mem_free_kb() {
	local pcp
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	echo $(( $(meminfo_kb MemFree) + pcp ))
}

mem_settle() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
}

# expect_no_steady_leak WHAT DIRECTION TOLERANCE_KB BATCH V0 V1 ... VN:
# V0..VN (kB) were read before and after each of N equal batches of work
# (BATCH says what one is).  Fails when WHAT moved in DIRECTION
# ("dropped": V falls, "grew": V rises) by more than TOLERANCE_KB in
# every batch.  A leak repeats in every batch; the rest of the system
# taking or giving back memory moves some readings only (CI saw a first
# reading 1.6 MB above its usual value, the later ones at theirs; and,
# after module loads, the kernel splitting its direct map: DirectMap4k
# growing, free memory 1.1 MB lower after one batch and 0.4 MB after the
# next, then flat), which a single before/after pair would call a leak.
expect_no_steady_leak() {
	local what=$1 dir=$2 tol=$3 batch=$4 prev d moves="" steady=1
	shift 4
	prev=$1
	shift
	for v in "$@"; do
		if [ "$dir" = dropped ]; then d=$((prev - v)); else d=$((v - prev)); fi
		[ $d -gt "$tol" ] || steady=0
		moves="$moves $d"
		prev=$v
	done
	[ $steady = 0 ] ||
		fail "$what $dir in every batch of $batch, by (kB):$moves (tolerance $tol kB a batch)"
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

# A vmxlab guest that keeps VMX held until stop_vmxlab_guest: loop.bin
# spins in `jmp .`; returns once `vmxlab ps` shows its vCPU running.
start_vmxlab_guest() {
	local i=0
	vmxlab run /guests/loop.bin > /tmp/vmxlab-guest.out 2>&1 &
	VMXLAB_GUEST=$!
	until vmxlab ps 2> /dev/null | grep "^vm-$VMXLAB_GUEST-" | grep -q running; do
		kill -0 "$VMXLAB_GUEST" 2> /dev/null ||
			fail "vmxlab run loop.bin ended at once: $(cat /tmp/vmxlab-guest.out)"
		[ $i -lt 60 ] || fail "vmxlab run loop.bin not running within 30 s"
		sleep 0.5
		i=$((i + 1))
	done
}

# Its VM must still be running, with more exits than before (WHEN: why).
expect_vmxlab_guest_running() {
	local when=$1 before after
	before=$(vmxlab ps 2> /dev/null | grep "^vm-$VMXLAB_GUEST-" | awk '{ print $8 }')
	sleep 1
	after=$(vmxlab ps 2> /dev/null | grep "^vm-$VMXLAB_GUEST-" | awk '{ print $8 }')
	kill -0 "$VMXLAB_GUEST" 2> /dev/null ||
		fail "$when: the vmxlab guest ended: $(cat /tmp/vmxlab-guest.out)"
	{ [ -n "$after" ] && [ "$after" -gt "${before:-0}" ]; } ||
		fail "$when: the vmxlab guest's exits did not grow (${before:-none} -> ${after:-none})"
}

# SIGINT ends loop.bin's run with status 6 (a signal stopped it).
stop_vmxlab_guest() {
	local rc
	kill -INT "$VMXLAB_GUEST"
	wait "$VMXLAB_GUEST"
	rc=$?
	[ $rc -eq 6 ] || fail "vmxlab run loop.bin stopped by SIGINT: exit $rc, want 6: $(cat /tmp/vmxlab-guest.out)"
}

# hold_inner PART: run `sh $0 PART` (the test's own second half) under
# `vmxlab hold`, echo its output, and put cpu1 back online whatever it left.
# Returns 1 with HOLD_FAILURE set (the inner FAIL-REASON, else the hold's
# exit status and last line) if it failed.
hold_inner() {
	local out rc cpu1=/sys/devices/system/cpu/cpu1/online
	out=$(vmxlab hold -- sh "$0" "$1" 2>&1)
	rc=$?
	echo "$out"
	[ ! -e "$cpu1" ] || [ "$(cat "$cpu1")" = 1 ] || echo 1 > "$cpu1"
	[ "$rc" -eq 0 ] && return 0
	HOLD_FAILURE=$(echo "$out" | sed -n 's/^FAIL-REASON: //p' | tail -n 1)
	HOLD_FAILURE=${HOLD_FAILURE:-"'vmxlab hold' exit $rc: $(echo "$out" | tail -n 1)"}
	return 1
}
