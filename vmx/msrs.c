// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's MSRs: one model behind the guest's RDMSR and WRMSR exits
 * (exits/cr_msr.c) and behind KVM_GET_MSRS / KVM_SET_MSRS (vmx/vcpu.c);
 * the MSRs switched between the guest and the host; the MSR bitmap's
 * pass-throughs; KVM_GET_MSR_INDEX_LIST.
 *
 * A guest access the model refuses raises #GP in the guest, as on a CPU
 * without that MSR or with those bits reserved (SDM Vol. 2B, "RDMSR",
 * "WRMSR"); a host-initiated one (@host) ends KVM_SET_MSRS there.  The
 * host may restore what the guest may not write: IA32_UCODE_REV and the
 * read-only bits of IA32_MISC_ENABLE.  Unknown MSRs are refused to both.
 *
 * Switched MSRs.  VM entry and exit switch what the VMCS holds (EFER,
 * PAT, SYSENTER_*, FS/GS base: "Loading Guest State", "Loading Host
 * State"); IA32_STAR, LSTAR, CSTAR, FMASK and TSC_AUX are not among them.
 * The host uses those five in user space only: SYSCALL enters the kernel
 * through them, and RDTSCP/RDPID read TSC_AUX in the vDSO's getcpu (the
 * kernel's own entry code finds its CPU with LSL since 5.9, so that a
 * hypervisor may keep a guest's TSC_AUX loaded in the kernel).  So the
 * guest's values are written when the guest state is loaded, before the
 * run loop's first entry, and the host's put back when it is put: before
 * KVM_RUN returns and whenever the thread is scheduled out (vmx/run.c:
 * load_guest_state(), put_guest_state()).  Never per exit: the in-kernel
 * exit path touches no MSR.  The VM-entry/exit MSR-load areas would cost
 * every entry and exit; a user-return notifier would save nothing here,
 * where every KVM_RUN ends in user space.  A write that equals the host's
 * value is skipped, and only what was written is restored.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/types.h>
#include <asm/apicdef.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/msr_arch.h>
#include <vmxlab/vmx_arch.h>
#include "exits/exits.h"
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

static const u32 switched_index[VCPU_NR_SWITCHED_MSRS] = {
	[VCPU_MSR_STAR] = MSR_STAR,
	[VCPU_MSR_LSTAR] = MSR_LSTAR,
	[VCPU_MSR_CSTAR] = MSR_CSTAR,
	[VCPU_MSR_FMASK] = MSR_SYSCALL_MASK,
	[VCPU_MSR_TSC_AUX] = MSR_TSC_AUX,
};

/*
 * TSC_AUX exists for guests only with "enable RDTSCP" (without it RDTSCP
 * and RDPID are #UD in the guest, and CPUID hides both): then the CPU has
 * the MSR, and vmxlab switches it.
 */
static bool have_tsc_aux(void)
{
	return vmxlab_host_caps.controls[VMXLAB_CTLS_PROCBASED2].value &
	       VMX_PROC2CTL_ENABLE_RDTSCP;
}

static unsigned int nr_switched(void)
{
	return have_tsc_aux() ? VCPU_NR_SWITCHED_MSRS : VCPU_MSR_TSC_AUX;
}

/* Preemption off, the guest state being loaded (vmx/run.c). */
void vcpu_msrs_load_guest(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_msrs *m = &vcpu->msrs;
	unsigned int i, n = nr_switched();

	for (i = 0; i < n; i++) {
		rdmsrl(switched_index[i], m->host[i]);
		if (m->guest[i] != m->host[i]) {
			wrmsrl(switched_index[i], m->guest[i]);
			m->loaded |= BIT(i);
		}
	}
}

/* Preemption off: the host's values back before anything of the host uses them. */
void vcpu_msrs_put_guest(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_msrs *m = &vcpu->msrs;
	unsigned int i;

	for (i = 0; i < VCPU_NR_SWITCHED_MSRS; i++)
		if (m->loaded & BIT(i))
			wrmsrl(switched_index[i], m->host[i]);
	m->loaded = 0;
}

/* A new value of a switched MSR, into the hardware at once while the guest's are loaded. */
static void set_switched(struct vmxlab_vcpu *vcpu, enum vcpu_switched_msr i, u64 value)
{
	vcpu->msrs.guest[i] = value;
	if (vcpu->guest_state_loaded) {
		wrmsrl(switched_index[i], value);
		vcpu->msrs.loaded |= BIT(i);
	}
}

/*
 * IA32_MISC_ENABLE ("IA32_MISC_ENABLE MSR", SDM Vol. 4): the vCPU has no
 * performance monitoring, BTS or PEBS (bits 7, 11, 12, read-only), no
 * Enhanced SpeedStep, MONITOR/MWAIT or xTPR (CPUID hides them), and
 * limits no CPUID leaf.  The guest may turn fast strings (bit 0) on and
 * off and clear XD Disable (bit 34), as Linux does at boot; the host may
 * restore any value of those bits and of the read-only ones.
 */
#define MISC_ENABLE_RESET	(MSR_IA32_MISC_ENABLE_FAST_STRING |	\
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)
#define MISC_ENABLE_HOST_BITS	(MSR_IA32_MISC_ENABLE_FAST_STRING |	\
				 MSR_IA32_MISC_ENABLE_EMON |		\
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_MWAIT |		\
				 MSR_IA32_MISC_ENABLE_XD_DISABLE)

static bool misc_enable_valid(struct vmxlab_vcpu *vcpu, u64 value, bool host)
{
	u64 changed = value ^ vcpu->msrs.misc_enable;

	if (host)
		return !(value & ~MISC_ENABLE_HOST_BITS);
	changed &= ~MSR_IA32_MISC_ENABLE_FAST_STRING;
	if (changed == MSR_IA32_MISC_ENABLE_XD_DISABLE)
		return !(value & MSR_IA32_MISC_ENABLE_XD_DISABLE);
	return !changed;
}

/* The architectural state after RESET ("Processor State After Reset"; KVM's for TSC_AUX). */
void vcpu_msrs_reset(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_msrs *m = &vcpu->msrs;

	memset(m->guest, 0, sizeof(m->guest));
	m->misc_enable = MISC_ENABLE_RESET;
	m->ucode_rev = 0;
	m->mcg_status = 0;
	m->mtrr_def_type = 0;
	memset(m->mtrr_fixed, 0, sizeof(m->mtrr_fixed));
	memset(m->mtrr_var, 0, sizeof(m->mtrr_var));
}

static bool is_canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
}

/* Physical-address bits at and above the guest's MAXPHYADDR (kept architectural). */
static u64 above_maxphyaddr(struct vmxlab_vcpu *vcpu)
{
	unsigned int bits = clamp(cpuid_cache_maxphyaddr(vcpu->cpuid), 32u, 52u);

	return GENMASK_ULL(63, bits);
}

/* MTRR memory types: UC, WC, WT, WP, WB ("Memory Types That Can Be Encoded in MTRRs"). */
static bool mtrr_type_valid(u8 type)
{
	return type == MSRA_TYPE_UC || type == MSRA_TYPE_WC ||
	       type == MSRA_TYPE_WT || type == MSRA_TYPE_WP ||
	       type == MSRA_TYPE_WB;
}

/* A PAT value is eight memory types, each one of 0, 1, 4, 5, 6, 7 ("IA32_PAT MSR"). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (!mtrr_type_valid(type) && type != MSRA_TYPE_UC_MINUS)
			return false;
	}
	return true;
}

/* Fixed-range MTRRs: eight types a register ("Fixed Range MTRRs"). */
static bool mtrr_fixed_valid(u64 value)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!mtrr_type_valid(value >> (i * 8)))
			return false;
	return true;
}

/* IA32_MTRRCAP: eight variable ranges, fixed ranges, write-combining; no SMRR. */
#define VCPU_MTRRCAP	(VCPU_NR_VAR_MTRRS | MSRA_MTRRCAP_FIX | MSRA_MTRRCAP_WC)

static bool mtrr_def_type_valid(u64 value)
{
	if (value & ~(MSRA_MTRR_DEF_TYPE_MASK | MSRA_MTRR_DEF_FE | MSRA_MTRR_DEF_E))
		return false;
	return mtrr_type_valid(value & MSRA_MTRR_DEF_TYPE_MASK);
}

/* PHYSBASEn: type, base; PHYSMASKn: valid, mask ("Variable Range MTRRs"). */
static bool mtrr_var_valid(struct vmxlab_vcpu *vcpu, unsigned int n, u64 value)
{
	u64 reserved = above_maxphyaddr(vcpu);

	if (n % 2)
		return !(value & (reserved | GENMASK_ULL(10, 0)));
	if (value & (reserved | GENMASK_ULL(11, 8)))
		return false;
	return mtrr_type_valid(value & MSRA_MTRR_PHYS_TYPE_MASK);
}

/* Which fixed-range MTRR @index is, or -1. */
static int mtrr_fixed_slot(u32 index)
{
	switch (index) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
		return 1;
	case MSR_MTRRfix16K_A0000:
		return 2;
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return 3 + index - MSR_MTRRfix4K_C0000;
	default:
		return -1;
	}
}

static bool is_var_mtrr(u32 index)
{
	return index >= MSRA_MTRR_PHYSBASE0 &&
	       index < MSRA_MTRR_PHYSBASE0 + 2 * VCPU_NR_VAR_MTRRS;
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
	u64 base = GENMASK_ULL(63, 12) & ~above_maxphyaddr(vcpu);
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

/* The guest has TSC_AUX when its CPUID offers RDTSCP or RDPID (both need "enable RDTSCP"). */
static bool tsc_aux_exists(struct vmxlab_vcpu *vcpu, bool host)
{
	const struct kvm_cpuid_entry2 *ext, *l7;

	if (!have_tsc_aux())
		return false;
	if (host)
		return true;
	ext = cpuid_cache_find(vcpu->cpuid, 0x80000001, 0);
	l7 = cpuid_cache_find(vcpu->cpuid, 7, 0);
	return (ext && (ext->edx & MSRA_CPUID_80000001_EDX_RDTSCP)) ||
	       (l7 && (l7->ecx & MSRA_CPUID_7_0_ECX_RDPID));
}

/*
 * Machine-check architecture (SDM Vol. 3B, "Machine-Check MSRs"):
 * IA32_MCG_CAP is what user space set with KVM_X86_SETUP_MCE (KVM API
 * documentation), 0 until then: no banks and no IA32_MCG_CTL, as before.
 * After it, IA32_MCG_CTL exists with MCG_CTL_P, and each bank's four MSRs
 * from 400H.  No machine check is ever delivered to a guest
 * (exits/handlers.c): the banks hold what was written, nothing else.
 */
int vcpu_msrs_setup_mce(struct vmxlab_vcpu *vcpu, u64 mcg_cap)
{
	struct vcpu_msrs *m = &vcpu->msrs;
	unsigned int banks = mcg_cap & MCG_BANKCNT_MASK, i;

	if (!banks || banks > VCPU_MCE_BANKS ||
	    (mcg_cap & ~(VMXLAB_MCG_CAP_SUPPORTED | MCG_BANKCNT_MASK)))
		return -EINVAL;
	m->mcg_cap = mcg_cap;
	/* All 1s: every error reported, the state after reset. */
	m->mcg_ctl = mcg_cap & MCG_CTL_P ? ~0ULL : 0;
	memset(m->mce_banks, 0, sizeof(m->mce_banks));
	for (i = 0; i < banks; i++)
		m->mce_banks[i * VCPU_MCE_BANK_MSRS] = ~0ULL;
	return 0;
}

/* The bank MSR @index is, as an index into mce_banks[], or -1. */
static int mce_bank_slot(struct vmxlab_vcpu *vcpu, u32 index)
{
	unsigned int n = (vcpu->msrs.mcg_cap & MCG_BANKCNT_MASK) * VCPU_MCE_BANK_MSRS;

	if (index < MSR_IA32_MC0_CTL || index >= MSR_IA32_MC0_CTL + n)
		return -1;
	return array_index_nospec(index - MSR_IA32_MC0_CTL, n);
}

/*
 * IA32_MCG_CTL: all 1s enables every feature, all 0s none, other values
 * are undefined ("IA32_MCG_CTL MSR"): refused.  Without MCG_CTL_P the
 * MSR does not exist; a VMM may still restore the 0 it read.
 */
static int set_mcg_ctl(struct vmxlab_vcpu *vcpu, u64 value, bool host)
{
	if (!(vcpu->msrs.mcg_cap & MCG_CTL_P))
		return host && !value ? 0 : -EINVAL;
	if (value && value != ~0ULL)
		return -EINVAL;
	vcpu->msrs.mcg_ctl = value;
	return 0;
}

/*
 * A bank's MSR.  IA32_MCi_CTL: all 1s or all 0s ("IA32_MCi_CTL MSRs": P6
 * family processors allow only those, other values are undefined).
 * IA32_MCi_STATUS: software may only clear it, a non-zero write raises
 * #GP ("IA32_MCi_STATUS MSRs"); the host restores any value.
 */
static int set_mce_bank(struct vmxlab_vcpu *vcpu, int slot, u64 value, bool host)
{
	switch (slot % VCPU_MCE_BANK_MSRS) {
	case 0:
		if (value && value != ~0ULL)
			return -EINVAL;
		break;
	case 1:
		if (value && !host)
			return -EINVAL;
		break;
	}
	vcpu->msrs.mce_banks[slot] = value;
	return 0;
}

/* The kvmclock MSRs, which vmxlab does not offer (MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME). */
#define MSR_KVMCLOCK_WALL	0x11
#define MSR_KVMCLOCK_SYSTEM	0x12

static int get_mtrr(struct vmxlab_vcpu *vcpu, u32 index, u64 *value)
{
	int slot = mtrr_fixed_slot(index);

	if (index == MSR_MTRRcap)
		*value = VCPU_MTRRCAP;
	else if (index == MSR_MTRRdefType)
		*value = vcpu->msrs.mtrr_def_type;
	else if (slot >= 0)
		*value = vcpu->msrs.mtrr_fixed[slot];
	else if (is_var_mtrr(index))
		*value = vcpu->msrs.mtrr_var[index - MSRA_MTRR_PHYSBASE0];
	else
		return -EINVAL;
	return 0;
}

static int set_mtrr(struct vmxlab_vcpu *vcpu, u32 index, u64 value)
{
	int slot = mtrr_fixed_slot(index);

	if (index == MSR_MTRRdefType && mtrr_def_type_valid(value))
		vcpu->msrs.mtrr_def_type = value;
	else if (slot >= 0 && mtrr_fixed_valid(value))
		vcpu->msrs.mtrr_fixed[slot] = value;
	else if (is_var_mtrr(index) &&
		 mtrr_var_valid(vcpu, index - MSRA_MTRR_PHYSBASE0, value))
		vcpu->msrs.mtrr_var[index - MSRA_MTRR_PHYSBASE0] = value;
	else
		return -EINVAL;
	return 0;
}

/*
 * 0 and *value, or -EINVAL for an MSR the vCPU does not have.  The VMCS
 * is current (a vCPU ioctl or the run loop).
 */
int vcpu_get_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 *value, bool host)
{
	int slot;

	switch (index) {
	case MSR_EFER:
		*value = vcpu->efer;
		return 0;
	case MSR_STAR:
		*value = vcpu->msrs.guest[VCPU_MSR_STAR];
		return 0;
	case MSR_LSTAR:
		*value = vcpu->msrs.guest[VCPU_MSR_LSTAR];
		return 0;
	case MSR_CSTAR:
		*value = vcpu->msrs.guest[VCPU_MSR_CSTAR];
		return 0;
	case MSR_SYSCALL_MASK:
		*value = vcpu->msrs.guest[VCPU_MSR_FMASK];
		return 0;
	case MSR_TSC_AUX:
		if (!tsc_aux_exists(vcpu, host))
			return -EINVAL;
		*value = vcpu->msrs.guest[VCPU_MSR_TSC_AUX];
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
		/* The guest's value is in the MSR while its state is loaded. */
		if (vcpu->guest_state_loaded)
			rdmsrl(MSR_KERNEL_GS_BASE, *value);
		else
			*value = vcpu->kernel_gs_base;
		return 0;
	case MSR_IA32_TSC:
		*value = rdtsc() + vcpu->tsc_offset;
		return 0;
	case MSR_IA32_APICBASE:
		*value = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*value = vcpu->msrs.misc_enable;
		return 0;
	case MSR_IA32_UCODE_REV:
		*value = vcpu->msrs.ucode_rev;
		return 0;
	case MSR_IA32_MCG_CAP:
		*value = vcpu->msrs.mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*value = vcpu->msrs.mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(vcpu->msrs.mcg_cap & MCG_CTL_P) && !host)
			return -EINVAL;
		*value = vcpu->msrs.mcg_ctl;
		return 0;
	case MSR_KVMCLOCK_WALL:
	case MSR_KVMCLOCK_SYSTEM:
		if (!host)
			return -EINVAL;
		*value = 0;
		return 0;
	default:
		slot = mce_bank_slot(vcpu, index);
		if (slot >= 0) {
			*value = vcpu->msrs.mce_banks[slot];
			return 0;
		}
		return get_mtrr(vcpu, index, value);
	}
}

static int set_base_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 value)
{
	if (!is_canonical(value))
		return -EINVAL;
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
		if (vcpu->guest_state_loaded)
			wrmsrl(MSR_KERNEL_GS_BASE, value);
		else
			vcpu->kernel_gs_base = value;
		break;
	case MSR_LSTAR:
		set_switched(vcpu, VCPU_MSR_LSTAR, value);
		break;
	case MSR_CSTAR:
		set_switched(vcpu, VCPU_MSR_CSTAR, value);
		break;
	}
	return 0;
}

static int set_misc_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 value, bool host)
{
	int slot;

	switch (index) {
	case MSR_IA32_MISC_ENABLE:
		if (!misc_enable_valid(vcpu, value, host))
			return -EINVAL;
		vcpu->msrs.misc_enable = value;
		return 0;
	case MSR_IA32_UCODE_REV:
		/* A guest writes 0 before CPUID to read the revision ("Microcode Update Loader"). */
		if (host)
			vcpu->msrs.ucode_rev = value;
		return 0;
	case MSR_IA32_MCG_CAP:
		/* Read-only ("IA32_MCG_CAP MSR"); a VMM may restore the value it read. */
		return host && value == vcpu->msrs.mcg_cap ? 0 : -EINVAL;
	case MSR_IA32_MCG_CTL:
		return set_mcg_ctl(vcpu, value, host);
	case MSR_IA32_MCG_STATUS:
		/* Software clears it; the host restores RIPV, EIPV, MCIP, LMCE_S. */
		if (value & ~(host ? MCG_STATUS_RIPV | MCG_STATUS_EIPV |
				     MCG_STATUS_MCIP | MCG_STATUS_LMCES : 0))
			return -EINVAL;
		vcpu->msrs.mcg_status = value;
		return 0;
	case MSR_KVMCLOCK_WALL:
	case MSR_KVMCLOCK_SYSTEM:
		/* VMMs save and restore them unconditionally: only "off" is accepted. */
		return host && !value ? 0 : -EINVAL;
	case MSR_MTRRcap:
		/* Read-only; a VMM may restore the value it read. */
		return host && value == VCPU_MTRRCAP ? 0 : -EINVAL;
	default:
		slot = mce_bank_slot(vcpu, index);
		if (slot >= 0)
			return set_mce_bank(vcpu, slot, value, host);
		return set_mtrr(vcpu, index, value);
	}
}

/* 0, or -EINVAL for an MSR the vCPU does not have or a value it refuses. */
int vcpu_set_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 value, bool host)
{
	switch (index) {
	case MSR_EFER:
		if (!efer_valid(vcpu, value))
			return -EINVAL;
		/* LMA is the processor's to set: keep the current one. */
		vmcs_set_efer(vcpu, (value & ~EFER_LMA) | (vcpu->efer & EFER_LMA));
		return 0;
	case MSR_STAR:
		set_switched(vcpu, VCPU_MSR_STAR, value);
		return 0;
	case MSR_SYSCALL_MASK:
		if (value & ~MSRA_FMASK_MASK)
			return -EINVAL;
		set_switched(vcpu, VCPU_MSR_FMASK, value);
		return 0;
	case MSR_TSC_AUX:
		if (!tsc_aux_exists(vcpu, host) || (value & ~MSRA_TSC_AUX_MASK))
			return -EINVAL;
		set_switched(vcpu, VCPU_MSR_TSC_AUX, value);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(value))
			return -EINVAL;
		vmcs_write64(VMCS_GUEST_IA32_PAT, value);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(VMCS_GUEST_SYSENTER_CS, value);
		return 0;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		return set_base_msr(vcpu, index, value);
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
		return set_misc_msr(vcpu, index, value, host);
	}
}

/*
 * KVM_GET_MSR_INDEX_LIST: every MSR KVM_GET_MSRS and KVM_SET_MSRS take,
 * the state a VMM saves and restores (the kvmclock pair, only ever off,
 * is left out, and so are the machine-check banks, whose number is each
 * vCPU's: KVM API documentation, "KVM_GET_MSR_INDEX_LIST").  TSC_AUX
 * last: listed only when the CPU has it.
 */
static const u32 msr_index_list[] = {
	MSR_IA32_TSC, MSR_IA32_APICBASE, MSR_IA32_UCODE_REV, MSR_MTRRcap,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL, MSR_IA32_MISC_ENABLE,
	MSRA_MTRR_PHYSBASE0 + 0, MSRA_MTRR_PHYSBASE0 + 1,
	MSRA_MTRR_PHYSBASE0 + 2, MSRA_MTRR_PHYSBASE0 + 3,
	MSRA_MTRR_PHYSBASE0 + 4, MSRA_MTRR_PHYSBASE0 + 5,
	MSRA_MTRR_PHYSBASE0 + 6, MSRA_MTRR_PHYSBASE0 + 7,
	MSRA_MTRR_PHYSBASE0 + 8, MSRA_MTRR_PHYSBASE0 + 9,
	MSRA_MTRR_PHYSBASE0 + 10, MSRA_MTRR_PHYSBASE0 + 11,
	MSRA_MTRR_PHYSBASE0 + 12, MSRA_MTRR_PHYSBASE0 + 13,
	MSRA_MTRR_PHYSBASE0 + 14, MSRA_MTRR_PHYSBASE0 + 15,
	MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
	MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
	MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000,
	MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
	MSR_IA32_CR_PAT, MSR_MTRRdefType,
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_TSC_AUX,
};

static_assert(ARRAY_SIZE(msr_index_list) <= VMXLAB_MSR_LIST_MAX);

/* The index list into @out (VMXLAB_MSR_LIST_MAX entries); returns its length. */
unsigned int vmxlab_msr_index_list(u32 *out)
{
	unsigned int n = ARRAY_SIZE(msr_index_list) - !have_tsc_aux();

	memcpy(out, msr_index_list, n * sizeof(*out));
	return n;
}

/* MSR bitmap bits: reads of 0..1FFFH, reads of C0000000H.., then the writes ("MSR-Bitmap Address"). */
static void msr_bitmap_pass(void *bitmap, u32 index)
{
	unsigned long *map = bitmap;
	unsigned int high = index >= 0xc0000000 ? 1024 * 8 : 0;
	unsigned int bit = (index & 0x1fff) + high;

	__clear_bit(bit, map);			/* read */
	__clear_bit(bit + 2048 * 8, map);	/* write */
}

/*
 * MSRs the guest reads and writes without an exit: those the VMCS
 * switches itself (FS/GS base through the segment registers, SYSENTER_*:
 * "Saving MSRs", "Loading MSRs") and KERNEL_GS_BASE, whose guest value
 * the hardware holds while the guest state is loaded (SWAPGS exchanges it
 * without an exit anyway).  The CPU's WRMSR refuses a non-canonical base
 * with #GP itself.  Linux guests write these on every context switch.
 */
void vmxlab_msr_bitmap_init(void *bitmap)
{
	msr_bitmap_pass(bitmap, MSR_FS_BASE);
	msr_bitmap_pass(bitmap, MSR_GS_BASE);
	msr_bitmap_pass(bitmap, MSR_KERNEL_GS_BASE);
	msr_bitmap_pass(bitmap, MSR_IA32_SYSENTER_CS);
	msr_bitmap_pass(bitmap, MSR_IA32_SYSENTER_ESP);
	msr_bitmap_pass(bitmap, MSR_IA32_SYSENTER_EIP);
}
