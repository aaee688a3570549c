// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab stat: the exit statistics of every VM vmxlab runs now, from
 * debugfs (vmx/debugfs.c): per vCPU, the VM exits by basic exit reason,
 * VM entries and failed entries, and the exit-timing histograms when the
 * VM's owner turned them on (vmxlab run --cycles), read while the guests
 * run.  $VMXLAB_DEBUGFS names another directory, for the tool's tests.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cycles.h"
#include "vmxlab.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/vmxlab"

static const char *debugfs_dir(void)
{
	const char *dir = getenv("VMXLAB_DEBUGFS");

	return dir && *dir ? dir : DEBUGFS_DIR;
}

static void stat_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab stat\n"
		"\n"
		"Show the exit statistics of every VM vmxlab is running: for each vCPU,\n"
		"its VM exits by basic exit reason (SDM Vol. 3D, Appendix C), its VM\n"
		"entries and failed entries.  Read from %s/vm-PID-N/vcpuI\n"
		"(debugfs must be mounted: mount -t debugfs none /sys/kernel/debug).\n"
		"\n"
		"Then its exit timing, from vcpuI-cycles: \"exit cycles: off\" unless the\n"
		"VM's owner turned it on (vmxlab run --cycles; VMXLAB_SET_EXIT_CYCLES);\n"
		"else, per basic exit reason, the exits timed, their mean and a histogram\n"
		"of the host TSC cycles from each VM exit to the vCPU's next VM entry in\n"
		"power-of-two buckets.  For exits handled in user space that includes the\n"
		"round trip through the VMM.  The exit named \"pending\" is still being\n"
		"timed (the vCPU is out of the guest) and not counted yet.\n",
		DEBUGFS_DIR);
}

static int filter_entries(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* The vCPUs' counter files, "vcpuN", not their "vcpuN-cycles". */
static int filter_vcpus(const struct dirent *d)
{
	unsigned int id;
	int used = 0;

	return sscanf(d->d_name, "vcpu%u%n", &id, &used) == 1 && !d->d_name[used];
}

/* The exit timing of vCPU @vcpu of @vm, if its file is there. */
static void print_vcpu_cycles(const char *vm, const char *vcpu)
{
	static struct cycles_view view;
	char path[512], bad[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s-cycles", debugfs_dir(), vm, vcpu);
	f = fopen(path, "r");
	if (!f)
		return;		/* a module without exit timing, or the VM went */
	if (cycles_parse(f, &view, bad, sizeof(bad)))
		printf("  exit cycles: cannot parse %s: '%s'\n", path, bad);
	else
		cycles_print(stdout, "  ", &view);
	fclose(f);
}

static void print_vcpu(const char *vm, const char *vcpu)
{
	char path[512], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", debugfs_dir(), vm, vcpu);
	f = fopen(path, "r");
	if (!f)
		return;		/* the VM went meanwhile */
	printf("%s %s:\n", vm, vcpu);
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
	print_vcpu_cycles(vm, vcpu);
}

static void print_vm(const char *vm)
{
	struct dirent **vcpus;
	char path[512];
	int i, n;

	snprintf(path, sizeof(path), "%s/%s", debugfs_dir(), vm);
	n = scandir(path, &vcpus, filter_vcpus, versionsort);
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
	n = scandir(debugfs_dir(), &vms, filter_entries, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			error_msg("%s not found: load vmxlab, and mount debugfs (mount -t debugfs none /sys/kernel/debug)",
				  debugfs_dir());
		else
			error_msg("cannot read %s: %s", debugfs_dir(), strerror(errno));
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
