#!/bin/sh
# machines: bochs-6.1
# SSE register isolation between a guest and the host process that runs
# it (progs/sse-host.c): the host's xmm0-15 and MXCSR come back from every
# KVM_RUN unchanged, the guest's xmm0-7 and MXCSR survive every exit to
# user space, and KVM_GET_FPU shows the guest's values.  On /dev/vmxlab,
# and on /dev/kvm as the reference (sub-results kvm-ref/...), which proves
# the program itself right.
# If this fails, a program that runs a guest finds its floating-point
# values silently changed after KVM_RUN, or the guest's are corrupted.
. /lib/vmxlab-test.sh
set -o pipefail	# busybox ash has it: sse-host's status, not sed's or tee's

load_kvm
sse-host --kvm /dev/kvm | sed -E 's/^(PASS|FAIL) /\1 kvm-ref\//' | tee -a "$SUBRESULTS"
kvm_rc=$?
load_vmxlab
sse-host /dev/vmxlab | tee -a "$SUBRESULTS"
rc=$?
if [ "$kvm_rc" -ne 0 ] || [ "$rc" -ne 0 ]; then
	fail "$(grep -c '^FAIL' "$SUBRESULTS") assertion(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
fi
