/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypercall: the guest side of vmxlab's hypercall interface (VMCALL with
 * EAX = "vmxl", include/vmxlab/uapi.h).  vmxlab only, so it has no
 * manifest: tests/machine/tests/hypercall.sh runs and judges it.
 * Prints, one line each:
 *   version V            VMXLAB_HC_VERSION
 *   cpuid exits D        VMXLAB_HC_EXIT_COUNT(CPUID) after five CPUIDs,
 *                        minus the same count before them: 5
 *   unknown function E   "ok" if an unknown function answers all ones
 * then HLT.
 */
	.code16
	.text
	.globl _start

	.equ	HC_MAGIC, 0x766d786c
	.equ	EXIT_CPUID, 10

.macro hypercall function, arg
	mov	$HC_MAGIC, %eax
	mov	$\function, %ebx
	mov	$\arg, %ecx
	vmcall
.endm

_start:
	hypercall 0, 0
	mov	%eax, %edi
	mov	$msg_version, %si
	call	puts
	mov	%edi, %eax
	call	put_digit

	hypercall 1, EXIT_CPUID
	mov	%eax, %edi
	mov	$5, %bp
1:	xor	%eax, %eax
	cpuid
	dec	%bp
	jnz	1b
	hypercall 1, EXIT_CPUID
	sub	%edi, %eax
	mov	%eax, %edi
	mov	$msg_cpuid, %si
	call	puts
	mov	%edi, %eax
	call	put_digit

	hypercall 99, 0
	mov	$msg_unknown_ok, %si
	cmp	$0xffffffff, %eax
	je	2f
	mov	$msg_unknown_bad, %si
2:	call	puts
	hlt

/* One decimal digit of %al (0-9, else '?'), then a newline. */
put_digit:
	cmp	$9, %eax
	jbe	1f
	mov	$('?' - '0'), %al
1:	add	$'0', %al
	out	%al, $0xe9
	mov	$'\n', %al
	out	%al, $0xe9
	ret

	.include "console.inc"

msg_version:	.asciz	"version "
msg_cpuid:	.asciz	"cpuid exits "
msg_unknown_ok:	.asciz	"unknown function ok\n"
msg_unknown_bad: .asciz	"unknown function BAD\n"
