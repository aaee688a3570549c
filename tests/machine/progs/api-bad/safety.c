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

void test_fpu_mxcsr(int sys)
{
	struct kvm_fpu fpu;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

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
 * with an allocation failure splat (the kernel-log guard).  Both over
 * address space reserved PROT_NONE, which costs nothing.
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
	report(e == 0 || e == ENOMEM, "huge-slot-max-ok-or-enomem",
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
