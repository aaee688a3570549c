// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab stat: the exit statistics of every VM vmxlab runs now, from
 * debugfs (vmx/debugfs.c): per vCPU, the VM exits by basic exit reason,
 * VM entries and failed entries, read while the guests run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmxlab.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/vmxlab"

static void stat_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab stat\n"
		"\n"
		"Show the exit statistics of every VM vmxlab is running: for each vCPU,\n"
		"its VM exits by basic exit reason (SDM Vol. 3D, Appendix C), its VM\n"
		"entries and failed entries.  Read from %s/vm-PID-N/vcpuI\n"
		"(debugfs must be mounted: mount -t debugfs none /sys/kernel/debug).\n",
		DEBUGFS_DIR);
}

static int filter_entries(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void print_vcpu(const char *vm, const char *vcpu)
{
	char path[512], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", DEBUGFS_DIR, vm, vcpu);
	f = fopen(path, "r");
	if (!f)
		return;		/* the VM went meanwhile */
	printf("%s %s:\n", vm, vcpu);
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
}

static void print_vm(const char *vm)
{
	struct dirent **vcpus;
	char path[512];
	int i, n;

	snprintf(path, sizeof(path), "%s/%s", DEBUGFS_DIR, vm);
	n = scandir(path, &vcpus, filter_entries, alphasort);
	for (i = 0; i < n; i++) {
		print_vcpu(vm, vcpus[i]->d_name);
		free(vcpus[i]);
	}
	if (n >= 0)
		free(vcpus);
}

int cmd_stat(int argc, char **argv)
{
	struct dirent **vms;
	int i, n;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			stat_usage(stdout);
			return EXIT_OK;
		}
		stat_usage(stderr);
		return EXIT_USAGE;
	}
	n = scandir(DEBUGFS_DIR, &vms, filter_entries, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			error_msg("%s not found: load vmxlab, and mount debugfs (mount -t debugfs none /sys/kernel/debug)",
				  DEBUGFS_DIR);
		else
			error_msg("cannot read %s: %s", DEBUGFS_DIR, strerror(errno));
		return EXIT_NO_DEVICE;
	}
	if (!n)
		printf("no VMs running\n");
	for (i = 0; i < n; i++) {
		print_vm(vms[i]->d_name);
		free(vms[i]);
	}
	free(vms);
	return EXIT_OK;
}
