// SPDX-License-Identifier: GPL-2.0
/*
 * Running a vCPU: its VMCS on the current CPU, the host state switched
 * around KVM_RUN, and the run loop.
 *
 * A VMCS is active on at most one CPU (SDM Vol. 3C, "Software Use of
 * Virtual-Machine Control Structures"): before a vCPU's thread uses it on
 * another CPU, it is VMCLEARed on the CPU where it was active, by an IPI,
 * and then VMPTRLDed here; a VMCLEARed VMCS is no longer "launched", so
 * the next entry is a VMLAUNCH.  Preempt notifiers do this when the
 * scheduler moves the thread while it is inside a vCPU ioctl.
 *
 * The run loop has two levels.  The inner one runs with interrupts off
 * and handles the exits that need nothing but the VMCS and the vCPU
 * (CPUID, MSRs, ...), re-entering at once: no host state is reloaded per
 * exit, because none of it changes while interrupts are off.  The outer
 * one lets interrupts in, checks for signals and rescheduling, handles
 * the exits that may sleep (EPT violations pin pages), and returns to
 * user space when an exit is for it.
 */
#include <linux/bitmap.h>
#include <linux/hw_breakpoint.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include <vmxlab/compat.h>
#include <vmxlab/exits.h>
#include "../vmcs/vmcs.h"
#include "vcpu.h"
#include "vmxlab.h"

static DEFINE_PER_CPU(struct list_head, loaded_vcpus);
static DEFINE_PER_CPU(void *, current_vmcs);

/* VPIDs 1..65535 (VPID 0 is the host's: SDM Vol. 3C, "Virtual-Processor Identifiers"). */
#define VPID_COUNT	65536
static DECLARE_BITMAP(vpid_bitmap, VPID_COUNT);
static DEFINE_SPINLOCK(vpid_lock);

int vmxlab_vpid_alloc(void)
{
	unsigned long vpid;

	spin_lock(&vpid_lock);
	vpid = find_next_zero_bit(vpid_bitmap, VPID_COUNT, 1);
	if (vpid < VPID_COUNT)
		__set_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
	return vpid < VPID_COUNT ? vpid : -ENOSPC;
}

void vmxlab_vpid_free(u16 vpid)
{
	spin_lock(&vpid_lock);
	__clear_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
}

/* Invalidate this vCPU's guest-linear translations on this CPU. */
void vcpu_flush_guest_tlb(struct vmxlab_vcpu *vcpu)
{
	struct vmx_invvpid_desc desc = { .vpid = vcpu->vpid };
	enum vmx_insn_status status;

	status = vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, &desc);
	if (status != VMX_INSN_OK)
		vmx_insn_report("INVVPID", status);
}

static void vmptrld_here(struct vmxlab_vcpu *vcpu)
{
	enum vmx_insn_status status;

	status = vmx_vmptrld(vcpu->vmcs_pa);
	if (status != VMX_INSN_OK)
		vmx_insn_report("VMPTRLD", status);
	this_cpu_write(current_vmcs, vcpu->vmcs);
}

/* Runs on vcpu->cpu with interrupts off. */
static void vmclear_here(void *arg)
{
	struct vmxlab_vcpu *vcpu = arg;
	enum vmx_insn_status status;

	if (vcpu->cpu != smp_processor_id())
		return;		/* cleared already, e.g. by CPU hot-unplug */
	status = vmx_vmclear(vcpu->vmcs_pa);
	if (status != VMX_INSN_OK)
		vmx_insn_report("VMCLEAR", status);
	if (this_cpu_read(current_vmcs) == vcpu->vmcs)
		this_cpu_write(current_vmcs, NULL);
	list_del(&vcpu->loaded_link);
	vcpu->launched = false;
	/* The list and the VMCS are done with before another CPU loads it. */
	smp_wmb();
	WRITE_ONCE(vcpu->cpu, -1);
}

/*
 * Make the vCPU's VMCS inactive wherever it is active: an IPI to that CPU,
 * waited for.  Preemption may be on or off; interrupts must be on.
 */
void vcpu_vmclear(struct vmxlab_vcpu *vcpu)
{
	int cpu = READ_ONCE(vcpu->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmclear_here, vcpu, 1);
}

/*
 * After a failed VM entry: VMCLEAR sets the launch state to "clear", and
 * VMPTRLD makes the VMCS current again ("VMCLEAR", "VMLAUNCH/VMRESUME").
 * Interrupts off, on the CPU where the VMCS is current.
 */
void vcpu_reset_launch_state(struct vmxlab_vcpu *vcpu)
{
	enum vmx_insn_status status;

	status = vmx_vmclear(vcpu->vmcs_pa);
	if (status != VMX_INSN_OK)
		vmx_insn_report("VMCLEAR", status);
	vmptrld_here(vcpu);
	vcpu->launched = false;
}

void vmxlab_vmclear_all_on_this_cpu(void)
{
	struct list_head *list = this_cpu_ptr(&loaded_vcpus);
	struct vmxlab_vcpu *vcpu, *next;
	unsigned long flags;

	if (!list->next)
		return;		/* vmxlab_run_init() has not run yet */
	local_irq_save(flags);
	list_for_each_entry_safe(vcpu, next, list, loaded_link)
		vmclear_here(vcpu);
	local_irq_restore(flags);
}

/*
 * Make the vCPU's VMCS current on @cpu, the CPU we are on (preemption
 * off).  Moving to a new CPU also refreshes the host state that differs
 * per CPU and drops translations this EPTP and VPID may have left on
 * this CPU from an earlier visit.
 */
static void vcpu_load_on(struct vmxlab_vcpu *vcpu, int cpu)
{
	if (vcpu->cpu == cpu) {
		if (this_cpu_read(current_vmcs) != vcpu->vmcs)
			vmptrld_here(vcpu);
		return;
	}
	vcpu_vmclear(vcpu);
	/* Pairs with smp_wmb() in vmclear_here(). */
	smp_rmb();
	local_irq_disable();
	list_add(&vcpu->loaded_link, this_cpu_ptr(&loaded_vcpus));
	vcpu->cpu = cpu;
	local_irq_enable();
	vmptrld_here(vcpu);
	vmcs_set_host_per_cpu();
	vm_invept_here(vcpu->vm);
	vcpu_flush_guest_tlb(vcpu);
}

/*
 * Give the host back what a VM exit or the guest changed and the kernel
 * relies on, before the thread leaves the CPU or returns to user space:
 * segment selectors and the LDT (VM exit loads 0 into DS/ES/FS/GS and
 * makes LDTR unusable), IA32_KERNEL_GS_BASE (the guest's lives in the MSR
 * while it runs), the GDT limit (VM exit sets it to 0xffff) and the TSS
 * limit (VM exit sets it to 0x67).  SDM Vol. 3C, "Loading Host State".
 */
static void put_guest_state(struct vmxlab_vcpu *vcpu)
{
	if (!vcpu->guest_state_loaded)
		return;
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	if (vcpu->host_ldt)
		asm volatile("lldt %0" : : "rm" (vcpu->host_ldt));
	if (vcpu->host_gs)
		load_gs_index(vcpu->host_gs);
	if (vcpu->host_fs)
		loadsegment(fs, vcpu->host_fs);
	if (vcpu->host_ds | vcpu->host_es) {
		loadsegment(ds, vcpu->host_ds);
		loadsegment(es, vcpu->host_es);
	}
	invalidate_tss_limit();
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	load_fixmap_gdt(raw_smp_processor_id());
	if (vcpu->host_debugctl)
		update_debugctlmsr(vcpu->host_debugctl);
	vcpu->guest_state_loaded = false;
}

/* The other half: save what put_guest_state() restores, load the guest's. */
static void load_guest_state(struct vmxlab_vcpu *vcpu)
{
	u64 fs_base;

	if (vcpu->guest_state_loaded)
		return;
	savesegment(ds, vcpu->host_ds);
	savesegment(es, vcpu->host_es);
	savesegment(fs, vcpu->host_fs);
	savesegment(gs, vcpu->host_gs);
	asm volatile("sldt %0" : "=rm" (vcpu->host_ldt));
	rdmsrl(MSR_FS_BASE, fs_base);
	if (fs_base != vcpu->host_fs_base) {
		vmcs_writel(VMCS_HOST_FS_BASE, fs_base);
		vcpu->host_fs_base = fs_base;
	}
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	vcpu->host_debugctl = get_debugctlmsr();
	vcpu->guest_state_loaded = true;
}

static inline struct vmxlab_vcpu *preempt_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct vmxlab_vcpu, preempt);
}

static void vcpu_sched_in(struct preempt_notifier *pn, int cpu)
{
	vcpu_load_on(preempt_to_vcpu(pn), cpu);
}

static void vcpu_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	put_guest_state(preempt_to_vcpu(pn));
}

static struct preempt_ops vcpu_preempt_ops = {
	.sched_in = vcpu_sched_in,
	.sched_out = vcpu_sched_out,
};

/* Around every vCPU ioctl that touches the VMCS (KVM does the same). */
void vcpu_load(struct vmxlab_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_init(&vcpu->preempt, &vcpu_preempt_ops);
	preempt_notifier_register(&vcpu->preempt);
	vcpu_load_on(vcpu, cpu);
	put_cpu();
}

void vcpu_put(struct vmxlab_vcpu *vcpu)
{
	preempt_disable();
	put_guest_state(vcpu);
	preempt_notifier_unregister(&vcpu->preempt);
	preempt_enable();
}

/*
 * Host state that may change while interrupts are on (a TLB flush may
 * load a new CR3 with another PCID; CR4 follows per-task flags), checked
 * each time the inner loop starts; a VMWRITE only when it changed.
 */
static void refresh_host_state(struct vmxlab_vcpu *vcpu)
{
	unsigned long cr3 = __read_cr3();
	unsigned long cr4 = cr4_read_shadow();

	if (unlikely(cr3 != vcpu->host_cr3)) {
		vmcs_writel(VMCS_HOST_CR3, cr3);
		vcpu->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vcpu->host_cr4)) {
		vmcs_writel(VMCS_HOST_CR4, cr4);
		vcpu->host_cr4 = cr4;
	}
}

/*
 * XCR0 is not switched by VMX: the guest's is loaded only while it runs.
 * Returns whether it was, which decides alone whether the host's goes
 * back: the guest's XSETBV changes vcpu->xcr0 in between (and may set it
 * to the host's value while the CPU still holds the old guest value).
 */
static bool load_guest_xcr0(struct vmxlab_vcpu *vcpu)
{
	if (!(vcpu->cr4 & X86_CR4_OSXSAVE) || vcpu->xcr0 == vcpu->host_xcr0)
		return false;
	xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	return true;
}

static int run_batch(struct vmxlab_vcpu *vcpu)
{
	bool guest_xcr0;
	int action;

	local_irq_disable();
	refresh_host_state(vcpu);
	guest_xcr0 = load_guest_xcr0(vcpu);
	action = vmx_run_irqs_off(vcpu);
	if (guest_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->host_xcr0);
	if (unlikely(hw_breakpoint_active()))
		hw_breakpoint_restore();
	local_irq_enable();
	return action;
}

static int stop_for_signal(struct vmxlab_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_INTR;
	return -EINTR;
}

/* The outer loop: KVM_RUN's body once the pending work is done. */
static long run_loop(struct vmxlab_vcpu *vcpu)
{
	int action;

	for (;;) {
		if (signal_pending(current))
			return stop_for_signal(vcpu);
		cond_resched();
		preempt_disable();
		load_guest_state(vcpu);
		preempt_enable();
		action = run_batch(vcpu);
		if (action == EXIT_DEFERRED)
			action = vmx_handle_exit_deferred(vcpu);
		if (unlikely(vcpu->watch_stepping))
			action = vcpu_watch_after_exit(vcpu, action);
		if (action == EXIT_TO_USER) {
			vcpu_exit_to_user_info(vcpu);
			return 0;
		}
		if (action < 0)
			return action;
	}
}

long vcpu_run(struct vmxlab_vcpu *vcpu)
{
	long ret;

	vcpu_load(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	vcpu->host_xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ?
			  xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	vcpu_watch_before_run(vcpu);
	ret = vcpu_complete_pending(vcpu);
	if (ret)
		goto out;
	if (unlikely(vcpu->controls_written))
		vmcs_controls_written_run(vcpu);
	if (kvm_run_immediate_exit(vcpu->run)) {
		ret = stop_for_signal(vcpu);
		goto out;
	}
	ret = run_loop(vcpu);
out:
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	vcpu_put(vcpu);
	return ret;
}

int vmxlab_run_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(per_cpu_ptr(&loaded_vcpus, cpu));
	preempt_notifier_inc();
	return 0;
}

void vmxlab_run_exit(void)
{
	preempt_notifier_dec();
}
