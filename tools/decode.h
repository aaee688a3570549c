/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding helpers the tool needs beyond vmx/caps.c and vmx/names.c:
 * presentation words, CR bit names and the features summary.
 */
#ifndef VMXLAB_DECODE_H
#define VMXLAB_DECODE_H

#include <vmxlab/caps.h>
#include <vmxlab/names.h>
#include <vmxlab/vmx_arch.h>

/* The features the summary reports, from the allowed-1 settings. */
struct vmx_features {
	bool ept;
	bool vpid;
	bool unrestricted_guest;
	bool preemption_timer;
};

void vmx_features_get(const struct vmxlab_caps *caps, struct vmx_features *f);

/* Short key for a control set: "pinbased", "procbased", ... */
const char *control_set_key(enum vmxlab_control_set set);

/* "may be 0 or 1", "fixed to 0", "fixed to 1". */
const char *bit_setting_text(enum vmx_bit_setting setting);
/* "flexible", "fixed0", "fixed1" (JSON). */
const char *bit_setting_key(enum vmx_bit_setting setting);

/* vmxlab's decision about one bit of a control set. */
struct bit_decision {
	bool required;
	bool optional;
	bool value;		/* what vmxlab programs */
	bool forced_on;
	bool dropped;
	bool missing;
};

void control_bit_decision(const struct vmxlab_control_choice *choice,
			  unsigned int bit, struct bit_decision *d);

/* CR0/CR4 in VMX operation: what IA32_VMX_CRn_FIXED0/1 say of @bit. */
enum cr_bit_rule {
	CR_MUST_BE_1,
	CR_MUST_BE_0,
	CR_EITHER,
};

enum cr_bit_rule cr_bit_rule(u64 fixed0, u64 fixed1, unsigned int bit);

#endif /* VMXLAB_DECODE_H */
