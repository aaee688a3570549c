// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT builder (ept/ept_table.c): any sequence of map, unmap, protect
 * and lookup, as slots come and go and EPT watches change permissions,
 * with table allocations that may fail.
 *
 * Input: EPT_VPID_CAP bit 0 (execute-only), how many tables may be
 * allocated (1..64), then operations of 18 bytes: kind, gpa (picked near a
 * few bases, so that operations meet), hpa, perms.
 * Invariants besides "no crash, no UB":
 *  - every result is one the header names for that call;
 *  - a model of what is mapped (gpa -> hpa, perms) agrees with
 *    ept_lookup() after every operation, and a failed call changes
 *    nothing;
 *  - ept_table_count() is the number of tables allocated and not freed;
 *    after ept_destroy() every table is freed once, and only tables the
 *    builder allocated;
 *  - no entry of the tree is an EPT misconfiguration;
 *  - the EPTP names the PML4, write-back, a 4-level walk, A/D as asked.
 */
#include <errno.h>
#include <vmxlab/ept.h>

#include "fuzz.h"

#define MAX_TABLES	64
#define MAX_PAGES	64
#define FAKE_PHYS(i)	(0x100000000ULL + (uint64_t)(i) * EPT_PAGE_SIZE)

static uint64_t tables[MAX_TABLES][EPT_ENTRIES] __attribute__((aligned(4096)));

struct pool {
	bool used[MAX_TABLES];
	unsigned int limit, in_use;
};

static void *fake_alloc(void *ctx, u64 *phys)
{
	struct pool *p = ctx;
	unsigned int i;

	if (p->in_use >= p->limit)
		return NULL;
	for (i = 0; i < MAX_TABLES; i++)
		if (!p->used[i]) {
			p->used[i] = true;
			p->in_use++;
			memset(tables[i], 0, sizeof(tables[i]));
			*phys = FAKE_PHYS(i);
			return tables[i];
		}
	return NULL;
}

static unsigned int fake_index(u64 phys)
{
	FUZZ_ASSERT(phys >= FAKE_PHYS(0) && phys < FAKE_PHYS(MAX_TABLES) && !(phys & 0xfff),
		    "table address %#llx was never allocated", (unsigned long long)phys);
	return (phys - FAKE_PHYS(0)) / EPT_PAGE_SIZE;
}

static void fake_free(void *ctx, void *table, u64 phys)
{
	struct pool *p = ctx;
	unsigned int i = fake_index(phys);

	FUZZ_ASSERT(p->used[i] && table == tables[i], "table %u freed twice or mismatched", i);
	p->used[i] = false;
	p->in_use--;
}

static void *fake_va(void *ctx, u64 phys)
{
	struct pool *p = ctx;
	unsigned int i = fake_index(phys);

	FUZZ_ASSERT(p->used[i], "table %u used after free", i);
	return tables[i];
}

static const struct ept_ops ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.table_va = fake_va,
};

struct page {
	u64 gpa, hpa;
	u32 perms;
};

struct model {
	struct page page[MAX_PAGES];
	unsigned int n;
};

static struct page *model_find(struct model *m, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->page[i].gpa == gpa)
			return &m->page[i];
	return NULL;
}

static u64 pick_gpa(struct fuzz_input *in)
{
	static const u64 base[] = {
		0, 0x200000, 0x40000000, 0x7fffffe00000ULL, 0xfee00000, 0xffffffff000ULL,
	};
	u64 raw = fuzz_take(in, 8);

	if (raw & 1)
		return raw >> 1;	/* anything: bad addresses too */
	return base[(raw >> 1) % 6] + ((raw >> 8) % 1024) * EPT_PAGE_SIZE;
}

static void check_tree(const u64 *table, int level, u64 cap)
{
	unsigned int i;

	for (i = 0; i < EPT_ENTRIES; i++) {
		u64 e = table[i];

		if (!(e & EPT_RWX))
			continue;
		FUZZ_ASSERT(!ept_entry_misconfigured(e, level, cap),
			    "misconfigured entry %#llx at level %d", (unsigned long long)e, level);
		if (level > EPT_LEVEL_PT && !(e & EPT_ENTRY_LARGE))
			check_tree(tables[fake_index(e & EPT_ADDR_MASK)], level - 1, cap);
	}
}

static void check_lookup(const struct ept *ept, struct model *m, u64 gpa)
{
	struct page *p = model_find(m, gpa & ~0xfffULL);
	u64 hpa = 0;
	u32 perms = 0;
	int r = ept_lookup(ept, gpa, &hpa, &perms);

	if (!p) {
		FUZZ_ASSERT(r == -ENOENT || r == -EINVAL, "lookup of unmapped %#llx: %d",
			    (unsigned long long)gpa, r);
		return;
	}
	FUZZ_ASSERT(r == 0 && hpa == p->hpa + (gpa & 0xfff) && perms == p->perms,
		    "lookup of %#llx: %d hpa %#llx perms %u, model %#llx perms %u",
		    (unsigned long long)gpa, r, (unsigned long long)hpa, perms,
		    (unsigned long long)p->hpa, p->perms);
}

static void one_op(struct ept *ept, struct model *m, struct fuzz_input *in)
{
	unsigned int kind = fuzz_take(in, 1) % 4;
	u64 gpa = pick_gpa(in);
	u64 hpa = fuzz_take(in, 8);
	u32 perms = fuzz_take(in, 1);
	struct page *p = model_find(m, gpa);
	u64 old = 0;
	int r;

	if (!(hpa & 1))
		hpa &= 0xffffff000ULL;
	perms = (perms & 0x80) ? perms : (perms & EPT_RWX);
	switch (kind) {
	case 0:
		r = ept_map_4k(ept, gpa, hpa, perms);
		FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -EEXIST || r == -ENOMEM, "map: %d", r);
		FUZZ_ASSERT(r != -EEXIST || p, "-EEXIST for unmapped %#llx", (unsigned long long)gpa);
		FUZZ_ASSERT(!p || r != 0, "mapped %#llx twice", (unsigned long long)gpa);
		if (r == 0 && m->n < MAX_PAGES) {
			m->page[m->n].gpa = gpa;
			m->page[m->n].hpa = hpa;
			m->page[m->n].perms = perms;
			m->n++;
		} else if (r == 0) {
			ept_unmap_4k(ept, gpa, NULL);	/* the model is full: keep them equal */
		}
		break;
	case 1:
		r = ept_unmap_4k(ept, gpa, &old);
		FUZZ_ASSERT(r == (p ? 0 : -ENOENT) || (!p && r == -EINVAL), "unmap %#llx: %d",
			    (unsigned long long)gpa, r);
		if (p) {
			FUZZ_ASSERT(old == p->hpa, "unmap gave %#llx, model %#llx",
				    (unsigned long long)old, (unsigned long long)p->hpa);
			*p = m->page[--m->n];
		}
		break;
	case 2:
		r = ept_protect(ept, gpa, perms);
		FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EINVAL, "protect: %d", r);
		FUZZ_ASSERT(r != 0 || p, "protect of unmapped %#llx succeeded", (unsigned long long)gpa);
		FUZZ_ASSERT(r != -ENOENT || !p, "protect of mapped %#llx: -ENOENT",
			    (unsigned long long)gpa);
		if (r == 0)
			p->perms = perms;
		break;
	default:
		break;
	}
	check_lookup(ept, m, gpa | (hpa & 0xfff));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model model;
	struct fuzz_input in = { data, size, 0 };
	struct pool pool = { .limit = 1 };
	struct ept ept;
	u64 cap = fuzz_take(&in, 1) & 1;
	unsigned int i;

	pool.limit = 1 + fuzz_take(&in, 1) % MAX_TABLES;
	model.n = 0;
	if (ept_init(&ept, &ops, &pool))
		return 0;
	ept_set_caps(&ept, cap);
	{
		u64 eptp = ept_pointer(&ept, cap);

		FUZZ_ASSERT((eptp & EPT_ADDR_MASK) == ept.pml4_phys && (eptp & 7) == EPT_MT_WB &&
			    ((eptp >> EPTP_WALK_SHIFT) & 7) == 3 && !!(eptp & EPTP_AD_ENABLE) == !!cap,
			    "EPTP %#llx for PML4 %#llx", (unsigned long long)eptp,
			    (unsigned long long)ept.pml4_phys);
	}
	for (i = 0; i < 256 && fuzz_left(&in) >= 18; i++) {
		one_op(&ept, &model, &in);
		FUZZ_ASSERT(ept_table_count(&ept) == pool.in_use, "%lu tables counted, %u allocated",
			    ept_table_count(&ept), pool.in_use);
	}
	check_tree(ept.pml4, EPT_LEVEL_PML4, cap);
	for (i = 0; i < model.n; i++)
		check_lookup(&ept, &model, model.page[i].gpa);
	ept_destroy(&ept);
	FUZZ_ASSERT(pool.in_use == 0, "%u tables left after ept_destroy", pool.in_use);
	ept_destroy(&ept);
	return 0;
}
