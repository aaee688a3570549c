// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding helpers for the vmxlab tool (see decode.h).  The capability
 * logic itself lives in vmx/caps.c and the SDM names in vmx/names.c.
 */
#include "decode.h"

static bool allowed1(const struct vmxlab_caps *caps,
		     enum vmxlab_control_set set, u64 control)
{
	return (vmx_control_msr(caps, set) >> 32) & control;
}

/* Secondary controls count only when "activate secondary controls" may be 1. */
void vmx_features_get(const struct vmxlab_caps *caps, struct vmx_features *f)
{
	bool secondary = allowed1(caps, VMXLAB_CTLS_PROCBASED,
				  VMX_PROCCTL_SECONDARY_CTLS);

	f->ept = secondary &&
		 allowed1(caps, VMXLAB_CTLS_PROCBASED2, VMX_PROC2CTL_ENABLE_EPT);
	f->vpid = secondary &&
		  allowed1(caps, VMXLAB_CTLS_PROCBASED2, VMX_PROC2CTL_ENABLE_VPID);
	f->unrestricted_guest = secondary &&
		allowed1(caps, VMXLAB_CTLS_PROCBASED2, VMX_PROC2CTL_UNRESTRICTED_GUEST);
	f->preemption_timer = allowed1(caps, VMXLAB_CTLS_PINBASED,
				       VMX_PINCTL_PREEMPT_TIMER);
}

/* SDM Vol. 3D, A.1: only UC and WB are used; other values are unused. */
const char *memtype_name(u32 type)
{
	switch (type) {
	case VMX_MEMTYPE_UC:
		return "uncacheable (UC)";
	case VMX_MEMTYPE_WB:
		return "write-back (WB)";
	default:
		return "not used by the SDM";
	}
}

struct control_set_info {
	const char *key;
	enum vmxlab_cap_msr msr;
	enum vmxlab_cap_msr true_msr;	/* == msr when there is no TRUE MSR */
};

/* Must match the MSR choice of vmx_control_msr() in vmx/caps.c (asserted by make test). */
static const struct control_set_info control_sets[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = { "pinbased", VMXLAB_CAP_PINBASED, VMXLAB_CAP_TRUE_PINBASED },
	[VMXLAB_CTLS_PROCBASED] = { "procbased", VMXLAB_CAP_PROCBASED, VMXLAB_CAP_TRUE_PROCBASED },
	[VMXLAB_CTLS_PROCBASED2] = { "procbased2", VMXLAB_CAP_PROCBASED2, VMXLAB_CAP_PROCBASED2 },
	[VMXLAB_CTLS_EXIT] = { "exit", VMXLAB_CAP_EXIT, VMXLAB_CAP_TRUE_EXIT },
	[VMXLAB_CTLS_ENTRY] = { "entry", VMXLAB_CAP_ENTRY, VMXLAB_CAP_TRUE_ENTRY },
};

const char *control_set_key(enum vmxlab_control_set set)
{
	return control_sets[set].key;
}

enum vmxlab_cap_msr control_set_msr(const struct vmxlab_caps *caps,
				    enum vmxlab_control_set set)
{
	const struct control_set_info *info = &control_sets[set];
	bool true_msrs = vmx_caps_has(caps, VMXLAB_CAP_BASIC) &&
			 (caps->msr[VMXLAB_CAP_BASIC] & VMX_BASIC_TRUE_CONTROLS);

	if (true_msrs && info->true_msr != info->msr &&
	    vmx_caps_has(caps, info->true_msr))
		return info->true_msr;
	if (vmx_caps_has(caps, info->msr))
		return info->msr;
	return VMXLAB_NR_CAP_MSRS;
}

const char *bit_setting_text(enum vmx_bit_setting setting)
{
	switch (setting) {
	case VMX_BIT_FIXED_0:
		return "fixed to 0";
	case VMX_BIT_FIXED_1:
		return "fixed to 1";
	default:
		return "may be 0 or 1";
	}
}

const char *bit_setting_key(enum vmx_bit_setting setting)
{
	switch (setting) {
	case VMX_BIT_FIXED_0:
		return "fixed0";
	case VMX_BIT_FIXED_1:
		return "fixed1";
	default:
		return "flexible";
	}
}

void control_bit_decision(const struct vmxlab_control_choice *choice,
			  unsigned int bit, struct bit_decision *d)
{
	u32 mask = 1u << bit;

	d->required = choice->required & mask;
	d->optional = choice->optional & mask;
	d->value = choice->value & mask;
	d->forced_on = choice->forced_on & mask;
	d->dropped = choice->dropped & mask;
	d->missing = choice->missing & mask;
}

/* SDM Vol. 3D, A.7 and A.8: FIXED0 1 = must be 1; FIXED1 0 = must be 0. */
enum cr_bit_rule cr_bit_rule(u64 fixed0, u64 fixed1, unsigned int bit)
{
	if (fixed0 & BIT_ULL(bit))
		return CR_MUST_BE_1;
	if (!(fixed1 & BIT_ULL(bit)))
		return CR_MUST_BE_0;
	return CR_EITHER;
}

/* SDM Vol. 3A, "Control Registers". */
static const char *const cr0_names[64] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET",
	[5] = "NE", [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD",
	[31] = "PG",
};

static const char *const cr4_names[64] = {
	[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE",
	[5] = "PAE", [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR",
	[10] = "OSXMMEXCPT", [11] = "UMIP", [12] = "LA57", [13] = "VMXE",
	[14] = "SMXE", [16] = "FSGSBASE", [17] = "PCIDE", [18] = "OSXSAVE",
	[19] = "KL", [20] = "SMEP", [21] = "SMAP", [22] = "PKE", [23] = "CET",
	[24] = "PKS", [25] = "UINTR", [28] = "LAM_SUP",
};

const char *cr_bit_name(unsigned int cr, unsigned int bit)
{
	if (bit >= 64)
		return NULL;
	return cr == 0 ? cr0_names[bit] : cr4_names[bit];
}

u32 vmcs_enum_max_index(u64 vmcs_enum)
{
	return (vmcs_enum >> VMX_VMCS_ENUM_MAX_INDEX_SHIFT) &
	       VMX_VMCS_ENUM_MAX_INDEX_MASK;
}

u32 misc_mseg_revision(u64 misc)
{
	return misc >> VMX_MISC_MSEG_REVISION_SHIFT;
}
