/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diff-unreal: real-mode segment limits and "unreal" (big real) mode,
 * checked by the guest itself against the SDM; one line per check, "ok
 * NAME" or "FAIL NAME (read 0x...)".  Both devices run it natively
 * (unrestricted guest) but for the MMIO at the end, which each decodes
 * from 16-bit code with 32-bit addressing.
 *
 * Real mode as `vmxlab run` starts it: every segment at 0 with a 64 KiB
 * limit (the reset state, SDM Vol. 3A, "Processor State After Reset").
 * Offsets are 16 bits and wrap at 64 KiB, but an access that reaches past
 * the segment's limit (a word at 0xFFFF, a dword at 0xFFFD, a 32-bit
 * offset of 0x10000) raises #GP, which real mode delivers through vector
 * 13 of the IVT (Vol. 3A, "Real-Address Mode"; the Real-Address Mode
 * Exceptions of MOV in Vol. 2).  The handler counts it, records the
 * faulting IP (a fault: IP of the instruction) and resumes after it.
 * FFFF:0010 is linear 0x100000: nothing masks A20 under either device.
 *
 * Then protected mode (a 16-bit code segment), where FS gets a flat data
 * segment and GS one based at 0x180000, both with a 4 GiB limit, and back
 * to real mode without reloading them.  The segment registers keep the
 * base and limit loaded in protected mode until they are loaded again
 * (Vol. 3A, "Switching Back to Real-Address Mode": "if the segment
 * registers are not reloaded, execution continues using the descriptor
 * attributes loaded during protected mode"), so FS and GS reach all of
 * memory from real mode, with no #GP past 0xFFFF; DS, never reloaded,
 * keeps its 64 KiB limit.  A segment load in real mode sets the base to
 * selector * 16 (Vol. 3A, "Address Translation in Real-Address Mode");
 * what it does to the limit is not checked here.
 *
 * Needs --mem 2M (RAM up to 0x200000).  EBX at the HLT: the FAIL count.
 */
	.code16
	.text
	.globl _start

	GP_VECTOR = 13
	SEL_CODE16 = 0x08
	SEL_FLAT = 0x10
	SEL_HIGH = 0x18
	HIGH_BASE = 0x180000
	BANK = 0xd0000000

/*
 * probe INSN: run INSN, which may fault with #GP; afterwards gp_count
 * says how often it did and, if it did, gp_ip says where.
 */
	.macro	probe insn:vararg
	movw	$0, gp_count
	movw	$.Lend\@, resume
	movw	$.Lat\@, fault_at
.Lat\@:	\insn
.Lend\@:
	.endm

/* check NAME: report the compare just made; %eax: what was read. */
	.macro	check name
	mov	$\name, %si
	call	report
	.endm

/* faults N NAME: the last probe raised N #GPs, each at the probed instruction. */
	.macro	faults n, name
	movzwl	gp_count, %eax
	cmp	$\n, %eax
	jne	.Lbad\@
	.if	\n
	mov	gp_ip, %ax
	cmp	fault_at, %ax
	je	.Lbad\@
	movzwl	gp_ip, %eax
	or	$0x10000, %eax		/* "read 0x1IIII": IP IIII, count right */
	.endif
.Lbad\@:
	check	\name
	.endm

_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	lidt	ivt_ptr
	movw	$gp_handler, GP_VECTOR * 4
	movw	$0, GP_VECTOR * 4 + 2

	/* 16-bit offsets wrap: ES:(BX+SI) with BX+SI = 0x10010 is ES:0010. */
	mov	$0x700, %ax
	mov	%ax, %es
	movw	$0, %es:0x10
	mov	$0x1700, %ax
	mov	%ax, %es
	movw	$0, %es:0x10
	mov	$0x700, %ax
	mov	%ax, %es
	mov	$0xfff0, %bx
	mov	$0x20, %si
	movw	$0xa55a, %es:(%bx, %si)
	mov	$0x1700, %ax
	mov	%ax, %es
	movzwl	%es:0x10, %eax		/* linear 0x17010: untouched */
	shl	$16, %eax
	mov	0x7010, %ax		/* linear 0x7010: the store */
	cmp	$0x0000a55a, %eax
	check	n_wrap

	/* The 64 KiB limit of DS. */
	probe	mov 0xffff, %al
	faults	0, n_byte_ffff
	probe	mov 0xffff, %ax
	faults	1, n_word_ffff
	probe	mov 0xfffc, %eax
	faults	0, n_dword_fffc
	probe	mov 0xfffd, %eax
	faults	1, n_dword_fffd
	mov	$0x10000, %esi
	probe	addr32 mov (%esi), %al
	faults	1, n_addr32_10000

	/* FFFF:0010 is linear 0x100000, not 0x10 (no A20 wrap). */
	mov	0x10, %eax
	mov	%eax, saved_0x10
	mov	$0xffff, %ax
	mov	%ax, %es
	movl	$0xc0ffee11, %es:0x10
	mov	%es:0x10, %eax
	cmp	$0xc0ffee11, %eax
	check	n_hma_rw
	mov	0x10, %eax
	cmp	saved_0x10, %eax
	check	n_hma_no_wrap
	xor	%ax, %ax
	mov	%ax, %es

	/* Protected mode, FS and GS with 4 GiB limits, back to real mode. */
	lgdt	gdt_ptr
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmp	$SEL_CODE16, $1f
1:	mov	$SEL_FLAT, %ax
	mov	%ax, %fs
	mov	$SEL_HIGH, %ax
	mov	%ax, %gs
	mov	%cr0, %eax
	and	$~1, %eax
	mov	%eax, %cr0
	ljmp	$0, $2f
2:	mov	%cr0, %eax
	and	$1, %eax
	check	n_real_again

	/* FS: base 0, 4 GiB: what FFFF:0010 wrote is at FS:0x100000. */
	mov	$0x100000, %esi
	mov	%fs:(%esi), %eax
	cmp	$0xc0ffee11, %eax
	check	n_fs_hma
	/* A store near the top of RAM through FS, read back through FS and GS. */
	mov	$0x1ffff0, %esi
	movl	$0x5eed1234, %fs:(%esi)
	mov	%fs:(%esi), %eax
	cmp	$0x5eed1234, %eax
	check	n_fs_high
	mov	$0x1ffff0 - HIGH_BASE, %edi
	mov	%gs:(%edi), %eax
	cmp	$0x5eed1234, %eax
	check	n_gs_base
	/* No 64 KiB limit on FS and GS any more; DS still has it. */
	probe	mov %fs:0xffff, %ax
	faults	0, n_fs_word_ffff
	mov	$0x10000, %esi
	probe	mov %fs:(%esi), %eax
	faults	0, n_fs_addr32
	mov	$0x7fffc, %edi
	probe	mov %gs:(%edi), %eax
	faults	0, n_gs_addr32
	probe	mov 0xffff, %ax
	faults	1, n_ds_kept

	/* Reloading GS in real mode: base = selector * 16. */
	mov	$0x1001, %ax
	mov	%ax, %es
	movl	$0x600dbeef, %es:0
	xor	%ax, %ax
	mov	%ax, %es
	mov	$0x1000, %ax
	mov	%ax, %gs
	mov	%gs:0x10, %eax
	cmp	$0x600dbeef, %eax
	check	n_gs_reload

	/* MMIO (the tool's scratch bank) through FS: 3 MMIO exits. */
	mov	$BANK, %esi
	movl	$0xcafe80ba, %fs:(%esi)
	mov	%fs:(%esi), %eax
	cmp	$0xcafe80ba, %eax
	check	n_mmio_rw
	mov	$BANK, %esi		/* check clobbered %si */
	mov	$-1, %eax
	movzbl	%fs:1(%esi), %eax
	cmp	$0x80, %eax
	check	n_mmio_movzx

	movzwl	fails, %ebx
	mov	$n_done, %si
	call	puts
	hlt

/* #GP through the IVT: count it, record the faulting IP, resume after the probe. */
gp_handler:
	push	%bp
	mov	%sp, %bp
	push	%ax
	mov	2(%bp), %ax
	mov	%ax, %cs:gp_ip
	incw	%cs:gp_count
	mov	%cs:resume, %ax
	mov	%ax, 2(%bp)
	pop	%ax
	pop	%bp
	iret

/* report: "ok NAME\n" if ZF, else "FAIL NAME (read 0x%eax)\n"; NAME at %si. */
report:
	mov	%eax, %edx
	jnz	1f
	push	%si
	mov	$s_ok, %si
	call	puts
	pop	%si
	call	puts
	mov	$s_nl, %si
	jmp	puts
1:	incw	fails
	push	%edx
	push	%si
	mov	$s_fail, %si
	call	puts
	pop	%si
	call	puts
	mov	$s_read, %si
	call	puts
	pop	%edx
	mov	$8, %cx
2:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	cmp	$10, %al
	jb	3f
	add	$('a' - '0' - 10), %al
3:	add	$'0', %al
	out	%al, $0xe9
	dec	%cx
	jnz	2b
	mov	$s_close, %si
	jmp	puts

	.include "console.inc"

	.balign	8
gdt:	.quad	0
	.quad	0x00009a000000ffff	/* 0x08: 16-bit code, base 0, 64 KiB */
	.quad	0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
	.quad	0x00cf92180000ffff	/* 0x18: data, base 0x180000, 4 GiB */
gdt_ptr: .word	gdt_ptr - gdt - 1
	.long	gdt
ivt_ptr: .word	0x3ff
	.long	0
	.balign	4
saved_0x10: .long 0
gp_count: .word	0
gp_ip:	.word	0
resume:	.word	0
fault_at: .word	0
fails:	.word	0

s_ok:	.asciz	"ok "
s_fail:	.asciz	"FAIL "
s_read:	.asciz	" (read 0x"
s_close: .asciz	")\n"
s_nl:	.asciz	"\n"
n_wrap:		.asciz	"offset-wraps-at-64k"
n_byte_ffff:	.asciz	"byte-at-ds-ffff-no-gp"
n_word_ffff:	.asciz	"word-at-ds-ffff-gp"
n_dword_fffc:	.asciz	"dword-at-ds-fffc-no-gp"
n_dword_fffd:	.asciz	"dword-at-ds-fffd-gp"
n_addr32_10000:	.asciz	"addr32-ds-10000-gp"
n_hma_rw:	.asciz	"ffff-0010-read-write"
n_hma_no_wrap:	.asciz	"ffff-0010-not-linear-0x10"
n_real_again:	.asciz	"back-in-real-mode"
n_fs_hma:	.asciz	"unreal-fs-0x100000-is-ffff-0010"
n_fs_high:	.asciz	"unreal-fs-0x1ffff0-read-write"
n_gs_base:	.asciz	"unreal-gs-base-0x180000-kept"
n_fs_word_ffff:	.asciz	"unreal-word-at-fs-ffff-no-gp"
n_fs_addr32:	.asciz	"unreal-addr32-fs-10000-no-gp"
n_gs_addr32:	.asciz	"unreal-addr32-gs-7fffc-no-gp"
n_ds_kept:	.asciz	"ds-limit-64k-kept-word-at-ffff-gp"
n_gs_reload:	.asciz	"real-mode-gs-load-base-selector-x16"
n_mmio_rw:	.asciz	"unreal-mmio-store-load"
n_mmio_movzx:	.asciz	"unreal-mmio-movzx-byte"
n_done:		.asciz	"diff-unreal: done\n"
