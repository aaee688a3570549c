/* SPDX-License-Identifier: GPL-2.0 */
/*
 * db: debug exceptions (#DB, vector 1) reach the guest's own handler with
 * DR6 saying why (SDM Vol. 3B, "Debug Status Register (DR6)", "Debug
 * Exception (#DB)—Interrupt Vector 1").  Started by `vmxlab run --mode
 * protected`, ring 0, with an IDT of its own whose #DB handler records
 * DR6 and the EIP it was given, clears TF in the saved EFLAGS and
 * returns.  Three causes, each after clearing DR6:
 *   - single step: POPF sets TF; the trap follows the next instruction:
 *     DR6.BS (bit 14), EIP after that instruction;
 *   - a data breakpoint: DR0 = a doubleword, DR7 = L0, R/W0 = write,
 *     LEN0 = 4 bytes; a write there traps: DR6.B0 (bit 0), EIP after the
 *     write;
 *   - INT1 (ICEBP, 0xF1): a trap with no DR6 bit, EIP after it.
 * Only DR6 bits 0 and 14 are compared (B0, BS: bits 13 (BD) and 1-3 must
 * be 0 here; the other bits are reserved, read as 1 or 0).
 *
 * vmxlab intercepts #DB (the exception bitmap) and reflects it with the
 * exit qualification's DR6 bits: host-hangs.sh checks the exits happened,
 * and this manifest that the guest saw what bare metal shows.
 */
	.code32
	.text
	.globl _start

	.include "macros.inc"

	DR6_CHECKED = 0x600f	/* BS, BD, B3..B0 */

_start:
	mov	$1, %ecx
	mov	$db_handler, %eax
	mov	%cs, %dx
	call	set_gate
	lidt	idtr

	/* Single step: the trap comes after the NOP that follows POPF. */
	xor	%eax, %eax
	mov	%eax, %dr6
	pushf
	orl	$0x100, (%esp)
	popf
step_insn:
	nop
step_after:
	mov	db_dr6, %eax
	and	$DR6_CHECKED, %eax
	cmp	$0x4000, %eax
	check	n_step_dr6
	mov	db_eip, %eax
	cmp	$step_after, %eax
	check	n_step_eip

	/* Data breakpoint on a write of `watched`. */
	xor	%eax, %eax
	mov	%eax, %dr6
	mov	$watched, %eax
	mov	%eax, %dr0
	mov	$0x000d0001, %eax	/* L0; R/W0 = 01 (writes); LEN0 = 11 (4 bytes) */
	mov	%eax, %dr7
	movl	$1, watched
bp_after:
	xor	%eax, %eax
	mov	%eax, %dr7
	mov	db_dr6, %eax
	and	$DR6_CHECKED, %eax
	cmp	$0x1, %eax
	check	n_bp_dr6
	mov	db_eip, %eax
	cmp	$bp_after, %eax
	check	n_bp_eip

	/* INT1 (ICEBP). */
	xor	%eax, %eax
	mov	%eax, %dr6
	movl	$0xffffffff, db_dr6
	.byte	0xf1
icebp_after:
	mov	db_dr6, %eax
	and	$DR6_CHECKED, %eax
	check	n_icebp_dr6
	mov	db_eip, %eax
	cmp	$icebp_after, %eax
	check	n_icebp_eip
	mov	db_count, %eax
	cmp	$3, %eax
	check	n_count
	hlt

/* Interrupt gate, ring 0: EIP, CS, EFLAGS on the stack. */
db_handler:
	push	%eax
	mov	%dr6, %eax
	mov	%eax, db_dr6
	mov	4(%esp), %eax
	mov	%eax, db_eip
	andl	$~0x100, 12(%esp)	/* TF off in the EFLAGS IRET loads */
	incl	db_count
	pop	%eax
	iret

	.include "console32.inc"

/* set_gate: IDT entry %ecx -> handler %eax in code segment %edx, interrupt gate. */
set_gate:
	lea	idt(, %ecx, 8), %ecx
	mov	%ax, (%ecx)
	mov	%dx, 2(%ecx)
	movw	$0x8e00, 4(%ecx)
	shr	$16, %eax
	mov	%ax, 6(%ecx)
	ret

n_step_dr6:	.asciz	"single step: DR6.BS"
n_step_eip:	.asciz	"single step: EIP after the stepped instruction"
n_bp_dr6:	.asciz	"data breakpoint: DR6.B0"
n_bp_eip:	.asciz	"data breakpoint: EIP after the write"
n_icebp_dr6:	.asciz	"INT1: no DR6 cause bit"
n_icebp_eip:	.asciz	"INT1: EIP after it"
n_count:	.asciz	"three #DB"
	.balign	4
db_dr6:		.long	0
db_eip:		.long	0
db_count:	.long	0
watched:	.long	0
	.balign	8
idt:
	.fill	32, 8, 0
idtr:
	.word	32 * 8 - 1
	.long	idt
