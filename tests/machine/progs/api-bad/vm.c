// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's guests, VMs and vCPUs: made the way every KVM client makes
 * them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "api-bad.h"

/*
 * The guests, real mode at GUEST_ENTRY.
 * spin: jmp $ (never exits).
 * exits: mov al,0; l: inc al; out 0x10,al; jmp l (an I/O exit per turn).
 * touch: mov bx,0x2000; l: mov [bx],bh; add bh,0x10; jnz l; hlt
 *        (writes 0x20 at 0x2000, 0x30 at 0x3000, ..., 0xf0 at 0xf000).
 */
const uint8_t guest_spin[2] = { 0xeb, 0xfe };
const uint8_t guest_exits[8] = { 0xb0, 0x00, 0xfe, 0xc0, 0xe6, 0x10, 0xeb, 0xfa };
const uint8_t guest_touch[11] = {
	0xbb, 0x00, 0x20, 0x88, 0x3f, 0x80, 0xc7, 0x10, 0x75, 0xf9, 0xf4,
};


long mmap_size(int sys)
{
	return ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
}

int set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		      uint64_t size, uint64_t uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return ioctl_errno(vm, KVM_SET_USER_MEMORY_REGION, &r, NULL);
}

void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

void vm_destroy(struct vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->mem)
		munmap(vm->mem, GUEST_MEM);
	vm->fd = -1;
	vm->mem = NULL;
}

/* A VM with slot 0 (GPA 0, GUEST_MEM) holding `code` at GUEST_ENTRY; 0 or an errno. */
int vm_create(int sys, struct vm *vm, const uint8_t *code, size_t len)
{
	int e;

	vm->mem = NULL;
	vm->fd = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		vm->fd = -1;
		return errno;
	}
	vm->mem = map_anon(GUEST_MEM);
	memcpy(vm->mem + GUEST_ENTRY, code, len);
	e = set_region(vm->fd, 0, 0, 0, GUEST_MEM, (uintptr_t)vm->mem);
	if (e)
		vm_destroy(vm);
	return e;
}

/* Real mode, CS base 0, RIP GUEST_ENTRY: what every KVM client does. */
static int vcpu_realmode(int fd)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		return errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs))
		return errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_ENTRY;
	regs.rflags = 2;
	if (ioctl(fd, KVM_SET_REGS, &regs))
		return errno;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

/* vCPU `id` of `vm`, its run area mapped, real mode; 0 or an errno. */
int vcpu_create(int sys, struct vm *vm, int id, struct vcpu *v)
{
	int e;

	v->run = NULL;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		v->fd = -1;
		return errno;
	}
	v->run_size = mmap_size(sys);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		e = errno;
		v->run = NULL;
		vcpu_destroy(v);
		return e;
	}
	e = vcpu_realmode(v->fd);
	if (e)
		vcpu_destroy(v);
	return e;
}
