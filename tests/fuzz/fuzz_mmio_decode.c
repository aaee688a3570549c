// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO instruction decoder (exits/mmio_decode.c) on any bytes in any
 * mode: the bytes a hostile guest leaves at CS:RIP when it touches MMIO.
 *
 * Input: byte 0 picks the mode (16/32/64-bit), the rest are the fetched
 * instruction bytes (at most 32), then 16 GPRs and a data word.
 * Invariants besides "no crash, no UB":
 *  - mmio_cpu_mode(): 64-bit with LMA and CS.L, else CS.D picks 32 or 16;
 *  - the result is 0, -EINVAL or -ENODATA;
 *  - on 0: 1 <= length <= 15 and <= the bytes given; size 1/2/4/8; reg a
 *    GPR; AH..BH only with size 1 and reg 0..3; an immediate only on a
 *    store; dest_size 0 on stores, >= size on loads;
 *  - the decoder needs exactly @length bytes: given only those it decodes
 *    the same, given one fewer it answers -ENODATA;
 *  - on -ENODATA more bytes were needed: with 15 bytes available it
 *    never says so;
 *  - a store's value fits its size; a load's result follows the x86 rules
 *    the header states (checked against a model of them here).
 */
#include <errno.h>
#include <vmxlab/mmio_decode.h>

#include "fuzz.h"

static uint64_t mask_of(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* The header's rules for a load, written out independently. */
static uint64_t model_load(const struct mmio_insn *insn, uint64_t old, uint64_t data)
{
	uint64_t v = data & mask_of(insn->size);

	if (insn->sign_extend && insn->size < 8 && (v >> (8 * insn->size - 1)) & 1)
		v |= ~mask_of(insn->size);
	v &= mask_of(insn->dest_size);
	switch (insn->dest_size) {
	case 1:
		if (insn->high_byte)
			return (old & ~0xff00ULL) | (v << 8);
		return (old & ~0xffULL) | v;
	case 2:
		return (old & ~0xffffULL) | v;
	default:	/* 4: zero-extended to 64 bits; 8: everything */
		return v;
	}
}

static void check_insn(const struct mmio_insn *insn, unsigned int avail)
{
	FUZZ_ASSERT(insn->length >= 1 && insn->length <= MMIO_INSN_MAX_LEN && insn->length <= avail,
		    "length %u, avail %u", insn->length, avail);
	FUZZ_ASSERT(insn->size == 1 || insn->size == 2 || insn->size == 4 || insn->size == 8,
		    "size %u", insn->size);
	FUZZ_ASSERT(insn->reg < MMIO_NR_GPRS, "reg %u", insn->reg);
	FUZZ_ASSERT(!insn->high_byte || (insn->size == 1 && insn->reg < 4),
		    "high byte with size %u reg %u", insn->size, insn->reg);
	FUZZ_ASSERT(!insn->has_imm || insn->is_write, "an immediate on a load");
	FUZZ_ASSERT(!insn->has_imm || insn->reg == 0, "reg %u with an immediate", insn->reg);
	if (insn->is_write)
		FUZZ_ASSERT(insn->dest_size == 0 && !insn->sign_extend, "dest_size %u on a store",
			    insn->dest_size);
	else
		FUZZ_ASSERT((insn->dest_size == 1 || insn->dest_size == 2 || insn->dest_size == 4 ||
			     insn->dest_size == 8) && insn->dest_size >= insn->size,
			    "dest_size %u, size %u", insn->dest_size, insn->size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	enum mmio_cpu_mode mode = (enum mmio_cpu_mode)(fuzz_take(&in, 1) % 3);
	uint8_t bytes[32];
	unsigned int avail = fuzz_left(&in) < 32 ? fuzz_left(&in) : 32, i;
	struct mmio_insn insn, again;
	uint64_t gprs[MMIO_NR_GPRS], old, word;
	int r;

	for (i = 0; i < avail; i++)
		bytes[i] = fuzz_take(&in, 1);
	for (i = 0; i < MMIO_NR_GPRS; i++)
		gprs[i] = fuzz_take(&in, 8);
	word = fuzz_take(&in, 8);

	{
		unsigned int b = size ? data[0] : 0;
		enum mmio_cpu_mode m = mmio_cpu_mode(b & 8, b & 16, b & 32);

		FUZZ_ASSERT(m == ((b & 8) && (b & 16) ? MMIO_MODE_64 :
				  (b & 32) ? MMIO_MODE_32 : MMIO_MODE_16), "mode of %#x: %d", b, m);
	}
	r = mmio_decode(bytes, avail, mode, &insn);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENODATA, "result %d", r);
	if (r == -ENODATA)
		FUZZ_ASSERT(avail < MMIO_INSN_MAX_LEN, "-ENODATA with %u bytes", avail);
	if (r)
		return 0;
	check_insn(&insn, avail);

	memset(&again, 0, sizeof(again));
	r = mmio_decode(bytes, insn.length, mode, &again);
	FUZZ_ASSERT(r == 0 && again.length == insn.length && again.size == insn.size &&
		    again.reg == insn.reg && again.is_write == insn.is_write &&
		    again.imm == insn.imm && again.dest_size == insn.dest_size,
		    "exactly %u bytes decode differently (%d)", insn.length, r);
	r = mmio_decode(bytes, insn.length - 1, mode, &again);
	FUZZ_ASSERT(r == -ENODATA, "%u of %u bytes: %d, want -ENODATA", insn.length - 1,
		    insn.length, r);

	if (insn.is_write) {
		uint64_t v = mmio_store_value(&insn, gprs);

		FUZZ_ASSERT((v & ~mask_of(insn.size)) == 0, "store value %#llx, size %u",
			    (unsigned long long)v, insn.size);
		if (insn.has_imm)
			FUZZ_ASSERT(v == (insn.imm & mask_of(insn.size)), "immediate store %#llx",
				    (unsigned long long)v);
	} else {
		old = gprs[insn.reg];
		FUZZ_ASSERT(mmio_load_result(&insn, old, word) == model_load(&insn, old, word),
			    "load of %#llx into %#llx (size %u dest %u sx %d hb %d): %#llx, model %#llx",
			    (unsigned long long)word, (unsigned long long)old, insn.size,
			    insn.dest_size, insn.sign_extend, insn.high_byte,
			    (unsigned long long)mmio_load_result(&insn, old, word),
			    (unsigned long long)model_load(&insn, old, word));
	}
	return 0;
}
