/* SPDX-License-Identifier: GPL-2.0 */
/*
 * string-io-perms: INS and OUTS obey the guest's page protections and
 * segment checks, as the CPU does for any memory access (SDM Vol. 3A,
 * "Access Rights", "Page-Fault Exceptions", "Limit Checking", "Type
 * Checking"; Vol. 2, "INS/INSB/INSW/INSD", "OUTS/OUTSB/OUTSW/OUTSD").
 * The VMM does these accesses for the guest (the VM exit comes before
 * the instruction touches memory), so it must check them itself: else a
 * ring-3 process with I/O privilege writes the guest kernel's pages.
 *
 * Started by `vmxlab run --mode protected`; a GDT, TSS and IDT of its own
 * (ring3.inc), its own 32-bit page tables over the first 1 MiB, all user
 * and writable except:
 *   0x5000  supervisor (U/S = 0)       0x6000  read-only user (R/W = 0)
 *   0x7000  not present
 * CR0.WP = 1 unless a case says otherwise.  Each case runs one string
 * instruction (ring 3 with IOPL 3, or ring 0), whose #PF or #GP handler
 * records vector, error code, CR2, EIP, EDI, ESI and ECX and goes on to
 * the case's check; a ring-3 case that does not fault ends in HLT (#GP
 * at CPL 3).  Port 0x510 reads back 0x5a; port 0x80 (nobody's, 0xff) is
 * read by the INS meant to fault, so that a read the guest never asked
 * for stays apart from the others (KVM reads the port before its
 * emulator finds the destination faulting; vmxlab checks the
 * destination first: tests/machine/differences.txt).  An
 * OK line per case, a summary, HLT with the failures in EBX.
 */
	.code32
	.text
	.globl _start

	.include "macros.inc"

	RING3_STACK = 0x900
	PAGE_DIR = 0x8000
	PAGE_TABLE = 0x9000
	SUPER_PAGE = 0x5000
	RO_PAGE = 0x6000
	ABSENT_PAGE = 0x7000
	PTE_P = 1
	PTE_RW = 2
	PTE_US = 4
	X86_CR0_WP = 0x10000
	X86_CR0_PG = 0x80000000
	EFLAGS_IOPL3 = 0x3002
	PORT = 0x510
	FAULT_PORT = 0x80
	LIMIT_DS = 0x30		/* ring3.inc: data, limit 0xfff */
	RO_DS = 0x38		/* ring3.inc: read-only data, 4 GiB */

	/* ring3 ENTRY EDI ESI ECX CONT: run ENTRY at CPL 3, then CONT. */
	.macro	ring3 entry, edi, esi, ecx, cont
	movl	$\edi, u_edi
	movl	$\esi, u_esi
	movl	$\ecx, u_ecx
	movl	$\cont, next
	mov	$\entry, %eax
	mov	$RING3_STACK, %edx
	mov	$EFLAGS_IOPL3, %ecx
	jmp	to_ring3
	.endm

	/* expect VAR VALUE: the 32-bit VAR holds VALUE, else to the case's report (9:). */
	.macro	expect var, value
	mov	\var, %eax
	cmp	$\value, %eax
	jne	9f
	.endm

	/* fault VECTOR ERROR: the case faulted with that vector and error code. */
	.macro	fault vector, error
	expect	seen_vector, \vector
	expect	seen_error, \error
	.endm

_start:
	call	setup_ring3
	mov	$14, %ecx
	mov	$fault_pf, %eax
	mov	$0x08, %edx
	call	set_gate
	mov	$13, %ecx
	mov	$fault_gp, %eax
	mov	$0x08, %edx
	call	set_gate
	call	setup_paging
	mov	$PORT, %dx
	mov	$0x5a, %al
	out	%al, %dx

	/* 1: CPL 3, REP INSB into a supervisor page: #PF P|W|U, nothing moved. */
	ring3	user_ins, SUPER_PAGE, 0, 4, 1f
1:	fault	14, 7
	expect	seen_cr2, SUPER_PAGE
	expect	seen_edi, SUPER_PAGE
	expect	seen_ecx, 4
	expect	SUPER_PAGE, 0x11111111
9:	check	n_super

	/* 2: CPL 3, REP INSB from a user page into the supervisor page after it. */
	ring3	user_ins, SUPER_PAGE-4, 0, 8, 1f
1:	fault	14, 7
	expect	seen_cr2, SUPER_PAGE
	expect	seen_edi, SUPER_PAGE
	expect	seen_ecx, 4
	expect	SUPER_PAGE-4, 0xffffffff
	expect	SUPER_PAGE, 0x11111111
9:	check	n_cross

	/* 3: CPL 3, OUTSB from a supervisor page: #PF P|U, nothing sent. */
	ring3	user_outs, 0, SUPER_PAGE, 1, 1f
1:	fault	14, 5
	expect	seen_cr2, SUPER_PAGE
	expect	seen_esi, SUPER_PAGE
	mov	$PORT, %dx
	xor	%eax, %eax
	in	%dx, %al
	cmp	$0x5a, %eax
9:	check	n_outs

	/* 4: CPL 3, INSB into a read-only user page: #PF P|W|U. */
	ring3	user_ins, RO_PAGE, 0, 1, 1f
1:	fault	14, 7
	expect	seen_cr2, RO_PAGE
	expect	RO_PAGE, 0x11111111
9:	check	n_ro_user

	/* 5: CPL 3, INSB into a page that is not present: #PF W|U. */
	ring3	user_ins, ABSENT_PAGE+0x10, 0, 1, 1f
1:	fault	14, 6
	expect	seen_cr2, ABSENT_PAGE+0x10
9:	check	n_absent

	/* 6: CPL 3, INSB into a user page: done, then HLT's #GP(0). */
	ring3	user_ins_ok, 0x4000, 0, 1, 1f
1:	fault	13, 0
	expect	seen_edi, 0x4001
	expect	0x4000, 0x1111115a
9:	check	n_user_ok

	/* 7: CPL 0, CR0.WP = 1, INSB into a read-only page: #PF P|W. */
	movl	$1f, next
	mov	$RO_PAGE, %edi
	mov	$FAULT_PORT, %dx
	insb
	jmp	no_fault
1:	fault	14, 3
	expect	seen_cr2, RO_PAGE
	expect	RO_PAGE, 0x11111111
9:	check	n_wp1

	/* 8: CPL 0, CR0.WP = 0: the same INSB writes. */
	mov	%cr0, %eax
	and	$~X86_CR0_WP, %eax
	mov	%eax, %cr0
	mov	$RO_PAGE, %edi
	mov	$PORT, %dx
	insb
	mov	%cr0, %eax
	or	$X86_CR0_WP, %eax
	mov	%eax, %cr0
	mov	RO_PAGE, %eax
	cmp	$0x1111115a, %eax
	check	n_wp0

	/* 9: ES with limit 0xfff, INSB at offset 0x1000: #GP(0). */
	mov	$LIMIT_DS, %ax
	mov	%ax, %es
	movl	$1f, next
	mov	$0x1000, %edi
	mov	$FAULT_PORT, %dx
	insb
	jmp	no_fault
1:	fault	13, 0
	expect	seen_edi, 0x1000
9:	check	n_es_limit

	/* 10: ES read-only: #GP(0). */
	mov	$RO_DS, %ax
	mov	%ax, %es
	movl	$1f, next
	mov	$0x4000, %edi
	mov	$FAULT_PORT, %dx
	insb
	jmp	no_fault
1:	fault	13, 0
9:	check	n_es_ro

	/* 11: ES null (unusable): #GP(0). */
	xor	%eax, %eax
	mov	%ax, %es
	movl	$1f, next
	mov	$0x4000, %edi
	mov	$FAULT_PORT, %dx
	insb
	jmp	no_fault
1:	fault	13, 0
9:	check	n_es_null

	/* 12: OUTSB through an ES override with limit 0xfff, offset 0x1000: #GP(0). */
	mov	$LIMIT_DS, %ax
	mov	%ax, %es
	movl	$1f, next
	mov	$0x1000, %esi
	mov	$PORT, %dx
	outsb	%es:(%esi), %dx
	jmp	no_fault
1:	fault	13, 0
	expect	seen_esi, 0x1000
9:	check	n_outs_limit
	mov	$0x10, %ax
	mov	%ax, %es

	finish	n_done

/* A case that should have faulted did not: record vector 0xff and go on. */
no_fault:
	movl	$0xff, seen_vector
	mov	$0x10, %ax
	mov	%ax, %es
	jmp	*next

/* Ring 3: the string instruction, then HLT (#GP at CPL 3). */
user_ins:
	mov	u_edi, %edi
	mov	u_ecx, %ecx
	mov	$FAULT_PORT, %dx
	rep insb
	hlt
user_ins_ok:
	mov	u_edi, %edi
	mov	u_ecx, %ecx
	mov	$PORT, %dx
	rep insb
	hlt
user_outs:
	mov	u_esi, %esi
	mov	u_ecx, %ecx
	mov	$PORT, %dx
	rep outsb
	hlt

/* #PF and #GP: record what the fault left, back to ring 0's stack, on to `next`. */
fault_pf:
	movl	$14, seen_vector
	jmp	1f
fault_gp:
	movl	$13, seen_vector
1:	mov	%edi, seen_edi
	mov	%esi, seen_esi
	mov	%ecx, seen_ecx
	popl	seen_error
	popl	seen_eip
	mov	%cr2, %eax
	mov	%eax, seen_cr2
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	$0x1000, %esp
	jmp	*next

/*
 * 32-bit paging over the first 1 MiB (identity), every page user and
 * writable but the three of the header; each of those and the user page
 * 0x4000 filled with 0x11.  CR0.PG and CR0.WP on.
 */
setup_paging:
	mov	$PAGE_TABLE, %edi
	mov	$(PTE_P | PTE_RW | PTE_US), %eax
	mov	$256, %ecx
1:	mov	%eax, (%edi)
	add	$0x1000, %eax
	add	$4, %edi
	loop	1b
	movl	$(SUPER_PAGE | PTE_P | PTE_RW), PAGE_TABLE + (SUPER_PAGE >> 10)
	movl	$(RO_PAGE | PTE_P | PTE_US), PAGE_TABLE + (RO_PAGE >> 10)
	movl	$0, PAGE_TABLE + (ABSENT_PAGE >> 10)
	movl	$(PAGE_TABLE | PTE_P | PTE_RW | PTE_US), PAGE_DIR
	mov	$0x11111111, %eax
	mov	$0x4000, %edi
	mov	$(4 * 1024), %ecx
	cld
	rep stosl
	mov	$PAGE_DIR, %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP), %eax
	mov	%eax, %cr0
	ret

	.include "console32.inc"
	.include "ring3.inc"

n_super:	.asciz	"CPL 3 rep insb into a supervisor page: #PF 7, nothing written"
n_cross:	.asciz	"CPL 3 rep insb across into a supervisor page: 4 bytes, then #PF 7"
n_outs:		.asciz	"CPL 3 outsb from a supervisor page: #PF 5, nothing sent"
n_ro_user:	.asciz	"CPL 3 insb into a read-only page: #PF 7"
n_absent:	.asciz	"CPL 3 insb into a page not present: #PF 6"
n_user_ok:	.asciz	"CPL 3 insb into a user page: written"
n_wp1:		.asciz	"CPL 0 insb into a read-only page with CR0.WP: #PF 3"
n_wp0:		.asciz	"CPL 0 insb into a read-only page without CR0.WP: written"
n_es_limit:	.asciz	"insb past the ES limit: #GP(0)"
n_es_ro:	.asciz	"insb through a read-only ES: #GP(0)"
n_es_null:	.asciz	"insb through a null ES: #GP(0)"
n_outs_limit:	.asciz	"outsb past the limit of its segment: #GP(0)"
n_done:		.asciz	"string-io-perms: failures: "
newline:	.asciz	"\n"

	.balign	4
next:		.long	0
u_edi:		.long	0
u_esi:		.long	0
u_ecx:		.long	0
seen_vector:	.long	0
seen_error:	.long	0
seen_eip:	.long	0
seen_cr2:	.long	0
seen_edi:	.long	0
seen_esi:	.long	0
seen_ecx:	.long	0
