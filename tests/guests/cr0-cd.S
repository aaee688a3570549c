/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr0-cd: MOV to CR0 with CD and NW set (caching off, SDM Vol. 3A, "CR0"
 * and "Cache Control Registers and Bits"), then CR0 read back: the guest
 * sees its own CD and NW.  Real mode; ends with HLT, CD and NW still set,
 * EBX = CR0's CD and NW as read back (0x60000000): its manifest, on both
 * devices.  tests/machine/tests/cr0-cache.sh runs it with --vmcs: the CR0
 * the hardware runs the guest with keeps caching on, so that the guest
 * never accesses host RAM with another memory type than the host's WB
 * (EPT and its memory type: ept/ept_table.c).
 */
	.code16
	.text
	.globl _start

	CR0_CD_NW = 0x60000000

_start:
	mov	%cr0, %eax
	or	$CR0_CD_NW, %eax
	mov	%eax, %cr0
	movl	$0x12345678, data	/* memory still works */
	mov	data, %ecx
	mov	%cr0, %ebx
	and	$CR0_CD_NW, %ebx
	hlt

	.balign	4
data:	.long	0
