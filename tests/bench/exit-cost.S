/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit-cost: host instructions per VM exit, measured from inside the
 * guest.  In Bochs with one emulated CPU and `clock: sync=none`, the TSC
 * advances by one per retired instruction (host and guest alike), so an
 * RDTSC delta counts what the host ran: the hypervisor's exit path, and
 * for an exit to user space the VMM process too.
 *
 * The figure is throughput: RDTSC before and after RUNS consecutive
 * exits of one kind, divided by RUNS, minus the same loop's cost per
 * round with nothing in it.  Work that a hypervisor pays only every Nth
 * exit (a batch flush, a timer tick, a counter roll-over) is counted in
 * its share; a smallest single delta would hide it.  The smallest of
 * ROUNDS single deltas is printed too (as NAME-min), for comparison.
 *
 * Prints, one line each (decimal), to port 0xE9:
 *   baseline N     one empty round of the throughput loop
 *   spin-2000 N    1,000 rounds of a 2-instruction loop without exits:
 *                  2000 when the host ran nothing else meanwhile
 *   cpuid N        CPUID leaf 0, answered in the kernel
 *   pio-out N      OUT to port 0x80, answered by user space
 *   mmio-write N   a 4-byte store to guest-physical 0xA0000, which no
 *                  memory slot backs (bench-client leaves 0xA0000-0xFFFFF
 *                  unbacked): KVM_EXIT_MMIO, answered by user space
 *   hlt N          HLT (interrupts off): KVM_EXIT_HLT, and the VMM runs the
 *                  vCPU again at once, after the HLT
 * each followed by NAME-min N (the smallest single delta, minus the empty
 * single delta), then writes 0 to port 0xF4 (the end, for bench-client).
 * Under `vmxlab run` (one slot from 0: 0xA0000 is memory there, and HLT
 * ends the guest) only the first lines mean something.
 */
	.code16
	.text
	.globl _start

#define RUNS	1000	/* consecutive exits timed together */
#define ROUNDS	200	/* single exits timed one by one */

/* Time RUNS rounds of \body together; instructions per round in %ebp. */
.macro throughput body
	mov	$RUNS, %cx
	rdtsc
	mov	%eax, %edi
1:	push	%cx		/* CPUID clobbers %ecx */
	\body
	pop	%cx
	loop	1b
	rdtsc
	sub	%edi, %eax
	xor	%edx, %edx
	mov	$RUNS, %ebx
	div	%ebx
	mov	%eax, %ebp
.endm

/* Time \body ROUNDS times, one by one; the smallest delta in %ebp. */
.macro smallest body
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

/* Both figures for \body, printed as "\name N" and "\name-min N". */
.macro measure body, name, name_min
	throughput \body
	mov	$\name, %si
	mov	baseline, %ebx
	call	print_cost
	smallest \body
	mov	$\name_min, %si
	mov	baseline_min, %ebx
	call	print_cost
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
	throughput body_nothing
	mov	%ebp, baseline
	mov	$msg_baseline, %si
	call	print_line
	smallest body_nothing
	mov	%ebp, baseline_min

	/* No exits: ticks per 1000 rounds of a 2-instruction loop. */
	mov	$1000000, %ecx
	rdtsc
	mov	%eax, %edi
1:	dec	%ecx
	jnz	1b
	rdtsc
	sub	%edi, %eax
	xor	%edx, %edx
	mov	$1000, %ebx
	div	%ebx
	mov	%eax, %ebp
	mov	$msg_spin, %si
	call	print_line

	measure	body_cpuid, msg_cpuid, msg_cpuid_min
	measure	body_pio_out, msg_pio, msg_pio_min

	mov	$0xa000, %ax		/* ES:0 = guest-physical 0xA0000 */
	mov	%ax, %es
	measure	body_mmio_write, msg_mmio, msg_mmio_min
	measure	body_hlt, msg_hlt, msg_hlt_min

	xor	%al, %al
	out	%al, $0xf4
	hlt

/* Print "<%si> <%ebp - %ebx>\n". */
print_cost:
	sub	%ebx, %ebp
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
baseline_min:	.long 0
msg_baseline:	.asciz "baseline "
msg_cpuid:	.asciz "cpuid "
msg_pio:	.asciz "pio-out "
msg_mmio:	.asciz "mmio-write "
msg_hlt:	.asciz "hlt "
msg_spin:	.asciz "spin-2000 "
msg_cpuid_min:	.asciz "cpuid-min "
msg_pio_min:	.asciz "pio-out-min "
msg_mmio_min:	.asciz "mmio-write-min "
msg_hlt_min:	.asciz "hlt-min "
digits:		.space 12
digits_end:	.byte 0
