// SPDX-License-Identifier: GPL-2.0
/*
 * slot-race [ROUNDS] [DEVICE]: a memory slot deleted and added again
 * (KVM_SET_USER_MEMORY_REGION, size 0, then the slot again over another
 * buffer) from one thread, ROUNDS times, while a vCPU in another thread
 * runs REP INSB and REP OUTSB into and out of that slot in a loop: the
 * VMM copies string I/O data between the run area and guest memory
 * through the slot (exits/io.c, vmx/vm.c), so the slot it reads must be
 * whole, never one half-cleared by the deletion.
 *
 * The slot's guest-physical address is DATA_GPA; its user memory is
 * buffer A or buffer B, in turn.  A slot read while it is being cleared
 * (used still set, base or address already 0) sends the copy to the
 * wrong user address: the page at 0 (user address 0 plus the offset in
 * the slot), DATA_GPA itself, or A or B plus DATA_GPA.  Those pages are
 * mapped here as canaries, filled with 0xcc: a byte changed there is a
 * torn slot.  (Mapping page 0 needs CAP_SYS_RAWIO, which root in the
 * emulated machine has; without it that canary is left out, with a note.)  KVM_RUN may fail with EFAULT while the
 * slot is gone (the guest's string I/O has no memory behind it; the
 * instruction is tried again), with nothing else.
 *
 * One `PASS name` / `FAIL name: why` line per assertion; exits 1 if any
 * failed.  The in-machine runner also fails the test on a host WARNING,
 * BUG or Oops.  What a user would see go wrong if this failed: guest I/O
 * data written over unrelated memory of the VMM when it changes its
 * memory map while a vCPU runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

#define PAGE		4096
#define CODE_MEM	0x10000
#define CODE_ENTRY	0x1000
#define DATA_SLOT	1
#define DATA_GPA	0x100000ull
#define BUF_A		0x20000000ull
#define BUF_B		0x30000000ull
#define PORT		0x510

/*
 * Real mode at CODE_ENTRY; DS and ES have base DATA_GPA (set by SREGS):
 *   0: xor di,di ; mov cx,64 ; mov dx,0x510 ; rep insb
 *   a: xor si,si ; mov cx,64 ; rep outsb ; jmp 0
 */
static const uint8_t guest[] = {
	0x31, 0xff, 0xb9, 0x40, 0x00, 0xba, 0x10, 0x05, 0xf3, 0x6c,
	0x31, 0xf6, 0xb9, 0x40, 0x00, 0xf3, 0x6e, 0xeb, 0xed,
};

static int vm_fd;
static volatile int stop;
static long rounds_done, slot_errors;
static int slot_errno;

static void *map_at(uint64_t addr, uint8_t fill)
{
	void *p = mmap((void *)addr, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != (void *)addr)
		return NULL;
	memset(p, fill, PAGE);
	return p;
}

/*
 * The canary page at user address 0, filled with 0xcc.  It is read and
 * written through /proc/self/mem: C may not dereference a null pointer.
 */
static bool map_zero(void)
{
	uint8_t fill[PAGE];
	bool ok;
	int fd;

	if (mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != NULL)
		return false;
	memset(fill, 0xcc, PAGE);
	fd = open("/proc/self/mem", O_RDWR);
	ok = fd >= 0 && pwrite(fd, fill, PAGE, 0) == PAGE;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Bytes of the page at 0 that are not 0xcc (all of them if it cannot be read). */
static long zero_damage(void)
{
	uint8_t page[PAGE];
	long n = 0;
	int fd = open("/proc/self/mem", O_RDONLY), i;

	if (fd < 0 || pread(fd, page, PAGE, 0) != PAGE)
		n = PAGE;
	else
		for (i = 0; i < PAGE; i++)
			n += page[i] != 0xcc;
	if (fd >= 0)
		close(fd);
	return n;
}

static int set_slot(uint64_t uaddr, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = DATA_SLOT, .guest_phys_addr = DATA_GPA,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? errno : 0;
}

/* Delete the data slot and add it again over the other buffer, @rounds times. */
static void *slot_main(void *arg)
{
	long rounds = *(long *)arg, i;
	int err;

	for (i = 0; i < rounds && !stop; i++) {
		err = set_slot(0, 0);
		if (!err)
			err = set_slot(i & 1 ? BUF_A : BUF_B, PAGE);
		if (err) {
			slot_errors++;
			slot_errno = err;
		}
		rounds_done++;
	}
	stop = 1;
	return NULL;
}

static int setup_vcpu(const char *device, struct kvm_run **run)
{
	struct kvm_userspace_memory_region r = { .memory_size = CODE_MEM };
	struct kvm_regs regs = { .rip = CODE_ENTRY, .rflags = 2 };
	struct kvm_sregs sregs;
	int sys, vcpu;
	uint8_t *mem;

	sys = open(device, O_RDWR);
	vm_fd = sys < 0 ? -1 : ioctl(sys, KVM_CREATE_VM, 0);
	mem = mmap(NULL, CODE_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm_fd < 0 || mem == MAP_FAILED)
		return -1;
	memcpy(mem + CODE_ENTRY, guest, sizeof(guest));
	r.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) || set_slot(BUF_A, PAGE))
		return -1;
	vcpu = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = sregs.es.base = DATA_GPA;
	sregs.ds.selector = sregs.es.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		return -1;
	*run = mmap(NULL, ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		    MAP_SHARED, vcpu, 0);
	return *run == MAP_FAILED ? -1 : vcpu;
}

/* Bytes of the canary page at @p that are not 0xcc. */
static long canary_damage(const uint8_t *p)
{
	long n = 0;
	int i;

	for (i = 0; i < PAGE; i++)
		n += p[i] != 0xcc;
	return n;
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 2000;
	const char *device = argc > 2 ? argv[2] : "/dev/vmxlab";
	long runs = 0, io_exits = 0, efaults = 0, bad = 0, damage = 0;
	int bad_errno = 0, bad_reason = 0, i;
	uint8_t *canary[3];
	bool zero_canary;
	struct kvm_run *run;
	pthread_t slotter;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	canary[0] = map_at(DATA_GPA, 0xcc);
	canary[1] = map_at(BUF_A + DATA_GPA, 0xcc);
	canary[2] = map_at(BUF_B + DATA_GPA, 0xcc);
	if (!canary[0] || !canary[1] || !canary[2] || !map_at(BUF_A, 0) || !map_at(BUF_B, 0)) {
		report(0, "setup-maps", "fixed mappings: %s", strerror(errno));
		return 1;
	}
	zero_canary = map_zero();
	if (!zero_canary)
		printf("NOTE: no canary at address 0 (%s): a copy through a slot "
		       "cleared whole is not seen\n", strerror(errno));
	fd = setup_vcpu(device, &run);
	if (fd < 0) {
		report(0, "setup", "VM/vCPU on %s: %s", device, strerror(errno));
		return 1;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		pin_to(0);
	if (pthread_create(&slotter, NULL, slot_main, &rounds)) {
		report(0, "setup-thread", "%s", strerror(errno));
		return 1;
	}
	while (!stop) {
		runs++;
		if (ioctl(fd, KVM_RUN, 0)) {
			if (errno == EFAULT) {
				efaults++;
			} else if (errno != EINTR) {
				bad++;
				bad_errno = errno;
			}
			continue;
		}
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != PORT) {
			bad++;
			bad_reason = run->exit_reason;
			continue;
		}
		io_exits++;
		if (run->io.direction == KVM_EXIT_IO_IN)
			memset((uint8_t *)run + run->io.data_offset, 0x5a,
			       run->io.size * run->io.count);
	}
	pthread_join(slotter, NULL);
	for (i = 0; i < 3; i++)
		damage += canary_damage(canary[i]);
	if (zero_canary)
		damage += zero_damage();
	printf("NOTE: %ld slot rounds, %ld KVM_RUNs, %ld I/O exits, %ld EFAULT\n",
	       rounds_done, runs, io_exits, efaults);
	report(rounds_done == rounds && !slot_errors, "slot-rounds", "%ld of %ld rounds, %ld "
	       "failed (%s)", rounds_done, rounds, slot_errors, errname(slot_errno));
	report(io_exits > rounds / 4 && !bad, "vcpu-runs", "%ld I/O exits over %ld rounds; %ld "
	       "KVM_RUNs neither an I/O exit nor EFAULT (errno %s, exit_reason %d)", io_exits,
	       rounds, bad, errname(bad_errno), bad_reason);
	report(!damage, "no-torn-slot", "%ld canary bytes changed: string I/O data went "
	       "through a half-deleted slot", damage);
	return failures ? 1 : 0;
}
