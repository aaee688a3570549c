/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab run: guests on a KVM-API device.  Shared between
 *   run.c           options, the VM and its vCPUs, the end of the run
 *   run_load.c      the guest image: a flat binary or an ELF file
 *   run_setup.c     the vCPU's starting mode: descriptor and page tables
 *   run_cpuid.c     --cpuid-file: a CPUID table for KVM_SET_CPUID2
 *   run_vcpu.c      vCPU threads, signals, --timeout, --migrate
 *   run_exit.c      what each exit means: the devices, the ends of a run
 *   run_entry.c     a failed VM entry in words (VMXLAB_CHECK_ENTRY)
 *   run_trace.c     --trace: each exit decoded, the closing summary
 *   run_exittrace.c --exit-trace: every VM exit from the exit trace ring
 *   run_cycles.c    --cycles: exit timing histograms
 *   run_vmcs.c      --vmcs, --vmcs-diff: the VMCS (VMXLAB_GET_VMCS)
 *   run_watch.c     --watch: EPT watches
 *   run_irq.c       --irq, --hlt-irq: interrupts through KVM_INTERRUPT and KVM_NMI
 */
#ifndef VMXLAB_RUN_H
#define VMXLAB_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/kvm.h>
#include <vmxlab/uapi.h>

/* Where a flat image goes and starts; the stack grows down below it. */
#define GUEST_LOAD_ADDRESS	0x1000
#define GUEST_STACK_TOP		0x1000
/* Real mode reaches 64 KiB from CS = 0: code must end below. */
#define GUEST_CODE_LIMIT	0x10000

/*
 * Outside real mode the tool's GDT, TSS and page tables take the top
 * 64 KiB of guest memory (run_setup.c has the layout); the guest must
 * leave it alone, and its image may not overlap it.
 */
#define RESERVED_SIZE		0x10000UL

/* Run statuses beyond the tool's own (0..4, see vmxlab.h). */
#define RUN_EXIT_SHUTDOWN	5	/* the guest triple-faulted */
#define RUN_EXIT_INTERRUPTED	6	/* a signal or --timeout stopped it */
#define RUN_EXIT_WATCH_LIMIT	7	/* --watch-max EPT watch hits */
#define RUN_DEBUG_EXIT_MASK	0x7f	/* a debug exit's status: value & 0x7f */

/* The ports the tool answers. */
#define PORT_DEBUGCON		0xe9	/* write: a byte to stdout */
#define PORT_DEBUG_EXIT		0xf4	/* write: end the vCPU with a status */
#define PORT_COM1_THR		0x3f8	/* write: a byte to stdout */
#define PORT_COM1_LSR		0x3fd	/* read: 0x60, transmitter empty */
#define PORT_SCRATCH		0x510	/* read: the last value written */
#define PORT_IRQ_DOORBELL	0x511	/* --irq, write: raise interrupt VALUE & 0xff */
#define PORT_NMI_DOORBELL	0x512	/* --irq, write: raise an NMI */

#define COM1_LSR_IDLE		0x60	/* THR empty (bit 5), TX empty (bit 6) */

/* The MMIO scratch bank: reads return what was written, little-endian. */
#define MMIO_SCRATCH_BASE	0xd0000000ULL
#define MMIO_SCRATCH_SIZE	0x1000

/* KVM exit reasons counted by number; larger ones share the last slot. */
#define EXIT_REASONS		64

#define VCPUS_MAX		8

/* --watch (run_watch.c). */
#define WATCHES_MAX		VMXLAB_MAX_EPT_WATCHES
#define WATCH_MAX_DEFAULT	1000

enum watch_action {
	WATCH_ONCE,		/* allow each hit's access once */
	WATCH_BLOCK,		/* keep blocking: the instruction hits again */
};

struct watch_opt {
	uint64_t gpa;
	uint64_t len;
	uint32_t deny;		/* VMXLAB_WATCH_DENY_* */
	enum watch_action action;
};

enum run_mode {
	MODE_REAL,
	MODE_PROTECTED,
	MODE_PAGED,
	MODE_LONG,
};

/* The image as loaded: where it starts and what it covers. */
struct guest_image {
	uint64_t entry;
	uint64_t low;		/* lowest guest-physical byte loaded */
	uint64_t high;		/* one past the highest */
	bool elf;
	unsigned int segments;	/* PT_LOAD segments loaded (ELF) */
};

/* How a vCPU's run ended. */
enum vcpu_end {
	VCPU_RUNNING,
	VCPU_HLT,		/* status 0 */
	VCPU_DEBUG_EXIT,	/* status value & 0x7f */
	VCPU_FAILED,		/* it ended the whole run with status */
	VCPU_STOPPED,		/* another vCPU or a signal ended the run */
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	/* vmxlab's view of the VM exit, or NULL on another device. */
	const struct vmxlab_exit_info *info;
	pthread_t thread;
	volatile pid_t tid;	/* for --migrate; 0 until the thread runs */
	volatile bool done;
	enum vcpu_end end;
	int status;
	unsigned long exits[EXIT_REASONS];
	struct vmcs_snapshot *vmcs;	/* --vmcs-diff: at the last exit */
	unsigned long watch_hits;	/* VMXLAB_EXIT_EPT_WATCH exits */
	uint64_t trace_next;		/* --exit-trace: next record to print */
	int irq_raised;			/* --irq: a vector not injected yet, or -1 */
	bool nmi_raised;		/* --irq: an NMI not injected yet */
	unsigned long irqs_injected;
};

struct vm {
	const char *device;
	int sys_fd;
	int vm_fd;
	uint8_t *mem;
	size_t mem_size;
	size_t run_size;
	enum run_mode mode;
	bool trace;
	bool migrate;
	bool vmcs;		/* --vmcs: print vCPU 0's VMCS at the end */
	bool vmcs_diff;		/* --vmcs-diff: fields each exit changed */
	const struct vmcs_writes *vmcs_writes;	/* --vmcs-write, or NULL */
	FILE *exit_trace;	/* --exit-trace: where the records go, or NULL */
	bool cycles;		/* --cycles: time exits, print the histograms at the end */
	unsigned int timeout;	/* seconds; 0: none */
	unsigned int nr_vcpus;
	struct vcpu vcpus[VCPUS_MAX];
	struct guest_image image;
	/* One lock for the devices, stdout and the trace. */
	pthread_mutex_t lock;
	volatile bool stop;	/* a vCPU ended the whole run */
	unsigned long migrations;
	/* Devices and statistics. */
	uint32_t scratch;
	uint8_t mmio_scratch[MMIO_SCRATCH_SIZE];
	unsigned long ignored_writes;
	unsigned long unanswered_reads;
	unsigned long mmio_ignored_writes;
	unsigned long mmio_unanswered_reads;
	/* --watch */
	struct watch_opt watches[WATCHES_MAX];
	unsigned int nr_watches;
	unsigned long watch_hits;
	unsigned long watch_max;
	/* --irq, --hlt-irq (run_irq.c) */
	bool irq;
	int hlt_irq;		/* the vector an HLT with IF = 1 raises, or -1 */
};

/* The command (main.c's table). */
int cmd_run(int argc, char **argv);

/* run_load.c: read @path into guest memory; EXIT_OK or a status. */
int load_guest(struct vm *vm, const char *path);

/*
 * run_cpuid.c: the CPUID table of --cpuid-file @path (format there and in
 * `vmxlab run --help`); NULL after saying what is wrong, with the line.
 */
#define CPUID_FILE_MAX		256	/* KVM_SET_CPUID2's limit (KVM_MAX_CPUID_ENTRIES) */
struct kvm_cpuid2 *cpuid_file_load(const char *path);

/* run_setup.c */
const char *mode_name(enum run_mode mode);
/* First byte of the tool's reserved region (mem_size in real mode). */
uint64_t reserved_base(const struct vm *vm);
/* Write the tables into guest memory; sregs: from KVM_GET_SREGS. */
void setup_tables(struct vm *vm);
void setup_sregs(const struct vm *vm, struct kvm_sregs *sregs);
void setup_regs(const struct vm *vm, unsigned int id, struct kvm_regs *regs);
/* --dump-setup: what the vCPU would start with, on stdout. */
void dump_setup(const struct vm *vm);

/* run_vcpu.c: run every vCPU to its end; returns the run's status. */
int run_vcpus(struct vm *vm);
/* End the whole run: every other vCPU leaves KVM_RUN. */
void stop_all(struct vm *vm);

/*
 * run_exit.c: handle the exit in vcpu->run (vm->lock held); returns -1
 * to run on, else the vCPU has ended (vcpu->end says how).
 */
int handle_exit(struct vcpu *vcpu);
const char *kvm_exit_name(uint32_t reason);
uint64_t vcpu_rip(const struct vcpu *vcpu);
/* "VM entry failed, basic reason 33 (ENTRY_FAIL_GUEST_STATE)". */
void describe_entry_failure(uint64_t reason, char *buf, size_t size);

/* run_watch.c: --watch (vmxlab only). */
/* Add one --watch ARG to @watches; 0, or -1 after a message. */
int watch_parse(struct watch_opt *watches, unsigned int *count, const char *arg);
int watch_install(struct vm *vm);			/* EXIT_OK or a status */
int watch_hit(struct vcpu *vcpu);			/* handle_exit's answer */

/* run_vmcs.c: --vmcs and --vmcs-diff (vmxlab only). */
struct vmcs_snapshot {
	unsigned int count;
	struct vmxlab_vmcs_field fields[];
};

/* The vCPU's VMCS now; NULL (errno set) if the device cannot tell. */
struct vmcs_snapshot *vmcs_snapshot_take(const struct vcpu *vcpu);
void vmcs_snapshot_print(FILE *out, const struct vmcs_snapshot *snap);
void vmcs_snapshot_diff(FILE *out, const struct vmcs_snapshot *before,
			const struct vmcs_snapshot *after);

/* --vmcs-write FIELD=VALUE options, written into vCPU 0's VMCS before it runs. */
struct vmcs_writes {
	unsigned int count;
	struct vmxlab_vmcs_field fields[VMXLAB_MAX_VMCS_WRITES];
};

/* Add one FIELD=VALUE to @w; 0, or -1 after a message. */
int vmcs_write_parse(struct vmcs_writes *w, const char *arg);
/* VMXLAB_SET_VMCS on @vcpu with @w; EXIT_OK or EXIT_FAILED after a message. */
int vmcs_writes_apply(const struct vcpu *vcpu, const struct vmcs_writes *w);

/* run_entry.c: vmxlab's verdict on the VMCS of @vcpu, as paragraphs. */
int explain_entry(FILE *out, const struct vcpu *vcpu);
/* One line: the failing checks' identifiers, or that entry should succeed. */
void predict_entry(FILE *out, const struct vcpu *vcpu);

/* run_exittrace.c: --exit-trace (vmxlab only). */
int exit_trace_start(struct vm *vm);
void exit_trace_drain(struct vcpu *vcpu);

/* run_cycles.c: --cycles (vmxlab only). */
int cycles_start(struct vm *vm);
void cycles_report(const struct vm *vm);

/*
 * run_irq.c: before KVM_RUN, inject what is raised or ask for the window
 * (-1 to go on, else a status); a doorbell port write (true if it was
 * one); whether an HLT waits for a raised interrupt or NMI.
 */
int irq_before_run(struct vcpu *vcpu);
bool irq_port_out(struct vcpu *vcpu, uint16_t port, uint32_t value);
bool irq_hlt_waits(struct vcpu *vcpu);

/* run_trace.c (vm->lock held for trace_exit). */
void trace_exit(struct vcpu *vcpu);
void trace_summary(const struct vm *vm);

#endif /* VMXLAB_RUN_H */
