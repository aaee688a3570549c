/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmio-long: MMIO as mmio.S, in 64-bit mode (the tool's identity map
 * covers the first 4 GiB, 0xD0000000 included), with what 64-bit code
 * adds: 8-byte stores and loads (an immediate sign-extended from 32 bits,
 * a register), REX registers (r8..r15), a 4-byte load zero-extending into
 * the full register, MOVZX into a 64-bit register, and MOV with a 64-bit
 * absolute address (moffs, `movabs`).  Addresses go through a register:
 * a 32-bit absolute displacement would be sign-extended to
 * 0xFFFFFFFFD0000000.  Then a summary line and HLT, failures in EBX.
 */
	.code64
	.text
	.globl _start
	.include "macros.inc"

	BANK = 0xd0000000
	NOWHERE = 0xe0000000

_start:
	mov	$BANK, %edi		/* zero-extends into %rdi */

	movq	$-2, (%rdi)
	xor	%eax, %eax
	mov	(%rdi), %rax
	cmp	$-2, %rax
	check	n_imm8

	movabs	$0x0123456789abcdef, %rcx
	mov	%rcx, 8(%rdi)
	xor	%eax, %eax
	mov	8(%rdi), %rax
	cmp	%rcx, %rax
	check	n_reg8

	movabs	$0xfedcba9876543210, %r9
	mov	%r9, 0x10(%rdi)
	xor	%r10d, %r10d
	mov	0x10(%rdi), %r10
	mov	%r10, %rax
	cmp	%r9, %r10
	check	n_rex

	movl	$0x11223344, 0x18(%rdi)
	mov	$-1, %rax
	mov	0x18(%rdi), %eax
	mov	$0x11223344, %edx
	cmp	%rdx, %rax
	check	n_zext

	movw	$0x5566, 0x20(%rdi)
	mov	$-1, %rax
	movzwq	0x20(%rdi), %rax
	cmp	$0x5566, %rax
	check	n_movzw

	movb	$0x77, 0x28(%rdi)
	mov	$-1, %rax
	movzbq	0x28(%rdi), %rax
	cmp	$0x77, %rax
	check	n_movzb

	mov	%cl, 0x30(%rdi)
	xor	%eax, %eax
	mov	0x30(%rdi), %al
	cmp	$0xef, %rax
	check	n_reg1

	mov	%cx, 0x38(%rdi)
	xor	%eax, %eax
	mov	0x38(%rdi), %ax
	cmp	$0xcdef, %rax
	check	n_reg2

	movabs	$0x8877665544332211, %rax
	movabs	%rax, BANK + 0x40
	xor	%eax, %eax
	movabs	BANK + 0x40, %rax
	movabs	$0x8877665544332211, %rdx
	cmp	%rdx, %rax
	check	n_moffs

	mov	0x100(%rdi), %rax
	cmp	$0, %rax
	check	n_unset

	mov	$NOWHERE, %esi
	movq	$0, (%rsi)
	mov	(%rsi), %rax
	cmp	$-1, %rax
	check	n_nowhere

	finish msg_done

	.include "console32.inc"

n_imm8:	.asciz	"mov of 8 bytes: immediate store, register load"
n_reg8:	.asciz	"mov of 8 bytes: register store"
n_rex:	.asciz	"mov of 8 bytes: r9 store, r10 load"
n_zext:	.asciz	"mov of 4 bytes: load zero-extends into rax"
n_movzw:
	.asciz	"movzx of 2 bytes into rax"
n_movzb:
	.asciz	"movzx of 1 byte into rax"
n_reg1:	.asciz	"mov of 1 byte: register store and load"
n_reg2:	.asciz	"mov of 2 bytes: register store and load"
n_moffs:
	.asciz	"movabs to and from a 64-bit address"
n_unset:
	.asciz	"a register never stored reads 0"
n_nowhere:
	.asciz	"0xe0000000, store ignored, reads all ones"
msg_done:
	.asciz	"mmio-long: failures: "
newline:
	.asciz	"\n"
