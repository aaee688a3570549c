/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid-loop: CPUID forever with interrupts off (IF = 0, as a real-mode
 * guest starts).  Every iteration is an exit the hypervisor answers in
 * the kernel, so the guest never waits in user space: only the
 * hypervisor's own bound on in-kernel exits (or a host interrupt that
 * exits, which Bochs does not deliver while IF = 0) lets host interrupts
 * and the signal that ends the run in.
 */
	.code16
	.text
	.globl _start
_start:
	cli
	mov	$msg, %si
	call	puts
	jmp	spin
	.org	0x40			/* the loop at 0x1040: the manifest's RIP */
spin:
	xor	%eax, %eax
	cpuid
	jmp	spin

	.include "console.inc"

msg:	.asciz	"CPUID with interrupts off until a signal\n"
