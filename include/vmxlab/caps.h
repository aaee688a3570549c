/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX capability decisions: pure logic over the capability MSRs.
 *
 * No hardware access here: the module reads the MSRs into a struct
 * vmxlab_caps and calls vmx_caps_decide(); the tool and the host unit tests
 * call the same code on values they are given.
 */
#ifndef VMXLAB_CAPS_H
#define VMXLAB_CAPS_H

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

/* One thing vmxlab needs from the CPU, with where to look and what to do. */
struct vmx_requirement {
	const char *name;	/* short, e.g. "EPT with 4-level page walk" */
	const char *where;	/* the MSR and bit that tell */
	const char *sdm;	/* the SDM section that defines it */
	const char *fix;	/* what a user can do about it */
};

extern const struct vmx_requirement vmx_requirements[VMXLAB_NR_REQUIREMENTS];

/* Fill controls[], true_controls, ept_vpid_required and unmet from msr[]. */
void vmx_caps_decide(struct vmxlab_caps *caps);

/*
 * The control MSR that governs @set: a TRUE_* MSR when IA32_VMX_BASIC[55]
 * says so and the CPU reports it; VMXLAB_NR_CAP_MSRS when there is none.
 */
enum vmxlab_cap_msr vmx_control_msr_id(const struct vmxlab_caps *caps,
				       enum vmxlab_control_set set);
/* Its value; 0 (nothing allowed) when the CPU reports none. */
u64 vmx_control_msr(const struct vmxlab_caps *caps, enum vmxlab_control_set set);

void vmx_choose_controls(u64 cap_msr, u32 required, u32 optional,
			 struct vmxlab_control_choice *choice);

/* What a control MSR allows for one bit (SDM Vol. 3D, A.3-A.5). */
enum vmx_bit_setting {
	VMX_BIT_FIXED_0,	/* must be 0 */
	VMX_BIT_FIXED_1,	/* must be 1 */
	VMX_BIT_FLEXIBLE,	/* may be 0 or 1 */
};

enum vmx_bit_setting vmx_control_bit_setting(u64 cap_msr, unsigned int bit);

/* CR0/CR4 fixed bits (SDM Vol. 3D, A.7 and A.8). */
u64 vmx_fixed_bits_violations(u64 value, u64 fixed0, u64 fixed1);

/* IA32_VMX_BASIC and IA32_VMX_MISC fields. */
u32 vmx_basic_revision(u64 basic);
u32 vmx_basic_region_size(u64 basic);
u32 vmx_basic_memtype(u64 basic);
u32 vmx_misc_preempt_timer_rate(u64 misc);
u32 vmx_misc_cr3_targets(u64 misc);
u32 vmx_misc_max_msr_list(u64 misc);
u32 vmx_misc_mseg_revision(u64 misc);
u32 vmx_vmcs_enum_max_index(u64 vmcs_enum);

static inline bool vmx_caps_has(const struct vmxlab_caps *caps,
				enum vmxlab_cap_msr msr)
{
	return caps->msr_valid & BIT_ULL(msr);
}

#endif /* VMXLAB_CAPS_H */
