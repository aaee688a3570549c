/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-VM status files of vmxlab's debugfs (vmx/stats.c describes
 * them), read for `vmxlab ps` and `vmxlab top`.  $VMXLAB_DEBUGFS names
 * another directory, for the tool's tests.
 */
#ifndef VMXLAB_VMSTATUS_H
#define VMXLAB_VMSTATUS_H

#include <stdint.h>
#include <stdio.h>

#include <vmxlab/uapi.h>

#define VMSTATUS_MAX_VCPUS	64	/* more than any module allows: a bound, not a limit */
#define VMSTATUS_NAME_LEN	64

struct vcpu_status {
	unsigned int id;
	int cpu;			/* -1: never loaded */
	char state[16];			/* running, halted, user */
	uint64_t exits;
	uint64_t entries;
};

struct vm_status {
	char name[VMSTATUS_NAME_LEN];	/* the directory: vm-PID-N */
	long pid;
	char comm[32];
	unsigned int slots;
	uint64_t pinned_pages;
	uint64_t ept_pages;
	unsigned int nr_vcpus;
	struct vcpu_status vcpu[VMSTATUS_MAX_VCPUS];
	uint64_t exits;
	uint64_t exits_other;
	uint64_t by_reason[VMXLAB_MAX_EXIT_REASONS];
	char reason_name[VMXLAB_MAX_EXIT_REASONS][32];
};

/* Every VM's status, read now. */
struct vm_list {
	unsigned int n;
	struct vm_status *vms;
};

/*
 * Read every VM's status file into @list (sorted by name).  0, or an
 * exit status with the reason said on stderr (the directory missing or
 * unreadable: EXIT_NO_DEVICE; a file that does not parse: EXIT_FAILED).
 * A VM that goes while being read is left out.
 */
int vm_list_read(struct vm_list *list);
void vm_list_free(struct vm_list *list);
const char *vmstatus_dir(void);

/* The commands: ps.c, top.c. */
int cmd_ps(int argc, char **argv);
int cmd_top(int argc, char **argv);

#endif /* VMXLAB_VMSTATUS_H */
