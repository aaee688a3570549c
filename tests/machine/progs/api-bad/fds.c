// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's checks on the system, VM and vCPU file descriptors: bad
 * arguments to each ioctl, and what must stay unchanged after them.
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


void test_system(int sys)
{
	int e = kvm_mode ? EINVAL : ENOTTY;

	check("sys-unknown-ioctl-enotty", sys, _IO(KVMIO, 0xff), NULL, ENOTTY, e);
	check("sys-unknown-magic-enotty", sys, _IO('x', 0x01), NULL, ENOTTY, e);
	check("create-vm-type-1-einval", sys, KVM_CREATE_VM, (void *)1, EINVAL, EINVAL);
	check("create-vm-type-huge-einval", sys, KVM_CREATE_VM, (void *)0x80000000UL, EINVAL, EINVAL);

	check_positive("cap-user-memory", sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	check_positive("cap-set-tss-addr", sys, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR);
	check_positive("cap-ext-cpuid", sys, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID);
	check_positive("cap-set-identity-map-addr", sys, KVM_CHECK_EXTENSION,
		       KVM_CAP_SET_IDENTITY_MAP_ADDR);
	check_positive("cap-readonly-mem", sys, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM);
	check_positive("cap-immediate-exit", sys, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT);
	check_value("cap-nr-vcpus-8", sys, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS, 8, VMXLAB_ONLY);
	check_value("cap-max-vcpus-8", sys, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS, 8, VMXLAB_ONLY);
	check_value("cap-max-vcpu-id-8", sys, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID, 8,
		    VMXLAB_ONLY);
	check_value("cap-nr-memslots-32", sys, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS, 32,
		    VMXLAB_ONLY);
	check_value("cap-irqchip-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP, 0, VMXLAB_ONLY);
	check_value("cap-xsave-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE, 0, VMXLAB_ONLY);
	check_value("cap-dirty-log-ring-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING, 0,
		    VMXLAB_ONLY);
	check_value("cap-unknown-100000-0", sys, KVM_CHECK_EXTENSION, 100000, 0, 0);
	check_value("vcpu-mmap-size-8192", sys, KVM_GET_VCPU_MMAP_SIZE, 0, RUN_SIZE, VMXLAB_ONLY);
	if (kvm_mode) {
		long s = mmap_size(sys);

		report(s >= 4096 && !(s & 4095), "vcpu-mmap-size-pages",
		       "KVM_GET_VCPU_MMAP_SIZE %ld: want a multiple of 4096", s);
	}
}

static struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	if (!c)
		exit(2);
	c->nent = nent;
	return c;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

/* The supported table (caller frees), or NULL. */
struct kvm_cpuid2 *test_supported_cpuid(int sys)
{
	struct kvm_cpuid2 *c = cpuid_alloc(1);
	struct kvm_cpuid_entry2 *e;
	char sig[13] = "";
	int got;

	check("supported-cpuid-nent-1-e2big", sys, KVM_GET_SUPPORTED_CPUID, c, E2BIG, E2BIG);
	check("supported-cpuid-bad-pointer-efault", sys, KVM_GET_SUPPORTED_CPUID, (void *)8,
	      EFAULT, EFAULT);
	free(c);
	c = cpuid_alloc(256);
	got = ioctl_errno(sys, KVM_GET_SUPPORTED_CPUID, c, NULL);
	report(!got && c->nent > 0 && c->nent <= 256, "supported-cpuid-ok",
	       "%s, nent %u; want success, 1..256 entries", errname(got), got ? 0 : c->nent);
	if (got) {
		free(c);
		return NULL;
	}
	if (kvm_mode)
		return c;
	e = cpuid_find(c, 1, 0);
	report(e && (e->ecx & (1u << 31)), "supported-cpuid-hypervisor-bit",
	       "leaf 1 ECX %#x: want bit 31 (hypervisor) set", e ? e->ecx : 0);
	report(e && !(e->ecx & (1u << 5)), "supported-cpuid-no-vmx",
	       "leaf 1 ECX %#x: want bit 5 (VMX) clear", e ? e->ecx : 0);
	e = cpuid_find(c, 0x40000000, 0);
	if (e) {
		memcpy(sig, &e->ebx, 4);
		memcpy(sig + 4, &e->ecx, 4);
		memcpy(sig + 8, &e->edx, 4);
	}
	report(e && !strcmp(sig, "vmxlabvmxlab"), "supported-cpuid-signature",
	       "leaf 0x40000000 %s '%s': want 'vmxlabvmxlab'", e ? "signature" : "missing", sig);
	return c;
}

static void region_check(const char *name, int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
			 uint64_t size, uint64_t uaddr, int want, int kwant)
{
	int got;

	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	got = set_region(vm, slot, flags, gpa, size, uaddr);
	report(got == want, name, "slot %#x flags %#x gpa %#llx size %#llx uaddr %#llx: %s; want %s",
	       slot, flags, (unsigned long long)gpa, (unsigned long long)size,
	       (unsigned long long)uaddr, errname(got), want ? errname(want) : "success");
}

/* vm has slot 0 = [0, GUEST_MEM) at vm->mem. */
void test_regions(struct vm *vm)
{
	uint64_t u = (uintptr_t)vm->mem, gone;
	uint8_t *extra = map_anon(GUEST_MEM);
	uint64_t x = (uintptr_t)extra;
	int fd = vm->fd;

	region_check("region-slot-32-einval", fd, 32, 0, 0x100000, 0x4000, x, EINVAL, VMXLAB_ONLY);
	region_check("region-slot-0xffff-einval", fd, 0xffff, 0, 0x100000, 0x4000, x, EINVAL, EINVAL);
	region_check("region-as-id-1-einval", fd, 1u << 16 | 1, 0, 0x100000, 0x4000, x, EINVAL,
		     VMXLAB_ONLY);
	region_check("region-as-id-2-einval", fd, 2u << 16 | 1, 0, 0x100000, 0x4000, x, EINVAL,
		     EINVAL);
	region_check("region-flag-dirty-log-einval", fd, 1, KVM_MEM_LOG_DIRTY_PAGES, 0x100000,
		     0x4000, x, EINVAL, VMXLAB_ONLY);
	region_check("region-flag-unknown-einval", fd, 1, 0x80, 0x100000, 0x4000, x, EINVAL, EINVAL);
	region_check("region-gpa-unaligned-einval", fd, 1, 0, 0x100800, 0x4000, x, EINVAL, EINVAL);
	region_check("region-size-unaligned-einval", fd, 1, 0, 0x100000, 0x3800, x, EINVAL, EINVAL);
	region_check("region-uaddr-unaligned-einval", fd, 1, 0, 0x100000, 0x3000, x + 0x10, EINVAL,
		     EINVAL);
	region_check("region-gpa-overflow-einval", fd, 1, 0, 0xfffffffffffff000ULL, 0x2000, x,
		     EINVAL, EINVAL);
	region_check("region-gpa-beyond-2^48-einval", fd, 1, 0, 1ULL << 48, 0x1000, x, EINVAL,
		     VMXLAB_ONLY);
	region_check("region-gpa-across-2^48-einval", fd, 1, 0, (1ULL << 48) - 0x1000, 0x2000, x,
		     EINVAL, VMXLAB_ONLY);
	region_check("region-kernel-uaddr-einval", fd, 1, 0, 0x100000, 0x4000,
		     0xffff800000000000ULL, EINVAL, EINVAL);
	gone = (uintptr_t)map_anon(0x4000);
	munmap((void *)(uintptr_t)gone, 0x4000);
	region_check("region-unmapped-uaddr-efault", fd, 1, 0, 0x100000, 0x4000, gone, EFAULT,
		     VMXLAB_ONLY);
	region_check("region-overlap-eexist", fd, 1, 0, GUEST_MEM - 0x1000, 0x4000, x, EEXIST,
		     EEXIST);
	region_check("region-overlap-inside-eexist", fd, 1, 0, 0x2000, 0x1000, x, EEXIST, EEXIST);
	region_check("region-change-size-einval", fd, 0, 0, 0, GUEST_MEM - 0x1000, u, EINVAL,
		     EINVAL);
	region_check("region-change-gpa-einval", fd, 0, 0, 0x200000, GUEST_MEM, u, EINVAL,
		     VMXLAB_ONLY);
	region_check("region-change-uaddr-einval", fd, 0, 0, 0, GUEST_MEM, x, EINVAL, EINVAL);
	region_check("region-identical-reset-ok", fd, 0, 0, 0, GUEST_MEM, u, OK, OK);
	region_check("region-delete-missing-einval", fd, 5, 0, 0, 0, 0, EINVAL, EINVAL);
	region_check("region-second-slot-ok", fd, 1, 0, 0x100000, 0x4000, x, OK, OK);
	region_check("region-readonly-slot-ok", fd, 2, KVM_MEM_READONLY, 0x200000, 0x4000, x, OK,
		     OK);
	region_check("region-delete-readonly-ok", fd, 2, 0, 0, 0, 0, OK, OK);
	region_check("region-delete-ok", fd, 1, 0, 0, 0, 0, OK, OK);
	region_check("region-delete-again-einval", fd, 1, 0, 0, 0, 0, EINVAL, EINVAL);
	check("region-bad-pointer-efault", fd, KVM_SET_USER_MEMORY_REGION, (void *)8, EFAULT, EFAULT);
	munmap(extra, GUEST_MEM);
}

void test_vm_misc(int fd)
{
	uint64_t ident = 0xfffbc000;

	/* Before any vCPU: KVM refuses the identity map once vCPUs exist. */
	check("set-identity-map-addr-ok", fd, KVM_SET_IDENTITY_MAP_ADDR, &ident, OK, OK);
	check("set-tss-addr-ok", fd, KVM_SET_TSS_ADDR, (void *)0xfffbd000UL, OK, OK);
	check("vm-unknown-ioctl-enotty", fd, _IO(KVMIO, 0xff), NULL, ENOTTY, ENOTTY);
	check("vm-vcpu-ioctl-get-regs-enotty", fd, KVM_GET_REGS, &ident, ENOTTY, ENOTTY);
	check("vm-vcpu-ioctl-run-enotty", fd, KVM_RUN, NULL, ENOTTY, ENOTTY);
}

/* Creates vCPUs 0..7 into v[]; the caller destroys them. */
void test_vcpu_ids(int sys, struct vm *vm, struct vcpu v[MAX_VCPUS])
{
	char name[64];
	int i, e, made = 0;

	check("create-vcpu-id-100000-einval", vm->fd, KVM_CREATE_VCPU, (void *)100000UL, EINVAL,
	      EINVAL);
	for (i = 0; i < MAX_VCPUS; i++) {
		e = vcpu_create(sys, vm, i, &v[i]);
		if (e) {
			snprintf(name, sizeof(name), "create-vcpu-%d-ok", i);
			report(0, name, "%s; want success (8 vCPUs)", errname(e));
			v[i].fd = -1;
			v[i].run = NULL;
		} else {
			made++;
		}
	}
	report(made == MAX_VCPUS, "create-8-vcpus-ok", "%d of 8 vCPUs made", made);
	check("create-vcpu-id-8-einval", vm->fd, KVM_CREATE_VCPU, (void *)8UL, EINVAL, VMXLAB_ONLY);
	check("create-vcpu-duplicate-eexist", vm->fd, KVM_CREATE_VCPU, (void *)3UL, EEXIST, EEXIST);
}

void test_vcpu_mmap(struct vcpu *v, long size)
{
	void *p;
	int e;

	if (!kvm_mode) {
		errno = 0;
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		e = p == MAP_FAILED ? errno : 0;
		if (p != MAP_FAILED)
			munmap(p, 4096);
		report(e == EINVAL, "vcpu-mmap-short-einval", "mmap of 4096 bytes: %s; want EINVAL",
		       errname(e));
		errno = 0;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 4096);
		e = p == MAP_FAILED ? errno : 0;
		if (p != MAP_FAILED)
			munmap(p, size);
		report(e == EINVAL, "vcpu-mmap-offset-einval", "mmap at offset 4096: %s; want EINVAL",
		       errname(e));
	}
	report(v->run && v->run->exit_reason == 0, "vcpu-mmap-exit-reason-0",
	       "kvm_run.exit_reason %u before the first run: want 0",
	       v->run ? v->run->exit_reason : 0);
}

void test_vcpu_ioctls(int fd)
{
	int kbad = kvm_mode ? EINVAL : ENOTTY;
	struct kvm_sregs orig, s;
	struct kvm_regs regs;
	struct kvm_cpuid2 *c;
	static const int rflags_bits[] = { 3, 5, 15, 22, 31, 63 };
	char name[64];
	unsigned int i;
	int e;

	check("vcpu-unknown-ioctl-enotty", fd, _IO(KVMIO, 0xff), NULL, ENOTTY, kbad);
	check("vcpu-vm-ioctl-create-vcpu-enotty", fd, KVM_CREATE_VCPU, (void *)7UL, ENOTTY, kbad);
	check("vcpu-vm-ioctl-set-region-enotty", fd, KVM_SET_USER_MEMORY_REGION, &regs, ENOTTY,
	      kbad);
	check("get-regs-bad-pointer-efault", fd, KVM_GET_REGS, (void *)8, EFAULT, EFAULT);
	check("set-regs-bad-pointer-efault", fd, KVM_SET_REGS, (void *)8, EFAULT, EFAULT);
	check("get-sregs-bad-pointer-efault", fd, KVM_GET_SREGS, (void *)8, EFAULT, EFAULT);
	check("set-sregs-bad-pointer-efault", fd, KVM_SET_SREGS, (void *)8, EFAULT, EFAULT);
	check("get-fpu-bad-pointer-efault", fd, KVM_GET_FPU, (void *)8, EFAULT, EFAULT);
	check("set-fpu-bad-pointer-efault", fd, KVM_SET_FPU, (void *)8, EFAULT, EFAULT);
	check("set-cpuid2-bad-pointer-efault", fd, KVM_SET_CPUID2, (void *)8, EFAULT, EFAULT);

	check("get-regs-ok", fd, KVM_GET_REGS, &regs, OK, OK);
	for (i = 0; i < sizeof(rflags_bits) / sizeof(rflags_bits[0]); i++) {
		struct kvm_regs r = regs;

		r.rflags |= 1ULL << rflags_bits[i];
		snprintf(name, sizeof(name), "set-regs-rflags-bit-%d-einval", rflags_bits[i]);
		check(name, fd, KVM_SET_REGS, &r, EINVAL, VMXLAB_ONLY);
	}
	check("set-regs-same-ok", fd, KVM_SET_REGS, &regs, OK, OK);

	e = ioctl_errno(fd, KVM_GET_SREGS, &orig, NULL);
	report(!e, "get-sregs-ok", "%s", errname(e));
	if (e)
		return;
	check("sregs-round-trip-ok", fd, KVM_SET_SREGS, &orig, OK, OK);
#define BAD_SREGS(n, change, kwant) do {			\
		s = orig;					\
		change;						\
		check(n, fd, KVM_SET_SREGS, &s, EINVAL, kwant);	\
	} while (0)
	BAD_SREGS("sregs-cr0-pg-without-pe-einval", s.cr0 = (s.cr0 & ~1ULL) | 1ULL << 31,
		  VMXLAB_ONLY);
	BAD_SREGS("sregs-cr0-nw-without-cd-einval", s.cr0 = (s.cr0 & ~(1ULL << 30)) | 1ULL << 29,
		  VMXLAB_ONLY);
	BAD_SREGS("sregs-cr0-bit-32-einval", s.cr0 |= 1ULL << 32, VMXLAB_ONLY);
	BAD_SREGS("sregs-cr0-bit-63-einval", s.cr0 |= 1ULL << 63, VMXLAB_ONLY);
	BAD_SREGS("sregs-cr4-bit-31-einval", s.cr4 |= 1ULL << 31, EINVAL);
	BAD_SREGS("sregs-cr4-bit-63-einval", s.cr4 |= 1ULL << 63, EINVAL);
	BAD_SREGS("sregs-cr4-vmxe-einval", s.cr4 |= 1ULL << 13, VMXLAB_ONLY);
	BAD_SREGS("sregs-efer-bit-1-einval", s.efer |= 1ULL << 1, VMXLAB_ONLY);
	BAD_SREGS("sregs-efer-bit-63-einval", s.efer |= 1ULL << 63, VMXLAB_ONLY);
	/* Long mode paging without PAE; LMA set too, so that only PAE is wrong. */
	BAD_SREGS("sregs-long-mode-without-pae-einval",
		  (s.cr0 |= 1ULL << 31 | 1, s.cr4 &= ~(1ULL << 5), s.efer |= 1 << 8 | 1 << 10,
		   s.cr3 = 0x3000), EINVAL);
	/* SDM 26.3.1.1: CR3 bits beyond the physical-address width, in any mode. */
	BAD_SREGS("sregs-cr3-bit-62-einval", s.cr3 = 1ULL << 62 | 0x3000, VMXLAB_ONLY);
	BAD_SREGS("sregs-long-mode-cr3-bit-62-einval",
		  (s.cr0 |= 1ULL << 31 | 1, s.cr4 |= 1ULL << 5, s.efer |= 1 << 8 | 1 << 10,
		   s.cr3 = 1ULL << 62 | 0x3000), EINVAL);
	BAD_SREGS("sregs-interrupt-bitmap-einval", s.interrupt_bitmap[0] = 1ULL << 32, VMXLAB_ONLY);
#undef BAD_SREGS
	e = ioctl_errno(fd, KVM_GET_SREGS, &s, NULL);
	report(!e && s.cr0 == orig.cr0 && s.cr3 == orig.cr3 && s.cr4 == orig.cr4 &&
	       s.efer == orig.efer, "sregs-unchanged-after-einval",
	       "%s, cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx; want cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx",
	       errname(e), s.cr0, s.cr3, s.cr4, s.efer, orig.cr0, orig.cr3, orig.cr4, orig.efer);

	c = cpuid_alloc(257);
	check("set-cpuid2-nent-257-e2big", fd, KVM_SET_CPUID2, c, E2BIG, E2BIG);
	free(c);
	c = cpuid_alloc(2);
	c->entries[0].function = 0;
	c->entries[0].eax = 1;
	c->entries[1].function = 1;
	c->entries[1].flags = 0x80;
	check("set-cpuid2-unknown-flags-einval", fd, KVM_SET_CPUID2, c, EINVAL, VMXLAB_ONLY);
	c->entries[1].flags = 0;
	c->entries[1].function = 0;
	check("set-cpuid2-duplicate-einval", fd, KVM_SET_CPUID2, c, EINVAL, VMXLAB_ONLY);
	free(c);
}
