/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-long: started by `vmxlab run --mode long` in 64-bit mode (4-level
 * paging, the first 4 GiB mapped to themselves, RSP 0x1000).  Check
 * EFER.LMA (IA32_EFER, MSR 0xC0000080, bit 10) and that the code segment
 * is 64-bit (a 64-bit operation keeps the upper half), print a line
 * through port 0xE9, HLT.
 */
	.code64
	.text
	.globl _start
_start:
	mov	$0xc0000080, %ecx
	rdmsr
	test	$0x400, %eax		/* EFER.LMA */
	jz	wrong
	movabs	$0x123456789, %rax
	shr	$32, %rax
	cmp	$1, %rax
	jne	wrong
	mov	$msg, %esi
	call	puts
	hlt
wrong:
	mov	$msg_wrong, %esi
	call	puts
	hlt

	.include "console32.inc"

msg:	.asciz	"Hello from long mode\n"
msg_wrong:
	.asciz	"not in 64-bit mode\n"
