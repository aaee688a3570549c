// SPDX-License-Identifier: GPL-2.0
/*
 * VMXLAB_CHECK_ENTRY: vmcs/entry_checks.c, the model of the SDM's VM-entry
 * checks, run on a vCPU's VMCS as VMREAD sees it (the ioctl's user-space
 * side is vcpu_ioctl_check_entry() in vmx/vcpu.c).
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <vmxlab/entry_checks.h>
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/* A field the CPU does not implement reads as absent (VMfailValid, error 12). */
static bool read_current_vmcs(void *ctx, u32 field, u64 *value)
{
	unsigned long v = 0;
	bool ok = vmx_vmread(field, &v) == VMX_INSN_OK;

	*value = ok ? v : 0;
	return ok;
}

/* What the model needs to know of this machine's CPU. */
struct entry_check_cpu vmcs_entry_check_cpu(void)
{
	return (struct entry_check_cpu) {
		.caps = &vmxlab_host_caps,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
		.linear_bits = boot_cpu_data.x86_virt_bits,
	};
}

static void to_user_form(const struct entry_check_failure *f,
			 struct vmxlab_entry_failure *u)
{
	memset(u, 0, sizeof(*u));
	strscpy(u->id, f->id, sizeof(u->id));
	strscpy(u->section, f->section, sizeof(u->section));
	strscpy(u->rule, f->rule, sizeof(u->rule));
	u->area = f->area;
	u->field = f->field;
	u->value = f->value;
	u->allowed0 = f->allowed0;
	u->allowed1 = f->allowed1;
}

/*
 * Whether the model finds a check that fails on @vcpu's VMCS, which the
 * caller has loaded (vcpu_load()).
 */
bool vcpu_entry_model_refuses(struct vmxlab_vcpu *vcpu)
{
	struct entry_check_cpu cpu = vmcs_entry_check_cpu();

	return entry_checks_run(&cpu, read_current_vmcs, NULL, NULL, 0) > 0;
}

/*
 * Run the model on @vcpu's VMCS: the first VMCS_CHECK_ENTRY_MAX_REPORTED
 * failing checks go to @out, in user space's form.  Returns how many
 * checks fail in all, or -ENOMEM.
 */
int vcpu_check_entry(struct vmxlab_vcpu *vcpu, struct vmxlab_entry_failure *out)
{
	struct entry_check_cpu cpu = vmcs_entry_check_cpu();
	struct entry_check_failure *found;
	int total, i;

	found = kcalloc(VMCS_CHECK_ENTRY_MAX_REPORTED, sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	vcpu_load(vcpu);
	total = entry_checks_run(&cpu, read_current_vmcs, NULL, found,
				 VMCS_CHECK_ENTRY_MAX_REPORTED);
	vcpu_put(vcpu);
	for (i = 0; i < min(total, VMCS_CHECK_ENTRY_MAX_REPORTED); i++)
		to_user_form(&found[i], &out[i]);
	kfree(found);
	return total;
}
