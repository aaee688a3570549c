/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid: execute CPUID leaf 0 and print the vendor string (EBX, EDX, ECX)
 * through port 0xE9.  If the answer is all zeros (KVM's answer when the
 * VMM set no CPUID table), say so instead of printing NUL bytes.  Then HLT.
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
	jnz	print
	mov	$msg_zeros, %si
print:
	call	puts
	hlt

	.include "console.inc"

msg_vendor:
	.ascii	"vendor: "
vendor:
	.ascii	"????????????"
	.asciz	"\n"
msg_zeros:
	.asciz	"vendor: none (CPUID leaf 0 answered zeros)\n"
