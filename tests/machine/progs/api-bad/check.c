// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's checks: an ioctl's answer on vmxlab, and on KVM in --kvm mode
 * (main.c says how the two are compared).
 */
#define _GNU_SOURCE

#include "api-bad.h"

/*
 * The ioctl must give `want` (an errno, or OK: success) on vmxlab and
 * `kwant` on KVM; kwant VMXLAB_ONLY: not made on KVM.
 */
void check(const char *name, int fd, unsigned long req, void *arg, int want, int kwant)
{
	long ret;
	int got;

	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	got = ioctl_errno(fd, req, arg, &ret);
	report(got == want, name, "got %ld, %s; want %s", ret, errname(got),
	       want ? errname(want) : "success");
}

/* For ioctls that return a value: it must be `want` (vmxlab) or `kwant` (KVM). */
void check_value(const char *name, int fd, unsigned long req, long arg,
			long want, long kwant)
{
	long ret;
	int got;

	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	got = ioctl_errno(fd, req, (void *)arg, &ret);
	report(!got && ret == want, name, "got %ld, %s; want %ld", ret, errname(got), want);
}

void check_positive(const char *name, int fd, unsigned long req, long arg)
{
	long ret;
	int got = ioctl_errno(fd, req, (void *)arg, &ret);

	report(!got && ret > 0, name, "got %ld, %s; want > 0", ret, errname(got));
}
