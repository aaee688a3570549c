/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello: print a line through port 0xE9 (the debug console port), one
 * OUT per byte, then HLT.
 */
	.code16
	.text
	.globl _start
_start:
	cld
	mov	$msg, %si
next:
	lodsb
	test	%al, %al
	jz	done
	out	%al, $0xe9
	jmp	next
done:
	hlt

msg:	.asciz	"Hello from real mode\n"
