/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq-cost: the guest of the interrupt measurements of bench-client
 * (tests/machine/progs/bench-client.c): an external interrupt injected
 * from user space with KVM_INTERRUPT, up to the guest's handler, whose
 * first instruction is an OUT that ends the client's KVM_RUN.  The client
 * times its rounds with RDTSC; this guest only takes the interrupts.
 *
 * 16-bit real mode at 0x1000, as every bench guest; it switches at once to
 * 32-bit protected mode (flat segments, no paging), touches its stack
 * pages (so no stack page is first mapped while the client times), loads
 * an IDT, sets IF and waits in `hlt; jmp`.  Two vectors:
 *
 *   0x30, a trap gate (IF stays 1 in the handler): `out %al, $0x81; iret`.
 *         At the handler's OUT exit the vCPU is ready for the next
 *         interrupt, which the client injects at once: it is delivered
 *         before the IRET, so the handlers nest, 12 bytes of stack each,
 *         and unwind when the client stops injecting.  One exit per round.
 *   0x31, an interrupt gate (IF = 0 in the handler, as an OS's interrupt
 *         handlers run): `out %al, $0x82; iret`.  At the OUT exit the
 *         vCPU cannot take an interrupt, so the client asks for an
 *         interrupt window; the guest's IRET opens it
 *         (KVM_EXIT_IRQ_WINDOW_OPEN) and the client injects.  Two exits
 *         per round.
 *
 * Both handlers come back to the `hlt; jmp` loop, so the client sees an
 * HLT exit when all its interrupts have returned.  No console output.
 */
	.code16
	.text
	.globl _start

	CODE_SEL = 0x08
	DATA_SEL = 0x10
	STACK_TOP = 0x9f000	/* bench-client backs 0-0x9FFFF */
	STACK_PAGES = 8		/* 32 KiB: > 1,100 nested frames of 12 bytes */
	VEC_TRAP = 0x30
	VEC_GATE = 0x31

_start:
	cli
	lgdtl	gdtr
	mov	%cr0, %eax
	or	$1, %eax		/* CR0.PE */
	mov	%eax, %cr0
	ljmpl	$CODE_SEL, $protected

	.code32
protected:
	mov	$DATA_SEL, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$STACK_TOP, %esp

	/* Touch the stack pages the nested handlers will use. */
	mov	$STACK_TOP - 4, %edi
	mov	$STACK_PAGES, %ecx
1:	movl	$0, (%edi)
	sub	$0x1000, %edi
	loop	1b

	mov	$VEC_TRAP, %ecx
	mov	$trap_handler, %eax
	mov	$0x8f00, %edx		/* present, DPL 0, 32-bit trap gate */
	call	set_gate
	mov	$VEC_GATE, %ecx
	mov	$gate_handler, %eax
	mov	$0x8e00, %edx		/* present, DPL 0, 32-bit interrupt gate */
	call	set_gate
	lidt	idtr

	sti
	nop				/* out of STI's shadow before the HLT */
wait:
	hlt
	jmp	wait

trap_handler:
	out	%al, $0x81
	iret

gate_handler:
	out	%al, $0x82
	iret

/* set_gate: IDT entry %ecx -> handler %eax, type and attributes %dx. */
set_gate:
	lea	idt(, %ecx, 8), %ecx
	mov	%ax, (%ecx)
	movw	$CODE_SEL, 2(%ecx)
	mov	%dx, 4(%ecx)
	shr	$16, %eax
	mov	%ax, 6(%ecx)
	ret

	.data
	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* CODE_SEL: 32-bit code, base 0, 4 GiB */
	.quad	0x00cf92000000ffff	/* DATA_SEL: data, base 0, 4 GiB */
gdt_end:
gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt
	.balign	8
idt:
	.fill	0x40, 8, 0
idtr:
	.word	0x40 * 8 - 1
	.long	idt
