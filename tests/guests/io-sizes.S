/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io-sizes: port I/O of 1, 2 and 4 bytes.  The tool keeps the last value
 * written to the scratch port 0x510 and answers reads of it with that
 * value's low bytes; a port nobody answers reads as all ones.  Each check
 * that fails sets a bit in BL; the guest ends with a debug exit (port
 * 0xF4) of 0x20 | BL, so 32 means every check passed.
 *   bit 0  OUT/IN of one byte    bit 3  IN of 1 byte after OUT of 4
 *   bit 1  OUT/IN of two bytes   bit 4  IN of 2 bytes from port 0x80: 0xffff
 *   bit 2  OUT/IN of four bytes
 */
	.code16
	.text
	.globl _start
_start:
	xor	%bx, %bx
	mov	$0x510, %dx

	mov	$0x5a, %al
	out	%al, %dx
	xor	%al, %al
	in	%dx, %al
	cmp	$0x5a, %al
	je	1f
	or	$0x01, %bl
1:
	mov	$0xbeef, %ax
	out	%ax, %dx
	xor	%ax, %ax
	in	%dx, %ax
	cmp	$0xbeef, %ax
	je	2f
	or	$0x02, %bl
2:
	mov	$0xcafef00d, %eax
	out	%eax, %dx
	xor	%eax, %eax
	in	%dx, %eax
	cmp	$0xcafef00d, %eax
	je	3f
	or	$0x04, %bl
3:
	mov	$0x11, %al
	in	%dx, %al
	cmp	$0x0d, %al
	je	4f
	or	$0x08, %bl
4:
	mov	$0x80, %dx
	xor	%ax, %ax
	in	%dx, %ax
	cmp	$0xffff, %ax
	je	5f
	or	$0x10, %bl
5:
	mov	$0x20, %al
	or	%bl, %al
	out	%al, $0xf4
	/* Not reached: the debug exit ends the run. */
	hlt
