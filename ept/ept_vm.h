/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ept/: a VM's EPT, filled from its memory slots, and its EPT watches.
 * The pure EPT builder and watch logic are in include/vmxlab/ept.h and
 * include/vmxlab/ept_watch.h.
 */
#ifndef VMXLAB_EPT_VM_H
#define VMXLAB_EPT_VM_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct vmxlab_ept_watch;
struct vmxlab_vm;
struct vmxlab_memslot;

/* ept/ept_vm.c */
int vm_ept_init(struct vmxlab_vm *vm);
void vm_ept_destroy(struct vmxlab_vm *vm);
int vm_ept_fault(struct vmxlab_vm *vm, u64 gpa, bool write);
struct vm_area_struct;
bool vm_vma_needs_dirty_tracking(struct vm_area_struct *vma);
void vm_ept_unmap_slot(struct vmxlab_vm *vm, struct vmxlab_memslot *slot);
int vm_slot_alloc_chunks(struct vmxlab_memslot *slot);
void vm_slot_free_chunks(struct vmxlab_memslot *slot);
void vm_invept_all(struct vmxlab_vm *vm);
void vm_invept_here(struct vmxlab_vm *vm);
unsigned long vm_ept_pinned_pages_all(void);
unsigned long vm_ept_tables_all(void);

/* ept/ept_watch_vm.c */
int vm_ept_watch_set(struct vmxlab_vm *vm, const struct vmxlab_ept_watch *w);
u32 vm_watch_page_perms(struct vmxlab_vm *vm, u64 gpa, u32 base);
u32 vm_watch_blocked_at(struct vmxlab_vm *vm, u64 gpa, u32 *deny);
int vm_watch_grant(struct vmxlab_vm *vm, u32 owner, u64 gpa);
void vm_watch_revoke(struct vmxlab_vm *vm, u32 owner);

#endif /* VMXLAB_EPT_VM_H */
