/* SPDX-License-Identifier: GPL-2.0 */
/*
 * first-out: the shortest guest.  Its first instruction is an OUT to port
 * 0x80, an exit to user space, so bench-client can time VM creation and
 * the first KVM_RUN of a fresh vCPU up to the guest's first instruction
 * (and its exit).  Then it writes 0 to port 0xF4 (the end).  16-bit real
 * mode, loaded at 0x1000.
 */
	.code16
	.text
	.globl _start
_start:
	out	%al, $0x80
	xor	%al, %al
	out	%al, $0xf4
	hlt
