// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab top: VM exits per second, by basic exit reason, of every VM
 * vmxlab runs, refreshed in place like kvm_stat; -b prints one report
 * after another for scripts.  Each report is the difference of two reads
 * of the per-VM status files (tools/vmstatus.c) over the time between
 * them, measured, not assumed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmstatus.h"
#include "vmxlab.h"

#define TOP_MAX_DELAY	3600.0

struct top_options {
	bool batch;
	long iterations;	/* 0: until a signal */
	double delay;		/* seconds */
};

static void top_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab top [-b] [-n N] [-d SECONDS]\n"
		"\n"
		"VM exits per second of every VM vmxlab runs, per VM and per basic exit\n"
		"reason (SDM Vol. 3D, Appendix C), busiest first, refreshed in place.\n"
		"\n"
		"  -b, --batch           print one report after another (no screen control)\n"
		"  -n, --iterations N    stop after N reports (default: until interrupted)\n"
		"  -d, --delay SECONDS   between reports, and what the rates are over\n"
		"                        (default 1, at most %.0f; fractions allowed)\n"
		"\n"
		"Read from %s/vm-PID-N/status: debugfs, root only.\n",
		TOP_MAX_DELAY, vmstatus_dir());
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s };

	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static const struct vm_status *find_vm(const struct vm_list *list, const char *name)
{
	unsigned int i;

	for (i = 0; i < list->n; i++)
		if (!strcmp(list->vms[i].name, name))
			return &list->vms[i];
	return NULL;
}

/* Per second, from @before (NULL: a VM new since, every exit is recent) to @after. */
static double rate(uint64_t before, uint64_t after, double seconds)
{
	return after > before ? (after - before) / seconds : 0.0;
}

struct reason_rate {
	unsigned int reason;
	double rate;
};

static int by_rate_desc(const void *a, const void *b)
{
	const struct reason_rate *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	return x->reason < y->reason ? -1 : (x->reason > y->reason);
}

static void print_vm(const struct vm_status *old, const struct vm_status *s, double seconds)
{
	struct reason_rate rates[VMXLAB_MAX_EXIT_REASONS];
	unsigned int i, n = 0;

	printf("%-14s %7ld %-15s %12.0f %14" PRIu64 "\n", s->name, s->pid, s->comm,
	       rate(old ? old->exits : 0, s->exits, seconds), s->exits);
	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++) {
		double r = rate(old ? old->by_reason[i] : 0, s->by_reason[i], seconds);

		if (r > 0)
			rates[n++] = (struct reason_rate){ i, r };
	}
	qsort(rates, n, sizeof(rates[0]), by_rate_desc);
	for (i = 0; i < n; i++) {
		char label[48];

		snprintf(label, sizeof(label), "%s (%u)", s->reason_name[rates[i].reason],
			 rates[i].reason);
		printf("  %-36s %12.0f %14" PRIu64 "\n", label, rates[i].rate,
		       s->by_reason[rates[i].reason]);
	}
}

static void print_report(const struct top_options *o, const struct vm_list *old,
			 const struct vm_list *now, double seconds)
{
	unsigned int i;

	if (!o->batch)
		fputs("\033[H\033[2J", stdout);		/* home, clear the screen */
	printf("vmxlab top: %u VM%s, exits per second over the last %.2f s\n",
	       now->n, now->n == 1 ? "" : "s", seconds);
	printf("%-14s %7s %-15s %12s %14s\n", "VM / REASON", "PID", "COMMAND",
	       "EXITS/S", "TOTAL");
	for (i = 0; i < now->n; i++)
		print_vm(find_vm(old, now->vms[i].name), &now->vms[i], seconds);
	if (o->batch)
		putchar('\n');
	fflush(stdout);
}

static int top_loop(const struct top_options *o)
{
	struct vm_list old, now;
	double t_old, t_now;
	long done;
	int ret;

	ret = vm_list_read(&old);
	if (ret)
		return ret;
	t_old = now_seconds();
	for (done = 0; !o->iterations || done < o->iterations; done++) {
		sleep_seconds(o->delay);
		ret = vm_list_read(&now);
		if (ret)
			break;
		t_now = now_seconds();
		print_report(o, &old, &now, t_now - t_old);
		vm_list_free(&old);
		old = now;
		t_old = t_now;
	}
	vm_list_free(&old);
	return ret;
}

static bool parse_delay(const char *arg, double *delay)
{
	char *end;

	errno = 0;
	*delay = strtod(arg, &end);
	return !errno && end != arg && !*end && isfinite(*delay) &&
	       *delay > 0 && *delay <= TOP_MAX_DELAY;
}

static bool parse_iterations(const char *arg, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(arg, &end, 10);
	return !errno && end != arg && !*end && *n > 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option options[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct top_options o = { .delay = 1.0 };
	int opt;

	while ((opt = getopt_long(argc, argv, "bn:d:h", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			o.batch = true;
			break;
		case 'n':
			if (!parse_iterations(optarg, &o.iterations)) {
				error_msg("-n wants a number of reports above 0, not '%s'", optarg);
				return usage_hint("top");
			}
			break;
		case 'd':
			if (!parse_delay(optarg, &o.delay)) {
				error_msg("-d wants seconds above 0 and at most %.0f, not '%s'",
					  TOP_MAX_DELAY, optarg);
				return usage_hint("top");
			}
			break;
		case 'h':
			top_usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint("top");
		}
	}
	if (optind < argc) {
		error_msg("unexpected argument '%s'", argv[optind]);
		return usage_hint("top");
	}
	return top_loop(&o);
}
