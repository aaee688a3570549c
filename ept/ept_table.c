// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT paging structures, built and walked (SDM Vol. 3C, "The Extended
 * Page Table Mechanism (EPT)").  Pure logic: tables come from the caller's
 * struct ept_ops, so this file is built into the module and into the host
 * unit tests unchanged.
 *
 * vmxlab builds one shape only: a 4-level walk, 4 KiB leaves of memory
 * type WB with the guest's PAT ignored, and non-leaf entries that allow
 * everything, so that a page's permissions are its leaf's alone.
 */
#include <vmxlab/ept.h>
#include <vmxlab/vmx_arch.h>

#define EPT_INDEX_MASK		(EPT_ENTRIES - 1)
#define EPT_PAGE_MASK		(EPT_PAGE_SIZE - 1)

/* Bits 2:0 are all clear: "not present" ("EPT Translation Mechanism"). */
static bool ept_present(u64 entry)
{
	return entry & EPT_RWX;
}

/* An entry that maps a page: a PTE, or a PDE/PDPTE with bit 7 set. */
static bool ept_is_leaf(u64 entry, int level)
{
	if (level == EPT_LEVEL_PT)
		return true;
	return (level == EPT_LEVEL_PD || level == EPT_LEVEL_PDPT) &&
	       (entry & EPT_ENTRY_LARGE);
}

/* Bits 11:3 of the page's address pick the PTE, 20:12 the PDE, and so on. */
static unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & EPT_INDEX_MASK;
}

static u64 ept_level_size(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static u64 *ept_next_table(const struct ept *ept, u64 entry)
{
	return ept->ops->table_va(ept->ctx, entry & EPT_ADDR_MASK);
}

/*
 * A single 64-bit store, so that a CPU walking the tree at the same time
 * sees the old entry or the new one, never a torn one.
 */
static void ept_write_entry(u64 *slot, u64 val)
{
	*(volatile u64 *)slot = val;
}

/* "Format of EPT Paging-Structure Entries": memory types 2, 3 and 7 are reserved. */
static bool ept_memtype_reserved(u64 entry)
{
	u64 mt = (entry & EPT_ENTRY_MT_MASK) >> EPT_ENTRY_MT_SHIFT;

	return mt == 2 || mt == 3 || mt == 7;
}

/*
 * Reserved bits of a present entry, per the entry formats of "Format of
 * EPT Paging-Structure Entries": a PML4E reserves 7:3; an entry that
 * references a table reserves 6:3 (bit 7 is what makes it one); a 2 MiB
 * PDE reserves 20:12, a 1 GiB PDPTE 29:12, and either is reserved
 * altogether when IA32_VMX_EPT_VPID_CAP does not offer that page size.
 */
static bool ept_reserved_bits_set(u64 entry, int level, u64 cap)
{
	if (level == EPT_LEVEL_PML4)
		return entry & 0xf8;
	if (!ept_is_leaf(entry, level))
		return entry & 0x78;
	if (ept_memtype_reserved(entry))
		return true;
	if (level == EPT_LEVEL_PDPT)
		return !(cap & VMX_EPT_PAGE_1G) ||
		       (entry & (ept_level_size(level) - 1) & ~EPT_PAGE_MASK);
	if (level == EPT_LEVEL_PD)
		return !(cap & VMX_EPT_PAGE_2M) ||
		       (entry & (ept_level_size(level) - 1) & ~EPT_PAGE_MASK);
	return false;
}

/* "EPT Misconfigurations", the conditions that do not depend on MAXPHYADDR. */
bool ept_entry_misconfigured(u64 entry, int level, u64 ept_vpid_cap)
{
	u64 rwx = entry & EPT_RWX;

	if (level < EPT_LEVEL_PT || level > EPT_LEVEL_PML4)
		return true;
	if (!rwx)
		return false;
	if ((rwx & EPT_WRITE) && !(rwx & EPT_READ))
		return true;
	if (rwx == EPT_EXEC && !(ept_vpid_cap & VMX_EPT_EXECUTE_ONLY))
		return true;
	return ept_reserved_bits_set(entry, level, ept_vpid_cap);
}

int ept_init(struct ept *ept, const struct ept_ops *ops, void *ctx)
{
	ept->ops = ops;
	ept->ctx = ctx;
	ept->tables = 0;
	ept->ept_vpid_cap = 0;
	ept->pml4 = ops->alloc_table(ctx, &ept->pml4_phys);
	if (!ept->pml4)
		return -ENOMEM;
	ept->tables = 1;
	return 0;
}

/* Free the table at @level and every table below it, deepest first. */
static void ept_free_tree(struct ept *ept, u64 *table, u64 phys, int level)
{
	unsigned int i;

	for (i = 0; level > EPT_LEVEL_PT && i < EPT_ENTRIES; i++) {
		u64 entry = table[i];

		if (ept_present(entry) && !ept_is_leaf(entry, level))
			ept_free_tree(ept, ept_next_table(ept, entry),
				      entry & EPT_ADDR_MASK, level - 1);
	}
	ept->ops->free_table(ept->ctx, table, phys);
	ept->tables--;
}

void ept_destroy(struct ept *ept)
{
	if (!ept->pml4)
		return;
	ept_free_tree(ept, ept->pml4, ept->pml4_phys, EPT_LEVEL_PML4);
	ept->pml4 = NULL;
	ept->pml4_phys = 0;
}

void ept_set_caps(struct ept *ept, u64 ept_vpid_cap)
{
	ept->ept_vpid_cap = ept_vpid_cap;
}

/* "Extended-Page-Table Pointer (EPTP)". */
u64 ept_pointer(const struct ept *ept, bool accessed_dirty)
{
	u64 eptp = (u64)EPT_MT_WB << EPTP_MT_SHIFT;

	eptp |= (u64)(EPT_LEVELS - 1) << EPTP_WALK_SHIFT;
	if (accessed_dirty)
		eptp |= EPTP_AD_ENABLE;
	return eptp | (ept->pml4_phys & EPT_ADDR_MASK);
}

unsigned long ept_table_count(const struct ept *ept)
{
	return ept->tables;
}

/* A page-aligned guest-physical address that a 4-level walk translates. */
static bool ept_gpa_ok(u64 gpa)
{
	return !(gpa & EPT_PAGE_MASK) && !(gpa >> EPT_GPA_BITS);
}

/*
 * The 4 KiB leaf for @hpa and @perms: memory type WB with "ignore PAT".
 * Every page EPT maps is host RAM (pinned user memory: device and PFN
 * mappings are refused), which the host maps WB.  With bit 6 clear the
 * guest's IA32_PAT would combine with the EPT type and could make the
 * guest's accesses UC or WC: the same RAM with two memory types, which
 * the SDM leaves undefined ("Memory Type Used for Translated Guest-
 * Physical Addresses": with bit 6 set the EPT memory type is used and the
 * PAT type ignored).
 */
static u64 ept_make_leaf(u64 hpa, u32 perms)
{
	return hpa | perms | ((u64)EPT_MT_WB << EPT_ENTRY_MT_SHIFT) | EPT_ENTRY_IPAT;
}

/* Perms the builder may write to a leaf without a misconfiguration. */
static bool ept_perms_ok(const struct ept *ept, u32 perms)
{
	if (!perms || (perms & ~EPT_RWX))
		return false;
	return !ept_entry_misconfigured(ept_make_leaf(0, perms), EPT_LEVEL_PT,
					ept->ept_vpid_cap);
}

/*
 * Walk towards @gpa's PTE and return the deepest slot reached: the PTE
 * itself, the first non-present entry above it, or a large-page leaf
 * (which vmxlab never builds), with its level in *@level.
 */
static u64 *ept_find_slot(const struct ept *ept, u64 gpa, int *level)
{
	u64 *table = ept->pml4;
	int l;

	for (l = EPT_LEVEL_PML4; ; l--) {
		u64 *slot = &table[ept_index(gpa, l)];

		if (l == EPT_LEVEL_PT || !ept_present(*slot) ||
		    ept_is_leaf(*slot, l)) {
			*level = l;
			return slot;
		}
		table = ept_next_table(ept, *slot);
	}
}

/* A PTE that maps a page: present, or with every right revoked. */
static bool ept_pte_mapped(u64 pte)
{
	return ept_present(pte) || (pte & EPT_ENTRY_REVOKED);
}

/* @gpa's mapping PTE, or NULL. */
static u64 *ept_find_pte(const struct ept *ept, u64 gpa)
{
	int level;
	u64 *slot = ept_find_slot(ept, gpa, &level);

	if (level != EPT_LEVEL_PT || !ept_pte_mapped(*slot))
		return NULL;
	return slot;
}

/*
 * Allocate the @n tables that map @gpa below a non-present slot, or none:
 * on failure the ones already allocated are freed again.
 */
static int ept_alloc_path(struct ept *ept, int n, u64 **tables, u64 *phys)
{
	int i;

	for (i = 0; i < n; i++) {
		tables[i] = ept->ops->alloc_table(ept->ctx, &phys[i]);
		if (!tables[i])
			goto fail;
	}
	ept->tables += n;
	return 0;
fail:
	while (i--)
		ept->ops->free_table(ept->ctx, tables[i], phys[i]);
	return -ENOMEM;
}

int ept_map_4k(struct ept *ept, u64 gpa, u64 hpa, u32 perms)
{
	u64 *tables[EPT_LEVELS - 1], phys[EPT_LEVELS - 1];
	u64 *slot, entry;
	int level, n, i, err;

	if (!ept_gpa_ok(gpa) || (hpa & EPT_PAGE_MASK) ||
	    (hpa >> EPT_PHYS_BITS) || !ept_perms_ok(ept, perms))
		return -EINVAL;

	slot = ept_find_slot(ept, gpa, &level);
	if (ept_present(*slot) || (level == EPT_LEVEL_PT && ept_pte_mapped(*slot)))
		return -EEXIST;

	/* tables[0] is at level - 1, the last one is the PT. */
	n = level - 1;
	err = ept_alloc_path(ept, n, tables, phys);
	if (err)
		return err;

	/*
	 * Fill the new tables bottom-up and link the top one last, so the
	 * tree never holds a table that leads nowhere.
	 */
	entry = ept_make_leaf(hpa, perms);
	for (i = n - 1; i >= 0; i--) {
		ept_write_entry(&tables[i][ept_index(gpa, level - 1 - i)], entry);
		entry = phys[i] | EPT_RWX;
	}
	ept_write_entry(slot, entry);
	return 0;
}

int ept_unmap_4k(struct ept *ept, u64 gpa, u64 *old_hpa)
{
	u64 *pte;

	if (!ept_gpa_ok(gpa))
		return -EINVAL;
	pte = ept_find_pte(ept, gpa);
	if (!pte)
		return -ENOENT;
	if (old_hpa)
		*old_hpa = *pte & EPT_ADDR_MASK;
	ept_write_entry(pte, 0);
	return 0;
}

int ept_protect(struct ept *ept, u64 gpa, u32 perms)
{
	u64 *pte, entry;

	if (!ept_gpa_ok(gpa) || (perms && !ept_perms_ok(ept, perms)) ||
	    (perms & ~EPT_RWX))
		return -EINVAL;
	pte = ept_find_pte(ept, gpa);
	if (!pte)
		return -ENOENT;
	entry = *pte & ~(u64)(EPT_RWX | EPT_ENTRY_REVOKED);
	ept_write_entry(pte, entry | perms | (perms ? 0 : EPT_ENTRY_REVOKED));
	return 0;
}

/* "EPT Translation Mechanism": each level's rights restrict the next. */
int ept_lookup(const struct ept *ept, u64 gpa, u64 *hpa, u32 *perms)
{
	const u64 *table = ept->pml4;
	u32 rights = EPT_RWX;
	int level;

	if (gpa >> EPT_GPA_BITS)
		return -EINVAL;
	for (level = EPT_LEVEL_PML4; level >= EPT_LEVEL_PT; level--) {
		u64 entry = table[ept_index(gpa, level)];
		u64 offset = ept_level_size(level) - 1;

		if (!ept_present(entry) &&
		    !(level == EPT_LEVEL_PT && (entry & EPT_ENTRY_REVOKED)))
			return -ENOENT;
		rights &= entry & EPT_RWX;
		if (ept_is_leaf(entry, level)) {
			if (hpa)
				*hpa = (entry & EPT_ADDR_MASK & ~offset) |
				       (gpa & offset);
			if (perms)
				*perms = rights;
			return 0;
		}
		table = ept_next_table(ept, entry);
	}
	return -ENOENT;		/* not reached: level 1 is always a leaf */
}
