/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab: the user tool.  Shared declarations of its commands.
 */
#ifndef VMXLAB_TOOL_H
#define VMXLAB_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

#ifndef VMXLAB_VERSION
#define VMXLAB_VERSION "0.1"
#endif

/* Exit statuses, the same for every command. */
enum vmxlab_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_DEVICE = 3,	/* device missing, unopenable, or not vmxlab */
	EXIT_VMX_BUSY = 4,	/* another hypervisor holds VMX */
};

/* Every command: argv[0] is the command's name; returns an exit status. */
int cmd_info(int argc, char **argv);
int cmd_cpus(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_exec(int argc, char **argv);

/* Messages on stderr, prefixed with "vmxlab: ". */
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The "Try 'vmxlab CMD --help'" hint after a bad option; returns EXIT_USAGE. */
int usage_hint(const char *command);

/* device.c: --device PATH [--help] before a COMMAND; -1 to go on, else the exit status. */
int parse_device_then_command(int argc, char **argv, const char **device,
			      const char *name, void (*usage)(FILE *out));
/* device.c: open @path; on failure explain it and return -EXIT_*. */
int device_open(const char *path);
void explain_permission_denied(const char *path);
/* Explain a failed ioctl @what on @path; returns the exit status to use. */
int device_ioctl_failed(const char *path, const char *what, int err);

#endif /* VMXLAB_TOOL_H */
