// SPDX-License-Identifier: GPL-2.0
/*
 * api-test: the basic contract of /dev/vmxlab's ioctls (include/vmxlab/uapi.h).
 * Prints one `PASS name` / `FAIL name: reason` line per assertion; exits 1 if
 * any failed.  What a user would see go wrong if these failed: KVM clients
 * that probe the API version refuse /dev/vmxlab; tools cannot tell a bad
 * call from a missing feature; garbage in reserved fields is silently
 * accepted, so future API extensions would break old binaries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#include "lib.h"

/* The ioctl must fail with errno `want`. */
static void expect_errno(const char *name, int fd, unsigned long req, void *arg, int want)
{
	long ret;
	int got = ioctl_errno(fd, req, arg, &ret);

	report(ret == -1 && got == want, name, "expected -1 errno %d (%s), got %ld errno %d (%s)",
	       want, strerror(want), ret, got, strerror(got));
}

static void expect_ok(const char *name, int fd, unsigned long req, void *arg)
{
	long ret;
	int got = ioctl_errno(fd, req, arg, &ret);

	report(ret == 0, name, "expected 0, got %ld errno %d (%s)", ret, got, strerror(got));
}

/* nr_cpu_ids as the kernel sees it: 1 + the last possible CPU. */
static unsigned int nr_possible_cpus(void)
{
	unsigned int first = 0, last = 0;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");

	if (f) {
		if (fscanf(f, "%u-%u", &first, &last) < 2)
			last = first;
		fclose(f);
	}
	return last + 1;
}

static void test_api_version(int fd)
{
	long v = ioctl(fd, KVM_GET_API_VERSION, 0);

	report(v == VMXLAB_KVM_API_VERSION, "kvm-api-version",
	       "KVM_GET_API_VERSION returned %ld, want %ld", v, (long)VMXLAB_KVM_API_VERSION);
}

static void test_get_caps(int fd)
{
	struct vmxlab_caps caps;

	expect_errno("unknown-ioctl-enotty", fd, _IO(VMXLAB_IO, 0x7f), NULL, ENOTTY);
	expect_errno("get-caps-bad-pointer-efault", fd, VMXLAB_GET_CAPS, (void *)8, EFAULT);
	memset(&caps, 0, sizeof(caps));
	caps.flags = 1;
	expect_errno("get-caps-flags-einval", fd, VMXLAB_GET_CAPS, &caps, EINVAL);
	memset(&caps, 0, sizeof(caps));
	expect_ok("get-caps-ok", fd, VMXLAB_GET_CAPS, &caps);
	report(caps.api_version == VMXLAB_API_VERSION, "get-caps-api-version",
	       "api_version %ld, want %ld", (long)caps.api_version, (long)VMXLAB_API_VERSION);
}

static void test_cpu_state(int fd)
{
	struct vmxlab_cpu_state st;

	memset(&st, 0, sizeof(st));
	st.cpu = nr_possible_cpus();
	expect_errno("cpu-state-cpu-out-of-range-einval", fd, VMXLAB_GET_CPU_STATE, &st, EINVAL);
	memset(&st, 0, sizeof(st));
	st.cpu = 0xffffffffu;
	expect_errno("cpu-state-cpu-huge-einval", fd, VMXLAB_GET_CPU_STATE, &st, EINVAL);
	memset(&st, 0, sizeof(st));
	st.reserved[3] = 1;
	expect_errno("cpu-state-reserved-einval", fd, VMXLAB_GET_CPU_STATE, &st, EINVAL);
	memset(&st, 0, sizeof(st));
	expect_ok("cpu-state-cpu0-ok", fd, VMXLAB_GET_CPU_STATE, &st);
	report(st.flags & VMXLAB_CPU_ONLINE, "cpu-state-cpu0-online",
	       "cpu0 flags %#lx, want bit %#lx (ONLINE) set", (long)st.flags, (long)VMXLAB_CPU_ONLINE);
}

/* uapi contract (vmx/dev.c): a second ENABLE on one file is -EALREADY. */
static void test_enable_twice(int fd)
{
	expect_errno("vmx-disable-without-enable-einval", fd, VMXLAB_VMX_DISABLE, NULL, EINVAL);
	expect_ok("vmx-enable", fd, VMXLAB_VMX_ENABLE, NULL);
	expect_errno("vmx-enable-twice-ealready", fd, VMXLAB_VMX_ENABLE, NULL, EALREADY);
	expect_ok("vmx-disable", fd, VMXLAB_VMX_DISABLE, NULL);
}

int main(void)
{
	int fd = open(VMXLAB_DEVICE_PATH, O_RDWR);

	if (fd < 0) {
		printf("FAIL open: %s: %s\n", VMXLAB_DEVICE_PATH, strerror(errno));
		return 1;
	}
	test_api_version(fd);
	test_get_caps(fd);
	test_cpu_state(fd);
	test_enable_twice(fd);
	close(fd);
	return failures ? 1 : 0;
}
