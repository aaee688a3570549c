// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-guest: random instruction bytes run as guests in real, protected
 * and long mode, one outcome line per guest, so that the same seed on
 * /dev/vmxlab and on /dev/kvm can be compared (tests/fuzz-guest.sh).
 *
 *   fuzz-guest --dev PATH [--seed S] [--guests N] [--first I] [--only I,J,...]
 *   fuzz-guest --seed S --print I     guest I's mode and bytes, nothing run
 *
 * Before each guest a line "VMXLAB-PROGRESS fuzz-guest DEV I" goes to the
 * kernel log (the serial console), so that a guest that hangs the machine
 * is named even though the test's own output never comes back.
 * Guest i (mode i % 3) is made from the seed and i alone: 48 random bytes
 * (no INT3, INT n, INT1, CLI, POPF or IRET: see guest_byte())
 * at guest-physical 0x10000 followed by HLTs, in 2 MiB of memory with
 * identity page tables (long mode), a flat GDT-less segment state, the
 * device's supported CPUID (KVM_SET_CPUID2, as a client sets it), and now
 * and then a random benign CR4 bit.  Each guest gets at most 8 KVM_RUNs of
 * at most 10 ms each; port I/O and MMIO exits are answered with zeros and
 * the guest resumes.  An outcome line:
 *
 *   guest I MODE: EXIT EXIT ... END rip=0x... bytes=HEX
 *
 * EXIT: io-in/io-out:PORT:SIZE, mmio-r/mmio-w:ADDR:LEN; END: hlt,
 * shutdown, fail-entry:REASON (on vmxlab followed by the ids of the entry
 * checks its model finds failing), internal, intr (the time ran out), runs (8 runs),
 * or other:N.  A KVM_RUN error other than EINTR, or an exit reason the
 * KVM API does not define for these guests, is a FAIL line with the
 * guest's bytes: every run must end in a defined exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#include "lib.h"

#define MEM_SIZE	0x200000UL
#define CODE_GPA	0x10000UL
#define CODE_BYTES	48
#define MAX_RUNS	8

enum mode { REAL, PROT, LONG };
static const char *const mode_names[] = { "real", "prot32", "long" };

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * A random instruction byte, but never INT3 (0xCC), INT n (0xCD) or INT1
 * (0xF1): Bochs' internal debugger stops at guest INT3s of kvm_intel's
 * guests, and the boot hung there (/work/shared/notes/emulated-machine.md).
 */
/*
 * A random byte, but never one that raises a software interrupt (INT3,
 * INT n, INT1: Bochs' debugger stops there with kvm_intel) or clears
 * RFLAGS.IF (CLI, POPF, IRET): NOP instead.  The guests start with IF = 1
 * and keep it.  Why: Bochs exits on a host interrupt only while the guest
 * has IF = 1 (the SDM's CPU always exits, "External-interrupt exiting"),
 * and kvm_intel, unlike vmxlab, has no VMX-preemption timer to fall back
 * on, so a guest of kvm_intel that spins with IF = 0 never gives the
 * emulated CPU back: the 10 ms alarm cannot end its KVM_RUN.
 */
static uint8_t guest_byte(void)
{
	static const uint8_t left_out[] = { 0xcc, 0xcd, 0xf1, 0xfa, 0x9d, 0xcf };
	uint8_t b = rnd();

	return memchr(left_out, b, sizeof(left_out)) ? 0x90 : b;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void flat(struct kvm_segment *s, uint8_t type, int code64)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->db = !code64;
	s->l = code64;
}

/* Identity page tables for the first 2 MiB: PML4 0x1000, PDPT 0x2000, PD 0x3000. */
static void page_tables(uint8_t *mem)
{
	uint64_t e;

	e = 0x2000 | 3;
	memcpy(mem + 0x1000, &e, 8);
	e = 0x3000 | 3;
	memcpy(mem + 0x2000, &e, 8);
	e = 0x83;	/* 2 MiB page at 0, present, writable */
	memcpy(mem + 0x3000, &e, 8);
}

/*
 * Real mode: every vector of the interrupt vector table at 0 leads to a
 * HLT at 0x1000:0x0F00 (inside the HLTs after the code).  An exception
 * the random bytes raise clears IF on its way in; its handler must not
 * be the zeros at 0000:0000, which would run on with IF = 0.
 */
static void halting_ivt(uint8_t *mem)
{
	const uint32_t entry = (uint32_t)(CODE_GPA >> 4) << 16 | 0x0f00;
	int v;

	for (v = 0; v < 256; v++)
		memcpy(mem + 4 * v, &entry, 4);
}

/* The device's supported CPUID (main()), set on every vCPU as a client would. */
static struct kvm_cpuid2 *supported_cpuid;

static int setup_state(int vcpu, enum mode mode)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	/* Without it KVM refuses CR4.PAE and the other CPUID-gated bits. */
	if (ioctl(vcpu, KVM_SET_CPUID2, supported_cpuid) || ioctl(vcpu, KVM_GET_SREGS, &s))
		return -1;
	s.tr.type = 11;
	s.tr.present = 1;
	s.tr.limit = 0x67;
	s.tr.s = 0;
	if (mode == REAL) {
		s.cs.base = CODE_GPA;
		s.cs.selector = CODE_GPA >> 4;
	} else {
		flat(&s.cs, 11, mode == LONG);
		s.cs.selector = 8;
		flat(&s.ds, 3, 0);
		s.ds.selector = 16;
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.cr0 = 0x11;	/* PE, ET */
		if (mode == LONG) {
			s.cr0 |= 0x80000020;	/* PG, NE */
			s.cr3 = 0x1000;
			s.cr4 = 0x20;	/* PAE */
			s.efer = 0x500;	/* LME, LMA */
		}
	}
	/* Now and then a benign CR4 bit: OSFXSR, OSXMMEXCPT, PGE or TSD. */
	if (!(rnd() % 8)) {
		static const uint64_t bits[] = { 1 << 9, 1 << 10, 1 << 7, 1 << 2 };

		s.cr4 |= bits[rnd() % 4];
	}
	if (ioctl(vcpu, KVM_SET_SREGS, &s))
		return -1;
	memset(&r, 0, sizeof(r));
	r.rip = mode == REAL ? 0 : CODE_GPA;
	r.rsp = 0x8000;
	r.rflags = 0x202;	/* IF: see guest_byte() */
	return ioctl(vcpu, KVM_SET_REGS, &r);
}

static void print_bytes(const uint8_t *code)
{
	int i;

	for (i = 0; i < CODE_BYTES; i++)
		printf("%02x", code[i]);
}

/* One exit into @out; 1 if the guest goes on, 0 if it ended, -1 undefined. */
static int describe(struct kvm_run *run, char *out, size_t len)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		snprintf(out, len, " io-%s:%#x:%u", run->io.direction == KVM_EXIT_IO_IN ? "in" : "out",
			 run->io.port, run->io.size);
		if (run->io.direction == KVM_EXIT_IO_IN && run->io.data_offset < 8192 - 64)
			memset((char *)run + run->io.data_offset, 0,
			       (size_t)run->io.size * (run->io.count < 8 ? run->io.count : 8));
		return 1;
	case KVM_EXIT_MMIO:
		snprintf(out, len, " mmio-%s:%#llx:%u", run->mmio.is_write ? "w" : "r",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		return 1;
	case KVM_EXIT_HLT:
		snprintf(out, len, " hlt");
		return 0;
	case KVM_EXIT_SHUTDOWN:
		snprintf(out, len, " shutdown");
		return 0;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(out, len, " fail-entry:%#llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return 0;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(out, len, " internal");
		return 0;
	case KVM_EXIT_INTR:
		snprintf(out, len, " intr");
		return 0;
	default:
		snprintf(out, len, " other:%u", run->exit_reason);
		return -1;
	}
}

/*
 * After a failed entry on vmxlab: the ids of the entry checks its model
 * finds failing (VMXLAB_CHECK_ENTRY), appended to @out as " [id]...".
 * /dev/kvm has no such ioctl and adds nothing.
 */
static void append_failing_checks(int vcpu, char *out, size_t len)
{
	struct vmxlab_entry_failure found[4];
	struct vmxlab_entry_check req = { .max = 4, .failures = (uintptr_t)found };
	size_t used = strlen(out);
	unsigned int i;

	if (ioctl(vcpu, VMXLAB_CHECK_ENTRY, &req))
		return;
	if (!req.count)
		snprintf(out + used, len - used, " [no-modelled-check-fails]");
	for (i = 0; i < req.count && i < 4 && used < len; i++)
		used += snprintf(out + used, len - used, " [%s]", found[i].id);
}

static int kmsg_fd = -1;

static void progress(const char *dev, int index)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "<3>VMXLAB-PROGRESS fuzz-guest %s %d\n", dev, index);

	if (kmsg_fd >= 0 && write(kmsg_fd, line, n) < 0)
		kmsg_fd = -1;
}

static void seed_guest(uint64_t seed, int index)
{
	rng = seed * 0x100000001b3ULL + (uint64_t)index * 0x9e3779b97f4a7c15ULL;
}

static int run_guest(int sys, long run_size, uint8_t *mem, int index)
{
	enum mode mode = index % 3;
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	uint8_t *code = mem + CODE_GPA;
	char line[2048], ex[256];
	struct kvm_run *run = NULL;
	struct kvm_regs regs;
	int vm, vcpu = -1, i, bad = 0, go = 1, e = 0;
	size_t used;

	memset(mem, 0, 0x20000);
	memset(code, 0xf4, 0x1000);
	for (i = 0; i < CODE_BYTES; i++)
		code[i] = guest_byte();
	if (mode == REAL)
		halting_ivt(mem);
	else
		page_tables(mem);
	used = snprintf(line, sizeof(line), "guest %d %s:", index, mode_names[mode]);
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
	    (run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0)) == MAP_FAILED ||
	    setup_state(vcpu, mode)) {
		printf("FAIL fuzz-guest: guest %d: setting up the VM: %s\n", index, strerror(errno));
		bad = 1;
		run = NULL;
		goto out;
	}
	for (i = 0; i < MAX_RUNS && go == 1; i++) {
		alarm_in(0.01);
		e = ioctl_errno(vcpu, KVM_RUN, NULL, NULL);
		alarm_in(0);
		if (e == EINTR) {
			snprintf(ex, sizeof(ex), " intr");
			go = 0;
		} else if (e) {
			snprintf(ex, sizeof(ex), " error:%s", strerrorname_np(e) ?: "?");
			go = -1;
		} else {
			go = describe(run, ex, sizeof(ex));
			if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
				append_failing_checks(vcpu, ex, sizeof(ex));
		}
		used += snprintf(line + used, sizeof(line) - used, "%s", ex);
	}
	if (go == 1)
		used += snprintf(line + used, sizeof(line) - used, " runs");
	if (!ioctl(vcpu, KVM_GET_REGS, &regs))
		snprintf(line + used, sizeof(line) - used, " rip=%#llx", (unsigned long long)regs.rip);
	printf("%s bytes=", line);
	print_bytes(code);
	printf("\n");
	if (go < 0) {
		printf("FAIL fuzz-guest: guest %d (%s) did not end in a defined exit:%s; bytes ",
		       index, mode_names[mode], ex);
		print_bytes(code);
		printf("\n");
		bad = 1;
	}
out:
	if (run)
		munmap(run, run_size);
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	return bad;
}

/* Is guest @index in @list ("I,J,...")? */
static bool listed(const char *list, int index)
{
	char *end;
	long v;

	while (*list) {
		v = strtol(list, &end, 10);
		if (end == list)
			return false;
		if (v == index)
			return true;
		list = *end == ',' ? end + 1 : end;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGALRM };
	const char *dev = VMXLAB_DEVICE_PATH;
	uint64_t seed = (uint64_t)getpid() * 2654435761ULL;
	int guests = 300, first = 0, print = -1, i, bad = 0, sys;
	const char *only = NULL;
	long run_size;
	uint8_t *mem;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--dev"))
			dev = argv[i + 1];
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--guests"))
			guests = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--first"))
			first = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--print"))
			print = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--only"))
			only = argv[i + 1];
	}
	if (print >= 0) {
		uint8_t code[CODE_BYTES];

		seed_guest(seed, print);
		for (i = 0; i < CODE_BYTES; i++)
			code[i] = guest_byte();
		printf("guest %d %s: bytes=", print, mode_names[print % 3]);
		print_bytes(code);
		printf("\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	catch_signals(on_alarm, sigs, 1);
	sys = open(dev, O_RDWR);
	if (sys < 0) {
		printf("FAIL fuzz-guest: cannot open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	supported_cpuid = calloc(1, sizeof(*supported_cpuid) +
				    256 * sizeof(supported_cpuid->entries[0]));
	if (supported_cpuid)
		supported_cpuid->nent = 256;
	if (!supported_cpuid || ioctl(sys, KVM_GET_SUPPORTED_CPUID, supported_cpuid)) {
		printf("FAIL fuzz-guest: %s: KVM_GET_SUPPORTED_CPUID: %s\n", dev, strerror(errno));
		return 1;
	}
	run_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (run_size <= 0 || mem == MAP_FAILED) {
		printf("FAIL fuzz-guest: %s: no run size or memory\n", dev);
		return 1;
	}
	printf("NOTE: fuzz-guest --dev %s --seed %" PRIu64 " --guests %d\n", dev, seed, guests);
	kmsg_fd = open("/dev/kmsg", O_WRONLY);
	if (kmsg_fd >= 0) {
		char line[128];
		int n = snprintf(line, sizeof(line),
				 "<3>VMXLAB-PROGRESS fuzz-guest %s --seed %" PRIu64 " --guests %d\n",
				 dev, seed, guests);

		if (write(kmsg_fd, line, n) < 0)
			kmsg_fd = -1;
	}
	for (i = first; i < first + guests; i++) {
		if (only && !listed(only, i))
			continue;
		seed_guest(seed, i);
		progress(dev, i);
		bad |= run_guest(sys, run_size, mem, i);
	}
	return bad;
}
