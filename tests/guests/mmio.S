/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmio: loads and stores to guest-physical addresses no memory backs, in
 * 32-bit protected mode (paging off: linear = physical), so each is an
 * MMIO exit the VMM must decode and complete.  `vmxlab run` answers
 * 0xD0000000..0xD0000FFF as a bank of scratch registers (a load returns
 * what was last stored at that offset, little-endian, 0 before any
 * store); anywhere else unbacked reads all ones and ignores stores.
 * Each check prints "NAME: OK" or "NAME: FAIL (read ...)":
 * stores of 1, 2 and 4 bytes from an immediate and from a register, loads
 * into a register, MOVZX of 1 and 2 bytes, a base+displacement address,
 * a narrower load of a wider store, an offset never stored, and unbacked
 * addresses outside the bank (above the 1 MiB of memory, and 0xE0000000).
 * Then a summary line and HLT, with the failure count in EBX.
 */
	.code32
	.text
	.globl _start
	.include "macros.inc"

	BANK = 0xd0000000
	NOWHERE = 0xe0000000
	ABOVE_RAM = 0x100000		/* the default --mem 1M ends here */

_start:
	movl	$0x11223344, BANK
	mov	BANK, %eax
	cmp	$0x11223344, %eax
	check	n_imm4

	movw	$0x5566, BANK + 8
	xor	%eax, %eax
	mov	BANK + 8, %ax
	cmp	$0x5566, %eax
	check	n_imm2

	movb	$0x77, BANK + 0x10
	xor	%eax, %eax
	mov	BANK + 0x10, %al
	cmp	$0x77, %eax
	check	n_imm1

	mov	$0xdeadbeef, %ecx
	mov	%ecx, BANK + 0x20
	mov	BANK + 0x20, %eax
	cmp	$0xdeadbeef, %eax
	check	n_reg4

	mov	%cx, BANK + 0x28
	mov	$-1, %eax
	movzwl	BANK + 0x28, %eax
	cmp	$0xbeef, %eax
	check	n_movzw

	mov	%cl, BANK + 0x30
	mov	$-1, %eax
	movzbl	BANK + 0x30, %eax
	cmp	$0xef, %eax
	check	n_movzb

	mov	$BANK, %edi
	movl	$0x12345678, 0x40(%edi)
	mov	0x40(%edi), %eax
	cmp	$0x12345678, %eax
	check	n_base

	movl	$0xa1b2c3d4, BANK + 0x50
	movzbl	BANK + 0x50, %eax
	cmp	$0xd4, %eax
	check	n_narrow

	mov	BANK + 0x100, %eax
	cmp	$0, %eax
	check	n_unset

	mov	ABOVE_RAM, %eax
	cmp	$0xffffffff, %eax
	check	n_above

	movl	$0, NOWHERE
	mov	NOWHERE, %eax
	cmp	$0xffffffff, %eax
	check	n_nowhere

	finish msg_done

	.include "console32.inc"

n_imm4:	.asciz	"mov of 4 bytes: immediate store, register load"
n_imm2:	.asciz	"mov of 2 bytes: immediate store, register load"
n_imm1:	.asciz	"mov of 1 byte: immediate store, register load"
n_reg4:	.asciz	"mov of 4 bytes: register store"
n_movzw:
	.asciz	"mov of 2 bytes: register store; movzx load"
n_movzb:
	.asciz	"mov of 1 byte: register store; movzx load"
n_base:	.asciz	"base + displacement address"
n_narrow:
	.asciz	"1-byte load of a 4-byte store: its low byte"
n_unset:
	.asciz	"a register never stored reads 0"
n_above:
	.asciz	"above guest memory (0x100000) reads all ones"
n_nowhere:
	.asciz	"0xe0000000, store ignored, reads all ones"
msg_done:
	.asciz	"mmio: failures: "
newline:
	.asciz	"\n"
