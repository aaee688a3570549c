// SPDX-License-Identifier: GPL-2.0
/*
 * The exit table and the handlers small enough to live beside it.  The
 * table's contract (what a handler may do and return) is written in
 * exits/dispatch.h; the run loop that reads the table is vmx/run.c.
 */
#include <linux/types.h>
#include <asm/mce.h>
#include <asm/trapnr.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "exits/dispatch.h"
#include "vmx/compat.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"

static int inject_ud(struct vmxlab_vcpu *vcpu)
{
	vcpu_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return EXIT_ACTION_RESUME;
}

/*
 * A machine check that arrived while the guest ran (an #MC exit), or
 * during VM entry (exit reason 41, vmx/run.c), is the host's: call the
 * kernel's handler, do_machine_check(), which the kernel exports (GPL) to
 * hypervisors on 6.1 and 6.12 alike.  It judges the event from
 * IA32_MCG_STATUS (RIPV, EIPV: SDM Vol. 3C, "VM Exits Caused by Machine
 * Check Exceptions": processor state is suspect) and from where it struck,
 * @regs: not the host kernel's code but the guest's, which to the host is
 * like user space, interrupts on.  An error the guest consumed is then
 * handled as one a user task consumed (the memory-failure path may signal
 * the VMM); nothing reaches the guest.  Interrupts are off, as in an
 * exception handler.
 */
void vcpu_host_machine_check(void)
{
	struct pt_regs regs = {
		.cs = 3,	/* RPL 3: not the kernel's context */
		.flags = X86_EFLAGS_IF,
	};

	if (IS_ENABLED(CONFIG_X86_MCE))
		do_machine_check(&regs);
}

/*
 * #DB, #AC and #MC exit always (VCPU_EXCEPTION_BITMAP, vmcs/vmcs.h),
 * every exception while an EPT watch steps an instruction (exits/watch.c
 * handles those, with interrupts on; #MC never goes there).  Off the
 * CPUID path: reached through the table only.
 */
static noinline int handle_exception(struct vmxlab_vcpu *vcpu, u32 info)
{
	if ((info & VMX_INTR_INFO_VECTOR_MASK) == X86_TRAP_MC) {
		vcpu_host_machine_check();
		return EXIT_ACTION_RESUME;
	}
	if (vcpu->watch_stepping)
		return EXIT_ACTION_DEFER;
	if ((info & VMX_INTR_INFO_VECTOR_MASK) == X86_TRAP_DB &&
	    vmx_intr_info_type(info) == VMX_INTR_HW_EXCEPTION)
		vcpu_debug_exit_to_dr6(vcpu, vmcs_readl(VMCS_EXIT_QUALIFICATION));
	vcpu_iret_nmi_blocking(vcpu, info & VMX_INTR_INFO_NMI_UNBLOCKING);
	vcpu_reflect_exception(vcpu, info);
	return EXIT_ACTION_RESUME;
}

static int handle_nmi(struct vmxlab_vcpu *vcpu)
{
	u32 info = vmcs_read32(VMCS_VM_EXIT_INTR_INFO);

	if (vmx_intr_info_type(info) != VMX_INTR_NMI)
		return handle_exception(vcpu, info);
	/*
	 * With "NMI exiting", a host NMI that arrives in the guest is an
	 * exit and NMIs stay blocked until the next IRET ("NMI Exiting"):
	 * hand it to the host's handler (INT 2 through the IDT, or the
	 * FRED entry on a kernel running with FRED: vmx/compat.h).  It may
	 * have struck while the guest took an event: deliver that again.
	 */
	vmxlab_host_nmi();
	vcpu_redeliver_event(vcpu);
	return EXIT_ACTION_RESUME;
}

/*
 * A host interrupt, which may have struck while the guest took an event
 * (deliver that again).  Not acknowledged on exit: the host takes it once
 * interrupts are on.
 */
static int handle_external_interrupt(struct vmxlab_vcpu *vcpu)
{
	vcpu_redeliver_event(vcpu);
	return EXIT_ACTION_IRQS_ON;
}

static int handle_triple_fault(struct vmxlab_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return EXIT_ACTION_TO_USER;
}

/* Without an in-kernel interrupt controller, HLT is user space's business. */
static int handle_hlt(struct vmxlab_vcpu *vcpu)
{
	vcpu_skip_to_user(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return EXIT_ACTION_TO_USER;
}

/* INVD and WBINVD: guest memory is the host's cacheable memory; nothing to do. */
static int handle_cache_flush(struct vmxlab_vcpu *vcpu)
{
	return vcpu_skip_instruction(vcpu);
}

/*
 * The VMX-preemption timer ran out ("VMX-Preemption Timer"): a time
 * slice ended, perhaps while the guest took an event (deliver that
 * again).  Let interrupts, signals and the scheduler in.
 */
static int handle_preemption_timer(struct vmxlab_vcpu *vcpu)
{
	vcpu_redeliver_event(vcpu);
	return EXIT_ACTION_IRQS_ON;
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
	u32 arg = gpr[GPR_RCX];

	if ((u32)gpr[GPR_RAX] != VMXLAB_HC_MAGIC)
		return inject_ud(vcpu);
	/* The CPL is SS.DPL (SDM Vol. 3C, "Checks on Guest Segment Registers"). */
	if (vmcs_read32(VMCS_GUEST_SS_AR_BYTES) & VMX_SEG_AR_DPL_MASK) {
		gpr[GPR_RAX] = VMXLAB_HC_EPERM;
		return vcpu_skip_instruction(vcpu);
	}
	switch ((u32)gpr[GPR_RBX]) {
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
		answer = vcpu_cycles_hypercall(vcpu, gpr[GPR_RBX], arg, gpr[GPR_RDX]);
		break;
	}
	gpr[GPR_RAX] = answer;
	return vcpu_skip_instruction(vcpu);
}

/* Basic exit reason -> handlers. */
const struct exit_handler exit_handlers[VMXLAB_MAX_EXIT_REASONS] = {
	[VMX_EXIT_EXCEPTION_NMI]	= { .irqs_off = handle_nmi,
					    .irqs_on = vcpu_watch_handle_exception },
	[VMX_EXIT_EXTERNAL_INTERRUPT]	= { .irqs_off = handle_external_interrupt },
	[VMX_EXIT_TRIPLE_FAULT]		= { .irqs_off = handle_triple_fault },
	[VMX_EXIT_INTERRUPT_WINDOW]	= { .irqs_off = handle_interrupt_window },
	[VMX_EXIT_NMI_WINDOW]		= { .irqs_off = handle_nmi_window },
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
	[VMX_EXIT_DR_ACCESS]		= { .irqs_off = handle_dr_access },
	[VMX_EXIT_IO_INSTRUCTION]	= { .irqs_off = handle_io, .irqs_on = handle_string_io },
	[VMX_EXIT_RDMSR]		= { .irqs_off = handle_rdmsr },
	[VMX_EXIT_WRMSR]		= { .irqs_off = handle_wrmsr },
	[VMX_EXIT_RDPMC]		= { .irqs_off = handle_rdpmc },
	[VMX_EXIT_EPT_VIOLATION]	= { .irqs_on = handle_ept_violation },
	[VMX_EXIT_EPT_MISCONFIG]	= { .irqs_off = handle_ept_misconfig },
	[VMX_EXIT_PREEMPTION_TIMER]	= { .irqs_off = handle_preemption_timer },
	[VMX_EXIT_XSETBV]		= { .irqs_off = handle_xsetbv },
	[VMX_EXIT_MONITOR_TRAP_FLAG]	= { .irqs_on = vcpu_watch_handle_mtf },
};

/* An exit vmxlab has no handler for: tell user space, with the facts. */
int exit_unexpected(struct vmxlab_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 3;
	run->internal.data[0] = vcpu->exit_reason;
	run->internal.data[1] = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	run->internal.data[2] = vmcs_readl(VMCS_GUEST_RIP);
	return EXIT_ACTION_TO_USER;
}

/*
 * While an EPT watch steps one instruction (exits/watch.c): the table's
 * handling, and an instruction vmxlab emulates completes the step, which
 * the outer loop then closes (with interrupts on: that takes INVEPT on
 * every CPU).
 */
noinline int exit_dispatch_stepping(struct vmxlab_vcpu *vcpu, u32 basic)
{
	const struct exit_handler *h = &exit_handlers[basic];
	int action;

	if (h->irqs_off)
		action = h->irqs_off(vcpu);
	else
		action = h->irqs_on ? EXIT_ACTION_DEFER : exit_unexpected(vcpu);
	if (vcpu_watch_exit_completes_step(basic)) {
		vcpu->watch.close_pending = true;
		if (action == EXIT_ACTION_RESUME)
			action = EXIT_ACTION_IRQS_ON;
	} else {
		vcpu_watch_exit_before_step(vcpu);
	}
	return action;
}
