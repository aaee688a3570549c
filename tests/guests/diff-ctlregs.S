/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-ctlregs: control registers and EFER read back after writing them,
 * in 64-bit mode.  Prints CR0, CR4 and EFER (MSR 0xC0000080, low half) as
 * the tool started the vCPU, then after:
 *   CR0 |= MP | AM (WP is set already); CR0.TS set, then CLTS
 *   CR4 |= PGE | OSFXSR | OSXMMEXCPT
 *   EFER |= SCE | NXE
 * each read back with MOV from CR / RDMSR (0x and 8 hex digits); then
 * CR8, CR4 and DR0 written from RSP and read back into RSP.
 * What a hypervisor keeps in the read shadows and guest/host masks, or
 * changes on the way, shows here.  Then HLT.
 */
	.code64
	.text
	.globl _start

	EFER = 0xc0000080

	.macro	show name
	mov	%eax, %ebx
	mov	$\name, %esi
	call	puts
	mov	%ebx, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	.endm

	.macro	efer
	mov	$EFER, %ecx
	rdmsr
	.endm

_start:
	mov	%cr0, %rax
	show	n_cr0
	mov	%cr4, %rax
	show	n_cr4
	efer
	show	n_efer

	mov	%cr0, %rax
	or	$(1 << 1) | (1 << 18), %eax	/* MP, AM */
	mov	%rax, %cr0
	mov	%cr0, %rax
	show	n_cr0_mp_am
	mov	%cr0, %rax			/* show clobbers %eax */
	or	$(1 << 3), %eax			/* TS */
	mov	%rax, %cr0
	mov	%cr0, %rax
	show	n_cr0_ts
	clts
	mov	%cr0, %rax
	show	n_cr0_clts

	mov	%cr4, %rax
	or	$(1 << 7) | (1 << 9) | (1 << 10), %eax	/* PGE, OSFXSR, OSXMMEXCPT */
	mov	%rax, %cr4
	mov	%cr4, %rax
	show	n_cr4_set

	efer
	or	$(1 << 0) | (1 << 11), %eax	/* SCE, NXE */
	wrmsr
	efer
	show	n_efer_set
	efer					/* show clobbers %edx */
	mov	%edx, %eax
	show	n_efer_high

	/*
	 * RSP as the operand of MOV to/from CR8, CR4 and DR0: the register
	 * a hypervisor holds in the VMCS, not with the others.  No stack
	 * use until RSP is back (RBP keeps it).
	 */
	mov	%rsp, %rbp
	mov	$7, %esp
	mov	%rsp, %cr8
	xor	%esp, %esp
	mov	%cr8, %rsp
	mov	%rsp, %rax
	mov	%rbp, %rsp
	show	n_cr8_rsp
	mov	%cr4, %rsp
	and	$~(1 << 7), %esp			/* PGE off */
	mov	%rsp, %cr4
	xor	%esp, %esp
	mov	%cr4, %rsp
	mov	%rsp, %rax
	mov	%rbp, %rsp
	show	n_cr4_rsp
	mov	$0x1234000, %esp
	mov	%rsp, %dr0
	xor	%esp, %esp
	mov	%dr0, %rsp
	mov	%rsp, %rax
	mov	%rbp, %rsp
	show	n_dr0_rsp

	mov	$n_done, %esi
	call	puts
	hlt

	.include "console32.inc"

n_cr0:		.asciz	"CR0 at start: "
n_cr4:		.asciz	"CR4 at start: "
n_efer:		.asciz	"EFER at start: "
n_cr0_mp_am:	.asciz	"CR0 | MP | AM: "
n_cr0_ts:	.asciz	"CR0 | TS: "
n_cr0_clts:	.asciz	"CR0 after CLTS: "
n_cr4_set:	.asciz	"CR4 | PGE | OSFXSR | OSXMMEXCPT: "
n_efer_set:	.asciz	"EFER | SCE | NXE: "
n_efer_high:	.asciz	"EFER high half: "
n_cr8_rsp:	.asciz	"CR8 = 7 through RSP, read into RSP: "
n_cr4_rsp:	.asciz	"CR4 without PGE through RSP, read into RSP: "
n_dr0_rsp:	.asciz	"DR0 = 0x1234000 through RSP, read into RSP: "
n_done:		.asciz	"diff-ctlregs: done\n"
newline:	.asciz	"\n"
