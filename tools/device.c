// SPDX-License-Identifier: GPL-2.0
/*
 * Opening /dev/vmxlab and explaining, in plain words, why it failed; the
 * --device option of the commands that run another command.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/*
 * The name of group GID from /etc/group (read directly: the static tool
 * has no NSS), else its number, in BUF.
 */
static const char *group_name(gid_t gid, char *buf, size_t size)
{
	char line[1024], *name, *rest;
	FILE *f = fopen("/etc/group", "r");

	snprintf(buf, size, "%u", (unsigned int)gid);
	while (f && fgets(line, sizeof(line), f)) {
		name = strtok_r(line, ":", &rest);
		strtok_r(NULL, ":", &rest);	/* password */
		rest = strtok_r(NULL, ":", &rest);
		if (name && rest && strtoul(rest, NULL, 10) == gid) {
			snprintf(buf, size, "%s", name);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

/*
 * As with /dev/kvm, the udev rule 'make install' installs gives the group
 * kvm read and write (0660); without it the device is root-only (0600).
 */
void explain_permission_denied(const char *path)
{
	struct stat st;
	char group[64];

	if (stat(path, &st) == 0 && (st.st_mode & 0060) == 0060 && st.st_gid != 0) {
		group_name(st.st_gid, group, sizeof(group));
		error_msg("permission denied opening %s (mode %04o, group %s): join the group %s to run guests ('sudo usermod -aG %s $USER', then log in again), or run as root",
			  path, st.st_mode & 07777, group, group, group);
		return;
	}
	error_msg("permission denied opening %s: it is root-only (mode 0600); run as root",
		  path);
	error_msg("or give the group kvm access, as /dev/kvm has: 'sudo make install' installs the udev rule (mode 0660, group kvm); then join the group kvm ('sudo usermod -aG kvm $USER', log in again)");
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
		explain_permission_denied(path);
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

/*
 * The options of a command that runs another one (`hold`, `exec`):
 * --device PATH and --help, up to COMMAND, which keeps its own options
 * ("+" stops at the first non-option).  Returns -1 to go on, else the
 * exit status (help printed, or a usage error).
 */
int parse_device_then_command(int argc, char **argv, const char **device,
			      const char *name, void (*usage)(FILE *out))
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			*device = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint(name);
		}
	}
	return -1;
}
