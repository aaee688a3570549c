/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watch-write: two writes to a page under an EPT write watch
 * (`vmxlab run --watch 0x3000:w:...`), then reads of it, which the watch
 * allows.  The writes sit at fixed addresses, so that a test can tell
 * which instruction each hit names:
 *   0x1010  movw $0x1234, 0x3000   write 1
 *   0x1020  movw $0x5678, 0x3002   write 2: hits again after write 1 was
 *                                  allowed once
 * With :once both writes land: DX = 0x1234, BX = 0x5678 and the guest
 * says so; with :block write 1 never completes.
 */
	.code16
	.text
	.globl _start
_start:
	jmp	write1
	.org	0x10, 0x90
write1:	movw	$0x1234, watched
	.org	0x20, 0x90
write2:	movw	$0x5678, watched + 2
	mov	watched, %dx
	mov	watched + 2, %bx
	mov	$lost, %si
	cmp	$0x1234, %dx
	jne	1f
	cmp	$0x5678, %bx
	jne	1f
	mov	$arrived, %si
1:	call	puts
	hlt

	.include "console.inc"

arrived: .asciz	"both writes arrived\n"
lost:	.asciz	"a write was lost\n"

	/* The watched page: guest-physical 0x3000 (loaded at 0x1000 + 0x2000). */
	.org	0x2000
watched:
	.word	0, 0
