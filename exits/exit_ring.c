// SPDX-License-Identifier: GPL-2.0
/*
 * The exit ring: a vCPU's most recent VM exits, in-kernel ones
 * included, for user space to read (VMXLAB_SET_TRACE, VMXLAB_READ_TRACE).
 *
 * Recording happens in the run loop (vmx/run.c) with interrupts off, only
 * while the ring is on: a few VMREADs of the exit-information fields (SDM
 * Vol. 3C, "Information for VM Exits") into the next slot.  Reading happens in
 * a vCPU ioctl, under the vCPU mutex, so never while KVM_RUN writes.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <vmxlab/exits.h>
#include "exits/exits.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"

#define RING_SIZE	VMXLAB_TRACE_RING_SIZE

void vcpu_exit_ring_record(struct vmxlab_vcpu *vcpu, u32 reason)
{
	struct vmxlab_trace_record *r = &vcpu->exit_ring[vcpu->exit_ring_seq % RING_SIZE];
	u32 basic = vmx_exit_basic_reason(reason);
	unsigned long *gpr = vcpu->regs.gpr;

	r->seq = vcpu->exit_ring_seq++;
	r->exit_reason = reason;
	r->instruction_len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);
	r->qualification = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	r->guest_rip = vmcs_readl(VMCS_GUEST_RIP);
	r->guest_phys = basic == VMX_EXIT_EPT_VIOLATION || basic == VMX_EXIT_EPT_MISCONFIG ?
			vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS) : 0;
	r->rax = gpr[GPR_RAX];
	r->rcx = gpr[GPR_RCX];
	r->rdx = gpr[GPR_RDX];
	r->rbx = gpr[GPR_RBX];
}

/* Turn the ring on (emptied) or off. */
int vcpu_exit_ring_set(struct vmxlab_vcpu *vcpu, bool on)
{
	if (!on) {
		vcpu->exit_ring_on = false;
		return 0;
	}
	if (!vcpu->exit_ring) {
		/* Charged to the VMM's memory cgroup, as the vCPU is. */
		vcpu->exit_ring = __vmalloc(array_size(RING_SIZE, sizeof(*vcpu->exit_ring)),
					    GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!vcpu->exit_ring)
			return -ENOMEM;
	}
	vcpu->exit_ring_seq = 0;
	vcpu->exit_ring_on = true;
	return 0;
}

/*
 * Which records a VMXLAB_READ_TRACE of @rd gets: fills in rd->lost,
 * rd->count and rd->next_seq and returns the seq of the first record,
 * or -ENODATA if the ring was never turned on.
 */
s64 vcpu_exit_ring_window(const struct vmxlab_vcpu *vcpu, struct vmxlab_trace_read *rd)
{
	u64 oldest, first;

	if (!vcpu->exit_ring)
		return -ENODATA;
	oldest = vcpu->exit_ring_seq > RING_SIZE ? vcpu->exit_ring_seq - RING_SIZE : 0;
	first = clamp(rd->from_seq, oldest, vcpu->exit_ring_seq);
	rd->lost = first > rd->from_seq ? first - rd->from_seq : 0;
	rd->count = min_t(u64, rd->max, vcpu->exit_ring_seq - first);
	rd->next_seq = vcpu->exit_ring_seq;
	return first;
}

/*
 * The record of @seq, and in *@contiguous how many records from it on
 * lie in a row before the ring wraps.
 */
const struct vmxlab_trace_record *vcpu_exit_ring_at(const struct vmxlab_vcpu *vcpu,
						    u64 seq, u32 *contiguous)
{
	u32 index = seq % RING_SIZE;

	*contiguous = RING_SIZE - index;
	return &vcpu->exit_ring[index];
}

void vcpu_exit_ring_free(struct vmxlab_vcpu *vcpu)
{
	vfree(vcpu->exit_ring);
}
