/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry/exit stub: the only code that runs between the host's last
 * instruction before VM entry and its first after VM exit.
 *
 * int vmxlab_enter_guest(struct vmxlab_guest_regs *regs,	// %rdi
 *			  unsigned long launched)		// %rsi
 *
 * Contract (the one place it is written; vmx/vcpu.h has the prototype):
 *   - called with interrupts off and the vCPU's VMCS current; @launched
 *     is 0 for VMLAUNCH, else VMRESUME;
 *   - returns VMXLAB_ENTER_OK after a VM exit: the guest's GPRs (but RSP,
 *     which the VMCS holds) and CR2 are in @regs, the host's callee-saved
 *     registers are restored;
 *   - returns VMXLAB_ENTER_VMFAIL after VMfail (VMfailInvalid or
 *     VMfailValid, of the entry or of the VMWRITE of HOST_RSP; the caller
 *     reads the VM-instruction error), VMXLAB_ENTER_FAULT if
 *     VMLAUNCH/VMRESUME faulted;
 *   - the caller owns the launched flag: it passes it in and sets it
 *     only after a successful entry (VMXLAB_ENTER_OK without bit 31 of
 *     the exit reason set).
 *
 * The processor saves no guest GPR on VM exit and loads none on VM entry
 * (SDM Vol. 3C, "Loading Guest State" and "Saving Guest State" cover
 * RSP, RIP and RFLAGS only), and it loads the host's RSP and RIP from
 * the VMCS's host-state area ("Loading Host State").  So HOST_RSP must be
 * the stack pointer at the moment of entry, and HOST_RIP is the label
 * vmxlab_vmexit below, where the stack still holds what was pushed here.
 * CR2 is not switched by VMX either: it is loaded for the guest and saved
 * back, written only when it differs, since a MOV to CR2 is not cheap.
 *
 * Pseudo-C:
 *	push callee-saved, push regs;
 *	if (rsp != regs->host_rsp) { regs->host_rsp = rsp; VMWRITE(HOST_RSP, rsp); }
 *	if (cr2 != regs->cr2) cr2 = regs->cr2;
 *	load guest GPRs from regs;
 *	VERW (where the kernel clears CPU buffers for VMs);
 *	launched ? VMRESUME : VMLAUNCH;   // success: continues at vmxlab_vmexit
 *	return VMXLAB_ENTER_VMFAIL;
 * vmxlab_vmexit:
 *	save guest GPRs and CR2 into regs (regs from the stack);
 *	fill the RSB, clear branch history (where the kernel does for VMs);
 *	return VMXLAB_ENTER_OK;
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>
#include "offsets.h"

SYM_FUNC_START(vmxlab_enter_guest)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* The regs pointer, found again at 0(%rsp) after the VM exit. */
	push	%rdi

	/* HOST_RSP changes only when the caller's stack depth does. */
	cmp	%rsp, GREGS_HOST_RSP_OFF(%rdi)
	je	1f
	mov	%rsp, GREGS_HOST_RSP_OFF(%rdi)
	mov	$VMCS_FIELD_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail		/* CF or ZF: VMfailInvalid or VMfailValid */
1:
	mov	GREGS_CR2_OFF(%rdi), %rax
	mov	%cr2, %rdx
	cmp	%rax, %rdx
	je	2f
	mov	%rax, %cr2
2:
	/*
	 * CF = !launched (0 - 1 borrows).  Nothing below touches CF: the
	 * MOVs touch no flag, VERW only ZF.
	 */
	cmp	$1, %rsi

	mov	GREGS_RAX_OFF(%rdi), %rax
	mov	GREGS_RCX_OFF(%rdi), %rcx
	mov	GREGS_RDX_OFF(%rdi), %rdx
	mov	GREGS_RBX_OFF(%rdi), %rbx
	mov	GREGS_RBP_OFF(%rdi), %rbp
	mov	GREGS_RSI_OFF(%rdi), %rsi
	mov	GREGS_R8_OFF(%rdi), %r8
	mov	GREGS_R9_OFF(%rdi), %r9
	mov	GREGS_R10_OFF(%rdi), %r10
	mov	GREGS_R11_OFF(%rdi), %r11
	mov	GREGS_R12_OFF(%rdi), %r12
	mov	GREGS_R13_OFF(%rdi), %r13
	mov	GREGS_R14_OFF(%rdi), %r14
	mov	GREGS_R15_OFF(%rdi), %r15
	mov	GREGS_RDI_OFF(%rdi), %rdi

	/*
	 * MDS, TAA, MMIO stale data, RFDS: clear the CPU buffers the host
	 * filled, as the last memory access before entry.  The kernel sets
	 * X86_FEATURE_CLEAR_CPU_BUF_VM where the CPU needs it (both 6.1 and
	 * 6.12 offer the macro); elsewhere it is patched out at load.
	 */
	VM_CLEAR_CPU_BUFFERS

	UNWIND_HINT_SAVE
	jc	.Llaunch
.Lresume:
	vmresume
	jmp	.Lvmfail
.Llaunch:
	vmlaunch
	jmp	.Lvmfail

	_ASM_EXTABLE(.Lresume, .Lfault)
	_ASM_EXTABLE(.Llaunch, .Lfault)

SYM_INNER_LABEL(vmxlab_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/* RSP is HOST_RSP again: 0(%rsp) is the regs pointer. */
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, GREGS_RAX_OFF(%rdi)
	mov	%rcx, GREGS_RCX_OFF(%rdi)
	mov	%rdx, GREGS_RDX_OFF(%rdi)
	mov	%rbx, GREGS_RBX_OFF(%rdi)
	mov	%rbp, GREGS_RBP_OFF(%rdi)
	mov	%rsi, GREGS_RSI_OFF(%rdi)
	mov	%r8, GREGS_R8_OFF(%rdi)
	mov	%r9, GREGS_R9_OFF(%rdi)
	mov	%r10, GREGS_R10_OFF(%rdi)
	mov	%r11, GREGS_R11_OFF(%rdi)
	mov	%r12, GREGS_R12_OFF(%rdi)
	mov	%r13, GREGS_R13_OFF(%rdi)
	mov	%r14, GREGS_R14_OFF(%rdi)
	mov	%r15, GREGS_R15_OFF(%rdi)
	pop	GREGS_RDI_OFF(%rdi)
	mov	%cr2, %rax
	mov	%rax, GREGS_CR2_OFF(%rdi)

	/*
	 * Before the first RET after the exit: return predictions the guest
	 * trained must not steer the host (RSB filling; the one-entry
	 * variant where eIBRS leaves only PBRSB), nor its branch history
	 * (BHI).  Both are patched in by the kernel where the CPU needs
	 * them; they clobber RAX and RCX only, saved above.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, X86_FEATURE_RSB_VMEXIT_LITE
	CLEAR_BRANCH_HISTORY_VMEXIT
	mov	$VMXLAB_ENTER_OK, %eax

.Lout:
	add	$8, %rsp		/* the regs pointer */
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	/* No guest value may stay in a register the caller can see. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	RET

.Lvmfail:
	mov	$VMXLAB_ENTER_VMFAIL, %eax
	jmp	.Lout
.Lfault:
	mov	$VMXLAB_ENTER_FAULT, %eax
	jmp	.Lout
SYM_FUNC_END(vmxlab_enter_guest)
