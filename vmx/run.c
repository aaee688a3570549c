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
 * user space when an exit is for it.  Read from the bottom up: vcpu_run()
 * (KVM_RUN) -> run_loop() -> run_batch() -> run_irqs_off_loop() ->
 * vmxlab_enter_guest() (vmx/entry.S) -> handle_exit_irqs_off() -> the
 * exit table (exits/dispatch.h) -> a handler in exits/.
 */
#include <linux/hw_breakpoint.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/thread_info.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <vmxlab/exits.h>
#include "ept/ept_vm.h"
#include "exits/dispatch.h"
#include "vmcs/vmcs.h"
#include "vmx/compat.h"
#include "vmx/insn.h"
#include "vmx/trace.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

static DEFINE_PER_CPU(struct list_head, loaded_vcpus);
static DEFINE_PER_CPU(void *, current_vmcs);

/* Invalidate this vCPU's guest-linear translations on this CPU. */
void vcpu_flush_guest_tlb(struct vmxlab_vcpu *vcpu)
{
	struct vmx_invvpid_desc desc = { .vpid = vcpu->vpid };
	enum vmx_insn_status status;

	status = vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, &desc);
	if (status != VMX_INSN_OK)
		vmx_insn_report("INVVPID", status);
}

/*
 * Another vCPU's VMCS becomes current here: a barrier first, so that
 * branch predictions one guest trained cannot steer the next (IBPB, where
 * the kernel uses it: X86_FEATURE_USE_IBPB).  vCPUs of one VM trust each
 * other no less, but knowing the VM costs a lookup; switches are rare.
 */
static void vmptrld_here(struct vmxlab_vcpu *vcpu)
{
	enum vmx_insn_status status;

	indirect_branch_prediction_barrier();
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
		/* A shared VPID (vmx/vpid.c) last used here by another vCPU. */
		if (unlikely(vmxlab_vpid_claim(vcpu->vpid, vcpu)))
			vcpu_flush_guest_tlb(vcpu);
		return;
	}
	vcpu_vmclear(vcpu);
	/* Pairs with smp_wmb() in vmclear_here(). */
	smp_rmb();
	local_irq_disable();
	list_add(&vcpu->loaded_link, this_cpu_ptr(&loaded_vcpus));
	vcpu->cpu = cpu;
	WRITE_ONCE(vcpu->last_cpu, cpu);	/* for vmxlab ps */
	local_irq_enable();
	vmptrld_here(vcpu);
	vmcs_set_host_per_cpu();
	vm_invept_here(vcpu->vm);
	vmxlab_vpid_claim(vcpu->vpid, vcpu);
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
	if (vcpu->host_fs) {
		/*
		 * Loading the selector takes the base from its descriptor; a
		 * 64-bit task may have set another with WRFSBASE (its TLS).
		 */
		loadsegment(fs, vcpu->host_fs);
		wrmsrl(MSR_FS_BASE, vcpu->host_fs_base);
	}
	if (vcpu->host_ds | vcpu->host_es) {
		loadsegment(ds, vcpu->host_ds);
		loadsegment(es, vcpu->host_es);
	}
	invalidate_tss_limit();
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->host_kernel_gs_base);
	vcpu_msrs_put_guest(vcpu);	/* SYSCALL's MSRs, TSC_AUX (vmx/msrs.c) */
	load_fixmap_gdt(raw_smp_processor_id());
	if (vcpu->host_debugctl)
		update_debugctlmsr(vcpu->host_debugctl);
	vcpu->guest_state_loaded = false;
}

/*
 * The other half: save what put_guest_state() restores, load the guest's.
 * Interrupts off until the VM entry: a reschedule in between would run
 * put_guest_state() (the preempt notifier), and the guest would then run
 * with the host's IA32_KERNEL_GS_BASE and hand its own back as the host's.
 */
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
	vcpu_msrs_load_guest(vcpu);	/* SYSCALL's MSRs, TSC_AUX (vmx/msrs.c) */
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

/*
 * In-kernel exits handled in a row before interrupts are let in even if
 * no host interrupt caused an exit.  On the SDM's CPU a host interrupt
 * always exits ("external-interrupt exiting"), but Bochs exits only while
 * the guest has RFLAGS.IF = 1, and the VMX-preemption timer restarts at
 * every entry: a guest looping on CPUID with interrupts off would keep
 * the host's interrupts off for good.  256 exits is about 35,000 host
 * instructions: well under a timer tick.
 */
#define IRQS_OFF_EXIT_BUDGET	256

/*
 * VMLAUNCH/VMRESUME failed: VMfail (an invalid control or host-state
 * field, "Checks on VMX Controls and Host-State Area") or a VM exit with
 * bit 31 set (invalid guest state, MSR loading, machine check).  A failed
 * entry leaves the VMCS's launch state as it was; VMCLEAR (on the next
 * load) and VMLAUNCH start from a known one.
 */
static noinline int entry_failed(struct vmxlab_vcpu *vcpu, int stub_result)
{
	struct kvm_run *run = vcpu->run;
	u32 reason;

	vcpu->info->entry_failures++;
	if (stub_result == VMXLAB_ENTER_OK) {
		reason = vcpu->exit_reason;
		vcpu->info->instruction_error = 0;
		if (vmx_exit_basic_reason(reason) == VMX_EXIT_ENTRY_FAIL_MACHINE_CHECK)
			vcpu_host_machine_check();
	} else {
		reason = vmcs_read32(VMCS_VM_INSTRUCTION_ERROR);
		vcpu->exit_reason = 0;
		vcpu->info->instruction_error = reason;
	}
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = smp_processor_id();
	vcpu_reset_launch_state(vcpu);
	return EXIT_ACTION_TO_USER;
}

/*
 * One VM exit, interrupts off: count and record it, tell a failed entry
 * apart, then the exit table's handler.  Returns an enum exit_action or
 * -errno.
 */
static __always_inline int handle_exit_irqs_off(struct vmxlab_vcpu *vcpu)
{
	u32 reason = vmcs_read32(VMCS_VM_EXIT_REASON);
	u32 basic = vmx_exit_basic_reason(reason);

	vcpu->exit_reason = reason;
	trace_vmxlab_exit(vcpu, reason);
	if (unlikely(vcpu->exit_ring_on))
		vcpu_exit_ring_record(vcpu, reason);
	if (unlikely(vmx_exit_is_entry_failure(reason)))
		return entry_failed(vcpu, VMXLAB_ENTER_OK);
	if (unlikely(basic >= VMXLAB_MAX_EXIT_REASONS)) {
		vcpu->info->exits_other++;
		return exit_unexpected(vcpu);
	}
	vcpu->info->exits[basic]++;
	return exit_dispatch_irqs_off(vcpu, basic);
}

/* Work that makes the inner loop let interrupts and the scheduler in. */
static __always_inline bool host_work_pending(void)
{
	return read_thread_flags() &
	       (_TIF_NEED_RESCHED | _TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL);
}

/*
 * The inner run loop, interrupts off: enter, handle, re-enter while the
 * handler says so.  Returns an enum exit_action or -errno.  This is the
 * path every in-kernel exit takes: everything on it but the handler
 * itself is inlined.  @timed (a constant: the compiler builds two loops)
 * reads the TSC around the stub for exit timing (exits/cycles.c).
 */
static __always_inline int run_irqs_off_loop(struct vmxlab_vcpu *vcpu, const bool timed)
{
	struct vmxlab_exit_info *info = vcpu->info;
	unsigned int budget = IRQS_OFF_EXIT_BUDGET;
	int stub, action;
	u64 exit_tsc;

	for (;;) {
		if (timed)
			vcpu_cycles_charge(vcpu, rdtsc());
		trace_vmxlab_entry(vcpu);
		stub = vmxlab_enter_guest(&vcpu->regs, vcpu->launched);
		if (timed)
			exit_tsc = rdtsc();
		info->entries++;
		if (unlikely(stub != VMXLAB_ENTER_OK))
			return entry_failed(vcpu, stub);
		vcpu->launched = true;
		action = handle_exit_irqs_off(vcpu);
		if (timed)
			vcpu_cycles_exit(vcpu, exit_tsc);
		if (action != EXIT_ACTION_RESUME)
			return action;
		if (unlikely(host_work_pending() || !--budget))
			return EXIT_ACTION_IRQS_ON;
	}
}

/*
 * Exit timing is chosen once per inner loop, not per exit: while it is
 * off (the default) the in-kernel exit path is the untimed loop, unchanged.
 */
static int run_irqs_off(struct vmxlab_vcpu *vcpu)
{
	if (unlikely(vcpu->timing_exits))
		return run_irqs_off_loop(vcpu, true);
	return run_irqs_off_loop(vcpu, false);
}

/*
 * L1TF: host code ran with interrupts on since the last entry (user
 * space, interrupts, the scheduler) and may have left secrets in L1D;
 * flush it (vmx/mitigations.c says when this is on).  SDM Vol. 4,
 * IA32_FLUSH_CMD: bit 0 writes back and invalidates the L1 data cache.
 */
static __always_inline void flush_l1d_before_batch(void)
{
	if (static_branch_unlikely(&vmxlab_l1d_flush))
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

/*
 * fpu_swap_kvm_fpstate() put the guest's x87/SSE/AVX registers in the CPU
 * at the start of KVM_RUN, but they need not be there now: a context
 * switch at cond_resched(), or kernel_fpu_begin() in an interrupt, saves
 * them to the guest's fpstate and sets TIF_NEED_FPU_LOAD, leaving another
 * task's registers (or the kernel's) in place.  Entering then would run
 * the guest on those, and the guest's writes would reach that task.
 * Interrupts are off: nothing takes them again before the entry.
 */
static __always_inline void reload_guest_fpregs(void)
{
	if (unlikely(test_thread_flag(TIF_NEED_FPU_LOAD)))
		switch_fpu_return();
}

static int run_batch(struct vmxlab_vcpu *vcpu)
{
	bool guest_xcr0;
	int action;

	local_irq_disable();
	reload_guest_fpregs();	/* before XCR0 is the guest's: XRSTOR uses the host's */
	load_guest_state(vcpu);
	refresh_host_state(vcpu);
	guest_xcr0 = load_guest_xcr0(vcpu);
	vcpu_load_guest_debugregs(vcpu);	/* DR0-DR3, if the guest's DR7 arms them */
	flush_l1d_before_batch();
	action = run_irqs_off(vcpu);
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

/* What vmxlab_exit_info tells user space about the exit behind KVM_RUN's return. */
static void vcpu_exit_to_user_info(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_exit_info *info = vcpu->info;
	u32 basic = vmx_exit_basic_reason(vcpu->exit_reason);

	/* Inside KVM_RUN: the preempt notifier keeps the VMCS current. */
	preempt_disable();
	info->exit_reason = vcpu->exit_reason;
	info->qualification = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	info->guest_rip = vcpu->rip_skipped ? vcpu->exit_rip :
			  vmcs_readl(VMCS_GUEST_RIP);
	vcpu->rip_skipped = false;
	info->guest_phys = (basic == VMX_EXIT_EPT_VIOLATION ||
			    basic == VMX_EXIT_EPT_MISCONFIG) ?
			   vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS) : 0;
	info->guest_linear = vmcs_readl(VMCS_GUEST_LINEAR_ADDRESS);
	info->instruction_len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);
	preempt_enable();
}

/* The outer loop: KVM_RUN's body once the pending work is done. */
static long run_loop(struct vmxlab_vcpu *vcpu)
{
	int action;

	for (;;) {
		if (signal_pending(current))
			return stop_for_signal(vcpu);
		cond_resched();
		action = run_batch(vcpu);
		if (action == EXIT_ACTION_DEFER)
			action = exit_dispatch_irqs_on(vcpu,
					vmx_exit_basic_reason(vcpu->exit_reason));
		if (unlikely(vcpu->watch_stepping))
			action = vcpu_watch_after_exit(vcpu, action);
		if (action == EXIT_ACTION_TO_USER) {
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
	WRITE_ONCE(vcpu->run_state, VCPU_STATE_RUNNING);	/* for vmxlab ps */
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	vcpu->host_xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ?
			  xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	vcpu_watch_before_run(vcpu);
	ret = vcpu_complete_pending(vcpu);
	if (ret)
		goto out;
	if (unlikely(vcpu->controls_written))
		vmcs_controls_written_run(vcpu);
	ret = vcpu_events_before_run(vcpu);
	if (ret)
		goto out;
	if (kvm_run_immediate_exit(vcpu->run)) {
		ret = stop_for_signal(vcpu);
		goto out;
	}
	ret = run_loop(vcpu);
out:
	vcpu_events_after_run(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	WRITE_ONCE(vcpu->run_state, !ret && vcpu->run->exit_reason == KVM_EXIT_HLT ?
		   VCPU_STATE_HALTED : VCPU_STATE_USER);	/* for vmxlab ps */
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
