// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab hold: turn VMX on (VMXLAB_VMX_ENABLE) for as long as a command
 * runs, or until SIGINT/SIGTERM, then turn it off again.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmxlab.h"

/* The shell's convention for "could not run the command". */
#define EXIT_CANNOT_EXEC	126
#define EXIT_NOT_FOUND		127

static volatile sig_atomic_t child_pid;

static void hold_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab hold [--device PATH] [-- COMMAND [ARGS...]]\n"
		"\n"
		"Turn VMX operation on (VMXON on every online CPU) and keep it on while\n"
		"COMMAND runs; without COMMAND, until SIGINT (Ctrl-C) or SIGTERM.  Then\n"
		"turn it off.  The exit status is COMMAND's (128+N if a signal N killed\n"
		"it), or 0; 4 when another hypervisor holds VMX.\n"
		"\n"
		"  --device PATH   the vmxlab device (default %s)\n"
		"  -h, --help      this help\n",
		VMXLAB_DEVICE_PATH);
}

static int parse_hold_options(int argc, char **argv, const char **device)
{
	return parse_device_then_command(argc, argv, device, "hold", hold_usage);
}

static int vmx_enable(int fd, const char *device)
{
	if (!ioctl(fd, VMXLAB_VMX_ENABLE, 0UL))
		return EXIT_OK;
	switch (errno) {
	case EBUSY:
		error_msg("VMX is in use by another hypervisor (most likely kvm_intel with a VM running, or kvm_intel on a kernel that turns VMX on at load): stop its VMs or unload kvm_intel; the kernel log (dmesg) names the reason");
		return EXIT_VMX_BUSY;
	case ENOTTY:
		error_msg("%s is not a vmxlab device", device);
		return EXIT_NO_DEVICE;
	default:
		error_msg("enabling VMX failed: %s; see dmesg", strerror(errno));
		return EXIT_FAILED;
	}
}

static int vmx_disable(int fd)
{
	if (!ioctl(fd, VMXLAB_VMX_DISABLE, 0UL))
		return EXIT_OK;
	error_msg("disabling VMX failed: %s; see dmesg (closing the device releases it)",
		  strerror(errno));
	return EXIT_FAILED;
}

/* Pass SIGTERM (or SIGINT sent to vmxlab alone) on to the command. */
static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static void set_signal_handlers(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			error_msg("waiting for the command failed: %s", strerror(errno));
			return EXIT_FAILED;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The signals that end a hold. */
static void hold_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static void block_signals(int how)
{
	sigset_t set;

	hold_signals(&set);
	sigprocmask(how, &set, NULL);
}

/* In the child, after execvp() failed: exit as a shell would. */
static void __attribute__((noreturn)) exec_failed(const char *command)
{
	int err = errno;

	error_msg("cannot run %s: %s", command, strerror(err));
	_exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
}

/*
 * Called with the hold signals blocked: they stay blocked until child_pid
 * is known, so that none goes astray.
 */
static int run_command(char **command)
{
	pid_t pid;
	int status;

	fflush(NULL);
	set_signal_handlers(forward_signal);
	pid = fork();
	if (pid == 0) {
		set_signal_handlers(SIG_DFL);
		block_signals(SIG_UNBLOCK);
		execvp(command[0], command);
		exec_failed(command[0]);
	}
	child_pid = pid;
	block_signals(SIG_UNBLOCK);
	if (pid < 0) {
		error_msg("cannot start %s: %s", command[0], strerror(errno));
		return EXIT_FAILED;
	}
	status = wait_status(pid);
	child_pid = 0;		/* its pid may be reused from now on */
	return status;
}

static int wait_for_signal(void)
{
	sigset_t set;
	int sig;

	hold_signals(&set);
	fprintf(stderr, "vmxlab: VMX is on; Ctrl-C or SIGTERM turns it off\n");
	if (sigwait(&set, &sig)) {
		error_msg("waiting for a signal failed");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int cmd_hold(int argc, char **argv)
{
	const char *device = VMXLAB_DEVICE_PATH;
	int fd, ret, off;

	ret = parse_hold_options(argc, argv, &device);
	if (ret >= 0)
		return ret;
	/* From here on a signal cannot end vmxlab between ENABLE and DISABLE. */
	block_signals(SIG_BLOCK);
	fd = device_open(device);
	if (fd < 0)
		return -fd;
	ret = vmx_enable(fd, device);
	if (ret != EXIT_OK) {
		close(fd);
		return ret;
	}
	if (optind < argc)
		ret = run_command(argv + optind);
	else
		ret = wait_for_signal();
	off = vmx_disable(fd);
	close(fd);
	return off != EXIT_OK ? off : ret;
}
