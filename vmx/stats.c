// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM view behind `vmxlab ps` and `vmxlab top`: one debugfs file
 * per VM, beside the per-vCPU files of vmx/debugfs.c,
 *
 *   /sys/kernel/debug/vmxlab/vm-<pid>-<n>/status
 *
 * as "key value" lines, in this order:
 *
 *   pid 1234                 the creator's process (thread group) id
 *   comm vmxlab              its command name then (TASK_COMM_LEN),
 *                            unprintable bytes shown as '?'
 *   slots 1                  memory slots in use
 *   pinned_pages 260         guest pages pinned (mapped in EPT)
 *   ept_pages 5              EPT paging structures, the PML4 included
 *   vcpus 2
 *   vcpu 0 cpu 1 state running exits 1200 entries 1201
 *                            one line per vCPU: the CPU where its VMCS
 *                            was last loaded (-1: never), running (in
 *                            KVM_RUN), halted (its last KVM_RUN returned
 *                            KVM_EXIT_HLT) or user (in user space)
 *   exits 1234               all vCPUs' VM exits
 *   exit 10 CPUID 1200       per basic exit reason taken at least once:
 *                            number (SDM Vol. 3D, Appendix C), name, count
 *   exits_other 0            exits with a basic reason past the table
 *
 * A global place is needed to list every VM, as kvm_stat reads KVM's
 * debugfs; like KVM's, it is root's (debugfs is mounted 0700).
 *
 * The counters are the exit dispatcher's (vmx/run.c, one add per exit in
 * the vCPU's own run area); this file only sums them, at read time.  Each
 * is a 64-bit value written by one CPU, read without stopping the vCPU: a
 * reader sees a recent count.  The run area is mapped into the owner's
 * process, so the owner can write its own VM's counts (and only those):
 * readers treat them as numbers to show, never as sizes or indices.
 * vm->lock keeps the vCPUs from going while they are summed
 * (vcpu_destroy() clears vm->vcpus[] under it).
 */
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <vmxlab/exits.h>
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

static const char *const run_state_names[] = {
	[VCPU_STATE_USER] = "user",
	[VCPU_STATE_RUNNING] = "running",
	[VCPU_STATE_HALTED] = "halted",
};

static const char *run_state_name(enum vcpu_run_state state)
{
	if (state < ARRAY_SIZE(run_state_names) && run_state_names[state])
		return run_state_names[state];
	return "unknown";
}

/* Exits of one vCPU, every basic reason and those past the table. */
static u64 vcpu_exits_total(const struct vmxlab_vcpu *vcpu)
{
	const struct vmxlab_exit_info *info = vcpu->info;
	u64 sum = READ_ONCE(info->exits_other);
	unsigned int i;

	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++)
		sum += READ_ONCE(info->exits[i]);
	return sum;
}

static u64 vm_exits_of_reason(const struct vmxlab_vm *vm, unsigned int reason)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < VMXLAB_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			sum += READ_ONCE(vm->vcpus[i]->info->exits[reason]);
	return sum;
}

static void show_vcpus(struct seq_file *m, const struct vmxlab_vm *vm, u64 *total)
{
	unsigned int i, n = 0;

	for (i = 0; i < VMXLAB_MAX_VCPUS; i++)
		n += !!vm->vcpus[i];
	seq_printf(m, "vcpus %u\n", n);
	for (i = 0; i < VMXLAB_MAX_VCPUS; i++) {
		const struct vmxlab_vcpu *vcpu = vm->vcpus[i];
		u64 exits;

		if (!vcpu)
			continue;
		exits = vcpu_exits_total(vcpu);
		*total += exits;
		seq_printf(m, "vcpu %u cpu %d state %s exits %llu entries %llu\n",
			   vcpu->id, READ_ONCE(vcpu->last_cpu),
			   run_state_name(READ_ONCE(vcpu->run_state)), exits,
			   READ_ONCE(vcpu->info->entries));
	}
}

static void show_exits(struct seq_file *m, const struct vmxlab_vm *vm, u64 total)
{
	u64 other = 0;
	unsigned int i;

	seq_printf(m, "exits %llu\n", total);
	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++) {
		u64 n = vm_exits_of_reason(vm, i);
		const char *name = vmx_exit_reason_name(i);

		if (n)
			seq_printf(m, "exit %u %s %llu\n", i, name ? name : "UNKNOWN", n);
	}
	for (i = 0; i < VMXLAB_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			other += READ_ONCE(vm->vcpus[i]->info->exits_other);
	seq_printf(m, "exits_other %llu\n", other);
}

static unsigned int slots_used(const struct vmxlab_vm *vm)
{
	unsigned int i, n = 0;

	for (i = 0; i < VMXLAB_MAX_SLOTS; i++)
		n += vm->slots[i].used;
	return n;
}

static int vm_status_show(struct seq_file *m, void *unused)
{
	struct vmxlab_vm *vm = m->private;
	u64 total = 0;

	seq_printf(m, "pid %d\ncomm %s\n", vm->owner_pid, vm->owner_comm);
	mutex_lock(&vm->lock);
	seq_printf(m, "slots %u\npinned_pages %lu\nept_pages %lu\n",
		   slots_used(vm), vm->pinned_pages, vm->ept.tables);
	show_vcpus(m, vm, &total);
	show_exits(m, vm, total);
	mutex_unlock(&vm->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vm_status);

/*
 * The owner's command name as the file shows it: one line of printable
 * ASCII, whatever PR_SET_NAME put there.
 */
static void record_owner(struct vmxlab_vm *vm)
{
	char *c;

	vm->owner_pid = task_tgid_nr(current);
	get_task_comm(vm->owner_comm, current);
	for (c = vm->owner_comm; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			*c = '?';
}

/*
 * At KVM_CREATE_VM, in the creator's context, once vm->debugfs exists.
 * debugfs_remove() of that directory in vm_free() removes this file and
 * waits for its readers.
 */
void vmxlab_stats_add_vm(struct vmxlab_vm *vm)
{
	record_owner(vm);
	debugfs_create_file("status", 0400, vm->debugfs, vm, &vm_status_fops);
}
