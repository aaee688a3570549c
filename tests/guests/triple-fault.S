/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple-fault: load an empty interrupt table (limit 0) and execute INT3.
 * Vector 3 lies outside the table, so delivering it raises #GP; #GP lies
 * outside it too, which makes a double fault, and delivering that fails
 * as well: a triple fault, the shutdown the hypervisor must report.
 */
	.include "macros.inc"

	real_mode_start msg
	lidt	empty_idt
	int3
	/* Not reached. */
	hlt

	.include "console.inc"

empty_idt:
	.word	0		/* limit */
	.long	0		/* base */
msg:	.asciz	"int3 with an empty IDT\n"
