// SPDX-License-Identifier: GPL-2.0
/*
 * VMXLAB_GET_VMCS: every VMCS field of a vCPU, as VMREAD returns it.
 *
 * The processor keeps VMCS data in an implementation-specific format,
 * possibly cached on the CPU (SDM Vol. 3C, "Format of the VMCS Region"):
 * VMREAD of the current VMCS is the only way to see it.  A field the CPU
 * does not implement fails with VMfailValid, error 12 ("VMREAD/VMWRITE
 * from/to unsupported VMCS component"): it is reported as unsupported,
 * not as an error.
 */
#include <linux/slab.h>
#include <vmxlab/names.h>
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/*
 * VMREAD of one field into *@value, which only a success writes.  Not
 * inlined: inlined into the loop below, GCC 12 stored VMREAD's register
 * (holding the field's encoding) as the value of a field whose VMREAD
 * failed, where the source stores 0: the documented 0 of an unsupported
 * field became its encoding.  Across a call the failure path cannot see
 * that register.
 */
static noinline bool read_one_field(u32 encoding, unsigned long *value)
{
	unsigned long v;

	if (vmx_vmread(encoding, &v) != VMX_INSN_OK)
		return false;
	*value = v;
	return true;
}

static void read_all_fields(struct vmxlab_vmcs_field *fields, unsigned int count,
			    bool show_host)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		unsigned long value = 0;

		fields[i].encoding = vmcs_field_encoding(i);
		fields[i].flags = 0;
		if (read_one_field(fields[i].encoding, &value))
			fields[i].flags = VMXLAB_VMCS_FIELD_SUPPORTED;
		fields[i].value = value;
		if (!show_host && vmcs_field_reveals_host(fields[i].encoding)) {
			fields[i].flags |= VMXLAB_VMCS_FIELD_HIDDEN;
			fields[i].value = 0;
		}
	}
}

/*
 * Every field vmxlab knows (vmcs_field_count() of them) of @vcpu's VMCS,
 * into @fields; without @show_host, those that would show the host's
 * kernel addresses or physical memory zeroed and flagged hidden.
 */
void vcpu_get_vmcs(struct vmxlab_vcpu *vcpu, struct vmxlab_vmcs_field *fields,
		   bool show_host)
{
	vcpu_load(vcpu);
	read_all_fields(fields, vmcs_field_count(), show_host);
	vcpu_put(vcpu);
}
