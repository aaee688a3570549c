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

	.include "macros.inc"

	XMM_REGS = 8
	sse_main %eax

msg_round1:
	.asciz	"sse round 1 (64 port exits, 8 CPUIDs): xmm0-xmm7, MXCSR: "
msg_round2:
	.asciz	"sse round 2 (64 port exits, 8 CPUIDs): xmm0-xmm7, MXCSR: "

	.include "sse-common.inc"
