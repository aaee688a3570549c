// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability decisions (SDM Vol. 3D, Appendix A "VMX Capability
 * Reporting Facility", and A.2 "Algorithms for Determining VMX
 * Capabilities").
 *
 * Pure logic, built into vmxlab.ko, the vmxlab tool and the host unit tests.
 */
#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>

/*
 * What vmxlab asks of each control set.  Required controls are what the
 * guest-running core depends on; optional ones are used when present.
 * Controls that vary per guest (e.g. "IA-32e mode guest") are set at
 * run time and are not listed here.
 */
struct vmx_control_policy {
	enum vmxlab_cap_msr msr;
	enum vmxlab_cap_msr true_msr;	/* == msr when there is no TRUE MSR */
	u32 required;
	u32 optional;
};

static const struct vmx_control_policy vmx_policies[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = {
		.msr = VMXLAB_CAP_PINBASED,
		.true_msr = VMXLAB_CAP_TRUE_PINBASED,
		/* Host interrupts and NMIs must reach the host, not the guest. */
		.required = VMX_PINCTL_EXT_INTR_EXITING | VMX_PINCTL_NMI_EXITING,
		/* Bounds a guest's run without relying on host interrupts. */
		.optional = VMX_PINCTL_VIRTUAL_NMIS | VMX_PINCTL_PREEMPT_TIMER,
	},
	[VMXLAB_CTLS_PROCBASED] = {
		.msr = VMXLAB_CAP_PROCBASED,
		.true_msr = VMXLAB_CAP_TRUE_PROCBASED,
		/*
		 * CR8 exiting: without it (and without the TPR shadow), a
		 * 64-bit guest's MOV to CR8 writes the physical local APIC's
		 * TPR ("Changes to Instruction Behavior in VMX Non-Root
		 * Operation"), which no VM exit restores: TPR 15 blocks the
		 * host CPU's timer and IPIs for good.  vmxlab emulates CR8.
		 * RDPMC exiting: the guest must not read the host's
		 * performance counters; it gets #GP (exits/cr_msr.c).
		 */
		/*
		 * MOV-DR exiting: the guest must not read the host's DR0-DR3
		 * and DR6 (vmx/debugregs.c emulates every MOV DR).
		 */
		.required = VMX_PROCCTL_HLT_EXITING |
			    VMX_PROCCTL_RDPMC_EXITING |
			    VMX_PROCCTL_CR8_LOAD_EXITING |
			    VMX_PROCCTL_MOV_DR_EXITING |
			    VMX_PROCCTL_CR8_STORE_EXITING |
			    VMX_PROCCTL_UNCOND_IO_EXITING |
			    VMX_PROCCTL_MSR_BITMAPS |
			    VMX_PROCCTL_SECONDARY_CTLS |
			    VMX_PROCCTL_TSC_OFFSETTING,
		/* MONITOR/MWAIT are hidden from guests: exit and inject #UD. */
		.optional = VMX_PROCCTL_MWAIT_EXITING |
			    VMX_PROCCTL_MONITOR_EXITING,
	},
	[VMXLAB_CTLS_PROCBASED2] = {
		.msr = VMXLAB_CAP_PROCBASED2,
		.true_msr = VMXLAB_CAP_PROCBASED2,
		/* Unrestricted guest runs real mode natively; it needs EPT. */
		.required = VMX_PROC2CTL_ENABLE_EPT | VMX_PROC2CTL_ENABLE_VPID |
			    VMX_PROC2CTL_UNRESTRICTED_GUEST,
		.optional = VMX_PROC2CTL_ENABLE_RDTSCP |
			    VMX_PROC2CTL_ENABLE_INVPCID |
			    VMX_PROC2CTL_WBINVD_EXITING,
	},
	[VMXLAB_CTLS_EXIT] = {
		.msr = VMXLAB_CAP_EXIT,
		.true_msr = VMXLAB_CAP_TRUE_EXIT,
		/*
		 * A 64-bit host; EFER, PAT and the guest's DR7 and
		 * IA32_DEBUGCTL switched by the CPU, not by code.
		 */
		.required = VMX_EXITCTL_HOST_ADDR_SPACE |
			    VMX_EXITCTL_SAVE_DEBUG_CTLS |
			    VMX_EXITCTL_SAVE_EFER | VMX_EXITCTL_LOAD_EFER |
			    VMX_EXITCTL_SAVE_PAT | VMX_EXITCTL_LOAD_PAT,
		/*
		 * Not "save VMX-preemption timer value": the timer restarts
		 * from the VMCS field at every entry, a per-entry time slice.
		 */
		.optional = 0,
	},
	[VMXLAB_CTLS_ENTRY] = {
		.msr = VMXLAB_CAP_ENTRY,
		.true_msr = VMXLAB_CAP_TRUE_ENTRY,
		.required = VMX_ENTRYCTL_LOAD_DEBUG_CTLS |
			    VMX_ENTRYCTL_LOAD_EFER | VMX_ENTRYCTL_LOAD_PAT,
		.optional = 0,
	},
};

static const enum vmxlab_requirement vmx_control_requirement[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = VMXLAB_REQ_PINBASED_CONTROLS,
	[VMXLAB_CTLS_PROCBASED] = VMXLAB_REQ_PROCBASED_CONTROLS,
	[VMXLAB_CTLS_PROCBASED2] = VMXLAB_REQ_PROCBASED2_CONTROLS,
	[VMXLAB_CTLS_EXIT] = VMXLAB_REQ_EXIT_CONTROLS,
	[VMXLAB_CTLS_ENTRY] = VMXLAB_REQ_ENTRY_CONTROLS,
};

#define VMX_FIX_NEWER_CPU \
	"vmxlab needs a newer VT-x implementation (Intel Nehalem or later; in a VM, a CPU model with EPT and unrestricted guest)"

const struct vmx_requirement vmx_requirements[VMXLAB_NR_REQUIREMENTS] = {
	[VMXLAB_REQ_VMCS_WRITE_BACK] = {
		.name = "VMCS memory type write-back",
		.where = "IA32_VMX_BASIC bits 53:50 = 6",
		.sdm = "Vol. 3D A.1 Basic VMX Information",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_VMCS_FITS_PAGE] = {
		.name = "VMCS region fits in one 4 KiB page",
		.where = "IA32_VMX_BASIC bits 44:32 <= 4096",
		.sdm = "Vol. 3D A.1 Basic VMX Information",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_FULL_PHYS_ADDR] = {
		.name = "VMX structures anywhere in physical memory",
		.where = "IA32_VMX_BASIC bit 48 = 0",
		.sdm = "Vol. 3D A.1 Basic VMX Information",
		.fix = "a CPU that limits VMX structures to 32-bit addresses is not 64-bit capable; use a 64-bit CPU",
	},
	[VMXLAB_REQ_PINBASED_CONTROLS] = {
		.name = "pin-based controls: external-interrupt and NMI exiting",
		.where = "IA32_VMX_(TRUE_)PINBASED_CTLS allowed-1 bits 0 and 3",
		.sdm = "Vol. 3C Pin-Based VM-Execution Controls",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_PROCBASED_CONTROLS] = {
		.name = "processor-based controls: HLT, RDPMC, CR8, MOV-DR and I/O exiting, MSR bitmaps, secondary controls",
		.where = "IA32_VMX_(TRUE_)PROCBASED_CTLS allowed-1 bits 7, 11, 19, 20, 23, 24, 28, 31",
		.sdm = "Vol. 3C Processor-Based VM-Execution Controls",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_PROCBASED2_CONTROLS] = {
		.name = "secondary controls: EPT, VPID and unrestricted guest",
		.where = "IA32_VMX_PROCBASED_CTLS2 allowed-1 bits 1, 5, 7",
		.sdm = "Vol. 3C Processor-Based VM-Execution Controls",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_EXIT_CONTROLS] = {
		.name = "VM-exit controls: 64-bit host, save debug controls, save/load EFER and PAT",
		.where = "IA32_VMX_(TRUE_)EXIT_CTLS allowed-1 bits 2, 9, 18-21",
		.sdm = "Vol. 3C Primary VM-Exit Controls",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_ENTRY_CONTROLS] = {
		.name = "VM-entry controls: load debug controls, EFER and PAT",
		.where = "IA32_VMX_(TRUE_)ENTRY_CTLS allowed-1 bits 2, 14, 15",
		.sdm = "Vol. 3C VM-Entry Controls",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_EPT_4_LEVEL] = {
		.name = "EPT with a 4-level page walk",
		.where = "IA32_VMX_EPT_VPID_CAP bit 6",
		.sdm = "Vol. 3D A.10 VPID and EPT Capabilities",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_EPT_WRITE_BACK] = {
		.name = "EPT paging structures in write-back memory",
		.where = "IA32_VMX_EPT_VPID_CAP bit 14",
		.sdm = "Vol. 3D A.10 VPID and EPT Capabilities",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_INVEPT_SINGLE] = {
		.name = "INVEPT, single-context",
		.where = "IA32_VMX_EPT_VPID_CAP bits 20 and 25",
		.sdm = "Vol. 3D A.10 VPID and EPT Capabilities",
		.fix = VMX_FIX_NEWER_CPU,
	},
	[VMXLAB_REQ_INVVPID_SINGLE] = {
		.name = "INVVPID, single-context",
		.where = "IA32_VMX_EPT_VPID_CAP bits 32 and 41",
		.sdm = "Vol. 3D A.10 VPID and EPT Capabilities",
		.fix = VMX_FIX_NEWER_CPU,
	},
};

/* The EPT/VPID capability bits behind the last four requirements. */
static const u64 vmx_ept_vpid_needs[VMXLAB_NR_REQUIREMENTS] = {
	[VMXLAB_REQ_EPT_4_LEVEL] = VMX_EPT_WALK_LENGTH_4,
	[VMXLAB_REQ_EPT_WRITE_BACK] = VMX_EPT_MEMTYPE_WB,
	[VMXLAB_REQ_INVEPT_SINGLE] = VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE_CONTEXT,
	[VMXLAB_REQ_INVVPID_SINGLE] = VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE_CONTEXT,
};

u32 vmx_basic_revision(u64 basic)
{
	return basic & VMX_BASIC_REVISION_MASK;
}

u32 vmx_basic_region_size(u64 basic)
{
	return (basic >> VMX_BASIC_REGION_SIZE_SHIFT) & VMX_BASIC_REGION_SIZE_MASK;
}

u32 vmx_basic_memtype(u64 basic)
{
	return (basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK;
}

/* The preemption timer counts down once every 2^rate TSC ticks (A.6). */
u32 vmx_misc_preempt_timer_rate(u64 misc)
{
	return misc & VMX_MISC_PREEMPT_RATE_MASK;
}

u32 vmx_misc_cr3_targets(u64 misc)
{
	return (misc >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK;
}

/* "If N is the value of bits 27:25, 512 * (N + 1) is the maximum" (A.6). */
u32 vmx_misc_max_msr_list(u64 misc)
{
	return 512 * (((misc >> VMX_MISC_MSR_LIST_SHIFT) & VMX_MISC_MSR_LIST_MASK) + 1);
}

/* The MSEG revision identifier, for the dual-monitor treatment of SMM (A.6). */
u32 vmx_misc_mseg_revision(u64 misc)
{
	return misc >> VMX_MISC_MSEG_REVISION_SHIFT;
}

/* The highest index used in any VMCS field encoding (A.9). */
u32 vmx_vmcs_enum_max_index(u64 vmcs_enum)
{
	return (vmcs_enum >> VMX_VMCS_ENUM_MAX_INDEX_SHIFT) &
	       VMX_VMCS_ENUM_MAX_INDEX_MASK;
}

/*
 * Bits 31:0 of a control MSR are the allowed 0-settings (a 1 there means
 * the control must be 1); bits 63:32 are the allowed 1-settings (a 0 there
 * means the control must be 0).  SDM Vol. 3D, A.3.1.
 */
enum vmx_bit_setting vmx_control_bit_setting(u64 cap_msr, unsigned int bit)
{
	u32 allowed0 = (u32)cap_msr;
	u32 allowed1 = (u32)(cap_msr >> 32);

	if (allowed0 & (1u << bit))
		return VMX_BIT_FIXED_1;
	if (!(allowed1 & (1u << bit)))
		return VMX_BIT_FIXED_0;
	return VMX_BIT_FLEXIBLE;
}

void vmx_choose_controls(u64 cap_msr, u32 required, u32 optional,
			 struct vmxlab_control_choice *choice)
{
	u32 allowed0 = (u32)cap_msr;
	u32 allowed1 = (u32)(cap_msr >> 32);
	u32 wanted = required | optional;

	choice->required = required;
	choice->optional = optional;
	choice->missing = required & ~allowed1;
	choice->dropped = optional & ~allowed1;
	choice->value = (wanted & allowed1) | allowed0;
	choice->forced_on = allowed0 & ~wanted;
	choice->pad[0] = 0;
	choice->pad[1] = 0;
}

/*
 * SDM Vol. 3D, A.2: when IA32_VMX_BASIC[55] is 1, the TRUE_* MSRs report
 * which default-1 controls may in fact be 0, and software should use them.
 * A missing MSR (e.g. PROCBASED2 on a CPU without secondary controls)
 * reads as 0: nothing allowed.
 */
static bool vmx_uses_true_msr(const struct vmxlab_caps *caps,
			      enum vmxlab_control_set set)
{
	const struct vmx_control_policy *policy = &vmx_policies[set];

	return vmx_caps_has(caps, VMXLAB_CAP_BASIC) &&
	       (caps->msr[VMXLAB_CAP_BASIC] & VMX_BASIC_TRUE_CONTROLS) &&
	       policy->true_msr != policy->msr &&
	       vmx_caps_has(caps, policy->true_msr);
}

enum vmxlab_cap_msr vmx_control_msr_id(const struct vmxlab_caps *caps,
				       enum vmxlab_control_set set)
{
	const struct vmx_control_policy *policy = &vmx_policies[set];

	if (vmx_uses_true_msr(caps, set))
		return policy->true_msr;
	if (vmx_caps_has(caps, policy->msr))
		return policy->msr;
	return VMXLAB_NR_CAP_MSRS;
}

u64 vmx_control_msr(const struct vmxlab_caps *caps, enum vmxlab_control_set set)
{
	enum vmxlab_cap_msr msr = vmx_control_msr_id(caps, set);

	return msr < VMXLAB_NR_CAP_MSRS ? caps->msr[msr] : 0;
}

/*
 * CR0 and CR4 in VMX operation (SDM Vol. 3C, "VMX-Fixed Bits in CR0 and
 * CR4"; Vol. 3D A.7, A.8): a bit set in FIXED0 must be 1, a bit clear in
 * FIXED1 must be 0.  Returns the bits of @value that break the rule.
 */
u64 vmx_fixed_bits_violations(u64 value, u64 fixed0, u64 fixed1)
{
	return (~value & fixed0) | (value & ~fixed1);
}

static u64 vmx_basic_unmet(u64 basic)
{
	u64 unmet = 0;

	if (vmx_basic_memtype(basic) != VMX_MEMTYPE_WB)
		unmet |= BIT_ULL(VMXLAB_REQ_VMCS_WRITE_BACK);
	/* A size of 0 is no size the SDM allows: treat it as unusable. */
	if (vmx_basic_region_size(basic) == 0 ||
	    vmx_basic_region_size(basic) > 4096)
		unmet |= BIT_ULL(VMXLAB_REQ_VMCS_FITS_PAGE);
	if (basic & VMX_BASIC_PA_32BIT)
		unmet |= BIT_ULL(VMXLAB_REQ_FULL_PHYS_ADDR);
	return unmet;
}

static u64 vmx_ept_vpid_unmet(u64 ept_vpid_cap)
{
	u64 unmet = 0;
	unsigned int req;

	for (req = 0; req < VMXLAB_NR_REQUIREMENTS; req++) {
		u64 need = vmx_ept_vpid_needs[req];

		if (need && (ept_vpid_cap & need) != need)
			unmet |= BIT_ULL(req);
	}
	return unmet;
}

static u64 vmx_ept_vpid_required(void)
{
	u64 all = 0;
	unsigned int req;

	for (req = 0; req < VMXLAB_NR_REQUIREMENTS; req++)
		all |= vmx_ept_vpid_needs[req];
	return all;
}

void vmx_caps_decide(struct vmxlab_caps *caps)
{
	u64 basic = caps->msr[VMXLAB_CAP_BASIC];
	u64 ept_vpid = 0;
	unsigned int set;

	caps->true_controls = 0;
	caps->unmet = vmx_basic_unmet(basic);

	for (set = 0; set < VMXLAB_NR_CONTROL_SETS; set++) {
		struct vmxlab_control_choice *choice = &caps->controls[set];

		if (vmx_uses_true_msr(caps, set))
			caps->true_controls = 1;

		vmx_choose_controls(vmx_control_msr(caps, set),
				    vmx_policies[set].required,
				    vmx_policies[set].optional, choice);
		if (choice->missing)
			caps->unmet |= BIT_ULL(vmx_control_requirement[set]);
	}

	if (vmx_caps_has(caps, VMXLAB_CAP_EPT_VPID))
		ept_vpid = caps->msr[VMXLAB_CAP_EPT_VPID];
	caps->ept_vpid_required = vmx_ept_vpid_required();
	caps->unmet |= vmx_ept_vpid_unmet(ept_vpid);
}
