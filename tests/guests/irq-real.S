/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq-real: interrupts from `vmxlab run --irq` (a write of a vector to
 * port 0x511 raises it, a write to port 0x512 raises an NMI) in real
 * mode, through the interrupt vector table at 0 (SDM Vol. 3A, "Interrupt
 * and Exception Handling in Real-Address Mode").  Each handler records the
 * IP it was given and counts itself.  Three cases:
 *   - raised with IF = 0: not taken while IF = 0 (the tool asks for an
 *     interrupt window), taken once STI's shadow and the next instruction
 *     are over ("Interrupt-Window Exiting", STI in Vol. 2B), so the IP it
 *     returns to is after that instruction;
 *   - raised with IF = 0, then `sti; hlt`: the HLT (in STI's shadow) is
 *     woken by it, and returns after the HLT (Linux idles like this);
 *   - an NMI, raised with IF = 0: taken right after the OUT that raised it.
 * A line per check; the run ends with an HLT at IF = 0.
 */
	.include "macros.inc"

	real_mode_start msg_start
	movw	$nmi_handler, 2 * 4
	movw	$0, 2 * 4 + 2
	movw	$irq20_handler, 0x20 * 4
	movw	$0, 0x20 * 4 + 2
	movw	$irq21_handler, 0x21 * 4
	movw	$0, 0x21 * 4 + 2

	/* Raised with IF = 0: it waits for STI, and STI's shadow. */
	cli
	mov	$0x20, %al
	mov	$0x511, %dx
	out	%al, %dx
	mov	$msg_masked, %si
	call	puts
	cmpw	$0, count20
	mov	$n_masked, %si
	call	rreport
	sti
	nop
after_nop:
	cli
	cmpw	$1, count20
	mov	$n_window, %si
	call	rreport
	cmpw	$after_nop, ip20
	mov	$n_window_ip, %si
	call	rreport

	/* sti; hlt: the raised interrupt wakes the HLT. */
	mov	$0x21, %al
	mov	$0x511, %dx
	out	%al, %dx
	sti
	hlt
after_hlt:
	cli
	cmpw	$1, count21
	mov	$n_hlt, %si
	call	rreport
	cmpw	$after_hlt, ip21
	mov	$n_hlt_ip, %si
	call	rreport

	/* An NMI, with IF = 0. */
	mov	$0x512, %dx
	out	%al, %dx
after_nmi_out:
	cmpw	$1, count_nmi
	mov	$n_nmi, %si
	call	rreport
	cmpw	$after_nmi_out, ip_nmi
	mov	$n_nmi_ip, %si
	call	rreport
	mov	$msg_done, %si
	call	puts
	hlt

/* handler NAME: count in count_NAME... and the IP the CPU pushed in ip_NAME. */
	.macro	handler name
\name\()_handler:
	push	%bp
	mov	%sp, %bp
	push	%ax
	mov	2(%bp), %ax
	mov	%ax, ip_\name
	incw	count_\name
	pop	%ax
	pop	%bp
	iret
	.endm

	handler	irq20
	handler	irq21
	handler	nmi

	.include "console.inc"
	.include "rreport.inc"

	count20 = count_irq20
	count21 = count_irq21
	ip20 = ip_irq20
	ip21 = ip_irq21
msg_start:	.asciz	"interrupts in real mode\n"
msg_masked:	.asciz	"raised with IF=0\n"
n_masked:	.asciz	"not taken while IF=0"
n_window:	.asciz	"taken after STI and one more instruction"
n_window_ip:	.asciz	"returns after that instruction"
n_hlt:		.asciz	"sti; hlt woken"
n_hlt_ip:	.asciz	"returns after HLT"
n_nmi:		.asciz	"NMI taken with IF=0"
n_nmi_ip:	.asciz	"NMI returns after the OUT"
msg_done:	.asciz	"done\n"
	.balign	2
count_irq20:	.word	0
count_irq21:	.word	0
count_nmi:	.word	0
ip_irq20:	.word	0
ip_irq21:	.word	0
ip_nmi:		.word	0
