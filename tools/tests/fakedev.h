/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stand-in device's parts (fakedev.c: open, ioctl and mmap;
 * fakedev_sys.c: vmxlab's system ioctls; fakedev_kvm.c: the KVM API).
 */
#ifndef VMXLAB_FAKEDEV_H
#define VMXLAB_FAKEDEV_H

#include <vmxlab/uapi.h>

/* File descriptors below this one can be the stand-in's. */
#define MAX_FDS		64

/* What a stand-in file descriptor is; FD_NONE: a real file. */
enum fd_kind { FD_NONE, FD_SYS, FD_VM, FD_VCPU };

/* The device opened was /fake/vmxlab (true) or /fake/kvm (false). */
extern int fake_is_vmxlab;

/* A new stand-in descriptor of @kind (a /dev/null one), or -1. */
int fake_new_fd(enum fd_kind kind);

/* errno = @err; return -1, as a failed ioctl. */
int fake_fail(int err);

/* fake_sys_ioctl()'s answer for a request that is not a system ioctl. */
#define FAKE_NOT_MINE	(-2)

/* vmxlab's system ioctls on /fake/vmxlab; FAKE_NOT_MINE for any other. */
int fake_sys_ioctl(unsigned long request, void *arg);

/* Every KVM-API ioctl on a descriptor of @kind. */
int fake_kvm_ioctl(int fd, enum fd_kind kind, unsigned long request, void *arg);

/* vCPU @fd's kvm_run has been mapped at @run. */
void fake_kvm_map_run(int fd, void *run);

#endif /* VMXLAB_FAKEDEV_H */
