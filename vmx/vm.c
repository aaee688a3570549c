// SPDX-License-Identifier: GPL-2.0
/*
 * The VM file descriptor: memory slots, vCPUs, EPT.
 *
 * KVM's VM ioctls with KVM's numbers and meanings (KVM API documentation,
 * "KVM_SET_USER_MEMORY_REGION", "KVM_CREATE_VCPU"), each argument checked
 * before anything changes.  Guest memory is the creator's own memory: a
 * slot maps a range of its address space at a guest-physical address,
 * and EPT maps each page lazily, on the guest's first touch (ept/ept_vm.c).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <vmxlab/ept_watch.h>
#include "ept/ept_vm.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

#define SLOT_FLAGS_ALLOWED	KVM_MEM_READONLY
/* KVM's limit (KVM_MEM_MAX_NR_PAGES): it bounds what a slot's tables cost. */
#define SLOT_MAX_PAGES		((1UL << 31) - 1)

static void vm_free(struct kref *kref)
{
	struct vmxlab_vm *vm = container_of(kref, struct vmxlab_vm, refs);
	int i;

	for (i = 0; i < VMXLAB_MAX_SLOTS; i++) {
		if (!vm->slots[i].used)
			continue;
		vm_ept_unmap_slot(vm, &vm->slots[i]);
		vm_slot_free_chunks(&vm->slots[i]);
	}
	vm_ept_destroy(vm);
	vmxlab_debugfs_remove(vm->debugfs);
	mmdrop(vm->mm);
	vmxlab_user_uncharge(vm->owner, VMXLAB_USER_VMS);
	kfree(vm);
	vmxlab_vmx_put();
}

void vmxlab_vm_put(struct vmxlab_vm *vm)
{
	kref_put(&vm->refs, vm_free);
}

/* The slot that backs @gpa, or NULL.  Under vm->lock. */
struct vmxlab_memslot *vm_find_slot(struct vmxlab_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < VMXLAB_MAX_SLOTS; i++) {
		struct vmxlab_memslot *slot = &vm->slots[i];

		if (slot->used && gpa >= slot->gpa && gpa - slot->gpa < slot->size)
			return slot;
	}
	return NULL;
}

/*
 * Copy guest memory through the slot's user mapping; the caller runs in
 * the VM's process (every ioctl checks).  -EFAULT when no slot backs a
 * byte or the user mapping is gone.
 *
 * Under vm->lock: KVM_SET_USER_MEMORY_REGION may delete the slot from
 * another thread meanwhile (delete_slot() clears it), and a slot read
 * half cleared would send the copy elsewhere in the VMM's memory.  The
 * callers are the exits that emulate an access (MMIO decode, string I/O,
 * PDPTE loads), all with interrupts on and allowed to sleep; the CPUID
 * exit and the rest of the in-kernel fast path never come here.  The lock
 * order is vm->lock, then the mm's mmap lock (a fault in the copy), as
 * when a slot is added.
 */
static int vm_access_guest(struct vmxlab_vm *vm, u64 gpa, void *buf,
			   unsigned int len, bool write)
{
	int err = 0;

	mutex_lock(&vm->lock);
	while (len) {
		struct vmxlab_memslot *slot = vm_find_slot(vm, gpa);
		unsigned int chunk = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		void __user *uaddr;
		unsigned long left;

		if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
			err = -EFAULT;
			break;
		}
		uaddr = (void __user *)(slot->uaddr + (gpa - slot->gpa));
		left = write ? copy_to_user(uaddr, buf, chunk) :
			       copy_from_user(buf, uaddr, chunk);
		if (left) {
			err = -EFAULT;
			break;
		}
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	mutex_unlock(&vm->lock);
	return err;
}

int vm_read_guest(struct vmxlab_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return vm_access_guest(vm, gpa, buf, len, false);
}

int vm_write_guest(struct vmxlab_vm *vm, u64 gpa, const void *buf, unsigned int len)
{
	return vm_access_guest(vm, gpa, (void *)buf, len, true);
}

/*
 * The user range of a slot: every page mapped (-EFAULT), and for a slot
 * the guest may write, no file mapping that needs dirty tracking
 * (-EOPNOTSUPP).
 */
static int check_user_range(struct mm_struct *mm, unsigned long start,
			    unsigned long size, bool writable)
{
	unsigned long end = start + size;
	struct vm_area_struct *vma;
	int err = 0;

	mmap_read_lock(mm);
	while (start < end) {
		vma = find_vma(mm, start);
		if (!vma || vma->vm_start > start) {
			err = -EFAULT;
			break;
		}
		if (writable && vm_vma_needs_dirty_tracking(vma)) {
			err = -EOPNOTSUPP;
			break;
		}
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return err;
}

static int check_region(const struct kvm_userspace_memory_region *r)
{
	u16 slot = r->slot & 0xffff;

	if ((r->slot >> 16) || slot >= VMXLAB_MAX_SLOTS)
		return -EINVAL;		/* one address space, 32 slots */
	if (r->flags & ~SLOT_FLAGS_ALLOWED)
		return -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->guest_phys_addr >= VMXLAB_GPA_LIMIT ||
	    r->memory_size > VMXLAB_GPA_LIMIT - r->guest_phys_addr ||
	    r->memory_size >> PAGE_SHIFT > SLOT_MAX_PAGES)
		return -EINVAL;
	if (r->memory_size &&
	    !access_ok((void __user *)(unsigned long)r->userspace_addr, r->memory_size))
		return -EINVAL;
	return 0;
}

static bool regions_overlap(const struct vmxlab_memslot *slot, u64 gpa, u64 size)
{
	return gpa < slot->gpa + slot->size && slot->gpa < gpa + size;
}

static bool same_region(const struct vmxlab_memslot *slot,
			const struct kvm_userspace_memory_region *r)
{
	return slot->gpa == r->guest_phys_addr && slot->size == r->memory_size &&
	       slot->uaddr == r->userspace_addr && slot->flags == r->flags;
}

static int delete_slot(struct vmxlab_vm *vm, struct vmxlab_memslot *slot)
{
	if (!slot->used)
		return -EINVAL;
	vm_ept_unmap_slot(vm, slot);
	vm_slot_free_chunks(slot);
	memset(slot, 0, sizeof(*slot));
	return 0;
}

static int add_slot(struct vmxlab_vm *vm, struct vmxlab_memslot *slot,
		    const struct kvm_userspace_memory_region *r)
{
	int i, err;

	for (i = 0; i < VMXLAB_MAX_SLOTS; i++)
		if (vm->slots[i].used &&
		    regions_overlap(&vm->slots[i], r->guest_phys_addr, r->memory_size))
			return -EEXIST;
	err = check_user_range(vm->mm, r->userspace_addr, r->memory_size,
			       !(r->flags & KVM_MEM_READONLY));
	if (err)
		return err;
	slot->gpa = r->guest_phys_addr;
	slot->size = r->memory_size;
	if (vm_slot_alloc_chunks(slot))
		return -ENOMEM;
	slot->uaddr = r->userspace_addr;
	slot->flags = r->flags;
	slot->used = true;
	return 0;
}

/*
 * Size 0 deletes; a used slot can only be deleted or set again to the
 * same values (to move or resize it, delete it first).
 */
static long vm_ioctl_set_user_memory_region(struct vmxlab_vm *vm, void __user *argp)
{
	struct kvm_userspace_memory_region r;
	struct vmxlab_memslot *slot;
	long err;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	err = check_region(&r);
	if (err)
		return err;
	mutex_lock(&vm->lock);
	slot = &vm->slots[r.slot];
	if (!r.memory_size)
		err = delete_slot(vm, slot);
	else if (slot->used)
		err = same_region(slot, &r) ? 0 : -EINVAL;
	else
		err = add_slot(vm, slot, &r);
	mutex_unlock(&vm->lock);
	return err;
}

/* VMXLAB_SET_EPT_WATCH: deny accesses to a range of guest memory (ept/ept_watch_vm.c). */
static long vm_ioctl_set_ept_watch(struct vmxlab_vm *vm, void __user *argp)
{
	struct vmxlab_ept_watch w;
	long err;

	if (copy_from_user(&w, argp, sizeof(w)))
		return -EFAULT;
	err = ept_watch_check(&w, VMXLAB_GPA_LIMIT,
			      vmxlab_host_caps.msr[VMXLAB_CAP_EPT_VPID]);
	if (err)
		return err;
	return vm_ept_watch_set(vm, &w);
}

/*
 * KVM_SET_GSI_ROUTING routes interrupts of an in-kernel irqchip, which
 * vmxlab has not (KVM_CAP_IRQCHIP is 0): -EINVAL, KVM's answer on a VM
 * without one; -EFAULT for an unreadable argument, checked first as KVM
 * does.
 */
static long vm_ioctl_set_gsi_routing(void __user *argp)
{
	struct kvm_irq_routing routing;

	if (copy_from_user(&routing, argp, sizeof(routing)))
		return -EFAULT;
	return -EINVAL;
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmxlab_vm *vm = file->private_data;

	/* A forked child shares the fd but not the address space. */
	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case KVM_SET_USER_MEMORY_REGION:
		return vm_ioctl_set_user_memory_region(vm, (void __user *)arg);
	case KVM_CREATE_VCPU:
		return vmxlab_create_vcpu(vm, arg);
	case VMXLAB_SET_EPT_WATCH:
		return vm_ioctl_set_ept_watch(vm, (void __user *)arg);
	case KVM_SET_TSS_ADDR:
	case KVM_SET_IDENTITY_MAP_ADDR:
		/*
		 * Real-mode helpers for CPUs without unrestricted guest;
		 * vmxlab requires unrestricted guest, so it needs neither.
		 */
		return 0;
	case KVM_CHECK_EXTENSION:
		return vmxlab_check_extension(arg);
	case KVM_ENABLE_CAP:
		return vmxlab_enable_cap((void __user *)arg);
	case KVM_SET_GSI_ROUTING:
		return vm_ioctl_set_gsi_routing((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int vm_release(struct inode *inode, struct file *file)
{
	vmxlab_vm_put(file->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.release = vm_release,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int vmxlab_create_vm(unsigned long type)
{
	struct vmxlab_vm *vm;
	int err, fd;

	if (type)
		return -EINVAL;
	err = vmxlab_user_charge(current_uid(), VMXLAB_USER_VMS);
	if (err)
		return err;
	err = vmxlab_vmx_get();
	if (err)
		goto uncharge;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		err = -ENOMEM;
		goto put_vmx;
	}
	vm->owner = current_uid();
	kref_init(&vm->refs);
	mutex_init(&vm->lock);
	err = vm_ept_init(vm);
	if (err)
		goto free_vm;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vmxlab_debugfs_add_vm(vm);
	vmxlab_stats_add_vm(vm);
	fd = anon_inode_getfd("vmxlab-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		vmxlab_vm_put(vm);	/* drops VMX too */
		return fd;
	}
	return fd;

free_vm:
	kfree(vm);
put_vmx:
	vmxlab_vmx_put();
uncharge:
	vmxlab_user_uncharge(current_uid(), VMXLAB_USER_VMS);
	return err;
}
