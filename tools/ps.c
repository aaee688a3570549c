// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab ps: one line per VM vmxlab runs now, like `virsh list` with a
 * little of `virsh dominfo`: its owner, vCPUs (where each last ran, what
 * it is doing), memory, EPT and exits; --json for scripts.  From the
 * per-VM status files in debugfs (vmx/stats.c, tools/vmstatus.c).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "vmstatus.h"
#include "vmxlab.h"

static void ps_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab ps [--json]\n"
		"\n"
		"One line per VM vmxlab runs now:\n"
		"  VM       its debugfs directory, vm-PID-N (N counts VMs since load)\n"
		"  PID      the process that created it, COMMAND its name then\n"
		"  VCPUS    vCPUs, SLOTS memory slots in use\n"
		"  PINNED   guest pages pinned (mapped in EPT), EPT the EPT's own pages\n"
		"  EXITS    VM exits so far, all vCPUs\n"
		"  CPU/STATE  per vCPU, ID:CPU/STATE: the CPU where it last ran (- never)\n"
		"           and running (in KVM_RUN), halted (stopped at HLT) or user\n"
		"           (in user space)\n"
		"\n"
		"  --json   the same and the exits per basic exit reason, as JSON\n"
		"\n"
		"Read from %s/vm-PID-N/status: debugfs, root only\n"
		"(mount -t debugfs none /sys/kernel/debug).\n",
		vmstatus_dir());
}

static void print_vcpus(const struct vm_status *s)
{
	unsigned int i;

	if (!s->nr_vcpus)
		printf(" -");
	for (i = 0; i < s->nr_vcpus; i++) {
		const struct vcpu_status *v = &s->vcpu[i];

		if (v->cpu < 0)
			printf(" %u:-/%s", v->id, v->state);
		else
			printf(" %u:%d/%s", v->id, v->cpu, v->state);
	}
	putchar('\n');
}

static void print_text(const struct vm_list *list)
{
	unsigned int i;

	if (!list->n) {
		printf("no VMs running\n");
		return;
	}
	printf("%-14s %7s %-15s %5s %5s %8s %5s %12s  %s\n", "VM", "PID", "COMMAND",
	       "VCPUS", "SLOTS", "PINNED", "EPT", "EXITS", "CPU/STATE");
	for (i = 0; i < list->n; i++) {
		const struct vm_status *s = &list->vms[i];

		printf("%-14s %7ld %-15s %5u %5u %8" PRIu64 " %5" PRIu64 " %12" PRIu64 " ",
		       s->name, s->pid, s->comm, s->nr_vcpus, s->slots, s->pinned_pages,
		       s->ept_pages, s->exits);
		print_vcpus(s);
	}
}

static void json_vm(struct json *j, const struct vm_status *s)
{
	unsigned int i;

	json_object_begin(j, NULL);
	json_string(j, "vm", s->name);
	json_uint(j, "pid", s->pid);
	json_string(j, "comm", s->comm);
	json_uint(j, "slots", s->slots);
	json_uint(j, "pinned_pages", s->pinned_pages);
	json_uint(j, "ept_pages", s->ept_pages);
	json_array_begin(j, "vcpus");
	for (i = 0; i < s->nr_vcpus; i++) {
		const struct vcpu_status *v = &s->vcpu[i];

		json_object_begin(j, NULL);
		json_uint(j, "id", v->id);
		if (v->cpu < 0)
			json_null(j, "cpu");
		else
			json_uint(j, "cpu", v->cpu);
		json_string(j, "state", v->state);
		json_uint(j, "exits", v->exits);
		json_uint(j, "entries", v->entries);
		json_object_end(j);
	}
	json_array_end(j);
	json_uint(j, "exits", s->exits);
	json_object_begin(j, "exits_by_reason");
	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++)
		if (s->by_reason[i])
			json_uint(j, s->reason_name[i], s->by_reason[i]);
	if (s->exits_other)
		json_uint(j, "OTHER", s->exits_other);
	json_object_end(j);
	json_object_end(j);
}

static void print_json(const struct vm_list *list)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "vms");
	for (i = 0; i < list->n; i++)
		json_vm(&j, &list->vms[i]);
	json_array_end(&j);
	json_object_end(&j);
}

int cmd_ps(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vm_list list;
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			ps_usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint("ps");
		}
	}
	if (optind < argc) {
		error_msg("unexpected argument '%s'", argv[optind]);
		return usage_hint("ps");
	}
	ret = vm_list_read(&list);
	if (ret)
		return ret;
	if (json)
		print_json(&list);
	else
		print_text(&list);
	vm_list_free(&list);
	return EXIT_OK;
}
