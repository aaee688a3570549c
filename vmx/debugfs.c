// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics in debugfs, readable while a VM runs (`vmxlab stat`):
 *
 *   /sys/kernel/debug/vmxlab/vm-<pid>-<n>/vcpu<i>
 *
 * one line per basic exit reason the vCPU has taken ("CPUID 1234", SDM
 * Vol. 3D Appendix C names), then "entries N" and "entry_failures N".
 * The counters are the ones the exit dispatcher keeps in the vCPU's run
 * area (struct vmxlab_exit_info), read without stopping the vCPU: each
 * is a 64-bit value written by one CPU, so a reader sees a recent count.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <vmxlab/exits.h>
#include "vcpu.h"
#include "vmxlab.h"

static struct dentry *debugfs_root;
static atomic_t vm_serial = ATOMIC_INIT(0);

static int vcpu_stats_show(struct seq_file *m, void *unused)
{
	const struct vmxlab_vcpu *vcpu = m->private;
	const struct vmxlab_exit_info *info = vcpu->info;
	unsigned int i;

	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++) {
		u64 n = READ_ONCE(info->exits[i]);
		const char *name = vmx_exit_reason_name(i);

		if (n)
			seq_printf(m, "%s %llu\n", name ? name : "UNKNOWN", n);
	}
	if (READ_ONCE(info->exits_other))
		seq_printf(m, "OTHER %llu\n", READ_ONCE(info->exits_other));
	seq_printf(m, "entries %llu\n", READ_ONCE(info->entries));
	seq_printf(m, "entry_failures %llu\n", READ_ONCE(info->entry_failures));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcpu_stats);

void vmxlab_debugfs_add_vm(struct vmxlab_vm *vm)
{
	char name[48];

	snprintf(name, sizeof(name), "vm-%d-%d", task_tgid_nr(current),
		 atomic_inc_return(&vm_serial));
	vm->debugfs = debugfs_create_dir(name, debugfs_root);
}

void vmxlab_debugfs_add_vcpu(struct vmxlab_vcpu *vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	vcpu->debugfs = debugfs_create_file(name, 0400, vcpu->vm->debugfs, vcpu,
					    &vcpu_stats_fops);
}

/* debugfs_remove() returns once no reader is inside vcpu_stats_show(). */
void vmxlab_debugfs_remove(struct dentry *dentry)
{
	debugfs_remove(dentry);
}

void vmxlab_debugfs_init(void)
{
	debugfs_root = debugfs_create_dir(VMXLAB_DEVICE_NAME, NULL);
}

void vmxlab_debugfs_exit(void)
{
	debugfs_remove(debugfs_root);
}
