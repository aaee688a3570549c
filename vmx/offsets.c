// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets and values the entry/exit stub needs, generated at build time (the
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
	GPR_OFFSET(GREGS_RAX_OFF, GPR_RAX);
	GPR_OFFSET(GREGS_RCX_OFF, GPR_RCX);
	GPR_OFFSET(GREGS_RDX_OFF, GPR_RDX);
	GPR_OFFSET(GREGS_RBX_OFF, GPR_RBX);
	GPR_OFFSET(GREGS_RBP_OFF, GPR_RBP);
	GPR_OFFSET(GREGS_RSI_OFF, GPR_RSI);
	GPR_OFFSET(GREGS_RDI_OFF, GPR_RDI);
	GPR_OFFSET(GREGS_R8_OFF, GPR_R8);
	GPR_OFFSET(GREGS_R9_OFF, GPR_R9);
	GPR_OFFSET(GREGS_R10_OFF, GPR_R10);
	GPR_OFFSET(GREGS_R11_OFF, GPR_R11);
	GPR_OFFSET(GREGS_R12_OFF, GPR_R12);
	GPR_OFFSET(GREGS_R13_OFF, GPR_R13);
	GPR_OFFSET(GREGS_R14_OFF, GPR_R14);
	GPR_OFFSET(GREGS_R15_OFF, GPR_R15);
	OFFSET(GREGS_CR2_OFF, vmxlab_guest_regs, cr2);
	OFFSET(GREGS_HOST_RSP_OFF, vmxlab_guest_regs, host_rsp);
	DEFINE(VMCS_FIELD_HOST_RSP, VMCS_HOST_RSP);
	DEFINE(VMXLAB_ENTER_OK, VMXLAB_ENTER_OK);
	DEFINE(VMXLAB_ENTER_VMFAIL, VMXLAB_ENTER_VMFAIL);
	DEFINE(VMXLAB_ENTER_FAULT, VMXLAB_ENTER_FAULT);
}
