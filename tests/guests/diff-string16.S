/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-string16: string port I/O in real mode, the cases string-io.S (in
 * protected mode) lacks.  Each line prints values read back (0x and 8 hex
 * digits):
 *   rep outsb with DF=1 to port 0xE9: a line printed backwards
 *   rep outsb with CX=0: no I/O at all (then one OUT of '.' shows it)
 *   rep outsb with an ES segment override, and with addr32 (ESI, ECX)
 *   rep outsw with DF=1, 12 words to port 0x510 (more than the tool
 *   traces in one exit): the port then holds the lowest word; SI ends
 *   two bytes below the buffer
 *   rep insw with DF=1 from port 0x510: every word is that value
 *   rep insb with DI wrapping past 0xFFFF: ES:FFFE, FFFF, 0000, 0001
 *   rep outsb with SI wrapping past 0xFFFF
 * Then HLT.
 */
	.code16
	.text
	.globl _start

	SCRATCH = 0x510

	.macro	show name
	mov	$\name, %si
	call	show16
	.endm

_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es

	/* rep outsb backwards: prints "\ndrawkcab" ... as a forward line. */
	std
	mov	$0xe9, %dx
	mov	$back_end - 1, %si
	mov	$back_end - back, %cx
	rep outsb
	cld

	mov	$0xe9, %dx
	mov	$back, %si
	xor	%cx, %cx
	rep outsb			/* CX = 0: nothing */
	mov	$'.', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx

	/* ES override: the line lives at 0x100:0x0000 = linear 0x1000+. */
	mov	$(es_line - 0x1000), %si
	mov	$0x100, %ax
	mov	%ax, %es
	mov	$es_line_end - es_line, %cx
	rep outsb %es:(%si), (%dx)
	xor	%ax, %ax
	mov	%ax, %es

	/* addr32: ESI and ECX count. */
	mov	$a32_line, %esi
	mov	$a32_line_end - a32_line, %ecx
	addr32 rep outsb
	mov	%esi, %eax
	show	n_a32

	/* rep outsw, DF=1, 12 words ending at words[0]. */
	mov	$SCRATCH, %dx
	std
	mov	$words + 22, %si
	mov	$12, %cx
	rep outsw
	cld
	mov	%si, %bx
	mov	$SCRATCH, %dx
	xor	%eax, %eax
	in	%dx, %ax
	shl	$16, %eax
	mov	%bx, %ax
	sub	$words, %ax		/* SI - words: 0xfffe */
	show	n_outsw

	/* rep insw, DF=1, from 0x510 (which holds 0x1101): 6 words. */
	mov	$SCRATCH, %dx
	std
	mov	$0x6000 + 10, %di
	mov	$6, %cx
	rep insw
	cld
	movzwl	%di, %ebx		/* 0x5ffe */
	mov	0x600a - 2, %eax	/* the words at 0x600a and 0x6008 */
	mov	0x6000, %ax		/* and at 0x6000 */
	show	n_insw
	mov	%ebx, %eax
	show	n_insw_di

	/* rep insb across ES:FFFF with ES = 0x700: 0x16ffe, 0x16fff, 0x7000, 0x7001. */
	mov	$SCRATCH, %dx
	mov	$0x77, %al
	out	%al, %dx
	movl	$0, 0x7000
	mov	$0x700, %ax
	mov	%ax, %es
	mov	$0xfffe, %di
	mov	$4, %cx
	rep insb
	xor	%ax, %ax
	mov	%ax, %es
	mov	0x7000, %eax		/* 0x00007777 */
	shl	$16, %eax
	mov	%di, %ax		/* 0x0002 */
	show	n_insb_wrap

	/* rep outsb across DS:FFFF, DS = 0x700: from 0x16ffe..0x16fff, 0x7000..0x7001. */
	mov	$0x1000, %ax
	mov	%ax, %ds
	movw	$0x4241, 0x6ffe			/* linear 0x16ffe: "AB" */
	xor	%ax, %ax
	mov	%ax, %ds
	movw	$0x0a43, 0x7000			/* "C\n" */
	mov	$0x700, %ax
	mov	%ax, %ds
	mov	$0xe9, %dx
	mov	$0xfffe, %si
	mov	$4, %cx
	rep outsb			/* prints "ABC\n" */
	xor	%ax, %ax
	mov	%ax, %ds
	movzwl	%si, %eax
	show	n_outsb_wrap

	mov	$n_done, %si
	call	puts
	hlt

	.include "console.inc"
	.include "diff-hex16.inc"

back:	.ascii	"\nsdrawkcab ,1=FD htiw bstuo per"
back_end:
es_line:
	.ascii	"rep outsb from ES:SI\n"
es_line_end:
a32_line:
	.ascii	"addr32 rep outsb\n"
a32_line_end:
	.balign	2
words:	.word	0x1101, 0x1102, 0x1103, 0x1104, 0x1105, 0x1106
	.word	0x1107, 0x1108, 0x1109, 0x110a, 0x110b, 0x110c

n_a32:		.asciz	"addr32: ESI after: "
n_outsw:	.asciz	"rep outsw, DF=1: port 0x510 and SI - words: "
n_insw:		.asciz	"rep insw, DF=1: words at 0x600a, 0x6000: "
n_insw_di:	.asciz	"rep insw, DF=1: DI after: "
n_insb_wrap:	.asciz	"rep insb across ES:FFFF: bytes at ES:0 and DI: "
n_outsb_wrap:	.asciz	"rep outsb across DS:FFFF: SI after: "
n_done:		.asciz	"diff-string16: done\n"
