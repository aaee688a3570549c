// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --irq and --hlt-irq: a tiny interrupt controller in user
 * space, as a VMM without an in-kernel one drives KVM (KVM API
 * documentation, "KVM_INTERRUPT", "KVM_NMI", and struct kvm_run's
 * request_interrupt_window and ready_for_interrupt_injection).
 *
 * A guest raises an interrupt with a write to the doorbell port (the
 * vector in the low byte) or an NMI with a write to the NMI port; with
 * --hlt-irq, an HLT with RFLAGS.IF = 1 raises the timer vector.  Before
 * each KVM_RUN a raised interrupt goes in with KVM_INTERRUPT if the
 * device says the vCPU is ready for one; if not, the tool asks for an
 * interrupt window and the device returns KVM_EXIT_IRQ_WINDOW_OPEN once
 * the guest can take it.  An NMI goes in with KVM_NMI at once.  An HLT
 * with something raised (an interrupt with IF = 1, or an NMI) waits for it
 * instead of ending the vCPU, like a CPU woken by the interrupt.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "run.h"
#include "vmxlab.h"

static int inject_failed(struct vcpu *vcpu, const char *what)
{
	error_msg("%s on %s failed: %s", what, vcpu->vm->device, strerror(errno));
	vcpu->end = VCPU_FAILED;
	return EXIT_FAILED;
}

static void trace_inject(const struct vcpu *vcpu, const char *what, int vector)
{
	if (!vcpu->vm->trace)
		return;
	if (vector < 0)
		fprintf(stderr, "inject: vcpu %u %s\n", vcpu->id, what);
	else
		fprintf(stderr, "inject: vcpu %u %s 0x%02x\n", vcpu->id, what, vector);
}

int irq_before_run(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_interrupt irq;

	if (!vcpu->vm->irq)
		return -1;
	if (vcpu->nmi_raised) {
		if (ioctl(vcpu->fd, KVM_NMI, 0))
			return inject_failed(vcpu, "KVM_NMI");
		vcpu->nmi_raised = false;
		trace_inject(vcpu, "NMI", -1);
	}
	if (vcpu->irq_raised >= 0 && run->ready_for_interrupt_injection) {
		irq.irq = vcpu->irq_raised;
		if (ioctl(vcpu->fd, KVM_INTERRUPT, &irq))
			return inject_failed(vcpu, "KVM_INTERRUPT");
		trace_inject(vcpu, "interrupt", vcpu->irq_raised);
		vcpu->irq_raised = -1;
		vcpu->irqs_injected++;
	}
	run->request_interrupt_window = vcpu->irq_raised >= 0;
	return -1;
}

bool irq_port_out(struct vcpu *vcpu, uint16_t port, uint32_t value)
{
	if (!vcpu->vm->irq)
		return false;
	switch (port) {
	case PORT_IRQ_DOORBELL:
		vcpu->irq_raised = value & 0xff;
		return true;
	case PORT_NMI_DOORBELL:
		vcpu->nmi_raised = true;
		return true;
	default:
		return false;
	}
}

bool irq_hlt_waits(struct vcpu *vcpu)
{
	const struct vm *vm = vcpu->vm;

	if (!vm->irq)
		return false;
	if (vcpu->nmi_raised)
		return true;
	if (!vcpu->run->if_flag)
		return false;
	if (vm->hlt_irq >= 0 && vcpu->irq_raised < 0)
		vcpu->irq_raised = vm->hlt_irq;
	return vcpu->irq_raised >= 0;
}
