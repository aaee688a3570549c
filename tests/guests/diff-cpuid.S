/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-cpuid: CPUID with one table on both devices (`vmxlab run
 * --cpuid-file diff-cpuid.cpuid`), and the bits of it that a real CPU
 * changes with the state software sets (SDM Vol. 2A, "CPUID--CPU
 * Identification", Table 3-8 and the feature tables after it):
 *   CPUID.01H:ECX.OSXSAVE[27]   = CR4.OSXSAVE
 *   CPUID.(07H,0):ECX.OSPKE[4]  = CR4.PKE (the table offers PKU)
 *   CPUID.(0DH,0):EBX           = XSAVE area size for the features in XCR0
 *   CPUID.(0DH,1):EBX           = the same in the compacted format
 *                                 (XCR0 | IA32_XSS; the table offers XSAVEC)
 *   CPUID.01H:EDX.APIC[9]       = IA32_APIC_BASE[11] (SDM Vol. 3A, "Enabling
 *                                 or Disabling the Local APIC")
 * The table sets OSXSAVE, OSPKE and a 0DH.0 EBX for all of XCR0 on
 * purpose, and 0DH.1 EBX 0: a device that copies the table instead of
 * reflecting the state shows it.
 *
 * Printed: leaves 0, 1, 7.0, 0xD.0, 0xD.1 and 0x80000001 (the four
 * registers) at reset; leaf 1 after CR4.OSXSAVE = 1; 0xD.0 and 0xD.1 after
 * XSETBV of x87|SSE|AVX; IA32_APIC_BASE; leaf 1 with the APIC disabled;
 * every leaf again once the APIC is enabled again.  CR4.PKE stays 0: the
 * emulated Haswell has no PKU, and neither device can give it.
 */
	.code32
	.text
	.globl _start

	.macro	leaf l, s, name
	mov	$\name, %esi
	mov	$\l, %eax
	mov	$\s, %ecx
	call	show_leaf
	.endm

	.macro	say text
	mov	$\text, %esi
	call	puts
	.endm

	CR4_OSXSAVE = 1 << 18
	MSR_APIC_BASE = 0x1b
	APIC_ENABLE = 1 << 11

_start:
	say	n_reset
	call	all_leaves

	mov	%cr4, %eax
	or	$CR4_OSXSAVE, %eax
	mov	%eax, %cr4
	say	n_osxsave
	leaf	1, 0, n_1

	xor	%ecx, %ecx
	xor	%edx, %edx
	mov	$7, %eax		/* x87 | SSE | AVX */
	xsetbv
	say	n_xcr0
	leaf	0xd, 0, n_d0
	leaf	0xd, 1, n_d1

	mov	$MSR_APIC_BASE, %ecx
	rdmsr
	mov	%eax, apic_lo
	mov	%edx, apic_hi
	say	n_apic
	mov	apic_hi, %eax
	call	puthex
	say	space
	mov	apic_lo, %eax
	call	puthex
	say	newline

	mov	$MSR_APIC_BASE, %ecx
	mov	apic_lo, %eax
	and	$~APIC_ENABLE, %eax
	mov	apic_hi, %edx
	wrmsr
	say	n_apic_off
	leaf	1, 0, n_1

	mov	$MSR_APIC_BASE, %ecx
	mov	apic_lo, %eax
	mov	apic_hi, %edx
	wrmsr
	say	n_end
	call	all_leaves
	hlt

all_leaves:
	leaf	0, 0, n_0
	leaf	1, 0, n_1
	leaf	7, 0, n_7
	leaf	0xd, 0, n_d0
	leaf	0xd, 1, n_d1
	leaf	0x80000001, 0, n_e1
	ret

/* show_leaf: "NAME 0xEAX 0xEBX 0xECX 0xEDX\n" for CPUID EAX, ECX; NAME at %esi. */
show_leaf:
	cpuid
	mov	%eax, regs
	mov	%ebx, regs + 4
	mov	%ecx, regs + 8
	mov	%edx, regs + 12
	call	puts
	mov	$regs, %ebx
1:	say	space
	mov	(%ebx), %eax
	call	puthex
	add	$4, %ebx
	cmp	$regs + 16, %ebx
	jne	1b
	say	newline
	ret

	.include "console32.inc"

	.balign	4
regs:	.long	0, 0, 0, 0
apic_lo: .long	0
apic_hi: .long	0

n_reset:	.asciz	"reset:\n"
n_osxsave:	.asciz	"cr4.osxsave=1:\n"
n_xcr0:		.asciz	"xcr0=7:\n"
n_apic:		.asciz	"ia32_apic_base: "
n_apic_off:	.asciz	"apic disabled:\n"
n_end:		.asciz	"apic enabled again:\n"
n_0:		.asciz	"  0x0.0:"
n_1:		.asciz	"  0x1.0:"
n_7:		.asciz	"  0x7.0:"
n_d0:		.asciz	"  0xd.0:"
n_d1:		.asciz	"  0xd.1:"
n_e1:		.asciz	"  0x80000001.0:"
space:		.asciz	" "
newline:	.asciz	"\n"
