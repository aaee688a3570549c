/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab run: one real-mode guest on a KVM-API device.  Shared between
 * run.c (options, VM setup, the run loop) and run_exit.c (what each exit
 * means: the port devices, the end of the run, --trace).
 */
#ifndef VMXLAB_RUN_H
#define VMXLAB_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

/* Where the guest image goes and starts: CS:IP = 0000:1000. */
#define GUEST_LOAD_ADDRESS	0x1000
/* Real mode reaches 64 KiB from CS = 0: the image must end below. */
#define GUEST_CODE_LIMIT	0x10000

/* Run statuses beyond the tool's own (0..4, see vmxlab.h). */
#define RUN_EXIT_SHUTDOWN	5	/* the guest triple-faulted */
#define RUN_DEBUG_EXIT_MASK	0x7f	/* a debug exit's status: value & 0x7f */

/* The ports the tool answers. */
#define PORT_DEBUGCON		0xe9	/* write: a byte to stdout */
#define PORT_DEBUG_EXIT		0xf4	/* write: end the run with a status */
#define PORT_COM1_THR		0x3f8	/* write: a byte to stdout */
#define PORT_COM1_LSR		0x3fd	/* read: 0x60, transmitter empty */
#define PORT_SCRATCH		0x510	/* read: the last value written */

#define COM1_LSR_IDLE		0x60	/* THR empty (bit 5), TX empty (bit 6) */

/* Exit reasons counted by number; larger ones share the last slot. */
#define EXIT_REASONS		64

struct vm {
	const char *device;
	int sys_fd;
	int vm_fd;
	int vcpu_fd;
	void *mem;
	size_t mem_size;
	struct kvm_run *run;
	size_t run_size;
	bool trace;
	/* Devices and statistics. */
	uint32_t scratch;
	unsigned long exits[EXIT_REASONS];
	unsigned long ignored_writes;
	unsigned long unanswered_reads;
};

/* The command (main.c's table). */
int cmd_run(int argc, char **argv);

/*
 * Handle the exit in vm->run; returns -1 to run on, else the run's exit
 * status (after a message on stderr when the guest did not end well).
 */
int handle_exit(struct vm *vm);
/* --trace: the exit just handled, one line on stderr. */
void trace_exit(struct vm *vm);
/* --trace: "exits: io 21, hlt 1" on stderr. */
void trace_summary(const struct vm *vm);

#endif /* VMXLAB_RUN_H */
