/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx/: VMX operation, the device and its VM and vCPU fds, the run loop.
 * Also what every file of vmxlab.ko shares: the log prefix and the host's
 * capabilities.  The structures are in vmx/vcpu.h.
 */
#ifndef VMXLAB_VMX_H
#define VMXLAB_VMX_H

#include <linux/printk.h>
#include <linux/types.h>
#include <vmxlab/uapi.h>

#undef pr_fmt
#define pr_fmt(fmt) "vmxlab: " fmt

/* The capability MSRs and the decisions taken from them, read at load. */
extern struct vmxlab_caps vmxlab_host_caps;

/* vmx/probe.c */
int vmxlab_probe(void);
void vmxlab_host_cpuid(void *ctx, u32 leaf, u32 subleaf, u32 regs[4]);

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
long vmxlab_enable_cap(void __user *argp);
int vmxlab_dev_register(void);
void vmxlab_dev_unregister(void);

struct dentry;
struct vmxlab_vm;
struct vmxlab_vcpu;
struct vmxlab_memslot;

/* vmx/vm.c */
int vmxlab_create_vm(unsigned long type);
void vmxlab_vm_put(struct vmxlab_vm *vm);
struct vmxlab_memslot *vm_find_slot(struct vmxlab_vm *vm, u64 gpa);
int vm_read_guest(struct vmxlab_vm *vm, u64 gpa, void *buf, unsigned int len);
int vm_write_guest(struct vmxlab_vm *vm, u64 gpa, const void *buf, unsigned int len);

/* vmx/vcpu.c */
int vmxlab_create_vcpu(struct vmxlab_vm *vm, unsigned long id);
void vcpu_destroy(struct vmxlab_vcpu *vcpu);

/* vmx/run.c: the vCPU's VMCS on this CPU, KVM_RUN */
int vmxlab_run_init(void);
void vmxlab_run_exit(void);
void vcpu_load(struct vmxlab_vcpu *vcpu);
void vcpu_put(struct vmxlab_vcpu *vcpu);
void vcpu_vmclear(struct vmxlab_vcpu *vcpu);
void vcpu_reset_launch_state(struct vmxlab_vcpu *vcpu);
long vcpu_run(struct vmxlab_vcpu *vcpu);
void vcpu_flush_guest_tlb(struct vmxlab_vcpu *vcpu);

/* vmx/debugregs.c: the guest's DR0-DR3, DR6 and DR7 */
void vcpu_debugregs_init(struct vmxlab_vcpu *vcpu);
void vcpu_load_guest_debugregs(struct vmxlab_vcpu *vcpu);
long vcpu_ioctl_get_debugregs(struct vmxlab_vcpu *vcpu, void __user *argp);
long vcpu_ioctl_set_debugregs(struct vmxlab_vcpu *vcpu, void __user *argp);

/* vmx/debugfs.c */
void vmxlab_debugfs_init(void);
void vmxlab_debugfs_exit(void);
void vmxlab_debugfs_add_vm(struct vmxlab_vm *vm);
void vmxlab_debugfs_add_vcpu(struct vmxlab_vcpu *vcpu);
void vmxlab_debugfs_remove(struct dentry *dentry);

/* vmx/vpid.c */
int vmxlab_vpid_alloc(void);
void vmxlab_vpid_free(u16 vpid);

#endif /* VMXLAB_VMX_H */
