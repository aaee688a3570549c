// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit dispatch: one table indexed by the basic exit reason (SDM Vol.
 * 3D, Appendix C "VMX Basic Exit Reasons").
 *
 * Each entry has up to two handlers:
 *   .irqs_off  runs in the inner loop, interrupts off: it may touch only
 *              the VMCS, the vCPU and the run page, never sleep;
 *   .irqs_on   runs with interrupts on and may sleep (guest memory, EPT).
 * An entry with .irqs_off may defer to its .irqs_on by returning
 * EXIT_DEFERRED; an entry with only .irqs_on is deferred at once.  A
 * handler returns an enum exit_action or -errno (KVM_RUN fails with it).
 * An empty entry is an exit vmxlab does not expect: KVM_RUN returns to
 * user space with KVM_EXIT_INTERNAL_ERROR naming it, never a host crash.
 *
 * A failed VM entry (bit 31 of the exit reason) is told apart before the
 * table is indexed: the basic reason then means something else ("VM-Entry
 * Failures During or After Loading Guest State").
 */
#include <linux/sched.h>
#include <linux/thread_info.h>
#include <linux/types.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "../vmcs/vmcs.h"
#include "../vmx/vcpu.h"
#include "../vmx/vmxlab.h"
#include "handlers.h"
#include "../vmx/trace.h"

#define EXIT_REASON_FAILED_ENTRY	BIT(31)
#define INTR_INFO_VALID			BIT(31)
#define INTR_INFO_DELIVER_CODE		BIT(11)
#define INTR_TYPE_SHIFT			8
#define INTERRUPTIBILITY_STI_MOVSS	0x3	/* blocking by STI, by MOV SS */

/*
 * Advance RIP past the instruction that exited: VM-exit instruction
 * length is valid for exits caused by an instruction ("VM-Exit
 * Instruction Length").  Outside 64-bit mode RIP wraps at 4 GiB
 * (rip_mask).  Skipping the instruction ends any STI or MOV SS blocking,
 * as executing it would have.  Returns the RIP of the instruction.
 */
static __always_inline unsigned long skip_instruction(struct vmxlab_vcpu *vcpu)
{
	unsigned long rip = vmcs_readl(VMCS_GUEST_RIP);
	u32 len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);
	u32 interruptibility;

	vmcs_writel(VMCS_GUEST_RIP, (rip + len) & vcpu->rip_mask);
	interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (unlikely(interruptibility & INTERRUPTIBILITY_STI_MOVSS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     interruptibility & ~INTERRUPTIBILITY_STI_MOVSS);
	return rip;
}

int vcpu_skip_instruction(struct vmxlab_vcpu *vcpu)
{
	skip_instruction(vcpu);
	return EXIT_RESUME;
}

/*
 * An exit to user space that KVM_RUN completes later: record the
 * instruction's RIP (what KVM_GET_REGS shows meanwhile) and where RIP
 * goes once it completes (@len bytes on; 0: the VM-exit instruction length).
 */
void vcpu_pend_past_instruction(struct vmxlab_vcpu *vcpu, unsigned int len)
{
	unsigned long rip = vmcs_readl(VMCS_GUEST_RIP);

	if (!len)
		len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);
	vcpu->exit_rip = rip;
	vcpu->rip_skipped = true;
	vcpu->pending_rip = (rip + len) & vcpu->rip_mask;
}

/* Move RIP to @rip, past an instruction: that ends STI and MOV SS blocking. */
void vcpu_set_rip_past(struct vmxlab_vcpu *vcpu, u64 rip)
{
	u32 interruptibility;

	vmcs_writel(VMCS_GUEST_RIP, rip);
	interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (interruptibility & INTERRUPTIBILITY_STI_MOVSS)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     interruptibility & ~INTERRUPTIBILITY_STI_MOVSS);
}

/* Skip the instruction of an exit that goes to user space, recording its RIP. */
void vcpu_skip_to_user(struct vmxlab_vcpu *vcpu)
{
	vcpu->exit_rip = skip_instruction(vcpu);
	vcpu->rip_skipped = true;
}

/*
 * Inject a hardware exception on the next VM entry ("VM-Entry Controls
 * for Event Injection").  With CR0.PE = 0 no error code may be delivered
 * ("Checks on VM-Entry Control Fields"), as real mode pushes none.
 */
void vcpu_inject_exception(struct vmxlab_vcpu *vcpu, u8 vector, bool has_error,
			   u32 error_code)
{
	u32 info = INTR_INFO_VALID | (VMX_INTR_HW_EXCEPTION << INTR_TYPE_SHIFT) | vector;

	if (has_error && vcpu_is_protected(vcpu)) {
		info |= INTR_INFO_DELIVER_CODE;
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO, info);
}

static int inject_ud(struct vmxlab_vcpu *vcpu)
{
	vcpu_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return EXIT_RESUME;
}

static int handle_nmi(struct vmxlab_vcpu *vcpu)
{
	u32 info = vmcs_read32(VMCS_VM_EXIT_INTR_INFO);

	/*
	 * Exceptions exit only while an EPT watch steps an instruction
	 * (exits/watch.c): handled there, with interrupts on.
	 */
	if (((info >> INTR_TYPE_SHIFT) & 7) != VMX_INTR_NMI)
		return vcpu->watch_stepping ? EXIT_DEFERRED : vmx_unexpected_exit(vcpu);
	/*
	 * With "NMI exiting", a host NMI that arrives in the guest is an
	 * exit and NMIs stay blocked until the next IRET ("NMI Exiting"):
	 * hand it to the host's handler through its IDT vector.
	 */
	asm volatile("int $2");
	return EXIT_RESUME;
}

static int handle_external_interrupt(struct vmxlab_vcpu *vcpu)
{
	/* Not acknowledged on exit: the host takes it once interrupts are on. */
	return EXIT_IRQS_ON;
}

static int handle_triple_fault(struct vmxlab_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return EXIT_TO_USER;
}

/*
 * CPUID, answered from the vCPU's table (KVM_SET_CPUID2), never by
 * executing CPUID: the result must not change with the host CPU the
 * thread runs on, and the table lookup is a few loads.
 */
static __always_inline int handle_cpuid(struct vmxlab_vcpu *vcpu)
{
	unsigned long *gpr = vcpu->regs.gpr;
	const u32 *out = cpuid_cache_answer(vcpu->cpuid, gpr[VCPU_RAX], gpr[VCPU_RCX]);

	gpr[VCPU_RAX] = out[CPUID_REG_EAX];
	gpr[VCPU_RBX] = out[CPUID_REG_EBX];
	gpr[VCPU_RCX] = out[CPUID_REG_ECX];
	gpr[VCPU_RDX] = out[CPUID_REG_EDX];
	skip_instruction(vcpu);
	return EXIT_RESUME;
}

/* Without an in-kernel interrupt controller, HLT is user space's business. */
static int handle_hlt(struct vmxlab_vcpu *vcpu)
{
	vcpu_skip_to_user(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return EXIT_TO_USER;
}

/* INVD and WBINVD: guest memory is the host's cacheable memory; nothing to do. */
static int handle_cache_flush(struct vmxlab_vcpu *vcpu)
{
	return vcpu_skip_instruction(vcpu);
}

/*
 * The VMX-preemption timer ran out ("VMX-Preemption Timer"): a time
 * slice ended.  Let interrupts, signals and the scheduler in.
 */
static int handle_preemption_timer(struct vmxlab_vcpu *vcpu)
{
	return EXIT_IRQS_ON;
}

/*
 * VMCALL: the hypercall interface of include/vmxlab/uapi.h, answered from
 * the vCPU's own counters; without the magic in EAX, #UD like the other
 * VMX instructions.
 */
static int handle_vmcall(struct vmxlab_vcpu *vcpu)
{
	unsigned long *gpr = vcpu->regs.gpr;
	const struct vmxlab_exit_info *info = vcpu->info;
	u64 answer = VMXLAB_HC_ERROR;
	u32 arg = gpr[VCPU_RCX];

	if ((u32)gpr[VCPU_RAX] != VMXLAB_HC_MAGIC)
		return inject_ud(vcpu);
	switch ((u32)gpr[VCPU_RBX]) {
	case VMXLAB_HC_VERSION:
		answer = VMXLAB_API_VERSION;
		break;
	case VMXLAB_HC_EXIT_COUNT:
		if (arg < VMXLAB_MAX_EXIT_REASONS)
			answer = info->exits[arg];
		break;
	case VMXLAB_HC_ENTRIES:
		answer = info->entries;
		break;
	case VMXLAB_HC_EXIT_CYCLES:
	case VMXLAB_HC_EXIT_CYCLES_BUCKET:
		answer = vcpu_cycles_hypercall(vcpu, gpr[VCPU_RBX], arg, gpr[VCPU_RDX]);
		break;
	}
	gpr[VCPU_RAX] = answer;
	return vcpu_skip_instruction(vcpu);
}

/* Basic exit reason -> handlers. */
static const struct exit_handler exit_handlers[VMXLAB_MAX_EXIT_REASONS] = {
	[VMX_EXIT_EXCEPTION_NMI]	= { .irqs_off = handle_nmi,
					    .irqs_on = vcpu_watch_handle_exception },
	[VMX_EXIT_EXTERNAL_INTERRUPT]	= { .irqs_off = handle_external_interrupt },
	[VMX_EXIT_TRIPLE_FAULT]		= { .irqs_off = handle_triple_fault },
	[VMX_EXIT_CPUID]		= { .irqs_off = handle_cpuid },
	[VMX_EXIT_HLT]			= { .irqs_off = handle_hlt },
	[VMX_EXIT_INVD]			= { .irqs_off = handle_cache_flush },
	[VMX_EXIT_WBINVD]		= { .irqs_off = handle_cache_flush },
	/* VMX is not offered to guests: its instructions raise #UD... */
	[VMX_EXIT_VMCALL]		= { .irqs_off = handle_vmcall },	/* ...but hypercalls */
	[VMX_EXIT_VMCLEAR]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMLAUNCH]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMPTRLD]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMPTRST]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMREAD]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMRESUME]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMWRITE]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMXOFF]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMXON]		= { .irqs_off = inject_ud },
	[VMX_EXIT_INVEPT]		= { .irqs_off = inject_ud },
	[VMX_EXIT_INVVPID]		= { .irqs_off = inject_ud },
	[VMX_EXIT_VMFUNC]		= { .irqs_off = inject_ud },
	/* MONITOR/MWAIT are not offered either (CPUID.1:ECX[3] is clear). */
	[VMX_EXIT_MONITOR]		= { .irqs_off = inject_ud },
	[VMX_EXIT_MWAIT]		= { .irqs_off = inject_ud },
	[VMX_EXIT_CR_ACCESS]		= { .irqs_on = handle_cr_access },
	[VMX_EXIT_IO_INSTRUCTION]	= { .irqs_off = handle_io, .irqs_on = handle_string_io },
	[VMX_EXIT_RDMSR]		= { .irqs_off = handle_rdmsr },
	[VMX_EXIT_WRMSR]		= { .irqs_off = handle_wrmsr },
	[VMX_EXIT_EPT_VIOLATION]	= { .irqs_on = handle_ept_violation },
	[VMX_EXIT_EPT_MISCONFIG]	= { .irqs_off = handle_ept_misconfig },
	[VMX_EXIT_PREEMPTION_TIMER]	= { .irqs_off = handle_preemption_timer },
	[VMX_EXIT_XSETBV]		= { .irqs_off = handle_xsetbv },
	[VMX_EXIT_MONITOR_TRAP_FLAG]	= { .irqs_on = vcpu_watch_handle_mtf },
};

/* An exit vmxlab has no handler for: tell user space, with the facts. */
int vmx_unexpected_exit(struct vmxlab_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 3;
	run->internal.data[0] = vcpu->exit_reason;
	run->internal.data[1] = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	run->internal.data[2] = vmcs_readl(VMCS_GUEST_RIP);
	return EXIT_TO_USER;
}

/*
 * While an EPT watch steps one instruction (exits/watch.c): the table's
 * handling, and an instruction vmxlab emulates completes the step, which
 * the outer loop then closes (with interrupts on: that takes INVEPT on
 * every CPU).
 */
static noinline int handle_exit_stepping(struct vmxlab_vcpu *vcpu, u32 basic)
{
	const struct exit_handler *h = &exit_handlers[basic];
	int action;

	if (h->irqs_off)
		action = h->irqs_off(vcpu);
	else
		action = h->irqs_on ? EXIT_DEFERRED : vmx_unexpected_exit(vcpu);
	if (vcpu_watch_exit_completes_step(basic)) {
		vcpu->watch.close_pending = true;
		if (action == EXIT_RESUME)
			action = EXIT_IRQS_ON;
	} else {
		vcpu_watch_exit_before_step(vcpu);
	}
	return action;
}

static __always_inline int handle_exit_irqs_off(struct vmxlab_vcpu *vcpu)
{
	u32 reason = vmcs_read32(VMCS_VM_EXIT_REASON);
	u32 basic = reason & 0xffff;
	const struct exit_handler *h;

	vcpu->exit_reason = reason;
	trace_vmxlab_exit(vcpu, reason);
	if (unlikely(vcpu->tracing))
		vcpu_trace_record(vcpu, reason);
	if (unlikely(reason & EXIT_REASON_FAILED_ENTRY))
		return vmx_entry_failed(vcpu, VMXLAB_ENTER_EXIT);
	if (unlikely(basic >= VMXLAB_MAX_EXIT_REASONS)) {
		vcpu->info->exits_other++;
		return vmx_unexpected_exit(vcpu);
	}
	vcpu->info->exits[basic]++;
	if (unlikely(vcpu->watch_stepping))
		return handle_exit_stepping(vcpu, basic);
	/*
	 * The table's CPUID handler, called directly: guests take CPUID
	 * exits in tight loops, and the direct call saves the indirect one.
	 */
	if (basic == VMX_EXIT_CPUID)
		return handle_cpuid(vcpu);
	h = &exit_handlers[basic];
	if (likely(h->irqs_off))
		return h->irqs_off(vcpu);
	return h->irqs_on ? EXIT_DEFERRED : vmx_unexpected_exit(vcpu);
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

/* Work that makes the inner loop let interrupts and the scheduler in. */
static __always_inline bool host_work_pending(void)
{
	return read_thread_flags() &
	       (_TIF_NEED_RESCHED | _TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL);
}

/*
 * The inner run loop, interrupts off: enter, handle, re-enter while the
 * handler says so.  Returns an enum exit_action or -errno.  This is the
 * path every in-kernel exit takes, so it lives next to the table and
 * everything on it but the handler itself is inlined.  @timed (a
 * constant: the compiler builds two loops) reads the TSC around the stub
 * for exit timing (exits/cycles.c).
 */
static __always_inline int run_irqs_off(struct vmxlab_vcpu *vcpu, const bool timed)
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
		if (unlikely(stub != VMXLAB_ENTER_EXIT))
			return vmx_entry_failed(vcpu, stub);
		vcpu->launched = true;
		action = handle_exit_irqs_off(vcpu);
		if (timed)
			vcpu_cycles_exit(vcpu, exit_tsc);
		if (action != EXIT_RESUME)
			return action;
		if (unlikely(host_work_pending() || !--budget))
			return EXIT_IRQS_ON;
	}
}

/*
 * Exit timing is chosen once per inner loop, not per exit: while it is
 * off (the default) the in-kernel exit path is the untimed loop, unchanged.
 */
int vmx_run_irqs_off(struct vmxlab_vcpu *vcpu)
{
	if (unlikely(vcpu->timing_exits))
		return run_irqs_off(vcpu, true);
	return run_irqs_off(vcpu, false);
}

int vmx_handle_exit_deferred(struct vmxlab_vcpu *vcpu)
{
	const struct exit_handler *h = &exit_handlers[vcpu->exit_reason & 0xffff];

	return h->irqs_on(vcpu);
}

/*
 * VMLAUNCH/VMRESUME failed: VMfail (an invalid control or host-state
 * field, "Checks on VMX Controls and Host-State Area") or a VM exit with
 * bit 31 set (invalid guest state, MSR loading, machine check).  A failed
 * entry leaves the VMCS's launch state as it was; VMCLEAR (on the next
 * load) and VMLAUNCH start from a known one.
 */
int vmx_entry_failed(struct vmxlab_vcpu *vcpu, int stub_result)
{
	struct kvm_run *run = vcpu->run;
	u32 reason;

	vcpu->info->entry_failures++;
	if (stub_result == VMXLAB_ENTER_EXIT) {
		reason = vcpu->exit_reason;
		vcpu->info->instruction_error = 0;
	} else {
		reason = vmcs_read32(VMCS_VM_INSTRUCTION_ERROR);
		vcpu->exit_reason = 0;
		vcpu->info->instruction_error = reason;
	}
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = smp_processor_id();
	vcpu_reset_launch_state(vcpu);
	return EXIT_TO_USER;
}

/* What vmxlab_exit_info tells user space about the exit behind KVM_RUN's return. */
void vcpu_exit_to_user_info(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_exit_info *info = vcpu->info;
	u32 basic = vcpu->exit_reason & 0xffff;

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
