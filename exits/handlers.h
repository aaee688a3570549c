/* SPDX-License-Identifier: GPL-2.0 */
/* The exit handlers of exits/, as the dispatch table in handlers.c lists them. */
#ifndef VMXLAB_EXITS_HANDLERS_H
#define VMXLAB_EXITS_HANDLERS_H

struct vmxlab_vcpu;

struct exit_handler {
	int (*irqs_off)(struct vmxlab_vcpu *vcpu);
	int (*irqs_on)(struct vmxlab_vcpu *vcpu);
};

int vmx_unexpected_exit(struct vmxlab_vcpu *vcpu);

/* exits/io.c */
int handle_io(struct vmxlab_vcpu *vcpu);
int handle_string_io(struct vmxlab_vcpu *vcpu);

/* exits/cr_msr.c */
int handle_cr_access(struct vmxlab_vcpu *vcpu);
int handle_rdmsr(struct vmxlab_vcpu *vcpu);
int handle_wrmsr(struct vmxlab_vcpu *vcpu);
int handle_xsetbv(struct vmxlab_vcpu *vcpu);

/* exits/mmio.c */
int handle_ept_violation(struct vmxlab_vcpu *vcpu);
int handle_ept_misconfig(struct vmxlab_vcpu *vcpu);

#endif /* VMXLAB_EXITS_HANDLERS_H */
