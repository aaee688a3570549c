/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ac: an alignment-check exception (#AC, vector 17) reaches the guest's
 * own handler.  Started by `vmxlab run --mode protected`; with a GDT,
 * TSS and IDT of its own (ring3.inc), it sets CR0.AM, goes to CPL 3 with
 * EFLAGS.AC set, and reads a misaligned doubleword: #AC, a fault with
 * error code 0 (SDM Vol. 3A, "Interrupt 17—Alignment Check Exception"),
 * delivered through IDT[17] to ring 0.  The handler checks the error
 * code, the CS (ring 3) and EIP (the faulting instruction) it was given,
 * prints one line each and halts.
 *
 * vmxlab intercepts #AC (the exception bitmap, "Exception Bitmap") and
 * injects it back: host-hangs.sh checks that the exit happened, and this
 * manifest that the guest saw the same exception as on bare metal.
 */
	.code32
	.text
	.globl _start

	RING3_STACK = 0x900
	X86_CR0_AM = 0x40000
	EFLAGS_AC = 0x40000

	.include "macros.inc"

_start:
	call	setup_ring3
	mov	$17, %ecx
	mov	$ac_handler, %eax
	mov	$0x08, %edx
	call	set_gate
	mov	%cr0, %eax
	or	$X86_CR0_AM, %eax
	mov	%eax, %cr0
	mov	$user, %eax
	mov	$RING3_STACK, %edx
	mov	$(EFLAGS_AC | 2), %ecx
	jmp	to_ring3

user:
user_fault:
	mov	misaligned + 1, %eax	/* #AC */
	ud2				/* never: #UD has no gate, a triple fault */

/* Ring 0, on RING0_STACK: error code, EIP, CS, EFLAGS, ESP, SS. */
ac_handler:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	(%esp), %eax
	test	%eax, %eax
	check	n_error_code
	mov	4(%esp), %eax
	cmp	$user_fault, %eax
	check	n_eip
	mov	8(%esp), %eax
	cmp	$USER_CS, %eax
	check	n_cs
	mov	12(%esp), %eax
	and	$EFLAGS_AC, %eax
	cmp	$EFLAGS_AC, %eax
	check	n_eflags_ac
	hlt

	.include "console32.inc"
	.include "ring3.inc"

n_error_code:	.asciz	"#AC error code 0"
n_eip:		.asciz	"#AC at the faulting instruction"
n_cs:		.asciz	"#AC from ring 3"
n_eflags_ac:	.asciz	"#AC with EFLAGS.AC"
	.balign	4
misaligned:
	.long	0, 0
