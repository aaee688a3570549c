// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of exits/cpuid_supported.c and exits/cpuid_cache.c: the
 * KVM_GET_SUPPORTED_CPUID table built from a fake host, and the per-vCPU
 * table of KVM_SET_CPUID2 that answers CPUID exits.
 *
 * The fake host is a Core i7-4770 (Haswell, family 6 model 0x3c stepping
 * 3), the CPU the emulated test machine models: leaf values as that CPU
 * reports them with a 2019 microcode (speculation-control bits in leaf 7
 * EDX), with the OS's XCR0 = x87|SSE|AVX.  A second fake answers all-ones
 * in every register of every leaf, to show that only bits vmxlab decided
 * about ever reach a guest and that every subleaf loop ends.
 *
 * What a user would see if these failed: a guest told it has VMX, x2APIC
 * or AVX-512 and crashing when it uses them; a guest missing subleaves of
 * leaf 4 or 0xB and getting its cache or topology wrong; KVM clients
 * rejected or answered wrong by KVM_SET_CPUID2 and CPUID exits.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <vmxlab/cpuid.h>

#include "unit.h"

struct fake_leaf {
	u32 leaf, subleaf;
	bool indexed;
	u32 r[4];
};

struct fake_host {
	const struct fake_leaf *leaves;
	unsigned int n;
	bool all_ones;
	u32 max_basic, max_ext;	/* all_ones only */
	unsigned int calls;
	unsigned int beyond_max;	/* calls for a leaf above the host's max */
};

#define IDX(l, s, a, b, c, d)	{ (l), (s), true, { (a), (b), (c), (d) } }
#define LEAF(l, a, b, c, d)	{ (l), 0, false, { (a), (b), (c), (d) } }

/* "Intel(R) Core(TM) i7-4770 CPU @ 3.40GHz", 16 bytes per leaf, EAX first. */
static const struct fake_leaf haswell[] = {
	LEAF(0x0, 0xd, CPUID_INTEL_EBX, CPUID_INTEL_ECX, CPUID_INTEL_EDX),
	LEAF(0x1, 0x000306c3, 0x02100800, 0x7ffafbff, 0xbfebfbff),
	LEAF(0x2, 0x76036301, 0x00f0b5ff, 0x00000000, 0x00c10000),
	IDX(0x4, 0, 0x1c004121, 0x01c0003f, 0x0000003f, 0x00000000),
	IDX(0x4, 1, 0x1c004122, 0x01c0003f, 0x0000003f, 0x00000000),
	IDX(0x4, 2, 0x1c004143, 0x01c0003f, 0x000001ff, 0x00000000),
	IDX(0x4, 3, 0x1c03c163, 0x03c0003f, 0x00001fff, 0x00000006),
	LEAF(0x5, 0x40, 0x40, 0x3, 0x00042120),
	LEAF(0x6, 0x77, 0x2, 0x9, 0x0),
	IDX(0x7, 0, 0x0, 0x000027ab, 0x0, 0x9c000400),
	LEAF(0xa, 0x07300403, 0x0, 0x0, 0x00000603),
	IDX(0xb, 0, 0x1, 0x2, 0x100, 0x2),
	IDX(0xb, 1, 0x4, 0x8, 0x201, 0x2),
	IDX(0xb, 2, 0x0, 0x0, 0x002, 0x2),
	IDX(0xd, 0, 0x7, 0x340, 0x340, 0x0),
	IDX(0xd, 1, 0x1, 0x0, 0x0, 0x0),
	IDX(0xd, 2, 0x100, 0x240, 0x0, 0x0),
	LEAF(0x80000000, 0x80000008, 0, 0, 0),
	LEAF(0x80000001, 0x0, 0x0, 0x00000021, 0x2c100800),
	LEAF(0x80000002, 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865),
	LEAF(0x80000003, 0x37692029, 0x3737342d, 0x50432030, 0x20402055),
	LEAF(0x80000004, 0x30342e33, 0x007a4847, 0x00000000, 0x00000000),
	LEAF(0x80000006, 0x0, 0x0, 0x01006040, 0x0),
	LEAF(0x80000007, 0x0, 0x0, 0x0, 0x00000100),
	LEAF(0x80000008, 0x00003027, 0x0, 0x0, 0x0),
};

static void fake_cpuid(void *ctx, u32 leaf, u32 subleaf, u32 regs[4])
{
	struct fake_host *h = ctx;
	unsigned int i;

	h->calls++;
	if (h->all_ones) {
		if (leaf < 0x40000000 ? leaf > h->max_basic : leaf > h->max_ext)
			h->beyond_max++;
		regs[0] = regs[1] = regs[2] = regs[3] = 0xffffffff;
		if (leaf == 0)
			regs[0] = h->max_basic;
		if (leaf == 0x80000000)
			regs[0] = h->max_ext;
		return;
	}
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
	if (leaf < 0x80000000 ? leaf > h->leaves[0].r[0] : leaf > 0x80000008)
		h->beyond_max++;
	for (i = 0; i < h->n; i++) {
		const struct fake_leaf *l = &h->leaves[i];

		if (l->leaf == leaf && (!l->indexed || l->subleaf == subleaf)) {
			memcpy(regs, l->r, sizeof(l->r));
			return;
		}
	}
}

static struct fake_host haswell_host(void)
{
	return (struct fake_host){ .leaves = haswell, .n = ARRAY_SIZE(haswell) };
}

/* The policy of a host like the test machine: XCR0 = x87|SSE|AVX, RDTSCP on. */
static const struct cpuid_policy full = { .host_xcr0 = 7, .rdtscp = true, .invpcid = true };

static struct kvm_cpuid_entry2 table[CPUID_MAX_ENTRIES];
static unsigned int table_n;

static void build(struct fake_host *h, const struct cpuid_policy *p)
{
	memset(table, 0, sizeof(table));
	ck_assert_int_eq(cpuid_supported_table(fake_cpuid, h, p, table,
					       CPUID_MAX_ENTRIES, &table_n), 0);
	ck_assert_uint_eq(h->beyond_max, 0);
}

static const struct kvm_cpuid_entry2 *entry(u32 leaf, u32 subleaf)
{
	unsigned int i;

	for (i = 0; i < table_n; i++)
		if (table[i].function == leaf &&
		    (!(table[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     table[i].index == subleaf))
			return &table[i];
	ck_abort_msg("no entry for leaf %#x subleaf %u", leaf, subleaf);
	return NULL;
}

static unsigned int count_leaf(u32 leaf)
{
	unsigned int i, n = 0;

	for (i = 0; i < table_n; i++)
		n += table[i].function == leaf;
	return n;
}

START_TEST(supported_leaf1_filtered)
{
	struct fake_host h = haswell_host();
	const struct kvm_cpuid_entry2 *e;
	static const unsigned int ecx_cleared[] = { 2, 3, 4, 5, 6, 7, 8, 14, 15, 21, 24, 27 };
	static const unsigned int edx_cleared[] = { 21, 22, 29, 31 };
	unsigned int i;

	build(&h, &full);
	e = entry(1, 0);
	ck_assert_uint_eq(e->flags, 0);
	ck_assert_uint_eq(e->eax, 0x000306c3);
	/* The host's initial APIC ID (EBX[31:24], 0x02 here) is not passed on. */
	ck_assert_uint_eq(e->ebx, 0x00100800);
	for (i = 0; i < ARRAY_SIZE(ecx_cleared); i++)
		ck_assert_msg(!(e->ecx & (1u << ecx_cleared[i])),
			      "leaf 1 ECX bit %u passed to the guest", ecx_cleared[i]);
	for (i = 0; i < ARRAY_SIZE(edx_cleared); i++)
		ck_assert_msg(!(e->edx & (1u << edx_cleared[i])),
			      "leaf 1 EDX bit %u passed to the guest", edx_cleared[i]);
	ck_assert_msg(e->ecx & (1u << 31), "hypervisor bit not set");
	/*
	 * SSE3 PCLMULQDQ SSSE3 FMA CX16 PCID SSE4.1 SSE4.2 MOVBE POPCNT AES
	 * XSAVE AVX F16C RDRAND, and the hypervisor bit.
	 */
	ck_assert_uint_eq(e->ecx, 0xf6da3203);
	/* The host's EDX less DS, ACPI, TM, PBE. */
	ck_assert_uint_eq(e->edx, 0x1f8bfbff);
}
END_TEST

START_TEST(supported_leaf7_filtered)
{
	struct fake_host h = haswell_host();
	struct cpuid_policy p = full;
	const struct kvm_cpuid_entry2 *e;

	build(&h, &p);
	e = entry(7, 0);
	ck_assert_uint_eq(e->flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	ck_assert_uint_eq(e->eax, 0);	/* Haswell has subleaf 0 only */
	/* FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS INVPCID FPU-CS/DS; not TSC_ADJUST. */
	ck_assert_uint_eq(e->ebx, 0x27a9);
	ck_assert_uint_eq(e->ecx, 0);
	/* MD_CLEAR only: IBRS/IBPB, STIBP, L1D_FLUSH, SSBD are MSRs. */
	ck_assert_uint_eq(e->edx, 0x400);
	ck_assert_uint_eq(count_leaf(7), 1);

	p.invpcid = false;
	h = haswell_host();
	build(&h, &p);
	ck_assert_uint_eq(entry(7, 0)->ebx, 0x23a9);
}
END_TEST

START_TEST(supported_zeroed_leaves)
{
	struct fake_host h = haswell_host();
	static const u32 zeroed[] = { 3, 5, 6, 8, 9, 0xa, 0xc };
	const struct kvm_cpuid_entry2 *e;
	unsigned int i;

	build(&h, &full);
	for (i = 0; i < ARRAY_SIZE(zeroed); i++) {
		e = entry(zeroed[i], 0);
		ck_assert_msg(!e->eax && !e->ebx && !e->ecx && !e->edx,
			      "leaf %#x not zero", zeroed[i]);
	}
	/* Leaf 2 passes unchanged. */
	e = entry(2, 0);
	ck_assert_uint_eq(e->eax, 0x76036301);
	ck_assert_uint_eq(e->edx, 0x00c10000);
}
END_TEST

START_TEST(supported_signature)
{
	struct fake_host h = haswell_host();
	const struct kvm_cpuid_entry2 *e;
	char sig[13];

	build(&h, &full);
	e = entry(0x40000000, 0);
	ck_assert_uint_eq(e->eax, 0x40000001);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	sig[12] = 0;
	ck_assert_str_eq(sig, "vmxlabvmxlab");
	/*
	 * EAX and EDX are KVM's paravirtual feature and hint bits to a KVM
	 * client (QEMU): none offered; the version is in EBX.
	 */
	e = entry(0x40000001, 0);
	ck_assert_uint_eq(e->eax, 0);
	ck_assert_uint_eq(e->ebx, VMXLAB_API_VERSION);
	ck_assert_uint_eq(e->ecx | e->edx, 0);
	/* Leaf 0 keeps the host's vendor and maximum. */
	e = entry(0, 0);
	ck_assert_uint_eq(e->eax, 0xd);
	ck_assert_uint_eq(e->ebx, CPUID_INTEL_EBX);
}
END_TEST

START_TEST(supported_subleaves)
{
	struct fake_host h = haswell_host();
	unsigned int i;

	build(&h, &full);
	/* Leaf 4: four caches and the type-0 subleaf that ends them. */
	ck_assert_uint_eq(count_leaf(4), 5);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(entry(4, i)->flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	ck_assert_uint_eq(entry(4, 3)->ecx, 0x1fff);
	ck_assert_uint_eq(entry(4, 4)->eax & 0x1f, 0);
	/* Leaf 0xB: SMT, core, and the invalid level that ends them. */
	ck_assert_uint_eq(count_leaf(0xb), 3);
	ck_assert_uint_eq(entry(0xb, 1)->ecx, 0x201);
	ck_assert_uint_eq(entry(0xb, 2)->ecx, 0x002);
	/* Every entry's index is 0 unless its leaf is indexed. */
	for (i = 0; i < table_n; i++)
		if (!(table[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX))
			ck_assert_uint_eq(table[i].index, 0);
	/* Basic leaves 0..0xD, 2 hypervisor leaves, 0x80000000..8. */
	ck_assert_uint_eq(table_n, 14 + 4 + 2 + 2 + 2 + 9);
}
END_TEST

START_TEST(supported_xsave_policy)
{
	struct fake_host h = haswell_host();
	struct cpuid_policy p = full;

	build(&h, &p);
	ck_assert_uint_eq(count_leaf(0xd), 3);
	ck_assert_uint_eq(entry(0xd, 0)->eax, 7);
	ck_assert_uint_eq(entry(0xd, 0)->ebx, 0x340);
	ck_assert_uint_eq(entry(0xd, 0)->ecx, 0x340);
	ck_assert_uint_eq(entry(0xd, 1)->eax, 1);	/* XSAVEOPT */
	ck_assert_uint_eq(entry(0xd, 2)->eax, 0x100);
	ck_assert_uint_eq(entry(0xd, 2)->ebx, 0x240);

	/* A host OS without AVX state: no AVX, FMA, F16C, AVX2, subleaf 2. */
	p.host_xcr0 = 3;
	h = haswell_host();
	build(&h, &p);
	ck_assert_uint_eq(count_leaf(0xd), 2);
	ck_assert_uint_eq(entry(0xd, 0)->eax, 3);
	ck_assert_uint_eq(entry(0xd, 0)->ecx, 576);
	ck_assert(entry(1, 0)->ecx & CPUID_1_ECX_XSAVE);
	ck_assert(!(entry(1, 0)->ecx & ((1u << 28) | (1u << 12) | (1u << 29))));
	ck_assert(!(entry(7, 0)->ebx & (1u << 5)));

	/* Extra XCR0 bits of the host (MPX, AVX-512) never reach the guest. */
	p.host_xcr0 = 0xff;
	h = haswell_host();
	build(&h, &p);
	ck_assert_uint_eq(entry(0xd, 0)->eax, 7);

	/* No SSE state: no XSAVE at all, one zero subleaf. */
	p.host_xcr0 = 1;
	h = haswell_host();
	build(&h, &p);
	ck_assert(!(entry(1, 0)->ecx & (CPUID_1_ECX_XSAVE | (1u << 28))));
	ck_assert_uint_eq(count_leaf(0xd), 1);
	ck_assert_uint_eq(entry(0xd, 0)->eax, 0);
}
END_TEST

START_TEST(supported_extended)
{
	struct fake_host h = haswell_host();
	struct cpuid_policy p = full;
	char brand[49];
	unsigned int i;

	build(&h, &p);
	ck_assert_uint_eq(entry(0x80000000, 0)->eax, 0x80000008);
	ck_assert_uint_eq(entry(0x80000001, 0)->ecx, 0x21);		/* LAHF LZCNT */
	ck_assert_uint_eq(entry(0x80000001, 0)->edx, 0x2c100800);	/* SYSCALL NX 1G RDTSCP LM */
	ck_assert_uint_eq(entry(0x80000008, 0)->eax, 0x3027);
	ck_assert_uint_eq(entry(0x80000007, 0)->edx, 0x100);
	for (i = 0; i < 3; i++)
		memcpy(brand + 16 * i, &entry(0x80000002 + i, 0)->eax, 16);
	brand[48] = 0;
	ck_assert_str_eq(brand, "Intel(R) Core(TM) i7-4770 CPU @ 3.40GHz");

	p.rdtscp = false;
	h = haswell_host();
	build(&h, &p);
	ck_assert_uint_eq(entry(0x80000001, 0)->edx, 0x24100800);
}
END_TEST

START_TEST(supported_e2big)
{
	struct fake_host h = haswell_host();
	struct kvm_cpuid_entry2 small[4];
	unsigned int n = 0, need;

	build(&h, &full);
	need = table_n;
	memset(small, 0xa5, sizeof(small));
	h = haswell_host();
	ck_assert_int_eq(cpuid_supported_table(fake_cpuid, &h, &full, small, 3, &n), -E2BIG);
	ck_assert_uint_eq(n, need);
	ck_assert_uint_eq(small[3].function, 0xa5a5a5a5);	/* nothing past max */
	ck_assert_uint_eq(small[0].function, 0);

	h = haswell_host();
	ck_assert_int_eq(cpuid_supported_table(fake_cpuid, &h, &full, table, need, &n), 0);
	ck_assert_uint_eq(n, need);
	h = haswell_host();
	ck_assert_int_eq(cpuid_supported_table(fake_cpuid, &h, &full, table, need - 1, &n),
			 -E2BIG);
}
END_TEST

/* Every bit set everywhere: only the whitelists pass, every loop ends. */
START_TEST(supported_hostile_host)
{
	struct fake_host h = { .all_ones = true, .max_basic = 0x7fffffff,
			       .max_ext = 0xffffffff };
	const struct kvm_cpuid_entry2 *e;

	build(&h, &full);
	ck_assert_uint_le(table_n, CPUID_MAX_ENTRIES);
	ck_assert_uint_eq(entry(0, 0)->eax, 0x1f);
	ck_assert_uint_eq(entry(0x80000000, 0)->eax, 0x80000008);
	e = entry(1, 0);
	ck_assert_uint_eq(e->ecx, 0xf6da3203);
	ck_assert_uint_eq(e->edx, 0x1f8bfbff);
	e = entry(7, 0);
	ck_assert_uint_eq(e->eax, 1);
	ck_assert_msg(!(e->ebx & 0xdc230000u), "AVX-512 leaked: %#x", e->ebx);
	ck_assert_msg(!(e->ecx & ((1u << 3) | (1u << 5) | (1u << 16))), "ECX %#x", e->ecx);
	ck_assert_msg(!(e->edx & 0xfc000000u), "speculation MSR bits leaked: %#x", e->edx);
	ck_assert_uint_eq(count_leaf(7), 2);
	ck_assert_uint_eq(entry(7, 1)->ebx | entry(7, 1)->ecx, 0);
	ck_assert_uint_eq(entry(0xd, 0)->eax, 7);
	ck_assert_uint_eq(entry(0xd, 1)->eax, 7);	/* no XSAVES, no XFD */
	ck_assert_uint_eq(entry(0xd, 1)->ecx | entry(0xd, 1)->edx, 0);
	ck_assert_uint_eq(entry(0x80000001, 0)->ecx, 0x121);	/* no SVM */
	ck_assert_uint_eq(entry(0x80000008, 0)->eax, 0xff30);	/* 48 physical bits */
	ck_assert_uint_eq(count_leaf(0x17), 4);
	ck_assert_uint_eq(count_leaf(0x18), 32);
	ck_assert_uint_eq(entry(0x14, 0)->eax | entry(0x12, 0)->eax | entry(0x10, 0)->eax, 0);
}
END_TEST

/* A table as a KVM client would build it: the supported one. */
static struct cpuid_cache cache;

static void set_haswell(void)
{
	struct fake_host h = haswell_host();

	build(&h, &full);
	memset(&cache, 0, sizeof(cache));
	ck_assert_int_eq(cpuid_cache_set(&cache, table, table_n), 0);
}

static void lookup(u32 leaf, u32 subleaf, u32 r[4])
{
	u32 slow[4];

	cpuid_cache_lookup(&cache, leaf, subleaf, r);
	cpuid_cache_lookup_slow(&cache, leaf, subleaf, slow);
	ck_assert_msg(!memcmp(r, slow, sizeof(slow)),
		      "fast and slow paths disagree on %#x.%u", leaf, subleaf);
}

static void assert_regs(u32 leaf, u32 subleaf, u32 a, u32 b, u32 c, u32 d)
{
	u32 r[4];

	lookup(leaf, subleaf, r);
	ck_assert_msg(r[0] == a && r[1] == b && r[2] == c && r[3] == d,
		      "CPUID %#x.%u = %#x %#x %#x %#x, expected %#x %#x %#x %#x",
		      leaf, subleaf, r[0], r[1], r[2], r[3], a, b, c, d);
}

static void assert_entry(u32 leaf, u32 subleaf, u32 as_leaf, u32 as_subleaf)
{
	const struct kvm_cpuid_entry2 *e = entry(as_leaf, as_subleaf);

	assert_regs(leaf, subleaf, e->eax, e->ebx, e->ecx, e->edx);
}

START_TEST(cache_direct_and_indexed)
{
	unsigned int i;

	set_haswell();
	ck_assert_uint_eq(cache.nent, table_n);
	ck_assert_uint_eq(cache.basic[1].state, CPUID_FAST_DIRECT);
	ck_assert_uint_eq(cache.basic[4].state, CPUID_FAST_INDEXED);
	ck_assert_uint_eq(cache.hyper[0].state, CPUID_FAST_DIRECT);
	ck_assert_uint_eq(cache.ext[8].state, CPUID_FAST_DIRECT);
	ck_assert_uint_eq(cache.basic[0xe].state, CPUID_FAST_ABSENT);
	ck_assert_uint_eq(cache.max_basic, 0xd);
	ck_assert_uint_eq(cache.max_ext, 0x80000008);
	ck_assert(cache.intel);
	/* Every entry answers its own (leaf, subleaf). */
	for (i = 0; i < table_n; i++)
		assert_entry(table[i].function, table[i].index,
			     table[i].function, table[i].index);
	/* A non-indexed leaf answers every subleaf alike. */
	assert_entry(1, 7, 1, 0);
	assert_entry(0x40000000, 0xffffffff, 0x40000000, 0);
	/* An indexed leaf's missing subleaf is zero. */
	assert_regs(4, 9, 0, 0, 0, 0);
	assert_regs(0xd, 3, 0, 0, 0, 0);
}
END_TEST

START_TEST(cache_rejects_bad_tables)
{
	struct kvm_cpuid_entry2 e[3] = {
		{ .function = 0, .eax = 1, .ebx = CPUID_INTEL_EBX,
		  .ecx = CPUID_INTEL_ECX, .edx = CPUID_INTEL_EDX },
		{ .function = 1, .eax = 0x306c3 },
		{ .function = 1, .index = 1, .eax = 0x12345 },
	};
	static struct kvm_cpuid_entry2 big[CPUID_MAX_ENTRIES + 1];

	memset(&cache, 0, sizeof(cache));
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 2), 0);
	/* Non-indexed: the index is ignored, so this is leaf 1 twice. */
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), -EINVAL);
	/* Indexed beside non-indexed: both would answer 1.1. */
	e[2].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), -EINVAL);
	/* Two indexed entries: distinct subleaves are fine, the same is not. */
	e[1].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), 0);
	e[2].index = 0;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), -EINVAL);
	e[2].index = 1;
	/* Flags: KVM's three are accepted, any other bit is not. */
	e[0].flags = KVM_CPUID_FLAG_STATEFUL_FUNC | KVM_CPUID_FLAG_STATE_READ_NEXT;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), 0);
	e[0].flags = 1u << 3;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), -EINVAL);
	e[0].flags = 0;
	/* The table from the last success is still in force. */
	ck_assert_uint_eq(cache.nent, 3);
	assert_regs(1, 1, 0x12345, 0, 0, 0);
	/* Too many entries: -E2BIG before anything else is looked at. */
	ck_assert_int_eq(cpuid_cache_set(&cache, big, CPUID_MAX_ENTRIES + 1), -E2BIG);
	ck_assert_uint_eq(cache.nent, 3);
	/* Exactly the limit is fine (distinct leaves). */
	for (unsigned int i = 0; i < CPUID_MAX_ENTRIES; i++)
		big[i].function = 0x100 + i;
	ck_assert_int_eq(cpuid_cache_set(&cache, big, CPUID_MAX_ENTRIES), 0);
}
END_TEST

START_TEST(cache_out_of_range_intel)
{
	set_haswell();
	/* In range but absent: zeros. */
	assert_regs(0x8, 0, 0, 0, 0, 0);
	assert_regs(0x80000005, 0, 0, 0, 0, 0);
	/* Above the basic maximum: the highest basic leaf, 0xD, subleaf kept. */
	assert_entry(0xe, 0, 0xd, 0);
	assert_entry(0x20, 1, 0xd, 1);
	assert_entry(0x3fffffff, 2, 0xd, 2);
	assert_regs(0x1f, 5, 0, 0, 0, 0);	/* 0xD has no subleaf 5 */
	assert_entry(0x50000000, 0, 0xd, 0);
	/* Above the extended maximum, the hypervisor range's, or a missing range. */
	assert_entry(0x80000009, 0, 0xd, 0);
	assert_entry(0xbfffffff, 1, 0xd, 1);
	assert_entry(0x40000002, 0, 0xd, 0);
	assert_entry(0x40000100, 0, 0xd, 0);
	assert_entry(0xc0000000, 0, 0xd, 0);
	assert_entry(0xffffffff, 0, 0xd, 0);
}
END_TEST

START_TEST(cache_out_of_range_not_intel)
{
	struct kvm_cpuid_entry2 e[3] = {
		/* "AuthenticAMD" */
		{ .function = 0, .eax = 1, .ebx = 0x68747541, .ecx = 0x444d4163,
		  .edx = 0x69746e65 },
		{ .function = 1, .eax = 0x00a20f10 },
		{ .function = 0x80000000, .eax = 0x80000001 },
	};

	memset(&cache, 0, sizeof(cache));
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), 0);
	ck_assert(!cache.intel);
	assert_regs(2, 0, 0, 0, 0, 0);
	assert_regs(0x80000002, 0, 0, 0, 0, 0);
	assert_regs(0x40000000, 0, 0, 0, 0, 0);
	assert_regs(1, 0, 0x00a20f10, 0, 0, 0);
}
END_TEST

/* An entry beyond the maximum still answers for itself. */
START_TEST(cache_exact_entry_beats_range)
{
	struct kvm_cpuid_entry2 e[3] = {
		{ .function = 0, .eax = 2, .ebx = CPUID_INTEL_EBX,
		  .ecx = CPUID_INTEL_ECX, .edx = CPUID_INTEL_EDX },
		{ .function = 2, .eax = 0x22 },
		{ .function = 0x16, .eax = 0x1616 },
	};

	memset(&cache, 0, sizeof(cache));
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), 0);
	assert_regs(0x16, 0, 0x1616, 0, 0, 0);
	assert_regs(0x15, 0, 0x22, 0, 0, 0);	/* non-indexed max leaf: any subleaf */
	assert_regs(0x80000000, 3, 0x22, 0, 0, 0);
	assert_regs(1, 0, 0, 0, 0, 0);		/* in range, absent */
}
END_TEST

START_TEST(cache_empty)
{
	static const u32 leaves[] = { 0, 1, 4, 0xd, 0x1f, 0x20, 0x40000000,
				      0x80000000, 0x80000008, 0xc0000000, 0xffffffff };
	unsigned int i;

	memset(&cache, 0, sizeof(cache));	/* a zeroed cache is empty */
	for (i = 0; i < ARRAY_SIZE(leaves); i++)
		assert_regs(leaves[i], 0, 0, 0, 0, 0);
	set_haswell();
	ck_assert_int_eq(cpuid_cache_set(&cache, NULL, 0), 0);
	for (i = 0; i < ARRAY_SIZE(leaves); i++)
		assert_regs(leaves[i], 1, 0, 0, 0, 0);
	ck_assert(!cpuid_cache_has_xsave(&cache));
	ck_assert_uint_eq(cpuid_cache_maxphyaddr(&cache), 32);
}
END_TEST

/*
 * Past the last topology level: ECX[7:0] echoes the input, EDX is the
 * x2APIC ID (the table's; the supported table leaves it 0 for user space).
 */
START_TEST(cache_topology_past_last_level)
{
	set_haswell();
	assert_regs(0xb, 5, 0, 0, 5, 0);
	assert_regs(0xb, 0x1ff, 0, 0, 0xff, 0);
	assert_entry(0xb, 2, 0xb, 2);
	/* No leaf 0x1F in the table and 0x1F is out of range: 0xD's (absent) subleaf 5. */
	assert_regs(0x1f, 5, 0, 0, 0, 0);
}
END_TEST

static struct fake_host update_host;

/* cpuid_cache_update() with that guest state, the fake Haswell as the host. */
static void update(bool osxsave, bool pke, bool apic, u64 xcr0)
{
	struct cpuid_guest_state st = {
		.cr4_osxsave = osxsave, .cr4_pke = pke, .apic_enabled = apic, .xcr0 = xcr0,
	};

	update_host = haswell_host();
	cpuid_cache_update(&cache, &st, fake_cpuid, &update_host);
}

/*
 * A table as a VMM might write it, with the dynamic bits set "wrong" on
 * purpose: the answers follow the guest's CR4, XCR0 and APIC enable bit,
 * not the table (SDM Vol. 2A, CPUID), and nothing else changes.
 */
START_TEST(cache_dynamic_bits)
{
	const u32 ecx1 = CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE | 0x201;
	const u32 edx1 = CPUID_1_EDX_APIC | CPUID_1_EDX_PAE;
	struct kvm_cpuid_entry2 e[] = {
		{ .function = 0, .eax = 0xd, .ebx = CPUID_INTEL_EBX,
		  .ecx = CPUID_INTEL_ECX, .edx = CPUID_INTEL_EDX },
		{ .function = 1, .eax = 0x306c3, .ecx = ecx1, .edx = edx1 },
		{ .function = 7, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .ebx = 0x209, .ecx = CPUID_7_0_ECX_PKU | CPUID_7_0_ECX_OSPKE },
		{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .ecx = CPUID_7_0_ECX_OSPKE },
		{ .function = 0xd, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 7, .ebx = 0x1234, .ecx = 0x340 },
		{ .function = 0xd, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 3, .ebx = 0 },
		{ .function = 0xd, .index = 2, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x100, .ebx = 0x240 },
		{ .function = 0x80000001, .ecx = 0x121, .edx = 0x20100800 },
	};

	ck_assert_int_eq(cpuid_cache_set(&cache, e, ARRAY_SIZE(e)), 0);
	/* The table as given until the device brings it in step. */
	assert_regs(1, 0, 0x306c3, 0, ecx1, edx1);

	/* Reset state: CR4 = 0, XCR0 = x87, APIC enabled. */
	update(false, false, true, 1);
	assert_regs(1, 0, 0x306c3, 0, ecx1 & ~CPUID_1_ECX_OSXSAVE, edx1);
	assert_regs(7, 0, 0, 0x209, CPUID_7_0_ECX_PKU, 0);
	assert_regs(7, 1, 0, 0, CPUID_7_0_ECX_OSPKE, 0);	/* not subleaf 0: untouched */
	assert_regs(0xd, 0, 7, 576, 0x340, 0);		/* x87 only: legacy + header */
	assert_regs(0xd, 1, 3, 576, 0, 0);		/* XSAVEC offered: compacted size */
	assert_regs(0xd, 2, 0x100, 0x240, 0, 0);
	assert_regs(0x80000001, 0, 0, 0, 0x121, 0x20100800);

	/* CR4.OSXSAVE, then XCR0 = x87|SSE|AVX: AVX's 256 bytes at 576 (the host's). */
	update(true, false, true, 1);
	assert_regs(1, 0, 0x306c3, 0, ecx1, edx1);
	update(true, false, true, 7);
	assert_regs(0xd, 0, 7, 832, 0x340, 0);
	assert_regs(0xd, 1, 3, 832, 0, 0);

	/* CR4.PKE with PKU offered; IA32_APIC_BASE.EN clear. */
	update(true, true, false, 7);
	assert_regs(7, 0, 0, 0x209, CPUID_7_0_ECX_PKU | CPUID_7_0_ECX_OSPKE, 0);
	assert_regs(1, 0, 0x306c3, 0, ecx1, edx1 & ~CPUID_1_EDX_APIC);
	ck_assert_uint_eq(cpuid_cache_find(&cache, 1, 0)->edx, edx1 & ~CPUID_1_EDX_APIC);
	/* The APIC comes back: the table offered it when it was set. */
	update(true, true, true, 3);
	assert_regs(1, 0, 0x306c3, 0, ecx1, edx1);
	assert_regs(0xd, 0, 7, 576, 0x340, 0);

	/* Without PKU, XSAVE, APIC or XSAVEC in the table nothing is ever set. */
	e[1].ecx = 0x201 | CPUID_1_ECX_OSXSAVE;
	e[1].edx = CPUID_1_EDX_PAE;
	e[2].ecx = CPUID_7_0_ECX_OSPKE;
	e[5].eax = 1;
	e[5].ebx = 0x99;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, ARRAY_SIZE(e)), 0);
	update(true, true, true, 7);
	assert_regs(1, 0, 0x306c3, 0, 0x201, CPUID_1_EDX_PAE);
	assert_regs(7, 0, 0, 0x209, 0, 0);
	assert_regs(0xd, 1, 1, 0x99, 0, 0);

	/* An empty table stays empty. */
	ck_assert_int_eq(cpuid_cache_set(&cache, NULL, 0), 0);
	update(true, true, true, 7);
	assert_regs(1, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(cache_helpers)
{
	struct kvm_cpuid_entry2 e[3] = {
		{ .function = 0, .eax = 1, .ebx = CPUID_INTEL_EBX,
		  .ecx = CPUID_INTEL_ECX, .edx = CPUID_INTEL_EDX },
		{ .function = 1, .edx = CPUID_1_EDX_PAE },
		{ .function = 0x80000000, .eax = 0x80000004 },
	};

	set_haswell();
	ck_assert(cpuid_cache_has_xsave(&cache));
	ck_assert_uint_eq(cpuid_cache_maxphyaddr(&cache), 39);
	ck_assert_uint_eq(cpuid_cache_find(&cache, 4, 3)->ecx, entry(4, 3)->ecx);
	ck_assert(cpuid_cache_find(&cache, 4, 3) >= cache.entries &&
		  cpuid_cache_find(&cache, 4, 3) < cache.entries + cache.nent);
	ck_assert_ptr_null(cpuid_cache_find(&cache, 4, 5));

	/* OSXSAVE follows the guest's CR4, in the fast path and in entries[]. */
	assert_entry(1, 0, 1, 0);
	update(true, false, true, 1);
	ck_assert(cache.basic[1].regs[CPUID_REG_ECX] & CPUID_1_ECX_OSXSAVE);
	ck_assert(cpuid_cache_find(&cache, 1, 0)->ecx & CPUID_1_ECX_OSXSAVE);
	update(false, false, true, 1);
	ck_assert(!(cache.basic[1].regs[CPUID_REG_ECX] & CPUID_1_ECX_OSXSAVE));

	/* Without 0x80000008: 36 with PAE, 32 without; no XSAVE, no OSXSAVE. */
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), 0);
	ck_assert_uint_eq(cpuid_cache_maxphyaddr(&cache), 36);
	ck_assert(!cpuid_cache_has_xsave(&cache));
	update(true, false, true, 1);
	assert_regs(1, 0, 0, 0, 0, CPUID_1_EDX_PAE);
	e[1].edx = 0;
	ck_assert_int_eq(cpuid_cache_set(&cache, e, 3), 0);
	ck_assert_uint_eq(cpuid_cache_maxphyaddr(&cache), 32);
}
END_TEST

/* Random leaves: the inline path always agrees with the out-of-line one. */
START_TEST(cache_random_lookups_agree)
{
	static const u32 bases[] = { 0, 0x40000000, 0x80000000, 0xc0000000 };
	unsigned int i;
	u32 r[4];

	set_haswell();
	unit_rng_seed(0xc1d);
	for (i = 0; i < 20000; i++) {
		unsigned long long x = unit_rng_next();
		u32 leaf = (i & 1) ? (u32)x : bases[x % 4] + (u32)((x >> 8) % 0x30);

		lookup(leaf, (u32)(x >> 40) % 8, r);
	}
}
END_TEST

Suite *cpuid_suite(void)
{
	Suite *s = suite_create("cpuid");

	UNIT_ADD(s, "cpuid", supported_leaf1_filtered);
	UNIT_ADD(s, "cpuid", supported_leaf7_filtered);
	UNIT_ADD(s, "cpuid", supported_zeroed_leaves);
	UNIT_ADD(s, "cpuid", supported_signature);
	UNIT_ADD(s, "cpuid", supported_subleaves);
	UNIT_ADD(s, "cpuid", supported_xsave_policy);
	UNIT_ADD(s, "cpuid", supported_extended);
	UNIT_ADD(s, "cpuid", supported_e2big);
	UNIT_ADD(s, "cpuid", supported_hostile_host);
	UNIT_ADD(s, "cpuid", cache_direct_and_indexed);
	UNIT_ADD(s, "cpuid", cache_rejects_bad_tables);
	UNIT_ADD(s, "cpuid", cache_out_of_range_intel);
	UNIT_ADD(s, "cpuid", cache_out_of_range_not_intel);
	UNIT_ADD(s, "cpuid", cache_exact_entry_beats_range);
	UNIT_ADD(s, "cpuid", cache_empty);
	UNIT_ADD(s, "cpuid", cache_topology_past_last_level);
	UNIT_ADD(s, "cpuid", cache_helpers);
	UNIT_ADD(s, "cpuid", cache_dynamic_bits);
	UNIT_ADD(s, "cpuid", cache_random_lookups_agree);
	return s;
}
