#!/bin/sh
# machines: bochs-6.1
# Suspend and resume while VMX is held leave every CPU in VMX operation
# again afterwards, and VMX off once the hold ends.  pm_test=core runs the
# real path without sleeping: the other CPUs go offline (cpuhp teardown),
# the last one runs the syscore suspend and resume callbacks, then the
# CPUs come back online (cpuhp startup).  If this fails, a laptop that
# suspends while a VM runs wakes up with VMX off on some CPUs (the next VM
# entry faults) or with VMX on that nobody will turn off.
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
[ -w /sys/power/pm_test ] || fail "not run: /sys/power/pm_test missing (kernel without CONFIG_PM_DEBUG)"
grep -qw mem /sys/power/state || fail "not run: this machine offers no suspend-to-RAM state ('$(cat /sys/power/state)')"
on='^cpu[0-9]+: online vmxon=yes cr4.vmxe=1 vmx-root=yes'
off='^cpu[0-9]+: online vmxon=no cr4.vmxe=0 vmx-root=no'
# The core test waits pm_test_delay seconds asleep; emulated seconds are slow.
echo 0 > /sys/module/suspend/parameters/pm_test_delay
# shellcheck disable=SC2016 # the inner shell expands its own variables
out=$(vmxlab hold -- sh -c '
	echo core > /sys/power/pm_test &&
	echo mem > /sys/power/state; rc=$?
	echo none > /sys/power/pm_test
	echo "suspend status $rc"
	vmxlab cpus' 2>&1) || fail "'vmxlab hold' around the suspend failed: $out"
echo "$out"
echo "$out" | grep -qx 'suspend status 0' || fail "suspend (pm_test=core) did not complete: $out"
cpu=0
while [ "$cpu" -lt "$EXPECT_CPUS" ]; do
	line=$(echo "$out" | grep "^cpu$cpu: ")
	echo "$line" | grep -qE "$on" || fail "after resume: cpu$cpu: want 'vmxon=yes cr4.vmxe=1 vmx-root=yes', got '$line'"
	cpu=$((cpu + 1))
done
expect_cpus_state "after the hold" "$off"
