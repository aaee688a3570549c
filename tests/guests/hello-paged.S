/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-paged: started by `vmxlab run --mode paged` in 32-bit protected
 * mode with paging: non-PAE page tables of 4 MiB pages (CR4.PSE) mapping
 * all 4 GiB to themselves.  Check CR0.PG, CR4.PSE and not CR4.PAE, then
 * read (never write: the tool's tables are not the guest's) each of the
 * 1024 entries of the page directory at CR3: entry N must be present with
 * PS set and map N << 22.  Print a line through port 0xE9, HLT.
 */
	.code32
	.text
	.globl _start
_start:
	mov	%cr0, %eax
	test	$0x80000000, %eax	/* CR0.PG */
	jz	wrong
	mov	%cr4, %eax
	and	$0x30, %eax		/* PAE (bit 5), PSE (bit 4) */
	cmp	$0x10, %eax
	jne	wrong

	mov	%cr3, %ebx
	and	$0xfffff000, %ebx
	xor	%edi, %edi		/* N << 22 */
1:	mov	(%ebx), %eax
	and	$0xffc00081, %eax	/* the 4 MiB frame, PS (bit 7), P (bit 0) */
	lea	0x81(%edi), %edx
	cmp	%edx, %eax
	jne	bad_pde
	add	$4, %ebx
	add	$0x400000, %edi
	jnz	1b

	mov	$msg, %esi
	call	puts
	hlt
wrong:
	mov	$msg_wrong, %esi
	call	puts
	mov	%cr0, %eax
	call	puthex
	mov	$msg_cr4, %esi
	call	puts
	mov	%cr4, %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	hlt
bad_pde:
	mov	$msg_pde, %esi
	call	puts
	mov	%edi, %eax
	call	puthex
	mov	$msg_is, %esi
	call	puts
	mov	(%ebx), %eax
	call	puthex
	mov	$newline, %esi
	call	puts
	hlt

	.include "console32.inc"

msg:	.asciz	"Hello from 32-bit paged mode\n"
msg_wrong:
	.asciz	"not in 32-bit paging with 4 MiB pages: cr0="
msg_cr4:
	.asciz	" cr4="
msg_pde:
	.asciz	"the page directory entry for linear "
msg_is:
	.asciz	" is "
newline:
	.asciz	"\n"
