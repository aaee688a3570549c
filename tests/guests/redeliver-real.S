/* SPDX-License-Identifier: GPL-2.0 */
/*
 * redeliver-real: a #GP in real mode whose delivery is cut by a VM exit
 * and delivered again.  The fault's push is the guest's first touch of
 * its new stack page, which the hypervisor maps only then (an EPT
 * violation during event delivery, with the #GP in the IDT-vectoring
 * information: SDM Vol. 3C, "Information for VM Exits During Event
 * Delivery").  Real mode pushes FLAGS, CS and IP and no error code (Vol.
 * 3A, "Interrupt and Exception Handling in Real-Address Mode"), and VM
 * entry refuses to deliver one there ("Checks on VM-Entry Control
 * Fields": deliver-error-code must be 0 when CR0.PE = 0 with unrestricted
 * guest), whatever the exit reported.  The handler checks what the CPU
 * pushed.  Found by fuzz-guest: vmxlab passed Bochs' "error code valid"
 * on, and the entry failed.
 */
	.include "macros.inc"

	STACK_SEG = 0x2000	/* linear 0x20000: a page nothing touched yet */
	STACK_TOP = 0x1000

	real_mode_start msg_start
	movw	$gp_handler, 13 * 4
	movw	$0, 13 * 4 + 2
	mov	$STACK_SEG, %ax
	mov	%ax, %ss
	mov	$STACK_TOP, %sp
faulting:
	mov	0xffff, %ax	/* a word at DS:0xFFFF crosses the 64 KiB limit: #GP */
	mov	$msg_no_fault, %si
	call	puts
	hlt

gp_handler:
	mov	%sp, %bx
	cmp	$STACK_TOP - 6, %bx
	mov	$n_frame, %si
	call	rreport
	cmpw	$faulting, %ss:(%bx)
	mov	$n_ip, %si
	call	rreport
	mov	$msg_done, %si
	call	puts
	hlt

	.include "console.inc"
	.include "rreport.inc"

msg_start:	.asciz	"#GP in real mode, its delivery cut by a VM exit\n"
msg_no_fault:	.asciz	"no #GP: FAIL\n"
n_frame:	.asciz	"pushed FLAGS, CS and IP, no error code"
n_ip:		.asciz	"the IP pushed is the faulting instruction's"
msg_done:	.asciz	"done\n"
