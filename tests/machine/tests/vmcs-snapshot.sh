#!/bin/sh
# machines: bochs-6.1
# VMXLAB_GET_VMCS through `vmxlab run --vmcs` and `--vmcs-diff`: the VMCS
# as vmxlab reads it agrees with what KVM_GET_REGS says (GUEST_RIP), holds
# what the SDM requires of it (VMCS link pointer all ones without
# shadowing), groups fields as Appendix B does, and shows what each exit
# changed (the hello guest's last exit, HLT, follows port-I/O exits: the
# exit reason goes from 0x1e to 0xc, and RIP moves past the loop).
# If this fails, the VMCS a student reads from vmxlab is not the one the
# CPU ran with.
. /lib/vmxlab-test.sh

need_tool
load_vmxlab
vmxlab run --trace --vmcs /guests/hello.bin > /tmp/vmcs.out 2> /tmp/vmcs.err ||
	fail "vmxlab run --vmcs failed: $(grep '^vmxlab: ' /tmp/vmcs.err | head -n 1)"
rip=$(sed -n 's/^regs: .* rip=\(0x[0-9a-f]*\) .*/\1/p' /tmp/vmcs.err)
[ -n "$rip" ] || fail "no regs line in the --trace output"
grep -Eq "^  GUEST_RIP +0x0000681e  $rip\$" /tmp/vmcs.err ||
	fail "GUEST_RIP in the VMCS dump is not $rip (KVM_GET_REGS): $(grep GUEST_RIP /tmp/vmcs.err)"
grep -Eq '^  VMCS_LINK_POINTER +0x00002800  0xffffffffffffffff$' /tmp/vmcs.err ||
	fail "VMCS link pointer is not all ones: $(grep VMCS_LINK_POINTER /tmp/vmcs.err)"
grep -q '^natural-width guest-state fields:$' /tmp/vmcs.err ||
	fail "no 'natural-width guest-state fields:' group heading"
grep -Eq '^  VM_EXIT_REASON +0x00004402  0xc$' /tmp/vmcs.err ||
	fail "the last exit's reason in the dump is not HLT (0xc): $(grep VM_EXIT_REASON /tmp/vmcs.err)"

vmxlab run --vmcs-diff /guests/hello.bin > /tmp/diff.out 2> /tmp/diff.err ||
	fail "vmxlab run --vmcs-diff failed: $(grep '^vmxlab: ' /tmp/diff.err | head -n 1)"
grep -q '^  vmcs: first snapshot, [0-9]* fields$' /tmp/diff.err ||
	fail "--vmcs-diff printed no first snapshot line"
tail -n 8 /tmp/diff.err | grep -q '^  vmcs VM_EXIT_REASON: 0x1e -> 0xc$' ||
	fail "--vmcs-diff at the HLT exit does not show VM_EXIT_REASON 0x1e -> 0xc: $(tail -n 8 /tmp/diff.err | tr '\n' '|')"
tail -n 8 /tmp/diff.err | grep -q '^  vmcs GUEST_RIP: ' ||
	fail "--vmcs-diff at the HLT exit does not show GUEST_RIP moving"

load_kvm
if vmxlab run --device /dev/kvm --vmcs-diff /guests/hello.bin > /dev/null 2> /tmp/kvm.err; then
	fail "--vmcs-diff on /dev/kvm succeeded; it has no VMCS snapshot to give"
fi
grep -q 'is not vmxlab' /tmp/kvm.err || fail "--vmcs-diff on /dev/kvm: $(cat /tmp/kvm.err)"
