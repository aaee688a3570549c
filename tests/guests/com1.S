/* SPDX-License-Identifier: GPL-2.0 */
/*
 * com1: print a line through the first serial port the way a driver
 * does: before each byte, poll the line status register (0x3FD) until
 * "transmitter holding register empty" (bit 5) is set, then write the byte
 * to the transmitter holding register (0x3F8).  Each poll is an IN, so
 * the loop exits to the hypervisor on every turn.  Then HLT.
 */
	.code16
	.text
	.globl _start
_start:
	cld
	/* Interrupts off (IER) and 8 data bits (LCR): writes the tool ignores. */
	mov	$0x3f9, %dx
	xor	%al, %al
	out	%al, %dx
	mov	$0x3fb, %dx
	mov	$0x03, %al
	out	%al, %dx
	mov	$msg, %si
next:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %bl
	mov	$0x3fd, %dx
poll:
	in	%dx, %al
	test	$0x20, %al
	jz	poll
	mov	$0x3f8, %dx
	mov	%bl, %al
	out	%al, %dx
	jmp	next
done:
	hlt

msg:	.asciz	"Hello from COM1\n"
