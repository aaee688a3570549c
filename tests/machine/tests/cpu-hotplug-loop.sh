#!/bin/sh
# machines: on-request
# timeout: 1500
# cpu1 taken offline and brought back 30 times while `vmxlab hold` keeps VMX
# on, early after boot (run it first: --tests cpu-hotplug-loop), with 2 CPUs.
# Each round: the offline and the online succeed within 60 s, cpu1 comes back
# in VMX operation and cpu0 stays in it; after the hold, VMX is off on both.
# A soft lockup of migration/0 was seen once while cpu1 went offline under a
# hold (cpu-hotplug as the first test, about 10 s after boot); the runner's
# kernel-log guard fails this test on a soft lockup or hung task.
# If this fails, taking a CPU offline (power management, a CPU-hotplug
# tool) while vmxlab holds VMX can hang the host.
. /lib/vmxlab-test.sh
need_tool
[ "$EXPECT_CPUS" -ge 2 ] || fail "needs 2 CPUs, machine has $EXPECT_CPUS"

CPU1=/sys/devices/system/cpu/cpu1/online
ROUNDS=30

# echo VALUE > cpu1/online, in the background, failing if it takes > 60 s
# (a hung hotplug would otherwise only show as the test's timeout).
set_cpu1() {
	local value="$1" what="$2" pid i=0
	( echo "$value" > $CPU1 ) &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		[ $i -lt 120 ] || fail "$what: 'echo $value > $CPU1' still running after 60 s"
		sleep 0.5
		i=$((i + 1))
	done
	wait $pid || fail "$what: 'echo $value > $CPU1' failed"
}

# Runs inside `vmxlab hold`.
inner() {
	local round=1 out
	while [ $round -le $ROUNDS ]; do
		set_cpu1 0 "round $round offline"
		set_cpu1 1 "round $round online"
		out=$(vmxlab cpus 2>&1) || fail "round $round: 'vmxlab cpus' failed: $out"
		echo "$out" | grep -qE '^cpu1: online vmxon=yes cr4.vmxe=1' ||
			fail "round $round: cpu1 back online during hold: $(echo "$out" | grep '^cpu1')"
		echo "$out" | grep -qE '^cpu0: online vmxon=yes cr4.vmxe=1' ||
			fail "round $round: cpu0 during hold: $(echo "$out" | grep '^cpu0')"
		# As it happens, on the serial line: a run that hangs or is cut
		# short still shows how many rounds passed.
		echo "<3>VMXLAB-PROGRESS cpu-hotplug-loop: round $round of $ROUNDS done at $(cut -d' ' -f1 /proc/uptime) s" > /dev/kmsg
		round=$((round + 1))
	done
}

if [ "${1:-}" = inner ]; then
	inner
	exit 0
fi
note "started $(cut -d' ' -f1 /proc/uptime) s after boot"
load_vmxlab
start=$(date +%s)
hold_inner inner || fail "during hold: $HOLD_FAILURE"
note "$ROUNDS offline/online rounds in $(( $(date +%s) - start )) s"
expect_cpus_state "after hold" '^cpu[0-9]+: online vmxon=no cr4.vmxe=0'
