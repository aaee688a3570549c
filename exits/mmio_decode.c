// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO MOV decoder (SDM Vol. 2A chapter "Instruction Format").  Pure
 * logic, built into the module and into the host unit tests unchanged.
 *
 * An instruction is read in the SDM's order: legacy prefixes, then (in
 * 64-bit mode) a REX prefix, the opcode, the ModRM byte, a SIB byte,
 * a displacement and an immediate.  Only what decides the access (the
 * opcode, operand size, ModRM.reg, REX.W and REX.R, the immediate) is
 * interpreted; the addressing bytes are only counted.
 */
#include <vmxlab/mmio_decode.h>

/* "Instruction Prefixes", groups 1 to 4. */
#define PFX_LOCK		0xf0
#define PFX_REPNE		0xf2
#define PFX_REP			0xf3
#define PFX_OPSIZE		0x66
#define PFX_ADDRSIZE		0x67

/* "REX Prefixes": 0100WRXB. */
#define REX_B			0x01
#define REX_X			0x02
#define REX_R			0x04
#define REX_W			0x08

#define MODRM_MOD(m)		((m) >> 6)
#define MODRM_REG(m)		(((m) >> 3) & 7)
#define MODRM_RM(m)		((m) & 7)
#define SIB_BASE(s)		((s) & 7)

/* The bytes being decoded and the position of the next one. */
struct mmio_cursor {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
};

/* What the prefixes said. */
struct mmio_prefixes {
	bool opsize;		/* 66 */
	bool addrsize;		/* 67 */
	u8 rex;			/* the REX byte in effect, 0 if none */
};

/*
 * Whether @n more bytes may be read: -EINVAL past the 15-byte limit (the
 * CPU would raise #GP, so no fetch can help), -ENODATA past @avail.
 */
static int mmio_need(const struct mmio_cursor *c, unsigned int n)
{
	if (c->pos + n > MMIO_INSN_MAX_LEN)
		return -EINVAL;
	if (c->pos + n > c->avail)
		return -ENODATA;
	return 0;
}

static int mmio_next(struct mmio_cursor *c, u8 *byte)
{
	int err = mmio_need(c, 1);

	if (err)
		return err;
	*byte = c->bytes[c->pos++];
	return 0;
}

static int mmio_skip(struct mmio_cursor *c, unsigned int n)
{
	int err = mmio_need(c, n);

	if (err)
		return err;
	c->pos += n;
	return 0;
}

/* An @n-byte little-endian field ("Displacement and Immediate Bytes"). */
static int mmio_next_le(struct mmio_cursor *c, unsigned int n, u64 *val)
{
	int err = mmio_need(c, n);
	unsigned int i;

	if (err)
		return err;
	*val = 0;
	for (i = 0; i < n; i++)
		*val |= (u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	return 0;
}

/* @val's low @bytes bytes, the rest cleared. */
static u64 mmio_trunc(u64 val, unsigned int bytes)
{
	return bytes >= 8 ? val : val & ((1ULL << (8 * bytes)) - 1);
}

/* @val's low @bytes bytes, sign-extended to 64 bits. */
static u64 mmio_sext(u64 val, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	if (bytes >= 8)
		return val;
	return (u64)((long long)(val << shift) >> shift);
}

enum mmio_cpu_mode mmio_cpu_mode(bool efer_lma, bool cs_l, bool cs_d)
{
	if (efer_lma && cs_l)
		return MMIO_MODE_64;
	return cs_d ? MMIO_MODE_32 : MMIO_MODE_16;
}

/*
 * "Instruction Prefixes" and "REX Prefixes".  Segment overrides change
 * nothing here (the hardware reports the address).  A REX prefix counts
 * only right before the opcode: one followed by a legacy prefix is
 * ignored, and of several in a row the last one counts.  Outside 64-bit
 * mode 40-4F are INC/DEC, so they end the prefixes as an opcode.
 */
static int mmio_read_prefixes(struct mmio_cursor *c, enum mmio_cpu_mode mode,
			      struct mmio_prefixes *p)
{
	for (;;) {
		int err = mmio_need(c, 1);
		u8 b;

		if (err)
			return err;
		b = c->bytes[c->pos];
		switch (b) {
		case PFX_OPSIZE:
			p->opsize = true;
			break;
		case PFX_ADDRSIZE:
			p->addrsize = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			break;
		case PFX_LOCK:		/* LOCK MOV is #UD */
		case PFX_REPNE:
		case PFX_REP:
			return -EINVAL;
		default:
			if (mode != MMIO_MODE_64 || (b & 0xf0) != 0x40)
				return 0;
			p->rex = b;
			c->pos++;
			continue;
		}
		p->rex = 0;
		c->pos++;
	}
}

/*
 * Operand size (Vol. 1 "Operand-Size and Address-Size Attributes" and,
 * for 64-bit mode, "Operand Size and Address Size in 64-Bit Mode"):
 * REX.W makes it 64 bits whatever 66 says; otherwise 66 toggles the
 * default between 16 and 32.
 */
static unsigned int mmio_operand_size(enum mmio_cpu_mode mode, const struct mmio_prefixes *p)
{
	if (mode == MMIO_MODE_64 && (p->rex & REX_W))
		return 8;
	if (mode == MMIO_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

/* Address size: 67 toggles 16 <-> 32, and 64 -> 32 in 64-bit mode. */
static unsigned int mmio_address_size(enum mmio_cpu_mode mode, const struct mmio_prefixes *p)
{
	if (mode == MMIO_MODE_64)
		return p->addrsize ? 4 : 8;
	if (mode == MMIO_MODE_16)
		return p->addrsize ? 4 : 2;
	return p->addrsize ? 2 : 4;
}

/*
 * Read the ModRM byte into *@modrm and step over the SIB byte and the
 * displacement it calls for ("ModR/M and SIB Bytes", tables "16-Bit
 * Addressing Forms with the ModR/M Byte", "32-Bit Addressing Forms with
 * the ModR/M Byte" and "... with the SIB Byte").  64-bit addressing
 * measures like 32-bit: mod 00 r/m 101 is RIP-relative there but still
 * takes a disp32, and REX.B does not change which r/m values need a SIB
 * byte or a displacement ("Special Cases of REX Encodings").  mod 11
 * names a register, not memory: -EINVAL.
 */
static int mmio_read_modrm(struct mmio_cursor *c, unsigned int addr_size, u8 *modrm)
{
	unsigned int mod, rm, disp;
	int err = mmio_next(c, modrm);
	u8 sib;

	if (err)
		return err;
	mod = MODRM_MOD(*modrm);
	rm = MODRM_RM(*modrm);
	if (mod == 3)
		return -EINVAL;

	if (addr_size == 2) {
		/* mod 00 r/m 110 is [disp16]; there is no SIB byte. */
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
		else
			disp = 0;
		return mmio_skip(c, disp);
	}

	if (mod == 1)
		disp = 1;
	else if (mod == 2 || rm == 5)	/* mod 00 r/m 101: [disp32] or [RIP+disp32] */
		disp = 4;
	else
		disp = 0;
	if (rm == 4) {
		err = mmio_next(c, &sib);
		if (err)
			return err;
		/* mod 00 with SIB base 101: no base register, a disp32. */
		if (mod == 0 && SIB_BASE(sib) == 5)
			disp = 4;
	}
	return mmio_skip(c, disp);
}

/*
 * The register in ModRM.reg (extended by REX.R).  For a byte operand
 * without any REX prefix, 4..7 are AH, CH, DH, BH (bits 15:8 of RAX..RBX);
 * with one, they are SPL, BPL, SIL, DIL ("Byte Registers" in "REX
 * Prefixes").
 */
static void mmio_set_reg(struct mmio_insn *insn, u8 modrm, const struct mmio_prefixes *p,
			 unsigned int reg_size)
{
	unsigned int reg = MODRM_REG(modrm) | (p->rex & REX_R ? 8 : 0);

	if (reg_size == 1 && !p->rex && reg >= 4) {
		insn->high_byte = true;
		reg -= 4;
	}
	insn->reg = reg;
}

/* 88, 89, 8A, 8B: MOV between ModRM.reg and memory. */
static int mmio_decode_mov_rm(struct mmio_cursor *c, u8 op, unsigned int opsize,
			      unsigned int addr_size, const struct mmio_prefixes *p,
			      struct mmio_insn *insn)
{
	u8 modrm;
	int err = mmio_read_modrm(c, addr_size, &modrm);

	if (err)
		return err;
	insn->size = (op & 1) ? opsize : 1;
	insn->is_write = op == 0x88 || op == 0x89;
	if (!insn->is_write)
		insn->dest_size = insn->size;
	mmio_set_reg(insn, modrm, p, insn->size);
	return 0;
}

/*
 * C6 /0 ib, C7 /0 iw/id.  Any other ModRM.reg is not MOV (C6 /7 and C7 /7
 * are XABORT and XBEGIN).  With a 64-bit operand the immediate stays 32
 * bits and is sign-extended.
 */
static int mmio_decode_mov_imm(struct mmio_cursor *c, u8 op, unsigned int opsize,
			       unsigned int addr_size, struct mmio_insn *insn)
{
	unsigned int imm_size;
	u8 modrm;
	int err = mmio_read_modrm(c, addr_size, &modrm);

	if (err)
		return err;
	if (MODRM_REG(modrm) != 0)
		return -EINVAL;
	insn->size = op == 0xc6 ? 1 : opsize;
	imm_size = insn->size > 4 ? 4 : insn->size;
	err = mmio_next_le(c, imm_size, &insn->imm);
	if (err)
		return err;
	insn->imm = mmio_trunc(mmio_sext(insn->imm, imm_size), insn->size);
	insn->is_write = true;
	insn->has_imm = true;
	return 0;
}

/*
 * A0-A3: MOV between AL/rAX and the memory offset that follows the
 * opcode, as wide as the address size (8 bytes in 64-bit mode, 4 with 67).
 * The register is always AL or rAX; REX changes only the size (REX.W).
 */
static int mmio_decode_moffs(struct mmio_cursor *c, u8 op, unsigned int opsize,
			     unsigned int addr_size, struct mmio_insn *insn)
{
	int err = mmio_skip(c, addr_size);

	if (err)
		return err;
	insn->size = (op & 1) ? opsize : 1;
	insn->is_write = op == 0xa2 || op == 0xa3;
	if (!insn->is_write)
		insn->dest_size = insn->size;
	insn->reg = MMIO_RAX;
	return 0;
}

/* 0F B6/B7 MOVZX and 0F BE/BF MOVSX: a byte or word widened into ModRM.reg. */
static int mmio_decode_0f(struct mmio_cursor *c, unsigned int opsize,
			  unsigned int addr_size, const struct mmio_prefixes *p,
			  struct mmio_insn *insn)
{
	u8 op, modrm;
	int err = mmio_next(c, &op);

	if (err)
		return err;
	if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
		return -EINVAL;
	err = mmio_read_modrm(c, addr_size, &modrm);
	if (err)
		return err;
	insn->size = (op & 1) ? 2 : 1;
	insn->dest_size = opsize;
	insn->sign_extend = op == 0xbe || op == 0xbf;
	mmio_set_reg(insn, modrm, p, opsize);
	return 0;
}

int mmio_decode(const u8 *bytes, unsigned int avail, enum mmio_cpu_mode mode,
		struct mmio_insn *insn)
{
	struct mmio_cursor c = { .bytes = bytes, .avail = avail };
	struct mmio_prefixes p = { 0 };
	unsigned int opsize, addr_size;
	u8 op;
	int err;

	*insn = (struct mmio_insn){ 0 };
	if (mode != MMIO_MODE_16 && mode != MMIO_MODE_32 && mode != MMIO_MODE_64)
		return -EINVAL;
	err = mmio_read_prefixes(&c, mode, &p);
	if (!err)
		err = mmio_next(&c, &op);
	if (err)
		return err;
	opsize = mmio_operand_size(mode, &p);
	addr_size = mmio_address_size(mode, &p);

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		err = mmio_decode_mov_rm(&c, op, opsize, addr_size, &p, insn);
		break;
	case 0xc6: case 0xc7:
		err = mmio_decode_mov_imm(&c, op, opsize, addr_size, insn);
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		err = mmio_decode_moffs(&c, op, opsize, addr_size, insn);
		break;
	case 0x0f:
		err = mmio_decode_0f(&c, opsize, addr_size, &p, insn);
		break;
	default:
		err = -EINVAL;
	}
	if (err) {
		*insn = (struct mmio_insn){ 0 };
		return err;
	}
	insn->length = c.pos;
	return 0;
}

u64 mmio_store_value(const struct mmio_insn *insn, const u64 gprs[MMIO_NR_GPRS])
{
	u64 val;

	if (insn->has_imm)
		return mmio_trunc(insn->imm, insn->size);
	val = gprs[insn->reg & (MMIO_NR_GPRS - 1)];
	if (insn->high_byte)
		val >>= 8;
	return mmio_trunc(val, insn->size);
}

u64 mmio_load_result(const struct mmio_insn *insn, u64 old_reg, u64 data)
{
	u64 val = insn->sign_extend ? mmio_sext(data, insn->size) : mmio_trunc(data, insn->size);

	switch (insn->dest_size) {
	case 1:
		if (insn->high_byte)
			return (old_reg & ~0xff00ULL) | (mmio_trunc(val, 1) << 8);
		return (old_reg & ~0xffULL) | mmio_trunc(val, 1);
	case 2:
		return (old_reg & ~0xffffULL) | mmio_trunc(val, 2);
	case 4:
		return mmio_trunc(val, 4);
	default:
		return val;
	}
}
