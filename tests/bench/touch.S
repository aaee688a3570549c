/* SPDX-License-Identifier: GPL-2.0 */
/*
 * touch: write one byte in every 4 KiB page of guest memory, so that the
 * hypervisor has to map all of it in EPT; bench-client counts the memory
 * the kernel allocated meanwhile.  Loaded at 0x1000 in 16-bit real mode,
 * with the memory size in EBX and memory at 0-0x9FFFF and 0x100000-EBX
 * (0xA0000-0xFFFFF is a hole).  It enters 32-bit protected mode (flat
 * segments, no paging) to reach above 1 MiB, then:
 *   OUT 0x80   ready: the code page and the GDT are mapped
 *   (writes one byte at offset 0xFFC of every page)
 *   OUT 0x80   done
 *   OUT 0xF4   the end (AL = 0)
 */
	.code16
	.text
	.globl _start
_start:
	cli
	lgdtl	gdt_desc
	mov	%cr0, %eax
	or	$1, %al				/* CR0.PE */
	mov	%eax, %cr0
	ljmpl	$0x08, $protected

	.code32
protected:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	out	%al, $0x80			/* ready */
	mov	$0xffc, %edi
1:	movb	$1, (%edi)
	add	$0x1000, %edi
	cmp	$0xa0ffc, %edi			/* the hole: go on at 1 MiB */
	jne	2f
	mov	$0x100ffc, %edi
2:	cmp	%ebx, %edi
	jb	1b
	out	%al, $0x80			/* done */
	xor	%al, %al
	out	%al, $0xf4
	hlt

	.p2align 3
gdt:	.quad	0
	.quad	0x00cf9b000000ffff		/* 0x08: code, flat, 32-bit */
	.quad	0x00cf93000000ffff		/* 0x10: data, flat, 32-bit */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
