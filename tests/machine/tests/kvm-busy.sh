#!/bin/sh
# machines: bochs-6.1
# While a KVM guest runs (kvm_intel holds VMX), `vmxlab hold` refuses with
# exit status 4 and the kernel log names kvm_intel; when the guest is gone,
# vmxlab can turn VMX on.
# If this fails, vmxlab either executes VMXON over KVM's VMX operation
# (corrupting both hypervisors' state), or tells the user nothing useful
# about who holds VMX, or cannot take turns with KVM in one boot.
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
load_kvm
rm -f /tmp/kvm-ready
kvm-spin /tmp/kvm-ready &
spin=$!
# A test that fails midway must not leave the guest running: kvm_intel
# could not be unloaded and the next test would find VMX held.
trap 'kill -TERM $spin 2>/dev/null; wait $spin 2>/dev/null' EXIT
i=0
while [ ! -e /tmp/kvm-ready ]; do
	kill -0 $spin 2>/dev/null || fail "kvm-spin exited before its guest ran (see its output above)"
	[ $i -lt 60 ] || fail "kvm-spin's guest did not exit to it within 30 s"
	sleep 0.5
	i=$((i + 1))
done
expect_hold_refused "while a KVM guest runs" kvm_intel
kill -TERM $spin
wait $spin
trap - EXIT
out=$(vmxlab hold -- true 2>&1) || fail "'vmxlab hold -- true' after the KVM guest ended: exit $?: $out"
