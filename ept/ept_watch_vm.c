// SPDX-License-Identifier: GPL-2.0
/*
 * EPT watches of a VM: VMXLAB_SET_EPT_WATCH, and the EPT entries that
 * follow the watched ranges and the pages an ALLOW_ONCE opened.
 *
 * The EPT is filled lazily (ept/ept_vm.c): pages mapped already get their
 * rights rewritten here at once, pages mapped later are built with the
 * watched rights (vm_watch_page_perms()).  Taking a right away needs
 * INVEPT on every CPU, since any of them may cache the old, more
 * permissive translation (SDM Vol. 3C, "Invalidation of Cached
 * Information", "Guidelines for Use of the INVEPT Instruction").
 *
 * The EPT is shared by the VM's vCPUs, so a page opened for one vCPU's
 * instruction is open for all of them until that instruction completes:
 * another vCPU touching the page in that window is not reported.  vmxlab
 * accepts that instead of stopping the other vCPUs (README, "EPT
 * watches").  Everything here runs under vm->lock.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <vmxlab/caps.h>
#include <vmxlab/ept_watch.h>
#include "ept/ept_vm.h"
#include "vmx/vcpu.h"

static bool vm_has_watches(const struct vmxlab_vm *vm)
{
	return vm->watch.count || vm->watch.grant_count;
}

/* What the watches leave of @base at @gpa.  vm->lock held. */
u32 vm_watch_page_perms(struct vmxlab_vm *vm, u64 gpa, u32 base)
{
	if (!vm_has_watches(vm))
		return base;
	return ept_watch_perms(base, ept_watch_effective_deny(&vm->watch, gpa));
}

static u32 slot_base_perms(const struct vmxlab_memslot *slot)
{
	return (slot->flags & KVM_MEM_READONLY) ? EPT_READ | EPT_EXEC : EPT_RWX;
}

/* Rewrite the entry of @gpa if the EPT maps it; true if it does. */
static bool reprotect_page(struct vmxlab_vm *vm, struct vmxlab_memslot *slot, u64 gpa)
{
	u32 perms = vm_watch_page_perms(vm, gpa, slot_base_perms(slot));
	int err = ept_protect(&vm->ept, gpa, perms);

	WARN_ON_ONCE(err && err != -ENOENT);
	return !err;
}

/* The pages of [start, end) that @slot maps, skipping chunks never touched. */
static bool reprotect_slot_range(struct vmxlab_vm *vm, struct vmxlab_memslot *slot,
				 u64 start, u64 end)
{
	u64 first = max(start, slot->gpa), last = min(end, slot->gpa + slot->size);
	unsigned long i, n;
	bool any = false;

	if (first >= last)
		return false;
	i = (first - slot->gpa) >> PAGE_SHIFT;
	n = (last - slot->gpa) >> PAGE_SHIFT;
	for (; i < n; i++) {
		struct page **chunk = slot->chunks[i / SLOT_CHUNK_PAGES];

		if (!chunk) {
			i |= SLOT_CHUNK_PAGES - 1;
			continue;
		}
		if (chunk[i % SLOT_CHUNK_PAGES])
			any |= reprotect_page(vm, slot, slot->gpa + (i << PAGE_SHIFT));
		if (!(i % SLOT_CHUNK_PAGES))
			cond_resched();
	}
	return any;
}

/* Bring every mapped entry of [start, end) in line, then INVEPT everywhere. */
static void reprotect_range(struct vmxlab_vm *vm, u64 start, u64 end)
{
	bool any = false;
	int i;

	for (i = 0; i < VMXLAB_MAX_SLOTS; i++)
		if (vm->slots[i].used)
			any |= reprotect_slot_range(vm, &vm->slots[i], start, end);
	if (any)
		vm_invept_all(vm);
}

/* VMXLAB_SET_EPT_WATCH of @w, which ept_watch_check() has passed. */
int vm_ept_watch_set(struct vmxlab_vm *vm, const struct vmxlab_ept_watch *w)
{
	int err;

	mutex_lock(&vm->lock);
	err = ept_watch_update(&vm->watch, w->gpa, w->size, w->deny);
	if (!err)
		reprotect_range(vm, w->gpa, w->gpa + w->size);
	mutex_unlock(&vm->lock);
	return err;
}

/* The accesses the watches refuse at @gpa now (VMXLAB_WATCH_DENY_* bits). */
u32 vm_watch_blocked_at(struct vmxlab_vm *vm, u64 gpa, u32 *deny)
{
	u32 blocked = 0;

	*deny = 0;
	if (!READ_ONCE(vm->watch.count))
		return 0;
	mutex_lock(&vm->lock);
	*deny = ept_watch_deny_at(&vm->watch, gpa);
	if (*deny)
		blocked = ept_watch_blocked(ept_watch_effective_deny(&vm->watch, gpa));
	mutex_unlock(&vm->lock);
	return blocked;
}

/* Open the page of @gpa for vCPU @owner's next instruction. */
int vm_watch_grant(struct vmxlab_vm *vm, u32 owner, u64 gpa)
{
	u64 page = gpa & PAGE_MASK;
	int err;

	mutex_lock(&vm->lock);
	err = ept_watch_grant(&vm->watch, page, owner);
	if (!err)
		reprotect_range(vm, page, page + PAGE_SIZE);
	mutex_unlock(&vm->lock);
	return err;
}

/* Close every page vCPU @owner holds open: the watches apply again. */
void vm_watch_revoke(struct vmxlab_vm *vm, u32 owner)
{
	u64 page;

	mutex_lock(&vm->lock);
	while (ept_watch_take_grant(&vm->watch, owner, &page))
		reprotect_range(vm, page, page + PAGE_SIZE);
	mutex_unlock(&vm->lock);
}
