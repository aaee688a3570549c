// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --cycles: exit timing (VMXLAB_SET_EXIT_CYCLES) on for every
 * vCPU before it first runs, and at the end of the run, on stderr, each
 * vCPU's histograms of host TSC cycles per basic exit reason
 * (VMXLAB_GET_EXIT_CYCLES), printed as cycles.c prints them.  The last
 * exit of a vCPU (its HLT, say) is still "pending": no entry followed it.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cycles.h"
#include "run.h"
#include "vmxlab.h"

int cycles_start(struct vm *vm)
{
	struct vmxlab_cycles_control ctl = { .flags = VMXLAB_CYCLES_ON };
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (!vm->vcpus[i].info) {
			error_msg("--cycles: %s is not vmxlab: it does not time exits", vm->device);
			return EXIT_USAGE;
		}
		if (ioctl(vm->vcpus[i].fd, VMXLAB_SET_EXIT_CYCLES, &ctl)) {
			error_msg("--cycles: VMXLAB_SET_EXIT_CYCLES on %s: %s", vm->device,
				  strerror(errno));
			return EXIT_FAILED;
		}
	}
	return EXIT_OK;
}

void cycles_report(const struct vm *vm)
{
	static struct cycles_view view;
	const char *indent = vm->nr_vcpus > 1 ? "  " : "";
	unsigned int i;

	fflush(stdout);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->nr_vcpus > 1)
			fprintf(stderr, "vcpu%u:\n", i);
		if (cycles_read_fd(vm->vcpus[i].fd, &view)) {
			fprintf(stderr, "%sexit cycles: VMXLAB_GET_EXIT_CYCLES failed: %s\n",
				indent, strerror(errno));
			continue;
		}
		cycles_print(stderr, indent, &view);
	}
}
