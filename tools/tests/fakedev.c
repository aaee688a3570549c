// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for /dev/vmxlab, loaded with LD_PRELOAD by the tool tests so
 * that the device paths of vmxlab run without the module.
 *
 * Paths under /fake/: "/fake/eacces" fails with EACCES; any other opens
 * /dev/null and answers vmxlab's ioctls on it:
 *   VMXLAB_GET_CAPS       the struct vmxlab_caps in $FAKE_VMXLAB_CAPS
 *   VMXLAB_GET_CPU_STATE  cpu0 in VMX root with no current VMCS, cpu1
 *                         offline, cpu2 in VMX root with a current VMCS,
 *                         EINVAL from cpu3 on
 *   VMXLAB_VMX_ENABLE     fails as $FAKE_VMXLAB_ENABLE says ("ebusy",
 *                         "eio") or succeeds
 *   KVM_GET_API_VERSION   12, as the module; every other KVM ioctl
 *                         (KVM_CREATE_VM) ENOTTY, as the module today
 * ENABLE and DISABLE append a line to $FAKE_VMXLAB_LOG.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vmxlab/uapi.h>

static int fake_fd = -1;

static int open_fake(const char *path, int flags)
{
	if (!strcmp(path, "/fake/eacces")) {
		errno = EACCES;
		return -1;
	}
	fake_fd = open("/dev/null", flags);
	return fake_fd;
}

#define OPEN_WRAPPER(fn)						\
int fn(const char *path, int flags, ...)				\
{									\
	static int (*real)(const char *, int, ...);			\
	mode_t mode = 0;						\
	va_list ap;							\
									\
	if (!strncmp(path, "/fake/", 6))				\
		return open_fake(path, flags);				\
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

static void log_call(const char *what)
{
	const char *path = getenv("FAKE_VMXLAB_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static int get_caps(struct vmxlab_caps *caps)
{
	const char *path = getenv("FAKE_VMXLAB_CAPS");
	FILE *f = path ? fopen(path, "rb") : NULL;
	size_t got;

	if (!f)
		return fail(EIO);
	got = fread(caps, sizeof(*caps), 1, f);
	fclose(f);
	return got == 1 ? 0 : fail(EIO);
}

static int get_cpu_state(struct vmxlab_cpu_state *st)
{
	const __u32 root = VMXLAB_CPU_ONLINE | VMXLAB_CPU_VMXON |
			   VMXLAB_CPU_CR4_VMXE | VMXLAB_CPU_IN_VMX_ROOT;

	switch (st->cpu) {
	case 0:
		st->flags = root;
		st->cr4 = 0x3726e0;
		st->current_vmcs = ~0ULL;
		return 0;
	case 1:
		st->flags = 0;
		return 0;
	case 2:
		st->flags = root;
		st->cr4 = 0x3726e0;
		st->current_vmcs = 0x12345000;
		return 0;
	default:
		return fail(EINVAL);
	}
}

static int vmx_enable(void)
{
	const char *how = getenv("FAKE_VMXLAB_ENABLE");

	if (how && !strcmp(how, "ebusy"))
		return fail(EBUSY);
	if (how && !strcmp(how, "eio"))
		return fail(EIO);
	log_call("enable");
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake_fd || fd < 0) {
		if (!real)
			real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		return real(fd, request, arg);
	}
	switch (request) {
	case VMXLAB_GET_CAPS:
		return get_caps(arg);
	case VMXLAB_GET_CPU_STATE:
		return get_cpu_state(arg);
	case VMXLAB_VMX_ENABLE:
		return vmx_enable();
	case VMXLAB_VMX_DISABLE:
		log_call("disable");
		return 0;
	case KVM_GET_API_VERSION:	/* as vmx/dev.c: KVM's API version */
		return VMXLAB_KVM_API_VERSION;
	default:
		return fail(ENOTTY);
	}
}
