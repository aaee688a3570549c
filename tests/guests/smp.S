/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smp: two vCPUs at once (`--vcpus 2`), in 32-bit protected mode, the
 * same code from 0x1000 with the vCPU id in EBX.  Each takes a stack of
 * its own, says it is there, waits until the other is there too (a
 * barrier, so that both count at the same time), then adds 1 to a shared
 * counter N times with LOCK-prefixed instructions (vCPU 0 LOCK XADD,
 * vCPU 1 LOCK INC).  vCPU 1 then HLTs; vCPU 0 waits for the total, prints
 * it and HLTs.  A VMM that runs the vCPUs one after the other hangs at
 * the barrier; one that loses a LOCK's atomicity (or a vCPU's memory
 * view) prints a smaller total.  Every wait loop does an IN from the
 * scratch port 0x510 per turn, so it exits now and then.
 */
	.code32
	.text
	.globl _start

	N = 100000
	SCRATCH = 0x510

_start:
	mov	%ebx, %eax		/* vCPU n: stack below 0x1000 - n * 1 KiB */
	shl	$10, %eax
	mov	$0x1000, %esp
	sub	%eax, %esp
	mov	$SCRATCH, %dx
	cmp	$1, %ebx
	je	cpu1
	jb	cpu0
	hlt				/* a third vCPU: not expected */

cpu0:
	movl	$1, here0
1:	cmpl	$0, here1
	jne	2f
	pause
	in	%dx, %al
	jmp	1b
2:	mov	$N, %ecx
3:	mov	$1, %eax
	lock xadd %eax, counter
	dec	%ecx
	jnz	3b
4:	cmpl	$2 * N, counter
	je	5f
	pause
	in	%dx, %al
	jmp	4b
5:	mov	$msg_id, %esi
	call	puts
	mov	id1, %eax
	call	putdec
	mov	$msg_total, %esi
	call	puts
	mov	counter, %eax
	call	putdec
	mov	$msg_end, %esi
	call	puts
	hlt

cpu1:
	mov	%ebx, id1
	movl	$1, here1
1:	cmpl	$0, here0
	jne	2f
	pause
	in	%dx, %al
	jmp	1b
2:	mov	$N, %ecx
3:	lock incl counter
	dec	%ecx
	jnz	3b
	hlt

	.include "console32.inc"

msg_id:	.asciz	"smp: the second vCPU has id "
msg_total:
	.asciz	"\nsmp: counter "
msg_end:
	.asciz	" (2 vCPUs x 100000 locked increments)\n"

	.balign	64
counter:
	.long	0
	.balign	64
here0:	.long	0
here1:	.long	0
id1:	.long	0xffffffff
