// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU's CPUID table (exits/cpuid_cache.c): any KVM_SET_CPUID2 table
 * a VMM hands in, then CPUID lookups as the exit handler makes them.
 *
 * Input: a count, then 40-byte entries (functions mostly in the basic,
 * hypervisor and extended ranges), then (leaf, subleaf) probes.
 * Invariants besides "no crash, no UB":
 *  - cpuid_cache_set() answers -E2BIG exactly for more than
 *    CPUID_MAX_ENTRIES entries, else -EINVAL exactly for an unknown flag
 *    or two clashing entries (cpuid_entries_clash()), else 0; on an error
 *    the cache is unchanged, byte for byte;
 *  - after a 0 the table reads back as given (nent, entries);
 *  - for every probe the inline lookup, the pointer answer and the slow
 *    path agree, and an entry that matches exactly (cpuid_cache_find())
 *    is what the guest reads.
 */
#include <errno.h>
#include <vmxlab/cpuid.h>

#include "fuzz.h"

#define FLAGS_KNOWN	(KVM_CPUID_FLAG_SIGNIFCANT_INDEX | KVM_CPUID_FLAG_STATEFUL_FUNC | \
			 KVM_CPUID_FLAG_STATE_READ_NEXT)

static u32 pick_leaf(struct fuzz_input *in)
{
	static const u32 base[] = { 0, 0x40000000u, 0x80000000u, 0 };
	u32 raw = fuzz_take(in, 2);

	if ((raw & 3) == 3)
		return fuzz_take(in, 4);
	return base[raw & 3] + ((raw >> 2) % 40);
}

static bool model_ok(const struct kvm_cpuid_entry2 *e, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (e[i].flags & ~FLAGS_KNOWN)
			return false;
		for (j = 0; j < i; j++)
			if (cpuid_entries_clash(&e[i], &e[j]))
				return false;
	}
	return true;
}

static void check_probe(struct cpuid_cache *c, u32 leaf, u32 subleaf)
{
	const struct kvm_cpuid_entry2 *e = cpuid_cache_find(c, leaf, subleaf);
	u32 fast[4], slow[4];
	const u32 *ans;

	cpuid_cache_lookup(c, leaf, subleaf, fast);
	cpuid_cache_lookup_slow(c, leaf, subleaf, slow);
	ans = cpuid_cache_answer(c, leaf, subleaf);
	FUZZ_ASSERT(!memcmp(fast, slow, sizeof(fast)) && !memcmp(fast, ans, sizeof(fast)),
		    "leaf %#x.%u: inline %x %x %x %x, slow %x %x %x %x", leaf, subleaf,
		    fast[0], fast[1], fast[2], fast[3], slow[0], slow[1], slow[2], slow[3]);
	if (e)
		FUZZ_ASSERT(fast[0] == e->eax && fast[1] == e->ebx && fast[2] == e->ecx &&
			    fast[3] == e->edx, "leaf %#x.%u: the exact entry is not the answer",
			    leaf, subleaf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cpuid_cache cache, before;
	static struct kvm_cpuid_entry2 e[CPUID_MAX_ENTRIES + 8];
	struct fuzz_input in = { data, size, 0 };
	unsigned int n = fuzz_take(&in, 2) % (CPUID_MAX_ENTRIES + 8), i;
	int r, want;

	memset(&cache, 0, sizeof(cache));
	memset(e, 0, sizeof(e));
	for (i = 0; i < n; i++) {
		e[i].function = pick_leaf(&in);
		e[i].index = fuzz_take(&in, 1) % 4;
		e[i].flags = fuzz_take(&in, 1);
		if (!(e[i].flags & 0x80))
			e[i].flags &= FLAGS_KNOWN;
		e[i].eax = fuzz_take(&in, 4);
		e[i].ebx = fuzz_take(&in, 4);
		e[i].ecx = fuzz_take(&in, 4);
		e[i].edx = fuzz_take(&in, 4);
	}
	if (fuzz_take(&in, 1) & 1) {	/* sometimes a valid table is replaced */
		struct kvm_cpuid_entry2 one = { .function = 0, .eax = 0x1f, .ebx = 0x756e6547,
						.ecx = 0x6c65746e, .edx = 0x49656e69 };

		FUZZ_ASSERT(cpuid_cache_set(&cache, &one, 1) == 0, "a one-entry table refused");
	}
	memcpy(&before, &cache, sizeof(cache));
	r = cpuid_cache_set(&cache, e, n);
	want = n > CPUID_MAX_ENTRIES ? -E2BIG : model_ok(e, n) ? 0 : -EINVAL;
	FUZZ_ASSERT(r == want, "%u entries: %d, want %d", n, r, want);
	if (r)
		FUZZ_ASSERT(!memcmp(&before, &cache, sizeof(cache)), "a refused table changed the cache");
	else
		FUZZ_ASSERT(cache.nent == n && !memcmp(cache.entries, e, n * sizeof(e[0])),
			    "the table does not read back as given");
	for (i = 0; i < n && i < 64; i++)
		check_probe(&cache, e[i].function, e[i].index);
	while (fuzz_left(&in) >= 3)
		check_probe(&cache, pick_leaf(&in), fuzz_take(&in, 1));
	return 0;
}
