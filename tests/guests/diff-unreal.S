/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-unreal: real-mode corner cases, run natively by both devices
 * (unrestricted guest) except where an access leaves RAM, which one of
 * them must then decode as MMIO from 16-bit code.  Each line prints a
 * value read back (0x and 8 hex digits):
 *   operand/address-size prefixes: a 32-bit store through (%esi)
 *   16-bit offsets wrap at 64 KiB: ES:(BX+SI) with BX+SI = 0x10010
 *   FFFF:0010 is linear 0x100000 (A20 on), RAM with --mem 2M
 *   a word at DS:FFFF crosses the 64 KiB limit: #GP, through the IVT
 *   big real mode: FS loaded with a 4 GiB data descriptor in protected
 *   mode keeps that limit back in real mode; then, with addr32:
 *     the word at FFFF:0010 seen at FS:0x100000
 *     a word at FS:FFFF (no #GP now)
 *     MMIO at 0xD0000000 (the tool's scratch bank): store of an
 *     immediate, 32-bit load, MOVZX and MOVSX of a byte, a load into AH,
 *     a 32-bit moffs load (A1)
 *     an unbacked address (0xE0000000) reads all ones
 * Then HLT with the #GP count in EBX.
 */
	.code16
	.text
	.globl _start

	BANK = 0xd0000000

	.macro	show name
	mov	$\name, %si
	call	show16
	.endm

_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	lidt	ivt			/* the real-mode IVT at 0, whatever the tool left */
	movw	$gp, 13 * 4		/* #GP (vector 13) */
	movw	$0, 13 * 4 + 2

	mov	$0x12345678, %eax
	mov	$0x6000, %esi
	addr32 mov %eax, (%esi)
	mov	0x6000, %eax
	show	n_prefix

	mov	$0x700, %ax
	mov	%ax, %es
	mov	$0xfff0, %bx
	mov	$0x20, %si
	movw	$0xa55a, %es:(%bx, %si)	/* 0xfff0 + 0x20 wraps to 0x0010 */
	movzwl	0x7010, %eax
	show	n_wrap

	mov	$0xffff, %ax
	mov	%ax, %es
	movl	$0xc0ffee11, %es:0x10
	mov	%es:0x10, %eax
	show	n_hma

	xor	%ax, %ax
	mov	%ax, %es
	movw	$0, gp_count
	.byte	0xa1, 0xff, 0xff	/* mov 0xffff, %ax: crosses the limit */
	movzwl	gp_count, %eax
	show	n_gp

	/* Big real mode: a 4 GiB flat data segment in FS, back to real mode. */
	lgdt	gdtr
	mov	%cr0, %eax
	or	$1, %al
	mov	%eax, %cr0
	mov	$8, %bx
	mov	%bx, %fs
	and	$0xfe, %al
	mov	%eax, %cr0
	xor	%bx, %bx		/* EBX: the #GP count at the end */

	mov	$0x100000, %esi
	addr32 mov %fs:(%esi), %eax
	show	n_unreal_hma

	movw	$0, gp_count
	mov	%fs:0xffff, %ax		/* no #GP: the limit is 4 GiB now */
	movzwl	gp_count, %eax
	show	n_unreal_gp

	mov	$BANK, %esi
	addr32 movl $0xcafe80ba, %fs:(%esi)
	addr32 mov %fs:(%esi), %eax
	show	n_mmio_load
	mov	$-1, %eax
	addr32 movzbl %fs:1(%esi), %eax
	show	n_mmio_movzx
	addr32 movsbl %fs:1(%esi), %eax
	show	n_mmio_movsx
	mov	$0x11111111, %eax
	addr32 mov %fs:3(%esi), %ah
	show	n_mmio_ah
	addr32 mov %fs:BANK, %eax	/* A1 with a 32-bit offset */
	show	n_mmio_moffs
	mov	$0xe0000000, %esi
	addr32 mov %fs:(%esi), %eax
	show	n_unbacked

	movzwl	gp_count, %ebx
	mov	$n_done, %si
	call	puts
	hlt

/* #GP: count it and skip the 3-byte load that caused it. */
gp:
	push	%bp
	mov	%sp, %bp
	addw	$3, 2(%bp)
	incw	%cs:gp_count
	pop	%bp
	iret

	.include "console.inc"
	.include "diff-hex16.inc"

	.balign	8
gdt:	.quad	0
	.quad	0x00cf92000000ffff	/* flat data: base 0, 4 GiB, writable */
gdtr:	.word	gdtr - gdt - 1
	.long	gdt
ivt:	.word	0x3ff
	.long	0
gp_count:
	.word	0

n_prefix:	.asciz	"32-bit store through (%esi): "
n_wrap:		.asciz	"ES:(BX+SI) past 64 KiB wraps to ES:0010: "
n_hma:		.asciz	"FFFF:0010 (0x100000): "
n_gp:		.asciz	"#GP for a word at DS:FFFF: "
n_unreal_hma:	.asciz	"big real mode, FS:0x100000: "
n_unreal_gp:	.asciz	"big real mode, #GP for a word at FS:FFFF: "
n_mmio_load:	.asciz	"MMIO from real mode, store and load: "
n_mmio_movzx:	.asciz	"MMIO movzx of byte 1: "
n_mmio_movsx:	.asciz	"MMIO movsx of byte 1: "
n_mmio_ah:	.asciz	"MMIO byte 3 into AH: "
n_mmio_moffs:	.asciz	"MMIO moffs load: "
n_unbacked:	.asciz	"unbacked 0xE0000000: "
n_done:		.asciz	"diff-unreal: done\n"
