#!/bin/sh
# machines: bochs-6.1
# timeout: 400
# VMXON failing on one CPU while it succeeds on the others (the module
# parameter refuse_vmxon_cpu injects that failure on the CPU it names):
#   - turning VMX on is all or nothing: `vmxlab hold` and `vmxlab run`
#     fail with a message, the kernel log names the CPU, every CPU is out
#     of VMX operation again (vmxon=no, CR4.VMXE = 0, VMPTRST #UD), no VMX
#     user is left, for either CPU refusing;
#   - with the parameter back at -1, hold and a two-vCPU guest work, and so
#     does a fresh load after rmmod;
#   - a CPU brought online during a hold whose VMXON fails is refused
#     (`echo 1 > online` fails, the CPU stays offline, the other keeps
#     VMX), and comes online in VMX operation once VMXON works again.
# If this fails, a host where one CPU cannot enter VMX operation is left
# with VMX on (CR4.VMXE set) on the others: kvm_intel and vmxlab then
# refuse to load or run until a reboot, or a CPU comes online that cannot
# run guests.
. /lib/vmxlab-test.sh
need_tool
[ "$EXPECT_CPUS" -ge 2 ] || fail "needs 2 CPUs, machine has $EXPECT_CPUS"

PARAM=/sys/module/vmxlab/parameters/refuse_vmxon_cpu
CPU1=/sys/devices/system/cpu/cpu1/online
ALL_OFF='^cpu[0-9]+: online vmxon=no cr4.vmxe=0 vmx-root=no'
ALL_ON='^cpu[0-9]+: online vmxon=yes cr4.vmxe=1 vmx-root=yes'

sub() { echo "$*" >> "$SUBRESULTS"; }

vmx_users() { vmxlab info 2>/dev/null | sed -n 's/.*VMX users[^0-9]*\([0-9]*\).*/\1/p' | head -n 1; }

# With VMXON refused on CPU $1: hold and run fail, all CPUs out of VMX.
refused_on() {
	local cpu=$1 out rc log
	echo "$cpu" > $PARAM || fail "cannot write $PARAM"
	klog_mark
	out=$(vmxlab hold -- true 2>&1)
	rc=$?
	log=$(klog_new)
	note "hold with VMXON refused on cpu$cpu: exit $rc: $out"
	{ [ "$rc" -eq 1 ] && echo "$out" | grep -q 'enabling VMX failed'; } ||
		fail "cpu$cpu refused: 'vmxlab hold -- true' exit $rc, want 1 with 'enabling VMX failed': $out"
	echo "$log" | grep -q "CPU $cpu refused by the module parameter refuse_vmxon_cpu" ||
		fail "cpu$cpu refused: the kernel log does not name CPU $cpu: $(echo "$log" | grep vmxlab | head -n 2)"
	expect_cpus_state "after the refused hold (cpu$cpu)" "$ALL_OFF"
	out=$(vmxlab run /guests/hello.bin 2>&1)
	rc=$?
	{ [ "$rc" -eq 1 ] && echo "$out" | grep -q 'KVM_CREATE_VM'; } ||
		fail "cpu$cpu refused: 'vmxlab run hello.bin' exit $rc, want 1 naming KVM_CREATE_VM: $out"
	expect_cpus_state "after the refused run (cpu$cpu)" "$ALL_OFF"
	sub "PASS refused-on-cpu$cpu-rolls-back"
}

# Runs inside `vmxlab hold`: cpu1 offline, its online refused, then allowed.
hotplug_inner() {
	local out
	echo 0 > $CPU1 || fail "cannot take cpu1 offline"
	echo 1 > $PARAM
	klog_mark
	if echo 1 > $CPU1; then
		echo -1 > $PARAM
		fail "cpu1 came online although its VMXON was refused: $(vmxlab cpus 2>&1 | grep '^cpu1')"
	fi
	[ "$(cat $CPU1)" = 0 ] || fail "the online of cpu1 failed, but cpu1/online reads $(cat $CPU1)"
	klog_new | grep -q 'CPU 1 refused by the module parameter' ||
		fail "refused online: the kernel log does not name CPU 1"
	out=$(vmxlab cpus 2>&1)
	echo "$out" | grep -qE '^cpu0: online vmxon=yes cr4.vmxe=1 vmx-root=yes' ||
		fail "cpu0 after cpu1's online was refused: $(echo "$out" | grep '^cpu0')"
	echo -1 > $PARAM
	echo 1 > $CPU1 || fail "cpu1 could not come online once VMXON worked again"
	out=$(vmxlab cpus 2>&1)
	echo "$out" | grep -qE '^cpu1: online vmxon=yes cr4.vmxe=1 vmx-root=yes' ||
		fail "cpu1 back online: $(echo "$out" | grep '^cpu1')"
	out=$(vmxlab run --mode protected --vcpus 2 /guests/smp.bin 2>&1) ||
		fail "two vCPUs after cpu1 came back: $out"
}

if [ "${1:-}" = hotplug ]; then
	hotplug_inner
	exit 0
fi

load_vmxlab
[ -e $PARAM ] || fail "no module parameter refuse_vmxon_cpu ($PARAM)"
[ "$(cat $PARAM)" = -1 ] || fail "refuse_vmxon_cpu defaults to $(cat $PARAM), want -1"
refused_on 1
refused_on 0
users=$(vmx_users)
[ "$users" = 0 ] || fail "VMX users after the refused holds and runs: '$users', want 0"

echo -1 > $PARAM
out=$(vmxlab hold -- vmxlab cpus 2>&1) || fail "hold with refuse_vmxon_cpu=-1: $out"
echo "$out" | grep -E '^cpu' | grep -vqE "$ALL_ON" && fail "during the hold after the refusals: $out"
out=$(vmxlab run --mode protected --vcpus 2 /guests/smp.bin 2>&1) ||
	fail "two-vCPU guest after the refusals: $out"
echo "$out" | grep -q 'counter 200000' || fail "two-vCPU guest after the refusals printed: $out"
sub "PASS later-hold-and-run-work"

out=$(rmmod vmxlab 2>&1) || fail "rmmod after the refusals: $out"
insmod /vmxlab.ko refuse_vmxon_cpu=1 || fail "insmod with refuse_vmxon_cpu=1"
out=$(vmxlab hold -- true 2>&1) && fail "hold succeeded with refuse_vmxon_cpu=1 given at insmod"
expect_cpus_state "after the refused hold (parameter at load)" "$ALL_OFF"
out=$(rmmod vmxlab 2>&1) || fail "rmmod after a refused hold: $out"
load_vmxlab
out=$(vmxlab run /guests/hello.bin 2>&1) || fail "a fresh load after the refusals cannot run hello.bin: $out"
sub "PASS later-load-works"

hold_inner hotplug
rc=$?
echo -1 > $PARAM
[ $rc -eq 0 ] || fail "hotplug during hold: $HOLD_FAILURE"
sub "PASS refused-online-rolls-back"
expect_cpus_state "after the last hold" "$ALL_OFF"
