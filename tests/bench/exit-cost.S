/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit-cost: host instructions per VM exit, measured from inside the
 * guest.  In Bochs with one emulated CPU and `clock: sync=none`, the TSC
 * advances by one per retired instruction (host and guest alike), so
 * the RDTSC delta around one exiting instruction counts what the host
 * ran for that exit: the hypervisor's exit path, and for an exit to user
 * space the VMM process too.  The smallest of ROUNDS samples is
 * reported, which leaves out the samples a timer interrupt lengthened;
 * the delta of the same loop with nothing between the RDTSCs is
 * subtracted (for CPUID, the XOR that selects leaf 0 is counted too).
 *
 * Prints, one line each (decimal), to port 0xE9:
 *   baseline N     RDTSC; RDTSC
 *   cpuid N        CPUID leaf 0, answered in the kernel
 *   pio-out N      OUT to port 0x80, answered by user space
 *   mmio-write N   a 4-byte store to guest-physical 0xA0000, which no
 *                  memory slot backs (bench-client leaves 0xA0000-0xFFFFF
 *                  unbacked): KVM_EXIT_MMIO, answered by user space
 *   hlt N          HLT (interrupts off): KVM_EXIT_HLT, and the VMM runs the
 *                  vCPU again at once, after the HLT
 * then writes 0 to port 0xF4 (the end, for bench-client).  Under
 * `vmxlab run` (one slot from 0: 0xA0000 is memory there, and HLT ends
 * the guest) only the first three lines mean something.
 */
	.code16
	.text
	.globl _start

#define ROUNDS	200

/* Time macro \body, ROUNDS times; the smallest delta in %ebp. */
.macro measure body
	mov	$0xffffffff, %ebp
	mov	$ROUNDS, %cx
1:	push	%cx
	rdtsc
	mov	%eax, %edi
	\body
	rdtsc
	sub	%edi, %eax
	cmp	%ebp, %eax
	jae	2f
	mov	%eax, %ebp
2:	pop	%cx
	loop	1b
.endm

.macro body_nothing
.endm

.macro body_cpuid
	xor	%eax, %eax
	cpuid
.endm

.macro body_pio_out
	out	%al, $0x80
.endm

.macro body_mmio_write
	mov	%eax, %es:0
.endm

.macro body_hlt
	hlt
.endm

_start:
	measure	body_nothing
	mov	%ebp, baseline
	mov	$msg_baseline, %si
	call	print_line

	measure	body_cpuid
	mov	$msg_cpuid, %si
	call	print_cost

	measure	body_pio_out
	mov	$msg_pio, %si
	call	print_cost

	mov	$0xa000, %ax		/* ES:0 = guest-physical 0xA0000 */
	mov	%ax, %es
	measure	body_mmio_write
	mov	$msg_mmio, %si
	call	print_cost

	measure	body_hlt
	mov	$msg_hlt, %si
	call	print_cost

	xor	%al, %al
	out	%al, $0xf4
	hlt

/* Print "<%si> <%ebp - baseline>\n". */
print_cost:
	sub	baseline, %ebp
/* Print "<%si> <%ebp>\n". */
print_line:
	call	puts
	mov	%ebp, %eax
	call	put_decimal
	mov	$'\n', %al
	out	%al, $0xe9
	ret

/* Print %eax in decimal.  Clobbers %eax, %ebx, %edx, %di. */
put_decimal:
	mov	$digits_end, %di
	mov	$10, %ebx
1:	xor	%edx, %edx
	div	%ebx
	add	$'0', %dl
	dec	%di
	mov	%dl, (%di)
	test	%eax, %eax
	jnz	1b
	mov	%di, %si
	jmp	puts

	.include "../guests/console.inc"

	.data
baseline:	.long 0
msg_baseline:	.asciz "baseline "
msg_cpuid:	.asciz "cpuid "
msg_pio:	.asciz "pio-out "
msg_mmio:	.asciz "mmio-write "
msg_hlt:	.asciz "hlt "
digits:		.space 12
digits_end:	.byte 0
