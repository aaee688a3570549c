// SPDX-License-Identifier: GPL-2.0
/*
 * Reading vmxlab's per-VM status files (vmx/stats.c):
 * /sys/kernel/debug/vmxlab/vm-PID-N/status, "key value" lines.  The tool
 * trusts nothing in them: every line must parse, every number fit, every
 * vCPU and exit reason stay inside its table.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmstatus.h"
#include "vmxlab.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/vmxlab"

const char *vmstatus_dir(void)
{
	const char *dir = getenv("VMXLAB_DEBUGFS");

	return dir && *dir ? dir : DEBUGFS_DIR;
}

static int parse_vcpu(struct vm_status *s, const char *line)
{
	struct vcpu_status *v;
	int used = 0;

	if (s->nr_vcpus >= VMSTATUS_MAX_VCPUS)
		return -1;
	v = &s->vcpu[s->nr_vcpus];
	if (sscanf(line, "vcpu %u cpu %d state %15s exits %" SCNu64 " entries %" SCNu64 "%n",
		   &v->id, &v->cpu, v->state, &v->exits, &v->entries, &used) != 5 || line[used])
		return -1;
	s->nr_vcpus++;
	return 0;
}

static int parse_reason(struct vm_status *s, const char *line)
{
	unsigned int reason;
	char name[32];
	uint64_t n;
	int used = 0;

	if (sscanf(line, "exit %u %31s %" SCNu64 "%n", &reason, name, &n, &used) != 3 ||
	    line[used] || reason >= VMXLAB_MAX_EXIT_REASONS)
		return -1;
	s->by_reason[reason] = n;
	strcpy(s->reason_name[reason], name);
	return 0;
}

/* One line of a status file; -1 if it is not one the module writes. */
static int parse_line(struct vm_status *s, const char *line)
{
	unsigned int vcpus;
	int used = 0;

#define SCAN(fmt, ...) (used = 0, sscanf(line, fmt "%n", __VA_ARGS__, &used) == 1 && !line[used])
	if (!strncmp(line, "vcpu ", 5))
		return parse_vcpu(s, line);
	if (!strncmp(line, "exit ", 5))
		return parse_reason(s, line);
	if (SCAN("pid %ld", &s->pid) || SCAN("comm %31s", s->comm) ||
	    SCAN("slots %u", &s->slots) ||
	    SCAN("pinned_pages %" SCNu64, &s->pinned_pages) ||
	    SCAN("ept_pages %" SCNu64, &s->ept_pages) ||
	    SCAN("vcpus %u", &vcpus) ||
	    SCAN("exits %" SCNu64, &s->exits) ||
	    SCAN("exits_other %" SCNu64, &s->exits_other))
		return 0;
#undef SCAN
	return -1;
}

/*
 * Read @vm's status file into @s: 0, -ENOENT when the VM has gone, or
 * -EINVAL with the offending line in @bad.
 */
static int vm_status_read(const char *vm, struct vm_status *s, char *bad, size_t badlen)
{
	char path[512], line[256];
	FILE *f;
	int err = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%.*s", VMSTATUS_NAME_LEN - 1, vm);
	snprintf(path, sizeof(path), "%s/%s/status", vmstatus_dir(), vm);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (parse_line(s, line)) {
			snprintf(bad, badlen, "%s", line);
			err = -EINVAL;
			break;
		}
	}
	fclose(f);
	return err;
}

/* A VM's directory, vm-PID-N. */
static int filter_vms(const struct dirent *d)
{
	long pid;
	unsigned int n;
	int used = 0;

	return sscanf(d->d_name, "vm-%ld-%u%n", &pid, &n, &used) == 2 && !d->d_name[used] &&
	       used < VMSTATUS_NAME_LEN;
}

static int list_dir_failed(const char *dir)
{
	if (errno == ENOENT)
		error_msg("%s not found: load vmxlab, and mount debugfs (mount -t debugfs none /sys/kernel/debug)",
			  dir);
	else if (errno == EACCES)
		error_msg("permission denied reading %s: the VM view is in debugfs, which is root's (as kvm_stat's): run this as root",
			  dir);
	else
		error_msg("cannot read %s: %s", dir, strerror(errno));
	return EXIT_NO_DEVICE;
}

static int read_vms(struct vm_list *list, struct dirent **names, int n)
{
	char bad[256];
	int i, err;

	for (i = 0; i < n; i++) {
		struct vm_status *s = &list->vms[list->n];

		err = vm_status_read(names[i]->d_name, s, bad, sizeof(bad));
		if (err == -ENOENT)
			continue;	/* the VM went meanwhile */
		if (err == -EINVAL) {
			error_msg("cannot parse %s/%s/status: '%s'", vmstatus_dir(),
				  names[i]->d_name, bad);
			return EXIT_FAILED;
		}
		if (err) {
			error_msg("cannot read %s/%s/status: %s", vmstatus_dir(),
				  names[i]->d_name, strerror(-err));
			return err == -EACCES ? EXIT_NO_DEVICE : EXIT_FAILED;
		}
		list->n++;
	}
	return 0;
}

int vm_list_read(struct vm_list *list)
{
	struct dirent **names;
	int i, n, ret;

	list->n = 0;
	list->vms = NULL;
	n = scandir(vmstatus_dir(), &names, filter_vms, versionsort);
	if (n < 0)
		return list_dir_failed(vmstatus_dir());
	list->vms = calloc(n ? n : 1, sizeof(*list->vms));
	if (!list->vms) {
		error_msg("out of memory");
		ret = EXIT_FAILED;
	} else {
		ret = read_vms(list, names, n);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (ret)
		vm_list_free(list);
	return ret;
}

void vm_list_free(struct vm_list *list)
{
	free(list->vms);
	list->vms = NULL;
	list->n = 0;
}
