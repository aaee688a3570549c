/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cycles: a guest for exit timing (VMXLAB_GET_EXIT_CYCLES; the hypercalls
 * of include/vmxlab/uapi.h).  vmxlab only, so it has no manifest:
 * tests/machine/progs/exit-cycles.c runs it (and tests/machine/tests/
 * cycles.sh under `vmxlab run --cycles`).  Real mode, at 0x1000:
 *
 *   phase 1: VMXLAB_HC_EXIT_CYCLES(CPUID) into RESULTS[NEVER_ON]; 200
 *            CPUIDs (in-kernel exits); 20 OUTs to port 0x510 (exits to
 *            user space); an OUT to port 0x511: "phase done"
 *   phase 2: the same CPUIDs and OUTs, then the OUT to port 0x511
 *   phase 3: the hypercalls, answers' low 32 bits into RESULTS (below),
 *            then HLT.  Neither CPUID nor port I/O exits from here on,
 *            so their histograms stay as the hypercalls saw them.
 *
 * RESULTS, 32-bit words at 0x8000:
 *   [0]       VMXLAB_HC_EXIT_CYCLES(CPUID): sum of cycles
 *   [1]       VMXLAB_HC_EXIT_CYCLES(IO_INSTRUCTION)
 *   [2..33]   VMXLAB_HC_EXIT_CYCLES_BUCKET(CPUID, 0..31)
 *   [34..65]  VMXLAB_HC_EXIT_CYCLES_BUCKET(IO_INSTRUCTION, 0..31)
 *   [66]      VMXLAB_HC_EXIT_CYCLES_BUCKET(CPUID, 32): a bad bucket
 *   [67]      phase 1's answer, asked before timing was ever on
 */
	.code16
	.text
	.globl _start

	.equ	HC_MAGIC, 0x766d786c
	.equ	HC_EXIT_CYCLES, 3
	.equ	HC_EXIT_CYCLES_BUCKET, 4
	.equ	EXIT_CPUID, 10
	.equ	EXIT_IO, 30
	.equ	CPUIDS, 200
	.equ	OUTS, 20
	.equ	RESULTS, 0x8000
	.equ	BUCKETS, 32

/* RAX = hypercall(function, ECX = reason, EDX = bucket) */
.macro hypercall function
	mov	$HC_MAGIC, %eax
	mov	$\function, %ebx
	vmcall
.endm

_start:
	mov	$EXIT_CPUID, %ecx
	hypercall HC_EXIT_CYCLES
	mov	%eax, RESULTS + 67 * 4
	call	exits
	call	exits

	mov	$EXIT_CPUID, %ecx
	hypercall HC_EXIT_CYCLES
	mov	%eax, RESULTS
	mov	$EXIT_IO, %ecx
	hypercall HC_EXIT_CYCLES
	mov	%eax, RESULTS + 4
	mov	$EXIT_CPUID, %ecx
	mov	$(RESULTS + 2 * 4), %di
	call	buckets
	mov	$EXIT_IO, %ecx
	mov	$(RESULTS + 34 * 4), %di
	call	buckets
	mov	$EXIT_CPUID, %ecx
	mov	$BUCKETS, %edx
	hypercall HC_EXIT_CYCLES_BUCKET
	mov	%eax, RESULTS + 66 * 4
	hlt

/* One phase: CPUIDS CPUIDs, OUTS OUTs to port 0x510, one OUT to 0x511. */
exits:
	mov	$CPUIDS, %bp
1:	xor	%eax, %eax
	cpuid
	dec	%bp
	jnz	1b
	mov	$OUTS, %bp
	mov	$0x510, %dx
2:	out	%al, %dx
	dec	%bp
	jnz	2b
	inc	%dx
	out	%al, %dx
	ret

/* Buckets 0..31 of exit reason ECX, as 32-bit words at DI. */
buckets:
	xor	%edx, %edx
1:	hypercall HC_EXIT_CYCLES_BUCKET
	mov	%eax, (%di)
	add	$4, %di
	inc	%edx
	cmp	$BUCKETS, %edx
	jne	1b
	ret
