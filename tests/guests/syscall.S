/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscall: SYSCALL from ring 3 and SYSRET back, in 64-bit mode (SDM Vol.
 * 2B, "SYSCALL", "SYSRET"; Vol. 3A, "Fast System Calls in 64-Bit Mode").
 * Started by `vmxlab run --mode long`; the guest sets up its own GDT and
 * page tables (the tool's have no user pages), then:
 *   - EFER.SCE, IA32_STAR (SYSCALL CS 0x08, SYSRET base 0x1b), IA32_LSTAR
 *     (the entry below), IA32_CSTAR, IA32_FMASK (DF) and
 *     IA32_KERNEL_GS_BASE written with WRMSR and read back with RDMSR;
 *   - IRETQ to ring 3 (CS 0x2b) with RFLAGS.DF set; SYSCALL with RAX 42;
 *   - at the entry: CPL 0 (CS 0x08), RCX the return address, R11 the
 *     caller's RFLAGS (DF set), DF now clear (FMASK), SWAPGS gives GS
 *     the KERNEL_GS_BASE value; SWAPGS back, SYSRETQ;
 *   - back in ring 3: CS 0x2b (STAR[63:48] + 16, RPL 3), DF set again;
 *     SYSCALL with RAX 0 to end: the entry prints and HLTs at CPL 0.
 * A hypervisor that does not give the guest its own LSTAR sends the
 * SYSCALL to the host's kernel entry address (a page fault on an
 * unmapped address, then a triple fault here); one without the MSRs
 * raises #GP at the first WRMSR (no IDT: a triple fault).
 */
	.code64
	.text
	.globl _start

	.include "macros.inc"

	KERNEL_CS = 0x08
	KERNEL_DS = 0x10
	SYSRET_BASE = 0x1b	/* STAR[63:48]: SYSRET loads SS = +8, CS = +16 (RPL 3) */
	USER_DS = 0x23
	USER_CS = 0x2b
	PML4 = 0x10000		/* own page tables: 2 MiB at 0, user-accessible */
	PDPT = 0x11000
	PD = 0x12000
	USER_STACK = 0x9000
	GS_DATA = 0x9800	/* KERNEL_GS_BASE points here */
	RFLAGS_DF = 0x400

	.macro	wrmsr_imm msr, hi, lo
	mov	$\msr, %ecx
	mov	$\hi, %edx
	mov	$\lo, %eax
	wrmsr
	.endm

	/* rdmsr_check MSR HI LO NAME: RDMSR and compare both halves. */
	.macro	rdmsr_check msr, hi, lo, name
	mov	$\msr, %ecx
	rdmsr
	cmp	$\hi, %edx
	jne	1f
	cmp	$\lo, %eax
1:	check	\name
	.endm

_start:
	call	setup_paging
	lgdt	gdtr
	pushq	$KERNEL_CS
	lea	1f(%rip), %rax
	pushq	%rax
	lretq
1:	mov	$KERNEL_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss

	mov	$0xc0000080, %ecx	/* IA32_EFER.SCE */
	rdmsr
	or	$1, %eax
	wrmsr
	wrmsr_imm 0xc0000081, (SYSRET_BASE << 16) | KERNEL_CS, 0
	wrmsr_imm 0xc0000082, 0, syscall_entry
	wrmsr_imm 0xc0000083, 0xffff8000, 0x12345000	/* CSTAR: unused here, read back */
	wrmsr_imm 0xc0000084, 0, RFLAGS_DF
	wrmsr_imm 0xc0000101, 0, 0			/* GS_BASE */
	wrmsr_imm 0xc0000102, 0, GS_DATA		/* KERNEL_GS_BASE */
	movl	$0x6b736167, GS_DATA			/* "gask" */

	rdmsr_check 0xc0000080, 0, 0x501, n_efer	/* SCE, LME, LMA */
	rdmsr_check 0xc0000081, (SYSRET_BASE << 16) | KERNEL_CS, 0, n_star
	rdmsr_check 0xc0000082, 0, syscall_entry, n_lstar
	rdmsr_check 0xc0000083, 0xffff8000, 0x12345000, n_cstar
	rdmsr_check 0xc0000084, 0, RFLAGS_DF, n_fmask
	rdmsr_check 0xc0000102, 0, GS_DATA, n_kgs

	/* To ring 3 with DF set. */
	pushq	$USER_DS
	pushq	$USER_STACK
	pushq	$(0x2 | RFLAGS_DF)
	pushq	$USER_CS
	pushq	$user_code
	iretq

user_code:
	mov	$42, %eax
	syscall
after_syscall:
	/* Back from SYSRET: ring 3 again, DF restored from R11. */
	mov	%cs, %ebx
	pushfq
	pop	%rdi
	xor	%eax, %eax
	syscall			/* RAX 0: the entry checks CS and RFLAGS, prints, HLTs */

/*
 * The SYSCALL entry: CPL 0 on the caller's stack (SYSCALL switches no
 * stack).  RAX 42: the first call, checked, returned from; RAX 0: the
 * second, which reports what ring 3 saw after SYSRET (EBX its CS, RDI
 * its RFLAGS) and ends the guest.
 */
syscall_entry:
	mov	%rcx, %r12
	mov	%r11, %r13
	test	%eax, %eax
	jz	second_call
	mov	%eax, %ebp
	cmp	$42, %ebp
	check	n_rax
	mov	%cs, %eax
	cmp	$KERNEL_CS, %eax
	check	n_cs0
	mov	%r12, %rax
	cmp	$after_syscall, %rax
	check	n_rcx
	mov	%r13, %rax
	and	$RFLAGS_DF, %eax
	cmp	$RFLAGS_DF, %eax
	check	n_r11
	pushfq
	pop	%rax
	and	$RFLAGS_DF, %eax
	cmp	$0, %eax
	check	n_fmask_df
	swapgs
	mov	%gs:0, %eax
	swapgs
	cmp	$0x6b736167, %eax
	check	n_swapgs
	mov	%r12, %rcx
	mov	%r13, %r11
	sysretq

second_call:
	mov	%ebx, %eax
	cmp	$USER_CS, %eax
	check	n_cs3
	mov	%rdi, %rax
	and	$RFLAGS_DF, %eax
	cmp	$RFLAGS_DF, %eax
	check	n_df3
	finish	n_done

/* setup_paging: PML4 -> PDPT -> PD -> one 2 MiB page at 0, present, writable, user. */
setup_paging:
	movq	$(PDPT | 7), PML4
	movq	$(PD | 7), PDPT
	movq	$0x87, PD		/* P, RW, US, PS */
	mov	$PML4, %eax
	mov	%rax, %cr3
	ret

	.include "console32.inc"

	.balign	8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: code, DPL 0, 64-bit */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
	.quad	0x00cffa000000ffff	/* 0x18: code, DPL 3, 32-bit (SYSRET's base) */
	.quad	0x00cff2000000ffff	/* 0x20: data, DPL 3 */
	.quad	0x00affa000000ffff	/* 0x28: code, DPL 3, 64-bit */
gdt_end:
gdtr:
	.word	gdt_end - gdt - 1
	.quad	gdt

n_efer:	.asciz	"IA32_EFER read back"
n_star:	.asciz	"IA32_STAR read back"
n_lstar: .asciz	"IA32_LSTAR read back"
n_cstar: .asciz	"IA32_CSTAR read back"
n_fmask: .asciz	"IA32_FMASK read back"
n_kgs:	.asciz	"IA32_KERNEL_GS_BASE read back"
n_rax:	.asciz	"SYSCALL: RAX 42 at the entry"
n_cs0:	.asciz	"SYSCALL: CS 0x08 (CPL 0)"
n_rcx:	.asciz	"SYSCALL: RCX the return address"
n_r11:	.asciz	"SYSCALL: R11 the RFLAGS of ring 3 (DF)"
n_fmask_df: .asciz "SYSCALL: DF cleared by IA32_FMASK"
n_swapgs: .asciz "SWAPGS: GS base from IA32_KERNEL_GS_BASE"
n_cs3:	.asciz	"SYSRET: CS 0x2b (CPL 3)"
n_df3:	.asciz	"SYSRET: RFLAGS from R11 (DF)"
n_done:	.asciz	"failed checks: "
newline: .asciz	"\n"
