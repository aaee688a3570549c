/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memtest: every dword of guest memory from 0x2000 (past this image) to
 * 4 MiB - 64 KiB (the tool keeps its tables in the top 64 KiB), in 32-bit
 * protected mode with `--mem 4M`.  First write each dword its own address
 * XOR 0xA5A5A5A5, then read them all back: memory that two guest-physical
 * pages share, a page mapped at the wrong place, or a write lost shows as
 * a bad dword.  Each 64 KiB, one OUT to the scratch port 0x510 (the loops
 * exit now and then).  Then one load just above the 4 MiB, which no
 * memory backs and must read all ones.  Prints a summary and HLTs with
 * EBX = the bad dwords, EBP = the first bad address (0 if none), EDI = the
 * end of the range.
 */
	.code32
	.text
	.globl _start

	START = 0x2000
	END = 0x400000 - 0x10000
	MEM_END = 0x400000
	PATTERN = 0xa5a5a5a5
	SCRATCH = 0x510

_start:
	mov	$SCRATCH, %dx
	mov	$START, %edi
fill:
	mov	%edi, %eax
	xor	$PATTERN, %eax
	mov	%eax, (%edi)
	add	$4, %edi
	test	$0xffff, %edi
	jnz	fill
	mov	%edi, %eax
	out	%eax, %dx
	cmp	$END, %edi
	jb	fill

	xor	%ebx, %ebx
	xor	%ebp, %ebp
	mov	$START, %edi
verify:
	mov	%edi, %eax
	xor	$PATTERN, %eax
	cmp	%eax, (%edi)
	jne	bad
next:
	add	$4, %edi
	test	$0xffff, %edi
	jnz	verify
	mov	%edi, %eax
	out	%eax, %dx
	cmp	$END, %edi
	jb	verify

	mov	$msg_range, %esi
	call	puts
	mov	$START, %eax
	call	puthex
	mov	$msg_to, %esi
	call	puts
	mov	$END, %eax
	call	puthex
	mov	$msg_dwords, %esi
	call	puts
	mov	$(END - START) / 4, %eax
	call	putdec
	mov	$msg_bad, %esi
	call	puts
	mov	%ebx, %eax
	call	putdec
	mov	$newline, %esi
	call	puts
	test	%ebx, %ebx
	jz	1f
	mov	$msg_first, %esi
	call	puts
	mov	%ebp, %eax
	call	puthex
	mov	$newline, %esi
	call	puts

1:	mov	$msg_above, %esi
	call	puts
	mov	MEM_END, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	hlt

bad:
	inc	%ebx
	test	%ebp, %ebp
	jnz	next
	mov	%edi, %ebp
	jmp	next

	.include "console32.inc"

msg_range:
	.asciz	"memtest: "
msg_to:	.asciz	".."
msg_dwords:
	.asciz	": dwords "
msg_bad:
	.asciz	", bad "
msg_first:
	.asciz	"memtest: first bad dword at "
msg_above:
	.asciz	"memtest: above guest memory (0x400000) reads "
newline:
	.asciz	"\n"

	/* The image must end below the tested range: `.org` fails if not. */
	.org	START - 0x1000
