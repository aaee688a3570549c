// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab: inspect and exercise the vmxlab hypervisor module through
 * /dev/vmxlab.  This file picks the command; each command has its own file.
 */
#include <stdarg.h>
#include <string.h>

#include "run.h"
#include "vmstatus.h"
#include "vmxlab.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "info", cmd_info, "decode the CPU's VMX capabilities and vmxlab's choices" },
	{ "cpus", cmd_cpus, "show each CPU's VMX state" },
	{ "hold", cmd_hold, "keep VMX on while a command runs (or until a signal)" },
	{ "run", cmd_run, "run a guest (real, protected, paged or long mode) through KVM's API" },
	{ "stat", cmd_stat, "show the exit statistics of the VMs vmxlab runs now" },
	{ "ps", cmd_ps, "list the VMs vmxlab runs now: owner, vCPUs, memory, exits" },
	{ "top", cmd_top, "show the VMs' exits per second by reason, refreshed" },
	{ "exec", cmd_exec, "run a command that opens /dev/kvm (QEMU) on vmxlab's device" },
};

void error_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vmxlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_hint(const char *command)
{
	fprintf(stderr, "Try 'vmxlab %s --help'.\n", command);
	return EXIT_USAGE;
}

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out,
		"Usage: vmxlab COMMAND [OPTIONS]\n"
		"       vmxlab COMMAND --help\n"
		"       vmxlab --help | --version\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-6s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Every command talks to the vmxlab module through %s (root only)\n"
		"unless told otherwise with --device PATH.\n"
		"\n"
		"Exit status: 0 success, 1 operation failed, 2 usage error,\n"
		"3 device missing or cannot be opened, 4 VMX in use by another hypervisor.\n",
		VMXLAB_DEVICE_PATH);
}

static const struct command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Run @cmd; its argv[0] becomes "vmxlab CMD", for getopt's messages. */
static int run_command(const struct command *cmd, int argc, char **argv)
{
	char name[32];

	snprintf(name, sizeof(name), "vmxlab %s", cmd->name);
	argv[0] = name;
	return cmd->run(argc, argv);
}

/* "vmxlab help [COMMAND]" is "vmxlab COMMAND --help". */
static int run_help(int argc, char **argv)
{
	const struct command *cmd;
	char help[] = "--help";
	char *args[] = { NULL, help, NULL };

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		error_msg("unknown command '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return run_command(cmd, 2, args);
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmxlab %s (vmxlab API %d)\n", VMXLAB_VERSION, VMXLAB_API_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help"))
		return run_help(argc - 1, argv + 1);

	cmd = find_command(argv[1]);
	if (!cmd) {
		if (argv[1][0] == '-')
			error_msg("unknown option '%s'", argv[1]);
		else
			error_msg("unknown command '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return run_command(cmd, argc - 1, argv + 1);
}
