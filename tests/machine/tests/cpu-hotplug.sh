#!/bin/sh
# machines: bochs-6.1
# While VMX is held, cpu1 goes offline and comes back: vmxlab turns VMX
# off on the CPU going down and on again on the CPU coming up; after the
# hold, VMX is off everywhere.
# If this fails, a CPU brought online during a hold cannot run guests (or
# faults on VMX instructions), a CPU going offline keeps VMX on (it then
# ignores INIT and cannot be woken), or CR4.VMXE stays set after the hold.
. /lib/vmxlab-test.sh
need_tool
[ "$EXPECT_CPUS" -ge 2 ] || fail "needs 2 CPUs, machine has $EXPECT_CPUS"

CPU1=/sys/devices/system/cpu/cpu1/online

# Runs inside `vmxlab hold`.
inner() {
	local out
	echo 0 > $CPU1 || fail "cannot take cpu1 offline"
	out=$(vmxlab cpus 2>&1)
	echo "cpu1 offline: $out"
	echo "$out" | grep -qE '^cpu1: offline' || fail "cpu1 offline, but 'vmxlab cpus' says: $(echo "$out" | grep '^cpu1')"
	echo 1 > $CPU1 || fail "cannot bring cpu1 online"
	out=$(vmxlab cpus 2>&1)
	echo "cpu1 back online: $out"
	echo "$out" | grep -qE '^cpu1: online vmxon=yes cr4.vmxe=1' ||
		fail "cpu1 back online during hold, want 'vmxon=yes cr4.vmxe=1', got: $(echo "$out" | grep '^cpu1')"
	echo "$out" | grep -qE '^cpu0: online vmxon=yes cr4.vmxe=1' ||
		fail "cpu0 during hold: $(echo "$out" | grep '^cpu0')"
}

if [ "${1:-}" = inner ]; then
	inner
	exit 0
fi
load_vmxlab
hold_inner inner || fail "during hold: $HOLD_FAILURE"
expect_cpus_state "after hold" '^cpu[0-9]+: online vmxon=no cr4.vmxe=0'
