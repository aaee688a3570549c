// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of exits/guest_walk.c: small page-table trees built by
 * hand in a fake guest memory (an array), walked in each paging mode:
 * 4 KiB pages, large pages, entries not present at each level, failed
 * table reads, and paging off.  Entry values are assembled from the SDM's
 * formats (Vol. 3A, "Paging": the entry-format tables of "32-Bit
 * Paging", "PAE Paging" and "4-Level Paging and 5-Level Paging"); the
 * comment next to each says which bits make it up.
 *
 * If these fail, the VMM fetches the wrong bytes as the guest's
 * instruction (and decodes garbage for an MMIO exit), or string I/O reads
 * and writes the wrong guest memory.
 */
#include <inttypes.h>
#include <string.h>

#include <vmxlab/guest_walk.h>

#include "unit.h"

#define GUEST_MEM_SIZE	(32 * 4096)

#define CR0_PE		0x1ULL
#define CR0_PG		0x80000000ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

/* Entry flags: P, R/W, U/S, A, D, PS, PAT of a large page, XD. */
#define P		0x001ULL
#define RW		0x002ULL
#define US		0x004ULL
#define ACC		0x020ULL
#define DIRTY		0x040ULL
#define PS		0x080ULL
#define PAT_LARGE	0x1000ULL
#define XD		(1ULL << 63)

struct fake_guest {
	u8 mem[GUEST_MEM_SIZE];
	unsigned int reads;		/* reads so far */
	unsigned int fail_at;		/* fail the fail_at-th read; 0: never */
	unsigned int entry_size;	/* what every read must ask for */
};

static struct fake_guest guest;

static int fake_read(void *ctx, u64 gpa, unsigned int size, u64 *value)
{
	struct fake_guest *g = ctx;
	unsigned int i;

	ck_assert_uint_eq(size, g->entry_size);
	ck_assert_msg(!(gpa % size), "unaligned read at %#" PRIx64, gpa);
	g->reads++;
	if (g->fail_at && g->reads == g->fail_at)
		return -EFAULT;
	if (gpa >= GUEST_MEM_SIZE || gpa + size > GUEST_MEM_SIZE)
		return -EFAULT;
	*value = 0;
	for (i = 0; i < size; i++)
		*value |= (u64)g->mem[gpa + i] << (8 * i);
	return 0;
}

static void put(u64 gpa, u64 val, unsigned int size)
{
	unsigned int i;

	ck_assert(gpa + size <= GUEST_MEM_SIZE);
	for (i = 0; i < size; i++)
		guest.mem[gpa + i] = val >> (8 * i);
}

static void put32(u64 gpa, u64 val)
{
	put(gpa, val, 4);
}

static void put64(u64 gpa, u64 val)
{
	put(gpa, val, 8);
}

static void guest_reset(unsigned int entry_size)
{
	memset(&guest, 0, sizeof(guest));
	guest.entry_size = entry_size;
}

/* Walk @linear; check the result, the translation if 0, and the number of reads. */
static void expect_walk(const struct guest_paging_state *st, u64 linear, int err,
			u64 want_gpa, unsigned int want_reads)
{
	u64 gpa = 0xdeadbeefULL;
	int ret;

	guest.reads = 0;
	ret = guest_walk(st, linear, fake_read, &guest, &gpa);
	ck_assert_msg(ret == err, "walk of %#" PRIx64 ": %d, expected %d", linear, ret, err);
	if (!err)
		ck_assert_msg(gpa == want_gpa, "walk of %#" PRIx64 ": gpa %#" PRIx64 ", expected %#"
			      PRIx64, linear, gpa, want_gpa);
	ck_assert_uint_eq(guest.reads, want_reads);
}

/* Each of the walk's @levels reads, failed in turn, fails the walk with -EFAULT. */
static void expect_read_failures(const struct guest_paging_state *st, u64 linear,
				 unsigned int levels)
{
	unsigned int k;

	for (k = 1; k <= levels; k++) {
		guest.fail_at = k;
		expect_walk(st, linear, -EFAULT, 0, k);
	}
	guest.fail_at = 0;
}

START_TEST(paging_off)
{
	struct guest_paging_state st = { .cr0 = CR0_PE };

	guest_reset(8);
	expect_walk(&st, 0x12345678, 0, 0x12345678, 0);
	expect_walk(&st, 0xffffffff12345678ULL, 0, 0x12345678, 0);
	/* real mode: CR0.PE = 0 too */
	st.cr0 = 0;
	expect_walk(&st, 0xffff0, 0, 0xffff0, 0);
	/* CR0.PG decides, whatever CR4.PAE says */
	st.cr4 = 0x20;
	expect_walk(&st, 0x1fffff, 0, 0x1fffff, 0);
}
END_TEST

/* 32-bit paging: CR3 -> PD (linear 31:22) -> PT (21:12), 4-byte entries. */
START_TEST(paging32_4k)
{
	/* CR3 with PWT and PCD set: not part of the address. */
	struct guest_paging_state st = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 | 0x18 };
	u64 linear = (3 << 22) | (5 << 12) | 0x234;

	guest_reset(4);
	put32(0x1000 + 3 * 4, 0x2000 | P | RW | US | ACC);
	put32(0x2000 + 5 * 4, 0xabcde000 | P | RW | ACC | DIRTY);
	expect_walk(&st, linear, 0, 0xabcde234, 2);
	/* Bits 63:32 of the linear address play no part. */
	expect_walk(&st, linear | 0xffff00000000ULL, 0, 0xabcde234, 2);
	/* The last entry of both tables: linear 0xffffffff. */
	put32(0x1000 + 1023 * 4, 0x3000 | P);
	put32(0x3000 + 1023 * 4, 0x12345000 | P);
	expect_walk(&st, 0xffffffff, 0, 0x12345fff, 2);
	/* Permissions are not checked: a read-only supervisor page translates. */
	put32(0x2000 + 6 * 4, 0x00777000 | P);
	expect_walk(&st, (3 << 22) | (6 << 12), 0, 0x00777000, 2);
	expect_read_failures(&st, linear, 2);
}
END_TEST

/* 32-bit paging with CR4.PSE: a PDE with PS maps 4 MiB, with PSE-36 address bits. */
START_TEST(paging32_4m)
{
	struct guest_paging_state st = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 0x10 };

	guest_reset(4);
	/* Bits 31:22 = 0xffc, bits 20:13 = 0x12 (address bits 39:32), PAT, PS, P. */
	put32(0x1000 + 1 * 4, 0xffc00000 | (0x12 << 13) | PAT_LARGE | PS | RW | P);
	expect_walk(&st, (1 << 22) | 0x3abcde, 0, 0x12fffabcdeULL, 1);

	/* PDE 2: 0x3000 | PS | P.  With PSE, a 4 MiB page whose bit 13 is address bit 32. */
	put32(0x1000 + 2 * 4, 0x3000 | PS | P);
	put32(0x3000 + 7 * 4, 0x00555000 | P);
	expect_walk(&st, (2 << 22) | (7 << 12) | 0x42, 0, 0x100007042ULL, 1);
	/* Without CR4.PSE, PS is ignored and the PDE points to the page table at 0x3000. */
	st.cr4 = 0;
	expect_walk(&st, (2 << 22) | (7 << 12) | 0x42, 0, 0x00555042, 2);
}
END_TEST

START_TEST(paging32_not_present)
{
	struct guest_paging_state st = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 0x10 };

	guest_reset(4);
	/* PDE 0 absent altogether; PDE 1 has everything but P. */
	expect_walk(&st, 0x1234, -ENOENT, 0, 1);
	put32(0x1000 + 1 * 4, 0x2000 | RW | US);
	expect_walk(&st, (1 << 22), -ENOENT, 0, 1);
	/* PDE 2 present, its PTE not; a 4 MiB PDE without P is absent too. */
	put32(0x1000 + 2 * 4, 0x2000 | P);
	put32(0x2000 + 9 * 4, 0x5000 | RW);
	expect_walk(&st, (2 << 22) | (9 << 12), -ENOENT, 0, 2);
	put32(0x1000 + 3 * 4, 0x00c00000 | PS);
	expect_walk(&st, (3 << 22), -ENOENT, 0, 1);
	/* A table outside guest memory: the read fails. */
	put32(0x1000 + 4 * 4, 0xfff00000 | P);
	expect_walk(&st, (4 << 22), -EFAULT, 0, 2);
}
END_TEST

/* PAE paging: CR3[31:5] -> 4 PDPTEs (linear 31:30) -> PD (29:21) -> PT (20:12). */
START_TEST(pae_4k_and_2m)
{
	struct guest_paging_state st = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020 | 0x18, .cr4 = 0x20,
	};
	u64 linear = (2ULL << 30) | (0x1ff << 21) | (0x100 << 12) | 0xabc;

	guest_reset(8);
	put64(0x1020 + 2 * 8, 0x2000 | P);
	put64(0x2000 + 0x1ff * 8, 0x3000 | P | RW | US);
	/* A frame at the top of 52 bits, with XD: XD is not an address bit. */
	put64(0x3000 + 0x100 * 8, 0x000ffffffffff000ULL | XD | P);
	expect_walk(&st, linear, 0, 0x000ffffffffffabcULL, 3);
	/* Bits 63:32 of the linear address play no part. */
	expect_walk(&st, linear | 0xabcd00000000ULL, 0, 0x000ffffffffffabcULL, 3);

	/* A 2 MiB page: bits 51:21 of the PDE; PAT (bit 12) is not an address bit. */
	put64(0x2000 + 1 * 8, 0x0000001234600000ULL | PAT_LARGE | PS | P);
	expect_walk(&st, (2ULL << 30) | (1 << 21) | 0x1abcde, 0, 0x12347abcdeULL, 2);

	expect_read_failures(&st, linear, 3);
}
END_TEST

START_TEST(pae_not_present)
{
	struct guest_paging_state st = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 0x20 };

	guest_reset(8);
	/* PDPTE 0 absent */
	expect_walk(&st, 0x1000, -ENOENT, 0, 1);
	/* PDPTE 1 present, PDE absent */
	put64(0x1000 + 1 * 8, 0x2000 | P);
	expect_walk(&st, (1ULL << 30) | (3 << 21), -ENOENT, 0, 2);
	/* PDE present, PTE absent (but not zero) */
	put64(0x2000 + 3 * 8, 0x3000 | P);
	put64(0x3000 + 4 * 8, 0x9000 | RW);
	expect_walk(&st, (1ULL << 30) | (3 << 21) | (4 << 12), -ENOENT, 0, 3);
	/* a 2 MiB PDE without P */
	put64(0x2000 + 5 * 8, 0x00a00000 | PS);
	expect_walk(&st, (1ULL << 30) | (5 << 21), -ENOENT, 0, 2);
}
END_TEST

/* The PDPTE registers, when the caller has them, win over guest memory. */
START_TEST(pae_pdpte_registers)
{
	struct guest_paging_state st = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 0x20, .pdpte_valid = true,
	};

	guest_reset(8);
	/* In memory, PDPTE 3 is absent and PDPTE 0 present; in the registers, the reverse. */
	put64(0x1000 + 0 * 8, 0x2000 | P);
	st.pdpte[3] = 0x2000 | P;
	put64(0x2000 + 0 * 8, 0x3000 | P);
	put64(0x3000 + 0 * 8, 0x7000 | P);
	expect_walk(&st, (3ULL << 30) | 0x123, 0, 0x7123, 2);
	expect_walk(&st, 0x123, -ENOENT, 0, 0);
	/* Without pdpte_valid the walk reads them from CR3. */
	st.pdpte_valid = false;
	expect_walk(&st, 0x123, 0, 0x7123, 3);
	expect_walk(&st, (3ULL << 30) | 0x123, -ENOENT, 0, 1);
}
END_TEST

/* 4-level paging: CR3[51:12] -> PML4 (47:39) -> PDPT (38:30) -> PD (29:21) -> PT (20:12). */
START_TEST(level4_4k_2m_1g)
{
	/* CR3 bits 11:0 hold a PCID (CR4.PCIDE): not part of the address. */
	struct guest_paging_state st = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 | 0x5, .cr4 = 0x20 | 0x20000,
		.efer = EFER_LME | EFER_LMA,
	};
	u64 high = 0xffffff8000000000ULL;	/* PML4 index 511 */
	u64 linear = high | (3ULL << 30) | (4 << 21) | (5 << 12) | 0x678;

	guest_reset(8);
	/* Bits 62:52 (ignored or protection key) and XD are not address bits. */
	put64(0x1000 + 511 * 8, 0x7ff0000000000000ULL | XD | 0x2000 | P | RW | US);
	put64(0x2000 + 3 * 8, 0x3000 | P);
	put64(0x3000 + 4 * 8, 0x4000 | P);
	put64(0x4000 + 5 * 8, 0x0000076543210000ULL | XD | P);
	expect_walk(&st, linear, 0, 0x0000076543210678ULL, 4);

	/* A 1 GiB page: PDPTE bits 51:30; PAT (bit 12) is not an address bit. */
	put64(0x2000 + 6 * 8, 0x000000abc0000000ULL | PAT_LARGE | PS | P);
	expect_walk(&st, high | (6ULL << 30) | 0x12345678, 0, 0x000000abd2345678ULL, 2);
	/* The last GiB of the address space: PML4E 511, PDPTE 511. */
	put64(0x2000 + 511 * 8, 0x0000000040000000ULL | PS | P);
	expect_walk(&st, 0xffffffffc0000123ULL, 0, 0x40000123, 2);

	/* A 2 MiB page: PDE bits 51:21. */
	put64(0x3000 + 7 * 8, 0x0000004000200000ULL | PAT_LARGE | PS | P);
	expect_walk(&st, high | (3ULL << 30) | (7 << 21) | 0x1fffff, 0, 0x00000040003fffffULL, 3);

	/* The low half: PML4 index 0. */
	put64(0x1000, 0x5000 | P);
	put64(0x5000, 0x000fffffc0000000ULL | PS | P);
	expect_walk(&st, 0x3fffffff, 0, 0x000fffffffffffffULL, 2);

	expect_read_failures(&st, linear, 4);
}
END_TEST

START_TEST(level4_not_present)
{
	struct guest_paging_state st = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 0x20, .efer = EFER_LME | EFER_LMA,
	};

	guest_reset(8);
	expect_walk(&st, 0x1000, -ENOENT, 0, 1);		/* PML4E */
	put64(0x1000, 0x2000 | P);
	expect_walk(&st, 0x1000, -ENOENT, 0, 2);		/* PDPTE */
	put64(0x2000, 0x3000 | P);
	expect_walk(&st, 0x1000, -ENOENT, 0, 3);		/* PDE */
	put64(0x3000, 0x4000 | P);
	expect_walk(&st, 0x1000, -ENOENT, 0, 4);		/* PTE */
	put64(0x4000 + 8, 0x8000 | RW | US);
	expect_walk(&st, 0x1000, -ENOENT, 0, 4);		/* PTE with all but P */
	put64(0x4000 + 8, 0x8000 | P);
	expect_walk(&st, 0x1000, 0, 0x8000, 4);
	/* 1 GiB and 2 MiB entries without P */
	put64(0x2000 + 8, 0x40000000 | PS);
	expect_walk(&st, 1ULL << 30, -ENOENT, 0, 2);
	put64(0x3000 + 8, 0x200000 | PS);
	expect_walk(&st, 1ULL << 21, -ENOENT, 0, 3);
	/* A table outside guest memory: the read fails. */
	put64(0x3000 + 16, 0x7fff000 | P);
	expect_walk(&st, 2ULL << 21, -EFAULT, 0, 4);
}
END_TEST

/* Non-canonical addresses fault before any walk; 5-level paging is not supported. */
START_TEST(level4_noncanonical_and_la57)
{
	struct guest_paging_state st = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = 0x20, .efer = EFER_LME | EFER_LMA,
	};

	guest_reset(8);
	expect_walk(&st, 0x0000800000000000ULL, -EINVAL, 0, 0);
	expect_walk(&st, 0xffff7fffffffffffULL, -EINVAL, 0, 0);
	expect_walk(&st, 0x8000000000000000ULL, -EINVAL, 0, 0);
	expect_walk(&st, 0x00007fffffffffffULL, -ENOENT, 0, 1);
	expect_walk(&st, 0xffff800000000000ULL, -ENOENT, 0, 1);
	st.cr4 |= 0x1000;	/* CR4.LA57 */
	expect_walk(&st, 0x1000, -EOPNOTSUPP, 0, 0);
}
END_TEST

/* guest_walk_access of @linear: the result and, when refused, the #PF error code. */
static void expect_access(const struct guest_paging_state *st, u64 linear, u32 access,
			  int err, u32 want_code)
{
	u32 code = 0xdead;
	u64 gpa;
	int ret;

	ret = guest_walk_access(st, linear, access, fake_read, &guest, &gpa, &code);
	ck_assert_msg(ret == err, "access %#x at %#" PRIx64 ": %d, expected %d", access,
		      linear, ret, err);
	if (err == -ENOENT || err == -EACCES)
		ck_assert_msg(code == want_code, "access %#x at %#" PRIx64 ": error code %#x, "
			      "expected %#x", access, linear, code, want_code);
}

#define W	GWALK_PF_WRITE
#define U	GWALK_PF_USER
#define PFP	GWALK_PF_PRESENT

/*
 * "Access Rights", 4-level paging: R/W and U/S of every level count (a
 * PDE without U/S makes its pages supervisor whatever the PTE says);
 * CPL 3 needs U/S and, to write, R/W; CPL 0 writes a read-only page only
 * with CR0.WP = 0; SMAP keeps CPL 0 off user pages unless EFLAGS.AC.
 * "Page-Fault Exceptions": P set for a violation, clear for a page not
 * present, W/R and U/S from the access.
 */
START_TEST(access_rights_4level)
{
	struct guest_paging_state st = {
		.cr0 = CR0_PE | CR0_PG | 0x10000 /* WP */, .cr3 = 0x1000, .cr4 = 0x20,
		.efer = EFER_LME | EFER_LMA,
	};

	guest_reset(8);
	put64(0x1000, 0x2000 | P | RW | US);
	put64(0x2000, 0x3000 | P | RW | US);
	put64(0x3000, 0x4000 | P | RW | US);		/* PDE 0: user, writable */
	put64(0x3000 + 8, 0x5000 | P | RW);		/* PDE 1: supervisor */
	put64(0x4000 + 1 * 8, 0x10000 | P | RW | US);	/* user, writable */
	put64(0x4000 + 2 * 8, 0x11000 | P | US);	/* user, read-only */
	put64(0x4000 + 3 * 8, 0x12000 | P | RW);	/* supervisor */
	put64(0x5000 + 1 * 8, 0x13000 | P | RW | US);	/* user PTE under a supervisor PDE */

	expect_access(&st, 0x1000, U | W, 0, 0);
	expect_access(&st, 0x2000, U, 0, 0);
	expect_access(&st, 0x2000, U | W, -EACCES, PFP | W | U);
	expect_access(&st, 0x3000, U, -EACCES, PFP | U);
	expect_access(&st, 0x3000, U | W, -EACCES, PFP | W | U);
	expect_access(&st, 0x201000, U, -EACCES, PFP | U);
	expect_access(&st, 0x201000, 0, 0, 0);
	expect_access(&st, 0x4000, U | W, -ENOENT, W | U);
	expect_access(&st, 0x4000, 0, -ENOENT, 0);
	/* CPL 0: supervisor pages; a read-only page needs CR0.WP = 0 to be written. */
	expect_access(&st, 0x3000, W, 0, 0);
	expect_access(&st, 0x2000, W, -EACCES, PFP | W);
	st.cr0 &= ~0x10000ULL;
	expect_access(&st, 0x2000, W, 0, 0);
	/* SMAP: CPL 0 off user pages unless EFLAGS.AC; supervisor pages unaffected. */
	st.cr4 |= 1ULL << 21;
	expect_access(&st, 0x1000, 0, -EACCES, PFP);
	expect_access(&st, 0x1000, W, -EACCES, PFP | W);
	expect_access(&st, 0x3000, W, 0, 0);
	st.eflags_ac = true;
	expect_access(&st, 0x1000, W, 0, 0);
	/* CPL 3 is not affected by SMAP or AC. */
	expect_access(&st, 0x1000, U | W, 0, 0);
	expect_access(&st, 0x3000, U, -EACCES, PFP | U);
	/* Non-canonical: -EINVAL, no error code. */
	expect_access(&st, 0x0000800000000000ULL, U, -EINVAL, 0);
}
END_TEST

/* PAE: the PDPTEs restrict nothing; 32-bit paging: both levels count. */
START_TEST(access_rights_pae_32bit)
{
	struct guest_paging_state pae = {
		.cr0 = CR0_PE | CR0_PG | 0x10000, .cr3 = 0x1000, .cr4 = 0x20,
	};
	struct guest_paging_state p32 = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000 };

	guest_reset(8);
	put64(0x1000, 0x2000 | P);			/* PDPTE: no R/W, U/S bits */
	put64(0x2000, 0x3000 | P | RW | US);
	put64(0x3000 + 8, 0x9000 | P | RW | US);
	put64(0x3000 + 16, 0xa000 | P | US);
	expect_access(&pae, 0x1000, U | W, 0, 0);
	expect_access(&pae, 0x2000, U | W, -EACCES, PFP | W | U);
	expect_access(&pae, 0x2000, W, -EACCES, PFP | W);

	guest_reset(4);
	put32(0x1000, 0x2000 | P | US);			/* PDE: read-only */
	put32(0x2000 + 4, 0x9000 | P | RW | US);
	expect_access(&p32, 0x1000, U, 0, 0);
	expect_access(&p32, 0x1000, U | W, -EACCES, PFP | W | U);
	/* CR0.WP = 0: CPL 0 writes it. */
	expect_access(&p32, 0x1000, W, 0, 0);
	/* Paging off: nothing to check. */
	p32.cr0 = CR0_PE;
	expect_access(&p32, 0x1000, U | W, 0, 0);
}
END_TEST

/* VMX access rights: type, S, DPL, P, D/B, G, unusable. */
#define AR_DATA_RW	0x0093U		/* read/write data, accessed, present */
#define AR_DATA_RO	0x0091U
#define AR_DATA_DOWN	0x0097U		/* expand-down read/write */
#define AR_CODE_XO	0x0099U		/* execute-only code */
#define AR_CODE_XR	0x009bU		/* execute/read code */
#define AR_DB		0x4000U
#define AR_UNUSABLE	0x10000U

static void expect_seg(u32 ar, u32 limit, u64 base, enum guest_seg_mode mode, u64 offset,
		       unsigned int size, bool write, int err, u64 want)
{
	struct guest_segment seg = { .base = base, .limit = limit, .ar = ar };
	u64 linear = 0xdead;
	int ret = guest_seg_linear(&seg, mode, offset, size, write, &linear);

	ck_assert_msg(ret == err, "ar %#x limit %#x offset %#" PRIx64 " size %u write %d: %d, "
		      "expected %d", ar, limit, offset, size, write, ret, err);
	if (!err)
		ck_assert_msg(linear == want, "linear %#" PRIx64 ", expected %#" PRIx64, linear,
			      want);
}

/* "Limit Checking", "Type Checking", "Segmentation in IA-32e Mode". */
START_TEST(segment_checks)
{
	/* Expand-up: the last byte at most the limit. */
	expect_seg(AR_DATA_RW, 0xfff, 0x10000, GUEST_SEG_PROTECTED, 0xfff, 1, true, 0, 0x10fff);
	expect_seg(AR_DATA_RW, 0xfff, 0, GUEST_SEG_PROTECTED, 0xffe, 2, true, 0, 0xffe);
	expect_seg(AR_DATA_RW, 0xfff, 0, GUEST_SEG_PROTECTED, 0xfff, 2, true, -EINVAL, 0);
	expect_seg(AR_DATA_RW, 0xfff, 0, GUEST_SEG_PROTECTED, 0x1000, 1, false, -EINVAL, 0);
	expect_seg(AR_DATA_RW, 0xffffffff, 0, GUEST_SEG_PROTECTED, 0xfffffffe, 4, false,
		   -EINVAL, 0);
	/* Expand-down: above the limit, up to 0xffff (B clear) or 0xffffffff (B set). */
	expect_seg(AR_DATA_DOWN, 0xfff, 0, GUEST_SEG_PROTECTED, 0xfff, 1, true, -EINVAL, 0);
	expect_seg(AR_DATA_DOWN, 0xfff, 0, GUEST_SEG_PROTECTED, 0x1000, 1, true, 0, 0x1000);
	expect_seg(AR_DATA_DOWN, 0xfff, 0, GUEST_SEG_PROTECTED, 0xffff, 2, true, -EINVAL, 0);
	expect_seg(AR_DATA_DOWN | AR_DB, 0xfff, 0, GUEST_SEG_PROTECTED, 0xffff, 2, true, 0,
		   0xffff);
	/* Types: no write to read-only data or code, no read of execute-only code. */
	expect_seg(AR_DATA_RO, 0xffff, 0, GUEST_SEG_PROTECTED, 0, 1, false, 0, 0);
	expect_seg(AR_DATA_RO, 0xffff, 0, GUEST_SEG_PROTECTED, 0, 1, true, -EINVAL, 0);
	expect_seg(AR_CODE_XR, 0xffff, 0, GUEST_SEG_PROTECTED, 0, 1, false, 0, 0);
	expect_seg(AR_CODE_XR, 0xffff, 0, GUEST_SEG_PROTECTED, 0, 1, true, -EINVAL, 0);
	expect_seg(AR_CODE_XO, 0xffff, 0, GUEST_SEG_PROTECTED, 0, 1, false, -EINVAL, 0);
	/* Unusable (a null selector): every access. */
	expect_seg(AR_DATA_RW | AR_UNUSABLE, 0xffffffff, 0, GUEST_SEG_PROTECTED, 0, 1, false,
		   -EINVAL, 0);
	/* Real mode: the limit only (an unusable or read-only mark plays no part). */
	expect_seg(AR_DATA_RO | AR_UNUSABLE, 0xffff, 0xb8000, GUEST_SEG_REAL, 0xfffe, 2, true,
		   0, 0xc7ffe);
	expect_seg(AR_DATA_RW, 0xffff, 0, GUEST_SEG_REAL, 0xffff, 2, true, -EINVAL, 0);
	/* The linear address wraps at 4 GiB outside 64-bit mode. */
	expect_seg(AR_DATA_RW, 0xffffffff, 0xfffff000, GUEST_SEG_PROTECTED, 0x2000, 1, true,
		   0, 0x1000);
	/* 64-bit mode: no limit, no type; canonical or not. */
	expect_seg(AR_DATA_RO | AR_UNUSABLE, 0, 0, GUEST_SEG_64BIT, 0x00007ffffffff000ULL, 8,
		   true, 0, 0x00007ffffffff000ULL);
	expect_seg(AR_DATA_RW, 0, 0x1000, GUEST_SEG_64BIT, 0x00007ffffffff000ULL, 1, true,
		   -EINVAL, 0);
	expect_seg(AR_DATA_RW, 0, 0, GUEST_SEG_64BIT, 0xffff800000000000ULL, 1, true, 0,
		   0xffff800000000000ULL);
}
END_TEST

Suite *guest_walk_suite(void)
{
	Suite *s = suite_create("guest_walk");

	UNIT_ADD(s, "guest_walk", paging_off);
	UNIT_ADD(s, "guest_walk", paging32_4k);
	UNIT_ADD(s, "guest_walk", paging32_4m);
	UNIT_ADD(s, "guest_walk", paging32_not_present);
	UNIT_ADD(s, "guest_walk", pae_4k_and_2m);
	UNIT_ADD(s, "guest_walk", pae_not_present);
	UNIT_ADD(s, "guest_walk", pae_pdpte_registers);
	UNIT_ADD(s, "guest_walk", level4_4k_2m_1g);
	UNIT_ADD(s, "guest_walk", level4_not_present);
	UNIT_ADD(s, "guest_walk", level4_noncanonical_and_la57);
	UNIT_ADD(s, "guest_walk", access_rights_4level);
	UNIT_ADD(s, "guest_walk", access_rights_pae_32bit);
	UNIT_ADD(s, "guest_walk", segment_checks);
	return s;
}
