/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid: what CPUID tells a guest, in lines that are the same on every
 * KVM-API device of the same host (no family, model or feature words,
 * which a device may trim):
 *   leaf 0:           the vendor string (EBX, EDX, ECX), or that the
 *                     answer was zeros (KVM's answer when the VMM set no
 *                     CPUID table)
 *   leaf 1, ECX[31]:  the hypervisor bit, which a VMM sets so that a
 *                     guest knows it runs under one
 *   leaf 0x40000000:  whether the hypervisor's leaves are there (EAX, the
 *                     highest of them, at least 0x40000000); their
 *                     signature differs between devices, so not printed
 * Then HLT.
 */
	.code16
	.text
	.globl _start
_start:
	xor	%eax, %eax
	cpuid
	mov	%ebx, vendor
	mov	%edx, vendor + 4
	mov	%ecx, vendor + 8
	mov	$msg_vendor, %si
	test	%ebx, %ebx
	jnz	1f
	mov	$msg_zeros, %si
1:	call	puts

	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
	mov	$msg_hv1, %si
	bt	$31, %ecx
	jc	2f
	mov	$msg_hv0, %si
2:	call	puts

	mov	$0x40000000, %eax
	xor	%ecx, %ecx
	cpuid
	mov	$msg_leaves_yes, %si
	cmp	$0x40000000, %eax
	jae	3f
	mov	$msg_leaves_no, %si
3:	call	puts
	hlt

	.include "console.inc"

msg_vendor:
	.ascii	"vendor: "
vendor:
	.ascii	"????????????"
	.asciz	"\n"
msg_zeros:
	.asciz	"vendor: none (CPUID leaf 0 answered zeros)\n"
msg_hv1:
	.asciz	"hypervisor bit (CPUID.1:ECX[31]): 1\n"
msg_hv0:
	.asciz	"hypervisor bit (CPUID.1:ECX[31]): 0\n"
msg_leaves_yes:
	.asciz	"hypervisor leaves (CPUID.0x40000000:EAX >= 0x40000000): yes\n"
msg_leaves_no:
	.asciz	"hypervisor leaves (CPUID.0x40000000:EAX >= 0x40000000): no\n"
