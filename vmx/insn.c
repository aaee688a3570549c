// SPDX-License-Identifier: GPL-2.0
/*
 * Reporting of failed VMX instructions, out of line and ratelimited so
 * that a failing path cannot flood the log.
 */
#include <vmxlab/names.h>
#include "vmx/insn.h"
#include "vmx/vmx.h"

const char *vmx_insn_status_name(enum vmx_insn_status status)
{
	switch (status) {
	case VMX_INSN_OK:
		return "VMsucceed";
	case VMX_INSN_FAIL_INVALID:
		return "VMfailInvalid (no current VMCS)";
	case VMX_INSN_FAIL_VALID:
		return "VMfailValid";
	case VMX_INSN_FAULT:
		return "fault (#UD or #GP)";
	}
	return "unknown status";
}

/*
 * The VM-instruction error field is meaningful only after VMfailValid
 * (SDM Vol. 3C, "VM Instruction Error Numbers"): only then is there a
 * current VMCS holding it.
 */
void vmx_insn_report(const char *insn, enum vmx_insn_status status)
{
	unsigned long error;

	if (status == VMX_INSN_FAIL_VALID &&
	    vmx_vmread(VMCS_VM_INSTRUCTION_ERROR, &error) == VMX_INSN_OK) {
		pr_err_ratelimited("%s failed: VMfailValid, VM-instruction error %lu: %s\n",
				   insn, error, vmx_insn_error_name(error));
		return;
	}
	pr_err_ratelimited("%s failed: %s\n", insn, vmx_insn_status_name(status));
}

/*
 * A VMREAD or VMWRITE of the current VMCS failed: vmxlab used a field
 * the CPU lacks or had no current VMCS, which is a bug in vmxlab.
 */
void vmcs_access_failed(const char *insn, unsigned long field,
			enum vmx_insn_status status)
{
	pr_err_ratelimited("%s of VMCS field 0x%lx failed\n", insn, field);
	vmx_insn_report(insn, status);
	WARN_ON_ONCE(1);
}
