/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr4-mce: started by `vmxlab run --mode protected`, reads CR4 into EBX
 * and halts.  The tool starts protected mode with CR4 = 0, so the guest
 * must read 0: in particular CR4.MCE (bit 6) clear, even though vmxlab
 * runs it with the host's CR4.MCE set in the hardware CR4 so that a
 * machine check stays the host's (host-hangs.sh reads both in the VMCS).
 */
	.code32
	.text
	.globl _start
_start:
	mov	%cr4, %ebx
	hlt
