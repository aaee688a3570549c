	.file	"offsets.c"
# GNU C11 (Debian 12.2.0-14+deb12u1) version 12.2.0 (x86_64-linux-gnu)
#	compiled by GNU C version 12.2.0, GMP version 6.2.1, MPFR version 4.2.0, MPC version 1.3.1, isl version isl-0.25-GMP

# GGC heuristics: --param ggc-min-expand=100 --param ggc-min-heapsize=131072
# options passed: -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -m64 -mno-80387 -mno-fp-ret-in-387 -mpreferred-stack-boundary=3 -mskip-rax-setup -mtune=generic -mno-red-zone -mcmodel=kernel -mindirect-branch=thunk-extern -mindirect-branch-register -mindirect-branch-cs-prefix -mfunction-return=thunk-extern -mharden-sls=all -mrecord-mcount -mfentry -march=x86-64 -O2 -std=gnu11 -p -fshort-wchar -funsigned-char -fno-common -fno-PIE -fno-strict-aliasing -fcf-protection=branch -falign-jumps=1 -falign-loops=1 -fno-asynchronous-unwind-tables -fno-jump-tables -fpatchable-function-entry=16,16 -fno-delete-null-pointer-checks -fno-allow-store-data-races -fstack-protector-strong -ftrivial-auto-var-init=zero -fno-stack-clash-protection -falign-functions=16 -fno-strict-overflow -fstack-check=no -fconserve-stack -fno-builtin-wcslen -fno-builtin-wcslen
	.text
	.p2align 4
	.globl	vmxlab_offsets
	.section	__patchable_function_entries,"awo",@progbits,vmxlab_offsets
	.align 8
	.quad	.LPFE1
	.text
.LPFE1:
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	nop	
	.type	vmxlab_offsets, @function
vmxlab_offsets:
	endbr64
1:	call	__fentry__
	.section __mcount_loc, "a",@progbits
	.quad 1b
	.previous
# /work/main/vmx/offsets.c:21: 	GPR_OFFSET(GREGS_RAX, VCPU_RAX);
#APP
# 21 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RAX $0 offsetof(struct vmxlab_guest_regs, gpr[0])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:22: 	GPR_OFFSET(GREGS_RCX, VCPU_RCX);
# 22 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RCX $8 offsetof(struct vmxlab_guest_regs, gpr[1])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:23: 	GPR_OFFSET(GREGS_RDX, VCPU_RDX);
# 23 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RDX $16 offsetof(struct vmxlab_guest_regs, gpr[2])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:24: 	GPR_OFFSET(GREGS_RBX, VCPU_RBX);
# 24 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RBX $24 offsetof(struct vmxlab_guest_regs, gpr[3])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:25: 	GPR_OFFSET(GREGS_RBP, VCPU_RBP);
# 25 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RBP $40 offsetof(struct vmxlab_guest_regs, gpr[5])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:26: 	GPR_OFFSET(GREGS_RSI, VCPU_RSI);
# 26 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RSI $48 offsetof(struct vmxlab_guest_regs, gpr[6])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:27: 	GPR_OFFSET(GREGS_RDI, VCPU_RDI);
# 27 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_RDI $56 offsetof(struct vmxlab_guest_regs, gpr[7])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:28: 	GPR_OFFSET(GREGS_R8, VCPU_R8);
# 28 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R8 $64 offsetof(struct vmxlab_guest_regs, gpr[8])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:29: 	GPR_OFFSET(GREGS_R9, VCPU_R9);
# 29 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R9 $72 offsetof(struct vmxlab_guest_regs, gpr[9])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:30: 	GPR_OFFSET(GREGS_R10, VCPU_R10);
# 30 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R10 $80 offsetof(struct vmxlab_guest_regs, gpr[10])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:31: 	GPR_OFFSET(GREGS_R11, VCPU_R11);
# 31 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R11 $88 offsetof(struct vmxlab_guest_regs, gpr[11])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:32: 	GPR_OFFSET(GREGS_R12, VCPU_R12);
# 32 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R12 $96 offsetof(struct vmxlab_guest_regs, gpr[12])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:33: 	GPR_OFFSET(GREGS_R13, VCPU_R13);
# 33 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R13 $104 offsetof(struct vmxlab_guest_regs, gpr[13])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:34: 	GPR_OFFSET(GREGS_R14, VCPU_R14);
# 34 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R14 $112 offsetof(struct vmxlab_guest_regs, gpr[14])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:35: 	GPR_OFFSET(GREGS_R15, VCPU_R15);
# 35 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_R15 $120 offsetof(struct vmxlab_guest_regs, gpr[15])"	#
# 0 "" 2
# /work/main/vmx/offsets.c:36: 	OFFSET(GREGS_CR2, vmxlab_guest_regs, cr2);
# 36 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_CR2 $128 offsetof(struct vmxlab_guest_regs, cr2)"	#
# 0 "" 2
# /work/main/vmx/offsets.c:37: 	OFFSET(GREGS_HOST_RSP, vmxlab_guest_regs, host_rsp);
# 37 "/work/main/vmx/offsets.c" 1
	
.ascii "->GREGS_HOST_RSP $136 offsetof(struct vmxlab_guest_regs, host_rsp)"	#
# 0 "" 2
# /work/main/vmx/offsets.c:38: 	DEFINE(VMCS_FIELD_HOST_RSP, VMCS_HOST_RSP);
# 38 "/work/main/vmx/offsets.c" 1
	
.ascii "->VMCS_FIELD_HOST_RSP $27668 VMCS_HOST_RSP"	#
# 0 "" 2
# /work/main/vmx/offsets.c:39: }
#NO_APP
	jmp	__x86_return_thunk
	.size	vmxlab_offsets, .-vmxlab_offsets
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
	.section	.note.gnu.property,"a"
	.align 8
	.long	1f - 0f
	.long	4f - 1f
	.long	5
0:
	.string	"GNU"
1:
	.align 8
	.long	0xc0000002
	.long	3f - 2f
2:
	.long	0x1
3:
	.align 8
4:
