/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sse-long: sse.S in 64-bit mode, where there are 16 XMM registers
 * (xmm8..xmm15 only reachable there).  HLT, with the failed rounds in EBX.
 */
	.code64
	.text
	.globl _start

	.include "macros.inc"

	XMM_REGS = 16
	sse_main %rax

msg_round1:
	.asciz	"sse round 1 (64 port exits, 8 CPUIDs): xmm0-xmm15, MXCSR: "
msg_round2:
	.asciz	"sse round 2 (64 port exits, 8 CPUIDs): xmm0-xmm15, MXCSR: "

	.include "sse-common.inc"
