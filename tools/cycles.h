/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit timing as the tool shows it (uapi.h, VMXLAB_GET_EXIT_CYCLES): read
 * from a vCPU fd (vmxlab run --cycles) or parsed from debugfs's
 * vcpu<i>-cycles (vmxlab stat), printed the same way for both.
 */
#ifndef VMXLAB_TOOL_CYCLES_H
#define VMXLAB_TOOL_CYCLES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vmxlab/uapi.h>

struct cycles_view {
	bool on;			/* timing is on now */
	uint32_t pending;		/* basic reason still being timed, or VMXLAB_CYCLES_NONE */
	struct vmxlab_exit_cycles reasons[VMXLAB_MAX_EXIT_REASONS];
};

/* VMXLAB_GET_EXIT_CYCLES on @fd into @view; 0, or -1 with errno set. */
int cycles_read_fd(int fd, struct cycles_view *view);

/*
 * Parse the text of debugfs's vcpu<i>-cycles; 0, or -1 with the first
 * line that makes no sense in @bad (size @bad_size).
 */
int cycles_parse(FILE *in, struct cycles_view *view, char *bad, size_t bad_size);

/* The histograms, each line starting with @indent. */
void cycles_print(FILE *out, const char *indent, const struct cycles_view *view);

#endif /* VMXLAB_TOOL_CYCLES_H */
