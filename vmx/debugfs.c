// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics in debugfs, readable while a VM runs (`vmxlab stat`):
 *
 *   /sys/kernel/debug/vmxlab/vm-<pid>-<n>/vcpu<i>
 *   /sys/kernel/debug/vmxlab/vm-<pid>-<n>/vcpu<i>-cycles   (exit timing)
 *
 * one line per basic exit reason the vCPU has taken ("CPUID 1234", SDM
 * Vol. 3D Appendix C names), then "entries N" and "entry_failures N".
 * The counters are the ones the exit dispatcher keeps in the vCPU's run
 * area (struct vmxlab_exit_info), read without stopping the vCPU: each
 * is a 64-bit value written by one CPU, so a reader sees a recent count.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <vmxlab/exits.h>
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

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

/* One reason's line of vcpu<i>-cycles: the non-empty buckets as LOG2:COUNT. */
static void show_reason_cycles(struct seq_file *m, unsigned int reason,
			       const struct vmxlab_exit_cycles *c)
{
	const char *name = vmx_exit_reason_name(reason);
	u64 count = READ_ONCE(c->count);
	unsigned int b;

	if (!count)
		return;
	seq_printf(m, "%s (%u): count %llu sum %llu mean %llu buckets", name ? name : "UNKNOWN",
		   reason, count, READ_ONCE(c->sum), div64_u64(READ_ONCE(c->sum), count));
	for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++)
		if (READ_ONCE(c->buckets[b]))
			seq_printf(m, " %u:%llu", b, READ_ONCE(c->buckets[b]));
	seq_putc(m, '\n');
}

/*
 * vcpu<i>-cycles: exit timing (exits/cycles.c), "state on|off", "pending
 * REASON (N)|none", then a line per basic exit reason timed at least once.
 * Read while the vCPU runs, a line may mix counts from two moments.
 */
static int vcpu_cycles_show(struct seq_file *m, void *unused)
{
	const struct vmxlab_vcpu *vcpu = m->private;
	/* Pairs with smp_store_release() in vcpu_set_exit_cycles(). */
	const struct vmxlab_exit_cycles *cycles = smp_load_acquire(&vcpu->cycles);
	bool on = READ_ONCE(vcpu->timing_exits);
	u32 pending = READ_ONCE(vcpu->cycles_pending);
	const char *name = vmx_exit_reason_name(pending);
	unsigned int i;

	seq_printf(m, "state %s\n", on ? "on" : "off");
	if (on && pending < VMXLAB_MAX_EXIT_REASONS)
		seq_printf(m, "pending %s (%u)\n", name ? name : "UNKNOWN", pending);
	else
		seq_puts(m, "pending none\n");
	for (i = 0; cycles && i < VMXLAB_MAX_EXIT_REASONS; i++)
		show_reason_cycles(m, i, &cycles[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcpu_cycles);

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
	snprintf(name, sizeof(name), "vcpu%u-cycles", vcpu->id);
	vcpu->debugfs_cycles = debugfs_create_file(name, 0400, vcpu->vm->debugfs, vcpu,
						   &vcpu_cycles_fops);
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
