// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page walker (exits/guest_walk.c) over page tables the guest
 * wrote: any control-register bits, any entries, any linear address.
 *
 * Input: CR0/CR3/CR4/EFER (mostly the paging bits, some raw), the PDPTE
 * registers, the linear address, then the bytes of a 32 KiB guest memory
 * at guest-physical 0 (repeated to fill it; outside it nothing backs).
 * Invariants besides "no crash, no UB":
 *  - the result is 0, -ENOENT, -EINVAL, -EFAULT or -EOPNOTSUPP;
 *  - every read is 4 or 8 bytes, aligned to its size, inside bits 51:0;
 *    a walk reads at most 5 entries (4 levels, or the PDPTE load);
 *  - on 0 the page offset is kept and the address fits 52 bits (40 under
 *    32-bit paging with PSE-36); with CR0.PG = 0 it is @linear's low 32
 *    bits;
 *  - the same walk twice gives the same answer.
 */
#include <errno.h>
#include <vmxlab/guest_walk.h>

#include "fuzz.h"

#define MEM_SIZE	0x8000

struct guest_mem {
	uint8_t bytes[MEM_SIZE];
	unsigned int reads;
};

static int read_phys(void *ctx, u64 gpa, unsigned int size, u64 *value)
{
	struct guest_mem *m = ctx;

	m->reads++;
	FUZZ_ASSERT(size == 4 || size == 8, "read of %u bytes", size);
	FUZZ_ASSERT(gpa % size == 0, "unaligned read at %#llx", (unsigned long long)gpa);
	FUZZ_ASSERT(gpa < (1ULL << 52), "read beyond 52 bits at %#llx", (unsigned long long)gpa);
	if (gpa + size > MEM_SIZE)
		return -EFAULT;
	*value = 0;
	memcpy(value, m->bytes + gpa, size);
	return 0;
}

/*
 * Random entries point outside the memory almost always, and the walk
 * stops at its first level.  An entry with bit 11 set (ignored by every
 * paging mode the walker knows) is aimed inside the memory instead:
 * address bits 51:15 cleared, for 4- and 8-byte entries alike.
 */
static void aim_entries(uint8_t *bytes)
{
	unsigned int i;

	for (i = 0; i < MEM_SIZE; i += 8) {
		uint32_t lo, hi;

		memcpy(&lo, bytes + i, 4);
		memcpy(&hi, bytes + i + 4, 4);
		if (lo & 0x800) {
			lo &= ~0xffff8000u;
			hi &= ~0xfffffu;
		}
		if (hi & 0x800)
			hi &= ~0xffff8000u;
		memcpy(bytes + i, &lo, 4);
		memcpy(bytes + i + 4, &hi, 4);
	}
}

static uint64_t control_bits(struct fuzz_input *in, uint64_t interesting)
{
	uint64_t v = fuzz_take(in, 8);

	/* Mostly only the bits that pick the mode, so every mode is reached. */
	return (v & 0x100) ? v : (v & interesting);
}

/*
 * guest_walk_access() against guest_walk() (result @r, @gpa) for the four
 * data accesses: the same translation; refused only as -EACCES (error
 * code P | access) where the walk succeeded; -ENOENT with the access as
 * error code where it found no page; otherwise the walk's own error.  A
 * user page writable at CPL 3 is readable at CPL 3.
 */
static void check_access(struct guest_paging_state *st, u64 linear, struct guest_mem *mem,
			 int r, u64 gpa)
{
	static const u32 accesses[] = {
		0, GWALK_PF_WRITE, GWALK_PF_USER, GWALK_PF_USER | GWALK_PF_WRITE,
	};
	int got[4];
	unsigned int i;
	u32 code;
	u64 gpa3;

	st->eflags_ac = linear & 1;
	for (i = 0; i < 4; i++) {
		code = 0xdead;
		gpa3 = 0;
		got[i] = guest_walk_access(st, linear, accesses[i], read_phys, mem, &gpa3, &code);
		if (r == 0)
			FUZZ_ASSERT((got[i] == 0 && gpa3 == gpa) ||
				    (got[i] == -EACCES && code == (GWALK_PF_PRESENT | accesses[i])),
				    "access %#x: %d code %#x gpa %#llx, walk gpa %#llx", accesses[i],
				    got[i], code, (unsigned long long)gpa3, (unsigned long long)gpa);
		else if (r == -ENOENT)
			FUZZ_ASSERT(got[i] == -ENOENT && code == accesses[i],
				    "access %#x: %d code %#x, walk -ENOENT", accesses[i], got[i], code);
		else
			FUZZ_ASSERT(got[i] == r, "access %#x: %d, walk %d", accesses[i], got[i], r);
	}
	FUZZ_ASSERT(got[3] != 0 || got[2] == 0, "user write allowed, user read refused");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guest_mem mem;
	struct fuzz_input in = { data, size, 0 };
	struct guest_paging_state st;
	u64 linear, gpa = 0, gpa2 = 0;
	unsigned int i, reads;
	size_t left;
	int r, r2;

	memset(&st, 0, sizeof(st));
	st.cr0 = control_bits(&in, GWALK_CR0_PG | GWALK_CR0_WP | 1);
	st.cr3 = fuzz_take(&in, 8);
	if (!(st.cr3 & 1))
		st.cr3 &= MEM_SIZE - 1;	/* often a CR3 inside the memory */
	st.cr4 = control_bits(&in, GWALK_CR4_PSE | GWALK_CR4_PAE | GWALK_CR4_LA57 |
				 GWALK_CR4_SMAP);
	st.efer = control_bits(&in, GWALK_EFER_LMA);
	st.pdpte_valid = fuzz_take(&in, 1) & 1;
	for (i = 0; i < 4; i++)
		st.pdpte[i] = fuzz_take(&in, 8);
	linear = fuzz_take(&in, 8);
	left = fuzz_left(&in);
	memset(mem.bytes, 0, MEM_SIZE);
	for (i = 0; left && i < MEM_SIZE; i += left)
		memcpy(mem.bytes + i, data + in.pos, i + left <= MEM_SIZE ? left : MEM_SIZE - i);
	aim_entries(mem.bytes);
	mem.reads = 0;

	r = guest_walk(&st, linear, read_phys, &mem, &gpa);
	reads = mem.reads;
	FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EINVAL || r == -EFAULT || r == -EOPNOTSUPP,
		    "result %d", r);
	FUZZ_ASSERT(reads <= 5, "%u reads in one walk", reads);
	if (r == 0) {
		FUZZ_ASSERT((gpa & 0xfff) == (linear & 0xfff), "page offset %#llx -> %#llx",
			    (unsigned long long)linear, (unsigned long long)gpa);
		FUZZ_ASSERT(gpa < (1ULL << 52), "gpa %#llx beyond 52 bits", (unsigned long long)gpa);
		if (!(st.cr0 & GWALK_CR0_PG))
			FUZZ_ASSERT(gpa == (linear & 0xffffffffULL), "unpaged %#llx -> %#llx",
				    (unsigned long long)linear, (unsigned long long)gpa);
		else if (!(st.cr4 & GWALK_CR4_PAE))
			FUZZ_ASSERT(gpa < (1ULL << 40), "32-bit paging gave %#llx",
				    (unsigned long long)gpa);
	}
	mem.reads = 0;
	r2 = guest_walk(&st, linear, read_phys, &mem, &gpa2);
	FUZZ_ASSERT(r2 == r && (r || gpa2 == gpa) && mem.reads == reads,
		    "second walk: %d %#llx, first %d %#llx", r2, (unsigned long long)gpa2, r,
		    (unsigned long long)gpa);
	check_access(&st, linear, &mem, r, gpa);
	return 0;
}
