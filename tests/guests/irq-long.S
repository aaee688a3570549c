/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq-long: irq-real's three cases in 64-bit mode (`vmxlab run --mode long
 * --irq`), with an IDT of 16-byte interrupt gates ("64-Bit Mode IDT"):
 *   - vector 0x40 raised with IF = 0: injected once the interrupt window
 *     opens, after STI and the instruction that follows it;
 *   - vector 0x41 raised with IF = 0, then `sti; hlt`: wakes the HLT,
 *     returns after it;
 *   - an NMI raised with IF = 0: taken right after the OUT.
 * Each handler records the RIP it was given and counts itself.  An OK
 * line per check, then the count of failures; the last HLT is at IF = 0.
 */
	.code64
	.text
	.globl _start

	.include "macros.inc"

_start:
	mov	$msg_start, %esi
	call	puts
	mov	$2, %ecx
	mov	$nmi_handler, %eax
	call	set_gate
	mov	$0x40, %ecx
	mov	$irq40_handler, %eax
	call	set_gate
	mov	$0x41, %ecx
	mov	$irq41_handler, %eax
	call	set_gate
	lidt	idtr

	/* Raised with IF = 0: it waits for STI, and STI's shadow. */
	cli
	mov	$0x40, %al
	mov	$0x511, %dx
	out	%al, %dx
	cmpl	$0, count_irq40
	check	n_masked
	sti
	nop
after_nop:
	cli
	cmpl	$1, count_irq40
	check	n_window
	cmpl	$after_nop, rip_irq40
	check	n_window_rip

	/* sti; hlt: the raised interrupt wakes the HLT. */
	mov	$0x41, %al
	mov	$0x511, %dx
	out	%al, %dx
	sti
	hlt
after_hlt:
	cli
	cmpl	$1, count_irq41
	check	n_hlt
	cmpl	$after_hlt, rip_irq41
	check	n_hlt_rip

	/* An NMI, with IF = 0. */
	mov	$0x512, %dx
	out	%al, %dx
after_nmi_out:
	cmpl	$1, count_nmi
	check	n_nmi
	cmpl	$after_nmi_out, rip_nmi
	check	n_nmi_rip
	finish	msg_done

/* handler NAME: count in count_NAME, the RIP (below 4 GiB) in rip_NAME. */
	.macro	handler name
\name\()_handler:
	push	%rax
	mov	8(%rsp), %rax
	mov	%eax, rip_\name
	incl	count_\name
	pop	%rax
	iretq
	.endm

	handler	irq40
	handler	irq41
	handler	nmi

/* set_gate: IDT entry %ecx -> handler %eax (below 4 GiB), this CS, interrupt gate. */
set_gate:
	shl	$4, %ecx
	add	$idt, %ecx
	mov	%ax, (%rcx)
	mov	%cs, %dx
	mov	%dx, 2(%rcx)
	movw	$0x8e00, 4(%rcx)
	shr	$16, %eax
	mov	%ax, 6(%rcx)
	movl	$0, 8(%rcx)
	movl	$0, 12(%rcx)
	ret

	.include "console32.inc"

msg_start:	.asciz	"interrupts in long mode\n"
n_masked:	.asciz	"not taken while IF=0"
n_window:	.asciz	"taken after STI and one more instruction"
n_window_rip:	.asciz	"returns after that instruction"
n_hlt:		.asciz	"sti; hlt woken"
n_hlt_rip:	.asciz	"returns after HLT"
n_nmi:		.asciz	"NMI taken with IF=0"
n_nmi_rip:	.asciz	"NMI returns after the OUT"
msg_done:	.asciz	"failures: "
newline:	.asciz	"\n"
	.balign	4
count_irq40:	.long	0
count_irq41:	.long	0
count_nmi:	.long	0
rip_irq40:	.long	0
rip_irq41:	.long	0
rip_nmi:	.long	0
	.balign	16
idt:
	.fill	0x42 * 2, 8, 0
idtr:
	.word	0x42 * 16 - 1
	.quad	idt
