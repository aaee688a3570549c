#!/bin/sh
# machines: bochs-6.12
# `vmxlab stat` (debugfs vmxlab/vm-PID-N/vcpuI) while a guest runs: the
# guest of loop.bin prints a line and spins in `jmp .`, so its exits are
# the port I/O of the line and then only timer-driven ones (host
# interrupts, the VMX-preemption timer); the counts grow while it runs,
# and the VM's directory goes when the VM does.
# If this fails, the statistics are not readable while a VM runs, do not
# follow its exits, or outlive it (a use after free in debugfs).
. /lib/vmxlab-test.sh

need_tool
load_vmxlab
vmxlab run /guests/loop.bin > /dev/null 2>&1 &
pid=$!
sleep 1
vmxlab stat > /tmp/stat1 2>&1 || fail "vmxlab stat failed: $(cat /tmp/stat1)"
sleep 1
vmxlab stat > /tmp/stat2 2>&1 || fail "vmxlab stat failed: $(cat /tmp/stat2)"
kill -INT "$pid"
wait "$pid"
cat /tmp/stat2
grep -q "^vm-$pid-[0-9]* vcpu0:\$" /tmp/stat1 ||
	fail "no 'vm-$pid-N vcpu0:' in vmxlab stat: $(head -n 3 /tmp/stat1 | tr '\n' '|')"
io=$(sed -n 's/^  IO_INSTRUCTION //p' /tmp/stat2)
[ "${io:-0}" -ge 30 ] || fail "IO_INSTRUCTION ${io:-none}, want the 33 OUTs of the printed line"
e1=$(sed -n 's/^  entries //p' /tmp/stat1)
e2=$(sed -n 's/^  entries //p' /tmp/stat2)
{ [ -n "$e1" ] && [ -n "$e2" ] && [ "$e2" -gt "$e1" ]; } ||
	fail "VM entries did not grow while the guest spun: ${e1:-none} then ${e2:-none}"
grep -Eq '^  (EXTERNAL_INTERRUPT|PREEMPTION_TIMER) [0-9]+$' /tmp/stat2 ||
	fail "no timer-driven exits counted while the guest spun"
out=$(vmxlab stat 2>&1)
[ "$out" = "no VMs running" ] || fail "after the VM ended, vmxlab stat says: $out"
note "entries ${e1} then ${e2} one second later"
