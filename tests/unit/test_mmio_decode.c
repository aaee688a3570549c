// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of exits/mmio_decode.c: real MOV encodings in 16-bit,
 * 32-bit and 64-bit code, with the length, size, direction and register
 * each must decode to (checked against the SDM's opcode tables and an
 * assembler's output), the forms that must be refused, truncated input,
 * and the register-merge rules of a load.
 *
 * If these fail, a guest's MMIO access reaches user space with the wrong
 * size or data, a load lands in the wrong register (or the wrong byte of
 * it), or RIP is advanced into the middle of the next instruction.
 */
#include <inttypes.h>
#include <string.h>

#include <vmxlab/mmio_decode.h>

#include "unit.h"

/* An instruction's bytes as (pointer, count) arguments. */
#define BYTES(...)	((const u8[]){ __VA_ARGS__ }), sizeof((const u8[]){ __VA_ARGS__ })

#define M16	MMIO_MODE_16
#define M32	MMIO_MODE_32
#define M64	MMIO_MODE_64

/*
 * Decode the whole of @b[0..n) as code of @mode and check that it is one
 * instruction of exactly @n bytes: every shorter prefix of it asks for
 * more (-ENODATA), and trailing bytes (NOPs, then a 15-byte window) do
 * not change the result.
 */
static struct mmio_insn decode_full(enum mmio_cpu_mode mode, const u8 *b, unsigned int n)
{
	struct mmio_insn insn, again;
	u8 buf[32];
	unsigned int i;

	for (i = 0; i < n; i++)
		ck_assert_msg(mmio_decode(b, i, mode, &insn) == -ENODATA,
			      "first %u of %u bytes: not -ENODATA", i, n);
	ck_assert_int_eq(mmio_decode(b, n, mode, &insn), 0);
	ck_assert_uint_eq(insn.length, n);

	memset(buf, 0x90, sizeof(buf));
	memcpy(buf, b, n);
	ck_assert_int_eq(mmio_decode(buf, sizeof(buf), mode, &again), 0);
	ck_assert_msg(!memcmp(&insn, &again, sizeof(insn)), "trailing bytes changed the decode");
	return insn;
}

static void decode_fails(enum mmio_cpu_mode mode, const u8 *b, unsigned int n, int err)
{
	struct mmio_insn insn;

	ck_assert_int_eq(mmio_decode(b, n, mode, &insn), err);
}

/* A load or store through ModRM.reg: check every field. */
static void check_reg(struct mmio_insn i, unsigned int size, bool write,
		      unsigned int reg, bool high)
{
	ck_assert_uint_eq(i.size, size);
	ck_assert_int_eq(i.is_write, write);
	ck_assert_int_eq(i.has_imm, false);
	ck_assert_uint_eq(i.reg, reg);
	ck_assert_int_eq(i.high_byte, high);
	ck_assert_uint_eq(i.dest_size, write ? 0 : size);
	ck_assert_int_eq(i.sign_extend, false);
}

static void check_imm(struct mmio_insn i, unsigned int size, u64 imm)
{
	ck_assert_uint_eq(i.size, size);
	ck_assert_int_eq(i.is_write, true);
	ck_assert_int_eq(i.has_imm, true);
	ck_assert_uint_eq(i.imm, imm);
	ck_assert_uint_eq(i.dest_size, 0);
}

static void check_widen(struct mmio_insn i, unsigned int size, unsigned int dest,
			bool sign, unsigned int reg)
{
	ck_assert_uint_eq(i.size, size);
	ck_assert_int_eq(i.is_write, false);
	ck_assert_int_eq(i.has_imm, false);
	ck_assert_uint_eq(i.dest_size, dest);
	ck_assert_int_eq(i.sign_extend, sign);
	ck_assert_uint_eq(i.reg, reg);
	ck_assert_int_eq(i.high_byte, false);
}

/* mov [eax], ebx; mov [eax], bx; mov eax, [ecx]: operand size from 66 in 32-bit code. */
START_TEST(mov_rm_32bit)
{
	check_reg(decode_full(M32, BYTES(0x89, 0x18)), 4, true, MMIO_RBX, false);
	check_reg(decode_full(M32, BYTES(0x66, 0x89, 0x18)), 2, true, MMIO_RBX, false);
	check_reg(decode_full(M32, BYTES(0x8b, 0x01)), 4, false, MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0x66, 0x8b, 0x01)), 2, false, MMIO_RAX, false);
	/* mov [edi+0x10], esi; mov esi, [edx+0x12345678] */
	check_reg(decode_full(M32, BYTES(0x89, 0x77, 0x10)), 4, true, MMIO_RSI, false);
	check_reg(decode_full(M32, BYTES(0x8b, 0xb2, 0x78, 0x56, 0x34, 0x12)), 4, false,
		  MMIO_RSI, false);
	/* mov [0x12345678], ecx: mod 00 r/m 101 is an absolute disp32. */
	check_reg(decode_full(M32, BYTES(0x89, 0x0d, 0x78, 0x56, 0x34, 0x12)), 4, true,
		  MMIO_RCX, false);
}
END_TEST

/* SIB forms: mov [esp], eax; [esp+8]; [esp+0x100]; [ebx+esi*4]; [disp32+ecx*2]. */
START_TEST(mov_rm_sib)
{
	check_reg(decode_full(M32, BYTES(0x89, 0x04, 0x24)), 4, true, MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0x89, 0x44, 0x24, 0x08)), 4, true, MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0x89, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00)), 4, true,
		  MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0x8b, 0x14, 0xb3)), 4, false, MMIO_RDX, false);
	/* mod 00, SIB base 101: no base, disp32 follows. */
	check_reg(decode_full(M32, BYTES(0x8b, 0x04, 0x4d, 0x00, 0x10, 0x00, 0x00)), 4, false,
		  MMIO_RAX, false);
	/* mod 01, SIB base 101 is [ebp+disp8]: only the disp8. */
	check_reg(decode_full(M32, BYTES(0x8b, 0x44, 0x25, 0x08)), 4, false, MMIO_RAX, false);
}
END_TEST

/* 16-bit code: 16-bit operands and the 16-bit addressing forms. */
START_TEST(mov_rm_16bit)
{
	/* mov [bx+si], bx; mov [bx+si], ebx */
	check_reg(decode_full(M16, BYTES(0x89, 0x18)), 2, true, MMIO_RBX, false);
	check_reg(decode_full(M16, BYTES(0x66, 0x89, 0x18)), 4, true, MMIO_RBX, false);
	/* mov ax, [bx+2]: mod 01, disp8 */
	check_reg(decode_full(M16, BYTES(0x8b, 0x47, 0x02)), 2, false, MMIO_RAX, false);
	/* mov bx, [0x1234]: mod 00 r/m 110 is [disp16] */
	check_reg(decode_full(M16, BYTES(0x8b, 0x1e, 0x34, 0x12)), 2, false, MMIO_RBX, false);
	/* mov ax, [bx+0x1234]: mod 10, disp16 */
	check_reg(decode_full(M16, BYTES(0x8b, 0x87, 0x34, 0x12)), 2, false, MMIO_RAX, false);
	/* mov [bp+0], al: mod 01 r/m 110 */
	check_reg(decode_full(M16, BYTES(0x88, 0x46, 0x00)), 1, true, MMIO_RAX, false);
	/* 67: 32-bit addressing in 16-bit code, mov ax, [0x12345678]; mov ax, [esp] */
	check_reg(decode_full(M16, BYTES(0x67, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12)), 2, false,
		  MMIO_RAX, false);
	check_reg(decode_full(M16, BYTES(0x67, 0x8b, 0x04, 0x24)), 2, false, MMIO_RAX, false);
	/* and 67 in 32-bit code: 16-bit addressing, mov eax, [0x1234] */
	check_reg(decode_full(M32, BYTES(0x67, 0x8b, 0x06, 0x34, 0x12)), 4, false, MMIO_RAX, false);
}
END_TEST

/* 64-bit code: REX.W, REX.R, REX.B, RIP-relative and SIB special cases. */
START_TEST(mov_rm_64bit)
{
	/* mov [rax], rbx / ebx / bx */
	check_reg(decode_full(M64, BYTES(0x48, 0x89, 0x18)), 8, true, MMIO_RBX, false);
	check_reg(decode_full(M64, BYTES(0x89, 0x18)), 4, true, MMIO_RBX, false);
	check_reg(decode_full(M64, BYTES(0x66, 0x89, 0x18)), 2, true, MMIO_RBX, false);
	/* REX.W wins over 66: mov [rax], rbx */
	check_reg(decode_full(M64, BYTES(0x66, 0x48, 0x89, 0x18)), 8, true, MMIO_RBX, false);
	/* mov [rax], r11 (REX.R); mov [r8], ebx (REX.B) */
	check_reg(decode_full(M64, BYTES(0x4c, 0x89, 0x18)), 8, true, MMIO_R11, false);
	check_reg(decode_full(M64, BYTES(0x41, 0x89, 0x18)), 4, true, MMIO_RBX, false);
	/* mov r15, [rip+0x10] */
	check_reg(decode_full(M64, BYTES(0x4c, 0x8b, 0x3d, 0x10, 0x00, 0x00, 0x00)), 8, false,
		  MMIO_R15, false);
	/* mov [r12], eax: r/m 100 with REX.B still takes a SIB byte */
	check_reg(decode_full(M64, BYTES(0x41, 0x89, 0x04, 0x24)), 4, true, MMIO_RAX, false);
	/* mov [r13+0], eax: r13 as base needs mod 01 */
	check_reg(decode_full(M64, BYTES(0x41, 0x89, 0x45, 0x00)), 4, true, MMIO_RAX, false);
	/* 41 89 05 disp32: mod 00 r/m 101 is RIP-relative even with REX.B */
	check_reg(decode_full(M64, BYTES(0x41, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00)), 4, true,
		  MMIO_RAX, false);
	/* mov eax, [r12*1+0x1000]: REX.X, SIB base 101 with mod 00: disp32 */
	check_reg(decode_full(M64, BYTES(0x42, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00)), 4,
		  false, MMIO_RAX, false);
	/* 67: 32-bit addressing, mov [eax], rbx */
	check_reg(decode_full(M64, BYTES(0x67, 0x48, 0x89, 0x18)), 8, true, MMIO_RBX, false);
}
END_TEST

/* A REX prefix before a legacy prefix is ignored; of two REX, the last counts. */
START_TEST(rex_placement)
{
	check_reg(decode_full(M64, BYTES(0x48, 0x66, 0x89, 0x18)), 2, true, MMIO_RBX, false);
	check_reg(decode_full(M64, BYTES(0x4c, 0x64, 0x89, 0x18)), 4, true, MMIO_RBX, false);
	check_reg(decode_full(M64, BYTES(0x4c, 0x48, 0x89, 0x18)), 8, true, MMIO_RBX, false);
	/* A lone ignored REX still means "no REX" for byte registers: ah. */
	check_reg(decode_full(M64, BYTES(0x40, 0x3e, 0x88, 0x20)), 1, true, MMIO_RAX, true);
}
END_TEST

/* Byte registers: AH..BH without REX, SPL..DIL and R8B..R15B with one. */
START_TEST(byte_registers)
{
	/* mov [eax], ah / bl / bh */
	check_reg(decode_full(M32, BYTES(0x88, 0x20)), 1, true, MMIO_RAX, true);
	check_reg(decode_full(M32, BYTES(0x88, 0x18)), 1, true, MMIO_RBX, false);
	check_reg(decode_full(M32, BYTES(0x88, 0x38)), 1, true, MMIO_RBX, true);
	check_reg(decode_full(M64, BYTES(0x88, 0x20)), 1, true, MMIO_RAX, true);
	/* mov [rax], spl / dil / r12b */
	check_reg(decode_full(M64, BYTES(0x40, 0x88, 0x20)), 1, true, MMIO_RSP, false);
	check_reg(decode_full(M64, BYTES(0x40, 0x88, 0x38)), 1, true, MMIO_RDI, false);
	check_reg(decode_full(M64, BYTES(0x44, 0x88, 0x20)), 1, true, MMIO_R12, false);
	/* mov ch, [eax]; mov bpl, [rax] */
	check_reg(decode_full(M32, BYTES(0x8a, 0x28)), 1, false, MMIO_RCX, true);
	check_reg(decode_full(M64, BYTES(0x40, 0x8a, 0x28)), 1, false, MMIO_RBP, false);
	/* 16-bit code too: mov dh, [si] */
	check_reg(decode_full(M16, BYTES(0x8a, 0x34)), 1, false, MMIO_RDX, true);
}
END_TEST

/* C6 /0 and C7 /0: immediates, and their sign extension to 64 bits. */
START_TEST(mov_imm)
{
	/* mov byte [eax], 0x7f; mov byte [eax+4], 0xff */
	check_imm(decode_full(M32, BYTES(0xc6, 0x00, 0x7f)), 1, 0x7f);
	check_imm(decode_full(M32, BYTES(0xc6, 0x40, 0x04, 0xff)), 1, 0xff);
	/* mov dword [0x10], 0x12345678 (32-bit, absolute) */
	check_imm(decode_full(M32, BYTES(0xc7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12)), 4,
		  0x12345678);
	/* mov word [eax], 0x8001 */
	check_imm(decode_full(M32, BYTES(0x66, 0xc7, 0x00, 0x01, 0x80)), 2, 0x8001);
	/* 16-bit code: mov word [bx], 0x1234; 66: mov dword [bx], 0x12345678 */
	check_imm(decode_full(M16, BYTES(0xc7, 0x07, 0x34, 0x12)), 2, 0x1234);
	check_imm(decode_full(M16, BYTES(0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12)), 4, 0x12345678);
	/* 64-bit, RIP-relative: mov dword [rip+0x10], 0x12345678 */
	check_imm(decode_full(M64, BYTES(0xc7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12)), 4,
		  0x12345678);
	/* mov qword [rip+0x10], -1 / 0x7fffffff / -0x80000000: imm32 sign-extended */
	check_imm(decode_full(M64, BYTES(0x48, 0xc7, 0x05, 0x10, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)),
		  8, 0xffffffffffffffffULL);
	check_imm(decode_full(M64, BYTES(0x48, 0xc7, 0x05, 0x10, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f)),
		  8, 0x7fffffffULL);
	check_imm(decode_full(M64, BYTES(0x48, 0xc7, 0x05, 0x10, 0, 0, 0, 0x00, 0x00, 0x00, 0x80)),
		  8, 0xffffffff80000000ULL);
	/* mov word [rip+0x10], 0x1234 */
	check_imm(decode_full(M64, BYTES(0x66, 0xc7, 0x05, 0x10, 0, 0, 0, 0x34, 0x12)), 2, 0x1234);
	/* mov byte [r8+rcx*8+0x7f], 1 */
	check_imm(decode_full(M64, BYTES(0x41, 0xc6, 0x44, 0xc8, 0x7f, 0x01)), 1, 1);
}
END_TEST

/* A0-A3: the moffs is as wide as the address size. */
START_TEST(mov_moffs)
{
	struct mmio_insn i;

	/* mov eax, [0x12345678] in 32-bit code; ax with 66; 67 gives a 2-byte moffs */
	check_reg(decode_full(M32, BYTES(0xa1, 0x78, 0x56, 0x34, 0x12)), 4, false, MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0x66, 0xa1, 0x78, 0x56, 0x34, 0x12)), 2, false,
		  MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0x67, 0xa1, 0x34, 0x12)), 4, false, MMIO_RAX, false);
	/* 16-bit code: mov ax, [0x1234]; 67: a 4-byte moffs */
	check_reg(decode_full(M16, BYTES(0xa1, 0x34, 0x12)), 2, false, MMIO_RAX, false);
	check_reg(decode_full(M16, BYTES(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12)), 2, false,
		  MMIO_RAX, false);
	/* 64-bit code: an 8-byte moffs; 4 with 67; REX.W for rax */
	check_reg(decode_full(M64, BYTES(0xa1, 1, 2, 3, 4, 5, 6, 7, 8)), 4, false, MMIO_RAX, false);
	check_reg(decode_full(M64, BYTES(0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8)), 8, false,
		  MMIO_RAX, false);
	check_reg(decode_full(M64, BYTES(0x67, 0xa1, 1, 2, 3, 4)), 4, false, MMIO_RAX, false);
	/* mov al, [moffs]; mov [moffs], al; mov [moffs], eax */
	check_reg(decode_full(M32, BYTES(0xa0, 0x78, 0x56, 0x34, 0x12)), 1, false, MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0xa2, 0x78, 0x56, 0x34, 0x12)), 1, true, MMIO_RAX, false);
	check_reg(decode_full(M32, BYTES(0xa3, 0x78, 0x56, 0x34, 0x12)), 4, true, MMIO_RAX, false);
	check_reg(decode_full(M64, BYTES(0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8)), 8, true,
		  MMIO_RAX, false);
	/* REX.B/REX.R do not apply to A0-A3: still al */
	i = decode_full(M64, BYTES(0x45, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8));
	check_reg(i, 1, false, MMIO_RAX, false);
}
END_TEST

/* 0F B6/B7 MOVZX and 0F BE/BF MOVSX. */
START_TEST(movzx_movsx)
{
	/* movzx eax, byte [eax]; movzx ecx, word [eax]; movsx edx, byte [eax]; movsx ebx, word [eax] */
	check_widen(decode_full(M32, BYTES(0x0f, 0xb6, 0x00)), 1, 4, false, MMIO_RAX);
	check_widen(decode_full(M32, BYTES(0x0f, 0xb7, 0x08)), 2, 4, false, MMIO_RCX);
	check_widen(decode_full(M32, BYTES(0x0f, 0xbe, 0x10)), 1, 4, true, MMIO_RDX);
	check_widen(decode_full(M32, BYTES(0x0f, 0xbf, 0x18)), 2, 4, true, MMIO_RBX);
	/* movzx ax, byte [eax]: 66 gives a 16-bit destination */
	check_widen(decode_full(M32, BYTES(0x66, 0x0f, 0xb6, 0x00)), 1, 2, false, MMIO_RAX);
	/* 16-bit code: movzx sp, byte [bx+si+1]: reg 4 is SP, not AH */
	check_widen(decode_full(M16, BYTES(0x0f, 0xb6, 0x60, 0x01)), 1, 2, false, MMIO_RSP);
	/* movsx rax, word [rip+0]; movzx r9d, byte [rax] */
	check_widen(decode_full(M64, BYTES(0x48, 0x0f, 0xbf, 0x05, 0, 0, 0, 0)), 2, 8, true,
		    MMIO_RAX);
	check_widen(decode_full(M64, BYTES(0x44, 0x0f, 0xb6, 0x08)), 1, 4, false, MMIO_R9);
}
END_TEST

/* mod 11 names a register: not a memory access. */
START_TEST(register_forms_refused)
{
	decode_fails(M32, BYTES(0x89, 0xc3), -EINVAL);		/* mov ebx, eax */
	decode_fails(M32, BYTES(0x8b, 0xc3), -EINVAL);
	decode_fails(M32, BYTES(0x88, 0xe0), -EINVAL);
	decode_fails(M32, BYTES(0x8a, 0xe0), -EINVAL);
	decode_fails(M32, BYTES(0xc6, 0xc0, 0x00), -EINVAL);	/* mov al, 0 */
	decode_fails(M64, BYTES(0x48, 0xc7, 0xc0, 1, 0, 0, 0), -EINVAL);
	decode_fails(M32, BYTES(0x0f, 0xb6, 0xc0), -EINVAL);	/* movzx eax, al */
	decode_fails(M16, BYTES(0x89, 0xd8), -EINVAL);
}
END_TEST

/* Everything else: string and LOCKed forms, other opcodes, C6/C7 with reg != 0. */
START_TEST(other_forms_refused)
{
	decode_fails(M32, BYTES(0xf3, 0x89, 0x18), -EINVAL);
	decode_fails(M32, BYTES(0xf2, 0x89, 0x18), -EINVAL);
	decode_fails(M32, BYTES(0xf0, 0x89, 0x18), -EINVAL);
	decode_fails(M64, BYTES(0x66, 0xf3, 0xa5), -EINVAL);		/* rep movsw */
	decode_fails(M32, BYTES(0xa4), -EINVAL);			/* movsb */
	decode_fails(M64, BYTES(0x48, 0x63, 0x00), -EINVAL);		/* movsxd */
	decode_fails(M64, BYTES(0x0f, 0x38, 0xf0, 0x00), -EINVAL);	/* movbe */
	decode_fails(M32, BYTES(0x8c, 0x18), -EINVAL);			/* mov [eax], ds */
	decode_fails(M32, BYTES(0xff, 0x00), -EINVAL);			/* inc dword [eax] */
	decode_fails(M32, BYTES(0x0f, 0xb8, 0x00), -EINVAL);
	decode_fails(M32, BYTES(0xc6, 0x08, 0x00), -EINVAL);		/* C6 /1 */
	decode_fails(M32, BYTES(0xc7, 0x38, 0, 0, 0, 0), -EINVAL);	/* C7 /7 */
	/* 40-4F are INC/DEC outside 64-bit mode, not REX. */
	decode_fails(M32, BYTES(0x48, 0x89, 0x18), -EINVAL);
	decode_fails(M16, BYTES(0x40, 0x88, 0x20), -EINVAL);
	decode_fails(3, BYTES(0x89, 0x18), -EINVAL);			/* no such mode */
}
END_TEST

/* Segment overrides are accepted, in any number, up to the 15-byte limit. */
START_TEST(prefixes_and_length_limit)
{
	u8 b[MMIO_INSN_MAX_LEN + 2];
	struct mmio_insn i;

	check_reg(decode_full(M32, BYTES(0x64, 0x89, 0x18)), 4, true, MMIO_RBX, false);
	check_reg(decode_full(M64, BYTES(0x2e, 0x3e, 0x26, 0x36, 0x65, 0x89, 0x18)), 4, true,
		  MMIO_RBX, false);
	check_reg(decode_full(M16, BYTES(0x26, 0x8b, 0x07)), 2, false, MMIO_RAX, false);

	/* 13 prefixes + 89 18 is 15 bytes: fine.  14 + 89 18 is 16: #GP, refused. */
	memset(b, 0x3e, sizeof(b));
	b[13] = 0x89;
	b[14] = 0x18;
	i = decode_full(M32, b, 15);
	ck_assert_uint_eq(i.size, 4);
	memset(b, 0x3e, sizeof(b));
	b[14] = 0x89;
	b[15] = 0x18;
	decode_fails(M32, b, sizeof(b), -EINVAL);
	/* An instruction past 15 bytes is -EINVAL even when fewer bytes are available. */
	decode_fails(M32, b, 15, -EINVAL);
	decode_fails(M32, b, 10, -ENODATA);
}
END_TEST

START_TEST(truncated_inputs)
{
	struct mmio_insn i;

	ck_assert_int_eq(mmio_decode(NULL, 0, M64, &i), -ENODATA);
	decode_fails(M64, BYTES(0x48), -ENODATA);
	decode_fails(M64, BYTES(0x0f), -ENODATA);
	decode_fails(M64, BYTES(0xc7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34), -ENODATA);
	decode_fails(M32, BYTES(0x89, 0x04), -ENODATA);		/* SIB missing */
	decode_fails(M16, BYTES(0x8b, 0x1e, 0x34), -ENODATA);	/* disp16 cut */
	decode_fails(M64, BYTES(0xa1, 1, 2, 3, 4, 5, 6, 7), -ENODATA);
}
END_TEST

/* Decode @b (a store) and return what it writes, given the registers @gprs. */
static u64 store_of(const u64 *gprs, enum mmio_cpu_mode mode, const u8 *b, unsigned int n)
{
	struct mmio_insn i = decode_full(mode, b, n);

	ck_assert(i.is_write);
	return mmio_store_value(&i, gprs);
}

/* Decode @b (a load) and return its register's new value, from @old and @data. */
static u64 load_of(u64 old, u64 data, enum mmio_cpu_mode mode, const u8 *b, unsigned int n)
{
	struct mmio_insn i = decode_full(mode, b, n);

	ck_assert(!i.is_write);
	return mmio_load_result(&i, old, data);
}

#define STORE(mode, ...)		store_of(gprs, mode, BYTES(__VA_ARGS__))
#define LOAD(mode, old, data, ...)	load_of(old, data, mode, BYTES(__VA_ARGS__))

START_TEST(store_values)
{
	u64 gprs[MMIO_NR_GPRS];
	unsigned int r;

	/* rax = 0x1122334455667708, rcx = ...18, ... r15 = ...f8 */
	for (r = 0; r < MMIO_NR_GPRS; r++)
		gprs[r] = 0x1122334455667700ULL | (0x10 * r + 8);
	/* mov [eax], ebx: the low 4 bytes of rbx */
	ck_assert_uint_eq(STORE(M32, 0x89, 0x18), 0x55667738);
	/* mov [rax], r11 */
	ck_assert_uint_eq(STORE(M64, 0x4c, 0x89, 0x18), 0x11223344556677b8ULL);
	/* mov [eax], bx */
	ck_assert_uint_eq(STORE(M32, 0x66, 0x89, 0x18), 0x7738);
	/* mov [eax], ah: bits 15:8 of rax; mov [rax], spl: bits 7:0 of rsp */
	ck_assert_uint_eq(STORE(M32, 0x88, 0x20), 0x77);
	ck_assert_uint_eq(STORE(M64, 0x40, 0x88, 0x20), 0x48);
	/* mov [moffs], al */
	ck_assert_uint_eq(STORE(M32, 0xa2, 0, 0, 0, 0), 0x08);
	/* immediates: the registers do not matter */
	ck_assert_uint_eq(STORE(M32, 0xc6, 0x00, 0x80), 0x80);
	ck_assert_uint_eq(STORE(M64, 0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff),
			  0xfffffffffffffffeULL);
}
END_TEST

#define OLD	0x1111111111111111ULL

/* The register after a load: merges, zero extension, MOVZX/MOVSX widening. */
START_TEST(load_results)
{
	/* mov eax, [eax]: a 32-bit destination clears bits 63:32 */
	ck_assert_uint_eq(LOAD(M32, ~0ULL, 0x12345678, 0x8b, 0x00), 0x12345678);
	ck_assert_uint_eq(LOAD(M64, OLD, 0xdeadbeef12345678ULL, 0x8b, 0x00), 0x12345678);
	/* mov ax, [eax]: bits 15:0 replaced, the rest kept */
	ck_assert_uint_eq(LOAD(M32, OLD, 0xabcd, 0x66, 0x8b, 0x00), 0x111111111111abcdULL);
	/* mov al, [eax]; mov ah, [eax]: one byte, data above it ignored */
	ck_assert_uint_eq(LOAD(M32, OLD, 0xffffffcd, 0x8a, 0x00), 0x11111111111111cdULL);
	ck_assert_uint_eq(LOAD(M32, OLD, 0xffffffcd, 0x8a, 0x20), 0x111111111111cd11ULL);
	/* mov spl, [rax]: bits 7:0 of rsp */
	ck_assert_uint_eq(LOAD(M64, OLD, 0xcd, 0x40, 0x8a, 0x20), 0x11111111111111cdULL);
	/* mov rax, [rax] */
	ck_assert_uint_eq(LOAD(M64, OLD, 0x8877665544332211ULL, 0x48, 0x8b, 0x00),
			  0x8877665544332211ULL);
	/* mov eax, [moffs]; mov al, [moffs] */
	ck_assert_uint_eq(LOAD(M32, OLD, 0x80, 0xa1, 0, 0, 0, 0), 0x80);
	ck_assert_uint_eq(LOAD(M32, OLD, 0x80, 0xa0, 0, 0, 0, 0), 0x1111111111111180ULL);
	/* movzx eax, byte: zero-extended to 32 bits, then to 64 */
	ck_assert_uint_eq(LOAD(M32, OLD, 0x1280, 0x0f, 0xb6, 0x00), 0x80);
	/* movsx eax, byte 0x80: 0xffffff80, bits 63:32 cleared */
	ck_assert_uint_eq(LOAD(M32, OLD, 0x80, 0x0f, 0xbe, 0x00), 0xffffff80ULL);
	/* movsx rax, byte 0x80 and 0x7f */
	ck_assert_uint_eq(LOAD(M64, OLD, 0x80, 0x48, 0x0f, 0xbe, 0x00), 0xffffffffffffff80ULL);
	ck_assert_uint_eq(LOAD(M64, OLD, 0x7f, 0x48, 0x0f, 0xbe, 0x00), 0x7f);
	/* movsx ax, byte: bits 15:0 replaced, the rest kept */
	ck_assert_uint_eq(LOAD(M32, OLD, 0x80, 0x66, 0x0f, 0xbe, 0x00), 0x111111111111ff80ULL);
	/* movsx ecx, word 0x8000; movzx ecx, word (data above bit 15 ignored) */
	ck_assert_uint_eq(LOAD(M32, OLD, 0x8000, 0x0f, 0xbf, 0x08), 0xffff8000ULL);
	ck_assert_uint_eq(LOAD(M32, OLD, 0xffff8000ULL, 0x0f, 0xb7, 0x08), 0x8000);
	/* 16-bit code: mov ax, [bx] merges; 66 mov eax, [bx] zero-extends */
	ck_assert_uint_eq(LOAD(M16, OLD, 0xbeef, 0x8b, 0x07), 0x111111111111beefULL);
	ck_assert_uint_eq(LOAD(M16, OLD, 0xdeadbeef, 0x66, 0x8b, 0x07), 0xdeadbeefULL);
}
END_TEST

START_TEST(cpu_mode_from_segments)
{
	ck_assert_int_eq(mmio_cpu_mode(false, false, false), MMIO_MODE_16);
	ck_assert_int_eq(mmio_cpu_mode(false, false, true), MMIO_MODE_32);
	/* CS.L means nothing without IA32_EFER.LMA */
	ck_assert_int_eq(mmio_cpu_mode(false, true, true), MMIO_MODE_32);
	/* compatibility mode: LMA with CS.L = 0 */
	ck_assert_int_eq(mmio_cpu_mode(true, false, false), MMIO_MODE_16);
	ck_assert_int_eq(mmio_cpu_mode(true, false, true), MMIO_MODE_32);
	ck_assert_int_eq(mmio_cpu_mode(true, true, false), MMIO_MODE_64);
}
END_TEST

Suite *mmio_decode_suite(void)
{
	Suite *s = suite_create("mmio_decode");

	UNIT_ADD(s, "mmio_decode", mov_rm_32bit);
	UNIT_ADD(s, "mmio_decode", mov_rm_sib);
	UNIT_ADD(s, "mmio_decode", mov_rm_16bit);
	UNIT_ADD(s, "mmio_decode", mov_rm_64bit);
	UNIT_ADD(s, "mmio_decode", rex_placement);
	UNIT_ADD(s, "mmio_decode", byte_registers);
	UNIT_ADD(s, "mmio_decode", mov_imm);
	UNIT_ADD(s, "mmio_decode", mov_moffs);
	UNIT_ADD(s, "mmio_decode", movzx_movsx);
	UNIT_ADD(s, "mmio_decode", register_forms_refused);
	UNIT_ADD(s, "mmio_decode", other_forms_refused);
	UNIT_ADD(s, "mmio_decode", prefixes_and_length_limit);
	UNIT_ADD(s, "mmio_decode", truncated_inputs);
	UNIT_ADD(s, "mmio_decode", store_values);
	UNIT_ADD(s, "mmio_decode", load_results);
	UNIT_ADD(s, "mmio_decode", cpu_mode_from_segments);
	return s;
}
