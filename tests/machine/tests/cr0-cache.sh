#!/bin/sh
# machines: bochs-6.1 bochs-6.12
# A guest that turns caching off (CR0.CD and NW set, tests/guests/cr0-cd)
# reads its own CR0 back, while the CR0 the hardware runs it with (the
# VMCS's GUEST_CR0, through `vmxlab run --vmcs`) keeps CD and NW clear:
# with CD set the CPU would access the guest's memory, host RAM the host
# maps write-back, as uncached (SDM Vol. 3C, "Memory Type Used for
# Translated Guest-Physical Addresses": CR0.CD = 1 makes it UC whatever
# EPT says), two memory types for the same RAM.
# Bochs 2.7 cannot show the bug this guards against: its
# IA32_VMX_CR0_FIXED1 has CD and NW clear, so the fixed-bit mask kept
# them out of the hardware CR0 before vmxlab cleared them itself (seen:
# GUEST_CR0 0x30 for the guest's 0x60000010); on CPUs whose FIXED1 allows
# them (all ones is usual) it does.
# If this fails, a guest can make the host's RAM be accessed with
# conflicting memory types (undefined behaviour in the SDM's words).
. /lib/vmxlab-test.sh
need_tool
load_vmxlab
vmxlab run --trace --vmcs /guests/cr0-cd.bin > /tmp/cd.out 2> /tmp/cd.err ||
	fail "vmxlab run --vmcs failed: $(grep '^vmxlab: ' /tmp/cd.err | head -n 1)"
grep '^regs:' /tmp/cd.err
grep -Eq '^regs: .* rbx=0x60000000[ ,]' /tmp/cd.err ||
	fail "the guest does not read back its CD and NW: $(grep '^regs:' /tmp/cd.err)"
shadow=$(sed -n 's/^  CR0_READ_SHADOW  *0x[0-9a-f]*  \(0x[0-9a-f]*\)$/\1/p' /tmp/cd.err)
hw=$(sed -n 's/^  GUEST_CR0  *0x[0-9a-f]*  \(0x[0-9a-f]*\)$/\1/p' /tmp/cd.err)
echo "CR0_READ_SHADOW $shadow, GUEST_CR0 $hw"
if [ -z "$shadow" ] || [ -z "$hw" ]; then
	fail "no CR0_READ_SHADOW or GUEST_CR0 in the --vmcs dump"
fi
[ $((shadow & 0x60000000)) -eq $((0x60000000)) ] ||
	fail "CR0_READ_SHADOW $shadow lacks the guest's CD and NW"
[ $((hw & 0x60000000)) -eq 0 ] ||
	fail "the hardware runs the guest with CR0 $hw: CD/NW set, its memory accessed uncached"
exit 0
