/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx-ud: the guest executes VMX instructions, which a VMM that offers no
 * nested VMX must answer with #UD (invalid opcode), as a CPU without VMX
 * would.  In 32-bit protected mode with CR4.VMXE clear, with an interrupt
 * table of its own: each of the 32 exception vectors records its number
 * and resumes after the instruction that faulted (at `resume`, set before
 * each try), so one line per instruction says what happened: "#UD", "no
 * fault" or the vector.  (In real mode VMXON raises #UD in the CPU itself,
 * without an exit: the VMM would never see it.)
 * VMCALL is the exception on KVM: KVM takes it as its hypercall and
 * answers an unknown hypercall number with -KVM_ENOSYS (-1000) in EAX,
 * without a fault; the line then shows EAX.  HLT at the end.
 */
	.code32
	.text
	.globl _start

	NO_FAULT = 0xff
	VMX_REGION = 0x7000	/* 4 KiB-aligned guest memory, never touched */

/* try NAME, INSN...: execute INSN, print "NAME: " and what it raised. */
	.macro	try name, insn:vararg
	movl	$NO_FAULT, fault_vector
	movl	$97f, resume
	xor	%eax, %eax
	xor	%ebx, %ebx
	xor	%ecx, %ecx
	\insn
97:	mov	%eax, eax_after
	mov	$\name, %esi
	call	outcome
	.endm

_start:
	/* The IDT: 32 interrupt gates, selector CS, to stub0..stub31. */
	mov	%cs, %bx
	mov	$idt, %edi
	mov	$stubs, %esi
	mov	$32, %ecx
1:	lodsl
	mov	%ax, (%edi)		/* offset 15:0 */
	mov	%bx, 2(%edi)		/* selector */
	movw	$0x8e00, 4(%edi)	/* present, DPL 0, 32-bit interrupt gate */
	shr	$16, %eax
	mov	%ax, 6(%edi)		/* offset 31:16 */
	add	$8, %edi
	loop	1b
	lidt	idtr

	try	n_vmxon, vmxon vmx_pointer
	try	n_vmxoff, vmxoff
	try	n_vmclear, vmclear vmx_pointer
	try	n_vmptrld, vmptrld vmx_pointer
	try	n_vmptrst, vmptrst vmx_pointer
	try	n_vmread, vmread %eax, %ebx
	try	n_vmwrite, vmwrite %ebx, %eax
	try	n_vmlaunch, vmlaunch
	try	n_vmresume, vmresume
	try	n_invept, invept invalidation_desc, %ecx
	try	n_invvpid, invvpid invalidation_desc, %ecx
	try	n_vmcall, vmcall

	mov	$msg_done, %esi
	call	puts
	hlt

/* outcome: "NAME: #UD\n", "NAME: no fault (eax 0x...)\n" or "NAME: vector N\n". */
outcome:
	call	puts
	mov	fault_vector, %eax
	cmp	$6, %eax
	jne	1f
	mov	$msg_ud, %esi
	jmp	puts
1:	cmp	$NO_FAULT, %eax
	jne	2f
	mov	$msg_none, %esi
	call	puts
	mov	eax_after, %eax
	call	puthex
	mov	$msg_close, %esi
	jmp	puts
2:	mov	$msg_vector, %esi
	call	puts
	mov	fault_vector, %eax
	call	putdec
	mov	$newline, %esi
	jmp	puts

/*
 * Exception stubs: drop the error code of the vectors that push one (8,
 * 10..14, 17), record the vector, return to `resume`.
 */
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
stub\v:
	.if	(\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17)
	add	$4, %esp
	.endif
	movl	$\v, fault_vector
	jmp	to_resume
	.endr

/* The frame is EIP, CS, EFLAGS: return to `resume` instead. */
to_resume:
	push	%eax
	mov	resume, %eax
	mov	%eax, 4(%esp)
	pop	%eax
	iret

	.include "console32.inc"

stubs:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	stub\v
	.endr
	.balign	8
vmx_pointer:
	.quad	VMX_REGION
invalidation_desc:
	.quad	0, 0
idtr:
	.word	32 * 8 - 1
	.long	idt
	.balign	4
fault_vector:
	.long	NO_FAULT
resume:
	.long	0
eax_after:
	.long	0

n_vmxon:	.asciz	"vmxon"
n_vmxoff:	.asciz	"vmxoff"
n_vmclear:	.asciz	"vmclear"
n_vmptrld:	.asciz	"vmptrld"
n_vmptrst:	.asciz	"vmptrst"
n_vmread:	.asciz	"vmread"
n_vmwrite:	.asciz	"vmwrite"
n_vmlaunch:	.asciz	"vmlaunch"
n_vmresume:	.asciz	"vmresume"
n_invept:	.asciz	"invept"
n_invvpid:	.asciz	"invvpid"
n_vmcall:	.asciz	"vmcall"
msg_ud:		.asciz	": #UD\n"
msg_none:	.asciz	": no fault (eax "
msg_close:	.asciz	")\n"
msg_vector:	.asciz	": vector "
msg_done:	.asciz	"vmx-ud: done\n"
newline:	.asciz	"\n"

	.balign	8
idt:
	.space	32 * 8
