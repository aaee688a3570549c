/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loop-sti: loop.S with interrupts enabled (STI before the `jmp .` at
 * 0x1100).  No interrupt ever reaches the guest (no interrupt controller),
 * so it spins forever, like loop; it exists because KVM in the Bochs
 * machine stops this one on a signal and not loop (see loop.manifest):
 * Bochs takes an external-interrupt VM exit only while the guest's
 * RFLAGS.IF is set, where the SDM says such exits ignore IF.  So the
 * signal path has a KVM reference here, and loop keeps the IF=0 case for
 * vmxlab.
 */
	.include "macros.inc"

	real_mode_start msg
	sti
	jmp	spin

	.include "console.inc"

msg:	.asciz	"spinning in jmp . until a signal\n"

	.org	0x100			/* spin at 0x1100: the manifest's RIP */
spin:
	jmp	spin
