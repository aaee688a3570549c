/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's own page tables, walked: guest-linear to guest-physical
 * (SDM Vol. 3A chapter "Paging": "Paging Modes and Control Bits",
 * "32-Bit Paging", "PAE Paging", "4-Level Paging and 5-Level Paging").
 *
 * The VMM needs this to fetch the instruction behind an exit (at
 * CS.base + RIP, a linear address) and to run string I/O on guest-linear
 * buffers.  Guest memory is read through the caller's callback, so the
 * same code runs on the module's guest memory and on an array in the host
 * unit tests.
 *
 * guest_walk() checks no permission: it serves accesses the guest itself
 * already made, which the CPU allowed (the fetch of the instruction
 * behind an MMIO exit).  guest_walk_access() checks a data access the
 * VMM makes for the guest (INS, OUTS) as the CPU would ("Access
 * Rights"): U/S and R/W of every level for the CPL, CR0.WP, SMAP with
 * EFLAGS.AC.
 *
 * What neither does, on purpose:
 *  - check XD, SMEP or protection keys (CR4.PKE: PKRU is not the VMM's
 *    to read here): they concern fetches and user pages' keys, which
 *    string I/O leaves alone in practice, documented as a limit;
 *  - check reserved bits: addresses are taken from bits 51:12 (or the
 *    large-page equivalents), whatever MAXPHYADDR is, and other bits are
 *    ignored;
 *  - set accessed or dirty flags, or use or fill any TLB;
 *  - 5-level paging (CR4.LA57): -EOPNOTSUPP.
 * A translation holds for the 4 KiB page of @linear only as the walk
 * sees it; an access that crosses a page boundary walks each page.
 */
#ifndef VMXLAB_GUEST_WALK_H
#define VMXLAB_GUEST_WALK_H

#include <vmxlab/types.h>

/* Control bits that pick the paging mode (Table "Paging Modes and ..."). */
#define GWALK_CR0_PG		BIT_ULL(31)
#define GWALK_CR4_PSE		BIT_ULL(4)
#define GWALK_CR4_PAE		BIT_ULL(5)
#define GWALK_CR4_LA57		BIT_ULL(12)
#define GWALK_CR4_SMAP		BIT_ULL(21)
#define GWALK_CR0_WP		BIT_ULL(16)
#define GWALK_EFER_LMA		BIT_ULL(10)

/* Paging-structure entry bits the walk reads. */
#define GWALK_PTE_PRESENT	BIT_ULL(0)
#define GWALK_PTE_RW		BIT_ULL(1)	/* writable */
#define GWALK_PTE_US		BIT_ULL(2)	/* user-mode accesses allowed */
#define GWALK_PTE_PS		BIT_ULL(7)	/* PDE/PDPTE: maps a page */

/*
 * An access, and the #PF error code a refused one gets, with the bits of
 * "Page-Fault Exceptions": P (0: the page was not present; 1: a rights
 * violation), W/R (a write), U/S (a user-mode access, CPL 3).
 */
#define GWALK_PF_PRESENT	0x1U
#define GWALK_PF_WRITE		0x2U
#define GWALK_PF_USER		0x4U
#define GWALK_ADDR_MASK		0x000ffffffffff000ULL	/* bits 51:12 */

struct guest_paging_state {
	u64 cr0, cr3, cr4, efer;
	/*
	 * PAE paging only.  The CPU does not read the four PDPTEs during a
	 * walk: it loads them into registers when CR3 (or CR0/CR4) is
	 * written ("PDPTE Registers"), and with EPT a VM exit saves them in
	 * the VMCS guest PDPTE fields.  Set pdpte_valid and copy those here
	 * to walk exactly as the CPU does; otherwise the walk reads them
	 * from guest memory at CR3[31:5], right unless the guest changed them
	 * without reloading CR3.
	 */
	bool pdpte_valid;
	u64 pdpte[4];
	bool eflags_ac;		/* EFLAGS.AC: lets a supervisor access through SMAP */
};

/*
 * Read @size (4 or 8) bytes of guest-physical memory at @gpa (aligned to
 * @size) into *@value, little-endian.  0, or -EFAULT when nothing backs it.
 */
typedef int (*guest_read_phys_fn)(void *ctx, u64 gpa, unsigned int size, u64 *value);

/*
 * Translate @linear as the guest's paging would, into *@gpa (page offset
 * kept).  0; -ENOENT when an entry on the way is not present (the guest
 * would take a #PF); -EINVAL for a non-canonical address under 4-level
 * paging (the guest would take a #GP or #SS); -EFAULT when @read fails;
 * -EOPNOTSUPP under 5-level paging.  With CR0.PG = 0 the result is
 * @linear truncated to 32 bits, as in real and unpaged protected mode.
 */
int guest_walk(const struct guest_paging_state *st, u64 linear,
	       guest_read_phys_fn read, void *ctx, u64 *gpa);

/*
 * guest_walk() for a data access @access (GWALK_PF_WRITE, GWALK_PF_USER)
 * with its rights checked: 0; -ENOENT (not present) or -EACCES (refused)
 * with *@error_code the #PF error code; else as guest_walk().
 */
int guest_walk_access(const struct guest_paging_state *st, u64 linear, u32 access,
		      guest_read_phys_fn read, void *ctx, u64 *gpa, u32 *error_code);

/*
 * Segmentation ("Segment Registers", "Limit Checking", "Type Checking"):
 * a segment as the VMCS holds it (base, byte-granular limit, access
 * rights in the VMX format of "Guest Register State").
 */
struct guest_segment {
	u64 base;
	u32 limit;
	u32 ar;
};

enum guest_seg_mode {
	GUEST_SEG_REAL,		/* CR0.PE = 0: limit checks only */
	GUEST_SEG_PROTECTED,	/* protected or virtual-8086: usable, type, limit */
	GUEST_SEG_64BIT,	/* 64-bit mode: no limit or type, a canonical address */
};

/*
 * The linear address of @size bytes at @offset through @seg, read or
 * written (@write) by an instruction: 0 and *@linear, or -EINVAL where the
 * CPU raises #GP(0) (#SS(0) when @seg is SS): an unusable (null) segment,
 * a write to a code or read-only segment, a read of an execute-only code
 * segment, a byte past the limit, a non-canonical address in 64-bit mode.
 * Outside 64-bit mode the linear address wraps at 4 GiB.
 */
int guest_seg_linear(const struct guest_segment *seg, enum guest_seg_mode mode,
		     u64 offset, unsigned int size, bool write, u64 *linear);

#endif /* VMXLAB_GUEST_WALK_H */
