#!/bin/sh
# machines: bochs-6.12
# The hypercall interface (VMCALL with EAX = "vmxl"; include/vmxlab/uapi.h)
# from inside a guest (tests/guests/hypercall.S): the API version, the
# guest's own CPUID exit count growing by exactly the five CPUIDs it ran,
# all ones for an unknown function.  A VMCALL without the magic still
# raises #UD (the vmx-ud guest of the corpus covers that).
# If this fails, a guest reading its own statistics gets wrong numbers,
# or a hypercall clobbers guest state.
. /lib/vmxlab-test.sh

need_tool
load_vmxlab
out=$(vmxlab run /guests/hypercall.bin 2> /tmp/hc.err) ||
	fail "vmxlab run hypercall.bin failed: $(head -n 2 /tmp/hc.err | tr '\n' '|')"
api=$(vmxlab --version | sed -n 's/.*(vmxlab API \([0-9]*\)).*/\1/p')
[ -n "$api" ] || fail "vmxlab --version names no API version: $(vmxlab --version)"
want=$(printf 'version %s\ncpuid exits 5\nunknown function ok' "$api")
[ "$out" = "$want" ] || fail "guest printed '$(echo "$out" | tr '\n' '|')', want '$(echo "$want" | tr '\n' '|')'"
