#!/bin/sh
# machines: bochs-6.1
# While a KVM guest runs (kvm_intel holds VMX), `vmxlab hold` refuses with
# exit status 4 and the kernel log names kvm_intel; when the guest is gone,
# vmxlab can turn VMX on (sub-result kvm-holds).
# The reverse (vmxlab-holds): while a vmxlab guest runs, kvm_intel loads (on
# 6.1 it takes VMX only while a VM exists) but a KVM client's KVM_CREATE_VM
# fails (`vmxlab run --device /dev/kvm`: exit 4 with its message; the kernel
# log: KVM could not enable virtualization), with no WARNING or BUG, and the
# vmxlab guest keeps running; once it ends, a KVM guest runs.
# If this fails, vmxlab either executes VMXON over KVM's VMX operation
# (corrupting both hypervisors' state), or lets KVM do so over its own, or
# tells the user nothing useful about who holds VMX, or cannot take turns
# with KVM in one boot.
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
echo "PASS kvm-holds" >> "$SUBRESULTS"

for m in kvm_intel kvm irqbypass; do
	out=$(rmmod $m 2>&1) || fail "rmmod $m before the reverse: $out"
done
start_vmxlab_guest
trap 'kill -INT $VMXLAB_GUEST 2>/dev/null; wait $VMXLAB_GUEST 2>/dev/null' EXIT
load_kvm
klog_mark
out=$(vmxlab run --device /dev/kvm /guests/hello.bin 2>&1)
rc=$?
log=$(klog_new)
note "KVM guest while a vmxlab guest runs: exit $rc: $out"
echo "kernel log: $log"
{ [ $rc -eq 4 ] && echo "$out" | grep -q 'KVM_CREATE_VM on /dev/kvm: VMX is in use'; } ||
	fail "a KVM guest while a vmxlab guest runs: exit $rc, want 4 with 'KVM_CREATE_VM on /dev/kvm: VMX is in use': $out"
echo "$log" | grep -q 'enabling virtualization on CPU[0-9]* failed' ||
	fail "the kernel log does not say KVM could not enable virtualization: $log"
expect_vmxlab_guest_running "after KVM_CREATE_VM was refused"
out=$(vmxlab run /guests/hello.bin 2>&1) || fail "a second vmxlab guest after KVM was refused: $out"
stop_vmxlab_guest
trap - EXIT
out=$(vmxlab run --device /dev/kvm /guests/hello.bin 2>&1) ||
	fail "a KVM guest after the vmxlab guest ended: exit $?: $out"
echo "$out" | grep -q 'Hello from real mode' || fail "the KVM guest printed: $out"
echo "PASS vmxlab-holds" >> "$SUBRESULTS"
