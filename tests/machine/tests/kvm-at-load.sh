#!/bin/sh
# machines: bochs-6.12
# On 6.12 kvm_intel turns VMX on when it loads (kvm.enable_virt_at_load=Y):
# `vmxlab hold` must refuse with exit 4 and the kernel log must tell the
# user the fix (kvm.enable_virt_at_load=0); after rmmod kvm_intel, hold works.
# The reverse (sub-result vmxlab-holds): while a vmxlab guest runs,
# `insmod kvm-intel.ko` fails with an error (kvm_intel cannot turn VMX on
# at load), with no WARNING or BUG and nothing of kvm_intel left loaded,
# and the vmxlab guest keeps running; once it ends, kvm_intel loads and
# runs a guest.
# If this fails, users of 6.12 with kvm_intel loaded get a vmxlab that
# either clobbers KVM's VMX state or fails without telling them why, or a
# kvm_intel that loads over vmxlab's VMX operation.
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
load_kvm
expect_hold_refused "with kvm_intel loaded" 'kvm.enable_virt_at_load=0'
out=$(rmmod kvm_intel 2>&1) || fail "rmmod kvm_intel failed: $out"
out=$(vmxlab hold -- true 2>&1) || fail "'vmxlab hold -- true' after rmmod kvm_intel: exit $?: $out"
echo "PASS kvm-holds" >> "$SUBRESULTS"

out=$(rmmod kvm 2>&1) || fail "rmmod kvm before the reverse: $out"
start_vmxlab_guest
trap 'kill -INT $VMXLAB_GUEST 2>/dev/null; wait $VMXLAB_GUEST 2>/dev/null' EXIT
out=$(insmod /kvm/kvm.ko 2>&1) || fail "insmod kvm.ko while a vmxlab guest runs: $out"
klog_mark
out=$(insmod /kvm/kvm-intel.ko 2>&1)
rc=$?
log=$(klog_new)
note "insmod kvm-intel.ko while a vmxlab guest runs: exit $rc: $out"
echo "kernel log: $log"
[ $rc -ne 0 ] || fail "kvm_intel loaded while vmxlab held VMX (enable_virt_at_load=$(cat /sys/module/kvm/parameters/enable_virt_at_load))"
grep -q '^kvm_intel ' /proc/modules && fail "insmod kvm-intel.ko failed but kvm_intel is listed in /proc/modules"
echo "$log" | grep -q 'enabling virtualization on CPU[0-9]* failed' ||
	fail "the kernel log does not say KVM could not enable virtualization: $log"
expect_vmxlab_guest_running "after kvm_intel's load was refused"
stop_vmxlab_guest
trap - EXIT
out=$(insmod /kvm/kvm-intel.ko 2>&1) || fail "insmod kvm-intel.ko after the vmxlab guest ended: $out"
out=$(vmxlab run --device /dev/kvm /guests/hello.bin 2>&1) ||
	fail "a KVM guest after the vmxlab guest ended: exit $?: $out"
echo "$out" | grep -q 'Hello from real mode' || fail "the KVM guest printed: $out"
echo "PASS vmxlab-holds" >> "$SUBRESULTS"
