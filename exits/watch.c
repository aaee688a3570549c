// SPDX-License-Identifier: GPL-2.0
/*
 * EPT watch hits and ALLOW_ONCE (include/vmxlab/uapi.h, "EPT watches").
 *
 * A hit: an EPT violation whose access a watch denies ("EPT Violations":
 * the instruction has not executed, the exit qualification says whether
 * it read, wrote or fetched).  KVM_RUN returns it to user space with RIP
 * unchanged, so running again repeats the access: that is BLOCK.
 *
 * ALLOW_ONCE opens the page for exactly one instruction of this vCPU.
 * With the "monitor trap flag" control the CPU exits after it (SDM Vol.
 * 3C, "Monitor Trap Flag").  Without it (Bochs 2.7 has no MTF) the
 * instruction runs with RFLAGS.TF = 1 and #DB intercepted in the
 * exception bitmap: the single-step trap after the instruction exits
 * (SDM Vol. 3B, "Single-Step Exception Condition"; Vol. 3C, "Exception
 * Bitmap").  Every exception is intercepted while stepping, so that an
 * instruction that faults instead of completing closes the page at that
 * exit and the fault is reflected to the guest: its handler never runs
 * with the page open or with vmxlab's TF.  An instruction vmxlab
 * emulates (CPUID, port I/O, MMIO...) completes without a trap: the exit
 * that emulates it closes the page.  Interrupt, preemption-timer and
 * page-mapping exits in between neither close nor report anything.
 *
 * What the guest can notice of the TF: an instruction that reads RFLAGS
 * (PUSHF) while stepped sees TF = 1, and one that loads RFLAGS (POPF,
 * IRET) may clear it, so that the page stays open until the next exit of
 * any kind the watch code sees.  The guest's own TF is kept: its
 * single-step trap is reflected after vmxlab's.
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <vmxlab/caps.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "ept/ept_vm.h"
#include "exits/dispatch.h"
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

#define ALL_EXCEPTIONS			0xffffffffu

/* The access of an EPT violation, as VMXLAB_WATCH_DENY_* bits. */
static u32 violation_access(const struct vmx_ept_qual *q)
{
	return (q->read ? VMXLAB_WATCH_DENY_READ : 0) |
	       (q->write ? VMXLAB_WATCH_DENY_WRITE : 0) |
	       (q->fetch ? VMXLAB_WATCH_DENY_EXEC : 0);
}

static void report_hit(struct vmxlab_vcpu *vcpu, u64 gpa, const struct vmx_ept_qual *q,
		       u32 access, u32 deny)
{
	struct vmxlab_watch_hit *hit = VMXLAB_WATCH_HIT(vcpu->run);
	bool delivery = vmx_intr_info_valid(vmcs_read32(VMCS_IDT_VECTORING_INFO));

	memset(hit, 0, sizeof(*hit));
	hit->gpa = gpa;
	if (q->gla_valid) {
		hit->gla = vmcs_readl(VMCS_GUEST_LINEAR_ADDRESS);
		hit->flags |= VMXLAB_WATCH_HIT_GLA_VALID;
	}
	hit->rip = vmcs_readl(VMCS_GUEST_RIP);
	hit->access = access;
	hit->deny = deny;
	hit->vcpu = vcpu->id;
	hit->qualification = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	if (delivery)
		hit->flags |= VMXLAB_WATCH_HIT_DELIVERY;
	if (vcpu->watch.stepping)
		hit->flags |= VMXLAB_WATCH_HIT_STEPPING;
	vcpu->run->exit_reason = VMXLAB_EXIT_EPT_WATCH;
	vcpu->watch.hit_pending = true;
	vcpu->watch.hit_delivery = delivery;
	vcpu->watch.hit_gpa = gpa;
}

/*
 * An EPT violation: is it a watch hit?  Then the run page describes it
 * and the caller returns to user space (re-delivering an interrupted
 * event on the next entry, as for any violation).
 */
bool vcpu_watch_hit(struct vmxlab_vcpu *vcpu, u64 gpa, const struct vmx_ept_qual *q)
{
	u32 access = violation_access(q), deny, blocked;

	blocked = vm_watch_blocked_at(vcpu->vm, gpa, &deny);
	if (!(access & blocked))
		return false;
	report_hit(vcpu, gpa, q, access, deny);
	return true;
}

static bool cpu_has_mtf(void)
{
	u64 msr = vmx_control_msr(&vmxlab_host_caps, VMXLAB_CTLS_PROCBASED);

	return vmx_control_bit_setting(msr, __ffs(VMX_PROCCTL_MONITOR_TRAP_FLAG)) !=
	       VMX_BIT_FIXED_0;
}

static void set_procbased_control(u32 control, bool on)
{
	u32 ctl = vmcs_read32(VMCS_CPU_BASED_VM_EXEC_CONTROL);

	vmcs_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL, on ? ctl | control : ctl & ~control);
}

/*
 * Single-step with TF.  STI and MOV SS blocking would hold the trap back
 * past the next instruction, and with TF = 1 the VM-entry checks then
 * want BS in the pending debug exceptions ("Checks on Guest Non-Register
 * State"); vmxlab injects no interrupts or NMIs, so that blocking guards
 * nothing here and is dropped, as completing the previous instruction
 * would have.
 */
static void start_tf_step(struct vmxlab_vcpu *vcpu)
{
	unsigned long rflags = vmcs_readl(VMCS_GUEST_RFLAGS);
	u32 intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	vcpu->watch.guest_tf = rflags & X86_EFLAGS_TF;
	vmcs_writel(VMCS_GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
	if (intr & VMX_INTERRUPTIBILITY_STI_MOV_SS)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~VMX_INTERRUPTIBILITY_STI_MOV_SS);
	vmcs_write32(VMCS_EXCEPTION_BITMAP, ALL_EXCEPTIONS);
}

/* Give the guest its own TF back; no single-step trap stays pending for vmxlab's. */
static void end_tf_step(struct vmxlab_vcpu *vcpu)
{
	unsigned long rflags = vmcs_readl(VMCS_GUEST_RFLAGS);

	vmcs_write32(VMCS_EXCEPTION_BITMAP, VCPU_EXCEPTION_BITMAP);
	if (vcpu->watch.guest_tf)
		return;
	vmcs_writel(VMCS_GUEST_RFLAGS, rflags & ~X86_EFLAGS_TF);
	vmcs_writel(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
		    vmcs_readl(VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & ~VMX_PENDING_DBG_BS);
}

static void start_step(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_watch *w = &vcpu->watch;

	w->use_mtf = cpu_has_mtf();
	if (w->use_mtf)
		set_procbased_control(VMX_PROCCTL_MONITOR_TRAP_FLAG, true);
	else
		start_tf_step(vcpu);
	w->stepping = true;
	w->close_pending = false;
	vcpu->watch_stepping = true;
}

/* The stepped instruction is over (or abandoned): close its pages. VMCS loaded. */
static void end_step(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_watch *w = &vcpu->watch;

	if (!w->stepping)
		return;
	vm_watch_revoke(vcpu->vm, vcpu->id);
	if (w->use_mtf)
		set_procbased_control(VMX_PROCCTL_MONITOR_TRAP_FLAG, false);
	else
		end_tf_step(vcpu);
	w->stepping = false;
	w->close_pending = false;
	vcpu->watch_stepping = false;
}

static int allow_once(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_watch *w = &vcpu->watch;
	int err;

	/*
	 * An access made while delivering an event (IDT, stack) belongs to
	 * no instruction that a single step could bound.
	 */
	if (w->hit_delivery)
		return -EOPNOTSUPP;
	err = vm_watch_grant(vcpu->vm, vcpu->id, w->hit_gpa);
	if (err)
		return err;
	if (!w->stepping) {
		vcpu_load(vcpu);
		start_step(vcpu);
		vcpu_put(vcpu);
	}
	return 0;
}

static int block(struct vmxlab_vcpu *vcpu)
{
	if (vcpu->watch.stepping) {
		vcpu_load(vcpu);
		end_step(vcpu);
		vcpu_put(vcpu);
	}
	return 0;
}

/* VMXLAB_WATCH_RESUME with @action (BLOCK or ALLOW_ONCE); vcpu->mutex held. */
int vcpu_watch_resume(struct vmxlab_vcpu *vcpu, u32 action)
{
	int err;

	if (!vcpu->watch.hit_pending)
		return -ENOENT;
	err = action == VMXLAB_WATCH_ALLOW_ONCE ? allow_once(vcpu) : block(vcpu);
	if (!err)
		vcpu->watch.hit_pending = false;
	return err;
}

/*
 * KVM_RUN after a hit nobody resumed: BLOCK.  The vCPU is loaded.  A hit
 * resumed with ALLOW_ONCE keeps its step open.
 */
void vcpu_watch_before_run(struct vmxlab_vcpu *vcpu)
{
	if (!vcpu->watch.hit_pending)
		return;
	vcpu->watch.hit_pending = false;
	end_step(vcpu);
}

/*
 * An exit while stepping after which the stepped instruction has not
 * run yet: no single-step trap may be pending for it, since the trap
 * follows only a completed instruction (SDM Vol. 3C, "Saving
 * Non-Register State", pending debug exceptions).  Bochs 2.7 differs: it
 * saves BS there at any VM exit of an instruction that began with TF = 1,
 * an EPT violation included, and delivers that #DB right after the next
 * VM entry, before the instruction runs again, which would close the
 * step too early.  Interrupts may be off: VMCS only.
 */
void vcpu_watch_exit_before_step(struct vmxlab_vcpu *vcpu)
{
	unsigned long pending = vmcs_readl(VMCS_GUEST_PENDING_DBG_EXCEPTIONS);

	if (!vcpu->watch.use_mtf && (pending & VMX_PENDING_DBG_BS))
		vmcs_writel(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, pending & ~VMX_PENDING_DBG_BS);
}

/*
 * The exits after which the stepped instruction has not run yet, or
 * that end the step themselves: anything else is an instruction vmxlab
 * emulated, which completes it without a single-step trap.
 */
bool vcpu_watch_exit_completes_step(u32 basic)
{
	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_EPT_VIOLATION:
	case VMX_EXIT_EPT_MISCONFIG:
	case VMX_EXIT_PREEMPTION_TIMER:
	case VMX_EXIT_MONITOR_TRAP_FLAG:
		return false;
	default:
		return true;
	}
}

/*
 * The outer run loop, while stepping, after an exit was handled: close
 * the step when the instruction completed by emulation, when KVM_RUN
 * returns for anything but a new hit (the window never outlives a
 * return to user space otherwise), or on an error.
 */
int vcpu_watch_after_exit(struct vmxlab_vcpu *vcpu, int action)
{
	struct vcpu_watch *w = &vcpu->watch;

	if (w->close_pending || action < 0 ||
	    (action == EXIT_ACTION_TO_USER && !w->hit_pending))
		end_step(vcpu);
	return action;
}

/* Deliver the exception of this exit to the guest on the next entry. */
static void reflect_exception(struct vmxlab_vcpu *vcpu, u32 info)
{
	struct vmx_intr_info intr;

	vmx_decode_intr_info(info, &intr);
	/* A #PF exit leaves CR2 alone; the address is in the qualification. */
	if (intr.vector == X86_TRAP_PF && intr.type == VMX_INTR_HW_EXCEPTION)
		vcpu->regs.cr2 = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	vcpu_reflect_exception(vcpu, info);
}

/*
 * An exception exit while stepping (vmxlab intercepts them only then).
 * vmxlab's own single-step trap ends the step; any other exception means
 * the instruction faulted (or the guest's own #DB): close the page and
 * reflect it, so the guest handles it as it would have without vmxlab.
 * A machine check never comes here: it is the host's, taken with
 * interrupts off before any deferral (exits/handlers.c).
 */
int vcpu_watch_handle_exception(struct vmxlab_vcpu *vcpu)
{
	u32 info = vmcs_read32(VMCS_VM_EXIT_INTR_INFO);
	u64 qual = vmcs_readl(VMCS_EXIT_QUALIFICATION);
	struct vmx_intr_info intr;
	bool ours;

	if (!vcpu->watch.stepping)
		return exit_unexpected(vcpu);
	vmx_decode_intr_info(info, &intr);
	ours = intr.vector == X86_TRAP_DB && intr.type == VMX_INTR_HW_EXCEPTION &&
	       (qual & VMX_DBG_QUAL_BS) && !vcpu->watch.use_mtf;
	end_step(vcpu);
	if (ours && !vcpu->watch.guest_tf && !(qual & VMX_DBG_QUAL_B0_B3))
		return EXIT_ACTION_RESUME;
	/* The guest's own #DB: its DR6 bits, without vmxlab's single step. */
	if (intr.vector == X86_TRAP_DB && intr.type == VMX_INTR_HW_EXCEPTION)
		vcpu_debug_exit_to_dr6(vcpu, vcpu->watch.guest_tf ? qual :
					     qual & ~VMX_DBG_QUAL_BS);
	reflect_exception(vcpu, info);
	return EXIT_ACTION_RESUME;
}

/* The monitor trap flag exit after the stepped instruction ("Monitor Trap Flag"). */
int vcpu_watch_handle_mtf(struct vmxlab_vcpu *vcpu)
{
	if (!vcpu->watch.stepping)
		return exit_unexpected(vcpu);
	end_step(vcpu);
	return EXIT_ACTION_RESUME;
}

/* The vCPU goes away: pages it held open close. */
void vcpu_watch_release(struct vmxlab_vcpu *vcpu)
{
	vm_watch_revoke(vcpu->vm, vcpu->id);
}
