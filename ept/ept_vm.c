// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's EPT, filled lazily from its memory slots.
 *
 * The table logic is ept/ept_table.c; here are the kernel parts: table
 * pages, the pinning of guest pages (pin_user_pages, FOLL_LONGTERM,
 * since a page mapped in EPT must not move while the guest may touch
 * it), and INVEPT.  A slot's pages are unpinned only after INVEPT on
 * every CPU, so no CPU can still reach a page through a cached
 * translation once it is handed back (SDM Vol. 3C, "Invalidation of
 * Cached Information": INVEPT single-context, "Guidelines for Use of the
 * INVEPT Instruction").
 */
#include <linux/backing-dev.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>
#include "ept/ept_vm.h"
#include "vmx/compat.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/*
 * Every VM's pinned guest pages and EPT table pages added up, for
 * VMXLAB_GET_CAPS: both are 0 whenever no VM exists, or vmxlab has
 * leaked pages (a test can tell this exactly; free memory only roughly).
 */
static atomic_long_t pinned_pages_all = ATOMIC_LONG_INIT(0);
static atomic_long_t ept_tables_all = ATOMIC_LONG_INIT(0);

unsigned long vm_ept_pinned_pages_all(void)
{
	return atomic_long_read(&pinned_pages_all);
}

unsigned long vm_ept_tables_all(void)
{
	return atomic_long_read(&ept_tables_all);
}

static void *ept_alloc_table(void *ctx, u64 *phys)
{
	void *table = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table) {
		*phys = virt_to_phys(table);
		atomic_long_inc(&ept_tables_all);
	}
	return table;
}

static void ept_free_table(void *ctx, void *table, u64 phys)
{
	free_page((unsigned long)table);
	atomic_long_dec(&ept_tables_all);
}

static void *ept_table_va(void *ctx, u64 phys)
{
	return phys_to_virt(phys);
}

static const struct ept_ops ept_kernel_ops = {
	.alloc_table = ept_alloc_table,
	.free_table = ept_free_table,
	.table_va = ept_table_va,
};

int vm_ept_init(struct vmxlab_vm *vm)
{
	int err = ept_init(&vm->ept, &ept_kernel_ops, vm);

	if (err)
		return err;
	ept_set_caps(&vm->ept, vmxlab_host_caps.msr[VMXLAB_CAP_EPT_VPID]);
	/* No accessed/dirty flags: nothing in vmxlab reads them. */
	vm->eptp = ept_pointer(&vm->ept, false);
	return 0;
}

void vm_ept_destroy(struct vmxlab_vm *vm)
{
	ept_destroy(&vm->ept);
}

/* INVEPT single-context for this VM's EPTP on this CPU. */
void vm_invept_here(struct vmxlab_vm *vm)
{
	struct vmx_invept_desc desc = { .eptp = vm->eptp };
	enum vmx_insn_status status;

	status = vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &desc);
	if (status != VMX_INSN_OK)
		vmx_insn_report("INVEPT", status);
}

static void invept_ipi(void *vm)
{
	vm_invept_here(vm);
}

/* Every CPU is in VMX operation while a VM exists (it holds VMX on). */
void vm_invept_all(struct vmxlab_vm *vm)
{
	on_each_cpu(invept_ipi, vm, 1);
}

static unsigned long slot_chunk_count(const struct vmxlab_memslot *slot)
{
	return DIV_ROUND_UP(slot->size >> PAGE_SHIFT, SLOT_CHUNK_PAGES);
}

/*
 * The table of chunk pointers only: 4 KiB per GiB of guest memory, at
 * most 32 MiB (a slot has fewer than 2^31 pages, vmx/vm.c).  A failure
 * is the caller's -ENOMEM, not a warning in the kernel log.
 */
int vm_slot_alloc_chunks(struct vmxlab_memslot *slot)
{
	slot->chunks = kvcalloc(slot_chunk_count(slot), sizeof(*slot->chunks),
				GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	return slot->chunks ? 0 : -ENOMEM;
}

void vm_slot_free_chunks(struct vmxlab_memslot *slot)
{
	unsigned long i;

	if (!slot->chunks)
		return;
	for (i = 0; i < slot_chunk_count(slot); i++)
		kfree(slot->chunks[i]);
	kvfree(slot->chunks);
	slot->chunks = NULL;
}

/* Where the page of @index is kept; NULL if its chunk was never needed. */
static struct page **slot_page(const struct vmxlab_memslot *slot, unsigned long index)
{
	struct page **chunk = slot->chunks[index / SLOT_CHUNK_PAGES];

	return chunk ? &chunk[index % SLOT_CHUNK_PAGES] : NULL;
}

/* The user address of the page behind @gpa, and whether its slot is read-only. */
static bool gpa_to_uaddr(struct vmxlab_vm *vm, u64 gpa, unsigned long *uaddr,
			 bool *readonly)
{
	struct vmxlab_memslot *slot = vm_find_slot(vm, gpa);

	if (!slot)
		return false;
	*readonly = slot->flags & KVM_MEM_READONLY;
	*uaddr = slot->uaddr + ((gpa - slot->gpa) & PAGE_MASK);
	return true;
}

/*
 * Whether writes through a long-term pin of @vma's pages would bypass the
 * dirty tracking of its file: a shared writable mapping of a file whose
 * file system is told of writes (page_mkwrite, pfn_mkwrite) or writes
 * pages back.  Such pins lose guest writes or upset writeback; the kernel
 * refuses them from 6.5 on (FOLL_LONGTERM, "vma_needs_dirty_tracking"),
 * and vmxlab refuses them on every kernel: such slots (vmx/vm.c), and
 * such a mapping put under a slot later (vm_ept_fault()).  Shmem (memfd,
 * tmpfs) and anonymous memory are fine.
 */
bool vm_vma_needs_dirty_tracking(struct vm_area_struct *vma)
{
	const struct vm_operations_struct *ops = vma->vm_ops;

	if ((vma->vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
		return false;
	if (ops && (ops->page_mkwrite || ops->pfn_mkwrite))
		return true;
	return vma->vm_file && mapping_can_writeback(vma->vm_file->f_mapping);
}

/* Under vm->lock: map @page at @gpa if the slot still backs it with @uaddr. */
static int map_pinned_page(struct vmxlab_vm *vm, u64 gpa, unsigned long uaddr,
			   bool readonly, struct page *page)
{
	struct vmxlab_memslot *slot = vm_find_slot(vm, gpa);
	struct page ***chunk;
	unsigned long index;
	u32 perms;
	int err;

	if (!slot || slot->uaddr + ((gpa - slot->gpa) & PAGE_MASK) != uaddr ||
	    !!(slot->flags & KVM_MEM_READONLY) != readonly)
		return -EAGAIN;		/* the slot changed meanwhile */
	index = (gpa - slot->gpa) >> PAGE_SHIFT;
	chunk = &slot->chunks[index / SLOT_CHUNK_PAGES];
	if (!*chunk) {
		*chunk = kcalloc(SLOT_CHUNK_PAGES, sizeof(**chunk), GFP_KERNEL_ACCOUNT);
		if (!*chunk)
			return -ENOMEM;
	}
	if ((*chunk)[index % SLOT_CHUNK_PAGES])
		return -EEXIST;		/* another vCPU mapped it first */
	/* Built from the start with what the EPT watches leave of the rights. */
	perms = vm_watch_page_perms(vm, gpa, readonly ? EPT_READ | EPT_EXEC : EPT_RWX);
	err = ept_map_4k(&vm->ept, gpa & PAGE_MASK, page_to_phys(page),
			 perms ? perms : EPT_READ);
	if (err)
		return err;
	(*chunk)[index % SLOT_CHUNK_PAGES] = page;
	vm->pinned_pages++;
	atomic_long_inc(&pinned_pages_all);
	if (!perms) {
		/* A page every access is denied: mapped, but not present to the CPU. */
		ept_protect(&vm->ept, gpa & PAGE_MASK, 0);
		vm_invept_all(vm);
	}
	return 0;
}

/*
 * Pin the user page at @uaddr, for writing unless @readonly.  The VMA is
 * checked under the same mmap lock as the pin: the mapping under a slot
 * may have been replaced since the slot was made.  The VMM's own thread
 * (vm->mm is current->mm).
 */
static int pin_slot_page(struct mm_struct *mm, unsigned long uaddr, bool readonly,
			 struct page **page)
{
	struct vm_area_struct *vma;
	int err = 0;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	if (!vma)
		err = -EFAULT;
	else if (!readonly && vm_vma_needs_dirty_tracking(vma))
		err = -EOPNOTSUPP;
	else if (vmxlab_pin_user_pages(uaddr, 1, FOLL_LONGTERM |
				       (readonly ? 0 : FOLL_WRITE), page) != 1)
		err = -EFAULT;
	mmap_read_unlock(mm);
	return err;
}

/*
 * An EPT violation at @gpa: map the slot page behind it, pinning its
 * user page; read, write and execute, or read and execute for a
 * read-only slot.  Returns 0 when the guest can retry the access, 1 when
 * no slot backs the access (an MMIO exit: unbacked, or a write to a
 * read-only slot), -EFAULT when the user page cannot be pinned,
 * -EOPNOTSUPP when the guest may write it and it is a file's page that
 * needs dirty tracking, -ENOMEM when one more pinned page would pass the
 * VMM's RLIMIT_MEMLOCK, or another -errno.
 *
 * A pinned page can be neither swapped nor moved: like mlock()ed memory
 * (and as VFIO does) it counts in the VMM's locked_vm (VmLck), against
 * RLIMIT_MEMLOCK unless the VMM has CAP_IPC_LOCK.
 */
int vm_ept_fault(struct vmxlab_vm *vm, u64 gpa, bool write)
{
	unsigned long uaddr = 0;
	struct page *page;
	bool readonly = false, backed;
	int err;

	mutex_lock(&vm->lock);
	backed = gpa_to_uaddr(vm, gpa, &uaddr, &readonly);
	mutex_unlock(&vm->lock);
	if (!backed || (write && readonly))
		return 1;
	err = account_locked_vm(vm->mm, 1, true);
	if (err)
		return err;
	err = pin_slot_page(vm->mm, uaddr, readonly, &page);
	if (err) {
		account_locked_vm(vm->mm, 1, false);
		return err;
	}
	mutex_lock(&vm->lock);
	err = map_pinned_page(vm, gpa, uaddr, readonly, page);
	mutex_unlock(&vm->lock);
	if (err) {
		unpin_user_page(page);
		account_locked_vm(vm->mm, 1, false);
	}
	return err == -EEXIST || err == -EAGAIN ? 0 : err;
}

/*
 * The next pinned page of @slot at or after index *@i (advanced to it),
 * skipping chunks never touched; NULL when there is none.
 */
static struct page **next_pinned(const struct vmxlab_memslot *slot, unsigned long *i)
{
	unsigned long npages = slot->size >> PAGE_SHIFT;
	struct page **page;

	for (; *i < npages; (*i)++) {
		page = slot_page(slot, *i);
		if (!page) {
			*i += SLOT_CHUNK_PAGES - 1 - *i % SLOT_CHUNK_PAGES;
			continue;
		}
		if (*page)
			return page;
	}
	return NULL;
}

/* Unmap every page of @slot, INVEPT everywhere, then unpin.  vm->lock held. */
void vm_ept_unmap_slot(struct vmxlab_vm *vm, struct vmxlab_memslot *slot)
{
	bool dirty = !(slot->flags & KVM_MEM_READONLY);
	struct page **page;
	unsigned long i, unpinned = 0;
	bool any = false;

	for (i = 0; next_pinned(slot, &i); i++) {
		ept_unmap_4k(&vm->ept, slot->gpa + (i << PAGE_SHIFT), NULL);
		any = true;
	}
	if (!any)
		return;
	vm_invept_all(vm);
	for (i = 0; (page = next_pinned(slot, &i)); i++) {
		unpin_user_pages_dirty_lock(page, 1, dirty);
		*page = NULL;
		vm->pinned_pages--;
		unpinned++;
	}
	atomic_long_sub(unpinned, &pinned_pages_all);
	account_locked_vm(vm->mm, unpinned, false);
}
