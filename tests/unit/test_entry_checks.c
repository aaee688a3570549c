// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of vmcs/entry_checks.c, the model of the VM-entry checks.
 *
 * The CPU is Bochs' emulated Haswell: its capability MSRs are read from
 * tools/tests/bochs-haswell.caps.hex (saved by `vmxlab info --save-caps`
 * inside Bochs), MAXPHYADDR is 39 and linear addresses have 48 bits.
 *
 * Three good VMCSs pass every check: a 64-bit guest, a real-mode guest
 * (unrestricted guest, the state vmxlab gives a vCPU at reset) and a
 * virtual-8086 guest.  Then, for every check, one test changes the fewest
 * fields that break exactly that rule and asserts that exactly that check
 * fails (a few rules cannot be broken alone; their tests name each check
 * that must fail).  If one failed, a student would be told the wrong
 * reason for a failed VMLAUNCH, or a wrong reason for one that works.
 */
#include <stdio.h>
#include <string.h>

#include <vmxlab/caps.h>
#include <vmxlab/entry_checks.h>
#include <vmxlab/names.h>
#include <vmxlab/vmcs_fields.h>
#include <vmxlab/vmx_arch.h>

#include "unit.h"

#ifndef VMXLAB_CAPS_FIXTURE
#error "the Makefile passes -DVMXLAB_CAPS_FIXTURE=<path of bochs-haswell.caps.hex>"
#endif

#define MAXPHYADDR	39
#define NONCANONICAL	0x0000800000000000ULL

/* ---- The CPU: Bochs' capability MSRs --------------------------------- */

static struct vmxlab_caps bochs_caps;

/* Read the saved struct vmxlab_caps: hex bytes, 16 a line, '#' comments. */
static void load_bochs_caps(struct vmxlab_caps *caps)
{
	FILE *f = fopen(VMXLAB_CAPS_FIXTURE, "r");
	unsigned char *bytes = (unsigned char *)caps;
	size_t n = 0;
	char line[256];

	ck_assert_msg(f != NULL, "cannot open %s", VMXLAB_CAPS_FIXTURE);
	memset(caps, 0, sizeof(*caps));
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		unsigned int byte;

		if (line[0] == '#')
			continue;
		while (sscanf(p, "%2x", &byte) == 1) {
			ck_assert_msg(n < sizeof(*caps), "%s: more than %zu bytes",
				      VMXLAB_CAPS_FIXTURE, sizeof(*caps));
			bytes[n++] = byte;
			p += 2;
		}
	}
	fclose(f);
	ck_assert_msg(n == sizeof(*caps), "%s: %zu bytes, struct vmxlab_caps has %zu",
		      VMXLAB_CAPS_FIXTURE, n, sizeof(*caps));
}

/* ---- A VMCS in memory, read through the checker's callback ----------- */

#define MAX_FIELDS	256

struct fake_vmcs {
	unsigned int count;
	u32 field[MAX_FIELDS];
	u64 value[MAX_FIELDS];
};

static u64 *slot(struct fake_vmcs *v, u32 field)
{
	unsigned int i;

	for (i = 0; i < v->count; i++)
		if (v->field[i] == field)
			return &v->value[i];
	ck_abort_msg("field 0x%x is not in vmcs_fields.h", field);
	return NULL;
}

static bool fake_read(void *ctx, u32 field, u64 *value)
{
	struct fake_vmcs *v = ctx;
	unsigned int i;

	for (i = 0; i < v->count; i++) {
		if (v->field[i] == field) {
			*value = v->value[i];
			return true;
		}
	}
	return false;
}

static void set(struct fake_vmcs *v, u32 field, u64 value)
{
	*slot(v, field) = value;
}

/* Every field of vmcs_fields.h, all 0. */
static void vmcs_clear(struct fake_vmcs *v)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->count = vmcs_field_count();
	ck_assert_uint_le(v->count, MAX_FIELDS);
	for (i = 0; i < v->count; i++)
		v->field[i] = vmcs_field_encoding(i);
}

/* Segment access rights, as in the table "Format of Access Rights". */
#define AR_S		0x10
#define AR_DPL(n)	((n) << 5)
#define AR_P		0x80
#define AR_L		0x2000
#define AR_DB		0x4000
#define AR_G		0x8000
#define AR_UNUSABLE	0x10000

#define CR0_PE		0x1ULL
#define CR0_ET		0x10ULL
#define CR0_NE		0x20ULL
#define CR0_WP		0x10000ULL
#define CR0_NW		0x20000000ULL
#define CR0_CD		0x40000000ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL
#define CR4_OSFXSR	0x200ULL
#define CR4_VMXE	0x2000ULL
#define CR4_PCIDE	0x20000ULL
#define EFER_SCE	0x1ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL
#define EFER_NXE	0x800ULL
#define RFLAGS_FIXED	0x2ULL
#define RFLAGS_IF	0x200ULL
#define RFLAGS_VM	0x20000ULL
#define PAT_DEFAULT	0x0007040600070406ULL

static void segment(struct fake_vmcs *v, int seg, u64 sel, u64 base, u64 limit, u64 ar)
{
	/* ES, CS, SS, DS, FS, GS, LDTR, TR: encodings 2 apart. */
	set(v, VMCS_GUEST_ES_SELECTOR + 2 * seg, sel);
	set(v, VMCS_GUEST_ES_BASE + 2 * seg, base);
	set(v, VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	set(v, VMCS_GUEST_ES_AR_BYTES + 2 * seg, ar);
}

enum { ES, CS, SS, DS, FS, GS, LDTR, TR };

/*
 * Controls as vmxlab chooses them on this CPU (vmx_caps_decide), the host
 * state of a 64-bit Linux kernel, and the guest fields every mode shares.
 */
static void common_state(struct fake_vmcs *v, const struct vmxlab_caps *caps)
{
	struct vmxlab_caps decided = *caps;

	vmx_caps_decide(&decided);
	vmcs_clear(v);
	set(v, VMCS_PIN_BASED_VM_EXEC_CONTROL, decided.controls[VMXLAB_CTLS_PINBASED].value);
	set(v, VMCS_CPU_BASED_VM_EXEC_CONTROL, decided.controls[VMXLAB_CTLS_PROCBASED].value);
	set(v, VMCS_SECONDARY_VM_EXEC_CONTROL, decided.controls[VMXLAB_CTLS_PROCBASED2].value);
	set(v, VMCS_VM_EXIT_CONTROLS, decided.controls[VMXLAB_CTLS_EXIT].value);
	set(v, VMCS_VM_ENTRY_CONTROLS, decided.controls[VMXLAB_CTLS_ENTRY].value);
	set(v, VMCS_MSR_BITMAP, 0x5000);
	set(v, VMCS_EPT_POINTER, 0x6000 | (3 << 3) | VMX_MEMTYPE_WB);
	set(v, VMCS_VIRTUAL_PROCESSOR_ID, 1);
	set(v, VMCS_VMX_PREEMPTION_TIMER_VALUE, 100000);
	set(v, VMCS_CR0_GUEST_HOST_MASK, ~0ULL);
	set(v, VMCS_CR4_GUEST_HOST_MASK, ~0ULL);

	set(v, VMCS_HOST_CR0, CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG | 0x40002);
	set(v, VMCS_HOST_CR3, 0x10000);
	set(v, VMCS_HOST_CR4, CR4_PAE | CR4_OSFXSR | CR4_VMXE);
	set(v, VMCS_HOST_CS_SELECTOR, 0x10);
	set(v, VMCS_HOST_SS_SELECTOR, 0x18);
	set(v, VMCS_HOST_TR_SELECTOR, 0x40);
	set(v, VMCS_HOST_GS_BASE, 0xffff888000000000ULL);
	set(v, VMCS_HOST_TR_BASE, 0xfffffe0000003000ULL);
	set(v, VMCS_HOST_GDTR_BASE, 0xfffffe0000001000ULL);
	set(v, VMCS_HOST_IDTR_BASE, 0xfffffe0000000000ULL);
	set(v, VMCS_HOST_IA32_PAT, 0x0407050600070106ULL);
	set(v, VMCS_HOST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	set(v, VMCS_HOST_RIP, 0xffffffff81000000ULL);
	set(v, VMCS_HOST_RSP, 0xffffc90000004000ULL);

	set(v, VMCS_GUEST_IA32_PAT, PAT_DEFAULT);
	set(v, VMCS_GUEST_DR7, 0x400);
	set(v, VMCS_VMCS_LINK_POINTER, ~0ULL);
}

/* A 64-bit guest: flat segments, paging, EFER.LMA, like `vmxlab run --mode long`. */
static void good_long(struct fake_vmcs *v, const struct vmxlab_caps *caps)
{
	common_state(v, caps);
	set(v, VMCS_VM_ENTRY_CONTROLS,
	    *slot(v, VMCS_VM_ENTRY_CONTROLS) | VMX_ENTRYCTL_IA32E_GUEST);
	segment(v, CS, 0x08, 0, 0xffffffff, AR_G | AR_L | AR_P | AR_S | 0xb);
	segment(v, SS, 0x10, 0, 0xffffffff, AR_G | AR_DB | AR_P | AR_S | 0x3);
	segment(v, DS, 0x10, 0, 0xffffffff, AR_G | AR_DB | AR_P | AR_S | 0x3);
	segment(v, ES, 0x10, 0, 0xffffffff, AR_G | AR_DB | AR_P | AR_S | 0x3);
	segment(v, FS, 0x10, 0, 0xffffffff, AR_G | AR_DB | AR_P | AR_S | 0x3);
	segment(v, GS, 0x10, 0, 0xffffffff, AR_G | AR_DB | AR_P | AR_S | 0x3);
	segment(v, TR, 0x18, 0x1000, 0x67, AR_P | 0xb);
	segment(v, LDTR, 0, 0, 0, AR_UNUSABLE);
	set(v, VMCS_GUEST_GDTR_BASE, 0x2000);
	set(v, VMCS_GUEST_GDTR_LIMIT, 0x1f);
	set(v, VMCS_GUEST_IDTR_LIMIT, 0xfff);
	set(v, VMCS_GUEST_CR0, CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG);
	set(v, VMCS_GUEST_CR3, 0x3000);
	set(v, VMCS_GUEST_CR4, CR4_PAE | CR4_VMXE);
	set(v, VMCS_GUEST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	set(v, VMCS_GUEST_RIP, 0xffffffff80001000ULL);
	set(v, VMCS_GUEST_RSP, 0x8000);
	set(v, VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
}

/* Real mode after RESET, run natively with "unrestricted guest" (vmcs/setup.c). */
static void good_real(struct fake_vmcs *v, const struct vmxlab_caps *caps)
{
	common_state(v, caps);
	segment(v, CS, 0xf000, 0xffff0000, 0xffff, AR_P | AR_S | 0xb);
	segment(v, SS, 0, 0, 0xffff, AR_P | AR_S | 0x3);
	segment(v, DS, 0, 0, 0xffff, AR_P | AR_S | 0x3);
	segment(v, ES, 0, 0, 0xffff, AR_P | AR_S | 0x3);
	segment(v, FS, 0, 0, 0xffff, AR_P | AR_S | 0x3);
	segment(v, GS, 0, 0, 0xffff, AR_P | AR_S | 0x3);
	segment(v, TR, 0, 0, 0xffff, AR_P | 0xb);
	segment(v, LDTR, 0, 0, 0xffff, AR_P | 0x2);
	set(v, VMCS_GUEST_GDTR_LIMIT, 0xffff);
	set(v, VMCS_GUEST_IDTR_LIMIT, 0xffff);
	/* CD and NW as at RESET: never checked. */
	set(v, VMCS_GUEST_CR0, CR0_ET | CR0_NE | CR0_CD | CR0_NW);
	set(v, VMCS_GUEST_CR4, CR4_VMXE);
	set(v, VMCS_GUEST_RIP, 0xfff0);
	set(v, VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
}

/* Virtual-8086 mode: protected mode without paging, RFLAGS.VM, 0xF3 segments. */
static void good_v86(struct fake_vmcs *v, const struct vmxlab_caps *caps)
{
	int seg;

	common_state(v, caps);
	for (seg = ES; seg <= GS; seg++)
		segment(v, seg, 0x1000, 0x10000, 0xffff, 0xf3);
	segment(v, TR, 0x18, 0x1000, 0x67, AR_P | 0xb);
	segment(v, LDTR, 0, 0, 0, AR_UNUSABLE);
	set(v, VMCS_GUEST_GDTR_BASE, 0x2000);
	set(v, VMCS_GUEST_GDTR_LIMIT, 0x1f);
	set(v, VMCS_GUEST_IDTR_LIMIT, 0x7ff);
	set(v, VMCS_GUEST_CR0, CR0_PE | CR0_ET | CR0_NE);
	set(v, VMCS_GUEST_CR4, CR4_VMXE);
	set(v, VMCS_GUEST_RIP, 0x100);
	set(v, VMCS_GUEST_RFLAGS, RFLAGS_FIXED | RFLAGS_VM);
}

/* ---- Running the checker --------------------------------------------- */

#define MAX_FAILURES	32

struct result {
	int count;
	struct entry_check_failure f[MAX_FAILURES];
	char ids[1024];		/* the ids, space-separated, for messages */
};

static void run(struct fake_vmcs *v, const struct vmxlab_caps *caps, struct result *res)
{
	struct entry_check_cpu cpu = {
		.caps = caps, .maxphyaddr = MAXPHYADDR, .linear_bits = 48,
	};
	int i;

	memset(res, 0, sizeof(*res));
	res->count = entry_checks_run(&cpu, fake_read, v, res->f, MAX_FAILURES);
	for (i = 0; i < res->count && i < MAX_FAILURES; i++) {
		size_t len = strlen(res->ids);

		snprintf(res->ids + len, sizeof(res->ids) - len, "%s%s",
			 i ? " " : "", res->f[i].id);
	}
}

static void assert_passes(struct fake_vmcs *v, const struct vmxlab_caps *caps)
{
	struct result res;

	run(v, caps, &res);
	ck_assert_msg(res.count == 0, "a good VMCS fails: %s (field 0x%x value 0x%llx)",
		      res.ids, res.count ? res.f[0].field : 0,
		      res.count ? (unsigned long long)res.f[0].value : 0ULL);
}

/* If it failed, the model would reject the state vmxlab's own vCPUs start in. */
START_TEST(good_long_mode_passes)
{
	struct fake_vmcs v;

	good_long(&v, &bochs_caps);
	assert_passes(&v, &bochs_caps);
}
END_TEST

/* If it failed, the model would reject a real-mode guest that VMLAUNCH accepts. */
START_TEST(good_real_mode_passes)
{
	struct fake_vmcs v;

	good_real(&v, &bochs_caps);
	assert_passes(&v, &bochs_caps);
}
END_TEST

/* If it failed, the model would reject a virtual-8086 guest that VMLAUNCH accepts. */
START_TEST(good_v86_mode_passes)
{
	struct fake_vmcs v;

	good_v86(&v, &bochs_caps);
	assert_passes(&v, &bochs_caps);
}
END_TEST

/* ---- One broken rule per test ---------------------------------------- */

enum edit_op { SET, OR, CLR, CAP_OR, CAP_CLR };

struct edit {
	enum edit_op op;
	u32 what;		/* a VMCS field, or an enum vmxlab_cap_msr */
	u64 value;
};

#define E_SET(f, v)	{ SET, VMCS_##f, (v) }
#define E_OR(f, v)	{ OR, VMCS_##f, (v) }
#define E_CLR(f, v)	{ CLR, VMCS_##f, (v) }
/* Change what the CPU allows: for the features Bochs lacks. */
#define E_CAP_OR(m, v)	{ CAP_OR, VMXLAB_CAP_##m, (v) }
#define E_CAP_CLR(m, v)	{ CAP_CLR, VMXLAB_CAP_##m, (v) }

typedef void (*base_fn)(struct fake_vmcs *v, const struct vmxlab_caps *caps);

/*
 * Build the good VMCS of @base, apply @edits, run the checker, and assert
 * that the failing checks are exactly @expected (space-separated, in the
 * order the checker reports them).
 */
static void expect_failures(base_fn base, const char *expected,
			    const struct edit *edits, unsigned int n)
{
	struct vmxlab_caps caps = bochs_caps;
	struct fake_vmcs v;
	struct result res;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (edits[i].op == CAP_OR)
			caps.msr[edits[i].what] |= edits[i].value;
		else if (edits[i].op == CAP_CLR)
			caps.msr[edits[i].what] &= ~edits[i].value;
	}
	base(&v, &caps);
	for (i = 0; i < n; i++) {
		switch (edits[i].op) {
		case SET:
			*slot(&v, edits[i].what) = edits[i].value;
			break;
		case OR:
			*slot(&v, edits[i].what) |= edits[i].value;
			break;
		case CLR:
			*slot(&v, edits[i].what) &= ~edits[i].value;
			break;
		default:
			break;
		}
	}
	run(&v, &caps, &res);
	ck_assert_msg(strcmp(res.ids, expected) == 0, "expected [%s], the model found [%s]",
		      expected, res.ids);
	for (i = 0; i < (unsigned int)res.count; i++) {
		ck_assert_ptr_nonnull(res.f[i].section);
		ck_assert_ptr_nonnull(res.f[i].rule);
		ck_assert_ptr_eq(res.f[i].check->id, res.f[i].id);
	}
}

/* Edits that many tests share. */
#define HOST_32BIT							\
	E_CLR(VM_EXIT_CONTROLS, VMX_EXITCTL_HOST_ADDR_SPACE),		\
	E_SET(HOST_IA32_EFER, 0), E_SET(HOST_RIP, 0x100000)
#define TPR_SHADOW							\
	E_OR(CPU_BASED_VM_EXEC_CONTROL, VMX_PROCCTL_TPR_SHADOW),	\
	E_SET(VIRTUAL_APIC_PAGE_ADDR, 0x9000)
#define POSTED_INTR							\
	E_CAP_OR(TRUE_PINBASED, VMX_PINCTL_POSTED_INTR << 32),		\
	E_OR(PIN_BASED_VM_EXEC_CONTROL, VMX_PINCTL_POSTED_INTR),	\
	E_SET(POSTED_INTR_NOTIFICATION_VECTOR, 0xf2),			\
	E_SET(POSTED_INTR_DESC_ADDR, 0xb000)
#define VID								\
	TPR_SHADOW,							\
	E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_VIRT_INTR_DELIVERY)
#define ACK_INTR	E_OR(VM_EXIT_CONTROLS, VMX_EXITCTL_ACK_INTR_ON_EXIT)
#define SHADOWING							\
	E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_VMCS_SHADOWING),	\
	E_SET(VMREAD_BITMAP, 0xd000), E_SET(VMWRITE_BITMAP, 0xe000)
#define NO_UG	E_CLR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_UNRESTRICTED_GUEST)
#define PML_ALLOWED	E_CAP_OR(PROCBASED2, VMX_PROC2CTL_ENABLE_PML << 32)
#define HLT	E_SET(GUEST_ACTIVITY_STATE, 1)
/* Interruption information: valid, type, vector. */
#define INJECT(type, vector)	(0x80000000ULL | ((u64)(type) << 8) | (vector))
#define SEL_LDTR_OK	E_SET(GUEST_LDTR_SELECTOR, 0x20), E_SET(GUEST_LDTR_LIMIT, 0xffff)

/*
 * X(test name, good base, expected failing ids, edits...): one line per
 * check of the model, in the order of entry_check_table.
 */
#define BREAK_TESTS(X)							\
	X(pin_allowed, good_long, "ctls.pin.allowed",			\
	  E_CLR(PIN_BASED_VM_EXEC_CONTROL, 1u << 1))			\
	X(proc_allowed, good_long, "ctls.proc.allowed",			\
	  E_CLR(CPU_BASED_VM_EXEC_CONTROL, 1u << 1))			\
	X(proc2_allowed, good_long, "ctls.proc2.allowed",		\
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_ENCLS_EXITING))	\
	X(cr3_target_count, good_long, "ctls.cr3_target_count",		\
	  E_SET(CR3_TARGET_COUNT, 5))					\
	X(io_bitmap_a, good_long, "ctls.io_bitmap_a.addr",		\
	  E_OR(CPU_BASED_VM_EXEC_CONTROL, VMX_PROCCTL_IO_BITMAPS),	\
	  E_SET(IO_BITMAP_A, 0x7001), E_SET(IO_BITMAP_B, 0x8000))	\
	X(io_bitmap_b, good_long, "ctls.io_bitmap_b.addr",		\
	  E_OR(CPU_BASED_VM_EXEC_CONTROL, VMX_PROCCTL_IO_BITMAPS),	\
	  E_SET(IO_BITMAP_A, 0x7000), E_SET(IO_BITMAP_B, 1ULL << MAXPHYADDR)) \
	X(msr_bitmap, good_long, "ctls.msr_bitmap.addr",		\
	  E_SET(MSR_BITMAP, 0x5008))					\
	X(virtual_apic, good_long, "ctls.virtual_apic.addr",		\
	  TPR_SHADOW, E_SET(VIRTUAL_APIC_PAGE_ADDR, 0x9010))		\
	X(tpr_threshold, good_long, "ctls.tpr_threshold.reserved",	\
	  TPR_SHADOW, E_SET(TPR_THRESHOLD, 0x10))			\
	X(vnmi_without_nmi_exiting, good_long, "ctls.pin.virtual_nmis_without_nmi_exiting", \
	  E_CLR(PIN_BASED_VM_EXEC_CONTROL, VMX_PINCTL_NMI_EXITING))	\
	X(nmi_window_without_vnmi, good_long, "ctls.proc.nmi_window_without_virtual_nmis", \
	  E_CLR(PIN_BASED_VM_EXEC_CONTROL, VMX_PINCTL_VIRTUAL_NMIS),	\
	  E_OR(CPU_BASED_VM_EXEC_CONTROL, VMX_PROCCTL_NMI_WINDOW_EXITING)) \
	X(apic_access, good_long, "ctls.apic_access.addr",		\
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_VIRT_APIC_ACCESSES), \
	  E_SET(APIC_ACCESS_ADDR, 0xa001))				\
	X(apicv_without_tpr_shadow, good_long, "ctls.proc2.apicv_without_tpr_shadow", \
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_APIC_REG_VIRT))	\
	X(x2apic_with_apic_accesses, good_long, "ctls.proc2.x2apic_with_apic_accesses", \
	  TPR_SHADOW,							\
	  E_OR(SECONDARY_VM_EXEC_CONTROL,				\
	       VMX_PROC2CTL_VIRT_X2APIC | VMX_PROC2CTL_VIRT_APIC_ACCESSES), \
	  E_SET(APIC_ACCESS_ADDR, 0xa000))				\
	X(vid_without_ext_intr_exiting, good_long, "ctls.proc2.vid_without_ext_intr_exiting", \
	  VID, E_CLR(PIN_BASED_VM_EXEC_CONTROL, VMX_PINCTL_EXT_INTR_EXITING)) \
	X(posted_intr_without_vid, good_long, "ctls.pin.posted_intr_without_vid", \
	  POSTED_INTR, ACK_INTR)					\
	X(posted_intr_without_ack, good_long, "ctls.pin.posted_intr_without_ack", \
	  POSTED_INTR, VID)						\
	X(posted_intr_vector, good_long, "ctls.posted_intr.vector",	\
	  POSTED_INTR, VID, ACK_INTR,					\
	  E_SET(POSTED_INTR_NOTIFICATION_VECTOR, 0x1f2))		\
	X(posted_intr_desc_addr, good_long, "ctls.posted_intr.desc_addr", \
	  POSTED_INTR, VID, ACK_INTR, E_SET(POSTED_INTR_DESC_ADDR, 0xb020)) \
	X(vpid_zero, good_long, "ctls.vpid.zero",			\
	  E_SET(VIRTUAL_PROCESSOR_ID, 0))				\
	X(eptp_memtype, good_long, "ctls.eptp.memtype",			\
	  E_SET(EPT_POINTER, 0x6000 | (3 << 3) | 1))			\
	X(eptp_walk_length, good_long, "ctls.eptp.walk_length",		\
	  E_SET(EPT_POINTER, 0x6000 | (2 << 3) | 6))			\
	X(eptp_accessed_dirty, good_long, "ctls.eptp.accessed_dirty",	\
	  E_CAP_CLR(EPT_VPID, VMX_EPT_ACCESSED_DIRTY),			\
	  E_OR(EPT_POINTER, 1u << 6))					\
	X(eptp_reserved, good_long, "ctls.eptp.reserved",		\
	  E_OR(EPT_POINTER, 1u << 8))					\
	X(unrestricted_without_ept, good_long, "ctls.proc2.unrestricted_without_ept", \
	  E_CLR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_ENABLE_EPT))	\
	X(pml_without_ept, good_long, "ctls.proc2.pml_without_ept",	\
	  PML_ALLOWED, NO_UG,						\
	  E_CLR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_ENABLE_EPT),	\
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_ENABLE_PML),	\
	  E_SET(PML_ADDRESS, 0xc000))					\
	X(pml_addr, good_long, "ctls.pml.addr",				\
	  PML_ALLOWED,							\
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_ENABLE_PML),	\
	  E_SET(PML_ADDRESS, 0xc001))					\
	X(vmfunc_allowed, good_long, "ctls.vmfunc.allowed",		\
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_ENABLE_VMFUNC),	\
	  E_SET(VM_FUNCTION_CONTROLS, 2))				\
	X(vmread_bitmap, good_long, "ctls.vmread_bitmap.addr",		\
	  SHADOWING, E_SET(VMREAD_BITMAP, 0xd800))			\
	X(vmwrite_bitmap, good_long, "ctls.vmwrite_bitmap.addr",	\
	  SHADOWING, E_SET(VMWRITE_BITMAP, 1ULL << 40))			\
	X(ve_info, good_long, "ctls.ve_info.addr",			\
	  E_OR(SECONDARY_VM_EXEC_CONTROL, VMX_PROC2CTL_EPT_VIOLATION_VE), \
	  E_SET(VE_INFORMATION_ADDRESS, 0xf001))			\
	X(exit_allowed, good_long, "ctls.exit.allowed",			\
	  E_CLR(VM_EXIT_CONTROLS, 1u << 0))				\
	X(save_timer_without_timer, good_long, "ctls.exit.save_timer_without_timer", \
	  E_CLR(PIN_BASED_VM_EXEC_CONTROL, VMX_PINCTL_PREEMPT_TIMER),	\
	  E_OR(VM_EXIT_CONTROLS, VMX_EXITCTL_SAVE_PREEMPT_TIMER))	\
	X(exit_msr_store, good_long, "ctls.exit.msr_store.addr",	\
	  E_SET(VM_EXIT_MSR_STORE_COUNT, 1), E_SET(VM_EXIT_MSR_STORE_ADDR, 0x10008)) \
	X(exit_msr_load, good_long, "ctls.exit.msr_load.addr",		\
	  E_SET(VM_EXIT_MSR_LOAD_COUNT, 2),				\
	  E_SET(VM_EXIT_MSR_LOAD_ADDR, (1ULL << MAXPHYADDR) - 16))	\
	X(entry_allowed, good_long, "ctls.entry.allowed",		\
	  E_CLR(VM_ENTRY_CONTROLS, 1u << 0))				\
	X(inject_type, good_long, "ctls.entry.intr_info.type",		\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(1, 0)))			\
	X(inject_vector, good_long, "ctls.entry.intr_info.vector",	\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(2, 3)))			\
	X(inject_error_code_bit, good_long, "ctls.entry.intr_info.deliver_error_code", \
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(3, 13)))			\
	X(inject_reserved, good_long, "ctls.entry.intr_info.reserved",	\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(3, 6) | (1u << 12)))		\
	X(inject_error_code, good_long, "ctls.entry.error_code.reserved", \
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(3, 13) | (1u << 11)),	\
	  E_SET(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000))		\
	X(inject_insn_len, good_long, "ctls.entry.instruction_len",	\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(4, 0x80)))			\
	X(entry_msr_load, good_long, "ctls.entry.msr_load.addr",	\
	  E_SET(VM_ENTRY_MSR_LOAD_COUNT, 1), E_SET(VM_ENTRY_MSR_LOAD_ADDR, 0x10004)) \
	X(entry_smm, good_long, "ctls.entry.smm_outside_smm",		\
	  E_OR(VM_ENTRY_CONTROLS, VMX_ENTRYCTL_ENTRY_TO_SMM))		\
	X(host_cr0_fixed, good_long, "host.cr0.fixed",			\
	  E_CLR(HOST_CR0, CR0_NE))					\
	X(host_cr4_fixed, good_long, "host.cr4.fixed",			\
	  E_CLR(HOST_CR4, CR4_VMXE))					\
	X(host_cr3_width, good_long, "host.cr3.width",			\
	  E_SET(HOST_CR3, 1ULL << MAXPHYADDR))				\
	X(host_sysenter_esp, good_long, "host.sysenter_esp.canonical",	\
	  E_SET(HOST_IA32_SYSENTER_ESP, NONCANONICAL))			\
	X(host_sysenter_eip, good_long, "host.sysenter_eip.canonical",	\
	  E_SET(HOST_IA32_SYSENTER_EIP, NONCANONICAL))			\
	X(host_pat, good_long, "host.pat.memtype",			\
	  E_SET(HOST_IA32_PAT, PAT_DEFAULT | (2ULL << 56)))		\
	X(host_efer_reserved, good_long, "host.efer.reserved",		\
	  E_OR(HOST_IA32_EFER, 1u << 1))				\
	X(host_efer_lma_lme, good_long, "host.efer.lma_lme",		\
	  E_CLR(HOST_IA32_EFER, EFER_LME))				\
	X(host_sel_rpl_ti, good_long, "host.sel.rpl_ti",		\
	  E_SET(HOST_DS_SELECTOR, 0x4))					\
	X(host_cs_null, good_long, "host.cs.null",			\
	  E_SET(HOST_CS_SELECTOR, 0))					\
	X(host_tr_null, good_long, "host.tr.null",			\
	  E_SET(HOST_TR_SELECTOR, 0))					\
	X(host_ss_null, good_real, "host.ss.null host.addr_space_size",	\
	  HOST_32BIT, E_SET(HOST_SS_SELECTOR, 0))			\
	X(host_base_canonical, good_long, "host.base.canonical",	\
	  E_SET(HOST_GS_BASE, NONCANONICAL))				\
	X(host_addr_space, good_real, "host.addr_space_size",		\
	  HOST_32BIT)							\
	X(host_32_ia32e_guest, good_long, "host.addr_space_size host.addr_space.ia32e_guest", \
	  HOST_32BIT)							\
	X(host_32_pcide, good_real, "host.addr_space_size host.cr4.pcide", \
	  HOST_32BIT, E_OR(HOST_CR4, CR4_PCIDE))			\
	X(host_32_rip, good_real, "host.addr_space_size host.rip.high",	\
	  HOST_32BIT, E_SET(HOST_RIP, 1ULL << 32))			\
	X(host_64_pae, good_long, "host.cr4.pae",			\
	  E_CLR(HOST_CR4, CR4_PAE))					\
	X(host_64_rip, good_long, "host.rip.canonical",			\
	  E_SET(HOST_RIP, NONCANONICAL))				\
	X(guest_cr0_fixed, good_long, "guest.cr0.fixed",		\
	  E_CLR(GUEST_CR0, CR0_NE))					\
	X(guest_cr0_pg_without_pe, good_real, "guest.cr0.pg_without_pe", \
	  E_OR(GUEST_CR0, CR0_PG))					\
	X(guest_cr4_fixed, good_long, "guest.cr4.fixed",		\
	  E_CLR(GUEST_CR4, CR4_VMXE))					\
	X(guest_dr7_high, good_long, "guest.dr7.high",			\
	  E_OR(VM_ENTRY_CONTROLS, VMX_ENTRYCTL_LOAD_DEBUG_CTLS),	\
	  E_SET(GUEST_DR7, 0x400 | (1ULL << 32)))			\
	X(guest_ia32e_pg, good_long, "guest.ia32e.cr0_pg",		\
	  E_CLR(GUEST_CR0, CR0_PG))					\
	X(guest_ia32e_pae, good_long, "guest.ia32e.cr4_pae",		\
	  E_CLR(GUEST_CR4, CR4_PAE))					\
	X(guest_pcide, good_real, "guest.cr4.pcide",			\
	  E_OR(GUEST_CR4, CR4_PCIDE))					\
	X(guest_cr3_width, good_long, "guest.cr3.width",		\
	  E_SET(GUEST_CR3, 0x3000 | (1ULL << 45)))			\
	X(guest_sysenter_esp, good_long, "guest.sysenter_esp.canonical", \
	  E_SET(GUEST_SYSENTER_ESP, NONCANONICAL))			\
	X(guest_sysenter_eip, good_long, "guest.sysenter_eip.canonical", \
	  E_SET(GUEST_SYSENTER_EIP, NONCANONICAL))			\
	X(guest_pat, good_long, "guest.pat.memtype",			\
	  E_SET(GUEST_IA32_PAT, 0x0007040600070403ULL))			\
	X(guest_efer_reserved, good_long, "guest.efer.reserved",	\
	  E_OR(GUEST_IA32_EFER, 1u << 2))				\
	X(guest_efer_lma, good_real, "guest.efer.lma",			\
	  E_OR(GUEST_IA32_EFER, EFER_LMA))				\
	X(guest_efer_lme, good_long, "guest.efer.lme",			\
	  E_CLR(GUEST_IA32_EFER, EFER_LME))				\
	X(tr_sel_ti, good_long, "guest.tr.sel_ti",			\
	  E_SET(GUEST_TR_SELECTOR, 0x1c))				\
	X(ldtr_sel_ti, good_long, "guest.ldtr.sel_ti",			\
	  SEL_LDTR_OK, E_SET(GUEST_LDTR_AR_BYTES, AR_P | 0x2),		\
	  E_SET(GUEST_LDTR_SELECTOR, 0x24))				\
	X(ss_sel_rpl, good_long, "guest.ss.sel_rpl",			\
	  NO_UG, E_SET(GUEST_CS_SELECTOR, 0x0b))			\
	X(v86_base, good_v86, "guest.v86.base",				\
	  E_SET(GUEST_DS_BASE, 0x10010))				\
	X(seg_base_canonical, good_long, "guest.seg.base_canonical",	\
	  E_SET(GUEST_FS_BASE, NONCANONICAL))				\
	X(seg_base_high, good_long, "guest.seg.base_high",		\
	  E_SET(GUEST_DS_BASE, 1ULL << 32))				\
	X(v86_limit, good_v86, "guest.v86.limit",			\
	  E_SET(GUEST_DS_LIMIT, 0xfffff))				\
	X(v86_ar, good_v86, "guest.v86.ar",				\
	  E_SET(GUEST_DS_AR_BYTES, 0xf1))				\
	X(cs_type, good_long, "guest.cs.type",				\
	  E_CLR(GUEST_CS_AR_BYTES, 0x1))				\
	X(ss_type, good_long, "guest.ss.type",				\
	  E_CLR(GUEST_SS_AR_BYTES, 0x2))				\
	X(data_type, good_long, "guest.seg.type",			\
	  E_CLR(GUEST_DS_AR_BYTES, 0x1))				\
	X(seg_s, good_long, "guest.seg.s",				\
	  E_CLR(GUEST_ES_AR_BYTES, AR_S))				\
	X(cs_dpl_type3, good_real, "guest.cs.dpl_type3",		\
	  E_SET(GUEST_CS_AR_BYTES, AR_P | AR_S | AR_DPL(1) | 0x3))	\
	X(cs_dpl_nonconforming, good_long, "guest.cs.dpl_nonconforming", \
	  E_OR(GUEST_CS_AR_BYTES, AR_DPL(3)))				\
	X(cs_dpl_conforming, good_long, "guest.cs.dpl_conforming",	\
	  E_OR(GUEST_CS_AR_BYTES, AR_DPL(3) | 0x4))			\
	X(ss_dpl_rpl, good_long, "guest.ss.dpl_rpl",			\
	  NO_UG, E_OR(GUEST_SS_AR_BYTES, AR_DPL(3)),			\
	  E_OR(GUEST_CS_AR_BYTES, AR_DPL(3)))				\
	X(ss_dpl_zero, good_real, "guest.ss.dpl_zero",			\
	  E_OR(GUEST_SS_AR_BYTES, AR_DPL(1)),				\
	  E_OR(GUEST_CS_AR_BYTES, AR_DPL(1)))				\
	X(data_dpl_rpl, good_long, "guest.seg.dpl_rpl",			\
	  NO_UG, E_SET(GUEST_DS_SELECTOR, 0x13))			\
	X(seg_present, good_long, "guest.seg.present",			\
	  E_CLR(GUEST_GS_AR_BYTES, AR_P))				\
	X(seg_ar_reserved, good_long, "guest.seg.ar_reserved",		\
	  E_OR(GUEST_DS_AR_BYTES, 1u << 8))				\
	X(cs_db_with_l, good_long, "guest.cs.db_with_l",		\
	  E_OR(GUEST_CS_AR_BYTES, AR_DB))				\
	X(seg_g_limit, good_long, "guest.seg.g_limit",			\
	  E_SET(GUEST_DS_LIMIT, 0xffff000))				\
	X(tr_type, good_long, "guest.tr.type",				\
	  E_SET(GUEST_TR_AR_BYTES, AR_P | 0x3))				\
	X(tr_s, good_long, "guest.tr.s",				\
	  E_OR(GUEST_TR_AR_BYTES, AR_S))				\
	X(tr_unusable, good_long, "guest.tr.unusable",			\
	  E_OR(GUEST_TR_AR_BYTES, AR_UNUSABLE))				\
	X(ldtr_type, good_long, "guest.ldtr.type",			\
	  SEL_LDTR_OK, E_SET(GUEST_LDTR_AR_BYTES, AR_P | 0x3))		\
	X(ldtr_s, good_long, "guest.ldtr.s",				\
	  SEL_LDTR_OK, E_SET(GUEST_LDTR_AR_BYTES, AR_P | AR_S | 0x2))	\
	X(dtr_base_canonical, good_long, "guest.dtr.base_canonical",	\
	  E_SET(GUEST_GDTR_BASE, NONCANONICAL))				\
	X(dtr_limit, good_long, "guest.dtr.limit_high",			\
	  E_SET(GUEST_IDTR_LIMIT, 0x10000))				\
	X(rip_high, good_real, "guest.rip.high",			\
	  E_SET(GUEST_RIP, 1ULL << 32))					\
	X(rip_canonical, good_long, "guest.rip.canonical",		\
	  E_SET(GUEST_RIP, NONCANONICAL))				\
	X(rflags_reserved, good_long, "guest.rflags.reserved",		\
	  E_SET(GUEST_RFLAGS, 0))					\
	X(rflags_vm, good_v86, "guest.rflags.vm",			\
	  E_CLR(GUEST_CR0, CR0_PE))					\
	X(rflags_if, good_long, "guest.rflags.if_for_ext_intr",		\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(0, 0x20)))			\
	X(activity_value, good_long, "guest.activity.value",		\
	  E_SET(GUEST_ACTIVITY_STATE, 4))				\
	X(activity_hlt_dpl, good_v86, "guest.activity.hlt_dpl",		\
	  HLT)								\
	X(activity_blocking, good_long, "guest.activity.blocking_not_active", \
	  HLT, E_SET(GUEST_RFLAGS, RFLAGS_FIXED | RFLAGS_IF),		\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 1))			\
	X(activity_injection, good_long, "guest.activity.injection",	\
	  HLT, E_SET(VM_ENTRY_INTR_INFO, INJECT(3, 6)))			\
	X(activity_sipi_smm, good_long,					\
	  "ctls.entry.smm_outside_smm guest.activity.sipi_with_entry_to_smm", \
	  E_SET(GUEST_ACTIVITY_STATE, 3),				\
	  E_OR(VM_ENTRY_CONTROLS, VMX_ENTRYCTL_ENTRY_TO_SMM))		\
	X(intr_reserved, good_long, "guest.intr_state.reserved",	\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 0x20))			\
	X(intr_sti_and_movss, good_long, "guest.intr_state.sti_and_movss", \
	  E_SET(GUEST_RFLAGS, RFLAGS_FIXED | RFLAGS_IF),		\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 3))			\
	X(intr_sti_without_if, good_long, "guest.intr_state.sti_without_if", \
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 1))			\
	X(intr_ext_intr_blocked, good_long, "guest.intr_state.ext_intr_blocked", \
	  E_SET(GUEST_RFLAGS, RFLAGS_FIXED | RFLAGS_IF),		\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(0, 0x20)),			\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 2))			\
	X(intr_nmi_movss, good_long, "guest.intr_state.nmi_movss",	\
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(2, 2)),			\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 2))			\
	X(intr_smi, good_long, "guest.intr_state.smi",			\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 4))			\
	X(intr_vnmi_nmi, good_long, "guest.intr_state.nmi_blocked_vnmi", \
	  E_SET(VM_ENTRY_INTR_INFO, INJECT(2, 2)),			\
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 8))			\
	X(intr_enclave_movss, good_long, "guest.intr_state.enclave_movss", \
	  E_SET(GUEST_INTERRUPTIBILITY_INFO, 0x12))			\
	X(pending_dbg_reserved, good_long, "guest.pending_dbg.reserved", \
	  E_SET(GUEST_PENDING_DBG_EXCEPTIONS, 0x10))			\
	X(pending_dbg_bs, good_long, "guest.pending_dbg.bs",		\
	  HLT, E_SET(GUEST_PENDING_DBG_EXCEPTIONS, 1u << 14))		\
	X(vmcs_link_addr, good_long, "guest.vmcs_link.addr",		\
	  SHADOWING, E_SET(VMCS_LINK_POINTER, 0x1001))			\
	X(vmcs_link_not_ones, good_long, "guest.vmcs_link.not_ones",	\
	  E_SET(VMCS_LINK_POINTER, 0x1000))				\
	X(pdpte_reserved, good_real, "guest.pdpte.reserved",		\
	  E_OR(GUEST_CR0, CR0_PE | CR0_PG), E_OR(GUEST_CR4, CR4_PAE),	\
	  E_SET(GUEST_PDPTE2, 0x7001 | (1u << 1)))

#define DEFINE_BREAK_TEST(name, base, expected, ...)			\
	START_TEST(breaks_##name)					\
	{								\
		static const struct edit edits[] = { __VA_ARGS__ };	\
									\
		expect_failures(base, expected, edits, ARRAY_SIZE(edits)); \
	}								\
	END_TEST
BREAK_TESTS(DEFINE_BREAK_TEST)
#undef DEFINE_BREAK_TEST

/* ---- Properties of the whole model ----------------------------------- */

#define BREAK_TEST_IDS(name, base, expected, ...)	" " expected " "
static const char break_test_ids[] = BREAK_TESTS(BREAK_TEST_IDS);
#undef BREAK_TEST_IDS

/*
 * If it failed, a check of the model would go untested: a wrong rule would
 * reach students unnoticed.
 */
START_TEST(every_check_has_a_test)
{
	unsigned int i;

	for (i = 0; i < entry_check_count(); i++) {
		char needle[128];

		snprintf(needle, sizeof(needle), " %s ", entry_check_table[i].id);
		ck_assert_msg(strstr(break_test_ids, needle) != NULL,
			      "no test breaks %s", entry_check_table[i].id);
	}
}
END_TEST

/* If it failed, two rules would share a name, or a failure would cite no rule or section. */
START_TEST(check_table_is_well_formed)
{
	unsigned int i, j;

	ck_assert_uint_gt(entry_check_count(), 100);
	for (i = 0; i < entry_check_count(); i++) {
		const struct entry_check *c = &entry_check_table[i];
		const char *p;

		ck_assert_msg(c->id && c->section && c->rule, "check %u incomplete", i);
		ck_assert_msg(strncmp(c->section, "Checks ", 7) == 0,
			      "%s: section \"%s\" is not an SDM \"Checks ...\" title", c->id, c->section);
		for (p = c->id; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				      *p == '.' || *p == '_', "%s: character '%c'", c->id, *p);
		ck_assert_msg(strncmp(c->id, c->area == ENTRY_CHECK_CONTROLS ? "ctls." :
				      c->area == ENTRY_CHECK_HOST ? "host." : "guest.", 5) == 0,
			      "%s: prefix does not match its area", c->id);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(entry_check_table[j].id, c->id) != 0,
				      "%s defined twice", c->id);
	}
}
END_TEST

/*
 * If it failed, the tool could overrun its buffer, or tell a student fewer
 * problems than there are.
 */
START_TEST(count_exceeds_max_and_order_follows_sdm)
{
	struct entry_check_cpu cpu = { .caps = &bochs_caps, .maxphyaddr = MAXPHYADDR };
	struct entry_check_failure f[2];
	struct fake_vmcs v;
	int n;

	good_long(&v, &bochs_caps);
	set(&v, VMCS_GUEST_RIP, NONCANONICAL);			/* guest */
	set(&v, VMCS_HOST_RIP, NONCANONICAL);			/* host */
	set(&v, VMCS_VIRTUAL_PROCESSOR_ID, 0);			/* controls */
	memset(f, 0, sizeof(f));
	n = entry_checks_run(&cpu, fake_read, &v, f, 2);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(f[0].id, "ctls.vpid.zero");
	ck_assert_int_eq(f[0].area, ENTRY_CHECK_CONTROLS);
	ck_assert_str_eq(f[1].id, "host.rip.canonical");
	ck_assert_int_eq(f[1].area, ENTRY_CHECK_HOST);
	ck_assert_uint_eq(f[1].field, VMCS_HOST_RIP);
	ck_assert_uint_eq(f[1].value, NONCANONICAL);
	/* No output array: still counted. */
	ck_assert_int_eq(entry_checks_run(&cpu, fake_read, &v, NULL, 0), 3);
}
END_TEST

/* If it failed, a student would not see which control bits the CPU forces or forbids. */
START_TEST(control_failure_reports_allowed_masks)
{
	u64 msr = vmx_control_msr(&bochs_caps, VMXLAB_CTLS_PINBASED);
	struct entry_check_cpu cpu = { .caps = &bochs_caps, .maxphyaddr = MAXPHYADDR };
	struct entry_check_failure f[4];
	struct fake_vmcs v;
	u64 pin;

	good_long(&v, &bochs_caps);
	pin = *slot(&v, VMCS_PIN_BASED_VM_EXEC_CONTROL) & ~(1ULL << 1);
	set(&v, VMCS_PIN_BASED_VM_EXEC_CONTROL, pin);
	ck_assert_int_eq(entry_checks_run(&cpu, fake_read, &v, f, 4), 1);
	ck_assert_uint_eq(f[0].field, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	ck_assert_uint_eq(f[0].value, pin);
	ck_assert_uint_eq(f[0].allowed0, (u32)msr);
	ck_assert_uint_eq(f[0].allowed1, msr >> 32);
	ck_assert_str_eq(f[0].section, "Checks on VM-Execution Control Fields");
}
END_TEST

/* If it failed, the model would accept real mode without "unrestricted guest", which VMLAUNCH refuses. */
START_TEST(cr0_pe_pg_need_unrestricted_guest)
{
	struct edit edits[] = { NO_UG };

	/* Real mode without "unrestricted guest": CR0.PE and PG are fixed to 1. */
	expect_failures(good_real, "guest.cr0.fixed", edits, ARRAY_SIZE(edits));
}
END_TEST

/* If it failed, a student would be told the wrong outcome (error 7, 8 or exit 33). */
START_TEST(area_results_name_the_outcome)
{
	ck_assert_ptr_nonnull(strstr(entry_check_area_result(ENTRY_CHECK_CONTROLS), "error 7"));
	ck_assert_ptr_nonnull(strstr(entry_check_area_result(ENTRY_CHECK_HOST), "error 8"));
	ck_assert_ptr_nonnull(strstr(entry_check_area_result(ENTRY_CHECK_GUEST), "reason 33"));
}
END_TEST

static void setup(void)
{
	load_bochs_caps(&bochs_caps);
}

/*
 * VMXLAB_CHECK_ENTRY copies id, section and rule into fixed arrays of
 * struct vmxlab_entry_failure: each must fit whole, NUL included, or a
 * student reads a cut sentence.
 */
START_TEST(strings_fit_the_uapi)
{
	const struct vmxlab_entry_failure *u = NULL;
	unsigned int i;

	for (i = 0; i < entry_check_count(); i++) {
		const struct entry_check *c = &entry_check_table[i];

		ck_assert_msg(strlen(c->id) < sizeof(u->id), "%s: id too long", c->id);
		ck_assert_msg(strlen(c->section) < sizeof(u->section),
			      "%s: section title too long", c->id);
		ck_assert_msg(strlen(c->rule) < sizeof(u->rule), "%s: rule too long (%zu)",
			      c->id, strlen(c->rule));
	}
}
END_TEST

/* ---- The rules KVM_SET_SREGS shares with the model ------------------- */

/*
 * "Canonical" (SDM Vol. 1, "Canonical Addressing"): bits 63:N-1 all
 * equal for an N-bit linear-address width, 48 with 4-level paging and 57
 * with 5-level paging.  A width of 0 (not given) counts as 48.  If this
 * failed, KVM_SET_SREGS would take an FS base that VM entry refuses, or
 * refuse one that a 5-level-paging CPU runs.
 */
START_TEST(canonical_follows_the_linear_width)
{
	struct entry_check_cpu w48 = { .linear_bits = 48 };
	struct entry_check_cpu w57 = { .linear_bits = 57 };
	struct entry_check_cpu w0 = { .linear_bits = 0 };
	const struct entry_check_cpu *w[] = { &w48, &w0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		ck_assert(entry_check_canonical(w[i], 0x00007fffffffffffULL));
		ck_assert(entry_check_canonical(w[i], 0xffff800000000000ULL));
		ck_assert(!entry_check_canonical(w[i], 0x0000800000000000ULL));
		ck_assert(!entry_check_canonical(w[i], 0xfff0000000000000ULL));
	}
	ck_assert(entry_check_canonical(&w57, 0x0000800000000000ULL));
	ck_assert(entry_check_canonical(&w57, 0x00ffffffffffffffULL));
	ck_assert(entry_check_canonical(&w57, 0xff00000000000000ULL));
	ck_assert(!entry_check_canonical(&w57, 0x0100000000000000ULL));
	ck_assert(!entry_check_canonical(&w57, 0xfe00000000000000ULL));
}
END_TEST

/*
 * SDM Vol. 3C, "Checks on VMX Controls" and "Checks on Guest Control
 * Registers ...": a physical address must set no bit beyond the
 * processor's physical-address width, MAXPHYADDR, which is at most 52
 * (SDM Vol. 3A, "Physical Address Space": "up to 52 bits").  The model
 * takes a MAXPHYADDR of 0 (not given) or above 52 as 52, the widest a
 * CPU can report.  If this failed, a VMCS pointer beyond the CPU's
 * memory would pass, or bits 63:52 would count as address bits.
 */
START_TEST(phys_ok_follows_maxphyaddr)
{
	struct entry_check_cpu p39 = { .maxphyaddr = 39 };
	struct entry_check_cpu p0 = { .maxphyaddr = 0 };
	struct entry_check_cpu p60 = { .maxphyaddr = 60 };
	const struct entry_check_cpu *p52[] = { &p0, &p60 };
	unsigned int i;

	ck_assert(entry_check_phys_ok(&p39, (1ULL << 39) - 1));
	ck_assert(!entry_check_phys_ok(&p39, 1ULL << 39));
	for (i = 0; i < ARRAY_SIZE(p52); i++) {
		ck_assert(entry_check_phys_ok(p52[i], (1ULL << 52) - 1));
		ck_assert(!entry_check_phys_ok(p52[i], 1ULL << 52));
		ck_assert(!entry_check_phys_ok(p52[i], 1ULL << 59));
	}
}
END_TEST

/*
 * SDM Vol. 3C, "Checks on Guest Segment Registers": if any bit of the
 * limit in 11:0 is 0, G must be 0; if any bit in 31:20 is 1, G must be 1.
 * If this failed, KVM_SET_SREGS would take a segment VM entry refuses.
 */
START_TEST(seg_limit_agrees_with_granularity)
{
	ck_assert(entry_check_seg_limit_ok(0xfff, true));
	ck_assert(entry_check_seg_limit_ok(0xffffffff, true));
	ck_assert(!entry_check_seg_limit_ok(0xffe, true));
	ck_assert(entry_check_seg_limit_ok(0xfffff, false));
	ck_assert(entry_check_seg_limit_ok(0, false));
	ck_assert(!entry_check_seg_limit_ok(0x100000, false));
}
END_TEST

Suite *entry_checks_suite(void)
{
	Suite *s = suite_create("entry_checks");

#define ADD(fn) do {							\
		TCase *tc_ = tcase_create("entry_checks/" #fn);		\
		tcase_add_unchecked_fixture(tc_, setup, NULL);		\
		tcase_add_test(tc_, fn);				\
		suite_add_tcase(s, tc_);				\
	} while (0)
	ADD(good_long_mode_passes);
	ADD(good_real_mode_passes);
	ADD(good_v86_mode_passes);
	ADD(every_check_has_a_test);
	ADD(check_table_is_well_formed);
	ADD(count_exceeds_max_and_order_follows_sdm);
	ADD(control_failure_reports_allowed_masks);
	ADD(cr0_pe_pg_need_unrestricted_guest);
	ADD(area_results_name_the_outcome);
	ADD(strings_fit_the_uapi);
	ADD(canonical_follows_the_linear_width);
	ADD(phys_ok_follows_maxphyaddr);
	ADD(seg_limit_agrees_with_granularity);
#define ADD_BREAK_TEST(name, base, expected, ...)	ADD(breaks_##name);
	BREAK_TESTS(ADD_BREAK_TEST)
#undef ADD_BREAK_TEST
#undef ADD
	return s;
}
