/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello: print a line through port 0xE9 (the debug console port), one
 * OUT per byte, then HLT.
 */
	.code16
	.text
	.globl _start
_start:
	mov	$msg, %si
	call	puts
	hlt

	.include "console.inc"

msg:	.asciz	"Hello from real mode\n"
