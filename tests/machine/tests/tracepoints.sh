#!/bin/sh
# machines: bochs-6.12
# The vmxlab_entry and vmxlab_exit tracepoints (tracefs events/vmxlab/,
# what perf and trace-cmd use): with them on, every CPUID exit of the
# cpuid guest appears once, as many as vmxlab's own counters say, and
# every exit is preceded by an entry.
# If this fails, tracing a VM with standard kernel tools misses or
# invents exits.
. /lib/vmxlab-test.sh

T=/sys/kernel/tracing
need_tool
mount -t tracefs tracefs "$T" 2>/dev/null
[ -d "$T/events" ] || fail "no tracefs at $T"
load_vmxlab
[ -d "$T/events/vmxlab/vmxlab_exit" ] || fail "no events/vmxlab/vmxlab_exit in tracefs"
echo > "$T/trace"
echo 1 > "$T/events/vmxlab/enable"
vmxlab run --trace /guests/cpuid.bin > /dev/null 2> /tmp/tp.err
rc=$?
echo 0 > "$T/events/vmxlab/enable"
cat "$T/trace" > /tmp/tp.trace
[ "$rc" -eq 0 ] || fail "vmxlab run cpuid.bin: exit $rc"
want=$(sed -n 's/^vmx exits: .*cpuid \([0-9]*\).*/\1/p' /tmp/tp.err)
got=$(grep -c 'vmxlab_exit: vcpu 0 reason 10 ' /tmp/tp.trace)
{ [ -n "$want" ] && [ "$got" = "$want" ]; } ||
	fail "tracepoints show $got CPUID exits, vmxlab's counters ${want:-none}"
exits=$(grep -c 'vmxlab_exit:' /tmp/tp.trace)
entries=$(grep -c 'vmxlab_entry:' /tmp/tp.trace)
{ [ "$entries" -ge "$exits" ] && [ "$exits" -gt 0 ]; } ||
	fail "$entries entries for $exits exits in the trace"
grep 'vmxlab_exit:' /tmp/tp.trace | head -n 3
note "tracepoints: $exits exits, $entries entries, $got CPUID"
