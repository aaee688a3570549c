#!/bin/sh
# machines: bochs-6.12
# Exit timing (VMXLAB_SET_EXIT_CYCLES, `vmxlab run --cycles`): per basic exit reason, histograms of the host TSC
# cycles from each VM exit to the next VM entry.
#  1. progs/exit-cycles with the guest cycles.bin (200 CPUIDs, 20 port
#     writes to user space per phase): off by default, the ioctls' bad
#     input, buckets adding up to the exit counters, CPUID exits in lower
#     buckets than I/O exits (Bochs's TSC counts instructions), debugfs and
#     the guest's hypercalls agreeing with VMXLAB_GET_EXIT_CYCLES;
#  2. `vmxlab run --cycles` printing the histograms at the end of a run;
#  3. `vmxlab stat` showing them for a running VM, and "off" without it.
# If this fails, a user measuring where a guest's time goes gets no
# numbers, wrong ones, or pays for timing nobody asked for.
. /lib/vmxlab-test.sh

need_tool
load_vmxlab
set -o pipefail	# busybox ash has it: exit-cycles' status, not tee's
exit-cycles /guests/cycles.bin | tee "$SUBRESULTS" ||
	fail "$(grep -c '^FAIL' "$SUBRESULTS") assertion(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"

# Under the tool, timing is on from the first entry: both phases' 400
# CPUIDs and 42 port writes are timed; the final HLT is still pending.
vmxlab run --cycles /guests/cycles.bin > /tmp/cyc.out 2> /tmp/cyc.err ||
	fail "vmxlab run --cycles cycles.bin failed: $(head -n 2 /tmp/cyc.err | tr '\n' '|')"
cat /tmp/cyc.err
grep -qxF 'exit cycles (host TSC, VM exit to next VM entry): on, HLT (12) pending' /tmp/cyc.err ||
	fail "run --cycles: no header with HLT pending: $(head -n 1 /tmp/cyc.err)"
grep -q '^CPUID (10): 400 exits, mean [0-9]* cycles' /tmp/cyc.err ||
	fail "run --cycles: no 'CPUID (10): 400 exits' line"
grep -q '^IO_INSTRUCTION (30): 42 exits, mean [0-9]* cycles' /tmp/cyc.err ||
	fail "run --cycles: no 'IO_INSTRUCTION (30): 42 exits' line"

# A running VM: loop.bin prints a line, then spins (timer-driven exits).
vmxlab run --cycles /guests/loop.bin > /dev/null 2> /tmp/loop.err &
pid=$!
vmxlab run /guests/loop.bin > /dev/null 2>&1 &
pid_off=$!
sleep 2
vmxlab stat > /tmp/stat 2>&1 || fail "vmxlab stat failed: $(cat /tmp/stat)"
kill -INT "$pid" "$pid_off"
wait "$pid"
wait "$pid_off"
cat /tmp/stat
on=$(sed -n "/^vm-$pid-[0-9]* vcpu0:\$/,/^vm-/p" /tmp/stat)
off=$(sed -n "/^vm-$pid_off-[0-9]* vcpu0:\$/,/^vm-/p" /tmp/stat)
echo "$on" | grep -q '^  exit cycles (host TSC, VM exit to next VM entry): on' ||
	fail "vmxlab stat: no 'exit cycles: on' for the VM run with --cycles"
io=$(echo "$on" | sed -n 's/^  IO_INSTRUCTION (30): \([0-9]*\) exits, mean .*/\1/p')
[ "${io:-0}" -ge 30 ] || fail "vmxlab stat: IO_INSTRUCTION timed ${io:-none}, want the 33 OUTs of the printed line"
echo "$off" | grep -qxF '  exit cycles (host TSC, VM exit to next VM entry): off' ||
	fail "vmxlab stat: the VM run without --cycles is not shown 'off'"
echo "$off" | grep -q ' cycles, sum ' && fail "vmxlab stat: the VM without --cycles has timed exits"
grep -q '^exit cycles (host TSC, VM exit to next VM entry): on' /tmp/loop.err ||
	fail "run --cycles stopped by a signal printed no histograms"
note "exit-cycles phase 2: $(grep '^# ' "$SUBRESULTS" | tr '\n' ' ')"
note "run --cycles: $(tr '\n' '|' < /tmp/cyc.err)"
note "stat of the --cycles VM: $(echo "$on" | tr '\n' '|')"
