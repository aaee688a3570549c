/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cr8: started by `vmxlab run --mode long` in 64-bit mode.  CR8 is the
 * task-priority register (SDM Vol. 3A, "Task Priority Register (TPR)";
 * Vol. 2, "MOV—Move to/from Control Registers"): read it (0 at reset,
 * the vCPU's own, never the host's), write 15 (the highest class: every
 * maskable interrupt blocked), read it back, HLT.
 *
 * On a hypervisor that lets MOV to CR8 reach the physical local APIC
 * (no CR8-load exiting, no TPR shadow), this leaves the host CPU that
 * ran the guest with TPR 15: its timer and every IPI blocked for good
 * after the VM is gone (tests/machine/tests/host-hangs.sh).
 */
	.code64
	.text
	.globl _start
_start:
	mov	%cr8, %rcx
	mov	$15, %eax
	mov	%rax, %cr8
	mov	%cr8, %rbx
	hlt
