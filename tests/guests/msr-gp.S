/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msr-gp: WRMSR of a value the MSR reserves, or RDMSR/WRMSR of an MSR
 * the vCPU lacks, raises #GP in the guest (SDM Vol. 2B, "RDMSR",
 * "WRMSR"), never a host fault; valid values read back.  Started by
 * `vmxlab run --mode long` (the device's CPUID: RDTSCP offered), with an
 * IDT of its own whose #GP handler counts and steps over the 2-byte
 * instruction.  Each case: one #GP or none, and for valid writes the
 * value read back:
 *   IA32_LSTAR and IA32_KERNEL_GS_BASE non-canonical; IA32_TSC_AUX with
 *   bit 32; IA32_PAT with memory type 2; IA32_EFER bit 2; IA32_MTRR_-
 *   DEF_TYPE with type 2; IA32_MTRR_PHYSMASK0 with bit 0; RDMSR of MSR
 *   0x1234 (none); IA32_MTRRCAP (8 variable ranges, fixed, WC);
 *   IA32_MTRR_PHYSBASE0 and IA32_PAT written and read back.
 */
	.code64
	.text
	.globl _start

	.include "macros.inc"

	/* wrmsr_gp MSR HI LO NAME: the WRMSR must raise exactly one #GP. */
	.macro	wrmsr_gp msr, hi, lo, name
	movl	$0, gp_count
	mov	$\msr, %ecx
	mov	$\hi, %edx
	mov	$\lo, %eax
	wrmsr
	mov	gp_count, %eax
	cmp	$1, %eax
	check	\name
	.endm

	/* wrmsr_ok MSR HI LO NAME: no #GP, and RDMSR reads the value back. */
	.macro	wrmsr_ok msr, hi, lo, name
	movl	$0, gp_count
	mov	$\msr, %ecx
	mov	$\hi, %edx
	mov	$\lo, %eax
	wrmsr
	rdmsr
	cmp	$\hi, %edx
	jne	1f
	cmp	$\lo, %eax
	jne	1f
	mov	gp_count, %eax
	cmp	$0, %eax
1:	check	\name
	.endm

_start:
	call	setup_idt
	wrmsr_gp 0xc0000082, 0x00008000, 0, n_lstar
	wrmsr_gp 0xc0000102, 0x00800000, 0, n_kgs
	wrmsr_gp 0xc0000103, 1, 0, n_tsc_aux
	wrmsr_gp 0x277, 0, 0x00000002, n_pat_bad
	wrmsr_gp 0xc0000080, 0, 0x504, n_efer
	wrmsr_gp 0x2ff, 0, 0x802, n_deftype
	wrmsr_gp 0x201, 0, 0x801, n_physmask

	movl	$0, gp_count
	mov	$0x1234, %ecx
	rdmsr
	mov	gp_count, %eax
	cmp	$1, %eax
	check	n_unknown

	movl	$0, gp_count
	mov	$0xfe, %ecx
	rdmsr
	and	$0x5ff, %eax		/* VCNT, FIX, WC */
	cmp	$0x508, %eax
	check	n_mtrrcap

	wrmsr_ok 0x200, 0, 0x80000006, n_physbase
	wrmsr_ok 0x277, 0x00070406, 0x00070106, n_pat_ok
	finish	n_done

/* #GP: counted, the faulting RDMSR/WRMSR (0F 32 / 0F 30) stepped over. */
gp_handler:
	add	$8, %rsp		/* the error code */
	incl	gp_count
	addq	$2, (%rsp)
	iretq

/* setup_idt: vector 13 -> gp_handler in the current code segment, 64-bit interrupt gate. */
setup_idt:
	mov	$gp_handler, %eax
	mov	%ax, idt + 13 * 16
	mov	%cs, %dx
	mov	%dx, idt + 13 * 16 + 2
	movw	$0x8e00, idt + 13 * 16 + 4
	shr	$16, %eax
	mov	%ax, idt + 13 * 16 + 6
	lidt	idtr
	ret

	.include "console32.inc"

	.balign	16
idt:
	.fill	32 * 2, 8, 0
idtr:
	.word	32 * 16 - 1
	.quad	idt
	.balign	4
gp_count: .long	0
n_lstar: .asciz	"non-canonical IA32_LSTAR: #GP"
n_kgs:	.asciz	"non-canonical IA32_KERNEL_GS_BASE: #GP"
n_tsc_aux: .asciz "IA32_TSC_AUX bit 32: #GP"
n_pat_bad: .asciz "IA32_PAT memory type 2: #GP"
n_efer:	.asciz	"IA32_EFER bit 2: #GP"
n_deftype: .asciz "IA32_MTRR_DEF_TYPE type 2: #GP"
n_physmask: .asciz "IA32_MTRR_PHYSMASK0 bit 0: #GP"
n_unknown: .asciz "RDMSR 0x1234: #GP"
n_mtrrcap: .asciz "IA32_MTRRCAP: 8 variable, fixed, WC"
n_physbase: .asciz "IA32_MTRR_PHYSBASE0 read back"
n_pat_ok: .asciz "IA32_PAT read back"
n_done:	.asciz	"failed checks: "
newline: .asciz	"\n"
