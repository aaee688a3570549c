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
 * MSRs: the MSR bitmap makes every RDMSR and WRMSR exit ("MSR-Bitmap
 * Address"); the few MSRs a guest needs are emulated, any other raises
 * #GP, as on a CPU without that MSR.
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

static bool is_canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
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
 * Priority Register (TPR)").
 */
static int cr8_access(struct vmxlab_vcpu *vcpu, const struct vmx_cr_qual *q, u64 value)
{
	if (q->type == VMX_CR_MOV_FROM) {
		if (q->gpr == GPR_RSP)
			vmcs_writel(VMCS_GUEST_RSP, vcpu->cr8);
		else
			vcpu->regs.gpr[q->gpr] = vcpu->cr8;
		return vcpu_skip_instruction(vcpu);
	}
	if (value & ~0xfULL)
		return inject_gp(vcpu);
	vcpu->cr8 = value;
	return vcpu_skip_instruction(vcpu);
}

/* Deferred (interrupts on): a change of paging may read the PDPTEs from guest memory. */
int handle_cr_access(struct vmxlab_vcpu *vcpu)
{
	struct vmx_cr_qual q;
	u64 value, cr0;

	vmx_decode_cr_qual(vmcs_readl(VMCS_EXIT_QUALIFICATION), &q);
	value = q.gpr == GPR_RSP ? vmcs_readl(VMCS_GUEST_RSP) : vcpu->regs.gpr[q.gpr];
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

/* A PAT value is eight memory types, each one of 0, 1, 4, 5, 6, 7 ("IA32_PAT MSR"). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

static bool efer_valid(struct vmxlab_vcpu *vcpu, u64 efer)
{
	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return false;
	/* LME cannot change while paging is on ("IA32_EFER MSR"). */
	if ((vcpu->cr0 & X86_CR0_PG) && ((efer ^ vcpu->efer) & EFER_LME))
		return false;
	return true;
}

/* 0 and *value, or -EINVAL for an MSR the vCPU does not have. */
static int read_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 *value)
{
	switch (index) {
	case MSR_EFER:
		*value = vcpu->efer;
		return 0;
	case MSR_IA32_CR_PAT:
		*value = vmcs_read64(VMCS_GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*value = vmcs_read32(VMCS_GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*value = vmcs_readl(VMCS_GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*value = vmcs_readl(VMCS_GUEST_SYSENTER_EIP);
		return 0;
	case MSR_FS_BASE:
		*value = vmcs_readl(VMCS_GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*value = vmcs_readl(VMCS_GUEST_GS_BASE);
		return 0;
	case MSR_KERNEL_GS_BASE:
		/* The guest's value is in the MSR while KVM_RUN runs. */
		rdmsrl(MSR_KERNEL_GS_BASE, *value);
		return 0;
	case MSR_IA32_TSC:
		*value = rdtsc() + vcpu->tsc_offset;
		return 0;
	case MSR_IA32_APICBASE:
		*value = vcpu->apic_base;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * IA32_APIC_BASE (SDM Vol. 3A, "Local APIC Status and Location" and
 * "x2APIC State Transitions"): bits 0-7 and 9 are reserved, so are the
 * base's bits at and above MAXPHYADDR, and EXTD (bit 10) without x2APIC
 * in the guest's CPUID; EXTD without EN is invalid, and so are going from
 * x2APIC mode straight to xAPIC mode and from disabled straight to x2APIC
 * mode.  vmxlab emulates no APIC (as KVM without an in-kernel irqchip):
 * the MSR holds the value and the enable bit drives CPUID.01H:EDX.APIC.
 */
static bool apic_base_valid(struct vmxlab_vcpu *vcpu, u64 value)
{
	const struct kvm_cpuid_entry2 *e = cpuid_cache_find(vcpu->cpuid, 1, 0);
	/* A table may say anything in 80000008H: keep MAXPHYADDR architectural. */
	unsigned int bits = clamp(cpuid_cache_maxphyaddr(vcpu->cpuid), 32u, 52u);
	u64 base = GENMASK_ULL(bits - 1, 12);
	u64 allowed = MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_ENABLE | base;
	u64 modes = MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE;
	u64 old = vcpu->apic_base & modes, new = value & modes;

	if (e && (e->ecx & CPUID_1_ECX_X2APIC))
		allowed |= X2APIC_ENABLE;
	if (value & ~allowed)
		return false;
	if (new == X2APIC_ENABLE)
		return false;
	if (old == modes && new == MSR_IA32_APICBASE_ENABLE)
		return false;
	return !(old == 0 && new == modes);
}

static int write_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 value)
{
	switch (index) {
	case MSR_EFER:
		if (!efer_valid(vcpu, value))
			return -EINVAL;
		/* LMA is the processor's to set: keep the current one. */
		vmcs_set_efer(vcpu, (value & ~EFER_LMA) | (vcpu->efer & EFER_LMA));
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(value))
			return -EINVAL;
		vmcs_write64(VMCS_GUEST_IA32_PAT, value);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(VMCS_GUEST_SYSENTER_CS, value);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		if (!is_canonical(value))
			return -EINVAL;
		break;
	case MSR_IA32_TSC:
		vcpu->tsc_offset = value - rdtsc();
		vmcs_write64(VMCS_TSC_OFFSET, vcpu->tsc_offset);
		return 0;
	case MSR_IA32_APICBASE:
		if (!apic_base_valid(vcpu, value))
			return -EINVAL;
		vcpu->apic_base = value;
		vcpu_cpuid_update(vcpu);
		return 0;
	default:
		return -EINVAL;
	}
	switch (index) {
	case MSR_IA32_SYSENTER_ESP:
		vmcs_writel(VMCS_GUEST_SYSENTER_ESP, value);
		break;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_writel(VMCS_GUEST_SYSENTER_EIP, value);
		break;
	case MSR_FS_BASE:
		vmcs_writel(VMCS_GUEST_FS_BASE, value);
		break;
	case MSR_GS_BASE:
		vmcs_writel(VMCS_GUEST_GS_BASE, value);
		break;
	case MSR_KERNEL_GS_BASE:
		wrmsrl(MSR_KERNEL_GS_BASE, value);
		break;
	}
	return 0;
}

int handle_rdmsr(struct vmxlab_vcpu *vcpu)
{
	u64 value;

	if (read_msr(vcpu, vcpu->regs.gpr[GPR_RCX], &value))
		return inject_gp(vcpu);
	vcpu->regs.gpr[GPR_RAX] = (u32)value;
	vcpu->regs.gpr[GPR_RDX] = value >> 32;
	return vcpu_skip_instruction(vcpu);
}

int handle_wrmsr(struct vmxlab_vcpu *vcpu)
{
	if (write_msr(vcpu, vcpu->regs.gpr[GPR_RCX], edx_eax(vcpu)))
		return inject_gp(vcpu);
	return vcpu_skip_instruction(vcpu);
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
