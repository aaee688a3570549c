// SPDX-License-Identifier: GPL-2.0
/*
 * VMXLAB_CHECK_ENTRY: vmcs/entry_checks.c, the model of the SDM's VM-entry
 * checks, run on a vCPU's VMCS as VMREAD sees it, reported to user space.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <vmxlab/entry_checks.h>
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

#define MAX_REPORTED	32

/* A field the CPU does not implement reads as absent (VMfailValid, error 12). */
static bool read_current_vmcs(void *ctx, u32 field, u64 *value)
{
	unsigned long v = 0;
	bool ok = vmx_vmread(field, &v) == VMX_INSN_OK;

	*value = ok ? v : 0;
	return ok;
}

/* What the model needs to know of this machine's CPU. */
static struct entry_check_cpu host_entry_check_cpu(void)
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
	struct entry_check_cpu cpu = host_entry_check_cpu();

	return entry_checks_run(&cpu, read_current_vmcs, NULL, NULL, 0) > 0;
}

long vcpu_check_entry(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct entry_check_cpu cpu = host_entry_check_cpu();
	struct vmxlab_entry_failure __user *dst;
	struct entry_check_failure *found;
	struct vmxlab_entry_failure one;
	struct vmxlab_entry_check req;
	int total, i, n;
	long err = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.pad || memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	found = kcalloc(MAX_REPORTED, sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	vcpu_load(vcpu);
	total = entry_checks_run(&cpu, read_current_vmcs, NULL, found, MAX_REPORTED);
	vcpu_put(vcpu);
	n = min3(total, MAX_REPORTED, (int)min_t(u32, req.max, INT_MAX));
	dst = u64_to_user_ptr(req.failures);
	for (i = 0; i < n && !err; i++) {
		to_user_form(&found[i], &one);
		if (copy_to_user(&dst[i], &one, sizeof(one)))
			err = -EFAULT;
	}
	kfree(found);
	if (err)
		return err;
	req.count = total;
	req.checks = entry_check_count();
	return copy_to_user(argp, &req, sizeof(req)) ? -EFAULT : 0;
}
