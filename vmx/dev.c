// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmxlab: a misc device, root-only by default (mode 0600).
 *
 * It answers KVM's system ioctls with KVM's numbers and meanings, and
 * vmxlab's own under VMXLAB_IO.  Every input is validated: unknown ioctl
 * -ENOTTY, unreadable or unwritable argument -EFAULT, a nonzero reserved
 * field or argument -EINVAL.  An open file pins the module (.owner), so
 * rmmod is refused while the device is open.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/fpu/xcr.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/vmx_arch.h>
#include "ept/ept_vm.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

struct vmxlab_file {
	struct mutex lock;	/* serialises holds_vmx changes */
	bool holds_vmx;		/* this file holds a VMX reference */
};

static bool all_zero(const void *p, size_t size)
{
	return !memchr_inv(p, 0, size);
}

static long dev_ioctl_get_caps(void __user *argp)
{
	struct vmxlab_caps caps;

	if (copy_from_user(&caps, argp, sizeof(caps)))
		return -EFAULT;
	if (caps.flags || caps.pad ||
	    !all_zero(caps.reserved, sizeof(caps.reserved)))
		return -EINVAL;
	caps = vmxlab_host_caps;
	caps.api_version = VMXLAB_API_VERSION;
	caps.online_cpus = num_online_cpus();
	caps.vmx_users = vmxlab_vmx_users();
	caps.pinned_pages = vm_ept_pinned_pages_all();
	caps.ept_pages = vm_ept_tables_all();
	if (copy_to_user(argp, &caps, sizeof(caps)))
		return -EFAULT;
	return 0;
}

/*
 * Whether the calling task may see host kernel addresses and host
 * physical addresses (VMXLAB_GET_VMCS's host fields, the current VMCS's
 * address): only with CAP_SYS_ADMIN, since a member of the device's
 * group would otherwise learn where the kernel and its memory are (KASLR).
 */
bool vmxlab_caller_sees_host(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

static long dev_ioctl_get_cpu_state(void __user *argp)
{
	struct vmxlab_cpu_state state;
	int err;

	if (copy_from_user(&state, argp, sizeof(state)))
		return -EFAULT;
	if (!all_zero(state.reserved, sizeof(state.reserved)))
		return -EINVAL;
	err = vmxlab_cpu_state(&state);
	if (err)
		return err;
	if ((state.flags & VMXLAB_CPU_IN_VMX_ROOT) && state.current_vmcs != ~0ULL &&
	    !vmxlab_caller_sees_host()) {
		state.current_vmcs = 0;
		state.flags |= VMXLAB_CPU_VMCS_HIDDEN;
	}
	if (copy_to_user(argp, &state, sizeof(state)))
		return -EFAULT;
	return 0;
}

/* A second ENABLE on the same file is -EALREADY; DISABLE without one, -EINVAL. */
static long dev_ioctl_vmx_enable(struct vmxlab_file *vf)
{
	long err = -EALREADY;

	mutex_lock(&vf->lock);
	if (!vf->holds_vmx) {
		err = vmxlab_vmx_get();
		vf->holds_vmx = !err;
	}
	mutex_unlock(&vf->lock);
	return err;
}

static long dev_ioctl_vmx_disable(struct vmxlab_file *vf)
{
	long err = -EINVAL;

	mutex_lock(&vf->lock);
	if (vf->holds_vmx) {
		vmxlab_vmx_put();
		vf->holds_vmx = false;
		err = 0;
	}
	mutex_unlock(&vf->lock);
	return err;
}

/*
 * KVM_CHECK_EXTENSION: what vmxlab really offers, 0 for everything else
 * (KVM API documentation, "KVM_CHECK_EXTENSION").  Two answers are gates
 * that QEMU requires even without an in-kernel irqchip, each for an ioctl
 * vmxlab answers as KVM does without one:
 *   JOIN_MEMORY_REGIONS_WORKS: adjacent slots may be set and deleted one
 *     by one (vmx/vm.c refuses only overlaps);
 *   IRQ_ROUTING: KVM_SET_GSI_ROUTING, which has no irqchip to route to:
 *     -EINVAL, as on KVM before KVM_CREATE_IRQCHIP (vmx/vm.c).
 * XSAVE and XCRS are 0: QEMU then moves x87/SSE state with KVM_GET/SET_FPU
 * and leaves XCR0 to the guest's XSETBV (exits/cr_msr.c).  MCE is the
 * number of machine-check banks KVM_X86_SETUP_MCE takes (vmx/msrs.c);
 * KVM_X86_SET_MCE, which injects a machine check, is not there (-ENOTTY):
 * QEMU 7.2 calls it only without KVM_CAP_VCPU_EVENTS, which vmxlab has.
 */
long vmxlab_check_extension(unsigned long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_IRQ_ROUTING:
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_MP_STATE:		/* RUNNABLE: no in-kernel local APIC */
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_DEBUGREGS:
		return 1;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return VMXLAB_MAX_VCPUS;
	case KVM_CAP_NR_MEMSLOTS:
		return VMXLAB_MAX_SLOTS;
	case KVM_CAP_MCE:
		return VCPU_MCE_BANKS;
	default:
		return 0;
	}
}

/*
 * KVM_ENABLE_CAP on a VM or vCPU fd: vmxlab has no capability to enable,
 * so every one is -EINVAL, KVM's answer for a capability it does not know
 * (KVM API documentation, "KVM_ENABLE_CAP").
 */
long vmxlab_enable_cap(void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	return -EINVAL;
}

static u32 proc2_controls(void)
{
	return vmxlab_host_caps.controls[VMXLAB_CTLS_PROCBASED2].value;
}

/* KVM_GET_SUPPORTED_CPUID: the host's CPUID, minus what vmxlab cannot give a guest. */
static long dev_ioctl_get_supported_cpuid(void __user *argp)
{
	struct kvm_cpuid2 __user *ucpuid = argp;
	struct kvm_cpuid_entry2 *entries;
	struct cpuid_policy policy = {
		.host_xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ?
			     xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0,
		.rdtscp = proc2_controls() & VMX_PROC2CTL_ENABLE_RDTSCP,
		.invpcid = proc2_controls() & VMX_PROC2CTL_ENABLE_INVPCID,
	};
	struct kvm_cpuid2 header;
	unsigned int nent;
	long err;

	if (copy_from_user(&header, ucpuid, sizeof(header)))
		return -EFAULT;
	entries = kvcalloc(CPUID_MAX_ENTRIES, sizeof(*entries), GFP_KERNEL);
	if (!entries)
		return -ENOMEM;
	err = cpuid_supported_table(vmxlab_host_cpuid, NULL, &policy, entries,
				    CPUID_MAX_ENTRIES, &nent);
	if (!err && header.nent < nent)
		err = -E2BIG;
	if (!err) {
		header.nent = nent;
		if (copy_to_user(ucpuid, &header, sizeof(header)) ||
		    copy_to_user(ucpuid->entries, entries, nent * sizeof(*entries)))
			err = -EFAULT;
	}
	kvfree(entries);
	return err;
}

/*
 * KVM_GET_MSR_INDEX_LIST: the MSRs KVM_GET/SET_MSRS take.  nmsrs says
 * how many fit and comes back as how many there are; too few: -E2BIG.
 */
static long dev_ioctl_get_msr_index_list(void __user *argp)
{
	struct kvm_msr_list __user *ulist = argp;
	u32 indices[VMXLAB_MSR_LIST_MAX];
	u32 room, n;

	if (get_user(room, &ulist->nmsrs))
		return -EFAULT;
	n = vmxlab_msr_index_list(indices);
	if (put_user(n, &ulist->nmsrs))
		return -EFAULT;
	if (room < n)
		return -E2BIG;
	return copy_to_user(ulist->indices, indices, n * sizeof(*indices)) ? -EFAULT : 0;
}

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmxlab_file *vf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : VMXLAB_KVM_API_VERSION;
	case KVM_CREATE_VM:
		return vmxlab_create_vm(arg);
	case KVM_CHECK_EXTENSION:
		return vmxlab_check_extension(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : VMXLAB_RUN_PAGES * PAGE_SIZE;
	case KVM_GET_SUPPORTED_CPUID:
		return dev_ioctl_get_supported_cpuid(argp);
	case KVM_GET_MSR_INDEX_LIST:
		return dev_ioctl_get_msr_index_list(argp);
	case KVM_X86_GET_MCE_CAP_SUPPORTED:
		return put_user(VMXLAB_MCG_CAP_SUPPORTED, (u64 __user *)argp) ? -EFAULT : 0;
	case VMXLAB_GET_CAPS:
		return dev_ioctl_get_caps(argp);
	case VMXLAB_GET_CPU_STATE:
		return dev_ioctl_get_cpu_state(argp);
	case VMXLAB_VMX_ENABLE:
		return arg ? -EINVAL : dev_ioctl_vmx_enable(vf);
	case VMXLAB_VMX_DISABLE:
		return arg ? -EINVAL : dev_ioctl_vmx_disable(vf);
	default:
		return -ENOTTY;
	}
}

static int vmxlab_open(struct inode *inode, struct file *file)
{
	struct vmxlab_file *vf;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL_ACCOUNT);
	if (!vf)
		return -ENOMEM;
	mutex_init(&vf->lock);
	file->private_data = vf;
	return nonseekable_open(inode, file);
}

static int vmxlab_release(struct inode *inode, struct file *file)
{
	struct vmxlab_file *vf = file->private_data;

	if (vf->holds_vmx)
		vmxlab_vmx_put();
	kfree(vf);
	return 0;
}

static const struct file_operations vmxlab_fops = {
	.owner = THIS_MODULE,
	.open = vmxlab_open,
	.release = vmxlab_release,
	.unlocked_ioctl = dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vmxlab_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VMXLAB_DEVICE_NAME,
	.fops = &vmxlab_fops,
	.mode = 0600,
};

int vmxlab_dev_register(void)
{
	return misc_register(&vmxlab_misc);
}

void vmxlab_dev_unregister(void)
{
	misc_deregister(&vmxlab_misc);
}
