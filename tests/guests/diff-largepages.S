/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-largepages: long-mode paging with large pages the guest builds
 * itself, then touches.  Its own PML4 at 0x8000 keeps the tool's entry 0
 * (the first 4 GiB, identity) and adds:
 *   0x100_00A0_0000  a 2 MiB page onto guest-physical 0 (RAM)
 *   0x100_00C0_0000  a 2 MiB page onto 0xD0000000 (the MMIO bank)
 *   0x100_00E0_0000  a 2 MiB page onto 0x200000 (no memory: reads ones)
 *   0x80_0000_0000   a 1 GiB page onto 0 (when CPUID.80000001:EDX[26])
 *   0x80_C000_0000   a 1 GiB page onto 0xC0000000 (MMIO at +0x1000_0000)
 * Each line prints a value read back (0x and 8 hex digits), and the
 * accessed and dirty bits (6:5) of the large-page entries after the
 * touches: the CPU's page walk sets them for RAM, and for MMIO whoever
 * emulates the access (the translation happened before the EPT exit).
 * Then HLT.
 */
	.code64
	.text
	.globl _start
	.include "macros.inc"

	PML4 = 0x8000
	PDPT_A = 0x9000			/* PML4[1]: 0x80_0000_0000 */
	PDPT_B = 0xa000			/* PML4[2]: 0x100_0000_0000 */
	PD = 0xb000			/* PDPT_B[0] */
	LARGE = 0x83			/* present, writable, PS */

	.macro	show name
	mov	$\name, %esi
	call	puts
	mov	%ebx, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	.endm

_start:
	mov	$0x80000001, %eax
	cpuid
	shr	$26, %edx
	and	$1, %edx
	mov	%edx, %ebp		/* 1 GiB pages */

	mov	$PML4, %edi
	xor	%eax, %eax
	mov	$0x1000, %ecx
	rep stosl
	mov	%cr3, %rax
	mov	(%rax), %rdx
	mov	%rdx, PML4		/* the tool's first 512 GiB */
	movq	$PDPT_A | 3, PML4 + 8
	movq	$PDPT_B | 3, PML4 + 16
	movq	$PD | 3, PDPT_B
	movq	$0x000000 | LARGE, PD + 5 * 8
	mov	$0xd0000000 | LARGE, %eax	/* zero-extended */
	mov	%rax, PD + 6 * 8
	movq	$0x200000 | LARGE, PD + 7 * 8
	test	%ebp, %ebp
	jz	1f
	movq	$0 | LARGE, PDPT_A
	mov	$0xc0000000 | LARGE, %eax
	mov	%rax, PDPT_A + 3 * 8
1:	mov	$PML4, %eax
	mov	%rax, %cr3

	/* 2 MiB onto RAM. */
	movabs	$0x10000a06000, %rdi
	movl	$0x2a2a0002, (%rdi)
	mov	0x6000, %ebx
	show	n_2m_ram
	mov	PD + 5 * 8, %ebx
	and	$0x60, %ebx
	show	n_2m_ram_ad

	/* 2 MiB onto MMIO: a load first (A), then a store (D). */
	movabs	$0x10000c00010, %rdi
	mov	(%rdi), %ebx
	mov	PD + 6 * 8, %ebx
	and	$0x60, %ebx
	show	n_2m_mmio_a
	movl	$0xfeed0002, (%rdi)
	mov	(%rdi), %ebx
	show	n_2m_mmio
	mov	PD + 6 * 8, %ebx
	and	$0x60, %ebx
	show	n_2m_mmio_ad

	/* 2 MiB onto no memory. */
	movabs	$0x10000e00040, %rdi
	mov	(%rdi), %ebx
	show	n_2m_none

	test	%ebp, %ebp
	jz	no_1g
	/* 1 GiB onto RAM. */
	movabs	$0x8000007000, %rdi
	movl	$0x2a2a0001, (%rdi)
	mov	0x7000, %ebx
	show	n_1g_ram
	mov	PDPT_A, %ebx
	and	$0x60, %ebx
	show	n_1g_ram_ad
	/* 1 GiB onto MMIO, 8 bytes. */
	movabs	$0x80d0000020, %rdi
	movabs	$0x1122334455667788, %rax
	mov	%rax, (%rdi)
	mov	4(%rdi), %ebx
	show	n_1g_mmio
	mov	PDPT_A + 3 * 8, %ebx
	and	$0x60, %ebx
	show	n_1g_mmio_ad
	jmp	done
no_1g:
	mov	$n_no_1g, %esi
	call	puts
done:
	mov	$n_done, %esi
	call	puts
	hlt

	.include "console32.inc"

n_2m_ram:	.asciz	"2 MiB page onto RAM: "
n_2m_ram_ad:	.asciz	"its A/D bits: "
n_2m_mmio_a:	.asciz	"2 MiB page onto MMIO, after a load, A/D bits: "
n_2m_mmio:	.asciz	"2 MiB page onto MMIO: "
n_2m_mmio_ad:	.asciz	"after a store, A/D bits: "
n_2m_none:	.asciz	"2 MiB page onto no memory: "
n_1g_ram:	.asciz	"1 GiB page onto RAM: "
n_1g_ram_ad:	.asciz	"its A/D bits: "
n_1g_mmio:	.asciz	"1 GiB page onto MMIO, high half of 8 bytes: "
n_1g_mmio_ad:	.asciz	"its A/D bits: "
n_no_1g:	.asciz	"no 1 GiB pages (CPUID.80000001:EDX[26] = 0)\n"
n_done:		.asciz	"diff-largepages: done\n"
newline:	.asciz	"\n"
