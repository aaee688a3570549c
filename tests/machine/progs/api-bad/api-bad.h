/* SPDX-License-Identifier: GPL-2.0 */
/*
 * api-bad's parts (main.c says what the program checks): the constants,
 * VMs and vCPUs, and the functions one file calls in another.  The
 * report/errname/signal helpers are progs/lib.h's.
 */
#ifndef VMXLAB_API_BAD_H
#define VMXLAB_API_BAD_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vmxlab/uapi.h>

#include "../lib.h"

#define VMXLAB_ONLY	-1	/* the check is not made on KVM */
#define OK		0	/* the call must succeed */

#define MAX_VCPUS	8
#define MAX_SLOTS	32
#define RUN_SIZE	8192	/* two pages: kvm_run, the I/O data (uapi.h) */

#define GUEST_MEM	0x10000		/* slot 0: GPA 0, 64 KiB */
#define GUEST_ENTRY	0x1000

/* --kvm: the reference run on KVM; the device opened. */
extern int kvm_mode;
extern const char *device;

/* check.c: an ioctl's answer, on vmxlab (@want) and on KVM (@kwant). */
void check(const char *name, int fd, unsigned long req, void *arg, int want, int kwant);
void check_value(const char *name, int fd, unsigned long req, long arg,
		 long want, long kwant);
void check_positive(const char *name, int fd, unsigned long req, long arg);

/* vm.c: the guests (real mode, at GUEST_ENTRY), VMs and vCPUs. */
extern const uint8_t guest_spin[2];
extern const uint8_t guest_exits[8];
extern const uint8_t guest_touch[11];

struct vm {
	int fd;
	uint8_t *mem;		/* slot 0 */
};

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

long mmap_size(int sys);
int set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
	       uint64_t size, uint64_t uaddr);
void *map_anon(size_t size);
int vm_create(int sys, struct vm *vm, const uint8_t *code, size_t len);
void vm_destroy(struct vm *vm);
int vcpu_create(int sys, struct vm *vm, int id, struct vcpu *v);
void vcpu_destroy(struct vcpu *v);

/* runner.c: a thread that runs a vCPU until KVM_RUN fails or an exit other than I/O. */
struct runner {
	pthread_t thread;
	struct vcpu *v;
	volatile int started, done;
	long ret;
	int err;
	uint32_t exit_reason;
	long runs;
};

void install_handlers(void);
void runner_start(struct runner *r, struct vcpu *v);
void runner_stop(struct runner *r, const char *name);

/* events.c: interrupts, vCPU events, MP state, what KVM_RUN leaves in kvm_run. */
void test_vcpu_events(int sys, struct vcpu *v);

/* fds.c: the system, VM and vCPU file descriptors. */
void test_system(int sys);
struct kvm_cpuid2 *test_supported_cpuid(int sys);
void test_regions(struct vm *vm);
void test_vm_misc(int fd);
void test_vcpu_ids(int sys, struct vm *vm, struct vcpu v[MAX_VCPUS]);
void test_vcpu_mmap(struct vcpu *v, long size);
void test_vcpu_ioctls(int fd);

/* msrs.c: KVM_GET_MSR_INDEX_LIST, KVM_GET_MSRS, KVM_SET_MSRS. */
void test_msrs(int sys, int vcpu);

/* run.c: KVM_RUN. */
bool vm_with_vcpu(int sys, struct vm *vm, struct vcpu *v, const void *code,
		  size_t len, const char *setup);
void test_run_touch(int sys);
void test_fork(int sys);
void test_unmapped_run(int sys);
void test_endless_loop(int sys);
void test_close_while_running(int sys);

/* entry.c: failed entries and VMXLAB_SET_VMCS. */
void test_fail_entry(int sys);
void test_set_vmcs(int sys);

/* safety.c: host safety and limits (issue 13; safety.c lists the groups). */
void test_fpu_mxcsr(int sys);
void test_memlock(int sys, long limit_kib);
void test_huge_slot(int sys);
void test_vm_cap(int sys, int cap);
void test_vcpu_cap(int sys, int cap);
void test_sregs_atomic(int sys);
void test_exit_info_offset(int sys);
void test_run_with_ioctls(int sys);
void test_file_slots(int sys, const char *path);
/* copyout.c: what every ioctl copies out holds no kernel bytes (0xAA/0x55 fills). */
void test_copyout(int sys);
/* state.c: what QEMU 7.2 needs (capabilities, debug registers, signal mask, reset, slots). */
void test_caps_qemu(int sys);
void test_debugregs(int sys);
void test_signal_mask(int sys);
void test_reset_to_real_mode(int sys);
void test_regs_round_trip_in_io(int sys);
void test_set_tpr_exit(int sys);
void test_slots_qemu(int sys);
void test_slot_churn_while_running(int sys);

#endif /* VMXLAB_API_BAD_H */
