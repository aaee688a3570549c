/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loop: print a line, then spin in `jmp .` at 0x1100 forever: no exit
 * of its own, ever.  Only the VMM can end it, and must, when a signal
 * reaches the tool: KVM_RUN returns with KVM_EXIT_INTR (-EINTR) and the
 * tool stops the run.  A hypervisor that re-enters the guest after every
 * host interrupt without looking at pending signals hangs here.
 */
	.include "macros.inc"

	real_mode_start msg
	jmp	spin

	.include "console.inc"

msg:	.asciz	"spinning in jmp . until a signal\n"

	.org	0x100			/* spin at 0x1100: the manifest's RIP */
spin:
	jmp	spin
