/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx/: VMX operation, the device and its VM and vCPU fds, the run loop.
 * Also what every file of vmxlab.ko shares: the log prefix and the host's
 * capabilities.  The structures are in vmx/vcpu.h.
 */
#ifndef VMXLAB_VMX_H
#define VMXLAB_VMX_H

#include <linux/jump_label.h>
#include <linux/printk.h>
#include <linux/types.h>
#include <linux/uidgid.h>
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

/* vmx/limits.c: VMs and vCPUs per user (module parameters). */
enum vmxlab_user_limit {
	VMXLAB_USER_VMS,
	VMXLAB_USER_VCPUS,
	VMXLAB_NR_USER_LIMITS
};
int vmxlab_user_charge(kuid_t uid, enum vmxlab_user_limit what);
void vmxlab_user_uncharge(kuid_t uid, enum vmxlab_user_limit what);

/* vmx/dev.c */
long vmxlab_check_extension(unsigned long cap);
bool vmxlab_caller_sees_host(void);
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

/* vmx/mitigations.c: speculation barriers between guest and host */
DECLARE_STATIC_KEY_FALSE(vmxlab_l1d_flush);
void vmxlab_mitigations_init(void);

/* vmx/run.c: the vCPU's VMCS on this CPU, KVM_RUN */
int vmxlab_run_init(void);
void vmxlab_run_exit(void);
void vcpu_load(struct vmxlab_vcpu *vcpu);
void vcpu_put(struct vmxlab_vcpu *vcpu);
void vcpu_vmclear(struct vmxlab_vcpu *vcpu);
void vcpu_reset_launch_state(struct vmxlab_vcpu *vcpu);
long vcpu_run(struct vmxlab_vcpu *vcpu);
void vcpu_flush_guest_tlb(struct vmxlab_vcpu *vcpu);

/* vmx/msrs.c: the vCPU's MSRs, for the guest's exits and for KVM_GET/SET_MSRS (@host) */
void vcpu_msrs_reset(struct vmxlab_vcpu *vcpu);
int vcpu_msrs_setup_mce(struct vmxlab_vcpu *vcpu, u64 mcg_cap);
/* KVM_X86_GET_MCE_CAP_SUPPORTED: MCG_CTL_P (bit 8) alone, the bank count apart */
#define VMXLAB_MCG_CAP_SUPPORTED	BIT_ULL(8)
int vcpu_get_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 *value, bool host);
int vcpu_set_msr(struct vmxlab_vcpu *vcpu, u32 index, u64 value, bool host);
void vcpu_msrs_load_guest(struct vmxlab_vcpu *vcpu);
void vcpu_msrs_put_guest(struct vmxlab_vcpu *vcpu);
#define VMXLAB_MSR_LIST_MAX	64	/* the index list's length at most */
#define VMXLAB_MSRS_IO_MAX	256	/* KVM_GET/SET_MSRS: nmsrs below this, as KVM's */
unsigned int vmxlab_msr_index_list(u32 *out);
void vmxlab_msr_bitmap_init(void *bitmap);
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

/* vmx/stats.c: the per-VM view of `vmxlab ps` and `vmxlab top` */
void vmxlab_stats_add_vm(struct vmxlab_vm *vm);

/* vmx/vpid.c */
u16 vmxlab_vpid_alloc(void);
void vmxlab_vpid_free(u16 vpid);
bool vmxlab_vpid_claim(u16 vpid, const void *owner);
void vmxlab_vpid_forget(const void *owner);

#endif /* VMXLAB_VMX_H */
