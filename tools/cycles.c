// SPDX-License-Identifier: GPL-2.0
/*
 * Exit timing (uapi.h, VMXLAB_GET_EXIT_CYCLES) for vmxlab run --cycles
 * and vmxlab stat: read it, parse debugfs's text of it, print it.
 *
 * debugfs's vcpu<i>-cycles (vmx/debugfs.c) says, one item a line:
 *   state on|off
 *   pending NAME (N) | pending none
 *   NAME (N): count C sum S mean M buckets B:COUNT B:COUNT ...
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <vmxlab/exits.h>

#include "cycles.h"

#define BAR_WIDTH	40

int cycles_read_fd(int fd, struct cycles_view *view)
{
	struct vmxlab_cycles_read rd = {
		.reasons = (uintptr_t)view->reasons,
		.nreasons = VMXLAB_MAX_EXIT_REASONS,
	};

	if (ioctl(fd, VMXLAB_GET_EXIT_CYCLES, &rd))
		return -1;
	view->on = rd.state & VMXLAB_CYCLES_ON;
	view->pending = rd.pending_reason;
	return 0;
}

/* "B:COUNT B:COUNT ..." into @c's buckets; false if it is not that. */
static bool parse_buckets(const char *s, struct vmxlab_exit_cycles *c)
{
	unsigned long long count;
	unsigned int b;
	int used;

	while (*s == ' ')
		s++;
	while (*s) {
		if (sscanf(s, "%u:%llu%n", &b, &count, &used) != 2 ||
		    b >= VMXLAB_CYCLES_BUCKETS)
			return false;
		c->buckets[b] = count;
		s += used;
		while (*s == ' ')
			s++;
	}
	return true;
}

/* "NAME (N): count C sum S mean M buckets ..." */
static bool parse_reason(const char *line, struct cycles_view *view)
{
	unsigned long long count, sum, mean;
	struct vmxlab_exit_cycles *c;
	unsigned int reason;
	const char *p = strstr(line, " (");
	int used = 0;

	if (!p || sscanf(p, " (%u): count %llu sum %llu mean %llu buckets%n",
			 &reason, &count, &sum, &mean, &used) != 4 || !used ||
	    reason >= VMXLAB_MAX_EXIT_REASONS)
		return false;
	c = &view->reasons[reason];
	c->count = count;
	c->sum = sum;
	return parse_buckets(p + used, c);
}

static bool parse_line(const char *line, struct cycles_view *view)
{
	unsigned int reason;
	const char *p;

	if (!strcmp(line, "state on") || !strcmp(line, "state off")) {
		view->on = !strcmp(line, "state on");
		return true;
	}
	if (!strcmp(line, "pending none")) {
		view->pending = VMXLAB_CYCLES_NONE;
		return true;
	}
	if (!strncmp(line, "pending ", 8)) {
		p = strstr(line, " (");
		if (!p || sscanf(p, " (%u)", &reason) != 1 || reason >= VMXLAB_MAX_EXIT_REASONS)
			return false;
		view->pending = reason;
		return true;
	}
	return parse_reason(line, view);
}

int cycles_parse(FILE *in, struct cycles_view *view, char *bad, size_t bad_size)
{
	char line[1024];

	memset(view, 0, sizeof(*view));
	view->pending = VMXLAB_CYCLES_NONE;
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (!parse_line(line, view)) {
			snprintf(bad, bad_size, "%s", line);
			return -1;
		}
	}
	return 0;
}

static const char *reason_name(uint32_t reason)
{
	const char *name = vmx_exit_reason_name(reason);

	return name ? name : "UNKNOWN";
}

/* "1024..2047"; bucket 0 holds 0 and 1, the last one everything above. */
static void bucket_range(unsigned int b, char *buf, size_t size)
{
	uint64_t low = b ? 1ULL << b : 0;

	if (b == VMXLAB_CYCLES_BUCKETS - 1)
		snprintf(buf, size, "%" PRIu64 "..", low);
	else
		snprintf(buf, size, "%" PRIu64 "..%" PRIu64, low, (uint64_t)(2ULL << b) - 1);
}

static void print_reason(FILE *out, const char *indent, uint32_t reason,
			 const struct vmxlab_exit_cycles *c)
{
	uint64_t most = 0;
	unsigned int b;
	char range[32];

	fprintf(out, "%s%s (%u): %" PRIu64 " exit%s, mean %" PRIu64 " cycles, sum %" PRIu64 "\n",
		indent, reason_name(reason), reason, (uint64_t)c->count, c->count == 1 ? "" : "s",
		(uint64_t)(c->sum / c->count), (uint64_t)c->sum);
	for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++)
		if (c->buckets[b] > most)
			most = c->buckets[b];
	for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++) {
		int bar;

		if (!c->buckets[b])
			continue;
		bucket_range(b, range, sizeof(range));
		bar = (int)((c->buckets[b] * BAR_WIDTH + most - 1) / most);
		fprintf(out, "%s  %24s %10" PRIu64 " %.*s\n", indent, range,
			(uint64_t)c->buckets[b], bar,
			"########################################");
	}
}

void cycles_print(FILE *out, const char *indent, const struct cycles_view *view)
{
	unsigned int i, shown = 0;

	fprintf(out, "%sexit cycles (host TSC, VM exit to next VM entry): %s", indent,
		view->on ? "on" : "off");
	if (view->pending < VMXLAB_MAX_EXIT_REASONS)
		fprintf(out, ", %s (%u) pending", reason_name(view->pending), view->pending);
	fprintf(out, "\n");
	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++) {
		if (!view->reasons[i].count)
			continue;
		print_reason(out, indent, i, &view->reasons[i]);
		shown++;
	}
	if (!shown && view->on)
		fprintf(out, "%s  no exit timed yet\n", indent);
}
