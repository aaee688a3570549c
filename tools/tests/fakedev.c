// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for /dev/vmxlab and /dev/kvm, loaded with LD_PRELOAD by the
 * tool tests so that the tool's device paths run without the module and
 * without VT-x.  This file takes over open(), ioctl() and mmap() for the
 * stand-in's paths and descriptors and passes everything else on:
 *
 *   /fake/eacces   open fails with EACCES
 *   /fake/vmxlab   vmxlab: its system ioctls (fakedev_sys.c) and the KVM
 *                  API with vmxlab's extras (fakedev_kvm.c)
 *   /fake/kvm      KVM: the KVM API alone
 *
 * Each part's header comment lists the environment variables that
 * script it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#include "fakedev.h"

int fake_is_vmxlab;
static enum fd_kind kinds[MAX_FDS];

int fake_fail(int err)
{
	errno = err;
	return -1;
}

int fake_new_fd(enum fd_kind kind)
{
	static int (*real_open)(const char *, int, ...);
	int fd;

	if (!real_open)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	fd = real_open("/dev/null", O_RDWR);
	if (fd >= 0 && fd < MAX_FDS)
		kinds[fd] = kind;
	return fd;
}

static int open_fake(const char *path)
{
	if (!strcmp(path, "/fake/eacces"))
		return fake_fail(EACCES);
	if (strcmp(path, "/fake/vmxlab") && strcmp(path, "/fake/kvm"))
		return fake_fail(ENOENT);
	fake_is_vmxlab = !strcmp(path, "/fake/vmxlab");
	return fake_new_fd(FD_SYS);
}

#define OPEN_WRAPPER(fn)						\
int fn(const char *path, int flags, ...)				\
{									\
	static int (*real)(const char *, int, ...);			\
	mode_t mode = 0;						\
	va_list ap;							\
									\
	if (!strncmp(path, "/fake/", 6))				\
		return open_fake(path);					\
	if (!real)							\
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #fn); \
	va_start(ap, flags);						\
	if (flags & (O_CREAT | O_TMPFILE))				\
		mode = va_arg(ap, mode_t);				\
	va_end(ap);							\
	return real(path, flags, mode);					\
}

OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)

static enum fd_kind kind_of(int fd)
{
	return fd >= 0 && fd < MAX_FDS ? kinds[fd] : FD_NONE;
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real)(int, unsigned long, ...);
	enum fd_kind kind = kind_of(fd);
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (kind == FD_NONE) {
		if (!real)
			real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		return real(fd, request, arg);
	}
	if (kind == FD_SYS && fake_is_vmxlab) {
		ret = fake_sys_ioctl(request, arg);
		if (ret != FAKE_NOT_MINE)
			return ret;
	}
	return fake_kvm_ioctl(fd, kind, request, arg);
}

/* A vCPU's kvm_run: anonymous shared memory the KVM part fills. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*real)(void *, size_t, int, int, int, off_t);
	void *p;

	if (!real)
		real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	if (kind_of(fd) != FD_VCPU)
		return real(addr, len, prot, flags, fd, off);
	p = real(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		fake_kvm_map_run(fd, p);
	return p;
}
