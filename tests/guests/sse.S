/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sse: the guest's SSE registers (xmm0..xmm7) and MXCSR survive its
 * exits, in 32-bit protected mode: two rounds of load, exit many times,
 * compare (sse-common.inc says how).  The host half (the tool's own XMM
 * registers survive KVM_RUN) is another test's.  HLT, with the failed
 * rounds in EBX.
 */
	.code32
	.text
	.globl _start

	XMM_REGS = 8
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
	mov	%cr0, %eax
	and	$~0xc, %eax		/* EM (bit 2), TS (bit 3) */
	or	$0x2, %eax		/* MP (bit 1) */
	mov	%eax, %cr0
	mov	%cr4, %eax
	or	$0x600, %eax		/* OSFXSR (bit 9), OSXMMEXCPT (bit 10) */
	mov	%eax, %cr4
	ret

msg_round1:
	.asciz	"sse round 1 (64 port exits, 8 CPUIDs): xmm0-xmm7, MXCSR: "
msg_round2:
	.asciz	"sse round 2 (64 port exits, 8 CPUIDs): xmm0-xmm7, MXCSR: "

	.include "sse-common.inc"
