// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab exec -- COMMAND: run COMMAND where /dev/kvm is vmxlab's device.
 *
 * QEMU 7.2 opens /dev/kvm by path and has no option to open another
 * device.  COMMAND runs in a mount namespace of its own (unshare(2),
 * CLONE_NEWNS) whose mounts are slaves of the system's: it sees the
 * system's later mounts, the system never sees its.  There /dev/vmxlab is
 * bind-mounted over /dev/kvm.  If /dev/kvm does not exist, a tmpfs goes
 * over /dev in the namespace, holding a bind mount of each entry of the
 * real /dev and an empty file for /dev/kvm to mount on: nothing is
 * created in the system's /dev.  Nothing else changes: COMMAND runs with
 * the caller's credentials (root, or CAP_SYS_ADMIN, is what unshare
 * needs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmxlab.h"

#define KVM_PATH		"/dev/kvm"
/* The shell's convention for "could not run the command". */
#define EXIT_CANNOT_EXEC	126
#define EXIT_NOT_FOUND		127

static void exec_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab exec [--device PATH] -- COMMAND [ARGS...]\n"
		"\n"
		"Run COMMAND in a private mount namespace where %s is vmxlab's device,\n"
		"so that a program that opens %s by name (QEMU 7.2) uses vmxlab.  The\n"
		"system's %s is not touched.  Needs root (CAP_SYS_ADMIN) for the mount\n"
		"namespace; COMMAND runs with the caller's credentials.  The exit status\n"
		"is COMMAND's; 127 if it was not found, 126 if it could not be run.\n"
		"\n"
		"  --device PATH   the device to put at %s (default %s)\n"
		"  -h, --help      this help\n"
		"\n"
		"Example:\n"
		"  sudo vmxlab exec -- qemu-system-x86_64 -accel kvm,kernel-irqchip=off ...\n",
		KVM_PATH, KVM_PATH, KVM_PATH, KVM_PATH, VMXLAB_DEVICE_PATH);
}

static int parse_exec_options(int argc, char **argv, const char **device)
{
	int ret = parse_device_then_command(argc, argv, device, "exec", exec_usage);

	if (ret < 0 && optind >= argc) {
		error_msg("exec: no COMMAND given");
		return usage_hint("exec");
	}
	return ret;
}

/* The device must exist and be a character device (a bind mount of anything else would mislead). */
static int check_device(const char *device)
{
	struct stat st;

	if (stat(device, &st)) {
		if (errno == ENOENT) {
			error_msg("%s not found: load vmxlab.ko first ('modprobe vmxlab', or 'insmod vmxlab.ko' from the build tree)",
				  device);
			return EXIT_NO_DEVICE;
		}
		error_msg("cannot use %s: %s", device, strerror(errno));
		return EXIT_NO_DEVICE;
	}
	if (!S_ISCHR(st.st_mode)) {
		error_msg("%s is not a character device", device);
		return EXIT_NO_DEVICE;
	}
	return EXIT_OK;
}

static int mount_failed(const char *what, const char *where)
{
	error_msg("exec: %s on %s failed: %s", what, where, strerror(errno));
	return EXIT_FAILED;
}

/* Bind the entry @name of the old /dev (reached through @olddev) into the new one. */
static int rebind_dev_entry(int olddev, const char *name)
{
	char src[PATH_MAX], dst[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (fstatat(olddev, name, &st, AT_SYMLINK_NOFOLLOW))
		return EXIT_OK;		/* gone meanwhile */
	snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", olddev, name);
	snprintf(dst, sizeof(dst), "/dev/%s", name);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(olddev, name, link, sizeof(link) - 1);
		if (n < 0)
			return EXIT_OK;
		link[n] = '\0';
		return symlink(link, dst) ? mount_failed("symlink", dst) : EXIT_OK;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, st.st_mode & 07777))
			return mount_failed("mkdir", dst);
	} else {
		fd = open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0)
			return mount_failed("creating a mount point", dst);
		close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL))
		return mount_failed("bind mount", dst);
	return EXIT_OK;
}

/*
 * No /dev/kvm: a tmpfs over /dev in this namespace, the old /dev's
 * entries bound back into it, and an empty /dev/kvm to mount on.
 */
static int make_kvm_mount_point(void)
{
	int olddev, dirfd, fd, status = EXIT_OK;
	struct dirent *e;
	DIR *dir;

	char mode[32];
	struct stat st;

	olddev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	dirfd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (olddev < 0 || dirfd < 0 || fstat(dirfd, &st))
		return mount_failed("open", "/dev");
	snprintf(mode, sizeof(mode), "mode=%o", (unsigned int)(st.st_mode & 07777));
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, mode))
		return mount_failed("tmpfs mount", "/dev");
	dir = fdopendir(dirfd);
	if (!dir)
		return mount_failed("reading", "/dev");
	while (status == EXIT_OK && (e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		status = rebind_dev_entry(olddev, e->d_name);
	}
	closedir(dir);
	close(olddev);
	if (status != EXIT_OK)
		return status;
	fd = open(KVM_PATH, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return mount_failed("creating a mount point", KVM_PATH);
	close(fd);
	return EXIT_OK;
}

/* This process in a new mount namespace, @device on /dev/kvm there. */
static int private_kvm(const char *device)
{
	struct stat st;
	int status;

	if (unshare(CLONE_NEWNS)) {
		if (errno == EPERM)
			error_msg("exec: making a private mount namespace needs root (CAP_SYS_ADMIN): run 'sudo vmxlab exec ...'");
		else
			error_msg("exec: unshare(CLONE_NEWNS) failed: %s", strerror(errno));
		return EXIT_FAILED;
	}
	/* Nothing mounted from here on may reach the system's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		return mount_failed("making mounts slaves", "/");
	if (lstat(KVM_PATH, &st)) {
		if (errno != ENOENT)
			return mount_failed("lstat", KVM_PATH);
		status = make_kvm_mount_point();
		if (status != EXIT_OK)
			return status;
	}
	if (mount(device, KVM_PATH, NULL, MS_BIND, NULL))
		return mount_failed("bind mount", KVM_PATH);
	return EXIT_OK;
}

int cmd_exec(int argc, char **argv)
{
	const char *device = VMXLAB_DEVICE_PATH;
	int status;

	status = parse_exec_options(argc, argv, &device);
	if (status >= 0)
		return status;
	status = check_device(device);
	if (status != EXIT_OK)
		return status;
	status = private_kvm(device);
	if (status != EXIT_OK)
		return status;
	fflush(stdout);
	execvp(argv[optind], argv + optind);
	error_msg("exec: cannot run %s: %s", argv[optind], strerror(errno));
	return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}
