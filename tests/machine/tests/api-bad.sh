#!/bin/sh
# machines: bochs-6.1
# Bad input to the KVM API of /dev/vmxlab: every bad call gets its defined
# error code, a guest in an endless loop is stopped by a signal, a second
# KVM_RUN on a busy vCPU waits for it, closing the VM while a vCPU runs and using fds
# from a forked child are safe, and 20 rounds of it all leak no memory and
# leave VMX released, so that rmmod succeeds (progs/api-bad/ lists the
# checks).  The same program runs first on /dev/kvm as the reference
# (sub-results kvm-ref/...): where vmxlab and KVM promise the same answer,
# KVM's proves the check itself right.
# If this fails, a buggy or hostile client can crash, hang or leak the
# host, or leave VMX on for good; or clients cannot tell a bad call from a
# missing feature.
. /lib/vmxlab-test.sh
set -o pipefail	# busybox ash has it: api-bad's status, not sed's or tee's

load_kvm
api-bad --kvm | sed -E 's/^(PASS|FAIL) /\1 kvm-ref\//' | tee -a "$SUBRESULTS"
kvm_rc=$?
# 6.1's kvm_intel holds VMX only while a VM exists: vmxlab can load now.
load_vmxlab
api-bad | tee -a "$SUBRESULTS"
rc=$?
out=$(vmxlab info 2>/dev/null | grep -i 'users')
[ -z "$out" ] || note "after api-bad: $out"
if out=$(rmmod vmxlab 2>&1); then
	echo "PASS rmmod-vmxlab-after" >> "$SUBRESULTS"
else
	echo "FAIL rmmod-vmxlab-after: rmmod vmxlab failed after every fd was closed: $out" >> "$SUBRESULTS"
	rc=1
fi
if [ "$kvm_rc" -ne 0 ] || [ "$rc" -ne 0 ]; then
	fail "$(grep -c '^FAIL' "$SUBRESULTS") assertion(s) failed: $(grep '^FAIL' "$SUBRESULTS" | head -n 1)"
fi
