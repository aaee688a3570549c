/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a vmxlab guest sees when it executes CPUID: the table that
 * KVM_GET_SUPPORTED_CPUID offers, and the per-vCPU table that
 * KVM_SET_CPUID2 installs and that every CPUID exit is answered from.
 * Meanings follow the KVM API documentation (Documentation/virt/kvm/api.rst,
 * "KVM_GET_SUPPORTED_CPUID", "KVM_SET_CPUID2", struct kvm_cpuid_entry2) and
 * the SDM (Vol. 2A, "CPUID--CPU Identification", Table 3-8 "Information
 * Returned by CPUID Instruction").
 *
 * Pure logic, shared by the module and the host unit tests: the host's
 * CPUID comes from the caller (cpuid_host_fn), nothing is allocated.
 */
#ifndef VMXLAB_CPUID_H
#define VMXLAB_CPUID_H

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

/* KVM_SET_CPUID2 takes at most this many entries (KVM's KVM_MAX_CPUID_ENTRIES). */
#define CPUID_MAX_ENTRIES	256

/* The flags of struct kvm_cpuid_entry2 that KVM defines; any other bit is -EINVAL. */
#define CPUID_KNOWN_FLAGS	(KVM_CPUID_FLAG_SIGNIFCANT_INDEX | \
				 KVM_CPUID_FLAG_STATEFUL_FUNC | \
				 KVM_CPUID_FLAG_STATE_READ_NEXT)

/*
 * Two entries that would both answer some (leaf, subleaf): same function,
 * and either one ignores the index or both have the same index.  KVM's
 * rule for a table; the module and `vmxlab run --cpuid-file` share it.
 */
static inline bool cpuid_entries_clash(const struct kvm_cpuid_entry2 *a,
				       const struct kvm_cpuid_entry2 *b)
{
	if (a->function != b->function)
		return false;
	if (!(a->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
	    !(b->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX))
		return true;
	return a->index == b->index;
}

/* vmxlab's hypervisor leaves: 0x40000000 names it, 0x40000001 EBX its version. */
#define CPUID_VMXLAB_SIGNATURE	0x40000000u
#define CPUID_VMXLAB_VERSION	0x40000001u
/* "vmxlabvmxlab" in EBX, ECX, EDX, the order of the vendor string of leaf 0. */
#define CPUID_VMXLAB_SIG_EBX	0x6c786d76u	/* "vmxl" */
#define CPUID_VMXLAB_SIG_ECX	0x6d766261u	/* "abvm" */
#define CPUID_VMXLAB_SIG_EDX	0x62616c78u	/* "xlab" */

/* "GenuineIntel" in leaf 0 EBX, EDX, ECX. */
#define CPUID_INTEL_EBX		0x756e6547u	/* "Genu" */
#define CPUID_INTEL_EDX		0x49656e69u	/* "ineI" */
#define CPUID_INTEL_ECX		0x6c65746eu	/* "ntel" */

/* The register order of regs[4] everywhere in this header. */
enum { CPUID_REG_EAX, CPUID_REG_EBX, CPUID_REG_ECX, CPUID_REG_EDX };

/* Feature bits the module asks about (SDM Vol. 2A, Table 3-10, 3-11, 3-8). */
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_EDX_PAE		(1u << 6)
#define CPUID_1_EDX_APIC	(1u << 9)
#define CPUID_7_0_ECX_PKU	(1u << 3)
#define CPUID_7_0_ECX_OSPKE	(1u << 4)
#define CPUID_D_1_EAX_XSAVEC	(1u << 1)
#define CPUID_D_1_EAX_XSAVES	(1u << 3)

/* XCR0 state components a vmxlab guest may enable: x87, SSE, AVX (SDM Vol. 1, 13.1). */
#define CPUID_XCR0_X87		BIT_ULL(0)
#define CPUID_XCR0_SSE		BIT_ULL(1)
#define CPUID_XCR0_AVX		BIT_ULL(2)
#define CPUID_XCR0_ALLOWED	(CPUID_XCR0_X87 | CPUID_XCR0_SSE | CPUID_XCR0_AVX)

/* Legacy region plus XSAVE header (SDM Vol. 1, "XSAVE Area"). */
#define XSAVE_LEGACY_AND_HEADER	(512 + 64)

/*
 * Executes CPUID on the host with EAX = @leaf, ECX = @subleaf and stores
 * EAX, EBX, ECX, EDX in @regs.  The module passes native cpuid_count().
 */
typedef void (*cpuid_host_fn)(void *ctx, u32 leaf, u32 subleaf, u32 regs[4]);

/* What the module can give a guest beyond the CPU's plain ISA. */
struct cpuid_policy {
	u64 host_xcr0;	/* the host's XCR0; intersected with CPUID_XCR0_ALLOWED */
	bool rdtscp;	/* "enable RDTSCP" is set: RDTSCP and RDPID work */
	bool invpcid;	/* "enable INVPCID" is set: INVPCID works */
};

/*
 * The table for KVM_GET_SUPPORTED_CPUID: the host's leaves, filtered down
 * to what a vmxlab guest can use, plus vmxlab's hypervisor leaves.  Fills
 * out[0..*nent-1] and returns 0; if @max entries are too few, returns
 * -E2BIG with *nent set to the number needed (out[] then holds the first
 * @max entries).  Entries of the leaves whose subleaf matters carry
 * KVM_CPUID_FLAG_SIGNIFCANT_INDEX.
 */
int cpuid_supported_table(cpuid_host_fn host, void *ctx,
			  const struct cpuid_policy *policy,
			  struct kvm_cpuid_entry2 *out, unsigned int max,
			  unsigned int *nent);

/* struct cpuid_fast.state */
#define CPUID_FAST_ABSENT	0	/* no entry for the leaf: the slow path decides */
#define CPUID_FAST_DIRECT	1	/* regs answer every subleaf */
#define CPUID_FAST_INDEXED	2	/* the subleaf matters: search entries[] */

struct cpuid_fast {
	u32 regs[4];
	u8 state;
};

#define CPUID_FAST_BASIC	32	/* leaves 0x00000000..0x0000001f */
#define CPUID_FAST_HYPER	16	/* leaves 0x40000000..0x4000000f */
#define CPUID_FAST_EXT		32	/* leaves 0x80000000..0x8000001f */

/*
 * One vCPU's CPUID table (KVM_SET_CPUID2).  entries[] is the table as
 * given (for KVM_GET_CPUID2); basic/hyper/ext index it by leaf for the
 * exit path.  An all-zero struct is a valid empty table (zeros for every
 * leaf).  About 12 KiB: allocate it, never put it on the stack.
 */
struct cpuid_cache {
	struct cpuid_fast basic[CPUID_FAST_BASIC];
	struct cpuid_fast hyper[CPUID_FAST_HYPER];
	struct cpuid_fast ext[CPUID_FAST_EXT];
	u32 max_basic;		/* leaf 0 EAX; 0 without a leaf 0 */
	u32 max_ext;		/* leaf 0x80000000 EAX; 0 without that leaf */
	bool intel;		/* leaf 0 says "GenuineIntel": the out-of-range rule applies */
	unsigned int nent;
	u32 answer[4];		/* cpuid_cache_answer()'s slow-path result */
	bool apic_offered;	/* the table as set had CPUID.01H:EDX.APIC */
	struct kvm_cpuid_entry2 entries[CPUID_MAX_ENTRIES];
};

/*
 * Install a table (KVM_SET_CPUID2).  0; -E2BIG if @nent >
 * CPUID_MAX_ENTRIES; -EINVAL for a flag KVM does not define or for two
 * entries that would answer the same (leaf, subleaf): the same function
 * and the same index, or the same function where either entry lacks
 * KVM_CPUID_FLAG_SIGNIFCANT_INDEX (its index is ignored).  On error @c is
 * unchanged.  The stateful flags are accepted and ignored, as KVM has done
 * since leaf 2 stopped being stateful; entries are copied verbatim.
 */
int cpuid_cache_set(struct cpuid_cache *c, const struct kvm_cpuid_entry2 *e,
		    unsigned int nent);

/*
 * The entry that answers (@function, @index) exactly, without the
 * out-of-range rule (KVM's kvm_find_cpuid_entry_index()); NULL if none.
 */
const struct kvm_cpuid_entry2 *cpuid_cache_find(const struct cpuid_cache *c,
						u32 function, u32 index);

/* Everything cpuid_cache_lookup() does not answer inline. */
void cpuid_cache_lookup_slow(const struct cpuid_cache *c, u32 leaf, u32 subleaf,
			     u32 regs[4]);

/*
 * What the guest's CPUID with EAX = @leaf, ECX = @subleaf returns, as KVM
 * emulates an Intel CPU: the matching entry; else, for a "GenuineIntel"
 * table and a leaf above the maximum of its range, the highest basic
 * leaf's entry (SDM Vol. 2A, CPUID: "If a value entered for CPUID.EAX is
 * higher than the maximum input value for basic or extended function for
 * that processor then the data for the highest basic information leaf is
 * returned"); else zeros (with CL and EDX kept for leaves 0xB/0x1F).
 *
 * Called on every CPUID exit.  A leaf with a non-indexed entry in one of
 * the direct tables costs three compares and four loads; the rest goes
 * out of line.
 */
static inline const struct cpuid_fast *cpuid_fast_entry(const struct cpuid_cache *c,
							u32 leaf)
{
	if (leaf < CPUID_FAST_BASIC)
		return &c->basic[leaf];
	if (leaf - 0x80000000u < CPUID_FAST_EXT)
		return &c->ext[leaf - 0x80000000u];
	if (leaf - 0x40000000u < CPUID_FAST_HYPER)
		return &c->hyper[leaf - 0x40000000u];
	return NULL;
}

static inline void cpuid_cache_lookup(const struct cpuid_cache *c, u32 leaf,
				      u32 subleaf, u32 regs[4])
{
	const struct cpuid_fast *f = cpuid_fast_entry(c, leaf);

	if (__builtin_expect(f && f->state == CPUID_FAST_DIRECT, 1)) {
		regs[0] = f->regs[0];
		regs[1] = f->regs[1];
		regs[2] = f->regs[2];
		regs[3] = f->regs[3];
		return;
	}
	cpuid_cache_lookup_slow(c, leaf, subleaf, regs);
}

/*
 * The same answer as cpuid_cache_lookup(), as a pointer to the four
 * registers: the direct tables' own for the common case, else c->answer.
 * For the exit handler, which copies them straight into the guest's GPRs.
 */
static inline const u32 *cpuid_cache_answer(struct cpuid_cache *c, u32 leaf,
					    u32 subleaf)
{
	const struct cpuid_fast *f = cpuid_fast_entry(c, leaf);

	if (__builtin_expect(f && f->state == CPUID_FAST_DIRECT, 1))
		return f->regs;
	cpuid_cache_lookup_slow(c, leaf, subleaf, c->answer);
	return c->answer;
}

/* The guest was given XSAVE: CPUID.01H:ECX.XSAVE[bit 26]. */
bool cpuid_cache_has_xsave(const struct cpuid_cache *c);

/*
 * The guest's MAXPHYADDR: CPUID.80000008H:EAX[7:0] when the table reaches
 * that leaf; else 36 with PAE and 32 without (SDM Vol. 3A, "Enumeration
 * of Paging Features by CPUID").
 */
unsigned int cpuid_cache_maxphyaddr(const struct cpuid_cache *c);

/* The guest state that some CPUID bits reflect on a real CPU. */
struct cpuid_guest_state {
	bool cr4_osxsave;	/* CR4.OSXSAVE */
	bool cr4_pke;		/* CR4.PKE */
	bool apic_enabled;	/* IA32_APIC_BASE[11], the APIC global enable */
	u64 xcr0;		/* XCR0 (IA32_XSS is always 0 under vmxlab) */
};

/*
 * Bring the dynamic bits of the table in step with @s, as a real CPU
 * reports them (SDM Vol. 2A, "CPUID--CPU Identification"):
 *   CPUID.01H:ECX.OSXSAVE[27] = CR4.OSXSAVE, if the table offers XSAVE;
 *   CPUID.01H:EDX.APIC[9] = IA32_APIC_BASE[11], if the table as set offered
 *     the APIC (SDM Vol. 3A, "Enabling or Disabling the Local APIC": a
 *     disabled APIC clears the CPUID flag);
 *   CPUID.(07H,0):ECX.OSPKE[4] = CR4.PKE, if the table offers PKU;
 *   CPUID.(0DH,0):EBX = the size of the XSAVE area (standard format) for
 *     the components enabled in XCR0;
 *   CPUID.(0DH,1):EBX = the size in the compacted format for XCR0 |
 *     IA32_XSS, if the table offers XSAVEC or XSAVES.
 * The sizes come from the host's leaf 0DH subleaves (@host): the guest's
 * XSAVE runs on the host CPU and writes its layout, whatever the table
 * says.  Every other bit stays as the table has it.  Call after
 * cpuid_cache_set() and on every change of one of those registers: the
 * CPUID exit path then answers from the table with no fix-up of its own.
 */
void cpuid_cache_update(struct cpuid_cache *c, const struct cpuid_guest_state *s,
			cpuid_host_fn host, void *ctx);

#endif /* VMXLAB_CPUID_H */
