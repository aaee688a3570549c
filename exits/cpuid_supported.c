// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID for vmxlab guests: the supported table (KVM_GET_SUPPORTED_CPUID),
 * with the meaning of the KVM API documentation ("KVM_GET_SUPPORTED_CPUID")
 * and the leaves of SDM Vol. 2A, "CPUID--CPU Identification" (Table 3-8
 * and the feature tables after it).  The per-vCPU table a guest's CPUID
 * exits read is in cpuid_cache.c.
 *
 * Pure logic: the host's CPUID is the caller's cpuid_host_fn, so this file
 * is built into the module and into the host unit tests unchanged.
 *
 * The supported table keeps only what a guest can use under vmxlab: a bit
 * passes when it names an instruction or paging feature that works in VMX
 * non-root operation without an MSR, a VMCS control or XSAVE state that
 * vmxlab does not provide.  Every register is filtered through a list of
 * bits to keep, never a list to clear, so that a feature a newer CPU adds
 * stays hidden until someone decides about it here.
 */
#include <vmxlab/cpuid.h>
#include <vmxlab/ept.h>

#define B(n)			(1u << (n))

/* Highest leaves vmxlab describes: basic leaves end at V2 Extended Topology. */
#define CPUID_MAX_BASIC_LEAF	0x1fu
/* The SDM defines Intel's extended leaves up to 80000008H. */
#define CPUID_MAX_EXT_LEAF	0x80000008u

/* Bounds on subleaf loops, against a host (or a fake) that never ends one. */
#define CPUID_MAX_CACHE_LEVELS	64	/* leaf 4 */
#define CPUID_MAX_TOPO_LEVELS	16	/* leaves 0xB, 0x1F */
#define CPUID_MAX_SOC_SUBLEAF	3	/* leaf 0x17: "sub-leaves 4 and above are reserved" */
#define CPUID_MAX_TLB_SUBLEAF	31	/* leaf 0x18 */
#define CPUID_MAX_7_SUBLEAF	1	/* leaf 7: see cpuid_leaf_7() */

/*
 * Leaf 1 ECX (SDM Vol. 2A, Table 3-10 "Feature Information Returned in the
 * ECX Register").  Kept: SSE3, PCLMULQDQ, SSSE3, FMA, CMPXCHG16B, PCID
 * (CR4.PCIDE works under VPID), SSE4.1, SSE4.2, MOVBE, POPCNT, AES, F16C,
 * RDRAND; XSAVE and AVX per the XCR0 policy below.  Cleared, each because
 * the guest would reach something vmxlab does not emulate:
 *   DTES64 (2), DS-CPL (4): the debug store, IA32_DS_AREA;
 *   MONITOR (3): leaf 5 is zero, and MWAIT would idle a host CPU;
 *   VMX (5): no nested VMX; SMX (6): GETSEC exits unconditionally;
 *   EST (7), TM2 (8): IA32_PERF_CTL, thermal MSRs;
 *   CNXT-ID (10): an IA32_MISC_ENABLE bit; SDBG (11): IA32_DEBUG_INTERFACE;
 *   xTPR (14): IA32_MISC_ENABLE; PDCM (15): IA32_PERF_CAPABILITIES;
 *   DCA (18): leaf 9 and PLATFORM_DCA_CAP; x2APIC (21): the x2APIC MSRs;
 *   TSC-deadline (24): IA32_TSC_DEADLINE;
 *   OSXSAVE (27): mirrors the guest's CR4, set at run time
 *   (cpuid_cache_update()), never the host's.
 * Set: bit 31, "not used" by the SDM and used by every hypervisor to say
 * that the CPU is virtual.
 */
#define CPUID_1_ECX_KEEP	(B(0) | B(1) | B(9) | B(13) | B(17) | B(19) | \
				 B(20) | B(22) | B(23) | B(25) | B(29) | B(30))
#define CPUID_1_ECX_FMA		B(12)
#define CPUID_1_ECX_AVX		B(28)
#define CPUID_1_ECX_F16C	B(29)
#define CPUID_1_ECX_HYPERVISOR	B(31)

/*
 * Leaf 1 EDX (Table 3-11 "Feature Information Returned in the EDX
 * Register").  Cleared: PSN (18), no serial number; DS (21), the debug
 * store; ACPI (22), thermal-control MSRs; TM (29) and PBE (31), thermal
 * monitor and IA32_MISC_ENABLE.  Everything else the SDM defines is kept;
 * MSR, MTRR, MCE/MCA, APIC and SEP leave the module the MSRs and the APIC
 * those bits promise.
 */
#define CPUID_1_EDX_KEEP	(B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | \
				 B(7) | B(8) | B(9) | B(11) | B(12) | B(13) | \
				 B(14) | B(15) | B(16) | B(17) | B(19) | B(23) | \
				 B(24) | B(25) | B(26) | B(27) | B(28))

/*
 * Leaf 7 subleaf 0 EBX (Table 3-8, leaf 07H).  Kept, plain instructions
 * and paging features that run in VMX non-root operation as they are:
 * FSGSBASE (0), BMI1 (3), AVX2 (5, with AVX), FDP_EXCPTN_ONLY (6), SMEP
 * (7), BMI2 (8), ERMS (9), FPU CS/DS deprecation (13), RDSEED (18), ADX
 * (19), SMAP (20), CLFLUSHOPT (23), CLWB (24), SHA (29); INVPCID (10) only
 * with "enable INVPCID", without which INVPCID is #UD in the guest (SDM
 * Vol. 3C, "Changes to Instruction Behavior in VMX Non-Root Operation").
 * HLE (4) and RTM (11) are kept: TSX needs no MSR or control, and a host
 * that turned TSX off (IA32_TSX_CTRL) hides both bits from its own CPUID.
 * Cleared: IA32_TSC_ADJUST (1), an MSR; SGX (2), which needs ENCLS
 * exiting, EPC memory and leaf 0x12; RDT-M (12) and RDT-A (15),
 * IA32_PQR_ASSOC and friends; MPX (14), XCR0 bits 3-4 and IA32_BNDCFGS;
 * Intel PT (25), its MSRs and leaf 0x14; every AVX-512 bit (16, 17, 21,
 * 26, 27, 28, 30, 31), whose state (XCR0 bits 5-7) the guest cannot enable.
 */
#define CPUID_7_0_EBX_KEEP	(B(0) | B(3) | B(4) | B(6) | B(7) | B(8) | B(9) | \
				 B(11) | B(13) | B(18) | B(19) | B(20) | B(23) | \
				 B(24) | B(29))
#define CPUID_7_0_EBX_AVX2	B(5)
#define CPUID_7_0_EBX_INVPCID	B(10)

/*
 * Leaf 7 subleaf 0 ECX.  Kept: PREFETCHWT1 (0), UMIP (2), GFNI (8),
 * CLDEMOTE (25), MOVDIRI (27), MOVDIR64B (28); VAES (9) and VPCLMULQDQ
 * (10) with AVX (their VEX forms; the EVEX forms need AVX-512); RDPID (22)
 * only with "enable RDTSCP", which governs RDPID too (SDM Vol. 3C, same
 * section).  Cleared: AVX-512 VBMI/VBMI2/VNNI/BITALG/VPOPCNTDQ (1, 6, 11,
 * 12, 14); PKU (3) and OSPKE (4), since the guest's PKRU would have to be
 * switched at every entry and exit, and guests manage it as XSAVE state
 * (XCR0 bit 9) that vmxlab does not allow; WAITPKG (5), #UD without
 * "enable user wait and pause" and IA32_UMWAIT_CONTROL; CET_SS (7), the
 * CET MSRs and supervisor XSAVE state; TME (13), its MSRs; LA57 (16),
 * 5-level paging, until vmxlab's CR4 handling allows CR4.LA57; MAWAU
 * (17-21), MPX; KL (23), Key Locker and LOADIWKEY exiting; bus-lock
 * detection (24), IA32_DEBUGCTL; ENQCMD (29), IA32_PASID; SGX_LC (30),
 * the SGX launch-control MSRs; PKS (31), IA32_PKRS.
 */
#define CPUID_7_0_ECX_KEEP	(B(0) | B(2) | B(8) | B(25) | B(27) | B(28))
#define CPUID_7_0_ECX_AVX	(B(9) | B(10))
#define CPUID_7_0_ECX_RDPID	B(22)

/*
 * Leaf 7 subleaf 0 EDX.  Kept: fast short REP MOV (4), MD_CLEAR (10, VERW
 * flushes buffers: a guest needs to know to mitigate MDS), RTM_ALWAYS_ABORT
 * (11, tells the truth about RTM kept above), SERIALIZE (14).  Cleared:
 * SGX-KEYS (1); AVX512_4VNNIW/4FMAPS (2, 3), VP2INTERSECT (8), FP16 (23);
 * UINTR (5), its MSRs; SRBDS_CTRL (9), IA32_MCU_OPT_CTRL; TSX_FORCE_ABORT
 * (13), its MSR; Hybrid (15), since a vCPU moves between core types;
 * PCONFIG (18); architectural LBRs (19); CET_IBT (20); AMX (22, 24, 25),
 * XCR0 bits 17-18; IBRS/IBPB (26), STIBP (27), L1D_FLUSH (28) and SSBD
 * (31), which are IA32_SPEC_CTRL, IA32_PRED_CMD and IA32_FLUSH_CMD;
 * IA32_ARCH_CAPABILITIES (29) and IA32_CORE_CAPABILITIES (30), MSRs
 * vmxlab does not emulate.
 */
#define CPUID_7_0_EDX_KEEP	(B(4) | B(10) | B(11) | B(14))

/*
 * Leaf 7 subleaf 1 (EAX and EDX; EBX and ECX cleared: PPIN is an MSR).
 * Kept: CMPCCXADD (EAX 7), fast zero-length MOVSB, short STOSB and short
 * CMPSB/SCASB (EAX 10, 11, 12), PREFETCHI (EDX 14); with AVX: AVX-VNNI
 * (EAX 4), AVX-IFMA (EAX 23), AVX-VNNI-INT8 (EDX 4), AVX-NE-CONVERT
 * (EDX 5), AVX-VNNI-INT16 (EDX 10).  Cleared: AVX512_BF16, AMX-FP16;
 * FRED and LKGS, new event delivery vmxlab does not virtualise; WRMSRNS
 * and MSRLIST, MSR writes; HRESET and LAM, an MSR and new CR3/CR4 bits.
 */
#define CPUID_7_1_EAX_KEEP	(B(7) | B(10) | B(11) | B(12))
#define CPUID_7_1_EAX_AVX	(B(4) | B(23))
#define CPUID_7_1_EDX_KEEP	B(14)
#define CPUID_7_1_EDX_AVX	(B(4) | B(5) | B(10))

/*
 * Leaf 0xD subleaf 1 EAX (Table 3-8, leaf 0DH): XSAVEOPT (0), XSAVEC (1)
 * and XGETBV with ECX = 1 (2) work on XCR0 state alone.  Cleared: XSAVES
 * (3), which needs "enable XSAVES/XRSTORS" and IA32_XSS; XFD (4), its MSRs.
 */
#define CPUID_D_1_EAX_KEEP	(B(0) | B(1) | B(2))

/*
 * Leaf 0x80000001 (Table 3-8, leaf 80000001H).  ECX kept: LAHF/SAHF in
 * 64-bit mode (0), LZCNT (5), PREFETCHW (8); everything else is reserved
 * on Intel (an AMD CPU's SVM, bit 2, among them).  EDX kept: SYSCALL (11),
 * NX (20), 1-GByte pages (26: the guest's own paging structures, which
 * the CPU walks itself under EPT), Intel 64 (29); RDTSCP (27) only with
 * "enable RDTSCP", without which RDTSCP is #UD in the guest.
 */
#define CPUID_8000_0001_ECX_KEEP	(B(0) | B(5) | B(8))
#define CPUID_8000_0001_EDX_KEEP	(B(11) | B(20) | B(26) | B(29))
#define CPUID_8000_0001_EDX_RDTSCP	B(27)

/*
 * Leaf 0x80000007 EDX bit 8, invariant TSC: kept, the guest reads the
 * host's TSC (with at most an offset), which runs at the host's rate.
 */
#define CPUID_8000_0007_EDX_KEEP	B(8)

struct cpuid_builder {
	cpuid_host_fn host;
	void *ctx;
	struct kvm_cpuid_entry2 *out;
	unsigned int max;
	unsigned int n;		/* entries produced, also past max */
	u64 xcr0;		/* XCR0 bits the guest may set; 0: no XSAVE */
	const struct cpuid_policy *policy;
};

static void host_cpuid(struct cpuid_builder *b, u32 leaf, u32 subleaf, u32 r[4])
{
	r[0] = r[1] = r[2] = r[3] = 0;
	b->host(b->ctx, leaf, subleaf, r);
}

/* Leaves whose subleaf (ECX) selects the answer: KVM's list, from the SDM. */
static bool cpuid_leaf_indexed(u32 leaf)
{
	switch (leaf) {
	case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10:
	case 0x12: case 0x14: case 0x17: case 0x18: case 0x1d: case 0x1e:
	case 0x1f:
		return true;
	}
	return false;
}

static void emit(struct cpuid_builder *b, u32 leaf, u32 subleaf, const u32 r[4])
{
	struct kvm_cpuid_entry2 *e;
	bool indexed = cpuid_leaf_indexed(leaf);

	if (b->n < b->max) {
		e = &b->out[b->n];
		*e = (struct kvm_cpuid_entry2){
			.function = leaf,
			.index = indexed ? subleaf : 0,
			.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = r[0], .ebx = r[1], .ecx = r[2], .edx = r[3],
		};
	}
	b->n++;
}

static void emit_zero(struct cpuid_builder *b, u32 leaf)
{
	static const u32 zero[4];

	emit(b, leaf, 0, zero);
}

/*
 * The XCR0 bits a guest may set: the host's XCR0, what the CPU supports
 * (leaf 0xD subleaf 0 EDX:EAX) and x87|SSE|AVX, all at once.  x87 and SSE
 * both, or no XSAVE at all: XCR0 bit 0 must be 1 and AVX needs SSE
 * (SDM Vol. 1, "Enabling the XSAVE Feature Set and XSAVE-Enabled
 * Features"), and Linux turns XSAVE off without SSE state.
 */
static u64 guest_xcr0(struct cpuid_builder *b, u32 max_basic)
{
	u32 r[4];
	u64 xcr0;

	if (max_basic < 0xd)
		return 0;
	host_cpuid(b, 1, 0, r);
	if (!(r[CPUID_REG_ECX] & CPUID_1_ECX_XSAVE))
		return 0;
	host_cpuid(b, 0xd, 0, r);
	xcr0 = ((u64)r[CPUID_REG_EDX] << 32 | r[CPUID_REG_EAX]) &
	       b->policy->host_xcr0 & CPUID_XCR0_ALLOWED;
	if ((xcr0 & (CPUID_XCR0_X87 | CPUID_XCR0_SSE)) !=
	    (CPUID_XCR0_X87 | CPUID_XCR0_SSE))
		return 0;
	return xcr0;
}

static bool guest_avx(const struct cpuid_builder *b)
{
	return b->xcr0 & CPUID_XCR0_AVX;
}

#define CPUID_1_EBX_APIC_ID	0xff000000u

static void cpuid_leaf_1(struct cpuid_builder *b)
{
	u32 r[4];

	host_cpuid(b, 1, 0, r);
	r[CPUID_REG_ECX] &= CPUID_1_ECX_KEEP | CPUID_1_ECX_FMA | CPUID_1_ECX_AVX |
			CPUID_1_ECX_XSAVE;
	if (!b->xcr0)
		r[CPUID_REG_ECX] &= ~CPUID_1_ECX_XSAVE;
	if (!guest_avx(b))
		r[CPUID_REG_ECX] &= ~(CPUID_1_ECX_AVX | CPUID_1_ECX_FMA | CPUID_1_ECX_F16C);
	r[CPUID_REG_ECX] |= CPUID_1_ECX_HYPERVISOR;
	r[CPUID_REG_EDX] &= CPUID_1_EDX_KEEP;
	/*
	 * EBX[31:24], the initial APIC ID, is the ID of the host CPU that ran
	 * CPUID: it belongs to each vCPU (user space sets it), and the table
	 * must not depend on where KVM_GET_SUPPORTED_CPUID ran.  0 here.
	 */
	r[CPUID_REG_EBX] &= ~CPUID_1_EBX_APIC_ID;
	emit(b, 1, 0, r);
}

/* Subleaves until the cache type (EAX[4:0]) is 0, that one included. */
static void cpuid_leaf_4(struct cpuid_builder *b)
{
	u32 r[4], i;

	for (i = 0; i < CPUID_MAX_CACHE_LEVELS; i++) {
		host_cpuid(b, 4, i, r);
		emit(b, 4, i, r);
		if (!(r[CPUID_REG_EAX] & 0x1f))
			break;
	}
}

/*
 * Subleaf 0 EAX is the highest subleaf.  vmxlab describes subleaves 0 and
 * 1 and lowers EAX to match: subleaf 2 holds only speculation-control
 * bits of IA32_SPEC_CTRL, an MSR vmxlab does not emulate.
 */
static void cpuid_leaf_7(struct cpuid_builder *b)
{
	u32 r[4], last, i;

	host_cpuid(b, 7, 0, r);
	last = r[CPUID_REG_EAX] < CPUID_MAX_7_SUBLEAF ? r[CPUID_REG_EAX] : CPUID_MAX_7_SUBLEAF;
	for (i = 0; i <= last; i++) {
		if (i)
			host_cpuid(b, 7, i, r);
		if (i == 0) {
			r[CPUID_REG_EAX] = last;
			r[CPUID_REG_EBX] &= CPUID_7_0_EBX_KEEP | CPUID_7_0_EBX_AVX2 |
					(b->policy->invpcid ? CPUID_7_0_EBX_INVPCID : 0);
			r[CPUID_REG_ECX] &= CPUID_7_0_ECX_KEEP | CPUID_7_0_ECX_AVX |
					(b->policy->rdtscp ? CPUID_7_0_ECX_RDPID : 0);
			r[CPUID_REG_EDX] &= CPUID_7_0_EDX_KEEP;
			if (!guest_avx(b)) {
				r[CPUID_REG_EBX] &= ~CPUID_7_0_EBX_AVX2;
				r[CPUID_REG_ECX] &= ~CPUID_7_0_ECX_AVX;
			}
		} else {
			r[CPUID_REG_EAX] &= CPUID_7_1_EAX_KEEP |
				       (guest_avx(b) ? CPUID_7_1_EAX_AVX : 0);
			r[CPUID_REG_EBX] = r[CPUID_REG_ECX] = 0;
			r[CPUID_REG_EDX] &= CPUID_7_1_EDX_KEEP |
				       (guest_avx(b) ? CPUID_7_1_EDX_AVX : 0);
		}
		emit(b, 7, i, r);
	}
}

/* Subleaves until the level type (ECX[15:8]) is 0, that one included. */
static void cpuid_leaf_topology(struct cpuid_builder *b, u32 leaf)
{
	u32 r[4], i;

	for (i = 0; i < CPUID_MAX_TOPO_LEVELS; i++) {
		host_cpuid(b, leaf, i, r);
		/* EDX: the x2APIC ID of the host CPU; per vCPU, as leaf 1's. */
		r[CPUID_REG_EDX] = 0;
		emit(b, leaf, i, r);
		if (!(r[CPUID_REG_ECX] & 0xff00))
			break;
	}
}

/*
 * Subleaf 0 for XCR0, 1 for the XSAVE instructions, and one subleaf per
 * state component the guest may enable (components 2 and up; 0 and 1 are
 * in the legacy region).  Subleaf 0 EBX and ECX: the size of an XSAVE area
 * for every allowed component (EBX really follows the guest's XCR0; it
 * starts out as if the guest enabled everything it may).  Subleaf 1 EBX:
 * the compacted size of the same, when XSAVEC stays.
 */
static void cpuid_leaf_d(struct cpuid_builder *b)
{
	u32 r[4], c[4], size = XSAVE_LEGACY_AND_HEADER;
	u32 compact = XSAVE_LEGACY_AND_HEADER;
	unsigned int i;

	if (!b->xcr0) {
		emit_zero(b, 0xd);
		return;
	}
	for (i = 2; i < 64; i++) {
		if (!(b->xcr0 & BIT_ULL(i)))
			continue;
		host_cpuid(b, 0xd, i, c);
		if (c[CPUID_REG_EBX] + c[CPUID_REG_EAX] > size)
			size = c[CPUID_REG_EBX] + c[CPUID_REG_EAX];
		if (c[CPUID_REG_ECX] & B(1))	/* 64-byte aligned when compacted */
			compact = (compact + 63) & ~63u;
		compact += c[CPUID_REG_EAX];
	}

	host_cpuid(b, 0xd, 0, r);
	r[CPUID_REG_EAX] = (u32)b->xcr0;
	r[CPUID_REG_EDX] = (u32)(b->xcr0 >> 32);
	r[CPUID_REG_EBX] = r[CPUID_REG_ECX] = size;
	emit(b, 0xd, 0, r);

	host_cpuid(b, 0xd, 1, r);
	r[CPUID_REG_EAX] &= CPUID_D_1_EAX_KEEP;
	r[CPUID_REG_EBX] = (r[CPUID_REG_EAX] & CPUID_D_1_EAX_XSAVEC) ? compact : 0;
	r[CPUID_REG_ECX] = r[CPUID_REG_EDX] = 0;	/* IA32_XSS bits: none */
	emit(b, 0xd, 1, r);

	for (i = 2; i < 64; i++) {
		if (!(b->xcr0 & BIT_ULL(i)))
			continue;
		host_cpuid(b, 0xd, i, r);
		emit(b, 0xd, i, r);
	}
}

/* SoC vendor attributes: valid when subleaf 0 EAX >= 3; subleaves 1-3 name the SoC. */
static void cpuid_leaf_17(struct cpuid_builder *b)
{
	u32 r[4], i;

	host_cpuid(b, 0x17, 0, r);
	if (r[CPUID_REG_EAX] < CPUID_MAX_SOC_SUBLEAF) {
		emit_zero(b, 0x17);
		return;
	}
	r[CPUID_REG_EAX] = CPUID_MAX_SOC_SUBLEAF;
	emit(b, 0x17, 0, r);
	for (i = 1; i <= CPUID_MAX_SOC_SUBLEAF; i++) {
		host_cpuid(b, 0x17, i, r);
		emit(b, 0x17, i, r);
	}
}

/* Deterministic address translation: subleaf 0 EAX is the highest subleaf. */
static void cpuid_leaf_18(struct cpuid_builder *b)
{
	u32 r[4], last, i;

	host_cpuid(b, 0x18, 0, r);
	last = r[CPUID_REG_EAX] < CPUID_MAX_TLB_SUBLEAF ? r[CPUID_REG_EAX] : CPUID_MAX_TLB_SUBLEAF;
	r[CPUID_REG_EAX] = last;
	emit(b, 0x18, 0, r);
	for (i = 1; i <= last; i++) {
		host_cpuid(b, 0x18, i, r);
		emit(b, 0x18, i, r);
	}
}

/* One basic leaf, 1 <= @leaf <= CPUID_MAX_BASIC_LEAF. */
static void cpuid_basic_leaf(struct cpuid_builder *b, u32 leaf)
{
	u32 r[4];

	switch (leaf) {
	case 0x1:
		cpuid_leaf_1(b);
		return;
	case 0x4:
		cpuid_leaf_4(b);
		return;
	case 0x7:
		cpuid_leaf_7(b);
		return;
	case 0xb:
	case 0x1f:
		cpuid_leaf_topology(b, leaf);
		return;
	case 0xd:
		cpuid_leaf_d(b);
		return;
	case 0x17:
		cpuid_leaf_17(b);
		return;
	case 0x18:
		cpuid_leaf_18(b);
		return;
	case 0x2:	/* cache and TLB descriptors */
	case 0x15:	/* TSC/crystal ratio: the guest's TSC is the host's */
	case 0x16:	/* processor frequency, informational */
		host_cpuid(b, leaf, 0, r);
		emit(b, leaf, 0, r);
		return;
	}
	/*
	 * Zero: reserved leaves (8, 0xC, 0xE, 0x11, 0x13); 3, the serial
	 * number; 5 MONITOR/MWAIT and 6 thermal and power management; 9 DCA;
	 * 0xA performance monitoring, whose counters are MSRs; and the leaves
	 * of features cleared above: 0xF/0x10 RDT, 0x12 SGX, 0x14 PT, 0x19
	 * Key Locker, 0x1A hybrid, 0x1B PCONFIG, 0x1C LBR, 0x1D/0x1E AMX.
	 */
	emit_zero(b, leaf);
}

/*
 * 0x40000000 names vmxlab; 0x40000001 has its API version in EBX.  EAX
 * and EDX of 0x40000001 stay 0: KVM clients read them from this table as
 * KVM's paravirtual feature and hint bits whatever the signature (the KVM
 * documentation, "KVM CPUID bits", KVM_CPUID_FEATURES), and vmxlab offers
 * none of those.  A 1 in EAX bit 0 (KVM_FEATURE_CLOCKSOURCE) made QEMU
 * pass kvmclock on to SeaBIOS, which wrote MSR 0x12, took the #GP and
 * triple-faulted.
 */
static void cpuid_hypervisor_leaves(struct cpuid_builder *b)
{
	const u32 sig[4] = { CPUID_VMXLAB_VERSION, CPUID_VMXLAB_SIG_EBX,
			     CPUID_VMXLAB_SIG_ECX, CPUID_VMXLAB_SIG_EDX };
	const u32 ver[4] = { 0, VMXLAB_API_VERSION, 0, 0 };

	emit(b, CPUID_VMXLAB_SIGNATURE, 0, sig);
	emit(b, CPUID_VMXLAB_VERSION, 0, ver);
}

static void cpuid_ext_leaf(struct cpuid_builder *b, u32 leaf)
{
	u32 r[4];

	host_cpuid(b, leaf, 0, r);
	switch (leaf) {
	case 0x80000001:
		r[CPUID_REG_EBX] = 0;
		r[CPUID_REG_ECX] &= CPUID_8000_0001_ECX_KEEP;
		r[CPUID_REG_EDX] &= CPUID_8000_0001_EDX_KEEP |
				(b->policy->rdtscp ? CPUID_8000_0001_EDX_RDTSCP : 0);
		break;
	case 0x80000002:	/* the brand string */
	case 0x80000003:
	case 0x80000004:
	case 0x80000006:	/* L2 cache: ECX; the rest is reserved */
		break;
	case 0x80000007:
		r[CPUID_REG_EAX] = r[CPUID_REG_EBX] = r[CPUID_REG_ECX] = 0;
		r[CPUID_REG_EDX] &= CPUID_8000_0007_EDX_KEEP;
		break;
	case 0x80000008:
		/*
		 * EAX[7:0] physical, [15:8] linear address bits.  Physical is
		 * capped at what vmxlab's 4-level EPT translates: a guest
		 * address above it could never be mapped.
		 */
		if ((r[CPUID_REG_EAX] & 0xff) > EPT_GPA_BITS)
			r[CPUID_REG_EAX] = (r[CPUID_REG_EAX] & ~0xffu) | EPT_GPA_BITS;
		r[CPUID_REG_EAX] &= 0xffff;
		r[CPUID_REG_EBX] = r[CPUID_REG_ECX] = r[CPUID_REG_EDX] = 0;
		break;
	default:		/* 0x80000005: reserved on Intel */
		r[CPUID_REG_EAX] = r[CPUID_REG_EBX] = r[CPUID_REG_ECX] = r[CPUID_REG_EDX] = 0;
		break;
	}
	emit(b, leaf, 0, r);
}

int cpuid_supported_table(cpuid_host_fn host, void *ctx,
			  const struct cpuid_policy *policy,
			  struct kvm_cpuid_entry2 *out, unsigned int max,
			  unsigned int *nent)
{
	struct cpuid_builder b = {
		.host = host, .ctx = ctx, .out = out, .max = max, .policy = policy,
	};
	u32 r[4], max_basic, max_ext, leaf;

	host_cpuid(&b, 0, 0, r);
	max_basic = r[CPUID_REG_EAX] < CPUID_MAX_BASIC_LEAF ? r[CPUID_REG_EAX] : CPUID_MAX_BASIC_LEAF;
	b.xcr0 = guest_xcr0(&b, max_basic);
	r[CPUID_REG_EAX] = max_basic;
	emit(&b, 0, 0, r);
	for (leaf = 1; leaf <= max_basic; leaf++)
		cpuid_basic_leaf(&b, leaf);

	cpuid_hypervisor_leaves(&b);

	host_cpuid(&b, 0x80000000, 0, r);
	if (r[CPUID_REG_EAX] >= 0x80000000) {
		max_ext = r[CPUID_REG_EAX] < CPUID_MAX_EXT_LEAF ? r[CPUID_REG_EAX] : CPUID_MAX_EXT_LEAF;
		r[CPUID_REG_EAX] = max_ext;
		r[CPUID_REG_EBX] = r[CPUID_REG_ECX] = r[CPUID_REG_EDX] = 0;
		emit(&b, 0x80000000, 0, r);
		for (leaf = 0x80000001; leaf <= max_ext; leaf++)
			cpuid_ext_leaf(&b, leaf);
	}

	*nent = b.n;
	return b.n > max ? -E2BIG : 0;
}
