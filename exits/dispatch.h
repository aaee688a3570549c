/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM-exit dispatch: one table indexed by the basic exit reason (SDM Vol.
 * 3D, Appendix C "VMX Basic Exit Reasons"), read by the run loop in
 * vmx/run.c.
 *
 * Each entry has up to two handlers:
 *   .irqs_off  runs in the inner loop, interrupts off: it may touch only
 *              the VMCS, the vCPU and the run page, never sleep;
 *   .irqs_on   runs with interrupts on and may sleep (guest memory, EPT).
 * An entry with .irqs_off may defer to its .irqs_on by returning
 * EXIT_ACTION_DEFER; an entry with only .irqs_on is deferred at once.  A
 * handler returns an enum exit_action or -errno (KVM_RUN fails with it).
 * An empty entry is an exit vmxlab does not expect: KVM_RUN returns to
 * user space with KVM_EXIT_INTERNAL_ERROR naming it, never a host crash.
 *
 * A failed VM entry (bit 31 of the exit reason) is told apart before the
 * table is indexed: the basic reason then means something else ("VM-Entry
 * Failures During or After Loading Guest State").
 *
 * The dispatch below is inline so that the run loop's path to a handler
 * is a few instructions; the CPUID handler is inline too (the hottest
 * exit: guests take it in tight loops).
 */
#ifndef VMXLAB_EXITS_DISPATCH_H
#define VMXLAB_EXITS_DISPATCH_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/exits.h>
#include <vmxlab/uapi.h>
#include "exits/exits.h"
#include "vmx/vcpu.h"

/*
 * What the run loop does after a handler.  Not to be confused with the
 * exit reasons (VMX_EXIT_*, what the CPU reports) or with run->exit_reason
 * (KVM_EXIT_*, what user space is told).
 */
enum exit_action {
	EXIT_ACTION_RESUME = 1,	/* re-enter at once, interrupts still off */
	EXIT_ACTION_IRQS_ON,	/* re-enter after interrupts were let in */
	EXIT_ACTION_DEFER,	/* handle again with interrupts on */
	EXIT_ACTION_TO_USER,	/* run->exit_reason is set: KVM_RUN returns 0 */
};

struct exit_handler {
	int (*irqs_off)(struct vmxlab_vcpu *vcpu);
	int (*irqs_on)(struct vmxlab_vcpu *vcpu);
};

/* exits/handlers.c: basic exit reason -> handlers. */
extern const struct exit_handler exit_handlers[VMXLAB_MAX_EXIT_REASONS];

int exit_unexpected(struct vmxlab_vcpu *vcpu);
int exit_dispatch_stepping(struct vmxlab_vcpu *vcpu, u32 basic);

/* exits/io.c */
int handle_io(struct vmxlab_vcpu *vcpu);
int handle_string_io(struct vmxlab_vcpu *vcpu);

/* exits/cr_msr.c */
int handle_cr_access(struct vmxlab_vcpu *vcpu);
int handle_rdmsr(struct vmxlab_vcpu *vcpu);
int handle_wrmsr(struct vmxlab_vcpu *vcpu);
int handle_rdpmc(struct vmxlab_vcpu *vcpu);
int handle_xsetbv(struct vmxlab_vcpu *vcpu);

/* vmx/debugregs.c */
int handle_dr_access(struct vmxlab_vcpu *vcpu);

/* exits/mmio.c */
int handle_ept_violation(struct vmxlab_vcpu *vcpu);
int handle_ept_misconfig(struct vmxlab_vcpu *vcpu);

/* exits/interrupts.c */
int handle_interrupt_window(struct vmxlab_vcpu *vcpu);
int handle_nmi_window(struct vmxlab_vcpu *vcpu);

/* exits/watch.c */
int vcpu_watch_handle_exception(struct vmxlab_vcpu *vcpu);
int vcpu_watch_handle_mtf(struct vmxlab_vcpu *vcpu);

/*
 * CPUID, answered from the vCPU's table (KVM_SET_CPUID2), never by
 * executing CPUID: the result must not change with the host CPU the
 * thread runs on, and the table lookup is a few loads.
 */
static __always_inline int handle_cpuid(struct vmxlab_vcpu *vcpu)
{
	unsigned long *gpr = vcpu->regs.gpr;
	const u32 *out = cpuid_cache_answer(vcpu->cpuid, gpr[GPR_RAX], gpr[GPR_RCX]);

	gpr[GPR_RAX] = out[CPUID_REG_EAX];
	gpr[GPR_RBX] = out[CPUID_REG_EBX];
	gpr[GPR_RCX] = out[CPUID_REG_ECX];
	gpr[GPR_RDX] = out[CPUID_REG_EDX];
	skip_instruction(vcpu);
	return EXIT_ACTION_RESUME;
}

/*
 * The table's handling of exit @basic (< VMXLAB_MAX_EXIT_REASONS) with
 * interrupts off: an enum exit_action or -errno.
 */
static __always_inline int exit_dispatch_irqs_off(struct vmxlab_vcpu *vcpu, u32 basic)
{
	const struct exit_handler *h;

	if (unlikely(vcpu->watch_stepping))
		return exit_dispatch_stepping(vcpu, basic);
	/*
	 * The table's CPUID handler, called directly: guests take CPUID
	 * exits in tight loops, and the direct call saves the indirect one.
	 */
	if (basic == VMX_EXIT_CPUID)
		return handle_cpuid(vcpu);
	h = &exit_handlers[basic];
	if (likely(h->irqs_off))
		return h->irqs_off(vcpu);
	return h->irqs_on ? EXIT_ACTION_DEFER : exit_unexpected(vcpu);
}

/* An exit the irqs_off handling deferred: its .irqs_on handler. */
static inline int exit_dispatch_irqs_on(struct vmxlab_vcpu *vcpu, u32 basic)
{
	return exit_handlers[basic].irqs_on(vcpu);
}

#endif /* VMXLAB_EXITS_DISPATCH_H */
