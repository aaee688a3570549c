/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hypercall-user: a hypercall (VMCALL with EAX = "vmxl") from CPL 3 is
 * refused: RAX = -KVM_EPERM (-1), as KVM answers a hypercall from guest
 * user mode, since guest user space must not read vmxlab's exit counts
 * and timings (host TSC deltas).  Started by `vmxlab run --mode
 * protected`; with the GDT of ring3.inc it goes to CPL 3 with IOPL 3,
 * asks for function 0 (the version, which CPL 0 gets), puts the answer in
 * EBX and ends with a write of 0 to port 0xF4.  vmxlab only, so it has
 * no manifest: tests/machine/tests/host-safety.sh judges EBX.
 */
	.code32
	.text
	.globl _start

	RING3_STACK = 0x900
	HC_MAGIC = 0x766d786c
	EFLAGS_IOPL3 = 0x3000

_start:
	call	setup_ring3
	mov	$user, %eax
	mov	$RING3_STACK, %edx
	mov	$(EFLAGS_IOPL3 | 2), %ecx
	jmp	to_ring3

user:
	mov	$HC_MAGIC, %eax
	xor	%ebx, %ebx		/* function 0: the version */
	xor	%ecx, %ecx
	xor	%edx, %edx
	vmcall
	mov	%eax, %ebx
	xor	%eax, %eax
	out	%al, $0xf4		/* end, status 0 */
	ud2

	.include "ring3.inc"
