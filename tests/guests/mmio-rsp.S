/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmio-rsp: MMIO with RSP as the register operand, in 64-bit mode.  RSP
 * is the one general-purpose register the VMCS holds (GUEST_RSP), not
 * the VMM's register save area, so an MMIO store of RSP must send the
 * guest's RSP and an MMIO load into RSP must reach the guest's RSP
 * (SDM Vol. 3C, "Guest Register State").  Checked: `mov %rsp,(mmio)`
 * (8 bytes), `mov %esp,(mmio)` (4), `mov %sp,(mmio)` (2), `mov
 * (mmio),%rsp` (8) and `mov (mmio),%esp` (4, zero-extending into RSP);
 * each store is read back through RAX, each load copied out of RSP.  RSP
 * holds a value no other register holds during each access; the stack is
 * back in place before each report.  A summary line and HLT, failures in
 * EBX.
 */
	.code64
	.text
	.globl _start
	.include "macros.inc"

	BANK = 0xd0000000
	MARK = 0x0badc0ffee0dd00d

_start:
	mov	$BANK, %edi
	mov	%rsp, %r15		/* the real stack pointer */

	movabs	$MARK, %rsp
	mov	%rsp, (%rdi)		/* 8-byte MMIO store of RSP */
	mov	%r15, %rsp
	xor	%eax, %eax
	mov	(%rdi), %rax
	movabs	$MARK, %rdx
	cmp	%rdx, %rax
	check	n_store8

	movabs	$MARK, %rsp
	mov	%esp, 8(%rdi)		/* 4-byte MMIO store of ESP */
	mov	%r15, %rsp
	mov	$-1, %rax
	mov	8(%rdi), %eax
	mov	$(MARK & 0xffffffff), %edx
	cmp	%rdx, %rax
	check	n_store4

	movabs	$MARK, %rsp
	mov	%sp, 0x10(%rdi)		/* 2-byte MMIO store of SP */
	mov	%r15, %rsp
	xor	%eax, %eax
	mov	0x10(%rdi), %ax
	cmp	$(MARK & 0xffff), %rax
	check	n_store2

	movabs	$0x1122334455667788, %rax
	mov	%rax, 0x18(%rdi)
	xor	%eax, %eax
	mov	0x18(%rdi), %rsp	/* 8-byte MMIO load into RSP */
	mov	%rsp, %rax
	mov	%r15, %rsp
	movabs	$0x1122334455667788, %rdx
	cmp	%rdx, %rax
	check	n_load8

	movl	$0x99aabbcc, 0x20(%rdi)
	movabs	$MARK, %rsp
	mov	0x20(%rdi), %esp	/* 4-byte MMIO load into ESP: zero-extends */
	mov	%rsp, %rax
	mov	%r15, %rsp
	mov	$0x99aabbcc, %edx
	cmp	%rdx, %rax
	check	n_load4

	finish msg_done

	.include "console32.inc"

n_store8:
	.asciz	"mov %rsp to MMIO sends RSP"
n_store4:
	.asciz	"mov %esp to MMIO sends ESP"
n_store2:
	.asciz	"mov %sp to MMIO sends SP"
n_load8:
	.asciz	"mov from MMIO to %rsp sets RSP"
n_load4:
	.asciz	"mov from MMIO to %esp zero-extends into RSP"
msg_done:
	.asciz	"mmio-rsp: failures: "
newline:
	.asciz	"\n"
