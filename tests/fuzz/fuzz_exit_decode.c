// SPDX-License-Identifier: GPL-2.0
/*
 * The exit decoders (exits/decode.c): every field a VM exit reports,
 * decoded from any value (the tool prints them; the module acts on them).
 *
 * Input: an exit reason, a qualification, the instruction-information and
 * interruption-information words, segment access rights, 16 GPRs and an
 * output length for vmx_exit_describe().
 * Invariants besides "no crash, no UB":
 *  - results are 0 or -EINVAL; decoded sizes and scales are the SDM's
 *    (1/2/4 bytes for I/O, scale 1/2/4/8, address size 2/4/8 for a
 *    memory operand); register numbers are 0..15; an I/O port is bits
 *    31:16; an interruption's vector, type and valid bit are its bits;
 *  - vmx_decode_seg_ar() refuses exactly the reserved bits;
 *  - vmx_exit_describe() has snprintf semantics: it writes at most @len
 *    bytes, NUL-terminated, and returns the whole line's length; asked
 *    twice it writes the same line;
 *  - the operand offset fits the address size.
 */
#include <errno.h>
#include <vmxlab/exits.h>

#include "fuzz.h"

static void check_io(u64 qual)
{
	struct vmx_io_qual io;
	int r = vmx_decode_io_qual(qual, &io);

	FUZZ_ASSERT(r == 0 || r == -EINVAL, "io qual: %d", r);
	FUZZ_ASSERT(io.port == ((qual >> 16) & 0xffff), "port %#x from %#llx", io.port,
		    (unsigned long long)qual);
	if (!r)
		FUZZ_ASSERT(io.size == 1 || io.size == 2 || io.size == 4, "io size %u", io.size);
}

static void check_insn_info(u32 info, u64 qual, const u64 gprs[16])
{
	struct vmx_insn_info ii;
	int r = vmx_decode_insn_info(info, &ii);
	u64 off;

	FUZZ_ASSERT(r == 0 || r == -EINVAL, "insn info: %d", r);
	FUZZ_ASSERT(ii.scale == 1 || ii.scale == 2 || ii.scale == 4 || ii.scale == 8,
		    "scale %u", ii.scale);
	FUZZ_ASSERT(ii.reg1 < 16 && ii.reg2 < 16 && ii.index_reg < 16 && ii.base_reg < 16,
		    "register numbers from %#x", info);
	/* A register operand leaves the address size undefined (the header). */
	FUZZ_ASSERT(r || ii.reg_operand || ii.addr_size == 2 || ii.addr_size == 4 ||
		    ii.addr_size == 8, "address size %u accepted", ii.addr_size);
	if (r || ii.reg_operand)
		return;
	off = vmx_insn_operand_offset(&ii, gprs, qual);
	if (ii.addr_size < 8)
		FUZZ_ASSERT(off < (1ULL << (8 * ii.addr_size)), "offset %#llx for %u-byte addresses",
			    (unsigned long long)off, ii.addr_size);
}

static void check_describe(u32 reason, u64 qual, size_t len)
{
	char buf[300], again[300];
	int n, n2;

	memset(buf, 0x5a, sizeof(buf));
	n = vmx_exit_describe(buf, len, reason, qual);
	FUZZ_ASSERT(n >= 0, "describe: %d", n);
	FUZZ_ASSERT(buf[len] == 0x5a, "wrote past %zu bytes", len);
	if (len) {
		FUZZ_ASSERT(memchr(buf, 0, len), "no NUL in %zu bytes", len);
		FUZZ_ASSERT(strlen(buf) == ((size_t)n < len ? (size_t)n : len - 1),
			    "wrote %zu bytes, returned %d, room %zu", strlen(buf), n, len);
	}
	n2 = vmx_exit_describe(again, sizeof(again), reason, qual);
	FUZZ_ASSERT(n2 == n, "describe length %d then %d", n, n2);
	if (len)
		FUZZ_ASSERT(!strncmp(buf, again, len - 1), "describe changed its line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	u32 reason = fuzz_take(&in, 4);
	u64 qual = fuzz_take(&in, 8);
	u32 info = fuzz_take(&in, 4);
	u32 intr = fuzz_take(&in, 4);
	u32 ar = fuzz_take(&in, 4);
	size_t len = fuzz_take(&in, 2) % 257;
	u64 gprs[16];
	struct vmx_cr_qual cr;
	struct vmx_dr_qual dr;
	struct vmx_ept_qual ept;
	struct vmx_intr_info ii;
	struct vmx_io_insn_info ioi;
	struct vmx_dt_insn_info dt;
	struct vmx_seg_ar seg;
	int r, i;

	for (i = 0; i < 16; i++)
		gprs[i] = fuzz_take(&in, 8);
	if (reason & 0x8000)	/* mostly real basic reasons */
		reason &= 0xff;

	check_io(qual);
	vmx_decode_cr_qual(qual, &cr);
	FUZZ_ASSERT(cr.gpr < 16 && cr.cr < 16, "cr qual %#llx", (unsigned long long)qual);
	vmx_decode_dr_qual(qual, &dr);
	FUZZ_ASSERT(dr.gpr < 16 && dr.dr < 8, "dr qual %#llx", (unsigned long long)qual);
	vmx_decode_ept_qual(qual, &ept);
	vmx_decode_intr_info(intr, &ii);
	FUZZ_ASSERT(ii.vector == (intr & 0xff) && ii.valid == !!(intr & (1u << 31)) &&
		    (unsigned int)ii.type == ((intr >> 8) & 7), "intr info %#x", intr);
	(void)vmx_intr_type_name(intr & 0xff);
	r = vmx_decode_io_insn_info(info, &ioi);
	FUZZ_ASSERT(r == 0 || r == -EINVAL, "io insn info: %d", r);
	FUZZ_ASSERT(r || ioi.addr_size == 2 || ioi.addr_size == 4 || ioi.addr_size == 8,
		    "io address size %u", ioi.addr_size);
	check_insn_info(info, qual, gprs);
	r = vmx_decode_dt_insn_info(reason & 0xffff, info, &dt);
	FUZZ_ASSERT(r == 0 || r == -EINVAL, "dt insn info: %d", r);
	r = vmx_decode_seg_ar(ar, &seg);
	FUZZ_ASSERT(r == ((ar & VMX_SEG_AR_RESERVED) ? -EINVAL : 0), "seg ar %#x: %d", ar, r);
	FUZZ_ASSERT(seg.dpl < 4 && seg.type < 16, "seg ar %#x", ar);
	(void)vmx_seg_ar_code_size(ar, reason & 1);
	(void)vmx_exit_reason_name(reason & 0xffff);
	(void)vmx_gpr_name(info & 0x1f);
	check_describe(reason, qual, len);
	return 0;
}
