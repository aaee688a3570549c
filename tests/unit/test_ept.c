// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of ept/ept_table.c: the EPTP, mapping, unmapping,
 * protecting and looking up 4 KiB pages, the SDM's misconfiguration
 * rules, and what happens to the tree when the allocator fails.
 *
 * Tables come from a fake allocator: malloc'd pages whose "physical"
 * addresses sit near the top of the 52-bit space (so an address mask that
 * drops high bits sends table_va() to a table that does not exist), that
 * counts live tables and fails on request.  Entry values are assembled by
 * hand from the SDM's formats (Vol. 3C, "Format of EPT Paging-Structure
 * Entries"); the comment next to each says which bits make it up.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <vmxlab/ept.h>
#include <vmxlab/vmx_arch.h>

#include "unit.h"

#define FAKE_PHYS_BASE	0x000ffff000000000ULL
#define FAKE_MAX_TABLES	4096

struct fake_mem {
	u64 *va[FAKE_MAX_TABLES];
	long live;		/* tables allocated and not yet freed */
	int fail_in;		/* fail the fail_in-th allocation from now; 0: never */
};

static u64 fake_phys(unsigned int slot)
{
	return FAKE_PHYS_BASE + (u64)slot * EPT_PAGE_SIZE;
}

static unsigned int fake_slot(u64 phys)
{
	u64 slot = (phys - FAKE_PHYS_BASE) / EPT_PAGE_SIZE;

	ck_assert_msg(phys >= FAKE_PHYS_BASE && slot < FAKE_MAX_TABLES &&
		      !(phys % EPT_PAGE_SIZE), "no table at phys %#" PRIx64, phys);
	return slot;
}

static void *fake_alloc(void *ctx, u64 *phys)
{
	struct fake_mem *m = ctx;
	unsigned int i;

	if (m->fail_in && !--m->fail_in)
		return NULL;
	for (i = 0; i < FAKE_MAX_TABLES && m->va[i]; i++)
		;
	ck_assert_msg(i < FAKE_MAX_TABLES, "fake allocator out of tables");
	m->va[i] = aligned_alloc(EPT_PAGE_SIZE, EPT_PAGE_SIZE);
	ck_assert(m->va[i]);
	memset(m->va[i], 0, EPT_PAGE_SIZE);
	m->live++;
	*phys = fake_phys(i);
	return m->va[i];
}

static void fake_free(void *ctx, void *table, u64 phys)
{
	struct fake_mem *m = ctx;
	unsigned int i = fake_slot(phys);

	ck_assert_msg(m->va[i] == table, "freed table does not match phys %#" PRIx64, phys);
	free(table);
	m->va[i] = NULL;
	m->live--;
}

static void *fake_va(void *ctx, u64 phys)
{
	struct fake_mem *m = ctx;
	unsigned int i = fake_slot(phys);

	ck_assert_msg(m->va[i], "phys %#" PRIx64 " is not an allocated table", phys);
	return m->va[i];
}

static const struct ept_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.table_va = fake_va,
};

/* The tests' allocator state; each test runs in its own process. */
static struct fake_mem mem;

static void ept_setup(struct ept *ept)
{
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(ept_init(ept, &fake_ops, &mem), 0);
	ck_assert_int_eq(mem.live, 1);
}

static void ept_teardown(struct ept *ept)
{
	ept_destroy(ept);
	ck_assert_int_eq(ept_table_count(ept), 0);
	ck_assert_msg(mem.live == 0, "%ld tables leaked", mem.live);
}

/* @gpa's entry at @level, read straight from the tables. */
static u64 raw_entry(const struct ept *ept, u64 gpa, int level)
{
	const u64 *table = ept->pml4;
	int l;

	for (l = EPT_LEVEL_PML4; l > level; l--)
		table = fake_va(&mem, table[(gpa >> (12 + 9 * (l - 1))) & 511] & EPT_ADDR_MASK);
	return table[(gpa >> (12 + 9 * (level - 1))) & 511];
}

static void check_round_trip(u64 gpa, u64 hpa, u32 perms)
{
	struct ept ept;
	u64 got_hpa;
	u32 got_perms;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, gpa, hpa, perms), 0);
	ck_assert_int_eq(ept_lookup(&ept, gpa, &got_hpa, &got_perms), 0);
	ck_assert_uint_eq(got_hpa, hpa);
	ck_assert_uint_eq(got_perms, perms);
	/* The last byte of the page translates to the last byte of the frame. */
	ck_assert_int_eq(ept_lookup(&ept, gpa + 0xfff, &got_hpa, NULL), 0);
	ck_assert_uint_eq(got_hpa, hpa + 0xfff);
	/* The pages on either side stay unmapped. */
	if (gpa)
		ck_assert_int_eq(ept_lookup(&ept, gpa - EPT_PAGE_SIZE, NULL, NULL), -ENOENT);
	if (gpa + EPT_PAGE_SIZE < (1ULL << EPT_GPA_BITS))
		ck_assert_int_eq(ept_lookup(&ept, gpa + EPT_PAGE_SIZE, NULL, NULL), -ENOENT);
	ck_assert_uint_eq(ept_table_count(&ept), 4);
	ept_teardown(&ept);
}

/* A page-aligned gpa: a quarter anywhere in 48 bits, the rest clustered so tables fill up. */
static u64 random_gpa(void)
{
	u64 r = unit_rng_next();

	if (!(r & 3))
		return unit_rng_next() & 0x0000fffffffff000ULL;
	/* PML4 index 0 or 511, PDPT and PD index 0-3, any PT index. */
	return ((r >> 2 & 1) ? 511ULL << 39 : 0) | ((r >> 3 & 3) << 30) |
	       ((r >> 5 & 3) << 21) | ((r >> 7 & 511) << 12);
}

struct walk_stats {
	u64 cap;
	unsigned long tables;
	unsigned long leaves;
};

/* Check every present entry below @table the way the CPU would; count tables and leaves. */
static void walk_tree(const u64 *table, int level, struct walk_stats *st)
{
	unsigned int i;

	st->tables++;
	for (i = 0; i < EPT_ENTRIES; i++) {
		u64 e = table[i];

		if (!(e & EPT_RWX)) {
			ck_assert_msg(!e, "level %d entry %u: not present but %#" PRIx64, level, i, e);
			continue;
		}
		ck_assert_msg(!ept_entry_misconfigured(e, level, st->cap),
			      "level %d entry %u misconfigured: %#" PRIx64, level, i, e);
		if (level == EPT_LEVEL_PT) {
			st->leaves++;
			continue;
		}
		ck_assert_msg((e & ~EPT_ADDR_MASK) == EPT_RWX,
			      "level %d entry %u: non-leaf %#" PRIx64 " is not RWX + address", level, i, e);
		walk_tree(fake_va(&mem, e & EPT_ADDR_MASK), level - 1, st);
	}
}

#define RANDOM_MAPS 1500

/* Random maps with all eight perms values under @cap; check the tree, every lookup and the teardown. */
static void random_maps(u64 cap)
{
	static u64 gpas[RANDOM_MAPS], hpas[RANDOM_MAPS];
	static u32 perms[RANDOM_MAPS];
	struct walk_stats st = { .cap = cap };
	unsigned int i, n = 0;
	struct ept ept;

	unit_rng_seed(0x9e3779b97f4a7c15ULL ^ cap);
	ept_setup(&ept);
	ept_set_caps(&ept, cap);
	for (i = 0; i < RANDOM_MAPS; i++) {
		u64 gpa = random_gpa();
		u64 hpa = unit_rng_next() & EPT_ADDR_MASK;
		u32 p = unit_rng_next() & EPT_RWX;
		bool valid = p == EPT_READ || p == (EPT_READ | EPT_WRITE) ||
			     p == (EPT_READ | EPT_EXEC) || p == EPT_RWX ||
			     (p == EPT_EXEC && (cap & VMX_EPT_EXECUTE_ONLY));
		bool mapped = !ept_lookup(&ept, gpa, NULL, NULL);
		int err = ept_map_4k(&ept, gpa, hpa, p);

		if (!valid) {
			ck_assert_msg(err == -EINVAL, "perms %#x: got %d", p, err);
			continue;
		}
		ck_assert_msg(err == (mapped ? -EEXIST : 0), "gpa %#" PRIx64 ": got %d", gpa, err);
		if (!err) {
			gpas[n] = gpa;
			hpas[n] = hpa;
			perms[n++] = p;
		}
	}
	ck_assert_uint_gt(n, RANDOM_MAPS / 3);
	walk_tree(ept.pml4, EPT_LEVEL_PML4, &st);
	ck_assert_uint_eq(st.leaves, n);
	ck_assert_uint_eq(st.tables, ept_table_count(&ept));
	ck_assert_int_eq(mem.live, (long)ept_table_count(&ept));
	for (i = 0; i < n; i++) {
		u64 hpa;
		u32 p;

		ck_assert_int_eq(ept_lookup(&ept, gpas[i], &hpa, &p), 0);
		ck_assert_uint_eq(hpa, hpas[i]);
		ck_assert_uint_eq(p, perms[i]);
	}
	ept_teardown(&ept);
}

/* ------------------------------------------------------------------ */

/* If it failed, VM entry would fail on an invalid EPTP, or the CPU would walk the wrong PML4 with the wrong memory type. */
START_TEST(eptp_layout)
{
	struct ept ept;
	u64 eptp;

	ept_setup(&ept);
	/* WB (6) in 2:0, walk length 4 - 1 in 5:3, PML4 address in 51:12. */
	eptp = ept_pointer(&ept, false);
	ck_assert_uint_eq(eptp & 7, 6);
	ck_assert_uint_eq((eptp >> 3) & 7, 3);
	ck_assert_uint_eq(eptp & EPTP_AD_ENABLE, 0);
	ck_assert_uint_eq(eptp & EPT_ADDR_MASK, ept.pml4_phys);
	ck_assert_uint_eq(eptp, ept.pml4_phys | 0x1e);
	/* Bit 6 enables accessed and dirty flags; bits 11:7 and 63:52 stay clear. */
	eptp = ept_pointer(&ept, true);
	ck_assert_uint_eq(eptp, ept.pml4_phys | 0x5e);
	ck_assert_uint_eq(eptp & 0xfff0000000000f80ULL, 0);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, guest physical page 0 (real-mode IVT, boot code) would be unmapped or point at the wrong host page. */
START_TEST(round_trip_gpa_zero)
{
	check_round_trip(0, 0x12345000, EPT_RWX);
}
END_TEST

/* If it failed, the page just below 4 GiB (the guest's reset vector and firmware) would translate wrongly. */
START_TEST(round_trip_top_of_4g)
{
	check_round_trip(0xfffff000ULL, 0x000abcdef0000000ULL, EPT_READ | EPT_EXEC);
}
END_TEST

/* If it failed, a guest address using PML4 index 511 would be dropped or aliased onto a low one, and host frames above 2^48 truncated. */
START_TEST(round_trip_top_of_48bit)
{
	check_round_trip(0x0000fffffffff000ULL, 0x000ffffffffff000ULL, EPT_READ | EPT_WRITE);
}
END_TEST

/* If it failed, a guest access would cross to the wrong byte of its page, or a lookup would report more rights than the CPU grants. */
START_TEST(lookup_keeps_offset_and_ands_levels)
{
	struct ept ept;
	u64 hpa, *pml4e;
	u32 perms;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0x40000000, 0x7000, EPT_RWX), 0);
	ck_assert_int_eq(ept_lookup(&ept, 0x40000abc, &hpa, &perms), 0);
	ck_assert_uint_eq(hpa, 0x7abc);
	/* A PML4E reduced by hand to read/execute (bits 0 and 2) takes write away below it. */
	pml4e = &((u64 *)ept.pml4)[0];
	*pml4e &= ~(u64)EPT_WRITE;
	ck_assert_int_eq(ept_lookup(&ept, 0x40000000, NULL, &perms), 0);
	ck_assert_uint_eq(perms, EPT_READ | EPT_EXEC);
	/* Beyond what a 4-level walk translates. */
	ck_assert_int_eq(ept_lookup(&ept, 1ULL << 48, NULL, NULL), -EINVAL);
	ept_teardown(&ept);
}
END_TEST

/*
 * If it failed, a guest page would be mapped uncached, or with the guest's
 * PAT choosing its memory type (UC or WC over host RAM the host maps WB:
 * memory-type aliasing, SDM "Memory Type Used for Translated
 * Guest-Physical Addresses"), or a non-leaf entry would silently take
 * rights away from the pages below.
 */
START_TEST(entry_format)
{
	struct ept ept;
	u64 gpa = 0x0000008040201000ULL;	/* index 1 at every level */
	int level;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, gpa, 0x5000, EPT_READ), 0);
	/* PTE: frame 0x5000, R (bit 0), memory type WB (6 << 3), ignore PAT (bit 6). */
	ck_assert_uint_eq(raw_entry(&ept, gpa, EPT_LEVEL_PT), 0x5000 | 0x40 | 0x30 | 0x1);
	/* Non-leaf: R, W and X (bits 2:0), bits 7:3 clear, a table's address. */
	for (level = EPT_LEVEL_PML4; level > EPT_LEVEL_PT; level--) {
		u64 e = raw_entry(&ept, gpa, level);

		ck_assert_uint_eq(e & 0xfff, 0x7);
		ck_assert_uint_eq(e & ~EPT_ADDR_MASK & ~0xfffULL, 0);
		ck_assert_uint_ge(e & EPT_ADDR_MASK, FAKE_PHYS_BASE);
	}
	ept_teardown(&ept);
}
END_TEST

/* If it failed, vmxlab could build write-only entries: the guest's first access would end in an EPT misconfiguration instead of running. */
START_TEST(write_without_read_rejected)
{
	struct ept ept;

	ept_setup(&ept);
	ept_set_caps(&ept, VMX_EPT_EXECUTE_ONLY);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_WRITE), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_WRITE | EPT_EXEC), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, 0), -EINVAL);
	/* Bit 3 is the memory type's, not a permission. */
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_READ | 0x8), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_READ | 0x80000000u), -EINVAL);
	/* A refused map allocates nothing and maps nothing. */
	ck_assert_uint_eq(ept_table_count(&ept), 1);
	ck_assert_int_eq(ept_lookup(&ept, 0, NULL, NULL), -ENOENT);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_READ | EPT_WRITE), 0);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, an execute-only page on a CPU without execute-only EPT would cause an EPT misconfiguration, or execute-only would be refused where the CPU has it. */
START_TEST(exec_only_needs_capability)
{
	struct ept ept;
	u32 perms;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_EXEC), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_READ), 0);
	ck_assert_int_eq(ept_protect(&ept, 0, EPT_EXEC), -EINVAL);
	ept_set_caps(&ept, VMX_EPT_EXECUTE_ONLY);
	ck_assert_int_eq(ept_protect(&ept, 0, EPT_EXEC), 0);
	ck_assert_int_eq(ept_lookup(&ept, 0, NULL, &perms), 0);
	ck_assert_uint_eq(perms, EPT_EXEC);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1000, 0x2000, EPT_EXEC), 0);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, a bad address from a caller would be truncated into a mapping of the wrong page instead of refused. */
START_TEST(unaligned_and_out_of_range_rejected)
{
	struct ept ept;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1800, 0x2000, EPT_RWX), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1000, 0x2001, EPT_RWX), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1fff, 0x2fff, EPT_RWX), -EINVAL);
	/* gpa at 2^48 (beyond a 4-level walk), hpa at 2^52 (beyond the architecture). */
	ck_assert_int_eq(ept_map_4k(&ept, 1ULL << 48, 0x2000, EPT_RWX), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1000, 1ULL << 52, EPT_RWX), -EINVAL);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1000, 1ULL << 63, EPT_RWX), -EINVAL);
	ck_assert_int_eq(ept_unmap_4k(&ept, 0x1800, NULL), -EINVAL);
	ck_assert_int_eq(ept_protect(&ept, 0x1800, EPT_READ), -EINVAL);
	ck_assert_uint_eq(ept_table_count(&ept), 1);
	ck_assert_int_eq(mem.live, 1);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, mapping a page twice would silently retarget a guest page that is in use, without the caller's INVEPT. */
START_TEST(double_map_eexist)
{
	struct ept ept;
	u64 hpa;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0x200000, 0x3000, EPT_READ), 0);
	ck_assert_int_eq(ept_map_4k(&ept, 0x200000, 0x4000, EPT_RWX), -EEXIST);
	ck_assert_int_eq(ept_lookup(&ept, 0x200000, &hpa, NULL), 0);
	ck_assert_uint_eq(hpa, 0x3000);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, an unmapped page would stay reachable by the guest, or the caller would unpin the wrong host page. */
START_TEST(unmap_then_lookup_enoent)
{
	struct ept ept;
	u64 old = 0;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0x5000, 0x9000, EPT_RWX), 0);
	ck_assert_int_eq(ept_map_4k(&ept, 0x6000, 0xa000, EPT_RWX), 0);
	ck_assert_int_eq(ept_unmap_4k(&ept, 0x5000, &old), 0);
	ck_assert_uint_eq(old, 0x9000);
	ck_assert_int_eq(ept_lookup(&ept, 0x5000, NULL, NULL), -ENOENT);
	ck_assert_int_eq(ept_unmap_4k(&ept, 0x5000, &old), -ENOENT);
	/* Never mapped, and in a region with no tables at all. */
	ck_assert_int_eq(ept_unmap_4k(&ept, 0x0000800000000000ULL, NULL), -ENOENT);
	/* The neighbour is untouched; the slot can be mapped again. */
	ck_assert_int_eq(ept_lookup(&ept, 0x6000, &old, NULL), 0);
	ck_assert_uint_eq(old, 0xa000);
	ck_assert_int_eq(ept_map_4k(&ept, 0x5000, 0xb000, EPT_READ), 0);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, the EPT permission hooks could not make a page read-only or take execute away, and guest writes would not exit. */
START_TEST(protect_changes_perms)
{
	struct ept ept;
	u64 hpa;
	u32 perms;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0x7000, 0xc000, EPT_RWX), 0);
	ck_assert_int_eq(ept_protect(&ept, 0x7000, EPT_READ), 0);
	ck_assert_int_eq(ept_lookup(&ept, 0x7000, &hpa, &perms), 0);
	ck_assert_uint_eq(perms, EPT_READ);
	ck_assert_uint_eq(hpa, 0xc000);
	/* The leaf keeps WB with PAT ignored: frame, ignore PAT, memory type 6 << 3, R. */
	ck_assert_uint_eq(raw_entry(&ept, 0x7000, EPT_LEVEL_PT), 0xc000 | 0x40 | 0x30 | 0x1);
	/* Write-only is refused and changes nothing. */
	ck_assert_int_eq(ept_protect(&ept, 0x7000, EPT_WRITE), -EINVAL);
	ck_assert_int_eq(ept_protect(&ept, 0x7000, EPT_READ | 0x8), -EINVAL);
	ck_assert_int_eq(ept_lookup(&ept, 0x7000, NULL, &perms), 0);
	ck_assert_uint_eq(perms, EPT_READ);
	/* Perms 0 are allowed: protect_none_keeps_page_mapped. */
	ck_assert_int_eq(ept_protect(&ept, 0x7000, EPT_READ | EPT_WRITE), 0);
	ck_assert_int_eq(ept_lookup(&ept, 0x7000, NULL, &perms), 0);
	ck_assert_uint_eq(perms, EPT_READ | EPT_WRITE);
	ck_assert_int_eq(ept_protect(&ept, 0x8000, EPT_READ), -ENOENT);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, running out of memory while mapping would corrupt the guest's existing mappings or leak host pages until reboot. */
START_TEST(alloc_failure_each_level)
{
	/* PML4 index 1: the map needs a new PDPT, PD and PT. */
	const u64 gpa = 0x0000008000000000ULL;
	struct ept ept;
	int fail;
	u64 hpa;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0, 0x1000, EPT_RWX), 0);
	ck_assert_int_eq(ept_map_4k(&ept, 0x1000, 0x2000, EPT_READ), 0);
	for (fail = 1; fail <= 3; fail++) {
		mem.fail_in = fail;
		ck_assert_int_eq(ept_map_4k(&ept, gpa, 0x3000, EPT_RWX), -ENOMEM);
		mem.fail_in = 0;
		ck_assert_uint_eq(ept_table_count(&ept), 4);
		ck_assert_int_eq(mem.live, 4);
		ck_assert_uint_eq(((u64 *)ept.pml4)[1], 0);
		ck_assert_int_eq(ept_lookup(&ept, gpa, NULL, NULL), -ENOENT);
		ck_assert_int_eq(ept_lookup(&ept, 0, &hpa, NULL), 0);
		ck_assert_uint_eq(hpa, 0x1000);
		ck_assert_int_eq(ept_lookup(&ept, 0x1000, &hpa, NULL), 0);
		ck_assert_uint_eq(hpa, 0x2000);
	}
	/* Another 1 GiB region needs a PD and a PT; another 2 MiB region a PT only. */
	mem.fail_in = 1;
	ck_assert_int_eq(ept_map_4k(&ept, 0x40000000, 0x3000, EPT_RWX), -ENOMEM);
	mem.fail_in = 2;
	ck_assert_int_eq(ept_map_4k(&ept, 0x40000000, 0x3000, EPT_RWX), -ENOMEM);
	mem.fail_in = 1;
	ck_assert_int_eq(ept_map_4k(&ept, 0x200000, 0x3000, EPT_RWX), -ENOMEM);
	mem.fail_in = 0;
	ck_assert_int_eq(mem.live, 4);
	/* The allocator recovers and the same map then works. */
	ck_assert_int_eq(ept_map_4k(&ept, gpa, 0x3000, EPT_RWX), 0);
	ck_assert_uint_eq(ept_table_count(&ept), 7);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, a failed EPT setup would leak a page or leave a half-made EPT that destroy frees twice. */
START_TEST(init_alloc_failure)
{
	struct ept ept;

	memset(&mem, 0, sizeof(mem));
	mem.fail_in = 1;
	ck_assert_int_eq(ept_init(&ept, &fake_ops, &mem), -ENOMEM);
	ck_assert_int_eq(mem.live, 0);
	ck_assert_uint_eq(ept_table_count(&ept), 0);
	ept_destroy(&ept);
	ck_assert_int_eq(mem.live, 0);
	/* Destroy twice is harmless. */
	ept_setup(&ept);
	ept_teardown(&ept);
	ept_destroy(&ept);
	ck_assert_int_eq(mem.live, 0);
}
END_TEST

/* If it failed, the benchmark would report the wrong EPT memory use, or the builder would allocate a table per page instead of sharing them. */
START_TEST(table_count_512_pages_and_other_gib)
{
	struct ept ept;
	unsigned int i;

	ept_setup(&ept);
	ck_assert_uint_eq(ept_table_count(&ept), 1);
	for (i = 0; i < 512; i++)
		ck_assert_int_eq(ept_map_4k(&ept, (u64)i << 12, 0x100000000ULL + ((u64)i << 12),
					    EPT_RWX), 0);
	/* PML4 + PDPT + PD + PT. */
	ck_assert_uint_eq(ept_table_count(&ept), 4);
	/* Another 1 GiB region: a new PD and PT under the same PDPT. */
	ck_assert_int_eq(ept_map_4k(&ept, 0x40000000, 0x1000, EPT_READ), 0);
	ck_assert_uint_eq(ept_table_count(&ept), 6);
	ck_assert_int_eq(mem.live, 6);
	/* Unmapping keeps tables until destroy (the CPU may cache them until INVEPT). */
	ck_assert_int_eq(ept_unmap_4k(&ept, 0x40000000, NULL), 0);
	ck_assert_uint_eq(ept_table_count(&ept), 6);
	ept_teardown(&ept);
}
END_TEST

/* If it failed, the tests' "nothing built is misconfigured" checks would pass entries the CPU rejects, or reject good ones. */
START_TEST(misconfig_rules)
{
	const u64 none = 0, xo = VMX_EPT_EXECUTE_ONLY;
	const u64 big = VMX_EPT_PAGE_2M | VMX_EPT_PAGE_1G;
	int level;

	for (level = EPT_LEVEL_PT; level <= EPT_LEVEL_PML4; level++) {
		/* Not present (bits 2:0 clear): never a misconfiguration, whatever else is set. */
		ck_assert(!ept_entry_misconfigured(0xfff8, level, none));
		/* Write-only (010b) and write/execute (110b). */
		ck_assert(ept_entry_misconfigured(0x2 | 0x30, level, xo));
		ck_assert(ept_entry_misconfigured(0x6 | 0x30, level, xo));
		/* Execute-only (100b): only with IA32_VMX_EPT_VPID_CAP bit 0. */
		ck_assert(ept_entry_misconfigured(0x4 | (level == 1 ? 0x30 : 0), level, none));
		ck_assert(!ept_entry_misconfigured(0x4 | (level == 1 ? 0x30 : 0), level, xo));
	}
	/* PTE: memory types 2, 3 and 7 (bits 5:3) are reserved; 0, 1, 4, 5, 6 are not. */
	ck_assert(ept_entry_misconfigured(0x1000 | (2 << 3) | 1, 1, none));
	ck_assert(ept_entry_misconfigured(0x1000 | (3 << 3) | 1, 1, none));
	ck_assert(ept_entry_misconfigured(0x1000 | (7 << 3) | 1, 1, none));
	ck_assert(!ept_entry_misconfigured(0x1000 | (0 << 3) | 1, 1, none));
	ck_assert(!ept_entry_misconfigured(0x1000 | (5 << 3) | 1, 1, none));
	/* PTE: IPAT (6), ignored bit 7, A/D (8, 9), suppress-#VE (63) are not reserved. */
	ck_assert(!ept_entry_misconfigured(0x80000000000013f7ULL, 1, none));
	/* PML4E: bits 7:3 reserved. */
	ck_assert(ept_entry_misconfigured(0x1000 | 0x8 | 7, 4, big));
	ck_assert(ept_entry_misconfigured(0x1000 | 0x80 | 7, 4, big));
	ck_assert(!ept_entry_misconfigured(0x1000 | 0x100 | 7, 4, big));
	/* PDPTE/PDE pointing to a table: bits 6:3 reserved (no memory type there). */
	ck_assert(ept_entry_misconfigured(0x1000 | 0x30 | 7, 3, big));
	ck_assert(ept_entry_misconfigured(0x1000 | 0x40 | 7, 2, big));
	ck_assert(!ept_entry_misconfigured(0x1000 | 7, 2, none));
	/* 2 MiB PDE (bit 7): WB leaf fine with the capability; bits 20:12 reserved. */
	ck_assert(!ept_entry_misconfigured(0x200000 | 0x80 | 0x30 | 7, 2, big));
	ck_assert(ept_entry_misconfigured(0x200000 | 0x80 | 0x30 | 7, 2, none));
	ck_assert(ept_entry_misconfigured(0x201000 | 0x80 | 0x30 | 7, 2, big));
	ck_assert(ept_entry_misconfigured(0x200000 | 0x80 | 0x38 | 7, 2, big));
	/* 1 GiB PDPTE (bit 7): bits 29:12 reserved. */
	ck_assert(!ept_entry_misconfigured(0x40000000 | 0x80 | 0x30 | 7, 3, big));
	ck_assert(ept_entry_misconfigured(0x40000000 | 0x80 | 0x30 | 7, 3, VMX_EPT_PAGE_2M));
	ck_assert(ept_entry_misconfigured(0x40200000 | 0x80 | 0x30 | 7, 3, big));
	/* No such level. */
	ck_assert(ept_entry_misconfigured(0x1000 | 0x30 | 7, 0, big));
	ck_assert(ept_entry_misconfigured(0x1000 | 7, 5, big));
}
END_TEST

/* If it failed, some mapping on a CPU with execute-only EPT would be built misconfigured, looked up wrongly, or leak a table at teardown. */
START_TEST(random_maps_exec_only)
{
	random_maps(VMX_EPT_EXECUTE_ONLY | VMX_EPT_PAGE_2M | VMX_EPT_PAGE_1G);
}
END_TEST

/* If it failed, some mapping on a CPU without execute-only EPT would be built misconfigured (a guest exit loop), looked up wrongly, or leak a table. */
START_TEST(random_maps_no_exec_only)
{
	random_maps(0);
}
END_TEST

/* If it failed, a page under a deny-everything EPT watch would still be reachable, or would be lost (remapped twice, leaking its pin) once its rights come back. */
START_TEST(protect_none_keeps_page_mapped)
{
	struct ept ept;
	u64 hpa;
	u32 perms;

	ept_setup(&ept);
	ck_assert_int_eq(ept_map_4k(&ept, 0x7000, 0x9000, EPT_RWX), 0);
	ck_assert_int_eq(ept_protect(&ept, 0x7000, 0), 0);
	/* Not present to the CPU: bits 2:0 clear. */
	ck_assert_uint_eq(raw_entry(&ept, 0x7000, EPT_LEVEL_PT) & EPT_RWX, 0);
	ck_assert(!ept_entry_misconfigured(raw_entry(&ept, 0x7000, EPT_LEVEL_PT),
					   EPT_LEVEL_PT, 0));
	/* Still vmxlab's mapping: found, not mappable again. */
	ck_assert_int_eq(ept_lookup(&ept, 0x7000, &hpa, &perms), 0);
	ck_assert_uint_eq(hpa, 0x9000);
	ck_assert_uint_eq(perms, 0);
	ck_assert_int_eq(ept_map_4k(&ept, 0x7000, 0xa000, EPT_RWX), -EEXIST);
	ck_assert_int_eq(ept_protect(&ept, 0x7000, EPT_READ | EPT_EXEC), 0);
	ck_assert_int_eq(ept_lookup(&ept, 0x7000, &hpa, &perms), 0);
	ck_assert_uint_eq(hpa, 0x9000);
	ck_assert_uint_eq(perms, EPT_READ | EPT_EXEC);
	/* The software mark is gone with the rights back: the entry is the usual one. */
	ck_assert_uint_eq(raw_entry(&ept, 0x7000, EPT_LEVEL_PT), 0x9000 | 0x40 | 0x30 | 0x5);
	ck_assert_int_eq(ept_protect(&ept, 0x7000, 0), 0);
	ck_assert_int_eq(ept_unmap_4k(&ept, 0x7000, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x9000);
	ck_assert_int_eq(ept_lookup(&ept, 0x7000, NULL, NULL), -ENOENT);
	ck_assert_int_eq(ept_protect(&ept, 0x7000, 0), -ENOENT);
	ck_assert_int_eq(ept_protect(&ept, 0x8000, 0), -ENOENT);
	ept_teardown(&ept);
}
END_TEST

Suite *ept_suite(void)
{
	Suite *s = suite_create("ept");

	UNIT_ADD(s, "ept", eptp_layout);
	UNIT_ADD(s, "ept", round_trip_gpa_zero);
	UNIT_ADD(s, "ept", round_trip_top_of_4g);
	UNIT_ADD(s, "ept", round_trip_top_of_48bit);
	UNIT_ADD(s, "ept", lookup_keeps_offset_and_ands_levels);
	UNIT_ADD(s, "ept", entry_format);
	UNIT_ADD(s, "ept", write_without_read_rejected);
	UNIT_ADD(s, "ept", exec_only_needs_capability);
	UNIT_ADD(s, "ept", unaligned_and_out_of_range_rejected);
	UNIT_ADD(s, "ept", double_map_eexist);
	UNIT_ADD(s, "ept", unmap_then_lookup_enoent);
	UNIT_ADD(s, "ept", protect_changes_perms);
	UNIT_ADD(s, "ept", protect_none_keeps_page_mapped);
	UNIT_ADD(s, "ept", alloc_failure_each_level);
	UNIT_ADD(s, "ept", init_alloc_failure);
	UNIT_ADD(s, "ept", table_count_512_pages_and_other_gib);
	UNIT_ADD(s, "ept", misconfig_rules);
	UNIT_ADD(s, "ept", random_maps_exec_only);
	UNIT_ADD(s, "ept", random_maps_no_exec_only);
	return s;
}
