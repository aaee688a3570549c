// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab info --json: the same decoding as the text output, as one JSON
 * object.  64-bit values are hex strings ("0x..."), never numbers.
 */
#include "decode.h"
#include "info.h"
#include "json.h"

static void json_msrs(struct json *j, const struct vmxlab_caps *caps)
{
	unsigned int msr;

	json_object_begin(j, "msrs");
	for (msr = 0; msr < VMXLAB_NR_CAP_MSRS; msr++) {
		if (vmx_caps_has(caps, msr))
			json_hex(j, vmx_cap_msr_name(msr), caps->msr[msr], 16);
		else
			json_null(j, vmx_cap_msr_name(msr));
	}
	json_object_end(j);
}

static void json_feature_control(struct json *j, const struct vmxlab_caps *caps)
{
	u64 value = caps->msr[VMXLAB_CAP_FEATURE_CONTROL];

	if (!vmx_caps_has(caps, VMXLAB_CAP_FEATURE_CONTROL)) {
		json_null(j, "feature_control");
		return;
	}
	json_object_begin(j, "feature_control");
	json_bool(j, "locked", value & VMX_FEATCTL_LOCK);
	json_bool(j, "vmx_inside_smx", value & VMX_FEATCTL_VMX_INSIDE_SMX);
	json_bool(j, "vmx_outside_smx", value & VMX_FEATCTL_VMX_OUTSIDE_SMX);
	json_object_end(j);
}

static void json_basic(struct json *j, const struct vmxlab_caps *caps)
{
	u64 basic = caps->msr[VMXLAB_CAP_BASIC];

	if (!vmx_caps_has(caps, VMXLAB_CAP_BASIC)) {
		json_null(j, "basic");
		return;
	}
	json_object_begin(j, "basic");
	json_uint(j, "revision_id", vmx_basic_revision(basic));
	json_uint(j, "vmcs_region_size", vmx_basic_region_size(basic));
	json_uint(j, "memory_type", vmx_basic_memtype(basic));
	json_string(j, "memory_type_name", vmx_memtype_name(vmx_basic_memtype(basic)));
	json_bool(j, "phys_addr_32bit", basic & VMX_BASIC_PA_32BIT);
	json_bool(j, "dual_monitor_smm", basic & VMX_BASIC_DUAL_MONITOR);
	json_bool(j, "ins_outs_info", basic & VMX_BASIC_INOUT_INFO);
	json_bool(j, "true_controls", basic & VMX_BASIC_TRUE_CONTROLS);
	json_bool(j, "no_hw_errcode_check", basic & VMX_BASIC_NO_HW_ERRCODE_CHECK);
	json_object_end(j);
}

static void json_control_bit(struct json *j, const struct vmxlab_caps *caps,
			     enum vmxlab_control_set set, unsigned int bit)
{
	u64 cap = vmx_control_msr(caps, set);
	struct bit_decision d;

	control_bit_decision(&caps->controls[set], bit, &d);
	json_object_begin(j, NULL);
	json_uint(j, "bit", bit);
	json_string(j, "name", vmx_bit_name(&vmx_control_tables[set], bit));
	json_string(j, "allowed", bit_setting_key(vmx_control_bit_setting(cap, bit)));
	json_bool(j, "required", d.required);
	json_bool(j, "optional", d.optional);
	json_uint(j, "value", d.value);
	json_bool(j, "forced_on", d.forced_on);
	json_bool(j, "dropped", d.dropped);
	json_bool(j, "missing", d.missing);
	json_object_end(j);
}

static void json_control_set(struct json *j, const struct vmxlab_caps *caps,
			     enum vmxlab_control_set set)
{
	const struct vmxlab_control_choice *c = &caps->controls[set];
	enum vmxlab_cap_msr msr = vmx_control_msr_id(caps, set);
	u64 cap = vmx_control_msr(caps, set);
	unsigned int bit;

	json_object_begin(j, control_set_key(set));
	json_string(j, "title", vmx_control_tables[set].title);
	json_string(j, "msr", msr < VMXLAB_NR_CAP_MSRS ? vmx_cap_msr_name(msr) : NULL);
	json_hex(j, "allowed0", (u32)cap, 8);
	json_hex(j, "allowed1", (u32)(cap >> 32), 8);
	json_hex(j, "required", c->required, 8);
	json_hex(j, "optional", c->optional, 8);
	json_hex(j, "value", c->value, 8);
	json_hex(j, "forced_on", c->forced_on, 8);
	json_hex(j, "dropped", c->dropped, 8);
	json_hex(j, "missing", c->missing, 8);
	json_array_begin(j, "bits");
	for (bit = 0; bit < 32; bit++)
		json_control_bit(j, caps, set, bit);
	json_array_end(j);
	json_object_end(j);
}

static void json_controls(struct json *j, const struct vmxlab_caps *caps)
{
	unsigned int set;

	json_object_begin(j, "controls");
	for (set = 0; set < VMXLAB_NR_CONTROL_SETS; set++)
		json_control_set(j, caps, set);
	json_object_end(j);
}

static void json_ept_vpid(struct json *j, const struct vmxlab_caps *caps)
{
	u64 cap = caps->msr[VMXLAB_CAP_EPT_VPID];
	unsigned int bit;

	json_object_begin(j, "ept_vpid");
	json_bool(j, "reported", vmx_caps_has(caps, VMXLAB_CAP_EPT_VPID));
	json_hex(j, "required_by_vmxlab", caps->ept_vpid_required, 16);
	json_array_begin(j, "capabilities");
	for (bit = 0; bit < 64; bit++) {
		const char *name = vmx_bit_name(&vmx_ept_vpid_table, bit);

		if (!name && !(cap & BIT_ULL(bit)))
			continue;
		json_object_begin(j, NULL);
		json_uint(j, "bit", bit);
		json_string(j, "name", name);
		json_bool(j, "supported", cap & BIT_ULL(bit));
		json_bool(j, "required_by_vmxlab", caps->ept_vpid_required & BIT_ULL(bit));
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void json_misc(struct json *j, const struct vmxlab_caps *caps)
{
	u64 misc = caps->msr[VMXLAB_CAP_MISC];

	if (!vmx_caps_has(caps, VMXLAB_CAP_MISC)) {
		json_null(j, "misc");
		return;
	}
	json_object_begin(j, "misc");
	json_uint(j, "preemption_timer_rate", vmx_misc_preempt_timer_rate(misc));
	json_bool(j, "saves_efer_lma", misc & VMX_MISC_SAVES_EFER_LMA);
	json_object_begin(j, "activity_states");
	json_bool(j, "hlt", misc & VMX_MISC_HLT_STATE);
	json_bool(j, "shutdown", misc & VMX_MISC_SHUTDOWN_STATE);
	json_bool(j, "wait_for_sipi", misc & VMX_MISC_WAIT_SIPI_STATE);
	json_object_end(j);
	json_bool(j, "pt_in_vmx", misc & VMX_MISC_PT_IN_VMX);
	json_bool(j, "rdmsr_smbase_in_smm", misc & VMX_MISC_RDMSR_SMBASE_IN_SMM);
	json_uint(j, "cr3_targets", vmx_misc_cr3_targets(misc));
	json_uint(j, "max_msr_list", vmx_misc_max_msr_list(misc));
	json_bool(j, "vmxoff_unblocks_smis", misc & VMX_MISC_SMM_VMEXIT_BLOCK);
	json_bool(j, "vmwrite_any_field", misc & VMX_MISC_VMWRITE_ANY_FIELD);
	json_bool(j, "zero_length_injection", misc & VMX_MISC_ZERO_LEN_INJECTION);
	json_uint(j, "mseg_revision", vmx_misc_mseg_revision(misc));
	json_object_end(j);
}

/* The bits under @rule as numbers (@key) and by name (@key_names). */
static void json_cr_list(struct json *j, const char *key, const char *key_names,
			 unsigned int cr, u64 fixed0, u64 fixed1,
			 enum cr_bit_rule rule)
{
	unsigned int bit;

	json_array_begin(j, key);
	for (bit = 0; bit < 64; bit++)
		if (cr_bit_rule(fixed0, fixed1, bit) == rule)
			json_uint(j, NULL, bit);
	json_array_end(j);
	json_array_begin(j, key_names);
	for (bit = 0; bit < 64; bit++)
		if (cr_bit_rule(fixed0, fixed1, bit) == rule &&
		    vmx_cr_bit_name(cr, bit))
			json_string(j, NULL, vmx_cr_bit_name(cr, bit));
	json_array_end(j);
}

static void json_cr(struct json *j, const struct vmxlab_caps *caps,
		    unsigned int cr, enum vmxlab_cap_msr fixed0_msr,
		    enum vmxlab_cap_msr fixed1_msr)
{
	u64 fixed0 = caps->msr[fixed0_msr];
	u64 fixed1 = caps->msr[fixed1_msr];
	const char *key = cr == 0 ? "cr0" : "cr4";

	if (!vmx_caps_has(caps, fixed0_msr) || !vmx_caps_has(caps, fixed1_msr)) {
		json_null(j, key);
		return;
	}
	json_object_begin(j, key);
	json_hex(j, "fixed0", fixed0, 16);
	json_hex(j, "fixed1", fixed1, 16);
	json_cr_list(j, "must_be_1", "must_be_1_names", cr, fixed0, fixed1, CR_MUST_BE_1);
	json_cr_list(j, "must_be_0", "must_be_0_names", cr, fixed0, fixed1, CR_MUST_BE_0);
	json_cr_list(j, "either", "either_names", cr, fixed0, fixed1, CR_EITHER);
	json_object_end(j);
}

static void json_requirements(struct json *j, const struct vmxlab_caps *caps)
{
	unsigned int req;

	json_array_begin(j, "requirements");
	for (req = 0; req < VMXLAB_NR_REQUIREMENTS; req++) {
		const struct vmx_requirement *r = &vmx_requirements[req];

		json_object_begin(j, NULL);
		json_string(j, "name", r->name);
		json_bool(j, "met", !(caps->unmet & BIT_ULL(req)));
		json_string(j, "where", r->where);
		json_string(j, "sdm", r->sdm);
		json_string(j, "fix", r->fix);
		json_object_end(j);
	}
	json_array_end(j);
	json_bool(j, "requirements_met", !caps->unmet);
}

void info_print_json(FILE *out, const struct vmxlab_caps *caps,
		     const char *source)
{
	struct vmx_features f;
	struct json j;

	vmx_features_get(caps, &f);
	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "source", source);
	json_uint(&j, "api_version", caps->api_version);
	json_bool(&j, "ept", f.ept);
	json_bool(&j, "vpid", f.vpid);
	json_bool(&j, "unrestricted_guest", f.unrestricted_guest);
	json_bool(&j, "preemption_timer", f.preemption_timer);
	json_uint(&j, "online_cpus", caps->online_cpus);
	json_uint(&j, "vmx_users", caps->vmx_users);
	json_uint(&j, "pinned_pages", caps->pinned_pages);
	json_uint(&j, "ept_pages", caps->ept_pages);
	json_bool(&j, "true_controls", caps->true_controls);
	json_msrs(&j, caps);
	json_feature_control(&j, caps);
	json_basic(&j, caps);
	json_controls(&j, caps);
	json_ept_vpid(&j, caps);
	json_misc(&j, caps);
	json_cr(&j, caps, 0, VMXLAB_CAP_CR0_FIXED0, VMXLAB_CAP_CR0_FIXED1);
	json_cr(&j, caps, 4, VMXLAB_CAP_CR4_FIXED0, VMXLAB_CAP_CR4_FIXED1);
	if (vmx_caps_has(caps, VMXLAB_CAP_VMCS_ENUM))
		json_uint(&j, "vmcs_enum_max_index",
			  vmx_vmcs_enum_max_index(caps->msr[VMXLAB_CAP_VMCS_ENUM]));
	else
		json_null(&j, "vmcs_enum_max_index");
	json_requirements(&j, caps);
	json_object_end(&j);
}
