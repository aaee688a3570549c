/* SPDX-License-Identifier: GPL-2.0 */
/* vmxlab.ko internals shared between vmx/, vmcs/, ept/ and exits/. */
#ifndef VMXLAB_INTERNAL_H
#define VMXLAB_INTERNAL_H

#include <linux/printk.h>
#include <vmxlab/uapi.h>

#undef pr_fmt
#define pr_fmt(fmt) "vmxlab: " fmt

/* The capability MSRs and the decisions taken from them, read at load. */
extern struct vmxlab_caps vmxlab_host_caps;

/* vmx/probe.c */
int vmxlab_probe(void);

/* vmx/vmxon.c: VMX operation, held on all online CPUs while it has users. */
int vmxlab_vmx_lifecycle_init(void);
void vmxlab_vmx_lifecycle_exit(void);
int vmxlab_vmx_get(void);
void vmxlab_vmx_put(void);
unsigned int vmxlab_vmx_users(void);
int vmxlab_cpu_state(struct vmxlab_cpu_state *state);

/* vmx/run.c: VMCLEAR every VMCS active on this CPU (before VMXOFF). */
void vmxlab_vmclear_all_on_this_cpu(void);

/* vmx/dev.c */
long vmxlab_check_extension(unsigned long cap);
int vmxlab_dev_register(void);
void vmxlab_dev_unregister(void);

/* vmcs/region.c: VMXON and VMCS regions (SDM Vol. 3C, "VMXON Region"). */
void *vmcs_alloc_region(int cpu);
void vmcs_free_region(void *region);

#endif /* VMXLAB_INTERNAL_H */
