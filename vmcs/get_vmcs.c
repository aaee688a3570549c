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
#include <linux/uaccess.h>
#include <vmxlab/names.h>
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

static void read_all_fields(struct vmxlab_vmcs_field *fields, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		unsigned long value = 0;

		fields[i].encoding = vmcs_field_encoding(i);
		fields[i].flags = 0;
		if (vmx_vmread(fields[i].encoding, &value) == VMX_INSN_OK)
			fields[i].flags = VMXLAB_VMCS_FIELD_SUPPORTED;
		fields[i].value = fields[i].flags ? value : 0;
	}
}

long vmcs_snapshot_ioctl(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_vmcs_snapshot snap;
	unsigned int count = vmcs_field_count();
	struct vmxlab_vmcs_field *fields;
	long err = 0;

	if (copy_from_user(&snap, argp, sizeof(snap)))
		return -EFAULT;
	if (snap.flags || memchr_inv(snap.reserved, 0, sizeof(snap.reserved)))
		return -EINVAL;
	if (snap.nfields < count) {
		snap.nfields = count;
		return copy_to_user(argp, &snap, sizeof(snap)) ? -EFAULT : -E2BIG;
	}
	fields = kcalloc(count, sizeof(*fields), GFP_KERNEL);
	if (!fields)
		return -ENOMEM;
	vcpu_load(vcpu);
	read_all_fields(fields, count);
	vcpu_put(vcpu);
	snap.nfields = count;
	if (copy_to_user(u64_to_user_ptr(snap.fields), fields, count * sizeof(*fields)) ||
	    copy_to_user(argp, &snap, sizeof(snap)))
		err = -EFAULT;
	kfree(fields);
	return err;
}
