/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tsc-aux: IA32_TSC_AUX is the guest's own (SDM Vol. 3B, "IA32_TSC_AUX
 * Register and RDTSCP Support"; Vol. 2B, "RDTSCP").  Started by `vmxlab
 * run --mode protected` with the device's CPUID (RDTSCP offered): WRMSR
 * of 0x2a5 to TSC_AUX (0xC0000103), RDTSCP returns it in ECX, RDMSR
 * reads it back; a second value likewise.  The host keeps its own
 * (tests/machine/tests/msr-host.sh checks the host's RDTSCP and CPU
 * number after this guest ran).  A hypervisor without the MSR raises
 * #GP at the WRMSR (no IDT here: a triple fault); one that does not
 * switch it hands the guest the host's CPU number in ECX.
 */
	.code32
	.text
	.globl _start

	.include "macros.inc"

	.macro	aux_round value, n_rdtscp, n_rdmsr
	mov	$0xc0000103, %ecx
	xor	%edx, %edx
	mov	$\value, %eax
	wrmsr
	xor	%ecx, %ecx
	rdtscp
	mov	%ecx, %eax
	cmp	$\value, %eax
	check	\n_rdtscp
	mov	$0xc0000103, %ecx
	rdmsr
	test	%edx, %edx
	jnz	1f
	cmp	$\value, %eax
1:	check	\n_rdmsr
	.endm

_start:
	aux_round 0x2a5, n_rdtscp1, n_rdmsr1
	aux_round 0x12345678, n_rdtscp2, n_rdmsr2
	finish	n_done

	.include "console32.inc"

n_rdtscp1: .asciz "RDTSCP: ECX 0x2a5"
n_rdmsr1: .asciz "RDMSR IA32_TSC_AUX: 0x2a5"
n_rdtscp2: .asciz "RDTSCP: ECX 0x12345678"
n_rdmsr2: .asciz "RDMSR IA32_TSC_AUX: 0x12345678"
n_done:	.asciz	"failed checks: "
newline: .asciz	"\n"
