// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets the entry/exit stub needs, generated at build time (the
 * kernel's asm-offsets idiom): Kbuild compiles this file to assembly and
 * turns each DEFINE into a #define in offsets.h, so entry.S never types
 * an offset by hand.
 */
#define COMPILE_OFFSETS
#include <linux/kbuild.h>
#include <linux/stddef.h>
#include <vmxlab/vmcs_fields.h>
#include "vmx/vcpu.h"

#define GPR_OFFSET(name, reg)	\
	OFFSET(name, vmxlab_guest_regs, gpr[reg])

void vmxlab_offsets(void);

void vmxlab_offsets(void)
{
	GPR_OFFSET(GREGS_RAX, VCPU_RAX);
	GPR_OFFSET(GREGS_RCX, VCPU_RCX);
	GPR_OFFSET(GREGS_RDX, VCPU_RDX);
	GPR_OFFSET(GREGS_RBX, VCPU_RBX);
	GPR_OFFSET(GREGS_RBP, VCPU_RBP);
	GPR_OFFSET(GREGS_RSI, VCPU_RSI);
	GPR_OFFSET(GREGS_RDI, VCPU_RDI);
	GPR_OFFSET(GREGS_R8, VCPU_R8);
	GPR_OFFSET(GREGS_R9, VCPU_R9);
	GPR_OFFSET(GREGS_R10, VCPU_R10);
	GPR_OFFSET(GREGS_R11, VCPU_R11);
	GPR_OFFSET(GREGS_R12, VCPU_R12);
	GPR_OFFSET(GREGS_R13, VCPU_R13);
	GPR_OFFSET(GREGS_R14, VCPU_R14);
	GPR_OFFSET(GREGS_R15, VCPU_R15);
	OFFSET(GREGS_CR2, vmxlab_guest_regs, cr2);
	OFFSET(GREGS_HOST_RSP, vmxlab_guest_regs, host_rsp);
	DEFINE(VMCS_FIELD_HOST_RSP, VMCS_HOST_RSP);
}
