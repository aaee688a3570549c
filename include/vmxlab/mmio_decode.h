/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MOV instructions that touch MMIO, decoded (SDM Vol. 2A chapter
 * "Instruction Format": "Instruction Prefixes", "REX Prefixes", "ModR/M
 * and SIB Bytes", "Displacement and Immediate Bytes"; the MOV, MOVZX and
 * MOVSX pages of the instruction set reference).
 *
 * When a guest touches guest-physical memory that nothing backs, the EPT
 * violation gives the address but not the access: the VMM decodes the
 * faulting instruction for its size, direction and register, turns it
 * into a KVM_EXIT_MMIO, and after user space answers a read writes the
 * value into the register and advances RIP by the instruction's length.
 *
 * Forms decoded, in 16-bit, 32-bit and 64-bit code:
 *   88 /r, 89 /r        MOV r/m, r        (store)
 *   8A /r, 8B /r        MOV r, r/m        (load)
 *   C6 /0 ib, C7 /0 iw/id  MOV r/m, imm   (store of an immediate)
 *   A0, A1              MOV AL/rAX, moffs (load)
 *   A2, A3              MOV moffs, AL/rAX (store)
 *   0F B6, 0F B7        MOVZX r, r/m8 / r/m16 (load)
 *   0F BE, 0F BF        MOVSX r, r/m8 / r/m16 (load)
 * with prefixes 66, 67, segment overrides and (64-bit code) REX.  LOCK,
 * REP/REPNE (F0, F2, F3), register operands (ModRM.mod = 3) and every
 * other opcode are refused: they are not MMIO MOVs this decoder serves.
 *
 * The memory address is not decoded: the hardware reports it (the
 * guest-physical address of the EPT violation).  ModRM, SIB and
 * displacement bytes are only measured, for the instruction's length.
 *
 * Pure logic, no allocation, no global state: built into the module and
 * into the host unit tests unchanged.
 */
#ifndef VMXLAB_MMIO_DECODE_H
#define VMXLAB_MMIO_DECODE_H

#include <vmxlab/types.h>

/* "General Instruction Format": no instruction is longer than 15 bytes. */
#define MMIO_INSN_MAX_LEN	15

/*
 * The code's default operand and address size: 16 in real mode, virtual-
 * 8086 mode and protected mode with CS.D = 0; 32 with CS.D = 1; 64 in
 * 64-bit mode (IA32_EFER.LMA = 1 and CS.L = 1; default operand size 32,
 * address size 64).  mmio_cpu_mode() picks one from those bits.
 */
enum mmio_cpu_mode {
	MMIO_MODE_16,
	MMIO_MODE_32,
	MMIO_MODE_64,
};

/* General-purpose registers as ModRM/REX number them ("REX Prefixes"). */
enum mmio_gpr {
	MMIO_RAX, MMIO_RCX, MMIO_RDX, MMIO_RBX,
	MMIO_RSP, MMIO_RBP, MMIO_RSI, MMIO_RDI,
	MMIO_R8, MMIO_R9, MMIO_R10, MMIO_R11,
	MMIO_R12, MMIO_R13, MMIO_R14, MMIO_R15,
	MMIO_NR_GPRS,
};

struct mmio_insn {
	u8 length;		/* bytes of the whole instruction, prefixes included */
	u8 size;		/* bytes accessed in memory: 1, 2, 4 or 8 */
	bool is_write;		/* the instruction stores to memory */
	bool has_imm;		/* a store of @imm rather than of a register */
	u8 reg;			/* the register stored or loaded (enum mmio_gpr); 0 with has_imm */
	bool high_byte;		/* @reg names AH/CH/DH/BH: bits 15:8 of GPR @reg (0..3) */
	u8 dest_size;		/* loads: bytes of @reg written (MOVZX/MOVSX widen); 0 for stores */
	bool sign_extend;	/* MOVSX: the loaded value is sign-extended to dest_size */
	u64 imm;		/* with has_imm: the value stored, sign-extended to size */
};

/* The decoding mode for CS.L, CS.D and IA32_EFER.LMA ("IA-32e Mode"; CS descriptor D/B and L flags). */
enum mmio_cpu_mode mmio_cpu_mode(bool efer_lma, bool cs_l, bool cs_d);

/*
 * Decode the instruction at @bytes (@avail bytes fetched from CS:RIP)
 * as code of @mode into *@insn.  0; -EINVAL if it is not one of the MOV
 * forms above in memory form (or would exceed 15 bytes); -ENODATA if
 * @avail ends before the instruction does (fetch more and call again).
 * *@insn is only meaningful on 0.
 */
int mmio_decode(const u8 *bytes, unsigned int avail, enum mmio_cpu_mode mode,
		struct mmio_insn *insn);

/*
 * For a store: the value written to memory, in the low @size bytes (the
 * rest zero).  @gprs holds the guest's 16 GPRs in enum mmio_gpr order.
 */
u64 mmio_store_value(const struct mmio_insn *insn, const u64 gprs[MMIO_NR_GPRS]);

/*
 * For a load: the new value of GPR @insn->reg, which held @old_reg, once
 * @data (the low @size bytes count) comes back.  x86 rules ("General-
 * Purpose Registers in 64-Bit Mode"): MOVZX/MOVSX first widen the data to
 * dest_size; then an 8-bit destination replaces bits 7:0 (or 15:8 for
 * AH/CH/DH/BH) and a 16-bit one bits 15:0, keeping the rest, while a
 * 32-bit destination is zero-extended to 64 bits and a 64-bit one
 * replaces everything.  (Outside 64-bit mode bits 63:32 are not visible
 * to the guest, so zero-extending there is harmless.)
 */
u64 mmio_load_result(const struct mmio_insn *insn, u64 old_reg, u64 data);

#endif /* VMXLAB_MMIO_DECODE_H */
