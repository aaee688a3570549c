// SPDX-License-Identifier: GPL-2.0
/*
 * The stand-in device's system-ioctl part (fakedev.c has the overview):
 * vmxlab's own ioctls on /fake/vmxlab, for `vmxlab info`, `cpus` and
 * `hold`.
 *   VMXLAB_GET_CAPS       the struct vmxlab_caps in $FAKE_VMXLAB_CAPS
 *   VMXLAB_GET_CPU_STATE  cpu0 in VMX root with no current VMCS, cpu1
 *                         offline, cpu2 in VMX root with a current VMCS
 *                         (hidden, as from a caller without
 *                         CAP_SYS_ADMIN, when $FAKE_VMXLAB_HIDE is set),
 *                         EINVAL from cpu3 on
 *   VMXLAB_VMX_ENABLE     fails as $FAKE_VMXLAB_ENABLE says ("ebusy",
 *                         "eio") or succeeds
 * ENABLE and DISABLE append a line to $FAKE_VMXLAB_LOG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakedev.h"

static void log_call(const char *what)
{
	const char *path = getenv("FAKE_VMXLAB_LOG");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

static int get_caps(struct vmxlab_caps *caps)
{
	const char *path = getenv("FAKE_VMXLAB_CAPS");
	FILE *f = path ? fopen(path, "rb") : NULL;
	size_t got;

	if (!f)
		return fake_fail(EIO);
	got = fread(caps, sizeof(*caps), 1, f);
	fclose(f);
	return got == 1 ? 0 : fake_fail(EIO);
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
		if (getenv("FAKE_VMXLAB_HIDE")) {
			st->flags |= VMXLAB_CPU_VMCS_HIDDEN;
			st->current_vmcs = 0;
		}
		return 0;
	default:
		return fake_fail(EINVAL);
	}
}

static int vmx_enable(void)
{
	const char *how = getenv("FAKE_VMXLAB_ENABLE");

	if (how && !strcmp(how, "ebusy"))
		return fake_fail(EBUSY);
	if (how && !strcmp(how, "eio"))
		return fake_fail(EIO);
	log_call("enable");
	return 0;
}

int fake_sys_ioctl(unsigned long request, void *arg)
{
	switch (request) {
	case VMXLAB_GET_CAPS:
		return get_caps(arg);
	case VMXLAB_GET_CPU_STATE:
		return get_cpu_state(arg);
	/* Both take no argument: like the module, refuse anything but 0. */
	case VMXLAB_VMX_ENABLE:
		return arg ? fake_fail(EINVAL) : vmx_enable();
	case VMXLAB_VMX_DISABLE:
		if (arg)
			return fake_fail(EINVAL);
		log_call("disable");
		return 0;
	default:
		return FAKE_NOT_MINE;
	}
}
