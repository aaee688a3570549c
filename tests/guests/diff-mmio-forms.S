/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-mmio-forms: instruction forms reaching the MMIO bank that mmio.S
 * does not use, in 32-bit protected mode.  Each line prints the value
 * read back (0x and 8 hex digits):
 *   MOVSX of a byte and of a word into 32 bits, of a byte into 16 bits;
 *   MOVZX of a byte into 16 bits (the upper half of EAX kept)
 *   the high-byte registers: a store from AH, loads into AH and CH
 *   the moffs forms A0-A3: AL, AX, EAX loads and stores
 *   a 16-bit immediate store (66 C7)
 *   a SIB address with a scaled index
 *   a load into EBP
 * Then HLT.
 */
	.code32
	.text
	.globl _start
	.include "macros.inc"

	BANK = 0xd0000000

	.macro	show name, reg=%eax
	mov	\reg, %ebx
	mov	$\name, %esi
	call	puts
	mov	%ebx, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	.endm

_start:
	movl	$0x8081f0f1, BANK
	mov	$0x12345678, %eax
	movsbl	BANK + 1, %eax		/* 0xf0 */
	show	n_movsbl
	movswl	BANK + 2, %eax		/* 0x8081 */
	show	n_movswl
	mov	$0x12345678, %eax
	movsbw	BANK + 3, %ax		/* 0x80 */
	show	n_movsbw
	mov	$0x12345678, %eax
	movzbw	BANK + 3, %ax
	show	n_movzbw

	mov	$0x0000a500, %eax
	mov	%ah, BANK + 0x10	/* 88 /r with AH */
	mov	$0x11111111, %eax
	mov	BANK + 0x10, %ah	/* 8A /r into AH */
	show	n_ah
	mov	$0x22222222, %ecx
	mov	BANK + 1, %ch
	show	n_ch, %ecx

	mov	$0x99, %al
	mov	%al, BANK + 0x20	/* A2 */
	mov	$0x3333, %ax
	mov	%ax, BANK + 0x22	/* 66 A3 */
	mov	$0x44444444, %eax
	mov	BANK + 0x20, %al	/* A0 */
	show	n_moffs_al
	mov	$0x55555555, %eax
	mov	BANK + 0x22, %ax	/* 66 A1 */
	show	n_moffs_ax
	mov	$0xabcdef01, %eax
	mov	%eax, BANK + 0x24	/* A3 */
	xor	%eax, %eax
	mov	BANK + 0x24, %eax	/* A1 */
	show	n_moffs_eax

	movw	$0x7e57, BANK + 0x30	/* 66 C7 */
	movzwl	BANK + 0x30, %eax
	show	n_imm16

	mov	$5, %esi
	mov	$0x600df00d, %ecx
	mov	%ecx, BANK + 0x40(, %esi, 4)
	mov	BANK + 0x54, %eax
	show	n_sib

	mov	BANK + 0x54, %ebp
	show	n_ebp, %ebp

	mov	$n_done, %esi
	call	puts
	hlt

	.include "console32.inc"

n_movsbl:	.asciz	"movsx byte to 32 bits: "
n_movswl:	.asciz	"movsx word to 32 bits: "
n_movsbw:	.asciz	"movsx byte to 16 bits: "
n_movzbw:	.asciz	"movzx byte to 16 bits: "
n_ah:		.asciz	"store from AH, load into AH: "
n_ch:		.asciz	"load into CH: "
n_moffs_al:	.asciz	"moffs A2 store, A0 load (AL): "
n_moffs_ax:	.asciz	"moffs 66 A3 store, 66 A1 load (AX): "
n_moffs_eax:	.asciz	"moffs A3 store, A1 load (EAX): "
n_imm16:	.asciz	"16-bit immediate store: "
n_sib:		.asciz	"scaled index store: "
n_ebp:		.asciz	"load into EBP: "
n_done:		.asciz	"diff-mmio-forms: done\n"
newline:	.asciz	"\n"
