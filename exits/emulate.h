/* SPDX-License-Identifier: GPL-2.0 */
/* exits/emulate.c: RIP past an emulated instruction, exceptions in its place. */
#ifndef VMXLAB_EXITS_EMULATE_H
#define VMXLAB_EXITS_EMULATE_H

#include <linux/types.h>
#include <vmxlab/vmx_arch.h>
#include "../vmcs/vmcs.h"
#include "../vmx/vcpu.h"

#define VMX_INTERRUPTIBILITY_STI_MOV_SS \
	(VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)

/* Executing an instruction ends any STI or MOV SS blocking; so does skipping it. */
static __always_inline void end_sti_movss_blocking(void)
{
	u32 interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	if (unlikely(interruptibility & VMX_INTERRUPTIBILITY_STI_MOV_SS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     interruptibility & ~VMX_INTERRUPTIBILITY_STI_MOV_SS);
}

/*
 * Advance RIP past the instruction that exited: VM-exit instruction
 * length is valid for exits caused by an instruction ("VM-Exit
 * Instruction Length").  Outside 64-bit mode RIP wraps at 4 GiB
 * (rip_mask).  Returns the RIP of the instruction.  Inline: the CPUID
 * exit takes this path (exits/dispatch.h).
 */
static __always_inline unsigned long skip_instruction(struct vmxlab_vcpu *vcpu)
{
	unsigned long rip = vmcs_readl(VMCS_GUEST_RIP);
	u32 len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);

	vmcs_writel(VMCS_GUEST_RIP, (rip + len) & vcpu->rip_mask);
	end_sti_movss_blocking();
	return rip;
}

int vcpu_skip_instruction(struct vmxlab_vcpu *vcpu);
void vcpu_pend_past_instruction(struct vmxlab_vcpu *vcpu, unsigned int len);
void vcpu_set_rip_past(struct vmxlab_vcpu *vcpu, u64 rip);
void vcpu_skip_to_user(struct vmxlab_vcpu *vcpu);
void vcpu_inject_exception(struct vmxlab_vcpu *vcpu, u8 vector, bool has_error,
			   u32 error_code);

#endif /* VMXLAB_EXITS_EMULATE_H */
