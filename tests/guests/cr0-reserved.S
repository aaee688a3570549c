/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr0-reserved: a MOV to CR0 with a reserved bit of 31:0 set (bit 6) is
 * taken without #GP, and the bit reads back 0, as on KVM (SDM Vol. 3A,
 * "CR0": only bits 63:32 fault; vmxlab, like KVM, keeps the reserved bits
 * of 31:0 clear).  Real mode; ends with HLT, EBX = CR0 bit 6 as read back
 * (0), ECX = the other bits changed (0): its manifest, on both devices;
 * tests/machine/tests/host-safety.sh runs it too.
 */
	.code16
	.text
	.globl _start

	CR0_BIT6 = 0x40

_start:
	mov	%cr0, %eax
	mov	%eax, %edx
	or	$CR0_BIT6, %eax
	mov	%eax, %cr0
	mov	%cr0, %ebx
	mov	%ebx, %ecx
	and	$CR0_BIT6, %ebx
	xor	%edx, %ecx		/* bits that changed: none */
	hlt
