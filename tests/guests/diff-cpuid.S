/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-cpuid: CPUID leaves 0, 1, 7.0, 0xD.0, 0xD.1 and 0x80000001 with the
 * table `vmxlab run` sets (each device's own KVM_GET_SUPPORTED_CPUID, so
 * the tables may differ where the devices support different things).
 * For each leaf:
 *   - the four raw registers go to port 0x510 (EAX, EBX, ECX, EDX; one
 *     4-byte OUT each, each at an address of its own): the differential
 *     test sees them in the exit records, and tests/machine/differences.txt
 *     lists those that differ on purpose, by that address;
 *   - a line with the registers masked to bits both devices must agree
 *     on, since both pass the host's value through: the vendor; family,
 *     model, stepping and CLFLUSH size; SSE to SSE4.2, PCLMULQDQ, CX16,
 *     MOVBE, POPCNT, AES; FPU, TSC, PAE, CX8, CMOV, PAT, CLFSH, MMX, FXSR,
 *     SSE, SSE2; FSGSBASE, BMI1, SMEP, BMI2, ERMS; x87 and SSE state in
 *     XCR0, XSAVEOPT; LAHF, LZCNT, PREFETCHW, SYSCALL, NX, 1 GiB pages,
 *     RDTSCP, long mode.
 * Then HLT.
 */
	.code32
	.text
	.globl _start

	.macro	leaf l, s, name, ma, mb, mc, md
	mov	$\l, %eax
	mov	$\s, %ecx
	cpuid
	mov	%eax, r_a
	mov	%ebx, r_b
	mov	%ecx, r_c
	mov	%edx, r_d
	mov	$0x510, %dx
	mov	r_a, %eax
	out	%eax, %dx
	mov	r_b, %eax
	out	%eax, %dx
	mov	r_c, %eax
	out	%eax, %dx
	mov	r_d, %eax
	out	%eax, %dx
	mov	$\name, %esi
	call	puts
	mov	$\ma, %eax
	and	r_a, %eax
	call	putsp
	mov	$\mb, %eax
	and	r_b, %eax
	call	putsp
	mov	$\mc, %eax
	and	r_c, %eax
	call	putsp
	mov	$\md, %eax
	and	r_d, %eax
	call	putsp
	mov	$newline, %esi
	call	puts
	.endm

_start:
	leaf	0, 0, n_0, 0, 0xffffffff, 0xffffffff, 0xffffffff
	leaf	1, 0, n_1, 0xffffffff, 0x0000ff00, 0x02d82203, 0x07898151
	leaf	7, 0, n_7, 0, 0x389, 0, 0
	leaf	0xd, 0, n_d0, 3, 0, 0, 0
	leaf	0xd, 1, n_d1, 1, 0, 0, 0
	leaf	0x80000001, 0, n_e1, 0, 0, 0x121, 0x2c100800
	mov	$n_done, %esi
	call	puts
	hlt

/* putsp: a space, then %eax in hex. */
putsp:
	push	%eax
	mov	$' ', %al
	out	%al, $0xe9
	pop	%eax
	jmp	puthex

	.include "console32.inc"

	.balign	4
r_a:	.long	0
r_b:	.long	0
r_c:	.long	0
r_d:	.long	0
n_0:	.asciz	"leaf 0x0:"
n_1:	.asciz	"leaf 0x1:"
n_7:	.asciz	"leaf 0x7.0:"
n_d0:	.asciz	"leaf 0xd.0:"
n_d1:	.asciz	"leaf 0xd.1:"
n_e1:	.asciz	"leaf 0x80000001:"
n_done:	.asciz	"diff-cpuid: done\n"
newline:
	.asciz	"\n"
