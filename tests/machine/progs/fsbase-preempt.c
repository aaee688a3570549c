// SPDX-License-Identifier: GPL-2.0
/*
 * fsbase-preempt [SECONDS] [DEVICE]: the host thread state that vmxlab
 * switches around KVM_RUN survives KVM_RUN and the scheduler.  Two threads
 * share CPU 0: one runs a vCPU over and over, the other busy-loops, so the
 * scheduler switches between them while the vCPU is inside KVM_RUN.
 *  - The vCPU thread holds FS = 0x2b (__USER_DS) with a base it set with
 *    WRFSBASE (its own TLS base, which the kernel's context switch keeps
 *    with the selector), and a GS base of its own; after every KVM_RUN
 *    both bases and the selector must be as they were.  vmxlab reloaded a
 *    non-zero FS selector at the end of KVM_RUN, which resets the base
 *    from the descriptor (0): the thread's TLS was gone.
 *  - The guest writes IA32_KERNEL_GS_BASE (WRMSR, real mode) between
 *    in-kernel CPUID exits: if a reschedule lets the guest run with the
 *    host's value in the MSR, the guest's value ends as the host thread's
 *    GS base, seen here after KVM_RUN.
 *  - The busy thread checks its own FS and GS bases all along.
 * One `PASS name` / `FAIL name: why` line per assertion; exits 1 if any
 * failed.  Needs FSGSBASE (AT_HWCAP2); without it the check cannot be
 * made, which is a failure.
 *
 * What a user would see go wrong if this failed: a VMM thread crashes in
 * its TLS after KVM_RUN, or runs with a GS base the guest chose.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE	(1 << 1)
#endif
#define GUEST_MEM	0x10000
#define GUEST_ENTRY	0x1000
#define USER_DS		0x2b
#define VCPU_GS_BASE	0x7f0012345000ull	/* the vCPU thread's GS base */
#define BUSY_GS_BASE	0x7f00abcde000ull	/* the busy thread's */

/*
 * Real mode at GUEST_ENTRY:
 *   0: mov si,200
 *   3: mov ecx,0xc0000102 ; mov eax,0x5a5a5000 ; xor edx,edx ; wrmsr
 *  20: xor ax,ax ; cpuid ; dec si ; jnz 3
 *  27: out 0x10,al ; jmp 0
 */
static const uint8_t guest[] = {
	0xbe, 0xc8, 0x00,
	0x66, 0xb9, 0x02, 0x01, 0x00, 0xc0,
	0x66, 0xb8, 0x00, 0x50, 0x5a, 0x5a,
	0x66, 0x31, 0xd2,
	0x0f, 0x30,
	0x31, 0xc0, 0x0f, 0xa2, 0x4e, 0x75, 0xe8,
	0xe6, 0x10, 0xeb, 0xe1,
};

static volatile int stop;
static volatile long busy_bad, busy_loops;
static uint64_t busy_bad_fs, busy_bad_gs;

static inline uint64_t rdfsbase(void)
{
	uint64_t v;

	asm volatile("rdfsbase %0" : "=r" (v));
	return v;
}

static inline uint64_t rdgsbase(void)
{
	uint64_t v;

	asm volatile("rdgsbase %0" : "=r" (v));
	return v;
}

static void *busy_main(void *arg)
{
	uint64_t fs = rdfsbase(), gs, f;

	(void)arg;
	asm volatile("wrgsbase %0" : : "r" (BUSY_GS_BASE));
	while (!stop) {
		f = rdfsbase();
		gs = rdgsbase();
		if (f != fs || gs != BUSY_GS_BASE) {
			busy_bad++;
			busy_bad_fs = f;
			busy_bad_gs = gs;
			asm volatile("wrfsbase %0; wrgsbase %1" : : "r" (fs), "r" (BUSY_GS_BASE));
		}
		busy_loops++;
	}
	return NULL;
}

struct after_run {
	long ret;
	uint64_t fs_base, gs_base;
	uint16_t fs_sel;
};

/*
 * KVM_RUN and the thread's FS/GS state right after it, in one asm block:
 * no C code (which may use TLS through FS) runs while FS may be wrong,
 * and the TLS base and GS base are put back at once.
 */
static void run_once(int fd, uint64_t tls, struct after_run *a)
{
	long ret;
	uint64_t fs, gs, sel;

	asm volatile("syscall\n\t"
		     "rdfsbase %1\n\t"
		     "rdgsbase %2\n\t"
		     "mov %%fs, %3\n\t"
		     "wrfsbase %5\n\t"
		     "wrgsbase %6"
		     : "=a" (ret), "=&r" (fs), "=&r" (gs), "=&r" (sel)
		     : "a" ((long)__NR_ioctl), "r" (tls), "r" (VCPU_GS_BASE),
		       "D" ((long)fd), "S" ((long)KVM_RUN), "d" (0L)
		     : "rcx", "r11", "memory");
	a->ret = ret;
	a->fs_base = fs;
	a->gs_base = gs;
	a->fs_sel = sel;
}

static int setup_vcpu(const char *device, struct kvm_run **run)
{
	struct kvm_userspace_memory_region r = { .memory_size = GUEST_MEM };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = GUEST_ENTRY, .rflags = 2 };
	int sys, vm, vcpu;
	uint8_t *mem;

	sys = open(device, O_RDWR);
	vm = sys < 0 ? -1 : ioctl(sys, KVM_CREATE_VM, 0);
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED)
		return -1;
	memcpy(mem + GUEST_ENTRY, guest, sizeof(guest));
	r.userspace_addr = (uintptr_t)mem;
	vcpu = ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		return -1;
	*run = mmap(NULL, ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		    MAP_SHARED, vcpu, 0);
	return *run == MAP_FAILED ? -1 : vcpu;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;
	const char *device = argc > 2 ? argv[2] : "/dev/vmxlab";
	long runs = 0, bad_fs = 0, bad_sel = 0, bad_gs = 0, bad_exit = 0;
	struct after_run a, first_bad = { 0 };
	bool seen_bad = false;
	struct kvm_run *run;
	pthread_t busy;
	cpu_set_t cpu0;
	uint64_t tls;
	double end;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)) {
		report(0, "fsgsbase", "the kernel does not offer FSGSBASE (AT_HWCAP2): cannot check");
		return 1;
	}
	fd = setup_vcpu(device, &run);
	if (fd < 0) {
		report(0, "setup", "VM/vCPU on %s: %s", device, strerror(errno));
		return 1;
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0) ||
	    pthread_create(&busy, NULL, busy_main, NULL)) {
		report(0, "setup-threads", "%s", strerror(errno));
		return 1;
	}
	/* FS = __USER_DS with the TLS base put back by WRFSBASE; GS base ours. */
	tls = rdfsbase();
	asm volatile("mov %0, %%fs\n\twrfsbase %1\n\twrgsbase %2"
		     : : "r" ((uint32_t)USER_DS), "r" (tls), "r" (VCPU_GS_BASE));
	end = now() + seconds;
	while (now() < end) {
		run_once(fd, tls, &a);
		runs++;
		if (a.ret || run->exit_reason != KVM_EXIT_IO)
			bad_exit++;
		bad_fs += a.fs_base != tls;
		bad_sel += a.fs_sel != USER_DS;
		bad_gs += a.gs_base != VCPU_GS_BASE;
		if (!seen_bad && (a.fs_base != tls || a.gs_base != VCPU_GS_BASE ||
				  a.fs_sel != USER_DS)) {
			first_bad = a;
			seen_bad = true;
		}
	}
	stop = 1;
	pthread_join(busy, NULL);
	printf("NOTE: %ld KVM_RUNs, busy thread %ld loops on the same CPU\n", runs, busy_loops);
	report(runs > 10 && !bad_exit, "vcpu-runs", "%ld KVM_RUNs, %ld not an I/O exit (last %ld, "
	       "exit_reason %u)", runs, bad_exit, a.ret, run->exit_reason);
	report(!bad_fs, "vcpu-thread-fs-base-kept", "%ld of %ld KVM_RUNs changed the FS base: "
	       "%#llx, want %#llx", bad_fs, runs, (unsigned long long)first_bad.fs_base,
	       (unsigned long long)tls);
	report(!bad_sel, "vcpu-thread-fs-selector-kept", "%ld of %ld KVM_RUNs changed FS: %#x, "
	       "want %#x", bad_sel, runs, first_bad.fs_sel, USER_DS);
	report(!bad_gs, "vcpu-thread-gs-base-kept", "%ld of %ld KVM_RUNs changed the GS base: "
	       "%#llx, want %#llx", bad_gs, runs, (unsigned long long)first_bad.gs_base,
	       VCPU_GS_BASE);
	report(busy_loops > 0 && !busy_bad, "busy-thread-fs-gs-kept", "%ld of %ld loops saw FS "
	       "base %#llx / GS base %#llx", busy_bad, busy_loops,
	       (unsigned long long)busy_bad_fs, (unsigned long long)busy_bad_gs);
	return failures ? 1 : 0;
}
