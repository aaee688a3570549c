// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vmx/caps.c: control adjustment, control-MSR choice,
 * CR0/CR4 fixed bits, requirement evaluation and the BASIC/MISC decoders.
 *
 * Capability values are written by hand from the SDM's definitions (Vol.
 * 3D, Appendix A), shaped like what a Haswell server reports.
 */
#include <string.h>
#include <inttypes.h>
#include <stdio.h>

#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>

#include "unit.h"

/* A control MSR from its allowed-0 (31:0) and allowed-1 (63:32) halves. */
static u64 ctl_msr(u32 allowed0, u32 allowed1)
{
	return ((u64)allowed1 << 32) | allowed0;
}

static void cap_set(struct vmxlab_caps *c, enum vmxlab_cap_msr m, u64 v)
{
	c->msr[m] = v;
	c->msr_valid |= BIT_ULL(m);
}

static void cap_drop(struct vmxlab_caps *c, enum vmxlab_cap_msr m)
{
	c->msr_valid &= ~BIT_ULL(m);
}

/*
 * A Haswell-like CPU with everything vmxlab needs:
 *  - BASIC: revision 0x12, 1024-byte VMCS, WB, INS/OUTS info, TRUE controls;
 *  - default-1 bits in the plain control MSRs that the TRUE ones relax
 *    (CR3-load/store exiting, save/load debug controls);
 *  - secondary controls 0-14 (EPT, VPID, unrestricted guest, ...);
 *  - EPT: 4-level walk, UC/WB, 2M/1G pages, INVEPT single/all,
 *    INVVPID individual/single/all.
 */
#define HSW_BASIC		0x00da040000000012ULL
#define HSW_PINBASED		0x0000007f00000016ULL
#define HSW_PROCBASED		0xfff9fffe0401e172ULL
#define HSW_EXIT		0x007fffff00036dffULL
#define HSW_ENTRY		0x0000ffff000011ffULL
#define HSW_MISC		0x00000000300481e5ULL
#define HSW_CR0_FIXED0		0x0000000080000021ULL
#define HSW_CR0_FIXED1		0x00000000ffffffffULL
#define HSW_CR4_FIXED0		0x0000000000002000ULL
#define HSW_CR4_FIXED1		0x00000000003767ffULL
#define HSW_VMCS_ENUM		0x000000000000002eULL
#define HSW_PROCBASED2		0x00007fff00000000ULL
#define HSW_EPT_VPID		0x00000f0106f34141ULL
#define HSW_TRUE_PINBASED	0x0000007f00000016ULL
#define HSW_TRUE_PROCBASED	0xfff9fffe04006172ULL
#define HSW_TRUE_EXIT		0x007fffff00036dfbULL
#define HSW_TRUE_ENTRY		0x0000ffff000011fbULL
#define HSW_VMFUNC		0x0000000000000001ULL

static void haswell_caps(struct vmxlab_caps *c)
{
	memset(c, 0, sizeof(*c));
	cap_set(c, VMXLAB_CAP_FEATURE_CONTROL, VMX_FEATCTL_LOCK | VMX_FEATCTL_VMX_OUTSIDE_SMX);
	cap_set(c, VMXLAB_CAP_BASIC, HSW_BASIC);
	cap_set(c, VMXLAB_CAP_PINBASED, HSW_PINBASED);
	cap_set(c, VMXLAB_CAP_PROCBASED, HSW_PROCBASED);
	cap_set(c, VMXLAB_CAP_EXIT, HSW_EXIT);
	cap_set(c, VMXLAB_CAP_ENTRY, HSW_ENTRY);
	cap_set(c, VMXLAB_CAP_MISC, HSW_MISC);
	cap_set(c, VMXLAB_CAP_CR0_FIXED0, HSW_CR0_FIXED0);
	cap_set(c, VMXLAB_CAP_CR0_FIXED1, HSW_CR0_FIXED1);
	cap_set(c, VMXLAB_CAP_CR4_FIXED0, HSW_CR4_FIXED0);
	cap_set(c, VMXLAB_CAP_CR4_FIXED1, HSW_CR4_FIXED1);
	cap_set(c, VMXLAB_CAP_VMCS_ENUM, HSW_VMCS_ENUM);
	cap_set(c, VMXLAB_CAP_PROCBASED2, HSW_PROCBASED2);
	cap_set(c, VMXLAB_CAP_EPT_VPID, HSW_EPT_VPID);
	cap_set(c, VMXLAB_CAP_TRUE_PINBASED, HSW_TRUE_PINBASED);
	cap_set(c, VMXLAB_CAP_TRUE_PROCBASED, HSW_TRUE_PROCBASED);
	cap_set(c, VMXLAB_CAP_TRUE_EXIT, HSW_TRUE_EXIT);
	cap_set(c, VMXLAB_CAP_TRUE_ENTRY, HSW_TRUE_ENTRY);
	cap_set(c, VMXLAB_CAP_VMFUNC, HSW_VMFUNC);
}

#define REQ(r) BIT_ULL(VMXLAB_REQ_##r)

/* What vmxlab asks for, as documented by the requirement table. */
#define NEED_PIN	(VMX_PINCTL_EXT_INTR_EXITING | VMX_PINCTL_NMI_EXITING)
#define NEED_PROC	(VMX_PROCCTL_HLT_EXITING | VMX_PROCCTL_UNCOND_IO_EXITING | \
			 VMX_PROCCTL_MSR_BITMAPS | VMX_PROCCTL_SECONDARY_CTLS | \
			 VMX_PROCCTL_MOV_DR_EXITING)
#define NEED_PROC2	(VMX_PROC2CTL_ENABLE_EPT | VMX_PROC2CTL_ENABLE_VPID | \
			 VMX_PROC2CTL_UNRESTRICTED_GUEST)
#define NEED_EXIT	(VMX_EXITCTL_HOST_ADDR_SPACE | VMX_EXITCTL_SAVE_EFER | \
			 VMX_EXITCTL_LOAD_EFER | VMX_EXITCTL_SAVE_PAT | VMX_EXITCTL_LOAD_PAT | \
			 VMX_EXITCTL_SAVE_DEBUG_CTLS)
#define NEED_ENTRY	(VMX_ENTRYCTL_LOAD_EFER | VMX_ENTRYCTL_LOAD_PAT | \
			 VMX_ENTRYCTL_LOAD_DEBUG_CTLS)
#define NEED_EPT_VPID	(VMX_EPT_WALK_LENGTH_4 | VMX_EPT_MEMTYPE_WB | VMX_EPT_INVEPT | \
			 VMX_EPT_INVEPT_SINGLE_CONTEXT | VMX_VPID_INVVPID | \
			 VMX_VPID_INVVPID_SINGLE_CONTEXT)

/* ------------------------------------------------------------------ */
/* vmx_choose_controls                                                 */
/* ------------------------------------------------------------------ */

/* If it failed, vmxlab would load on a CPU lacking a control it needs and VM entry would fail with "invalid control field(s)". */
START_TEST(choose_required_not_allowed_is_missing)
{
	struct vmxlab_control_choice ch;

	/* NMI exiting (bit 3) not allowed-1; external-interrupt exiting is. */
	vmx_choose_controls(ctl_msr(0x16, 0x77), 0x9, 0, &ch);
	ck_assert_uint_eq(ch.missing, 0x8);
	ck_assert_uint_eq(ch.value & 0x8, 0);
	ck_assert_uint_eq(ch.value & 0x1, 0x1);
	ck_assert_uint_eq(ch.dropped, 0);
}
END_TEST

/* If it failed, vmxlab would program an optional control the CPU forbids and every VM entry would fail. */
START_TEST(choose_optional_not_allowed_is_dropped)
{
	struct vmxlab_control_choice ch;

	/* Preemption timer (bit 6) not allowed-1; virtual NMIs (bit 5) allowed. */
	vmx_choose_controls(ctl_msr(0x16, 0x3f), 0x9, 0x60, &ch);
	ck_assert_uint_eq(ch.dropped, 0x40);
	ck_assert_uint_eq(ch.value & 0x40, 0);
	ck_assert_uint_eq(ch.value & 0x20, 0x20);
	ck_assert_uint_eq(ch.missing, 0);
}
END_TEST

/* If it failed, a must-be-1 control would be left 0 (VM entry fails) or set silently without being reported. */
START_TEST(choose_must_be_one_is_forced_on)
{
	struct vmxlab_control_choice ch;

	/* Bits 1, 2, 4 are default-1 in the pin-based controls. */
	vmx_choose_controls(ctl_msr(0x16, 0x7f), 0x9, 0x20, &ch);
	ck_assert_uint_eq(ch.forced_on, 0x16);
	ck_assert_uint_eq(ch.value, 0x16 | 0x9 | 0x20);
	/* A must-be-1 bit that vmxlab asks for anyway is not "forced". */
	vmx_choose_controls(ctl_msr(0x16, 0x7f), 0x2, 0, &ch);
	ck_assert_uint_eq(ch.forced_on, 0x14);
	ck_assert_uint_eq(ch.value, 0x16);
}
END_TEST

/* If it failed, the choice reported to user space (VMXLAB_GET_CAPS) would not say what vmxlab asked for, or leak stale padding. */
START_TEST(choose_records_request_and_zeroes_padding)
{
	struct vmxlab_control_choice ch;

	memset(&ch, 0xa5, sizeof(ch));
	vmx_choose_controls(ctl_msr(0, 0xffffffff), 0x81, 0x4000, &ch);
	ck_assert_uint_eq(ch.required, 0x81);
	ck_assert_uint_eq(ch.optional, 0x4000);
	ck_assert_uint_eq(ch.value, 0x4081);
	ck_assert_uint_eq(ch.forced_on, 0);
	ck_assert_uint_eq(ch.dropped, 0);
	ck_assert_uint_eq(ch.missing, 0);
	ck_assert_uint_eq(ch.pad[0], 0);
	ck_assert_uint_eq(ch.pad[1], 0);
}
END_TEST

static u32 rng_bits(void)
{
	u64 r = unit_rng_next();

	/* Mix dense, sparse and extreme words. */
	switch (r & 7) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff;
	case 2:
		return (u32)(r >> 32) & (u32)unit_rng_next();
	case 3:
		return (u32)(r >> 32) | (u32)unit_rng_next();
	default:
		return (u32)(r >> 32);
	}
}

/* If it failed, for some CPU vmxlab would program a control value the CPU rejects (VM entry fails) or drop a request without saying so. */
START_TEST(choose_property_random)
{
	char why[256] = "";
	unsigned int i;

	unit_rng_seed(0x766d786c61622121ULL);	/* "vmxlab!!" */
	for (i = 0; i < 200000 && !why[0]; i++) {
		u32 allowed1 = rng_bits();
		u32 allowed0 = rng_bits() & allowed1;	/* the SDM's invariant */
		u32 required = rng_bits();
		u32 optional = rng_bits() & ~required;
		u32 wanted = required | optional;
		struct vmxlab_control_choice ch;
		const char *bad = NULL;

		vmx_choose_controls(ctl_msr(allowed0, allowed1), required, optional, &ch);

		if (ch.value & ~allowed1)
			bad = "value has a bit outside allowed-1";
		else if (~ch.value & allowed0)
			bad = "value lacks an allowed-0 (must-be-1) bit";
		else if ((wanted & allowed1) & ~ch.value)
			bad = "value lacks an allowed, requested bit";
		else if (ch.missing != (required & ~allowed1))
			bad = "missing != required bits not allowed-1";
		else if (ch.dropped != (optional & ~allowed1))
			bad = "dropped != optional bits not allowed-1";
		else if (ch.forced_on != (ch.value & ~wanted))
			bad = "forced_on != bits in value that were not requested";
		else if ((ch.value | ch.missing | ch.dropped) != (ch.value | wanted))
			bad = "a requested bit is neither in value nor reported";
		if (bad)
			snprintf(why, sizeof(why),
				 "iteration %u: %s (allowed0 %#x allowed1 %#x required %#x optional %#x -> value %#x forced_on %#x dropped %#x missing %#x)",
				 i, bad, allowed0, allowed1, required, optional,
				 ch.value, ch.forced_on, ch.dropped, ch.missing);
	}
	ck_assert_msg(!why[0], "%s", why);
}
END_TEST

/* ------------------------------------------------------------------ */
/* vmx_control_msr                                                     */
/* ------------------------------------------------------------------ */

/* If it failed, vmxlab would force default-1 exits (CR3 load/store) the CPU lets it turn off, slowing every guest. */
START_TEST(control_msr_true_when_basic55_and_valid)
{
	struct vmxlab_caps c;

	/* Filled by hand as a reader of the MSRs would, before any decision. */
	haswell_caps(&c);
	ck_assert_msg(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED) == HSW_TRUE_PROCBASED,
		      "IA32_VMX_BASIC[55]=1 and TRUE_PROCBASED valid: got %#" PRIx64 ", want TRUE_PROCBASED %#" PRIx64,
		      vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED), (u64)HSW_TRUE_PROCBASED);
	ck_assert_msg(vmx_control_msr(&c, VMXLAB_CTLS_EXIT) == HSW_TRUE_EXIT,
		      "exit controls: got %#" PRIx64 ", want TRUE_EXIT %#" PRIx64,
		      vmx_control_msr(&c, VMXLAB_CTLS_EXIT), (u64)HSW_TRUE_EXIT);
	ck_assert_msg(vmx_control_msr(&c, VMXLAB_CTLS_ENTRY) == HSW_TRUE_ENTRY,
		      "entry controls: got %#" PRIx64 ", want TRUE_ENTRY %#" PRIx64,
		      vmx_control_msr(&c, VMXLAB_CTLS_ENTRY), (u64)HSW_TRUE_ENTRY);
}
END_TEST

/* If it failed, vmxlab would trust TRUE_* values on a CPU that does not define them and clear controls that must be 1. */
START_TEST(control_msr_plain_without_basic55)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_BASIC] &= ~VMX_BASIC_TRUE_CONTROLS;
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PINBASED), HSW_PINBASED);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED), HSW_PROCBASED);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_EXIT), HSW_EXIT);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_ENTRY), HSW_ENTRY);
	/* The same through the decision the module makes. */
	vmx_caps_decide(&c);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED), HSW_PROCBASED);
}
END_TEST

/* If it failed, vmxlab would decide from a TRUE_* MSR it could not read (zero: nothing allowed) and refuse a good CPU. */
START_TEST(control_msr_plain_when_true_invalid)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	cap_drop(&c, VMXLAB_CAP_TRUE_PROCBASED);
	c.msr[VMXLAB_CAP_TRUE_PROCBASED] = 0;
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED), HSW_PROCBASED);
	vmx_caps_decide(&c);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED), HSW_PROCBASED);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].missing, 0);
}
END_TEST

/* If it failed, TRUE controls would never be used after the module's own decision, forcing avoidable exits. */
START_TEST(control_msr_true_after_decide)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	vmx_caps_decide(&c);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PINBASED), HSW_TRUE_PINBASED);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED), HSW_TRUE_PROCBASED);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_EXIT), HSW_TRUE_EXIT);
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_ENTRY), HSW_TRUE_ENTRY);
	/* Secondary controls have no TRUE MSR. */
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED2), HSW_PROCBASED2);
}
END_TEST

/* If it failed, on a CPU without secondary controls vmxlab would use a stale value and believe EPT is there. */
START_TEST(control_msr_procbased2_absent_is_zero)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	cap_drop(&c, VMXLAB_CAP_PROCBASED2);	/* value stays, but not valid */
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED2), 0);
	c.msr[VMXLAB_CAP_BASIC] &= ~VMX_BASIC_TRUE_CONTROLS;
	ck_assert_uint_eq(vmx_control_msr(&c, VMXLAB_CTLS_PROCBASED2), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* vmx_control_bit_setting                                             */
/* ------------------------------------------------------------------ */

/* If it failed, `vmxlab caps` would show controls as available/fixed the wrong way round. */
START_TEST(bit_setting_sdm_a31)
{
	/* allowed-0 = 0x80000016, allowed-1 = 0x8000007f */
	u64 msr = ctl_msr(0x80000016, 0x8000007f);
	unsigned int bit;

	ck_assert_int_eq(vmx_control_bit_setting(msr, 0), VMX_BIT_FLEXIBLE);
	ck_assert_int_eq(vmx_control_bit_setting(msr, 1), VMX_BIT_FIXED_1);
	ck_assert_int_eq(vmx_control_bit_setting(msr, 3), VMX_BIT_FLEXIBLE);
	ck_assert_int_eq(vmx_control_bit_setting(msr, 7), VMX_BIT_FIXED_0);
	ck_assert_int_eq(vmx_control_bit_setting(msr, 31), VMX_BIT_FIXED_1);
	ck_assert_int_eq(vmx_control_bit_setting(ctl_msr(0, 0x80000000), 31), VMX_BIT_FLEXIBLE);
	ck_assert_int_eq(vmx_control_bit_setting(ctl_msr(0, 0x7fffffff), 31), VMX_BIT_FIXED_0);

	/* Every bit of the Haswell primary processor-based MSR. */
	for (bit = 0; bit < 32; bit++) {
		u32 a0 = (u32)HSW_PROCBASED, a1 = (u32)(HSW_PROCBASED >> 32);
		enum vmx_bit_setting want = (a0 >> bit) & 1 ? VMX_BIT_FIXED_1 :
					    (a1 >> bit) & 1 ? VMX_BIT_FLEXIBLE :
					    VMX_BIT_FIXED_0;

		ck_assert_msg(vmx_control_bit_setting(HSW_PROCBASED, bit) == want,
			      "bit %u: got %d, want %d", bit,
			      vmx_control_bit_setting(HSW_PROCBASED, bit), want);
	}
	/* CR3-load exiting: default-1 in the plain MSR, flexible in TRUE. */
	ck_assert_int_eq(vmx_control_bit_setting(HSW_PROCBASED, 15), VMX_BIT_FIXED_1);
	ck_assert_int_eq(vmx_control_bit_setting(HSW_TRUE_PROCBASED, 15), VMX_BIT_FLEXIBLE);
	/* Tertiary controls (bit 17): not on Haswell. */
	ck_assert_int_eq(vmx_control_bit_setting(HSW_PROCBASED, 17), VMX_BIT_FIXED_0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* vmx_fixed_bits_violations                                           */
/* ------------------------------------------------------------------ */

/* PE MP ET NE WP AM PG: CR0 as Linux runs. */
#define LINUX_CR0	0x0000000080050033ULL
/* PAE MCE PGE PCE OSFXSR OSXMMEXCPT FSGSBASE PCIDE OSXSAVE SMEP */
#define LINUX_CR4	0x00000000001707e0ULL

/* If it failed, vmxlab would refuse VMXON on a normal Linux host, or try it with CR0 the CPU rejects (#GP). */
START_TEST(fixed_cr0_linux_ok_pg_clear_reported)
{
	ck_assert_uint_eq(vmx_fixed_bits_violations(LINUX_CR0, HSW_CR0_FIXED0, HSW_CR0_FIXED1), 0);
	ck_assert_uint_eq(vmx_fixed_bits_violations(LINUX_CR0 & ~VMX_CR0_PG,
						    HSW_CR0_FIXED0, HSW_CR0_FIXED1),
			  VMX_CR0_PG);
	ck_assert_uint_eq(vmx_fixed_bits_violations(LINUX_CR0 & ~(VMX_CR0_NE | VMX_CR0_PE),
						    HSW_CR0_FIXED0, HSW_CR0_FIXED1),
			  VMX_CR0_NE | VMX_CR0_PE);
}
END_TEST

/* If it failed, VMXON would be tried with CR4.VMXE clear (#UD) or a normal Linux CR4 would be refused. */
START_TEST(fixed_cr4_vmxe_ok_clear_reported)
{
	u64 cr4 = LINUX_CR4 | VMX_CR4_VMXE;

	ck_assert_uint_eq(vmx_fixed_bits_violations(cr4, HSW_CR4_FIXED0, HSW_CR4_FIXED1), 0);
	ck_assert_uint_eq(vmx_fixed_bits_violations(LINUX_CR4, HSW_CR4_FIXED0, HSW_CR4_FIXED1),
			  VMX_CR4_VMXE);
}
END_TEST

/* If it failed, a CR4 bit the CPU cannot keep in VMX operation (here PKE, bit 22) would go unnoticed until VMXON fails. */
START_TEST(fixed_cr4_bit_outside_fixed1_reported)
{
	u64 cr4 = LINUX_CR4 | VMX_CR4_VMXE | BIT_ULL(22);

	ck_assert_uint_eq(vmx_fixed_bits_violations(cr4, HSW_CR4_FIXED0, HSW_CR4_FIXED1),
			  BIT_ULL(22));
	/* Both kinds at once. */
	ck_assert_uint_eq(vmx_fixed_bits_violations(LINUX_CR4 | BIT_ULL(22),
						    HSW_CR4_FIXED0, HSW_CR4_FIXED1),
			  BIT_ULL(22) | VMX_CR4_VMXE);
}
END_TEST

/* ------------------------------------------------------------------ */
/* vmx_caps_decide                                                     */
/* ------------------------------------------------------------------ */

static const u32 need_by_set[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = NEED_PIN,
	[VMXLAB_CTLS_PROCBASED] = NEED_PROC,
	[VMXLAB_CTLS_PROCBASED2] = NEED_PROC2,
	[VMXLAB_CTLS_EXIT] = NEED_EXIT,
	[VMXLAB_CTLS_ENTRY] = NEED_ENTRY,
};

static const u64 hsw_true_msr[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = HSW_TRUE_PINBASED,
	[VMXLAB_CTLS_PROCBASED] = HSW_TRUE_PROCBASED,
	[VMXLAB_CTLS_PROCBASED2] = HSW_PROCBASED2,
	[VMXLAB_CTLS_EXIT] = HSW_TRUE_EXIT,
	[VMXLAB_CTLS_ENTRY] = HSW_TRUE_ENTRY,
};

/* If it failed, vmxlab would refuse to load on a Haswell-class CPU that has everything it needs. */
START_TEST(decide_haswell_all_met)
{
	struct vmxlab_caps c;
	unsigned int s;

	haswell_caps(&c);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == 0, "unmet = %#" PRIx64, (u64)c.unmet);
	ck_assert_uint_eq(c.true_controls, 1);
	for (s = 0; s < VMXLAB_NR_CONTROL_SETS; s++) {
		const struct vmxlab_control_choice *ch = &c.controls[s];
		u32 a0 = (u32)hsw_true_msr[s], a1 = (u32)(hsw_true_msr[s] >> 32);

		ck_assert_msg((ch->required & need_by_set[s]) == need_by_set[s],
			      "set %u: required %#x lacks %#x", s, ch->required, need_by_set[s]);
		ck_assert_msg((ch->value & ch->required) == ch->required,
			      "set %u: value %#x lacks required %#x", s, ch->value, ch->required);
		ck_assert_msg(ch->missing == 0, "set %u: missing %#x", s, ch->missing);
		ck_assert_msg(ch->dropped == 0, "set %u: dropped %#x", s, ch->dropped);
		ck_assert_msg((ch->value & ~a1) == 0 && (a0 & ~ch->value) == 0,
			      "set %u: value %#x outside allowed (%#x, %#x)", s, ch->value, a0, a1);
	}
	/* The EPT/VPID bits vmxlab needs are reported, and Haswell has them. */
	ck_assert_msg((c.ept_vpid_required & NEED_EPT_VPID) == NEED_EPT_VPID,
		      "ept_vpid_required %#" PRIx64, (u64)c.ept_vpid_required);
	ck_assert_msg((c.ept_vpid_required & ~HSW_EPT_VPID) == 0,
		      "ept_vpid_required %#" PRIx64 " asks for more than Haswell has",
		      (u64)c.ept_vpid_required);
}
END_TEST

/* If it failed, guests on CPUs with TRUE controls would take a VM exit on every CR3 access for nothing. */
START_TEST(decide_true_controls_not_forcing_cr3_exits)
{
	struct vmxlab_caps c;
	const u32 cr3 = VMX_PROCCTL_CR3_LOAD_EXITING | VMX_PROCCTL_CR3_STORE_EXITING;

	haswell_caps(&c);
	vmx_caps_decide(&c);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].value & cr3, 0);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].forced_on & cr3, 0);
}
END_TEST

/* If it failed, on a CPU without TRUE controls vmxlab would clear must-be-1 controls (VM entry fails) or hide that they are on. */
START_TEST(decide_no_true_controls_forces_default1)
{
	struct vmxlab_caps c;
	const u32 cr3 = VMX_PROCCTL_CR3_LOAD_EXITING | VMX_PROCCTL_CR3_STORE_EXITING;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_BASIC] &= ~VMX_BASIC_TRUE_CONTROLS;
	cap_drop(&c, VMXLAB_CAP_TRUE_PINBASED);
	cap_drop(&c, VMXLAB_CAP_TRUE_PROCBASED);
	cap_drop(&c, VMXLAB_CAP_TRUE_EXIT);
	cap_drop(&c, VMXLAB_CAP_TRUE_ENTRY);
	vmx_caps_decide(&c);
	ck_assert_uint_eq(c.true_controls, 0);
	ck_assert_msg(c.unmet == 0, "unmet = %#" PRIx64, (u64)c.unmet);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].forced_on & cr3, cr3);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].value & cr3, cr3);
	/*
	 * Save debug controls (exit bit 2), load debug controls (entry bit
	 * 2): default1, and vmxlab wants them (vmx/debugregs.c), so on.
	 */
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_EXIT].value & VMX_EXITCTL_SAVE_DEBUG_CTLS,
			  VMX_EXITCTL_SAVE_DEBUG_CTLS);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_ENTRY].value & VMX_ENTRYCTL_LOAD_DEBUG_CTLS,
			  VMX_ENTRYCTL_LOAD_DEBUG_CTLS);
}
END_TEST

/* If it failed, the reported TRUE-controls flag would claim TRUE MSRs were used when vmxlab could not read them. */
START_TEST(decide_true_controls_flag_means_true_msrs_used)
{
	struct vmxlab_caps c;
	const u32 cr3 = VMX_PROCCTL_CR3_LOAD_EXITING | VMX_PROCCTL_CR3_STORE_EXITING;

	/* BASIC[55] set, but none of the TRUE_* MSRs could be read. */
	haswell_caps(&c);
	cap_drop(&c, VMXLAB_CAP_TRUE_PINBASED);
	cap_drop(&c, VMXLAB_CAP_TRUE_PROCBASED);
	cap_drop(&c, VMXLAB_CAP_TRUE_EXIT);
	cap_drop(&c, VMXLAB_CAP_TRUE_ENTRY);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == 0, "unmet = %#" PRIx64, (u64)c.unmet);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].forced_on & cr3, cr3);
	ck_assert_msg(c.true_controls == 0,
		      "true_controls = %u although no TRUE_* MSR was valid (uapi.h: \"1: the TRUE_* MSRs were used\")",
		      c.true_controls);
}
END_TEST

/* If it failed, vmxlab would load on a CPU without EPT and fail at the first guest. */
START_TEST(decide_no_ept)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_PROCBASED2] &= ~((u64)VMX_PROC2CTL_ENABLE_EPT << 32);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet & REQ(PROCBASED2_CONTROLS), "unmet = %#" PRIx64, (u64)c.unmet);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED2].missing, VMX_PROC2CTL_ENABLE_EPT);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED2].value & VMX_PROC2CTL_ENABLE_EPT, 0);
}
END_TEST

/* If it failed, vmxlab would put the VMCS in write-back memory on a CPU that expects uncacheable, corrupting VMCS state. */
START_TEST(decide_memtype_uc)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_BASIC] &= ~(VMX_BASIC_MEMTYPE_MASK << VMX_BASIC_MEMTYPE_SHIFT);
	c.msr[VMXLAB_CAP_BASIC] |= (u64)VMX_MEMTYPE_UC << VMX_BASIC_MEMTYPE_SHIFT;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(VMCS_WRITE_BACK), "unmet = %#" PRIx64, (u64)c.unmet);
}
END_TEST

static void set_region_size(struct vmxlab_caps *c, u64 size)
{
	c->msr[VMXLAB_CAP_BASIC] &= ~(VMX_BASIC_REGION_SIZE_MASK << VMX_BASIC_REGION_SIZE_SHIFT);
	c->msr[VMXLAB_CAP_BASIC] |= size << VMX_BASIC_REGION_SIZE_SHIFT;
}

/*
 * If it failed, vmxlab would hand the CPU a one-page VMCS region that is
 * too small, and the CPU would overwrite the next page.
 * Bits 44:32 hold at most 8191 (8192 does not fit in 13 bits), so the
 * over-a-page cases are 4097 and 8191.
 */
START_TEST(decide_region_too_big)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	set_region_size(&c, 8191);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(VMCS_FITS_PAGE), "size 8191: unmet = %#" PRIx64, (u64)c.unmet);

	haswell_caps(&c);
	set_region_size(&c, 4097);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(VMCS_FITS_PAGE), "size 4097: unmet = %#" PRIx64, (u64)c.unmet);

	haswell_caps(&c);
	set_region_size(&c, 4096);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == 0, "size 4096: unmet = %#" PRIx64, (u64)c.unmet);
}
END_TEST

/* If it failed, vmxlab would place VMX structures above 4 GiB on a CPU limited to 32-bit addresses. */
START_TEST(decide_32bit_physaddr)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_BASIC] |= VMX_BASIC_PA_32BIT;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(FULL_PHYS_ADDR), "unmet = %#" PRIx64, (u64)c.unmet);
}
END_TEST

/* If it failed, vmxlab would load and then flush EPT with an INVEPT type the CPU does not support (#UD/VMfail). */
START_TEST(decide_no_invept_single)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_EPT_VPID] &= ~VMX_EPT_INVEPT_SINGLE_CONTEXT;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(INVEPT_SINGLE), "unmet = %#" PRIx64, (u64)c.unmet);

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_EPT_VPID] &= ~VMX_EPT_INVEPT;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(INVEPT_SINGLE), "no INVEPT: unmet = %#" PRIx64, (u64)c.unmet);
}
END_TEST

/* If it failed, vmxlab would flush VPIDs with an INVVPID type the CPU does not support. */
START_TEST(decide_no_invvpid_single)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_EPT_VPID] &= ~VMX_VPID_INVVPID_SINGLE_CONTEXT;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(INVVPID_SINGLE), "unmet = %#" PRIx64, (u64)c.unmet);
}
END_TEST

/* If it failed, vmxlab would build 4-level EPT tables in WB memory on a CPU that walks neither. */
START_TEST(decide_no_ept_walk4_or_wb)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_EPT_VPID] &= ~VMX_EPT_WALK_LENGTH_4;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(EPT_4_LEVEL), "unmet = %#" PRIx64, (u64)c.unmet);

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_EPT_VPID] &= ~VMX_EPT_MEMTYPE_WB;
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == REQ(EPT_WRITE_BACK), "unmet = %#" PRIx64, (u64)c.unmet);
}
END_TEST

/* If it failed, on a CPU without secondary controls (pre-Nehalem) vmxlab would load and believe it has EPT. */
START_TEST(decide_no_secondary_controls)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	cap_drop(&c, VMXLAB_CAP_PROCBASED2);	/* stale value left in msr[] */
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet & REQ(PROCBASED2_CONTROLS), "unmet = %#" PRIx64, (u64)c.unmet);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED2].missing, NEED_PROC2);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED2].value, 0);
}
END_TEST

/* If it failed, a CPU whose EPT/VPID MSR could not be read would be taken as having every EPT feature. */
START_TEST(decide_no_ept_vpid_msr)
{
	struct vmxlab_caps c;
	const u64 ept = REQ(EPT_4_LEVEL) | REQ(EPT_WRITE_BACK) | REQ(INVEPT_SINGLE) |
			REQ(INVVPID_SINGLE);

	haswell_caps(&c);
	cap_drop(&c, VMXLAB_CAP_EPT_VPID);	/* stale value left in msr[] */
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == ept, "unmet = %#" PRIx64 ", want %#" PRIx64, (u64)c.unmet, ept);
}
END_TEST

/* If it failed, the missing pin-based/exit/entry controls would not stop vmxlab from loading. */
START_TEST(decide_missing_pin_exit_entry)
{
	struct vmxlab_caps c;

	haswell_caps(&c);
	c.msr[VMXLAB_CAP_TRUE_PINBASED] &= ~((u64)VMX_PINCTL_NMI_EXITING << 32);
	c.msr[VMXLAB_CAP_TRUE_EXIT] &= ~((u64)VMX_EXITCTL_LOAD_EFER << 32);
	c.msr[VMXLAB_CAP_TRUE_ENTRY] &= ~((u64)VMX_ENTRYCTL_LOAD_PAT << 32);
	c.msr[VMXLAB_CAP_TRUE_PROCBASED] &= ~((u64)VMX_PROCCTL_MSR_BITMAPS << 32);
	vmx_caps_decide(&c);
	ck_assert_msg(c.unmet == (REQ(PINBASED_CONTROLS) | REQ(EXIT_CONTROLS) |
				  REQ(ENTRY_CONTROLS) | REQ(PROCBASED_CONTROLS)),
		      "unmet = %#" PRIx64, (u64)c.unmet);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PINBASED].missing, VMX_PINCTL_NMI_EXITING);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_EXIT].missing, VMX_EXITCTL_LOAD_EFER);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_ENTRY].missing, VMX_ENTRYCTL_LOAD_PAT);
	ck_assert_uint_eq(c.controls[VMXLAB_CTLS_PROCBASED].missing, VMX_PROCCTL_MSR_BITMAPS);
}
END_TEST

/* ------------------------------------------------------------------ */
/* BASIC / MISC decoders                                               */
/* ------------------------------------------------------------------ */

/* If it failed, VMXON/VMPTRLD would be given a wrong revision (VMfail) or `vmxlab caps` would misreport the VMCS. */
START_TEST(decode_basic)
{
	ck_assert_uint_eq(vmx_basic_revision(HSW_BASIC), 0x12);
	ck_assert_uint_eq(vmx_basic_region_size(HSW_BASIC), 1024);
	ck_assert_uint_eq(vmx_basic_memtype(HSW_BASIC), VMX_MEMTYPE_WB);
	/* Bit 31 is always 0 in the revision identifier (A.1). */
	ck_assert_uint_eq(vmx_basic_revision(0xffffffff80000004ULL), 4);
	ck_assert_uint_eq(vmx_basic_revision(0x7fffffffULL), 0x7fffffff);
	/* 4096: bit 44 set, bits 43:32 clear. */
	ck_assert_uint_eq(vmx_basic_region_size(0x0000100000000001ULL), 4096);
	ck_assert_uint_eq(vmx_basic_region_size(0x001f1fff00000000ULL), 0x1fff);
	ck_assert_uint_eq(vmx_basic_memtype(0x0000040000000001ULL), VMX_MEMTYPE_UC);
	ck_assert_uint_eq(vmx_basic_memtype(0xffc3ffffffffffffULL), 0);
	ck_assert_uint_eq(vmx_basic_memtype(0x003c000000000000ULL), 0xf);
}
END_TEST

/* If it failed, preemption-timer budgets, CR3-target use and MSR-list sizes would be computed wrong. */
START_TEST(decode_misc)
{
	ck_assert_uint_eq(vmx_misc_preempt_timer_rate(HSW_MISC), 5);
	ck_assert_uint_eq(vmx_misc_cr3_targets(HSW_MISC), 4);
	ck_assert_uint_eq(vmx_misc_max_msr_list(HSW_MISC), 512);
	ck_assert_uint_eq(vmx_misc_preempt_timer_rate(0xffffffffffffffe0ULL), 0);
	ck_assert_uint_eq(vmx_misc_preempt_timer_rate(0x1fULL), 31);
	ck_assert_uint_eq(vmx_misc_cr3_targets(0x01ff0000ULL), 511);
	ck_assert_uint_eq(vmx_misc_cr3_targets(~0x01ff0000ULL), 0);
	/* 512 * (N + 1), N = bits 27:25. */
	ck_assert_uint_eq(vmx_misc_max_msr_list(0ULL), 512);
	ck_assert_uint_eq(vmx_misc_max_msr_list(1ULL << 25), 1024);
	ck_assert_uint_eq(vmx_misc_max_msr_list(3ULL << 25), 2048);
	ck_assert_uint_eq(vmx_misc_max_msr_list(7ULL << 25), 4096);
	ck_assert_uint_eq(vmx_misc_max_msr_list(~(7ULL << 25)), 512);
}
END_TEST

Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");

	UNIT_ADD(s, "caps", choose_required_not_allowed_is_missing);
	UNIT_ADD(s, "caps", choose_optional_not_allowed_is_dropped);
	UNIT_ADD(s, "caps", choose_must_be_one_is_forced_on);
	UNIT_ADD(s, "caps", choose_records_request_and_zeroes_padding);
	UNIT_ADD(s, "caps", choose_property_random);
	UNIT_ADD(s, "caps", control_msr_true_when_basic55_and_valid);
	UNIT_ADD(s, "caps", control_msr_plain_without_basic55);
	UNIT_ADD(s, "caps", control_msr_plain_when_true_invalid);
	UNIT_ADD(s, "caps", control_msr_true_after_decide);
	UNIT_ADD(s, "caps", control_msr_procbased2_absent_is_zero);
	UNIT_ADD(s, "caps", bit_setting_sdm_a31);
	UNIT_ADD(s, "caps", fixed_cr0_linux_ok_pg_clear_reported);
	UNIT_ADD(s, "caps", fixed_cr4_vmxe_ok_clear_reported);
	UNIT_ADD(s, "caps", fixed_cr4_bit_outside_fixed1_reported);
	UNIT_ADD(s, "caps", decide_haswell_all_met);
	UNIT_ADD(s, "caps", decide_true_controls_not_forcing_cr3_exits);
	UNIT_ADD(s, "caps", decide_no_true_controls_forces_default1);
	UNIT_ADD(s, "caps", decide_true_controls_flag_means_true_msrs_used);
	UNIT_ADD(s, "caps", decide_no_ept);
	UNIT_ADD(s, "caps", decide_memtype_uc);
	UNIT_ADD(s, "caps", decide_region_too_big);
	UNIT_ADD(s, "caps", decide_32bit_physaddr);
	UNIT_ADD(s, "caps", decide_no_invept_single);
	UNIT_ADD(s, "caps", decide_no_invvpid_single);
	UNIT_ADD(s, "caps", decide_no_ept_walk4_or_wb);
	UNIT_ADD(s, "caps", decide_no_secondary_controls);
	UNIT_ADD(s, "caps", decide_no_ept_vpid_msr);
	UNIT_ADD(s, "caps", decide_missing_pin_exit_entry);
	UNIT_ADD(s, "caps", decode_basic);
	UNIT_ADD(s, "caps", decode_misc);
	return s;
}
