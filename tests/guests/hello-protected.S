/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-protected: started by `vmxlab run --mode protected` in 32-bit
 * protected mode without paging (flat segments, ESP 0x1000).  Check that
 * CR0 says so (PE set, PG clear), print a line through port 0xE9, HLT.
 * In the wrong mode, print CR0 instead.
 */
	.code32
	.text
	.globl _start
_start:
	mov	%cr0, %eax
	and	$0x80000001, %eax	/* PG (bit 31), PE (bit 0) */
	cmp	$0x00000001, %eax
	jne	wrong
	mov	$msg, %esi
	call	puts
	hlt
wrong:
	mov	$msg_wrong, %esi
	call	puts
	mov	%cr0, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	hlt

	.include "console32.inc"

msg:	.asciz	"Hello from protected mode\n"
msg_wrong:
	.asciz	"not in protected mode without paging: cr0="
newline:
	.asciz	"\n"
