// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation on every online CPU, held only while vmxlab has users.
 *
 * vmxlab turns VMX on when its first user asks (VMXLAB_VMX_ENABLE or a VM)
 * and off when the last one leaves, so that it can take turns with
 * kvm_intel in one boot.  While VMX is on:
 *   - a CPU coming online enters VMX operation, one going offline leaves it
 *     (cpuhp callbacks, run on that CPU);
 *   - suspend leaves it on the last CPU and resume re-enters it (syscore);
 *   - reboot leaves it on every CPU and refuses to re-enter (notifier).
 *
 * Per CPU (SDM Vol. 3C, "Enabling and Entering VMX Operation"):
 *   VMXON needs CR4.VMXE = 1, CR0/CR4 within the VMX-fixed bits and a
 *   VMXON region holding the VMCS revision id; VMXOFF leaves VMX operation,
 *   after which CR4.VMXE may be cleared again.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>
#include "vmcs/vmcs.h"
#include "vmx/compat.h"
#include "vmx/insn.h"
#include "vmx/vmx.h"

/* Why VMXON could not be done on one CPU, recorded there, printed later. */
enum vmxon_failure {
	VMXON_OK,
	VMXON_BUSY,		/* CR4.VMXE already set: another hypervisor */
	VMXON_FIXED_BITS,	/* CR0/CR4 outside the VMX-fixed bits */
	VMXON_INSN,		/* VMXON itself failed */
	VMXON_NO_REGION,	/* no memory for the VMXON region */
	VMXON_REFUSED,		/* refuse_vmxon_cpu names this CPU */
};

struct vmxlab_cpu {
	void *vmxon_region;
	bool vmx_on;
	enum vmxon_failure failure;
	enum vmx_insn_status insn_status;
};

static DEFINE_PER_CPU(struct vmxlab_cpu, vmxlab_cpu);

/*
 * Fault injection: a CPU whose VMXON fails while the others succeed is
 * what the all-or-nothing paths below exist for (another hypervisor on
 * one CPU, a CPU whose firmware left VMX locked off), and no machine
 * shows it on demand.  Naming a CPU here makes that CPU fail just before
 * VMXON, with CR4.VMXE already set, as a failed VMXON leaves it.  Read
 * only when VMX is turned on (first user, CPU online, resume).
 */
static int refuse_vmxon_cpu = -1;
module_param(refuse_vmxon_cpu, int, 0644);
MODULE_PARM_DESC(refuse_vmxon_cpu,
		 "Fault injection, for testing: entering VMX operation fails on this CPU (the others then leave it again; a CPU coming online is refused). -1 (default): none");

/*
 * vmx_users changes under vmx_lock.  Its 0 <-> 1 transitions also happen
 * under cpus_read_lock(), which excludes the cpuhp callbacks, so those
 * callbacks may read it without vmx_lock.
 */
static DEFINE_MUTEX(vmx_lock);
static unsigned int vmx_users;
static bool vmx_rebooting;
static enum cpuhp_state vmx_cpuhp_state;

unsigned int vmxlab_vmx_users(void)
{
	return READ_ONCE(vmx_users);
}

static bool cr_within_fixed_bits(void)
{
	const struct vmxlab_caps *caps = &vmxlab_host_caps;

	return !vmx_fixed_bits_violations(read_cr0(),
					  caps->msr[VMXLAB_CAP_CR0_FIXED0],
					  caps->msr[VMXLAB_CAP_CR0_FIXED1]) &&
	       !vmx_fixed_bits_violations(__read_cr4(),
					  caps->msr[VMXLAB_CAP_CR4_FIXED0],
					  caps->msr[VMXLAB_CAP_CR4_FIXED1]);
}

/* Enter VMX operation on this CPU.  Runs with preemption disabled. */
static int vmx_on_this_cpu(void)
{
	struct vmxlab_cpu *vc = this_cpu_ptr(&vmxlab_cpu);

	vc->failure = VMXON_OK;
	if (vc->vmx_on)
		return 0;
	if (!vc->vmxon_region) {
		vc->failure = VMXON_NO_REGION;
		return -ENOMEM;
	}
	/*
	 * CR4.VMXE set by someone else means another hypervisor (kvm_intel)
	 * is in VMX operation here: VMXON would fail with VMfailValid
	 * "VMXON executed in VMX root operation", and clearing VMXE would
	 * break it.  Leave its state alone.
	 */
	if (__read_cr4() & X86_CR4_VMXE) {
		vc->failure = VMXON_BUSY;
		return -EBUSY;
	}
	cr4_set_bits(X86_CR4_VMXE);
	if (!cr_within_fixed_bits()) {
		cr4_clear_bits(X86_CR4_VMXE);
		vc->failure = VMXON_FIXED_BITS;
		return -EIO;
	}
	if (READ_ONCE(refuse_vmxon_cpu) == (int)smp_processor_id()) {
		cr4_clear_bits(X86_CR4_VMXE);
		vc->failure = VMXON_REFUSED;
		return -EIO;
	}
	vc->insn_status = vmx_vmxon(virt_to_phys(vc->vmxon_region));
	if (vc->insn_status != VMX_INSN_OK) {
		cr4_clear_bits(X86_CR4_VMXE);
		vc->failure = VMXON_INSN;
		return -EIO;
	}
	vc->vmx_on = true;
	return 0;
}

/*
 * Leave VMX operation on this CPU and restore CR4.VMXE to clear, as it
 * was before VMXON (vmx_on_this_cpu() refuses a CPU where it was set).
 */
static void vmx_off_this_cpu(void)
{
	struct vmxlab_cpu *vc = this_cpu_ptr(&vmxlab_cpu);
	enum vmx_insn_status status;

	if (!vc->vmx_on)
		return;
	/*
	 * A VMCS still active here would lose whatever the CPU caches of it
	 * (SDM Vol. 3C, "Software Use of Virtual-Machine Control
	 * Structures": VMCLEAR before VMXOFF), and its vCPU could not be
	 * loaded elsewhere.
	 */
	vmxlab_vmclear_all_on_this_cpu();
	status = vmx_vmxoff();
	/*
	 * After our own VMXON, VMXOFF fails only under the dual-monitor
	 * treatment of SMIs and SMM (VMfailValid, error 23; SDM Vol. 3C,
	 * VMXOFF instruction reference), which vmxlab never activates: a
	 * failure means the host's VMX state is not what vmxlab left.
	 */
	if (status != VMX_INSN_OK) {
		vmx_insn_report("VMXOFF", status);
		WARN_ON_ONCE(1);
	}
	cr4_clear_bits(X86_CR4_VMXE);
	vc->vmx_on = false;
}

static void vmx_on_ipi(void *failed)
{
	if (vmx_on_this_cpu())
		atomic_set(failed, 1);
}

static void vmx_off_ipi(void *unused)
{
	vmx_off_this_cpu();
}

static int alloc_region(int cpu)
{
	struct vmxlab_cpu *vc = per_cpu_ptr(&vmxlab_cpu, cpu);

	if (!vc->vmxon_region)
		vc->vmxon_region = vmcs_alloc_region(cpu, GFP_KERNEL);
	return vc->vmxon_region ? 0 : -ENOMEM;
}

static void free_region(int cpu)
{
	struct vmxlab_cpu *vc = per_cpu_ptr(&vmxlab_cpu, cpu);

	vmcs_free_region(vc->vmxon_region);
	vc->vmxon_region = NULL;
}

static void free_all_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		free_region(cpu);
}

static void report_vmxon_failure(int cpu)
{
	const struct vmxlab_cpu *vc = per_cpu_ptr(&vmxlab_cpu, cpu);

	switch (vc->failure) {
	case VMXON_OK:
		break;
	case VMXON_BUSY:
		pr_err_ratelimited("cannot turn VMX on: CPU %d is already in VMX operation (CR4.VMXE = 1), so another hypervisor holds VMX, most likely kvm_intel: %s\n",
				   cpu, VMXLAB_KVM_HINT);
		break;
	case VMXON_FIXED_BITS:
		pr_err_ratelimited("cannot turn VMX on: CPU %d has CR0/CR4 outside the VMX-fixed bits (IA32_VMX_CR0/CR4_FIXED0/1)\n",
				   cpu);
		break;
	case VMXON_INSN:
		pr_err_ratelimited("cannot turn VMX on: VMXON on CPU %d ended in %s\n",
				   cpu, vmx_insn_status_name(vc->insn_status));
		break;
	case VMXON_NO_REGION:
		pr_err_ratelimited("cannot turn VMX on: no memory for CPU %d's VMXON region\n",
				   cpu);
		break;
	case VMXON_REFUSED:
		pr_err_ratelimited("cannot turn VMX on: CPU %d refused by the module parameter refuse_vmxon_cpu (fault injection)\n",
				   cpu);
		break;
	}
}

static int first_failure_errno(void)
{
	int cpu;

	for_each_online_cpu(cpu) {
		enum vmxon_failure f = per_cpu_ptr(&vmxlab_cpu, cpu)->failure;

		if (f == VMXON_BUSY)
			return -EBUSY;
		if (f == VMXON_NO_REGION)
			return -ENOMEM;
		if (f != VMXON_OK)
			return -EIO;
	}
	return -EIO;
}

/*
 * Enter VMX operation on every online CPU, or on none: if one CPU fails,
 * every CPU that succeeded leaves again.  Called with cpus_read_lock().
 */
static int vmx_on_all_cpus(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	int cpu, err;

	for_each_online_cpu(cpu) {
		err = alloc_region(cpu);
		if (err)
			goto free_regions;
	}
	on_each_cpu(vmx_on_ipi, &failed, 1);
	if (!atomic_read(&failed))
		return 0;

	for_each_online_cpu(cpu)
		report_vmxon_failure(cpu);
	err = first_failure_errno();
	on_each_cpu(vmx_off_ipi, NULL, 1);
free_regions:
	free_all_regions();
	return err;
}

static void vmx_off_all_cpus(void)
{
	on_each_cpu(vmx_off_ipi, NULL, 1);
	free_all_regions();
}

/* Take a reference on VMX operation, turning it on with the first one. */
int vmxlab_vmx_get(void)
{
	int err = 0;

	mutex_lock(&vmx_lock);
	if (vmx_rebooting) {
		err = -ESHUTDOWN;
	} else if (vmx_users == 0) {
		cpus_read_lock();
		err = vmx_on_all_cpus();
		if (!err)
			WRITE_ONCE(vmx_users, 1);
		cpus_read_unlock();
	} else {
		WRITE_ONCE(vmx_users, vmx_users + 1);
	}
	mutex_unlock(&vmx_lock);
	return err;
}

/* Drop a reference; the last one turns VMX off on every CPU. */
void vmxlab_vmx_put(void)
{
	mutex_lock(&vmx_lock);
	if (!WARN_ON_ONCE(vmx_users == 0)) {
		if (vmx_users == 1) {
			cpus_read_lock();
			vmx_off_all_cpus();
			WRITE_ONCE(vmx_users, 0);
			cpus_read_unlock();
		} else {
			WRITE_ONCE(vmx_users, vmx_users - 1);
		}
	}
	mutex_unlock(&vmx_lock);
}

/* cpuhp: a CPU coming online joins VMX operation if vmxlab holds it. */
static int vmx_cpu_online(unsigned int cpu)
{
	int err;

	if (!READ_ONCE(vmx_users) || READ_ONCE(vmx_rebooting))
		return 0;
	err = alloc_region(cpu);
	if (err)
		return err;
	preempt_disable();
	err = vmx_on_this_cpu();
	preempt_enable();
	if (err) {
		report_vmxon_failure(cpu);
		free_region(cpu);
	}
	return err;
}

/* cpuhp: a CPU going offline leaves VMX operation first. */
static int vmx_cpu_offline(unsigned int cpu)
{
	preempt_disable();
	vmx_off_this_cpu();
	preempt_enable();
	free_region(cpu);
	return 0;
}

/*
 * Suspend runs the syscore callbacks on the last online CPU with
 * interrupts off; the other CPUs have left through vmx_cpu_offline().
 * The VMXON region is kept for resume.
 */
static int vmx_suspend(VMXLAB_SYSCORE_PARAMS)
{
	vmx_off_this_cpu();
	return 0;
}

static void vmx_resume(VMXLAB_SYSCORE_PARAMS)
{
	if (READ_ONCE(vmx_users) && vmx_on_this_cpu())
		report_vmxon_failure(smp_processor_id());
}

VMXLAB_DEFINE_SYSCORE(vmx_syscore, vmx_suspend, vmx_resume);

/*
 * A CPU left in VMX operation blocks INIT, so a reboot would hang the
 * other CPUs: leave VMX everywhere first, and never re-enter it.
 */
static int vmx_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	WRITE_ONCE(vmx_rebooting, true);
	if (READ_ONCE(vmx_users))
		pr_info("reboot: leaving VMX operation on every CPU\n");
	on_each_cpu(vmx_off_ipi, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block vmx_reboot_notifier = {
	.notifier_call = vmx_reboot,
};

int vmxlab_vmx_lifecycle_init(void)
{
	int state;

	state = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vmxlab:online",
				  vmx_cpu_online, vmx_cpu_offline);
	if (state < 0)
		return state;
	vmx_cpuhp_state = state;
	vmxlab_register_syscore(&vmx_syscore);
	register_reboot_notifier(&vmx_reboot_notifier);
	return 0;
}

void vmxlab_vmx_lifecycle_exit(void)
{
	unregister_reboot_notifier(&vmx_reboot_notifier);
	vmxlab_unregister_syscore(&vmx_syscore);
	cpuhp_remove_state(vmx_cpuhp_state);
}

/* Read one CPU's VMX state on that CPU. */
static void cpu_state_ipi(void *arg)
{
	struct vmxlab_cpu_state *state = arg;
	u64 current_vmcs = ~0ULL;

	state->flags = VMXLAB_CPU_ONLINE;
	state->cr4 = __read_cr4();
	if (this_cpu_ptr(&vmxlab_cpu)->vmx_on)
		state->flags |= VMXLAB_CPU_VMXON;
	if (state->cr4 & X86_CR4_VMXE)
		state->flags |= VMXLAB_CPU_CR4_VMXE;
	/*
	 * VMPTRST is legal only in VMX operation; outside it raises #UD,
	 * which the wrapper turns into VMX_INSN_FAULT.  So it tells, on the
	 * CPU itself, whether the CPU really is in VMX root operation.
	 */
	if (vmx_vmptrst(&current_vmcs) == VMX_INSN_OK) {
		state->flags |= VMXLAB_CPU_IN_VMX_ROOT;
		state->current_vmcs = current_vmcs;
	}
}

int vmxlab_cpu_state(struct vmxlab_cpu_state *state)
{
	int err;

	if (state->cpu >= nr_cpu_ids)
		return -EINVAL;
	state->flags = 0;
	state->cr4 = 0;
	state->current_vmcs = 0;
	cpus_read_lock();
	if (cpu_online(state->cpu))
		err = smp_call_function_single(state->cpu, cpu_state_ipi, state, 1);
	else
		err = 0;
	cpus_read_unlock();
	return err;
}
