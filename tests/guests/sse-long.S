/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sse-long: sse.S in 64-bit mode, where there are 16 XMM registers
 * (xmm8..xmm15 only reachable there).  HLT, with the failed rounds in EBX.
 */
	.code64
	.text
	.globl _start

	XMM_REGS = 16
_start:
	call	setup_sse
	mov	$pattern_a, %ebp
	mov	$msg_round1, %esi
	call	sse_round
	mov	$pattern_b, %ebp
	mov	$msg_round2, %esi
	call	sse_round
	mov	failures, %ebx
	hlt

/* setup_sse: CR0.MP on, EM and TS off; CR4.OSFXSR and OSXMMEXCPT on. */
setup_sse:
	mov	%cr0, %rax
	and	$~0xc, %rax		/* EM (bit 2), TS (bit 3) */
	or	$0x2, %rax		/* MP (bit 1) */
	mov	%rax, %cr0
	mov	%cr4, %rax
	or	$0x600, %rax		/* OSFXSR (bit 9), OSXMMEXCPT (bit 10) */
	mov	%rax, %cr4
	ret

msg_round1:
	.asciz	"sse round 1 (64 port exits, 8 CPUIDs): xmm0-xmm15, MXCSR: "
msg_round2:
	.asciz	"sse round 2 (64 port exits, 8 CPUIDs): xmm0-xmm15, MXCSR: "

	.include "sse-common.inc"
