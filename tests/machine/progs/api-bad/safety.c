// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's host-safety checks (issue 13): input that reached host
 * faults before, and the limits a device user meets.  The groups run in
 * the default sequence where they need nothing special, and alone with
 * --only=GROUP (host-safety.sh runs some as a user without root, under a
 * small RLIMIT_MEMLOCK, or with the module's limits lowered):
 *   fpu      KVM_SET_FPU with reserved MXCSR bits on a fresh vCPU:
 *            EINVAL, and the vCPU then runs (before: accepted, and
 *            KVM_RUN's XRSTOR faulted: "Bad FPU state detected", a
 *            host WARNING).
 *   memlock  the pages a guest touches are pinned and charged to
 *            RLIMIT_MEMLOCK (VmLck): past the limit KVM_RUN fails with
 *            ENOMEM; closing the VM gives the charge back.
 *   huge-slot a slot of more than 2^31 - 1 pages: EINVAL, as on KVM
 *            (before: its 256 MiB table was allocated, or failed with
 *            an allocation-failure splat in the log).
 *   vm-cap   KVM_CREATE_VM past max_vms_per_user: ENOSPC.
 *   vcpu-cap KVM_CREATE_VCPU past max_vcpus_per_user (over two VMs): ENOSPC.
 *   sregs    KVM_SET_SREGS refused changes nothing (before: refused for
 *            its PDPTEs after every other register was written).
 *   exit-info struct vmxlab_exit_info past struct kvm_run (before: at
 *            2048, inside kvm_run's sync-regs union).
 *   run-ioctls KVM_RUN while another thread calls KVM_GET_REGS waits for
 *            the vCPU, as on KVM (before: EBUSY).
 *   file-slot:PATH a writable MAP_SHARED file mapping (PATH on a file
 *            system with dirty tracking) refused with EOPNOTSUPP (before:
 *            pinned long-term for writing; the kernel refuses that from
 *            6.5 on, guest writes could be lost).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "api-bad.h"

/* VmLck of /proc/self/status in KiB (-1: not there). */
static long vmlck_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * vmxlab only: KVM is not asked, since whether its KVM_SET_FPU checks
 * MXCSR was not confirmed here, and a KVM_RUN after an unchecked one
 * would print the very host WARNING this test guards against.
 */
void test_fpu_mxcsr(int sys)
{
	struct kvm_fpu fpu;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (kvm_mode)
		return;
	if (!vm_with_vcpu(sys, &vm, &v, guest_touch, sizeof(guest_touch), "fpu-setup"))
		return;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0xffffffff;		/* every reserved bit: XRSTOR's #GP */
	check("fpu-set-reserved-mxcsr-einval", v.fd, KVM_SET_FPU, &fpu, EINVAL, EINVAL);
	fpu.mxcsr = 0x1f80 | (1u << 16);	/* bit 16 is reserved on every CPU */
	check("fpu-set-mxcsr-bit16-einval", v.fd, KVM_SET_FPU, &fpu, EINVAL, EINVAL);
	fpu.mxcsr = 0x1f80 | 0x8000;	/* FZ: defined since SSE */
	check("fpu-set-mxcsr-fz-ok", v.fd, KVM_SET_FPU, &fpu, OK, OK);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT, "fpu-run-after-set-fpu-hlt",
	       "KVM_RUN: %ld, %s, exit_reason %u; want 0, KVM_EXIT_HLT", ret, errname(e),
	       v.run->exit_reason);
	memset(&fpu, 0, sizeof(fpu));
	e = ioctl_errno(v.fd, KVM_GET_FPU, &fpu, &ret);
	report(!e && fpu.mxcsr == (0x1f80 | 0x8000), "fpu-get-mxcsr-kept",
	       "KVM_GET_FPU: %s, mxcsr %#x; want 0x9f80", errname(e), fpu.mxcsr);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * Run as a user without CAP_IPC_LOCK, RLIMIT_MEMLOCK @limit_kib: the
 * touch guest touches 15 pages (60 KiB): with @limit_kib >= 256 it must
 * run and VmLck show them; with @limit_kib < 60 KVM_RUN must fail ENOMEM.
 */
void test_memlock(int sys, long limit_kib)
{
	long ret, before, during, after;
	struct vm vm;
	struct vcpu v;
	int e;

	before = vmlck_kib();
	if (!vm_with_vcpu(sys, &vm, &v, guest_touch, sizeof(guest_touch), "memlock-setup"))
		return;
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	during = vmlck_kib();
	printf("NOTE: RLIMIT_MEMLOCK %ld KiB: KVM_RUN %s, exit_reason %u, VmLck %ld -> %ld KiB\n",
	       limit_kib, errname(e), v.run->exit_reason, before, during);
	if (limit_kib >= 256) {
		report(!e && v.run->exit_reason == KVM_EXIT_HLT, "memlock-within-limit-runs",
		       "KVM_RUN: %s, exit_reason %u; want success, HLT", errname(e),
		       v.run->exit_reason);
		report(during - before >= 60, "memlock-pinned-pages-charged",
		       "VmLck %ld -> %ld KiB while the guest's 15 pages are pinned; want +60 KiB or more",
		       before, during);
	} else {
		report(e == ENOMEM, "memlock-past-limit-enomem",
		       "KVM_RUN under RLIMIT_MEMLOCK %ld KiB: %s, exit_reason %u; want ENOMEM",
		       limit_kib, errname(e), v.run->exit_reason);
		report(during <= limit_kib, "memlock-past-limit-vmlck",
		       "VmLck %ld KiB, over the limit %ld", during, limit_kib);
	}
	vcpu_destroy(&v);
	vm_destroy(&vm);
	after = vmlck_kib();
	report(after == before, "memlock-given-back", "VmLck %ld KiB before the VM, %ld after it "
	       "was closed; want equal", before, after);
}

/*
 * Slot sizes: past KVM's limit of 2^31 - 1 pages, EINVAL (KVM's answer
 * too); the largest allowed one is taken or refused with ENOMEM, never
 * with an allocation failure splat (the kernel-log guard).  KVM also
 * refuses a slot that ends past the host's physical-address width
 * (EINVAL, seen with Bochs's), so there any of the three will do.  Both
 * over address space reserved PROT_NONE, which costs nothing.
 */
void test_huge_slot(int sys)
{
	size_t huge = 1ull << 46, max = ((1ull << 31) - 1) << 12;
	void *p;
	int vm, e;

	vm = ioctl(sys, KVM_CREATE_VM, 0);
	report(vm >= 0, "huge-slot-create-vm", "KVM_CREATE_VM: %s", errname(errno));
	if (vm < 0)
		return;
	p = mmap(NULL, huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		report(0, "huge-slot-reserve", "mmap of 2^46 bytes PROT_NONE: %s", strerror(errno));
		close(vm);
		return;
	}
	e = set_region(vm, 1, 0, 1ull << 32, huge, (uintptr_t)p);
	report(e == EINVAL, "huge-slot-2e46-einval",
	       "a 2^46-byte slot: %s; want EINVAL (more than 2^31 - 1 pages)", errname(e));
	e = set_region(vm, 1, 0, 1ull << 32, max, (uintptr_t)p);
	report(e == 0 || e == ENOMEM || (kvm_mode && e == EINVAL), "huge-slot-max-ok-or-enomem",
	       "a slot of 2^31 - 1 pages: %s; want success or ENOMEM", errname(e));
	munmap(p, huge);
	close(vm);
}

/* KVM_CREATE_VM past @cap VMs of this user: ENOSPC; one closed, one more fits. */
void test_vm_cap(int sys, int cap)
{
	int fds[64], n, e, i;

	if (cap < 1 || cap > 60) {
		report(0, "vm-cap-arg", "cap %d: want 1..60", cap);
		return;
	}
	for (n = 0; n < cap; n++) {
		fds[n] = ioctl(sys, KVM_CREATE_VM, 0);
		if (fds[n] < 0)
			break;
	}
	report(n == cap, "vm-cap-up-to-cap", "%d VMs created, want %d: %s", n, cap,
	       errname(errno));
	e = ioctl_errno(sys, KVM_CREATE_VM, 0, NULL);
	report(e == ENOSPC, "vm-cap-past-cap-enospc", "VM %d of a user capped at %d: %s; "
	       "want ENOSPC", cap + 1, cap, errname(e));
	if (!e)
		close(ioctl(sys, KVM_CREATE_VM, 0));	/* not reached when refused */
	if (n > 0) {
		close(fds[--n]);
		fds[n] = ioctl(sys, KVM_CREATE_VM, 0);
		report(fds[n] >= 0, "vm-cap-after-close", "a VM after one was closed: %s",
		       errname(errno));
		if (fds[n] >= 0)
			n++;
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* Flat 32-bit protected mode with the given CR3: PAE paging, no IA-32e. */
static void pae_sregs(struct kvm_sregs *s, uint64_t cr3)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 0xb,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
	struct kvm_segment data = code;

	data.selector = 0x10;
	data.type = 0x3;
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->cr0 = 0x80000011;	/* PG, ET, PE */
	s->cr4 = 0x20;		/* PAE */
	s->efer = 0;
	s->cr3 = cr3;
}

/*
 * KVM_SET_SREGS is all or nothing: refused (vmxlab reads the PDPTEs of
 * PAE paging from guest memory, "Loading Page-Directory-Pointer-Table
 * Entries") with a CR3 outside guest memory, it changes nothing.  KVM
 * takes such a CR3 (its PDPTE load fails silently): vmxlab only.
 */
void test_sregs_atomic(int sys)
{
	struct kvm_sregs before, s, after;
	struct vm vm;
	struct vcpu v;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_touch, sizeof(guest_touch), "sregs-atomic-setup"))
		return;
	if (ioctl(v.fd, KVM_GET_SREGS, &before)) {
		report(0, "sregs-atomic-get", "KVM_GET_SREGS: %s", errname(errno));
		goto out;
	}
	s = before;
	pae_sregs(&s, 0x80000000);	/* no slot there */
	check("sregs-pae-cr3-outside-memory-einval", v.fd, KVM_SET_SREGS, &s, EINVAL,
	      VMXLAB_ONLY);
	e = ioctl(v.fd, KVM_GET_SREGS, &after) ? errno : 0;
	if (!kvm_mode)
		report(!e && !memcmp(&before, &after, sizeof(after)), "sregs-unchanged-after-einval",
		       "%s; CR0 %#llx -> %#llx, CS base %#llx -> %#llx, CS selector %#x -> %#x",
		       errname(e), (unsigned long long)before.cr0, (unsigned long long)after.cr0,
		       (unsigned long long)before.cs.base, (unsigned long long)after.cs.base,
		       before.cs.selector, after.cs.selector);
	pae_sregs(&s, 0x2000);		/* the same, in slot 0: taken */
	check("sregs-pae-cr3-in-memory-ok", v.fd, KVM_SET_SREGS, &s, OK, OK);
out:
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * The run area: vmxlab's exit information lies past struct kvm_run (its
 * sync-regs union ends at 2352 bytes), inside the first page, with its
 * magic; vmxlab only.
 */
void test_exit_info_offset(int sys)
{
	const struct vmxlab_exit_info *info;
	struct vm vm;
	struct vcpu v;

	if (kvm_mode)
		return;
	report(VMXLAB_EXIT_INFO_OFFSET >= sizeof(struct kvm_run) &&
	       VMXLAB_EXIT_INFO_OFFSET + sizeof(*info) <= 4096, "exit-info-past-kvm-run",
	       "VMXLAB_EXIT_INFO_OFFSET %d, struct kvm_run %zu bytes, exit info %zu bytes: "
	       "want the exit info past kvm_run, within the first page",
	       VMXLAB_EXIT_INFO_OFFSET, sizeof(struct kvm_run), sizeof(*info));
	if (!vm_with_vcpu(sys, &vm, &v, guest_touch, sizeof(guest_touch), "exit-info-setup"))
		return;
	info = (const void *)((const char *)v.run + VMXLAB_EXIT_INFO_OFFSET);
	report(info->magic == VMXLAB_EXIT_INFO_MAGIC, "exit-info-magic",
	       "magic %#x at offset %d; want %#x", info->magic, VMXLAB_EXIT_INFO_OFFSET,
	       VMXLAB_EXIT_INFO_MAGIC);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

struct poller {
	int fd;
	volatile int stop;
	long calls, fails;
	int err;
};

static void *poll_regs(void *arg)
{
	struct poller *p = arg;
	struct kvm_regs regs;

	while (!p->stop) {
		if (ioctl(p->fd, KVM_GET_REGS, &regs)) {
			p->fails++;
			p->err = errno;
		}
		p->calls++;
	}
	return NULL;
}

/*
 * Another thread's vCPU ioctls while KVM_RUN is called over and over:
 * KVM_RUN waits for the vCPU's mutex, as on KVM, never EBUSY.
 */
void test_run_with_ioctls(int sys)
{
	struct poller p = { 0 };
	pthread_t thread;
	struct vm vm;
	struct vcpu v;
	long runs = 0, busy = 0, other = 0;
	int last = 0;
	double end;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "run-ioctls-setup"))
		return;
	p.fd = v.fd;
	if (pthread_create(&thread, NULL, poll_regs, &p)) {
		report(0, "run-ioctls-thread", "%s", strerror(errno));
		goto out;
	}
	end = now() + 2;
	while (now() < end) {
		if (ioctl(v.fd, KVM_RUN, 0)) {
			last = errno;
			if (errno == EBUSY)
				busy++;
			else
				other++;
		} else if (v.run->exit_reason != KVM_EXIT_IO) {
			other++;
		}
		runs++;
	}
	p.stop = 1;
	pthread_join(thread, NULL);
	printf("NOTE: %ld KVM_RUNs, %ld KVM_GET_REGS from another thread\n", runs, p.calls);
	report(!busy && !other, "run-waits-for-other-ioctls", "%ld of %ld KVM_RUNs failed with "
	       "EBUSY, %ld otherwise (last %s) while another thread called KVM_GET_REGS; want none",
	       busy, runs, other, errname(last));
	report(!p.fails && p.calls > 0, "other-ioctls-wait-for-run", "%ld of %ld KVM_GET_REGS "
	       "failed (%s)", p.fails, p.calls, errname(p.err));
out:
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* A slot over @size bytes mapped from @fd with @flags (MAP_SHARED/PRIVATE): the errno. */
static int file_slot(int vm, int fd, int flags, uint32_t slot_flags)
{
	void *p = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, flags, fd, 0);
	int e;

	if (p == MAP_FAILED)
		return -errno;
	e = set_region(vm, 1, slot_flags, 1ull << 32, GUEST_MEM, (uintptr_t)p);
	if (!e)
		set_region(vm, 1, slot_flags, 1ull << 32, 0, (uintptr_t)p);	/* delete */
	munmap(p, GUEST_MEM);
	return e;
}

/*
 * The file mapped MAP_SHARED over slot 0's memory after the slot was
 * made, the guest's code in it: KVM_RUN fails with EOPNOTSUPP at the
 * first pin, and nothing of the file is pinned.
 */
static void file_remapped_under_slot(int sys, int fd)
{
	struct vm vm;
	struct vcpu v;
	void *p;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_touch, sizeof(guest_touch), "file-remap-setup"))
		return;
	p = mmap(vm.mem, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		report(0, "file-remap-mmap", "%s", strerror(errno));
	} else {
		memcpy(vm.mem + GUEST_ENTRY, guest_touch, sizeof(guest_touch));
		alarm_in(5);
		e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
		alarm_in(0);
		report(e == EOPNOTSUPP, "file-remapped-under-slot-eopnotsupp",
		       "KVM_RUN over a writable MAP_SHARED file mapped under the slot later: "
		       "%s, exit_reason %u; want EOPNOTSUPP", errname(e), v.run->exit_reason);
	}
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * Slots over files (@path on a file system that tracks dirty pages for
 * writeback: ramfs does, through page_mkwrite): a writable shared mapping
 * is refused with EOPNOTSUPP, since a long-term pin for writing bypasses
 * that tracking (the kernel refuses such pins from 6.5 on); a private
 * mapping, a read-only slot, and shmem (a memfd) are taken.  vmxlab only
 * (KVM does not pin long-term).
 */
void test_file_slots(int sys, const char *path)
{
	int vm, fd, mfd, e;

	if (kvm_mode)
		return;
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	mfd = memfd_create("guest", 0);
	if (vm < 0 || fd < 0 || mfd < 0 || ftruncate(fd, GUEST_MEM) || ftruncate(mfd, GUEST_MEM)) {
		report(0, "file-slot-setup", "VM, %s or memfd: %s", path, strerror(errno));
		goto out;
	}
	e = file_slot(vm, fd, MAP_SHARED, 0);
	report(e == EOPNOTSUPP, "file-slot-shared-writable-eopnotsupp",
	       "a slot over a writable MAP_SHARED mapping of %s: %s; want EOPNOTSUPP", path,
	       e < 0 ? strerror(-e) : errname(e));
	e = file_slot(vm, fd, MAP_SHARED, KVM_MEM_READONLY);
	report(e == 0, "file-slot-shared-readonly-ok", "a read-only slot over it: %s",
	       e < 0 ? strerror(-e) : errname(e));
	e = file_slot(vm, fd, MAP_PRIVATE, 0);
	report(e == 0, "file-slot-private-ok", "a slot over a MAP_PRIVATE mapping of it: %s",
	       e < 0 ? strerror(-e) : errname(e));
	e = file_slot(vm, mfd, MAP_SHARED, 0);
	report(e == 0, "file-slot-shmem-shared-ok", "a slot over a MAP_SHARED memfd: %s",
	       e < 0 ? strerror(-e) : errname(e));
	file_remapped_under_slot(sys, fd);
out:
	if (vm >= 0)
		close(vm);
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
}

/* KVM_CREATE_VCPU past @cap vCPUs of this user, over two VMs: ENOSPC. */
void test_vcpu_cap(int sys, int cap)
{
	int vm[2], fds[16], n = 0, e, i;

	if (cap < 1 || cap > 8) {
		report(0, "vcpu-cap-arg", "cap %d: want 1..8", cap);
		return;
	}
	vm[0] = ioctl(sys, KVM_CREATE_VM, 0);
	vm[1] = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm[0] < 0 || vm[1] < 0) {
		report(0, "vcpu-cap-vms", "KVM_CREATE_VM: %s", errname(errno));
		goto out;
	}
	for (i = 0; i < cap; i++) {
		fds[n] = ioctl(vm[i & 1], KVM_CREATE_VCPU, i / 2);
		if (fds[n] < 0)
			break;
		n++;
	}
	report(n == cap, "vcpu-cap-up-to-cap", "%d vCPUs created over two VMs, want %d: %s",
	       n, cap, errname(errno));
	e = ioctl_errno(vm[cap & 1], KVM_CREATE_VCPU, (void *)(long)(cap / 2), NULL);
	report(e == ENOSPC, "vcpu-cap-past-cap-enospc", "vCPU %d of a user capped at %d: %s; "
	       "want ENOSPC", cap + 1, cap, errname(e));
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	for (i = 0; i < 2; i++)
		if (vm[i] >= 0)
			close(vm[i]);
}
