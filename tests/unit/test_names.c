// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vmx/names.c and the requirement table of vmx/caps.c:
 * the words a user reads in dmesg and in `vmxlab caps`.
 */
#include <string.h>

#include <vmxlab/caps.h>
#include <vmxlab/names.h>
#include <vmxlab/vmcs_fields.h>
#include <vmxlab/vmx_arch.h>

#include "unit.h"

static void check_table(const struct vmx_bit_table *t, unsigned int max_bit)
{
	unsigned int i, j;

	ck_assert_ptr_nonnull(t->title);
	ck_assert_msg(t->title[0] != '\0', "table without a title");
	ck_assert_ptr_nonnull(t->bits);
	ck_assert_msg(t->count > 0, "%s: no bits", t->title);
	for (i = 0; i < t->count; i++) {
		const struct vmx_bit_name *b = &t->bits[i];

		ck_assert_msg(b->bit <= max_bit, "%s: bit %u out of range 0..%u",
			      t->title, b->bit, max_bit);
		ck_assert_msg(b->name && b->name[0], "%s: bit %u has no name",
			      t->title, b->bit);
		for (j = 0; j < i; j++) {
			ck_assert_msg(t->bits[j].bit != b->bit,
				      "%s: bit %u named twice (\"%s\", \"%s\")",
				      t->title, b->bit, t->bits[j].name, b->name);
			ck_assert_msg(strcmp(t->bits[j].name, b->name) != 0,
				      "%s: \"%s\" names bits %u and %u",
				      t->title, b->name, t->bits[j].bit, b->bit);
		}
		/* Lookup finds this entry. */
		ck_assert_ptr_eq(vmx_bit_name(t, b->bit), b->name);
	}
}

/* If it failed, `vmxlab caps` and dmesg would print two controls under one name, or a name for a bit that does not exist. */
START_TEST(control_tables_unique_in_range)
{
	unsigned int s;

	for (s = 0; s < VMXLAB_NR_CONTROL_SETS; s++)
		check_table(&vmx_control_tables[s], 31);
}
END_TEST

/* If it failed, EPT/VPID capabilities would be listed under the wrong names. */
START_TEST(ept_vpid_table_unique_in_range)
{
	check_table(&vmx_ept_vpid_table, 63);
}
END_TEST

/* If it failed, a reserved bit set by the CPU would be shown with a made-up feature name. */
START_TEST(bit_name_reserved_is_null)
{
	const struct vmx_bit_table *t = vmx_control_tables;

	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_PINBASED], 1));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_PINBASED], 2));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_PINBASED], 4));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_PINBASED], 31));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_PROCBASED], 0));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_PROCBASED], 1));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_EXIT], 0));
	ck_assert_ptr_null(vmx_bit_name(&t[VMXLAB_CTLS_ENTRY], 0));
	ck_assert_ptr_null(vmx_bit_name(&vmx_ept_vpid_table, 1));
	ck_assert_ptr_null(vmx_bit_name(&vmx_ept_vpid_table, 63));
}
END_TEST

static const char *name_of(enum vmxlab_control_set s, u64 mask)
{
	return vmx_bit_name(&vmx_control_tables[s], (unsigned int)__builtin_ctzll(mask));
}

/* If it failed, the control a user is told is missing would be named wrongly, sending them after the wrong feature. */
START_TEST(bit_names_match_sdm)
{
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PINBASED, VMX_PINCTL_EXT_INTR_EXITING),
			 "external-interrupt exiting");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PINBASED, VMX_PINCTL_NMI_EXITING), "NMI exiting");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PROCBASED, VMX_PROCCTL_HLT_EXITING), "HLT exiting");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PROCBASED, VMX_PROCCTL_CR3_LOAD_EXITING),
			 "CR3-load exiting");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PROCBASED, VMX_PROCCTL_SECONDARY_CTLS),
			 "activate secondary controls");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PROCBASED2, VMX_PROC2CTL_ENABLE_EPT), "enable EPT");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PROCBASED2, VMX_PROC2CTL_ENABLE_VPID), "enable VPID");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_PROCBASED2, VMX_PROC2CTL_UNRESTRICTED_GUEST),
			 "unrestricted guest");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_EXIT, VMX_EXITCTL_HOST_ADDR_SPACE),
			 "host address-space size");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_EXIT, VMX_EXITCTL_LOAD_EFER), "load IA32_EFER");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_ENTRY, VMX_ENTRYCTL_IA32E_GUEST), "IA-32e mode guest");
	ck_assert_str_eq(name_of(VMXLAB_CTLS_ENTRY, VMX_ENTRYCTL_LOAD_PAT), "load IA32_PAT");
	ck_assert_str_eq(vmx_bit_name(&vmx_ept_vpid_table, 6), "EPT page-walk length 4");
	ck_assert_str_eq(vmx_bit_name(&vmx_ept_vpid_table, 41), "INVVPID single-context");
}
END_TEST

/* If it failed, when a control vmxlab asks for is missing the message could not name it. */
START_TEST(requested_controls_all_named)
{
	struct vmxlab_caps c;
	unsigned int s, bit;

	/* A CPU that allows nothing: every request comes back missing/dropped. */
	memset(&c, 0, sizeof(c));
	c.msr_valid = ~0ULL;
	c.msr[VMXLAB_CAP_BASIC] = 0x00d8100000000001ULL;
	vmx_caps_decide(&c);
	for (s = 0; s < VMXLAB_NR_CONTROL_SETS; s++) {
		u32 asked = c.controls[s].required | c.controls[s].optional;

		ck_assert_msg(c.controls[s].required != 0, "set %u requires nothing", s);
		for (bit = 0; bit < 32; bit++)
			if (asked & (1u << bit))
				ck_assert_msg(vmx_bit_name(&vmx_control_tables[s], bit),
					      "%s: vmxlab asks for bit %u, which has no name",
					      vmx_control_tables[s].title, bit);
	}
	for (bit = 0; bit < 64; bit++)
		if (c.ept_vpid_required & (1ULL << bit))
			ck_assert_msg(vmx_bit_name(&vmx_ept_vpid_table, bit),
				      "EPT/VPID bit %u is required but has no name", bit);
}
END_TEST

/* If it failed, a user whose CPU lacks a feature would get an empty or missing explanation and fix. */
START_TEST(requirements_complete)
{
	unsigned int r, q;

	for (r = 0; r < VMXLAB_NR_REQUIREMENTS; r++) {
		const struct vmx_requirement *q_ = &vmx_requirements[r];

		ck_assert_msg(q_->name && q_->name[0], "requirement %u: no name", r);
		ck_assert_msg(q_->where && q_->where[0], "requirement %u: no where", r);
		ck_assert_msg(q_->sdm && q_->sdm[0], "requirement %u: no sdm", r);
		ck_assert_msg(q_->fix && q_->fix[0], "requirement %u: no fix", r);
		for (q = 0; q < r; q++)
			ck_assert_msg(strcmp(vmx_requirements[q].name, q_->name) != 0,
				      "requirements %u and %u share the name \"%s\"",
				      q, r, q_->name);
	}
}
END_TEST

/* If it failed, the most common VM-entry failure would be reported without saying it is a control-field problem. */
START_TEST(insn_error_7_invalid_control)
{
	const char *s = vmx_insn_error_name(VMX_INSN_ERR_ENTRY_INVALID_CONTROLS);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(strstr(s, "invalid control"), "error 7 is \"%s\"", s);
	ck_assert_ptr_nonnull(strstr(vmx_insn_error_name(VMX_INSN_ERR_ENTRY_INVALID_HOST_STATE),
				     "invalid host-state"));
	ck_assert_ptr_nonnull(strstr(vmx_insn_error_name(VMX_INSN_ERR_VMPTRLD_BAD_REVISION),
				     "revision"));
}
END_TEST

/* If it failed, an unexpected error number from the CPU would print garbage or crash the module. */
START_TEST(insn_error_out_of_range_unknown)
{
	static const u32 bad[] = { 0, 14, 21, 27, 29, 30, 64, 1000, 0x7fffffff, 0xffffffff };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(strcmp(vmx_insn_error_name(bad[i]), "unknown error") == 0,
			      "error %u is \"%s\"", bad[i], vmx_insn_error_name(bad[i]));
}
END_TEST

/* If it failed, a defined VM-instruction error would be reported as "unknown error". */
START_TEST(insn_error_all_defined_named)
{
	static const u32 good[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17,
				    18, 19, 20, 22, 23, 24, 25, 26, 28 };
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *s = vmx_insn_error_name(good[i]);

		ck_assert_msg(s && s[0] && strcmp(s, "unknown error") != 0,
			      "error %u is \"%s\"", good[i], s ? s : "(null)");
	}
}
END_TEST

/* If it failed, vmxlab would read the wrong MSR or label a value with the wrong MSR name. */
START_TEST(cap_msr_index_and_names)
{
	unsigned int m, k;

	ck_assert_uint_eq(vmx_cap_msr_index(VMXLAB_CAP_BASIC), 0x480);
	ck_assert_uint_eq(vmx_cap_msr_index(VMXLAB_CAP_FEATURE_CONTROL), 0x3a);
	ck_assert_str_eq(vmx_cap_msr_name(VMXLAB_CAP_BASIC), "IA32_VMX_BASIC");
	ck_assert_str_eq(vmx_cap_msr_name(VMXLAB_CAP_FEATURE_CONTROL), "IA32_FEATURE_CONTROL");
	ck_assert_str_eq(vmx_cap_msr_name(VMXLAB_CAP_PROCBASED2), "IA32_VMX_PROCBASED_CTLS2");
	ck_assert_uint_eq(vmx_cap_msr_index(VMXLAB_CAP_PROCBASED2), 0x48b);
	ck_assert_str_eq(vmx_cap_msr_name(VMXLAB_CAP_EPT_VPID), "IA32_VMX_EPT_VPID_CAP");
	ck_assert_uint_eq(vmx_cap_msr_index(VMXLAB_CAP_EPT_VPID), 0x48c);
	ck_assert_str_eq(vmx_cap_msr_name(VMXLAB_CAP_TRUE_PROCBASED), "IA32_VMX_TRUE_PROCBASED_CTLS");
	ck_assert_uint_eq(vmx_cap_msr_index(VMXLAB_CAP_TRUE_PROCBASED), 0x48e);

	for (m = 0; m < VMXLAB_NR_CAP_MSRS; m++) {
		const char *n = vmx_cap_msr_name(m);

		ck_assert_msg(n && strncmp(n, "IA32_", 5) == 0, "MSR %u named \"%s\"",
			      m, n ? n : "(null)");
		/* The VMX capability MSRs are 0x480.. in enum order (A.1-A.11). */
		if (m >= VMXLAB_CAP_BASIC)
			ck_assert_msg(vmx_cap_msr_index(m) == 0x480 + m - VMXLAB_CAP_BASIC,
				      "%s at %#x", n, vmx_cap_msr_index(m));
		for (k = 0; k < m; k++) {
			ck_assert_msg(strcmp(vmx_cap_msr_name(k), n) != 0, "\"%s\" twice", n);
			ck_assert_uint_ne(vmx_cap_msr_index(k), vmx_cap_msr_index(m));
		}
	}
	ck_assert_ptr_null(vmx_cap_msr_name(VMXLAB_NR_CAP_MSRS));
	ck_assert_ptr_null(vmx_cap_msr_name((enum vmxlab_cap_msr)1000));
	ck_assert_uint_eq(vmx_cap_msr_index(VMXLAB_NR_CAP_MSRS), 0);
}
END_TEST

/* What VMXLAB_GET_VMCS hides from a caller without CAP_SYS_ADMIN. */
START_TEST(vmcs_field_reveals_host_fields)
{
	unsigned int i;

	ck_assert(vmcs_field_reveals_host(VMCS_HOST_RIP));
	ck_assert(vmcs_field_reveals_host(VMCS_HOST_CR3));
	ck_assert(vmcs_field_reveals_host(VMCS_HOST_ES_SELECTOR));
	ck_assert(vmcs_field_reveals_host(VMCS_HOST_IA32_EFER));
	ck_assert(vmcs_field_reveals_host(VMCS_EPT_POINTER));
	ck_assert(vmcs_field_reveals_host(VMCS_EPT_POINTER | VMCS_ENCODING_HIGH));
	ck_assert(vmcs_field_reveals_host(VMCS_MSR_BITMAP));
	ck_assert(vmcs_field_reveals_host(VMCS_VMCS_LINK_POINTER));
	ck_assert(!vmcs_field_reveals_host(VMCS_GUEST_RIP));
	ck_assert(!vmcs_field_reveals_host(VMCS_GUEST_CR3));
	ck_assert(!vmcs_field_reveals_host(VMCS_TSC_OFFSET));
	ck_assert(!vmcs_field_reveals_host(VMCS_EXIT_QUALIFICATION));
	ck_assert(!vmcs_field_reveals_host(VMCS_GUEST_PHYSICAL_ADDRESS));
	/* Every host-state field of the list, whatever its width. */
	for (i = 0; i < vmcs_field_count(); i++) {
		u32 enc = vmcs_field_encoding(i);

		if (VMCS_ENCODING_TYPE(enc) == VMCS_TYPE_HOST)
			ck_assert_msg(vmcs_field_reveals_host(enc), "%s", vmcs_field_name(enc));
	}
}
END_TEST

Suite *names_suite(void)
{
	Suite *s = suite_create("names");

	UNIT_ADD(s, "names", control_tables_unique_in_range);
	UNIT_ADD(s, "names", ept_vpid_table_unique_in_range);
	UNIT_ADD(s, "names", bit_name_reserved_is_null);
	UNIT_ADD(s, "names", bit_names_match_sdm);
	UNIT_ADD(s, "names", requested_controls_all_named);
	UNIT_ADD(s, "names", requirements_complete);
	UNIT_ADD(s, "names", insn_error_7_invalid_control);
	UNIT_ADD(s, "names", insn_error_out_of_range_unknown);
	UNIT_ADD(s, "names", insn_error_all_defined_named);
	UNIT_ADD(s, "names", cap_msr_index_and_names);
	UNIT_ADD(s, "names", vmcs_field_reveals_host_fields);
	return s;
}
