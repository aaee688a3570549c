/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq-protected: interrupts from `vmxlab run --hlt-irq 48` in protected
 * mode, through an IDT of interrupt gates: the tool raises vector 0x30 at
 * each HLT with IF = 1 (a timer that fires while the guest waits) and
 * vector VALUE at each write to port 0x511.  Each handler records the EIP
 * it was given and counts itself.  Three cases:
 *   - three `sti; hlt`: each HLT (in STI's shadow) is woken by the tick,
 *     which returns after the HLT;
 *   - vector 0x31 raised with IF = 1: taken right after the OUT;
 *   - the same with the stack on a page the guest never touched: the
 *     interrupt's delivery pushes there first, the hypervisor's EPT has no
 *     mapping yet, and the VM exit in the middle of delivery ("Information
 *     for VM Exits During Event Delivery") must end with the interrupt
 *     delivered again, not lost.
 * An OK line per check, then the count of failures; the last HLT is at IF = 0.
 */
	.code32
	.text
	.globl _start

	.include "macros.inc"

	TICK = 0x30
	BELL = 0x31
	FRESH_STACK = 0x7f000	/* below the tool's 64 KiB, never touched */

_start:
	mov	$msg_start, %esi
	call	puts
	mov	$TICK, %ecx
	mov	$tick_handler, %eax
	call	set_gate
	mov	$BELL, %ecx
	mov	$bell_handler, %eax
	call	set_gate
	lidt	idtr

	/* Three ticks, each waking a `sti; hlt`. */
	mov	$3, %edi
1:	sti
	hlt
after_hlt:
	cli
	dec	%edi
	jnz	1b
	cmpl	$3, count_tick
	check	n_ticks
	cmpl	$after_hlt, eip_tick
	check	n_tick_eip

	/* Raised with IF = 1: taken at once. */
	sti
	mov	$BELL, %al
	mov	$0x511, %dx
	out	%al, %dx
after_bell:
	cli
	cmpl	$1, count_bell
	check	n_bell
	cmpl	$after_bell, eip_bell
	check	n_bell_eip

	/* The same, delivered onto a stack page nobody touched yet. */
	mov	%esp, %ebp
	mov	$FRESH_STACK, %esp
	sti
	mov	$BELL, %al
	mov	$0x511, %dx
	out	%al, %dx
after_bell2:
	cli
	mov	%ebp, %esp
	cmpl	$2, count_bell
	check	n_fresh
	cmpl	$after_bell2, eip_bell
	check	n_fresh_eip
	finish	msg_done

/* handler NAME: count in count_NAME, the EIP the CPU pushed in eip_NAME. */
	.macro	handler name
\name\()_handler:
	push	%eax
	mov	4(%esp), %eax
	mov	%eax, eip_\name
	incl	count_\name
	pop	%eax
	iret
	.endm

	handler	tick
	handler	bell

/* set_gate: IDT entry %ecx -> handler %eax in this code segment, interrupt gate. */
set_gate:
	lea	idt(, %ecx, 8), %ecx
	mov	%ax, (%ecx)
	mov	%cs, %dx
	mov	%dx, 2(%ecx)
	movw	$0x8e00, 4(%ecx)
	shr	$16, %eax
	mov	%ax, 6(%ecx)
	ret

	.include "console32.inc"

msg_start:	.asciz	"interrupts in protected mode\n"
n_ticks:	.asciz	"three sti; hlt woken by the timer"
n_tick_eip:	.asciz	"the tick returns after HLT"
n_bell:		.asciz	"raised with IF=1: taken"
n_bell_eip:	.asciz	"returns after the OUT"
n_fresh:	.asciz	"delivered onto an untouched stack page"
n_fresh_eip:	.asciz	"that one returns after its OUT"
msg_done:	.asciz	"failures: "
newline:	.asciz	"\n"
	.balign	4
count_tick:	.long	0
count_bell:	.long	0
eip_tick:	.long	0
eip_bell:	.long	0
	.balign	8
idt:
	.fill	0x40, 8, 0
idtr:
	.word	0x40 * 8 - 1
	.long	idt
