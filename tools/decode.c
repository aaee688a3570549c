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

static const char *const control_set_keys[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = "pinbased",
	[VMXLAB_CTLS_PROCBASED] = "procbased",
	[VMXLAB_CTLS_PROCBASED2] = "procbased2",
	[VMXLAB_CTLS_EXIT] = "exit",
	[VMXLAB_CTLS_ENTRY] = "entry",
};

const char *control_set_key(enum vmxlab_control_set set)
{
	return control_set_keys[set];
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
