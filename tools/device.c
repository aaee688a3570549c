// SPDX-License-Identifier: GPL-2.0
/*
 * Opening /dev/vmxlab and explaining, in plain words, why it failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmxlab.h"

static bool line_has_word(char *line, const char *word)
{
	char *saveptr, *token;

	for (token = strtok_r(line, " \t\n", &saveptr); token;
	     token = strtok_r(NULL, " \t\n", &saveptr))
		if (!strcmp(token, word))
			return true;
	return false;
}

/*
 * Whether the kernel lists "vmx" among this CPU's flags.  It does not
 * when the CPU has no VT-x, when the firmware disabled it (the kernel
 * clears the flag then), or in a VM without nested virtualization.
 * VMXLAB_CPUINFO names another file, for the tool's tests.
 */
static bool cpu_lists_vmx(void)
{
	const char *path = getenv("VMXLAB_CPUINFO");
	char line[4096];
	bool vmx = false;
	FILE *f;

	f = fopen(path ? path : "/proc/cpuinfo", "r");
	if (!f)
		return true;	/* unknown: do not claim the CPU lacks it */
	while (!vmx && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5))
			vmx = line_has_word(line, "vmx");
	fclose(f);
	return vmx;
}

static void explain_missing_device(const char *path)
{
	if (!cpu_lists_vmx()) {
		error_msg("%s not found, and this CPU offers no usable VT-x (no 'vmx' flag in /proc/cpuinfo): it is not an Intel CPU with VT-x, VT-x is disabled in the firmware, or this is a VM without nested virtualization; 'make run' shows vmxlab in an emulated machine instead",
			  path);
		return;
	}
	error_msg("%s not found: load the module with 'modprobe vmxlab' (or 'insmod vmxlab.ko' from the build tree)",
		  path);
}

int device_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;

	switch (errno) {
	case ENOENT:
		explain_missing_device(path);
		break;
	case EACCES:
	case EPERM:
		error_msg("permission denied opening %s: it is root-only (mode 0600); run as root",
			  path);
		break;
	default:
		error_msg("cannot open %s: %s", path, strerror(errno));
		break;
	}
	return -EXIT_NO_DEVICE;
}

int device_ioctl_failed(const char *path, const char *what, int err)
{
	if (err == ENOTTY) {
		error_msg("%s is not a vmxlab device", path);
		return EXIT_NO_DEVICE;
	}
	error_msg("%s on %s failed: %s; see dmesg", what, path, strerror(err));
	return EXIT_FAILED;
}
