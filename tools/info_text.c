// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab info: the capabilities as text, one section per capability MSR,
 * then vmxlab's requirements and a summary.
 */
#include <inttypes.h>

#include "decode.h"
#include "info.h"

static const char *yes_no(bool value)
{
	return value ? "yes" : "no";
}

static void print_msr_table(FILE *out, const struct vmxlab_caps *caps)
{
	unsigned int msr;

	fprintf(out, "Capability MSRs:\n");
	for (msr = 0; msr < VMXLAB_NR_CAP_MSRS; msr++) {
		fprintf(out, "  %-30s 0x%03x  ", vmx_cap_msr_name(msr),
			vmx_cap_msr_index(msr));
		if (vmx_caps_has(caps, msr))
			fprintf(out, "0x%016" PRIx64 "\n", (u64)caps->msr[msr]);
		else
			fprintf(out, "not reported\n");
	}
}

static void print_feature_control(FILE *out, const struct vmxlab_caps *caps)
{
	u64 value = caps->msr[VMXLAB_CAP_FEATURE_CONTROL];
	bool locked = value & VMX_FEATCTL_LOCK;
	bool outside = value & VMX_FEATCTL_VMX_OUTSIDE_SMX;

	if (!vmx_caps_has(caps, VMXLAB_CAP_FEATURE_CONTROL))
		return;
	fprintf(out, "\nFirmware settings (IA32_FEATURE_CONTROL):\n");
	fprintf(out, "  locked: %s\n", yes_no(locked));
	fprintf(out, "  VMX inside SMX: %s\n",
		yes_no(value & VMX_FEATCTL_VMX_INSIDE_SMX));
	fprintf(out, "  VMX outside SMX: %s\n", yes_no(outside));
	if (!locked || !outside)
		fprintf(out, "  VMXON would fault: enable VT-x in the firmware (BIOS/UEFI) setup\n");
}

static void print_basic(FILE *out, const struct vmxlab_caps *caps)
{
	u64 basic = caps->msr[VMXLAB_CAP_BASIC];
	u32 memtype = vmx_basic_memtype(basic);

	fprintf(out, "\nBasic VMX information (IA32_VMX_BASIC):\n");
	if (!vmx_caps_has(caps, VMXLAB_CAP_BASIC)) {
		fprintf(out, "  not reported\n");
		return;
	}
	fprintf(out, "  VMCS revision identifier: 0x%x\n", vmx_basic_revision(basic));
	fprintf(out, "  VMCS region size: %u bytes\n", vmx_basic_region_size(basic));
	fprintf(out, "  VMCS memory type: %u = %s\n", memtype, vmx_memtype_name(memtype));
	fprintf(out, "  VMX structures limited to 32-bit physical addresses: %s\n",
		yes_no(basic & VMX_BASIC_PA_32BIT));
	fprintf(out, "  dual-monitor treatment of SMIs and SMM: %s\n",
		yes_no(basic & VMX_BASIC_DUAL_MONITOR));
	fprintf(out, "  INS/OUTS exits report instruction information: %s\n",
		yes_no(basic & VMX_BASIC_INOUT_INFO));
	fprintf(out, "  TRUE control MSRs (default-1 controls that may be 0): %s\n",
		yes_no(basic & VMX_BASIC_TRUE_CONTROLS));
	fprintf(out, "  VM entry skips the error-code check on hardware exceptions: %s\n",
		yes_no(basic & VMX_BASIC_NO_HW_ERRCODE_CHECK));
}

/* vmxlab's column: role, the value it programs, and why it differs. */
static void print_decision(FILE *out, const struct bit_decision *d)
{
	const char *role = d->required ? "required" :
			   d->optional ? "optional" : "-";
	const char *note = d->missing ? "missing" :
			   d->dropped ? "dropped" :
			   d->forced_on ? "forced on" : "";

	fprintf(out, "%-8s %u %-9s", role, (unsigned int)d->value, note);
}

static void print_control_bits(FILE *out, const struct vmxlab_caps *caps,
			       enum vmxlab_control_set set)
{
	const struct vmx_bit_table *table = &vmx_control_tables[set];
	u64 cap = vmx_control_msr(caps, set);
	unsigned int bit;

	fprintf(out, "  bit  CPU allows     vmxlab               name\n");
	for (bit = 0; bit < 32; bit++) {
		const char *name = vmx_bit_name(table, bit);
		struct bit_decision d;

		control_bit_decision(&caps->controls[set], bit, &d);
		fprintf(out, "  %3u  %-13s  ", bit,
			bit_setting_text(vmx_control_bit_setting(cap, bit)));
		print_decision(out, &d);
		fprintf(out, "  %s\n", name ? name : "reserved");
	}
}

static void print_control_set(FILE *out, const struct vmxlab_caps *caps,
			      enum vmxlab_control_set set)
{
	const struct vmxlab_control_choice *c = &caps->controls[set];
	enum vmxlab_cap_msr msr = vmx_control_msr_id(caps, set);
	u64 cap = vmx_control_msr(caps, set);

	fprintf(out, "\n%s", vmx_control_tables[set].title);
	if (msr < VMXLAB_NR_CAP_MSRS)
		fprintf(out, " (%s):\n", vmx_cap_msr_name(msr));
	else
		fprintf(out, " (not reported: every control must be 0):\n");
	fprintf(out, "  CPU: must-be-1 0x%08x, may-be-1 0x%08x\n",
		(u32)cap, (u32)(cap >> 32));
	fprintf(out, "  vmxlab: required 0x%08x, optional 0x%08x, value 0x%08x\n",
		c->required, c->optional, c->value);
	fprintf(out, "          forced on 0x%08x, dropped 0x%08x, missing 0x%08x\n",
		c->forced_on, c->dropped, c->missing);
	print_control_bits(out, caps, set);
}

static void print_ept_vpid(FILE *out, const struct vmxlab_caps *caps)
{
	u64 cap = caps->msr[VMXLAB_CAP_EPT_VPID];
	unsigned int bit;

	fprintf(out, "\n%s (IA32_VMX_EPT_VPID_CAP):\n", vmx_ept_vpid_table.title);
	if (!vmx_caps_has(caps, VMXLAB_CAP_EPT_VPID)) {
		fprintf(out, "  not reported: the CPU allows neither EPT nor VPID\n");
		return;
	}
	for (bit = 0; bit < 64; bit++) {
		const char *name = vmx_bit_name(&vmx_ept_vpid_table, bit);
		bool has = cap & BIT_ULL(bit);
		bool needed = caps->ept_vpid_required & BIT_ULL(bit);

		if (name)
			fprintf(out, "  [%s]%s %s%s\n", has ? "yes" : "no",
				has ? "" : " ", name,
				needed ? " (vmxlab needs it)" : "");
		else if (has)
			fprintf(out, "  [yes] bit %u (reserved)\n", bit);
	}
}

static void print_vmfunc(FILE *out, const struct vmxlab_caps *caps)
{
	if (!vmx_caps_has(caps, VMXLAB_CAP_VMFUNC))
		return;
	fprintf(out, "\nVM functions (IA32_VMX_VMFUNC):\n");
	fprintf(out, "  EPTP switching: %s\n",
		yes_no(caps->msr[VMXLAB_CAP_VMFUNC] & BIT_ULL(0)));
}

static void print_misc(FILE *out, const struct vmxlab_caps *caps)
{
	u64 misc = caps->msr[VMXLAB_CAP_MISC];

	fprintf(out, "\nMiscellaneous data (IA32_VMX_MISC):\n");
	if (!vmx_caps_has(caps, VMXLAB_CAP_MISC)) {
		fprintf(out, "  not reported\n");
		return;
	}
	fprintf(out, "  VMX-preemption timer: timer ticks every 2^%u TSC cycles\n",
		vmx_misc_preempt_timer_rate(misc));
	fprintf(out, "  VM exits store EFER.LMA in \"IA-32e mode guest\": %s\n",
		yes_no(misc & VMX_MISC_SAVES_EFER_LMA));
	fprintf(out, "  activity states: HLT %s, shutdown %s, wait-for-SIPI %s\n",
		yes_no(misc & VMX_MISC_HLT_STATE),
		yes_no(misc & VMX_MISC_SHUTDOWN_STATE),
		yes_no(misc & VMX_MISC_WAIT_SIPI_STATE));
	fprintf(out, "  Intel PT usable in VMX operation: %s\n",
		yes_no(misc & VMX_MISC_PT_IN_VMX));
	fprintf(out, "  RDMSR of IA32_SMBASE in SMM: %s\n",
		yes_no(misc & VMX_MISC_RDMSR_SMBASE_IN_SMM));
	fprintf(out, "  CR3-target values: %u\n", vmx_misc_cr3_targets(misc));
	fprintf(out, "  max MSR-list entries: %u\n", vmx_misc_max_msr_list(misc));
	fprintf(out, "  VMXOFF may unblock SMIs: %s\n",
		yes_no(misc & VMX_MISC_SMM_VMEXIT_BLOCK));
	fprintf(out, "  VMWRITE to any field, VM-exit information included: %s\n",
		yes_no(misc & VMX_MISC_VMWRITE_ANY_FIELD));
	fprintf(out, "  event injection with instruction length 0: %s\n",
		yes_no(misc & VMX_MISC_ZERO_LEN_INJECTION));
	fprintf(out, "  MSEG revision identifier: %u\n", vmx_misc_mseg_revision(misc));
}

/* The bits under @rule, by name; runs of unnamed bits as "bits N-M". */
static void print_cr_bits(FILE *out, unsigned int cr, u64 fixed0, u64 fixed1,
			  enum cr_bit_rule rule)
{
	unsigned int bit = 0, end;
	bool any = false;

	while (bit < 64) {
		const char *name = vmx_cr_bit_name(cr, bit);

		if (cr_bit_rule(fixed0, fixed1, bit) != rule) {
			bit++;
			continue;
		}
		fputs(any ? " " : "", out);
		any = true;
		if (name) {
			fputs(name, out);
			bit++;
			continue;
		}
		for (end = bit + 1; end < 64 && !vmx_cr_bit_name(cr, end) &&
		     cr_bit_rule(fixed0, fixed1, end) == rule; end++)
			;
		if (end - bit == 1)
			fprintf(out, "bit%u", bit);
		else
			fprintf(out, "bits%u-%u", bit, end - 1);
		bit = end;
	}
	fputs(any ? "\n" : "none\n", out);
}

static void print_cr(FILE *out, const struct vmxlab_caps *caps, unsigned int cr,
		     enum vmxlab_cap_msr fixed0_msr, enum vmxlab_cap_msr fixed1_msr)
{
	u64 fixed0 = caps->msr[fixed0_msr];
	u64 fixed1 = caps->msr[fixed1_msr];

	fprintf(out, "\nCR%u in VMX operation (%s, %s):\n", cr,
		vmx_cap_msr_name(fixed0_msr), vmx_cap_msr_name(fixed1_msr));
	if (!vmx_caps_has(caps, fixed0_msr) || !vmx_caps_has(caps, fixed1_msr)) {
		fprintf(out, "  not reported\n");
		return;
	}
	fprintf(out, "  must be 1: ");
	print_cr_bits(out, cr, fixed0, fixed1, CR_MUST_BE_1);
	fprintf(out, "  must be 0: ");
	print_cr_bits(out, cr, fixed0, fixed1, CR_MUST_BE_0);
	fprintf(out, "  either:    ");
	print_cr_bits(out, cr, fixed0, fixed1, CR_EITHER);
}

static void print_cr_fixed(FILE *out, const struct vmxlab_caps *caps,
			   const struct vmx_features *features)
{
	u64 cr0_fixed0 = caps->msr[VMXLAB_CAP_CR0_FIXED0];

	print_cr(out, caps, 0, VMXLAB_CAP_CR0_FIXED0, VMXLAB_CAP_CR0_FIXED1);
	if (features->unrestricted_guest &&
	    (cr0_fixed0 & (VMX_CR0_PE | VMX_CR0_PG)))
		fprintf(out, "  (a guest with \"unrestricted guest\" may still run with PE and PG 0)\n");
	print_cr(out, caps, 4, VMXLAB_CAP_CR4_FIXED0, VMXLAB_CAP_CR4_FIXED1);
}

static void print_vmcs_enum(FILE *out, const struct vmxlab_caps *caps)
{
	fprintf(out, "\nVMCS enumeration (IA32_VMX_VMCS_ENUM):\n");
	if (!vmx_caps_has(caps, VMXLAB_CAP_VMCS_ENUM)) {
		fprintf(out, "  not reported\n");
		return;
	}
	fprintf(out, "  highest index in a VMCS field encoding: %u (0x%x)\n",
		vmx_vmcs_enum_max_index(caps->msr[VMXLAB_CAP_VMCS_ENUM]),
		vmx_vmcs_enum_max_index(caps->msr[VMXLAB_CAP_VMCS_ENUM]));
}

static void print_requirements(FILE *out, const struct vmxlab_caps *caps)
{
	unsigned int req, unmet = 0;

	fprintf(out, "\nWhat vmxlab requires:\n");
	for (req = 0; req < VMXLAB_NR_REQUIREMENTS; req++) {
		const struct vmx_requirement *r = &vmx_requirements[req];

		if (!(caps->unmet & BIT_ULL(req))) {
			fprintf(out, "  [ok] %s\n", r->name);
			continue;
		}
		unmet++;
		fprintf(out, "  [missing] %s \u2014 %s (%s) \u2014 %s\n",
			r->name, r->where, r->sdm, r->fix);
	}
	if (unmet)
		fprintf(out, "  %u of %u requirements missing: vmxlab cannot run guests on this CPU\n",
			unmet, VMXLAB_NR_REQUIREMENTS);
	else
		fprintf(out, "  all %u requirements met\n", VMXLAB_NR_REQUIREMENTS);
}

static void print_summary(FILE *out, const struct vmxlab_caps *caps,
			  const struct vmx_features *f)
{
	fprintf(out, "\nSummary:\n");
	fprintf(out, "EPT: %s\n", yes_no(f->ept));
	fprintf(out, "VPID: %s\n", yes_no(f->vpid));
	fprintf(out, "unrestricted guest: %s\n", yes_no(f->unrestricted_guest));
	fprintf(out, "VMX-preemption timer: %s\n", yes_no(f->preemption_timer));
	fprintf(out, "online CPUs: %u\n", caps->online_cpus);
	fprintf(out, "VMX users: %u\n", caps->vmx_users);
	fprintf(out, "guest pages pinned: %llu\n", (unsigned long long)caps->pinned_pages);
	fprintf(out, "EPT table pages: %llu\n", (unsigned long long)caps->ept_pages);
}

void info_print_text(FILE *out, const struct vmxlab_caps *caps,
		     const char *source)
{
	struct vmx_features features;
	unsigned int set;

	vmx_features_get(caps, &features);
	fprintf(out, "VMX capabilities from %s (vmxlab API %u, %s controls)\n\n",
		source, caps->api_version, caps->true_controls ? "TRUE" : "default");
	print_msr_table(out, caps);
	print_feature_control(out, caps);
	print_basic(out, caps);
	for (set = 0; set < VMXLAB_NR_CONTROL_SETS; set++)
		print_control_set(out, caps, set);
	print_ept_vpid(out, caps);
	print_vmfunc(out, caps);
	print_misc(out, caps);
	print_cr_fixed(out, caps, &features);
	print_vmcs_enum(out, caps);
	print_requirements(out, caps);
	print_summary(out, caps, &features);
}
