/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended Page Tables: a 4-level, write-back, 4 KiB-page EPT paging
 * structure built as pure logic (SDM Vol. 3C, "The Extended Page Table
 * Mechanism (EPT)": "EPT Translation Mechanism", "Format of EPT
 * Paging-Structure Entries", "EPT Misconfigurations"; and
 * "Extended-Page-Table Pointer (EPTP)" in the VMCS chapter).
 *
 * Memory for the tables comes from the caller through struct ept_ops, so
 * the same code runs on kernel pages in the module and on malloc'd pages
 * in the host unit tests.  No locking and no INVEPT here: the caller
 * serialises changes and invalidates after unmapping or protecting.
 */
#ifndef VMXLAB_EPT_H
#define VMXLAB_EPT_H

#include <vmxlab/types.h>

/* Access rights, bits 2:0 of every EPT paging-structure entry. */
#define EPT_READ		BIT_ULL(0)
#define EPT_WRITE		BIT_ULL(1)
#define EPT_EXEC		BIT_ULL(2)
#define EPT_RWX			(EPT_READ | EPT_WRITE | EPT_EXEC)

/* Entry fields ("Format of EPT Paging-Structure Entries"). */
#define EPT_ENTRY_MT_SHIFT	3		/* leaf: memory type, 5:3 */
#define EPT_ENTRY_MT_MASK	(7ULL << EPT_ENTRY_MT_SHIFT)
#define EPT_ENTRY_IPAT		BIT_ULL(6)	/* leaf: ignore PAT */
#define EPT_ENTRY_LARGE		BIT_ULL(7)	/* PDPTE/PDE: maps a page */
#define EPT_ENTRY_ACCESSED	BIT_ULL(8)
#define EPT_ENTRY_DIRTY		BIT_ULL(9)	/* leaf only */
#define EPT_ADDR_MASK		0x000ffffffffff000ULL	/* bits 51:12 */
/*
 * vmxlab's own mark, in a bit the CPU ignores: a PTE whose access rights
 * were all taken away (ept_protect() with perms 0) still maps its page.
 * With bits 2:0 clear the entry is "not present" to the CPU, which then
 * ignores every other bit ("EPT Translation Mechanism").
 */
#define EPT_ENTRY_REVOKED	BIT_ULL(52)

/* EPT memory types (SDM Vol. 3A, "Memory Types"); 2, 3 and 7 are reserved. */
#define EPT_MT_UC		0
#define EPT_MT_WC		1
#define EPT_MT_WT		4
#define EPT_MT_WP		5
#define EPT_MT_WB		6

/* EPTP fields ("Extended-Page-Table Pointer (EPTP)"). */
#define EPTP_MT_SHIFT		0		/* paging-structure memory type, 2:0 */
#define EPTP_WALK_SHIFT		3		/* page-walk length - 1, 5:3 */
#define EPTP_AD_ENABLE		BIT_ULL(6)	/* accessed and dirty flags */

/* Paging-structure levels, numbered like the SDM's walk: 4 = PML4E .. 1 = PTE. */
#define EPT_LEVEL_PML4		4
#define EPT_LEVEL_PDPT		3
#define EPT_LEVEL_PD		2
#define EPT_LEVEL_PT		1
#define EPT_LEVELS		4
#define EPT_ENTRIES		512

#define EPT_PAGE_SIZE		4096ULL
#define EPT_GPA_BITS		48	/* what a 4-level walk translates */
#define EPT_PHYS_BITS		52	/* architectural physical-address limit */

struct ept_ops {
	/* A zeroed, 4 KiB-aligned 4 KiB table and its physical address; NULL on failure. */
	void *(*alloc_table)(void *ctx, u64 *phys);
	void (*free_table)(void *ctx, void *table, u64 phys);
	/* The table at @phys, as returned by alloc_table. */
	void *(*table_va)(void *ctx, u64 phys);
};

struct ept {
	const struct ept_ops *ops;
	void *ctx;
	void *pml4;
	u64 pml4_phys;
	unsigned long tables;		/* tables allocated, PML4 included */
	/*
	 * IA32_VMX_EPT_VPID_CAP as far as the builder cares: execute-only
	 * leaves are refused unless bit 0 is set here (ept_set_caps()).
	 */
	u64 ept_vpid_cap;
};

/* Allocate the PML4.  0, or -ENOMEM (nothing left allocated). */
int ept_init(struct ept *ept, const struct ept_ops *ops, void *ctx);
/* Free every table; @ept may then be initialised again.  Safe twice. */
void ept_destroy(struct ept *ept);
/* Tell the builder what the CPU supports (IA32_VMX_EPT_VPID_CAP); default 0. */
void ept_set_caps(struct ept *ept, u64 ept_vpid_cap);

/* The EPTP: write-back paging structures, 4-level walk, PML4 address. */
u64 ept_pointer(const struct ept *ept, bool accessed_dirty);

/*
 * Map the 4 KiB page at @gpa to @hpa with @perms (EPT_READ|EPT_WRITE|
 * EPT_EXEC), memory type WB.  0; -EINVAL for a bad address or perms that
 * would make a misconfigured entry; -EEXIST if @gpa is mapped; -ENOMEM
 * (the tree unchanged) when a table cannot be allocated.
 */
int ept_map_4k(struct ept *ept, u64 gpa, u64 hpa, u32 perms);
/*
 * Unmap @gpa; its host address in *@old_hpa if @old_hpa.  -ENOENT if not
 * mapped.  Tables stay until ept_destroy(): the CPU may hold them in its
 * paging-structure caches until the caller's INVEPT.
 */
int ept_unmap_4k(struct ept *ept, u64 gpa, u64 *old_hpa);
/*
 * Translate @gpa as the CPU would: *@hpa (page offset kept) and the
 * effective *@perms (the AND of every level's).  -ENOENT if not present.
 * Either output may be NULL.
 */
int ept_lookup(const struct ept *ept, u64 gpa, u64 *hpa, u32 *perms);
/*
 * Change the permissions of the mapped page at @gpa.  -ENOENT, -EINVAL.
 * Perms 0 revoke every access while the page stays mapped: the CPU sees a
 * not-present entry, and ept_lookup() reports the page with perms 0.
 */
int ept_protect(struct ept *ept, u64 gpa, u32 perms);

/* Tables in use, PML4 included, for reporting EPT memory. */
unsigned long ept_table_count(const struct ept *ept);

/*
 * Whether the CPU would find @entry at @level (EPT_LEVEL_*) to be an EPT
 * misconfiguration, given IA32_VMX_EPT_VPID_CAP: write without read,
 * execute-only without the capability, a reserved memory type at a leaf,
 * reserved bits set.  Bits beyond the CPU's physical-address width are
 * not checked here (the helper does not know it).  An unknown level is
 * reported as misconfigured.
 */
bool ept_entry_misconfigured(u64 entry, int level, u64 ept_vpid_cap);

#endif /* VMXLAB_EPT_H */
