// SPDX-License-Identifier: GPL-2.0
/*
 * What a handler does to the guest when it emulates an instruction:
 * move RIP past it (now, or when KVM_RUN completes an exit to user space)
 * and inject an exception in its place.
 */
#include <linux/types.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "exits/dispatch.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"

int vcpu_skip_instruction(struct vmxlab_vcpu *vcpu)
{
	skip_instruction(vcpu);
	return EXIT_ACTION_RESUME;
}

/*
 * An exit to user space that KVM_RUN completes later: record the
 * instruction's RIP (what KVM_GET_REGS shows meanwhile) and where RIP
 * goes once it completes (@len bytes on; 0: the VM-exit instruction length).
 */
void vcpu_pend_past_instruction(struct vmxlab_vcpu *vcpu, unsigned int len)
{
	unsigned long rip = vmcs_readl(VMCS_GUEST_RIP);

	if (!len)
		len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);
	vcpu->exit_rip = rip;
	vcpu->rip_skipped = true;
	vcpu->pending_rip = (rip + len) & vcpu->rip_mask;
}

/* Move RIP to @rip, past an instruction: that ends STI and MOV SS blocking. */
void vcpu_set_rip_past(struct vmxlab_vcpu *vcpu, u64 rip)
{
	vmcs_writel(VMCS_GUEST_RIP, rip);
	end_sti_movss_blocking();
}

/* Skip the instruction of an exit that goes to user space, recording its RIP. */
void vcpu_skip_to_user(struct vmxlab_vcpu *vcpu)
{
	vcpu->exit_rip = skip_instruction(vcpu);
	vcpu->rip_skipped = true;
}

/*
 * Inject a hardware exception on the next VM entry ("VM-Entry Controls
 * for Event Injection").  With CR0.PE = 0 no error code may be delivered
 * ("Checks on VM-Entry Control Fields"), as real mode pushes none.
 */
void vcpu_inject_exception(struct vmxlab_vcpu *vcpu, u8 vector, bool has_error,
			   u32 error_code)
{
	u32 info = VMX_INTR_INFO_VALID |
		   (VMX_INTR_HW_EXCEPTION << VMX_INTR_INFO_TYPE_SHIFT) | vector;

	if (has_error && vcpu_is_protected(vcpu)) {
		info |= VMX_INTR_INFO_DELIVER_CODE;
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO, info);
}
