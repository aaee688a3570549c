// SPDX-License-Identifier: GPL-2.0
/*
 * Opening /dev/vmxlab and explaining, in plain words, why it failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "vmxlab.h"

int device_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;

	switch (errno) {
	case ENOENT:
		error_msg("%s not found: load the module with 'modprobe vmxlab' (or 'insmod vmxlab.ko' from the build tree)",
			  path);
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
