#!/bin/sh
# machines: bochs-6.12
# On 6.12 kvm_intel turns VMX on when it loads (kvm.enable_virt_at_load=Y):
# `vmxlab hold` must refuse with exit 4 and the kernel log must tell the
# user the fix (kvm.enable_virt_at_load=0); after rmmod kvm_intel, hold works.
# If this fails, users of 6.12 with kvm_intel loaded get a vmxlab that
# either clobbers KVM's VMX state or fails without telling them why.
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
load_kvm
expect_hold_refused "with kvm_intel loaded" 'kvm.enable_virt_at_load=0'
out=$(rmmod kvm_intel 2>&1) || fail "rmmod kvm_intel failed: $out"
out=$(vmxlab hold -- true 2>&1) || fail "'vmxlab hold -- true' after rmmod kvm_intel: exit $?: $out"
