#!/bin/sh
# machines: bochs-6.12
# The exit trace (VMXLAB_SET_TRACE/READ_TRACE through `vmxlab run
# --exit-trace`): every VM exit of a guest, in-kernel CPUID exits and EPT
# violations included, in order, with the guest's registers at the exit.
# With one vCPU, leaving out the exits that timers cause, a guest's trace
# is the same on every run and equals the one kept in traces/; and the
# trace agrees with vmxlab's own exit counters (--trace's "vmx exits").
# If this fails, the ring loses, reorders or garbles exits, or records
# guest state after vmxlab changed it instead of at the exit.
. /lib/vmxlab-test.sh

# The deterministic part of a trace: no timer-driven exits, no seq numbers.
steady() {
	grep -v ' EXTERNAL_INTERRUPT \| PREEMPTION_TIMER ' "$1" | cut -d' ' -f2-
}

need_tool
load_vmxlab
for i in 1 2; do
	vmxlab run --trace --exit-trace /tmp/run$i.trace /guests/cpuid.bin \
		> /dev/null 2> /tmp/run$i.err ||
		fail "vmxlab run --exit-trace failed: $(grep '^vmxlab: ' /tmp/run$i.err | head -n 1)"
	steady /tmp/run$i.trace > /tmp/run$i.steady
done
[ -s /tmp/run1.steady ] || fail "the exit trace is empty"
cmp -s /tmp/run1.steady /tmp/run2.steady ||
	fail "two runs of the same guest gave different traces: $(diff /tmp/run1.steady /tmp/run2.steady | head -n 3 | tr '\n' '|')"
grep -v '^#' /traces/cpuid.exit-trace > /tmp/expected
cmp -s /tmp/run1.steady /tmp/expected ||
	fail "trace differs from traces/cpuid.exit-trace: $(diff /tmp/expected /tmp/run1.steady | head -n 3 | tr '\n' '|')"
# Sequence numbers: 0, 1, 2, ... with no gap.
awk '$1 != NR - 1 { print "seq " $1 " at line " NR; exit 1 }' /tmp/run1.trace ||
	fail "sequence numbers are not 0, 1, 2, ...: $(awk '$1 != NR - 1 { print $0; exit }' /tmp/run1.trace)"
# The counters vmxlab keeps per exit reason agree with the ring.
want=$(sed -n 's/^vmx exits: .*cpuid \([0-9]*\).*/\1/p' /tmp/run1.err)
got=$(grep -c ' CPUID rip=' /tmp/run1.trace)
{ [ -n "$want" ] && [ "$want" = "$got" ]; } ||
	fail "the trace has $got CPUID exits, vmxlab's counters say '${want:-none}'"
note "exit trace: $(wc -l < /tmp/run1.trace) exits, $got of them CPUID"
