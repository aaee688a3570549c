/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdpmc: the vCPU has no performance counters (CPUID leaf 0xA reads
 * zero), so RDPMC raises #GP at CPL 0 as for a counter that does not
 * exist (SDM Vol. 2B, "RDPMC"): the guest never reads the host's.
 * Started by `vmxlab run --mode protected`, with an IDT of its own
 * (ring3.inc) whose #GP handler counts, records the error code and steps
 * over the 2-byte instruction.  RDPMC of counters 0, 1 and fixed counter
 * 0 (ECX bit 30): each #GP with error code 0, EAX/EDX untouched.  On a
 * hypervisor that lets RDPMC run (no "RDPMC exiting"), the CPU answers
 * with the host's counter and no #GP.
 */
	.code32
	.text
	.globl _start

	.include "macros.inc"

	.macro	rdpmc_round counter, n_gp, n_err, n_regs
	movl	$0, gp_count
	movl	$0xffffffff, gp_error
	mov	$\counter, %ecx
	mov	$0x5a5a5a5a, %eax
	mov	%eax, %edx
	rdpmc
	cmp	$0x5a5a5a5a, %eax
	jne	1f
	cmp	$0x5a5a5a5a, %edx
1:	check	\n_regs
	mov	gp_count, %eax
	cmp	$1, %eax
	check	\n_gp
	mov	gp_error, %eax
	cmp	$0, %eax
	check	\n_err
	.endm

_start:
	call	setup_ring3
	mov	$13, %ecx
	mov	$gp_handler, %eax
	mov	$0x08, %edx
	call	set_gate
	rdpmc_round 0, n_gp0, n_err0, n_regs0
	rdpmc_round 1, n_gp1, n_err1, n_regs1
	rdpmc_round 0x40000000, n_gpf, n_errf, n_regsf
	finish	n_done

/* #GP: error code recorded, the faulting RDPMC (0F 33) stepped over. */
gp_handler:
	popl	gp_error
	incl	gp_count
	addl	$2, (%esp)
	iret

	.include "console32.inc"
	.include "ring3.inc"

	.balign	4
gp_count:	.long	0
gp_error:	.long	0
n_gp0:	.asciz	"RDPMC counter 0: #GP"
n_err0:	.asciz	"RDPMC counter 0: error code 0"
n_regs0: .asciz	"RDPMC counter 0: EDX:EAX untouched"
n_gp1:	.asciz	"RDPMC counter 1: #GP"
n_err1:	.asciz	"RDPMC counter 1: error code 0"
n_regs1: .asciz	"RDPMC counter 1: EDX:EAX untouched"
n_gpf:	.asciz	"RDPMC fixed counter 0: #GP"
n_errf:	.asciz	"RDPMC fixed counter 0: error code 0"
n_regsf: .asciz	"RDPMC fixed counter 0: EDX:EAX untouched"
n_done:	.asciz	"failed checks: "
newline: .asciz	"\n"
