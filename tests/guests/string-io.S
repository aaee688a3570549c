/* SPDX-License-Identifier: GPL-2.0 */
/*
 * string-io: the string forms of port I/O (INS, OUTS, with and without
 * REP), in 32-bit protected mode.  The tool copies bytes written to port
 * 0xE9 to stdout, and its scratch port 0x510 reads back the last value
 * written.  Each check prints "NAME: OK" or "NAME: FAIL (read ...)":
 *   rep outsb to 0xE9      prints its own line from memory
 *   rep insb/insw/insd     fill a buffer from 0x510 with the value last
 *                          written there; every element must be it, and
 *                          EDI and ECX must end past the buffer and at 0
 *   rep insd across a page boundary (guest-physical 0x7ff8..0x8008)
 *   rep insb with DF=1     fills downwards
 *   rep outsb/outsw/outsd  to 0x510: the port then reads back the last
 *                          element, and ESI ends past the source
 *   insw, outsw            one element, no REP
 * Then a summary line and HLT, with the failure count in EBX.
 * A device may hand a REP string instruction to user space in one exit
 * or in several: the manifest does not count them.
 */
	.code32
	.text
	.globl _start
	.include "macros.inc"

	SCRATCH = 0x510
	BUF = 0x6000		/* buffers: free guest memory past the image */
	CROSS = 0x7ff8		/* 16 bytes across the 0x8000 page boundary */

/*
 * expect_fill ADDR, COUNT, SIZE, VALUE: the COUNT elements of SIZE bytes
 * at ADDR all equal VALUE (ZF set), with %eax what was read last.
 */
	.macro	expect_fill addr, count, suffix, value
	mov	$\addr, %esi
	mov	$\count, %ecx
98:	lods\suffix
	cmp	$\value, %eax
	jne	99f
	dec	%ecx
	jnz	98b
99:
	.endm

_start:
	cld

	/* rep outsb to 0xE9: the line is the check. */
	mov	$0xe9, %dx
	mov	$line, %esi
	mov	$line_end - line, %ecx
	rep outsb

	/* rep insb: 16 bytes of 0x5a. */
	mov	$SCRATCH, %dx		/* again: report clobbers EDX */
	mov	$0x5a, %al
	out	%al, %dx
	mov	$BUF, %edi
	mov	$16, %ecx
	rep insb
	call	edi_ecx_ok_16
	jne	1f
	xor	%eax, %eax
	expect_fill BUF, 16, b, 0x5a
1:	check	n_insb

	/* rep insw: 8 words of 0xbeef. */
	mov	$SCRATCH, %dx
	mov	$0xbeef, %ax
	out	%ax, %dx
	mov	$BUF, %edi
	mov	$8, %ecx
	rep insw
	call	edi_ecx_ok_16
	jne	1f
	xor	%eax, %eax
	expect_fill BUF, 8, w, 0xbeef
1:	check	n_insw

	/* rep insd: 4 dwords of 0xcafef00d. */
	mov	$SCRATCH, %dx
	mov	$0xcafef00d, %eax
	out	%eax, %dx
	mov	$BUF, %edi
	mov	$4, %ecx
	rep insl
	call	edi_ecx_ok_16
	jne	1f
	expect_fill BUF, 4, l, 0xcafef00d
1:	check	n_insd

	/* rep insd across a page boundary. */
	mov	$SCRATCH, %dx
	mov	$0x0badf00d, %eax
	out	%eax, %dx
	mov	$CROSS, %edi
	mov	$4, %ecx
	rep insl
	cmp	$CROSS + 16, %edi
	mov	%edi, %eax
	jne	1f
	expect_fill CROSS, 4, l, 0x0badf00d
1:	check	n_cross

	/* rep insb with DF=1: from BUF+15 down to BUF. */
	mov	$SCRATCH, %dx
	mov	$0xa7, %al
	out	%al, %dx
	mov	$BUF + 15, %edi
	mov	$16, %ecx
	std
	rep insb
	cld
	cmp	$BUF - 1, %edi
	mov	%edi, %eax
	jne	1f
	xor	%eax, %eax
	expect_fill BUF, 16, b, 0xa7
1:	check	n_insb_down

	/* rep outsb to 0x510: the last byte stays. */
	mov	$SCRATCH, %dx
	mov	$bytes, %esi
	mov	$4, %ecx
	rep outsb
	call	esi_ok_4
	jne	1f
	xor	%eax, %eax
	in	%dx, %al
	cmp	$0x44, %al
1:	check	n_outsb

	/* rep outsw. */
	mov	$SCRATCH, %dx
	mov	$words, %esi
	mov	$2, %ecx
	rep outsw
	call	esi_ok_4
	jne	1f
	xor	%eax, %eax
	in	%dx, %ax
	cmp	$0x8877, %ax
1:	check	n_outsw

	/* rep outsd. */
	mov	$SCRATCH, %dx
	mov	$dwords, %esi
	mov	$1, %ecx
	rep outsl
	call	esi_ok_4
	jne	1f
	in	%dx, %eax
	cmp	$0xfedcba98, %eax
1:	check	n_outsd

	/* outsw, insw: one element each. */
	mov	$SCRATCH, %dx
	mov	$words, %esi
	outsw
	movw	$0, BUF
	mov	$BUF, %edi
	insw
	cmp	$BUF + 2, %edi
	mov	%edi, %eax
	jne	1f
	xor	%eax, %eax
	mov	BUF, %ax
	cmp	$0x6655, %ax
1:	check	n_single

	finish msg_done

/* After a 16-byte REP INS into BUF: ZF if EDI = BUF + 16 and ECX = 0; EAX = EDI. */
edi_ecx_ok_16:
	mov	%edi, %eax
	cmp	$BUF + 16, %edi
	jne	1f
	mov	%ecx, %eax
	test	%ecx, %ecx
1:	ret

/* After a 4-byte REP OUTS: ZF if ESI moved 4 bytes and ECX = 0; EAX = ESI. */
esi_ok_4:
	mov	%esi, %eax
	sub	$4, %eax
	cmp	$bytes, %eax
	je	1f
	cmp	$words, %eax
	je	1f
	cmp	$dwords, %eax
	jne	2f
1:	mov	%ecx, %eax
	test	%ecx, %ecx
2:	ret

	.include "console32.inc"

line:	.ascii	"rep outsb to port 0xe9: this line\n"
line_end:
bytes:	.byte	0x11, 0x22, 0x33, 0x44
words:	.word	0x6655, 0x8877
dwords:	.long	0xfedcba98
n_insb:	.asciz	"rep insb"
n_insw:	.asciz	"rep insw"
n_insd:	.asciz	"rep insd"
n_cross:
	.asciz	"rep insd across a page boundary"
n_insb_down:
	.asciz	"rep insb with DF=1"
n_outsb:
	.asciz	"rep outsb"
n_outsw:
	.asciz	"rep outsw"
n_outsd:
	.asciz	"rep outsd"
n_single:
	.asciz	"outsw, insw"
msg_done:
	.asciz	"string-io: failures: "
newline:
	.asciz	"\n"
