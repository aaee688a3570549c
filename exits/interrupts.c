// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts and NMIs from a user-space interrupt controller, with the
 * semantics KVM documents for a VMM without an in-kernel irqchip (KVM API
 * documentation: "KVM_INTERRUPT", "KVM_NMI", "KVM_GET_VCPU_EVENTS",
 * "KVM_SET_VCPU_EVENTS", "KVM_GET_MP_STATE", and struct kvm_run's
 * request_interrupt_window, ready_for_interrupt_injection, if_flag, cr8
 * and apic_base).
 *
 * One event at a time goes into the VM-entry interruption-information
 * field (SDM Vol. 3C, "VM-Entry Controls for Event Injection"): a
 * queued NMI when the guest has no NMI blocking, a queued interrupt when
 * RFLAGS.IF = 1 and there is no STI or MOV SS blocking.  When the guest
 * cannot take it yet, interrupt-window or NMI-window exiting makes the CPU
 * exit at the first instruction boundary where it can ("Interrupt-Window
 * Exiting and Virtual-Interrupt Delivery", "NMI-Window Exiting").  An
 * event whose delivery a VM exit interrupted goes into the same field
 * again ("Information for VM Exits During Event Delivery").
 *
 * None of this is on the in-kernel exit path: KVM_RUN looks at the queue
 * once when it starts (one test when nothing waits), and the window exits
 * are exits of their own.
 */
#include <linux/types.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "exits/dispatch.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/* The bits of the interruption-information format VM entry accepts. */
#define INTR_INFO_INJECTABLE	(VMX_INTR_INFO_VALID | VMX_INTR_INFO_DELIVER_CODE | \
				 (7U << VMX_INTR_INFO_TYPE_SHIFT) | VMX_INTR_INFO_VECTOR_MASK)

/* The exceptions that push an error code ("Exception and Interrupt Reference"). */
#define EXCEPTIONS_WITH_ERROR_CODE \
	(BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) | BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) | \
	 BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) | BIT(X86_TRAP_AC))

static bool have_virtual_nmis(void)
{
	return vmxlab_host_caps.controls[VMXLAB_CTLS_PINBASED].value & VMX_PINCTL_VIRTUAL_NMIS;
}

static u32 entry_intr_info(void)
{
	return vmcs_read32(VMCS_VM_ENTRY_INTR_INFO);
}

static void inject_event(enum vmx_intr_type type, u8 vector)
{
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO, VMX_INTR_INFO_VALID |
		     (type << VMX_INTR_INFO_TYPE_SHIFT) | vector);
}

/*
 * A maskable interrupt may be delivered: RFLAGS.IF = 1 and no blocking by
 * STI or MOV SS ("Interruptibility State"; VM entry refuses to inject an
 * external interrupt otherwise, "Checks on Guest Non-Register State").
 */
static bool irq_allowed(u32 interruptibility)
{
	return (vmcs_readl(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(interruptibility & VMX_INTERRUPTIBILITY_STI_MOV_SS);
}

/*
 * An NMI may be delivered: no (virtual-)NMI blocking and no blocking by
 * MOV SS, the two that VM entry checks for an injected NMI.  Without
 * virtual NMIs the CPU tracks NMI blocking itself in the same bit.
 */
static bool nmi_allowed(u32 interruptibility)
{
	return !(interruptibility & (VMX_INTERRUPTIBILITY_NMI | VMX_INTERRUPTIBILITY_MOV_SS));
}

/* Turn one window-exiting control on or off; @on_now tracks it. */
static void set_window_exiting(u32 control, bool want, bool *on_now)
{
	u32 proc;

	if (want == *on_now)
		return;
	proc = vmcs_read32(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	vmcs_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL, want ? proc | control : proc & ~control);
	*on_now = want;
}

/*
 * Put what waits into the VM-entry interruption-information field if the
 * guest can take it now and the field is free (a re-delivered or
 * reflected event goes first), NMI before interrupt; for what still
 * waits, and for user space's request_interrupt_window, turn on the
 * window exit that says when it can.  Without virtual NMIs there is no
 * NMI-window exiting: the interrupt window stands in for it.
 */
static void events_arm(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_events *ev = &vcpu->events;
	u32 interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	bool busy = vmx_intr_info_valid(entry_intr_info());
	bool vnmi = have_virtual_nmis();

	if (ev->nmi_pending && !busy && nmi_allowed(interruptibility)) {
		inject_event(VMX_INTR_NMI, X86_TRAP_NMI);
		ev->nmi_pending = false;
		busy = true;
	}
	if (ev->irq_queued && !busy && irq_allowed(interruptibility)) {
		inject_event(VMX_INTR_EXTERNAL, ev->irq_vector);
		ev->irq_queued = false;
	}
	set_window_exiting(VMX_PROCCTL_NMI_WINDOW_EXITING, ev->nmi_pending && vnmi,
			   &ev->nmi_window_on);
	set_window_exiting(VMX_PROCCTL_INTR_WINDOW_EXITING,
			   ev->irq_queued || ev->window_wanted || (ev->nmi_pending && !vnmi),
			   &ev->irq_window_on);
}

/*
 * Start of KVM_RUN, after the previous exit's instruction completed (its
 * completion ends STI blocking): the guest's TPR from run->cr8, as KVM
 * loads it without an in-kernel local APIC (-EINVAL for bits above 3),
 * then the events.  Nothing to do, the usual case, costs one test.
 */
int vcpu_events_before_run(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_events *ev = &vcpu->events;
	u64 cr8 = READ_ONCE(vcpu->run->cr8);
	bool wanted = READ_ONCE(vcpu->run->request_interrupt_window);

	if (unlikely(cr8 != vcpu->cr8)) {
		if (cr8 > 15)
			return -EINVAL;
		vcpu->cr8 = cr8;
	}
	if (likely(!(wanted | ev->irq_queued | ev->nmi_pending |
		     ev->irq_window_on | ev->nmi_window_on)))
		return 0;
	ev->window_wanted = wanted;
	events_arm(vcpu);
	return 0;
}

/*
 * Interrupt-window exit: the guest can take an interrupt.  A queued one
 * goes in; else, if user space asked for the window, KVM_RUN returns
 * KVM_EXIT_IRQ_WINDOW_OPEN (with ready_for_interrupt_injection set).
 */
int handle_interrupt_window(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_events *ev = &vcpu->events;

	events_arm(vcpu);
	if (!ev->window_wanted || vmx_intr_info_valid(entry_intr_info()))
		return EXIT_ACTION_RESUME;
	ev->window_wanted = false;
	events_arm(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	return EXIT_ACTION_TO_USER;
}

/* NMI-window exit: virtual-NMI blocking ended; the queued NMI goes in. */
int handle_nmi_window(struct vmxlab_vcpu *vcpu)
{
	events_arm(vcpu);
	return EXIT_ACTION_RESUME;
}

/*
 * A VM exit interrupted the delivery of an event (IDT-vectoring
 * information valid): deliver it again at the next VM entry, with its
 * error code and, for software interrupts and exceptions, the
 * instruction length (SDM Vol. 3C, "Information for VM Exits During
 * Event Delivery", "Handling VM Exits Due to Exceptions").  Bits 30:12
 * must be 0 in the VM-entry field.  An NMI whose delivery was interrupted
 * left virtual-NMI blocking on ("Event Delivery and VM Exits"), which
 * VM entry refuses with an NMI to inject: it was not delivered, so clear it.
 * With CR0.PE = 0 no error code goes with it, whatever the exit said
 * (Bochs reports one for a real-mode #GP): real mode pushes none, and VM
 * entry refuses deliver-error-code there ("Checks on VM-Entry Control
 * Fields").
 */
void vcpu_redeliver_event(struct vmxlab_vcpu *vcpu)
{
	u32 info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	enum vmx_intr_type type = vmx_intr_info_type(info);
	u32 interruptibility;

	if (likely(!vmx_intr_info_valid(info)))
		return;
	if (!vcpu_is_protected(vcpu))
		info &= ~VMX_INTR_INFO_DELIVER_CODE;
	if (info & VMX_INTR_INFO_DELIVER_CODE)
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == VMX_INTR_SW_INTERRUPT || type == VMX_INTR_SW_EXCEPTION ||
	    type == VMX_INTR_PRIV_SW_EXCEPTION)
		vmcs_write32(VMCS_VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN));
	if (type == VMX_INTR_NMI && have_virtual_nmis()) {
		interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     interruptibility & ~VMX_INTERRUPTIBILITY_NMI);
	}
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO, info & INTR_INFO_INJECTABLE);
	/* The event is back in the field: what waits needs a window again. */
	if (vcpu->events.irq_queued || vcpu->events.nmi_pending)
		events_arm(vcpu);
}

/*
 * The end of every KVM_RUN, whatever it returns: what a user-space
 * interrupt controller reads (KVM's post-run state).  An exit that KVM_RUN
 * completes later (port input, MMIO read) moves RIP past its instruction
 * before the next entry, which ends STI and MOV SS blocking.
 */
void vcpu_events_after_run(struct vmxlab_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u32 interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	bool if_flag = vmcs_readl(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF;

	if (vcpu->pending != VCPU_PENDING_NONE)
		interruptibility &= ~VMX_INTERRUPTIBILITY_STI_MOV_SS;
	run->if_flag = if_flag;
	run->cr8 = vcpu->cr8;
	run->apic_base = vcpu->apic_base;
	run->flags = 0;
	run->ready_for_interrupt_injection =
		if_flag && !(interruptibility & VMX_INTERRUPTIBILITY_STI_MOV_SS) &&
		!vcpu->events.irq_queued && !vmx_intr_info_valid(entry_intr_info());
}

/*
 * KVM_INTERRUPT: queue @vector for the guest.  An interrupt already
 * waiting or being (re-)delivered is refused with -EEXIST, as KVM's
 * documentation says, rather than lost: KVM itself replaces a queued
 * vector when it has no in-kernel irqchip.
 */
int vcpu_queue_interrupt(struct vmxlab_vcpu *vcpu, u8 vector)
{
	u32 info;

	if (vcpu->events.irq_queued)
		return -EEXIST;
	vcpu_load(vcpu);
	info = entry_intr_info();
	vcpu_put(vcpu);
	if (vmx_intr_info_valid(info) &&
	    (vmx_intr_info_type(info) == VMX_INTR_EXTERNAL ||
	     vmx_intr_info_type(info) == VMX_INTR_SW_INTERRUPT))
		return -EEXIST;
	vcpu->events.irq_vector = vector;
	vcpu->events.irq_queued = true;
	return 0;
}

/* KVM_NMI: one NMI waits; more before it is delivered are one (as the CPU latches one). */
void vcpu_queue_nmi(struct vmxlab_vcpu *vcpu)
{
	vcpu->events.nmi_pending = true;
}

/* KVM_GET_VCPU_EVENTS: the injected event, what waits, the blocking. */
void vcpu_get_events(struct vmxlab_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	u32 info, interruptibility;

	memset(ev, 0, sizeof(*ev));
	vcpu_load(vcpu);
	info = entry_intr_info();
	interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (vmx_intr_info_valid(info)) {
		u8 vector = info & VMX_INTR_INFO_VECTOR_MASK;

		switch (vmx_intr_info_type(info)) {
		case VMX_INTR_EXTERNAL:
		case VMX_INTR_SW_INTERRUPT:
			ev->interrupt.injected = 1;
			ev->interrupt.nr = vector;
			ev->interrupt.soft = vmx_intr_info_type(info) == VMX_INTR_SW_INTERRUPT;
			break;
		case VMX_INTR_NMI:
			ev->nmi.injected = 1;
			break;
		default:
			ev->exception.injected = 1;
			ev->exception.nr = vector;
			ev->exception.has_error_code = !!(info & VMX_INTR_INFO_DELIVER_CODE);
			if (ev->exception.has_error_code)
				ev->exception.error_code =
					vmcs_read32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);
			break;
		}
	}
	vcpu_put(vcpu);
	if (vcpu->events.irq_queued) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = vcpu->events.irq_vector;
	}
	ev->nmi.pending = vcpu->events.nmi_pending;
	ev->nmi.masked = !!(interruptibility & VMX_INTERRUPTIBILITY_NMI);
	ev->interrupt.shadow =
		((interruptibility & VMX_INTERRUPTIBILITY_STI) ? KVM_X86_SHADOW_INT_STI : 0) |
		((interruptibility & VMX_INTERRUPTIBILITY_MOV_SS) ? KVM_X86_SHADOW_INT_MOV_SS : 0);
	ev->sipi_vector = vcpu->events.sipi_vector;
	/* As KVM: the SMM fields are valid too (all 0: vmxlab has no SMM). */
	ev->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		    KVM_VCPUEVENT_VALID_SMM;
}

static bool is_bool(u8 v)
{
	return v <= 1;
}

/*
 * The VM-entry interruption information for @ev's injected exception, NMI
 * or software interrupt, 0 for none, or -EINVAL for what VM entry would
 * refuse ("Checks on VM-Entry Control Fields") or vmxlab cannot hold: more
 * than one of them, a vector above 31 or NMI's as an exception, an error
 * code that does not match the vector in protected mode, a software
 * interrupt or exception vmxlab does not already hold (only it knows the
 * instruction length such an event needs).
 */
static s64 injected_event_info(struct vmxlab_vcpu *vcpu, const struct kvm_vcpu_events *ev,
			       u32 current_info)
{
	bool soft = ev->interrupt.injected && ev->interrupt.soft;
	u32 info;
	bool code;

	if (ev->exception.injected + ev->nmi.injected + soft > 1)
		return -EINVAL;
	if (ev->nmi.injected)
		return VMX_INTR_INFO_VALID | (VMX_INTR_NMI << VMX_INTR_INFO_TYPE_SHIFT) |
		       X86_TRAP_NMI;
	if (soft) {
		info = VMX_INTR_INFO_VALID | (VMX_INTR_SW_INTERRUPT << VMX_INTR_INFO_TYPE_SHIFT) |
		       ev->interrupt.nr;
		return current_info == info ? info : -EINVAL;
	}
	if (!ev->exception.injected)
		return 0;
	if (ev->exception.nr > 31 || ev->exception.nr == X86_TRAP_NMI)
		return -EINVAL;
	code = EXCEPTIONS_WITH_ERROR_CODE & BIT(ev->exception.nr);
	if (ev->exception.has_error_code && !code)
		return -EINVAL;
	if (vcpu_is_protected(vcpu) && code != ev->exception.has_error_code)
		return -EINVAL;
	/* A software exception (INT3, INTO, INT1) vmxlab holds keeps its type. */
	if (vmx_intr_info_valid(current_info) &&
	    (current_info & VMX_INTR_INFO_VECTOR_MASK) == ev->exception.nr &&
	    (vmx_intr_info_type(current_info) == VMX_INTR_SW_EXCEPTION ||
	     vmx_intr_info_type(current_info) == VMX_INTR_PRIV_SW_EXCEPTION))
		return current_info & INTR_INFO_INJECTABLE;
	info = VMX_INTR_INFO_VALID | (VMX_INTR_HW_EXCEPTION << VMX_INTR_INFO_TYPE_SHIFT) |
	       ev->exception.nr;
	if (code && vcpu_is_protected(vcpu))
		info |= VMX_INTR_INFO_DELIVER_CODE;
	return info;
}

/* The interruptibility state @ev asks for, from @cur. */
static u32 events_interruptibility(const struct kvm_vcpu_events *ev, u32 cur)
{
	cur &= ~VMX_INTERRUPTIBILITY_NMI;
	if (ev->nmi.masked)
		cur |= VMX_INTERRUPTIBILITY_NMI;
	if (ev->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		cur &= ~VMX_INTERRUPTIBILITY_STI_MOV_SS;
		if (ev->interrupt.shadow & KVM_X86_SHADOW_INT_STI)
			cur |= VMX_INTERRUPTIBILITY_STI;
		if (ev->interrupt.shadow & KVM_X86_SHADOW_INT_MOV_SS)
			cur |= VMX_INTERRUPTIBILITY_MOV_SS;
	}
	return cur;
}

/*
 * KVM_SET_VCPU_EVENTS, after vcpu.c refused unknown flags and non-zero
 * reserved fields: all or nothing.  The flags say which of the pending NMI,
 * the STI/MOV SS shadow and the SIPI vector to take; the injected events
 * and NMI masking are always taken, as on KVM.  An STI shadow needs
 * RFLAGS.IF = 1 and excludes MOV SS blocking (VM entry checks both).
 */
int vcpu_set_events(struct vmxlab_vcpu *vcpu, const struct kvm_vcpu_events *ev)
{
	u32 cur_info, interruptibility;
	s64 info;
	int ret = 0;

	if (!is_bool(ev->exception.injected) || !is_bool(ev->exception.has_error_code) ||
	    !is_bool(ev->interrupt.injected) || !is_bool(ev->interrupt.soft) ||
	    !is_bool(ev->nmi.injected) || !is_bool(ev->nmi.pending) ||
	    !is_bool(ev->nmi.masked) ||
	    ev->interrupt.shadow & ~(KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS) ||
	    ev->interrupt.shadow == (KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS))
		return -EINVAL;
	vcpu_load(vcpu);
	cur_info = entry_intr_info();
	info = injected_event_info(vcpu, ev, cur_info);
	interruptibility = events_interruptibility(ev,
				vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO));
	if (info < 0 || ((interruptibility & VMX_INTERRUPTIBILITY_STI) &&
			 !(vmcs_readl(VMCS_GUEST_RFLAGS) & X86_EFLAGS_IF))) {
		ret = -EINVAL;
		goto out;
	}
	if (info & VMX_INTR_INFO_DELIVER_CODE)
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, ev->exception.error_code);
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO, info);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO, interruptibility);
	vcpu->events.irq_queued = ev->interrupt.injected && !ev->interrupt.soft;
	vcpu->events.irq_vector = ev->interrupt.nr;
	if (ev->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->events.nmi_pending = ev->nmi.pending;
	if (ev->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR)
		vcpu->events.sipi_vector = ev->sipi_vector;
out:
	vcpu_put(vcpu);
	return ret;
}

/*
 * KVM_GET_MP_STATE / KVM_SET_MP_STATE.  Without an in-kernel local APIC a
 * vCPU is always runnable: HLT returns to user space, which holds INIT and
 * SIPI itself, and KVM then accepts only KVM_MP_STATE_RUNNABLE.
 */
u32 vcpu_get_mp_state(struct vmxlab_vcpu *vcpu)
{
	return KVM_MP_STATE_RUNNABLE;
}

int vcpu_set_mp_state(struct vmxlab_vcpu *vcpu, u32 mp_state)
{
	return mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
}

/*
 * An IRET that ended virtual-NMI blocking and then met a fault or an EPT
 * violation (exit qualification or exit interruption information bit 12,
 * meaningful when no event was being delivered) runs again after the exit:
 * the blocking must be back until it completes, or a queued NMI would be
 * delivered inside the handler it returns from (SDM Vol. 3C, "Resuming
 * Guest Software after Handling an Exception", "Exit Qualification for EPT
 * Violations").
 */
void vcpu_iret_nmi_blocking(struct vmxlab_vcpu *vcpu, bool unblocked_by_iret)
{
	u32 interruptibility;

	if (!unblocked_by_iret || !have_virtual_nmis() ||
	    vmx_intr_info_valid(vmcs_read32(VMCS_IDT_VECTORING_INFO)))
		return;
	interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
		     interruptibility | VMX_INTERRUPTIBILITY_NMI);
}
