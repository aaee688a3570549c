// SPDX-License-Identifier: GPL-2.0
/*
 * What a handler does to the guest when it emulates an instruction:
 * move RIP past it (now, or when KVM_RUN completes an exit to user space)
 * and inject an exception in its place.
 */
#include <linux/sched.h>
#include <linux/types.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "exits/dispatch.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"

/*
 * General-purpose register @gpr (GPR_*) as the guest sees it.  RSP is
 * the one the VMCS holds (GUEST_RSP, "Guest Register State"): the
 * entry/exit stub neither loads nor saves its slot in vcpu->regs, so an
 * emulated instruction that names RSP reads and writes the VMCS field.
 */
unsigned long vcpu_gpr_read(struct vmxlab_vcpu *vcpu, unsigned int gpr)
{
	return gpr == GPR_RSP ? vmcs_readl(VMCS_GUEST_RSP) : vcpu->regs.gpr[gpr];
}

void vcpu_gpr_write(struct vmxlab_vcpu *vcpu, unsigned int gpr, unsigned long value)
{
	if (gpr == GPR_RSP)
		vmcs_writel(VMCS_GUEST_RSP, value);
	else
		vcpu->regs.gpr[gpr] = value;
}

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

/*
 * Deliver the event of an exception exit to the guest as the CPU would
 * have without the exit ("Event Injection"): same vector, type and error
 * code; a software or privileged software exception (INT3, INTO, INT1)
 * with its instruction length, so that the guest's handler sees the
 * return address past it.  Bit 12 (NMI unblocking by IRET) is no part of
 * the injection format.  An exception met while delivering another event
 * replaces it: the exceptions vmxlab intercepts are benign, which the CPU
 * delivers serially ("Interrupt 8—Double Fault Exception (#DF)").
 */
void vcpu_reflect_exception(struct vmxlab_vcpu *vcpu, u32 exit_intr_info)
{
	enum vmx_intr_type type = vmx_intr_info_type(exit_intr_info);

	if (exit_intr_info & VMX_INTR_INFO_DELIVER_CODE)
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(VMCS_VM_EXIT_INTR_ERROR_CODE));
	if (type == VMX_INTR_SW_EXCEPTION || type == VMX_INTR_PRIV_SW_EXCEPTION)
		vmcs_write32(VMCS_VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO,
		     exit_intr_info & ~VMX_INTR_INFO_NMI_UNBLOCKING);
}

/*
 * A #DB that caused a VM exit has not updated DR6 (SDM Vol. 3C,
 * "Updating Non-Register State"); its causes are in the exit
 * qualification ("Exit Qualification for Debug Exceptions").  Put them
 * where the guest reads DR6, as delivery would have: B0-B3 replaced, BD
 * and BS added, RTM (active low in DR6) from the qualification's bit 16.
 * Every MOV DR exits (vmx/debugregs.c): the guest's DR6 is vcpu->dr6,
 * never the hardware's.  A general-detect #DB also clears DR7.GD on
 * delivery.  The #DB carries
 * every pending condition: none stays pending in the VMCS to be delivered
 * twice (unless STI or MOV SS blocking holds, where VM entry wants BS kept:
 * "Checks on Guest Non-Register State").  INT1 sets no DR6 bit (@qual 0).
 */
void vcpu_debug_exit_to_dr6(struct vmxlab_vcpu *vcpu, unsigned long qual)
{
	u64 dr6 = vcpu->dr6;

	if (!qual)
		return;
	dr6 = (dr6 & ~X86_DR6_B0_B3) |
	      (qual & (VMX_DBG_QUAL_B0_B3 | VMX_DBG_QUAL_BD | VMX_DBG_QUAL_BS));
	if (qual & VMX_DBG_QUAL_RTM)
		dr6 &= ~X86_DR6_RTM;
	else
		dr6 |= X86_DR6_RTM;
	vcpu->dr6 = dr6;
	if (qual & VMX_DBG_QUAL_BD)
		vmcs_writel(VMCS_GUEST_DR7, vmcs_readl(VMCS_GUEST_DR7) & ~X86_DR7_GD);
	if (!(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
	      (VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)))
		vmcs_writel(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
}
