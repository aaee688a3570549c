// SPDX-License-Identifier: GPL-2.0
/*
 * Control registers, MSRs and XCR0: the guest state vmxlab owns.
 *
 * CR0 and CR4: the guest/host masks give vmxlab every bit but CR0.TS, MP
 * and EM (SDM Vol. 3C, "Guest/Host Masks and Read Shadows for CR0 and
 * CR4"), so the guest reads its own values from the read shadows while
 * the hardware keeps VMXE and the other VMX-fixed bits, and every change
 * of an owned bit exits here to be checked as the CPU would check it.
 *
 * MSRs: the MSR bitmap makes RDMSR and WRMSR exit ("MSR-Bitmap
 * Address") but for the few vmx/msrs.c passes through; the MSRs a guest
 * needs are emulated there (vcpu_get_msr(), vcpu_set_msr()), any other
 * raises #GP, as on a CPU without that MSR.
 *
 * Some CPUID bits follow CR4, XCR0 and IA32_APIC_BASE: each change here
 * refreshes them in the vCPU's table (vcpu_cpuid_update()).
 */
#include <linux/types.h>
#include <asm/apicdef.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/exits.h>
#include "exits/dispatch.h"
#include "exits/exits.h"
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/*
 * The CPUID bits that reflect CR4, XCR0 and IA32_APIC_BASE on a real CPU
 * (cpuid_cache_update()), refreshed in the table whenever one of them or
 * the table changes: the CPUID exit path answers from the table alone.
 */
void vcpu_cpuid_update(struct vmxlab_vcpu *vcpu)
{
	struct cpuid_guest_state s = {
		.cr4_osxsave = vcpu->cr4 & X86_CR4_OSXSAVE,
		.cr4_pke = vcpu->cr4 & X86_CR4_PKE,
		.apic_enabled = vcpu->apic_base & MSR_IA32_APICBASE_ENABLE,
		.xcr0 = vcpu->xcr0,
	};

	cpuid_cache_update(vcpu->cpuid, &s, vmxlab_host_cpuid, NULL);
}

static int inject_gp(struct vmxlab_vcpu *vcpu)
{
	vcpu_inject_exception(vcpu, X86_TRAP_GP, true, 0);
	return EXIT_ACTION_RESUME;
}

/*
 * MOV to CR0 and LMSW (SDM Vol. 3A, "CR0"; Vol. 2, "MOV—Move to/from
 * Control Registers"): reserved bits, PG without PE, NW without CD, and
 * entering IA-32e mode without PAE fault with #GP.  Turning paging on
 * with EFER.LME set activates IA-32e mode (EFER.LMA and the "IA-32e mode
 * guest" entry control); turning it off deactivates it.
 */
int vcpu_set_cr0(struct vmxlab_vcpu *vcpu, u64 cr0)
{
	u64 old = vcpu->cr0;
	bool paging_on = (cr0 & X86_CR0_PG) && !(old & X86_CR0_PG);
	bool paging_off = !(cr0 & X86_CR0_PG) && (old & X86_CR0_PG);

	cr0 |= X86_CR0_ET;
	if (cr0 >> 32)
		return -EINVAL;
	cr0 &= VMX_CR0_DEFINED;		/* reserved bits of 31:0 stay 0, as on KVM */
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	if (paging_on && (vcpu->efer & EFER_LME)) {
		if (!(vcpu->cr4 & X86_CR4_PAE) ||
		    (vmcs_read32(VMCS_GUEST_CS_AR_BYTES) & BIT(13)))
			return -EINVAL;
		vmcs_set_efer(vcpu, vcpu->efer | EFER_LMA);
	} else if (paging_off && vcpu->long_mode) {
		/* Leaving IA-32e mode is allowed from compatibility mode only. */
		if (vmcs_read32(VMCS_GUEST_CS_AR_BYTES) & BIT(13))
			return -EINVAL;
		vmcs_set_efer(vcpu, vcpu->efer & ~EFER_LMA);
	}
	vcpu->cr0 = cr0;
	vmcs_writel(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_writel(VMCS_GUEST_CR0, vmcs_cr0_hw_bits(cr0));
	if ((cr0 ^ old) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP))
		vcpu_flush_guest_tlb(vcpu);
	return vmcs_load_pdptes(vcpu) ? -EINVAL : 0;
}

/*
 * MOV to CR4 (SDM Vol. 3A, "CR4"): bits the vCPU does not offer, VMXE
 * (VMX is not offered), OSXSAVE without XSAVE in the guest's CPUID,
 * PCIDE outside IA-32e mode and clearing PAE in IA-32e mode fault.
 */
int vcpu_set_cr4(struct vmxlab_vcpu *vcpu, u64 cr4)
{
	u64 old = vcpu->cr4;

	if (cr4 & ~vmcs_cr4_allowed())
		return -EINVAL;
	if ((cr4 & X86_CR4_OSXSAVE) && !cpuid_cache_has_xsave(vcpu->cpuid))
		return -EINVAL;
	if ((cr4 & X86_CR4_PCIDE) && !vcpu->long_mode)
		return -EINVAL;
	if (vcpu->long_mode && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	vcpu->cr4 = cr4;
	vmcs_writel(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_writel(VMCS_GUEST_CR4, vmcs_cr4_hw_bits(cr4));
	if ((cr4 ^ old) & (X86_CR4_OSXSAVE | X86_CR4_PKE))
		vcpu_cpuid_update(vcpu);
	if ((cr4 ^ old) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE |
			   X86_CR4_PCIDE | X86_CR4_SMEP))
		vcpu_flush_guest_tlb(vcpu);
	return vmcs_load_pdptes(vcpu) ? -EINVAL : 0;
}

static int finish_cr_write(struct vmxlab_vcpu *vcpu, int err)
{
	if (err)
		return inject_gp(vcpu);
	return vcpu_skip_instruction(vcpu);
}

/* LMSW loads CR0[3:0] but can set PE, never clear it ("LMSW" in SDM Vol. 2). */
static u64 lmsw_value(u64 cr0, u16 msw)
{
	u64 bits = X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS;

	return (cr0 & ~bits) | (msw & bits) | (cr0 & X86_CR0_PE);
}

/*
 * CR8 is the vCPU's task-priority class, held in vcpu->cr8 and never in
 * the local APIC (CR8 load and store exiting are required, vmx/caps.c):
 * vmxlab has no interrupt controller of its own, so no interrupt waits
 * on it.  CR8 exists in 64-bit mode only, where the CPU checks CPL 0
 * before the exit; bits 63:4 are reserved: a write of any raises #GP
 * (SDM Vol. 2, "MOV—Move to/from Control Registers"; Vol. 3A, "Task
 * Priority Register (TPR)").  A write that lowers it goes to user space
 * as KVM_EXIT_SET_TPR, the instruction done and run->cr8 the new value,
 * as on KVM without an in-kernel local APIC: user space's interrupt
 * controller may now deliver an interrupt the old priority held back.
 */
static int cr8_access(struct vmxlab_vcpu *vcpu, const struct vmx_cr_qual *q, u64 value)
{
	if (q->type == VMX_CR_MOV_FROM) {
		vcpu_gpr_write(vcpu, q->gpr, vcpu->cr8);
		return vcpu_skip_instruction(vcpu);
	}
	if (value & ~0xfULL)
		return inject_gp(vcpu);
	if (value < vcpu->cr8) {
		vcpu->cr8 = value;
		vcpu_skip_to_user(vcpu);
		vcpu->run->exit_reason = KVM_EXIT_SET_TPR;
		return EXIT_ACTION_TO_USER;
	}
	vcpu->cr8 = value;
	return vcpu_skip_instruction(vcpu);
}

/* Deferred (interrupts on): a change of paging may read the PDPTEs from guest memory. */
int handle_cr_access(struct vmxlab_vcpu *vcpu)
{
	struct vmx_cr_qual q;
	u64 value, cr0;

	vmx_decode_cr_qual(vmcs_readl(VMCS_EXIT_QUALIFICATION), &q);
	value = vcpu_gpr_read(vcpu, q.gpr);
	if (!vcpu->long_mode)
		value = (u32)value;
	/* TS, MP and EM are the guest's own: keep what the hardware holds. */
	cr0 = (vcpu->cr0 & ~(X86_CR0_TS | X86_CR0_MP | X86_CR0_EM)) |
	      (vmcs_readl(VMCS_GUEST_CR0) & (X86_CR0_TS | X86_CR0_MP | X86_CR0_EM));
	vcpu->cr0 = cr0;
	if (q.cr == 8 && (q.type == VMX_CR_MOV_TO || q.type == VMX_CR_MOV_FROM))
		return cr8_access(vcpu, &q, value);
	switch (q.type) {
	case VMX_CR_MOV_TO:
		if (q.cr == 0)
			return finish_cr_write(vcpu, vcpu_set_cr0(vcpu, value));
		if (q.cr == 4)
			return finish_cr_write(vcpu, vcpu_set_cr4(vcpu, value));
		break;
	case VMX_CR_LMSW:
		return finish_cr_write(vcpu, vcpu_set_cr0(vcpu, lmsw_value(cr0, q.lmsw_data)));
	default:
		break;
	}
	return exit_unexpected(vcpu);
}

static u64 edx_eax(struct vmxlab_vcpu *vcpu)
{
	return (vcpu->regs.gpr[GPR_RDX] << 32) | (u32)vcpu->regs.gpr[GPR_RAX];
}

int handle_rdmsr(struct vmxlab_vcpu *vcpu)
{
	u64 value;

	if (vcpu_get_msr(vcpu, vcpu->regs.gpr[GPR_RCX], &value, false))
		return inject_gp(vcpu);
	vcpu->regs.gpr[GPR_RAX] = (u32)value;
	vcpu->regs.gpr[GPR_RDX] = value >> 32;
	return vcpu_skip_instruction(vcpu);
}

int handle_wrmsr(struct vmxlab_vcpu *vcpu)
{
	if (vcpu_set_msr(vcpu, vcpu->regs.gpr[GPR_RCX], edx_eax(vcpu), false))
		return inject_gp(vcpu);
	return vcpu_skip_instruction(vcpu);
}

/*
 * RDPMC exits ("RDPMC exiting", vmx/caps.c): the vCPU has no performance
 * counters (CPUID leaf 0xA is zero), so RDPMC raises #GP as it does on a
 * CPU for a counter that does not exist (SDM Vol. 2B, "RDPMC"), and the
 * host's counters stay the host's.  At CPL > 0 with CR4.PCE clear the
 * CPU raises that #GP itself, before the exit.
 */
int handle_rdpmc(struct vmxlab_vcpu *vcpu)
{
	return inject_gp(vcpu);
}

/* XCR0 bits the guest's CPUID leaf 0xD offers, within what the host runs with. */
static u64 xcr0_allowed(struct vmxlab_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = cpuid_cache_find(vcpu->cpuid, 0xd, 0);

	if (!e)
		return XFEATURE_MASK_FP;
	return (((u64)e->edx << 32) | e->eax) & vcpu->host_xcr0 & CPUID_XCR0_ALLOWED;
}

/*
 * XSETBV (SDM Vol. 2, "XSETBV"; Vol. 1, "Enabling the XSAVE Feature Set
 * and XSAVE-Enabled Features"): only XCR0; x87 always on; AVX only with
 * SSE; nothing the guest's CPUID leaf 0xD does not offer.  The new XCR0
 * is loaded before the next entry (EXIT_ACTION_IRQS_ON takes the outer loop).
 */
int handle_xsetbv(struct vmxlab_vcpu *vcpu)
{
	u64 value = edx_eax(vcpu);

	if ((u32)vcpu->regs.gpr[GPR_RCX] != 0 ||
	    !(value & XFEATURE_MASK_FP) ||
	    ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE)) ||
	    (value & ~xcr0_allowed(vcpu)))
		return inject_gp(vcpu);
	vcpu->xcr0 = value;
	vcpu_cpuid_update(vcpu);	/* CPUID.(0DH,0):EBX, the XSAVE area's size */
	vcpu_skip_instruction(vcpu);
	return EXIT_ACTION_IRQS_ON;
}
