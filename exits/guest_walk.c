// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page walker (SDM Vol. 3A chapter "Paging").  Pure logic:
 * guest memory comes through the caller's read callback, so this file is
 * built into the module and into the host unit tests unchanged.
 *
 * The mode follows "Paging Modes and Control Bits": CR0.PG = 0, no
 * paging; CR4.PAE = 0, 32-bit paging; IA32_EFER.LMA = 0, PAE paging;
 * otherwise 4-level paging (or 5-level with CR4.LA57, not supported).
 * Each level takes 10 (32-bit paging) or 9 bits of the linear address as
 * the index of an entry in a 4 KiB table; a clear P bit ends the walk
 * with a page fault, and a set PS bit in a PDE or PDPTE (where allowed)
 * ends it with a large page.
 */
#include <vmxlab/exits.h>
#include <vmxlab/guest_walk.h>

#define GWALK_PAGE_SHIFT	12
#define GWALK_PAGE_MASK		((1ULL << GWALK_PAGE_SHIFT) - 1)

/* "32-Bit Paging": CR3[31:12] locates the page directory. */
#define GWALK_CR3_32_MASK	0xfffff000ULL
/* "PAE Paging": CR3[31:5] locates the 32-byte page-directory-pointer table. */
#define GWALK_CR3_PAE_MASK	0xffffffe0ULL

/*
 * "32-Bit Paging", table "Format of a 32-Bit Page-Directory Entry that
 * Maps a 4-MByte Page": bits 31:22 are bits 31:22 of the page's address
 * and bits 20:13 its bits 39:32 (PSE-36; bit 12 is PAT, bit 21 reserved).
 */
#define GWALK_PDE32_4M_LOW	0xffc00000ULL
#define GWALK_PDE32_4M_HIGH	0x001fe000ULL
#define GWALK_PDE32_4M_HIGH_SHIFT	(32 - 13)

/*
 * One walk: guest memory through @read, and the R/W and U/S bits of every
 * entry met so far ANDed in @rights ("Access Rights": an access is a
 * user-mode or writable one only if every paging-structure entry that
 * controls the translation allows it).
 */
struct gwalk {
	guest_read_phys_fn read;
	void *ctx;
	u64 rights;
};

/* Walk one level: read the entry at index @index of the table at @table. */
static int gwalk_entry(struct gwalk *w, u64 table, unsigned int index,
		       unsigned int entry_size, u64 *entry)
{
	u64 val = 0;

	if (w->read(w->ctx, table + (u64)index * entry_size, entry_size, &val))
		return -EFAULT;
	if (entry_size == 4)
		val &= 0xffffffffULL;
	if (!(val & GWALK_PTE_PRESENT))
		return -ENOENT;
	w->rights &= val;
	*entry = val;
	return 0;
}

/* A large page's frame: bits 51:@shift of @entry. */
static u64 gwalk_large_frame(u64 entry, unsigned int shift)
{
	return entry & GWALK_ADDR_MASK & ~((1ULL << shift) - 1);
}

/*
 * "32-Bit Paging": linear address bits 31:22 pick the PDE, 21:12 the PTE.
 * A PDE with PS maps a 4 MiB page, but only with CR4.PSE; without it the
 * bit is ignored and the PDE references a page table.
 */
static int gwalk_32bit(const struct guest_paging_state *st, u32 linear,
		       struct gwalk *w, u64 *gpa)
{
	u64 pde, pte;
	int err;

	err = gwalk_entry(w, st->cr3 & GWALK_CR3_32_MASK, linear >> 22, 4, &pde);
	if (err)
		return err;
	if ((st->cr4 & GWALK_CR4_PSE) && (pde & GWALK_PTE_PS)) {
		*gpa = (pde & GWALK_PDE32_4M_LOW) |
		       ((pde & GWALK_PDE32_4M_HIGH) << GWALK_PDE32_4M_HIGH_SHIFT) |
		       (linear & 0x3fffff);
		return 0;
	}
	err = gwalk_entry(w, pde & GWALK_CR3_32_MASK, (linear >> 12) & 0x3ff, 4, &pte);
	if (err)
		return err;
	*gpa = (pte & GWALK_CR3_32_MASK) | (linear & GWALK_PAGE_MASK);
	return 0;
}

/*
 * The 2 MiB-or-table PDE and the PTE, shared by PAE and 4-level paging:
 * linear bits 29:21 pick the PDE in the directory at @pd, 20:12 the PTE.
 */
static int gwalk_pd(u64 pd, u64 linear, struct gwalk *w, u64 *gpa)
{
	u64 pde, pte;
	int err;

	err = gwalk_entry(w, pd, (linear >> 21) & 0x1ff, 8, &pde);
	if (err)
		return err;
	if (pde & GWALK_PTE_PS) {
		*gpa = gwalk_large_frame(pde, 21) | (linear & 0x1fffff);
		return 0;
	}
	err = gwalk_entry(w, pde & GWALK_ADDR_MASK, (linear >> 12) & 0x1ff, 8, &pte);
	if (err)
		return err;
	*gpa = (pte & GWALK_ADDR_MASK) | (linear & GWALK_PAGE_MASK);
	return 0;
}

/*
 * "PAE Paging": linear bits 31:30 pick one of four PDPTEs (from the
 * PDPTE registers when the caller has them, else from CR3[31:5]); a
 * PDPTE has no PS bit, so it always references a page directory.
 */
static int gwalk_pae(const struct guest_paging_state *st, u32 linear,
		     struct gwalk *w, u64 *gpa)
{
	unsigned int index = linear >> 30;
	u64 pdpte;
	int err;

	if (st->pdpte_valid) {
		pdpte = st->pdpte[index];
		if (!(pdpte & GWALK_PTE_PRESENT))
			return -ENOENT;
	} else {
		err = gwalk_entry(w, st->cr3 & GWALK_CR3_PAE_MASK, index, 8, &pdpte);
		if (err)
			return err;
	}
	/* A PAE PDPTE has no R/W or U/S bit: it restricts nothing. */
	w->rights = GWALK_PTE_RW | GWALK_PTE_US;
	return gwalk_pd(pdpte & GWALK_ADDR_MASK, linear, w, gpa);
}

/*
 * "4-Level Paging and 5-Level Paging": linear bits 47:39 pick the PML4E
 * in the table at CR3[51:12] (bits 11:0 are flags or the PCID), 38:30
 * the PDPTE, which with PS maps a 1 GiB page.  Bits 63:47 must all be
 * equal ("Canonical Addressing"); the CPU faults before walking if not.
 */
static int gwalk_4level(const struct guest_paging_state *st, u64 linear,
			struct gwalk *w, u64 *gpa)
{
	u64 top = linear >> 47;
	u64 pml4e, pdpte;
	int err;

	if (top != 0 && top != 0x1ffff)
		return -EINVAL;
	err = gwalk_entry(w, st->cr3 & GWALK_ADDR_MASK, (linear >> 39) & 0x1ff, 8, &pml4e);
	if (err)
		return err;
	err = gwalk_entry(w, pml4e & GWALK_ADDR_MASK, (linear >> 30) & 0x1ff, 8, &pdpte);
	if (err)
		return err;
	if (pdpte & GWALK_PTE_PS) {
		*gpa = gwalk_large_frame(pdpte, 30) | (linear & 0x3fffffff);
		return 0;
	}
	return gwalk_pd(pdpte & GWALK_ADDR_MASK, linear, w, gpa);
}

static int gwalk_translate(const struct guest_paging_state *st, u64 linear,
			   struct gwalk *w, u64 *gpa)
{
	w->rights = GWALK_PTE_RW | GWALK_PTE_US;
	if (!(st->cr0 & GWALK_CR0_PG)) {
		*gpa = linear & 0xffffffffULL;
		return 0;
	}
	if (!(st->cr4 & GWALK_CR4_PAE))
		return gwalk_32bit(st, (u32)linear, w, gpa);
	if (!(st->efer & GWALK_EFER_LMA))
		return gwalk_pae(st, (u32)linear, w, gpa);
	if (st->cr4 & GWALK_CR4_LA57)
		return -EOPNOTSUPP;
	return gwalk_4level(st, linear, w, gpa);
}

int guest_walk(const struct guest_paging_state *st, u64 linear,
	       guest_read_phys_fn read, void *ctx, u64 *gpa)
{
	struct gwalk w = { .read = read, .ctx = ctx };

	return gwalk_translate(st, linear, &w, gpa);
}

/*
 * "Access Rights" for a data access with rights @rights (R/W and U/S of
 * every entry, ANDed).  A user-mode access (CPL 3) needs U/S, and R/W to
 * write.  A supervisor-mode access to a user-mode page needs SMAP off or
 * EFLAGS.AC set (an explicit access: string I/O is one); a supervisor
 * write to a page without R/W needs CR0.WP = 0.
 */
static bool gwalk_allowed(const struct guest_paging_state *st, u64 rights, u32 access)
{
	bool user_page = rights & GWALK_PTE_US;
	bool writable = rights & GWALK_PTE_RW;
	bool write = access & GWALK_PF_WRITE;

	if (access & GWALK_PF_USER)
		return user_page && (!write || writable);
	if (user_page && (st->cr4 & GWALK_CR4_SMAP) && !st->eflags_ac)
		return false;
	return !write || writable || !(st->cr0 & GWALK_CR0_WP);
}

int guest_walk_access(const struct guest_paging_state *st, u64 linear, u32 access,
		      guest_read_phys_fn read, void *ctx, u64 *gpa, u32 *error_code)
{
	struct gwalk w = { .read = read, .ctx = ctx };
	int err;

	access &= GWALK_PF_WRITE | GWALK_PF_USER;
	err = gwalk_translate(st, linear, &w, gpa);
	if (err == -ENOENT) {
		*error_code = access;
		return err;
	}
	if (err)
		return err;
	if ((st->cr0 & GWALK_CR0_PG) && !gwalk_allowed(st, w.rights, access)) {
		*error_code = GWALK_PF_PRESENT | access;
		return -EACCES;
	}
	return 0;
}

/*
 * "Segment-Descriptor Fields" and "Code- and Data-Segment Types": in a
 * data segment type bit 2 is expand-down and bit 1 writable; in a code
 * segment (bit 3) bit 1 is readable.
 */
#define GSEG_TYPE_CODE		0x8U
#define GSEG_TYPE_EXPAND_DOWN	0x4U
#define GSEG_TYPE_WRITE_READ	0x2U

/* "Limit Checking": the offsets an access of @size bytes may start at. */
static bool gseg_in_limit(const struct guest_segment *seg, u64 offset, unsigned int size)
{
	u64 last = offset + size - 1;

	if ((seg->ar & GSEG_TYPE_CODE) || !(seg->ar & GSEG_TYPE_EXPAND_DOWN))
		return last >= offset && last <= seg->limit;
	/* Expand-down: above the limit, up to 4 GiB - 1 (B set) or 64 KiB - 1. */
	return offset > seg->limit && last >= offset &&
	       last <= (seg->ar & VMX_SEG_AR_DB ? 0xffffffffULL : 0xffffULL);
}

/* "Type Checking": writes to writable data segments, reads not from execute-only code. */
static bool gseg_type_allows(u32 ar, bool write)
{
	if (ar & GSEG_TYPE_CODE)
		return !write && (ar & GSEG_TYPE_WRITE_READ);
	return !write || (ar & GSEG_TYPE_WRITE_READ);
}

int guest_seg_linear(const struct guest_segment *seg, enum guest_seg_mode mode,
		     u64 offset, unsigned int size, bool write, u64 *linear)
{
	u64 top;

	if (mode == GUEST_SEG_64BIT) {
		/* "Canonical Addressing": bits 63:47 all equal. */
		*linear = seg->base + offset;
		top = *linear >> 47;
		return top == 0 || top == 0x1ffff ? 0 : -EINVAL;
	}
	if (mode == GUEST_SEG_PROTECTED &&
	    ((seg->ar & VMX_SEG_AR_UNUSABLE) || !gseg_type_allows(seg->ar, write)))
		return -EINVAL;
	if (!gseg_in_limit(seg, offset, size))
		return -EINVAL;
	*linear = (u32)(seg->base + offset);
	return 0;
}
