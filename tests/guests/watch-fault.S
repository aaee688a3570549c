/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watch-fault: an instruction allowed once past an EPT read watch
 * (`vmxlab run --mode protected --watch 0x3000:rwx:once`) that faults
 * after its watched read:
 *   0x1020  ljmp *0x3000   reads a far pointer whose selector, 0xfff8,
 *                          lies past the GDT: #GP with error code 0xfff8
 * vmxlab closes the page at that fault and reflects the #GP to the guest,
 * whose handler (its own IDT) keeps the error code in EBX and checks that
 * the EFLAGS it was given show no TF: vmxlab's single step stays hidden.
 */
	.code32
	.text
	.globl _start
_start:
	lidt	idt_desc
	xor	%ebx, %ebx
	jmp	fault
	.org	0x20, 0x90
fault:	ljmp	*watched
	mov	$not_reached, %esi
	call	puts
	hlt

/* #GP: error code, EIP, CS, EFLAGS on the stack. */
gp_handler:
	pop	%ebx
	mov	$tf_clear, %esi
	testl	$0x100, 8(%esp)
	jz	1f
	mov	$tf_set, %esi
1:	call	puts
	hlt

	.include "console32.inc"

tf_clear:
	.asciz	"#GP after the watched read, TF clear\n"
tf_set:	.asciz	"#GP after the watched read, but TF set in its EFLAGS\n"
not_reached:
	.asciz	"the far jump did not fault\n"

	.balign	8
/* Vectors 0-13; only #GP (13) is present: a 32-bit interrupt gate. */
idt:	.fill	13, 8, 0
	.word	gp_handler, 0x08, 0x8e00, 0
idt_end:
idt_desc:
	.word	idt_end - idt - 1
	.long	idt

	/* The watched page: guest-physical 0x3000 (loaded at 0x1000 + 0x2000). */
	.org	0x2000
watched:
	.long	0x1000
	.word	0xfff8
