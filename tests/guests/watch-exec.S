/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watch-exec: calls into a page under an EPT execute watch
 * (`vmxlab run --watch 0x3000:x:...`).  The routine there is two
 * instructions, so each call fetches from the page twice:
 *   0x3000  inc %cx
 *   0x3001  ret
 * With :once every instruction is one hit (an allow-once lets exactly one
 * instruction run): two calls are four hits, and CX counts both calls.
 * Reading the page as data is no hit: the watch denies execution only.
 */
	.code16
	.text
	.globl _start
_start:
	xor	%cx, %cx
	call	routine
	call	routine
	mov	routine, %dx		/* a data read of the page: allowed */
	mov	$wrong, %si
	cmp	$2, %cx
	jne	1f
	cmp	$0xc341, %dx		/* the bytes of inc %cx; ret */
	jne	1f
	mov	$ok, %si
1:	mov	%cx, %bx
	call	puts
	hlt

	.include "console.inc"

ok:	.asciz	"routine ran twice\n"
wrong:	.asciz	"routine did not run twice\n"

	/* The watched page: guest-physical 0x3000 (loaded at 0x1000 + 0x2000). */
	.org	0x2000
routine:
	inc	%cx
	ret
