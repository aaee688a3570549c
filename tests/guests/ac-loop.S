/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ac-loop: the benign-exception delivery loop of XSA-156 / CVE-2015-5307.
 * Started by `vmxlab run --mode protected`; with a GDT, TSS and IDT of its
 * own (ring3.inc), it points IDT[17] (#AC) at ring-3 code, sets CR0.AM,
 * goes to CPL 3 with EFLAGS.AC set and a misaligned stack, and pushes:
 * #AC.  Delivering it to ring 3 pushes on that same misaligned stack at
 * CPL 3, which raises #AC again, and #AC on #AC is handled serially, not
 * as a double fault (SDM Vol. 3A, "Exception and Interrupt Handling in
 * 64-bit Mode" / "Interrupt 8—Double Fault Exception", the benign class):
 * on hardware the CPU delivers #AC forever, in microcode, and nothing
 * but a VM exit on #AC (the exception bitmap) breaks it.
 *
 * Never ends by itself: prints one line, then loops in event delivery.
 * host-hangs.sh runs it with `vmxlab run --timeout` and checks the run
 * ends by the timeout with #AC exits counted, and that the host lives.
 */
	.code32
	.text
	.globl _start

	RING3_STACK = 0x901	/* misaligned: every push at CPL 3 faults */
	X86_CR0_AM = 0x40000
	EFLAGS_AC = 0x40000

_start:
	call	setup_ring3
	mov	$17, %ecx
	mov	$user_handler, %eax
	mov	$0x18, %edx		/* ring-3 code: delivery stays at CPL 3 */
	call	set_gate
	mov	$msg, %esi
	call	puts
	mov	%cr0, %eax
	or	$X86_CR0_AM, %eax
	mov	%eax, %cr0
	mov	$user, %eax
	mov	$RING3_STACK, %edx
	mov	$(EFLAGS_AC | 2), %ecx
	jmp	to_ring3

user:
	push	%eax			/* #AC, and #AC delivering it, forever */
user_handler:
	jmp	user_handler		/* never reached */

	.include "console32.inc"
	.include "ring3.inc"

msg:	.asciz	"ac-loop: #AC delivery loop at CPL 3\n"
