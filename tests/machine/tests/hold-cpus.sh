#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# `vmxlab hold` turns VMX on on every online CPU and off again afterwards.
# If this fails, guests could only run on some CPUs (a vCPU migrated to
# another CPU would fault), or VMX stays on after vmxlab is done, which
# blocks KVM and leaves CR4.VMXE set (INIT signals are blocked in VMX
# operation: the machine may not reboot cleanly).
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
online=$(grep -c '^processor' /proc/cpuinfo)
[ "$online" -eq "$EXPECT_CPUS" ] || fail "machine has $online CPUs online, the test expects $EXPECT_CPUS"
on='^cpu[0-9]+: online vmxon=yes cr4.vmxe=1 vmx-root=yes'
off='^cpu[0-9]+: online vmxon=no cr4.vmxe=0 vmx-root=no'
expect_cpus_state before "$off"
out=$(vmxlab hold -- vmxlab cpus 2>&1) || fail "'vmxlab hold -- vmxlab cpus' failed: $out"
echo "during hold:"
echo "$out"
cpu=0
while [ "$cpu" -lt "$EXPECT_CPUS" ]; do
	line=$(echo "$out" | grep "^cpu$cpu: ")
	echo "$line" | grep -qE "$on" || fail "during hold: cpu$cpu: want 'vmxon=yes cr4.vmxe=1 vmx-root=yes', got '$line'"
	cpu=$((cpu + 1))
done
expect_cpus_state after "$off"
