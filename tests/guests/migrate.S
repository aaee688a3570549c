/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate: a long computation with an exit now and then, for `--migrate`
 * (the tool moves the vCPU's thread to another CPU every 20 ms while it
 * runs), in 32-bit protected mode.  1024 rounds of 1024 xorshift32 steps
 * folded into a checksum; after each round, OUT of the state to the
 * scratch port 0x510 and IN of it back into the checksum.  A VMM that
 * loses or mixes up guest registers or memory when the vCPU changes CPU
 * (a VMCS used on two CPUs, a stale VMCS pointer, a lost VMCLEAR) prints
 * another checksum or dies.  Prints the checksum, HLTs with it in EDI.
 */
	.code32
	.text
	.globl _start

	ROUNDS = 1024
	STEPS = 1024
	SCRATCH = 0x510

_start:
	mov	$1, %eax		/* the xorshift32 state */
	xor	%edi, %edi		/* the checksum */
	mov	$ROUNDS, %ebp
	mov	$SCRATCH, %dx
round:
	mov	$STEPS, %ecx
step:
	mov	%eax, %ebx
	shl	$13, %ebx
	xor	%ebx, %eax
	mov	%eax, %ebx
	shr	$17, %ebx
	xor	%ebx, %eax
	mov	%eax, %ebx
	shl	$5, %ebx
	xor	%ebx, %eax
	add	%eax, %edi
	rol	$1, %edi
	dec	%ecx
	jnz	step
	mov	%eax, %ebx
	out	%eax, %dx
	xor	%eax, %eax
	in	%dx, %eax
	add	%eax, %edi
	mov	%ebx, %eax
	dec	%ebp
	jnz	round

	mov	$msg, %esi
	call	puts
	mov	%edi, %eax
	call	puthex
	mov	$msg_end, %esi
	call	puts
	hlt

	.include "console32.inc"

msg:	.asciz	"migrate: checksum "
msg_end:
	.asciz	" after 1048576 steps and 1024 port exits\n"
