// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad [--kvm] [--loops=N] [DEVICE]: bad input to the KVM API of /dev/vmxlab
 * (issue 3), one `PASS name` / `FAIL name: what happened, what was expected`
 * line per assertion; exits 1 if any failed.  N: rounds of the leak loop (20).
 *
 * What a user would see go wrong if these failed: a buggy or hostile client
 * crashes or hangs the host, leaks memory or leaves VMX on for good
 * (rmmod refuses); a client cannot tell a bad call from a missing feature;
 * a guest in an endless loop cannot be stopped; a client written for KVM
 * misbehaves on /dev/vmxlab where both promise the same answer.
 *
 * DEVICE defaults to /dev/vmxlab.  --kvm runs the same sequence on KVM (the
 * reference, DEVICE defaults to /dev/kvm): every check where vmxlab's
 * contract and KVM agree is made there too, which proves the check itself
 * is right; a check whose KVM answer differs is made with KVM's answer
 * (written next to it), and a check that only vmxlab promises is not made
 * on KVM at all (VMXLAB_ONLY).  Differences, Linux 6.1's KVM:
 *   - unknown ioctls: KVM answers EINVAL on the system and vCPU fds;
 *   - KVM has 32764 slots, two address spaces (SMM), 4096 vCPU ids, a
 *     3-page run area that may be mapped in part, no check of RFLAGS, EFER,
 *     CR0, CR4.VMXE (nested), the interrupt bitmap or CPUID flags, and
 *     lets a slot move or turn on dirty logging;
 *   - a second KVM_RUN on a busy vCPU waits for the vCPU's mutex;
 *   - KVM_RUN ended by immediate_exit leaves exit_reason as it was;
 *   - in Bochs, a KVM guest that never exits was not stopped by a signal
 *     (see the notes on the emulated machine): the endless-loop checks
 *     run on vmxlab only, and the close-while-running one runs a guest
 *     that exits now and then on KVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#define VMXLAB_ONLY	-1	/* the check is not made on KVM */
#define OK		0	/* the call must succeed */

#define MAX_VCPUS	8
#define MAX_SLOTS	32
#define RUN_SIZE	8192	/* two pages: kvm_run, the I/O data (uapi.h) */

#define GUEST_MEM	0x10000		/* slot 0: GPA 0, 64 KiB */
#define GUEST_ENTRY	0x1000

static int kvm_mode;
static const char *device;
static int failures;

/* While `quiet`, results are only counted (the leak loop). */
static int quiet, quiet_failures;
static char quiet_first[512];

/*
 * The guests, real mode at GUEST_ENTRY.
 * spin: jmp $ (never exits).
 * exits: mov al,0; l: inc al; out 0x10,al; jmp l (an I/O exit per turn).
 * touch: mov bx,0x2000; l: mov [bx],bh; add bh,0x10; jnz l; hlt
 *        (writes 0x20 at 0x2000, 0x30 at 0x3000, ..., 0xf0 at 0xf000).
 */
static const uint8_t guest_spin[] = { 0xeb, 0xfe };
static const uint8_t guest_exits[] = { 0xb0, 0x00, 0xfe, 0xc0, 0xe6, 0x10, 0xeb, 0xfa };
static const uint8_t guest_touch[] = {
	0xbb, 0x00, 0x20, 0x88, 0x3f, 0x80, 0xc7, 0x10, 0x75, 0xf9, 0xf4,
};

static void report(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(int ok, const char *name, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	if (ok) {
		if (!quiet)
			printf("PASS %s\n", name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (quiet) {
		if (!quiet_failures++)
			snprintf(quiet_first, sizeof(quiet_first), "%s: %s", name, why);
		return;
	}
	failures++;
	printf("FAIL %s: %s\n", name, why);
}

/* "EINVAL (Invalid argument)"; four buffers in turn, for one printf. */
static const char *errname(int e)
{
	static char buf[4][64];
	static int turn;
	char *b = buf[turn++ % 4];

	if (!e)
		return "success";
	snprintf(b, sizeof(buf[0]), "%s (%s)", strerrorname_np(e) ?: "?", strerror(e));
	return b;
}

/* -1 errno E, or 0: which of the two the call gave, as errno-or-0. */
static int call(int fd, unsigned long req, void *arg, long *ret)
{
	long r;

	errno = 0;
	r = ioctl(fd, req, arg);
	if (ret)
		*ret = r;
	return r < 0 ? errno : 0;
}

/*
 * The ioctl must give `want` (an errno, or OK: success) on vmxlab and
 * `kwant` on KVM; kwant VMXLAB_ONLY: not made on KVM.
 */
static void check(const char *name, int fd, unsigned long req, void *arg, int want, int kwant)
{
	long ret;
	int got;

	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	got = call(fd, req, arg, &ret);
	report(got == want, name, "got %ld, %s; want %s", ret, errname(got),
	       want ? errname(want) : "success");
}

/* For ioctls that return a value: it must be `want` (vmxlab) or `kwant` (KVM). */
static void check_value(const char *name, int fd, unsigned long req, long arg,
			long want, long kwant)
{
	long ret;
	int got;

	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	got = call(fd, req, (void *)arg, &ret);
	report(!got && ret == want, name, "got %ld, %s; want %ld", ret, errname(got), want);
}

static void check_positive(const char *name, int fd, unsigned long req, long arg)
{
	long ret;
	int got = call(fd, req, (void *)arg, &ret);

	report(!got && ret > 0, name, "got %ld, %s; want > 0", ret, errname(got));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* vmx_users of /dev/vmxlab (-1: cannot tell). */
static long vmx_users(void)
{
	struct vmxlab_caps caps;
	int fd = open(VMXLAB_DEVICE_PATH, O_RDWR);
	long users = -1;

	if (fd < 0)
		return -1;
	memset(&caps, 0, sizeof(caps));
	if (!ioctl(fd, VMXLAB_GET_CAPS, &caps))
		users = caps.vmx_users;
	close(fd);
	return users;
}

static long meminfo_kib(const char *key)
{
	char line[128];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* --- VMs and vCPUs ------------------------------------------------------- */

struct vm {
	int fd;
	uint8_t *mem;		/* slot 0 */
};

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

static long mmap_size(int sys)
{
	return ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
}

static int set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		      uint64_t size, uint64_t uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return call(vm, KVM_SET_USER_MEMORY_REGION, &r, NULL);
}

static void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->mem)
		munmap(vm->mem, GUEST_MEM);
	vm->fd = -1;
	vm->mem = NULL;
}

/* A VM with slot 0 (GPA 0, GUEST_MEM) holding `code` at GUEST_ENTRY; 0 or an errno. */
static int vm_create(int sys, struct vm *vm, const uint8_t *code, size_t len)
{
	int e;

	vm->mem = NULL;
	vm->fd = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		vm->fd = -1;
		return errno;
	}
	vm->mem = map_anon(GUEST_MEM);
	memcpy(vm->mem + GUEST_ENTRY, code, len);
	e = set_region(vm->fd, 0, 0, 0, GUEST_MEM, (uintptr_t)vm->mem);
	if (e)
		vm_destroy(vm);
	return e;
}

/* Real mode, CS base 0, RIP GUEST_ENTRY: what every KVM client does. */
static int vcpu_realmode(int fd)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		return errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs))
		return errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_ENTRY;
	regs.rflags = 2;
	if (ioctl(fd, KVM_SET_REGS, &regs))
		return errno;
	return 0;
}

static void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

/* vCPU `id` of `vm`, its run area mapped, real mode; 0 or an errno. */
static int vcpu_create(int sys, struct vm *vm, int id, struct vcpu *v)
{
	int e;

	v->run = NULL;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		v->fd = -1;
		return errno;
	}
	v->run_size = mmap_size(sys);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		e = errno;
		v->run = NULL;
		vcpu_destroy(v);
		return e;
	}
	e = vcpu_realmode(v->fd);
	if (e)
		vcpu_destroy(v);
	return e;
}

/* --- signals --------------------------------------------------------------- */

/*
 * SIGALRM and SIGUSR1, without SA_RESTART: the signal makes KVM_RUN return
 * EINTR.  If it lands while the thread is outside KVM_RUN, immediate_exit
 * makes the next KVM_RUN return at once (KVM's documented way; no race).
 */
static __thread struct kvm_run *thread_run;
static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	(void)sig;
	signals++;
	if (thread_run)
		thread_run->immediate_exit = 1;
}

static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

static void alarm_in(double seconds)
{
	struct itimerval it = { 0 };

	it.it_value.tv_sec = (long)seconds;
	it.it_value.tv_usec = (long)((seconds - (long)seconds) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A thread that runs a vCPU until KVM_RUN fails or an exit other than I/O. */
struct runner {
	pthread_t thread;
	struct vcpu *v;
	volatile int started, done;
	long ret;
	int err;
	uint32_t exit_reason;
	long runs;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	sigset_t alrm;

	/* SIGALRM is for the main thread's own KVM_RUN. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	thread_run = r->v->run;
	r->started = 1;
	for (;;) {
		r->runs++;
		r->ret = ioctl(r->v->fd, KVM_RUN, 0);
		r->err = r->ret < 0 ? errno : 0;
		r->exit_reason = r->v->run->exit_reason;
		if (r->ret < 0 || r->exit_reason != KVM_EXIT_IO)
			break;
	}
	r->v->run->immediate_exit = 0;
	thread_run = NULL;
	r->done = 1;
	return NULL;
}

static void runner_start(struct runner *r, struct vcpu *v)
{
	memset(r, 0, sizeof(*r));
	r->v = v;
	if (pthread_create(&r->thread, NULL, runner_main, r)) {
		perror("pthread_create");
		exit(2);
	}
	while (!r->started)
		usleep(1000);
	usleep(200000);		/* long enough to be inside KVM_RUN */
}

/* Signal the runner and wait for it (5 s); a runner that does not end is fatal. */
static void runner_stop(struct runner *r, const char *name)
{
	double t0 = now();

	pthread_kill(r->thread, SIGUSR1);
	while (!r->done && now() - t0 < 5)
		usleep(1000);
	if (!r->done) {
		report(0, name, "the vCPU thread did not return from KVM_RUN within 5 s of SIGUSR1; stopping here");
		printf("FAIL remaining-checks: not run, a vCPU thread is stuck in KVM_RUN\n");
		fflush(stdout);
		_exit(1);
	}
	pthread_join(r->thread, NULL);
	/*
	 * On KVM 6.1, a signal that lands between two runs ends the next one
	 * through immediate_exit, which leaves exit_reason as it was.
	 */
	report(r->ret == -1 && r->err == EINTR &&
	       (r->exit_reason == KVM_EXIT_INTR || kvm_mode), name,
	       "KVM_RUN returned %ld, %s, exit_reason %u; want -1 EINTR, KVM_EXIT_INTR (%d)",
	       r->ret, errname(r->err), r->exit_reason, KVM_EXIT_INTR);
}

/* --- the checks -------------------------------------------------------------- */

static void test_system(int sys)
{
	int e = kvm_mode ? EINVAL : ENOTTY;

	check("sys-unknown-ioctl-enotty", sys, _IO(KVMIO, 0xff), NULL, ENOTTY, e);
	check("sys-unknown-magic-enotty", sys, _IO('x', 0x01), NULL, ENOTTY, e);
	check("create-vm-type-1-einval", sys, KVM_CREATE_VM, (void *)1, EINVAL, EINVAL);
	check("create-vm-type-huge-einval", sys, KVM_CREATE_VM, (void *)0x80000000UL, EINVAL, EINVAL);

	check_positive("cap-user-memory", sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	check_positive("cap-set-tss-addr", sys, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR);
	check_positive("cap-ext-cpuid", sys, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID);
	check_positive("cap-set-identity-map-addr", sys, KVM_CHECK_EXTENSION,
		       KVM_CAP_SET_IDENTITY_MAP_ADDR);
	check_positive("cap-readonly-mem", sys, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM);
	check_positive("cap-immediate-exit", sys, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT);
	check_value("cap-nr-vcpus-8", sys, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS, 8, VMXLAB_ONLY);
	check_value("cap-max-vcpus-8", sys, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS, 8, VMXLAB_ONLY);
	check_value("cap-max-vcpu-id-8", sys, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID, 8,
		    VMXLAB_ONLY);
	check_value("cap-nr-memslots-32", sys, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS, 32,
		    VMXLAB_ONLY);
	check_value("cap-irqchip-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP, 0, VMXLAB_ONLY);
	check_value("cap-xsave-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE, 0, VMXLAB_ONLY);
	check_value("cap-dirty-log-ring-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING, 0,
		    VMXLAB_ONLY);
	check_value("cap-unknown-100000-0", sys, KVM_CHECK_EXTENSION, 100000, 0, 0);
	check_value("vcpu-mmap-size-8192", sys, KVM_GET_VCPU_MMAP_SIZE, 0, RUN_SIZE, VMXLAB_ONLY);
	if (kvm_mode) {
		long s = mmap_size(sys);

		report(s >= 4096 && !(s & 4095), "vcpu-mmap-size-pages",
		       "KVM_GET_VCPU_MMAP_SIZE %ld: want a multiple of 4096", s);
	}
}

static struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	if (!c)
		exit(2);
	c->nent = nent;
	return c;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

/* The supported table (caller frees), or NULL. */
static struct kvm_cpuid2 *test_supported_cpuid(int sys)
{
	struct kvm_cpuid2 *c = cpuid_alloc(1);
	struct kvm_cpuid_entry2 *e;
	char sig[13] = "";
	int got;

	check("supported-cpuid-nent-1-e2big", sys, KVM_GET_SUPPORTED_CPUID, c, E2BIG, E2BIG);
	check("supported-cpuid-bad-pointer-efault", sys, KVM_GET_SUPPORTED_CPUID, (void *)8,
	      EFAULT, EFAULT);
	free(c);
	c = cpuid_alloc(256);
	got = call(sys, KVM_GET_SUPPORTED_CPUID, c, NULL);
	report(!got && c->nent > 0 && c->nent <= 256, "supported-cpuid-ok",
	       "%s, nent %u; want success, 1..256 entries", errname(got), got ? 0 : c->nent);
	if (got) {
		free(c);
		return NULL;
	}
	if (kvm_mode)
		return c;
	e = cpuid_find(c, 1, 0);
	report(e && (e->ecx & (1u << 31)), "supported-cpuid-hypervisor-bit",
	       "leaf 1 ECX %#x: want bit 31 (hypervisor) set", e ? e->ecx : 0);
	report(e && !(e->ecx & (1u << 5)), "supported-cpuid-no-vmx",
	       "leaf 1 ECX %#x: want bit 5 (VMX) clear", e ? e->ecx : 0);
	e = cpuid_find(c, 0x40000000, 0);
	if (e) {
		memcpy(sig, &e->ebx, 4);
		memcpy(sig + 4, &e->ecx, 4);
		memcpy(sig + 8, &e->edx, 4);
	}
	report(e && !strcmp(sig, "vmxlabvmxlab"), "supported-cpuid-signature",
	       "leaf 0x40000000 %s '%s': want 'vmxlabvmxlab'", e ? "signature" : "missing", sig);
	return c;
}

static void region_check(const char *name, int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
			 uint64_t size, uint64_t uaddr, int want, int kwant)
{
	int got;

	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	got = set_region(vm, slot, flags, gpa, size, uaddr);
	report(got == want, name, "slot %#x flags %#x gpa %#llx size %#llx uaddr %#llx: %s; want %s",
	       slot, flags, (unsigned long long)gpa, (unsigned long long)size,
	       (unsigned long long)uaddr, errname(got), want ? errname(want) : "success");
}

/* vm has slot 0 = [0, GUEST_MEM) at vm->mem. */
static void test_regions(struct vm *vm)
{
	uint64_t u = (uintptr_t)vm->mem, gone;
	uint8_t *extra = map_anon(GUEST_MEM);
	uint64_t x = (uintptr_t)extra;
	int fd = vm->fd;

	region_check("region-slot-32-einval", fd, 32, 0, 0x100000, 0x4000, x, EINVAL, VMXLAB_ONLY);
	region_check("region-slot-0xffff-einval", fd, 0xffff, 0, 0x100000, 0x4000, x, EINVAL, EINVAL);
	region_check("region-as-id-1-einval", fd, 1u << 16 | 1, 0, 0x100000, 0x4000, x, EINVAL,
		     VMXLAB_ONLY);
	region_check("region-as-id-2-einval", fd, 2u << 16 | 1, 0, 0x100000, 0x4000, x, EINVAL,
		     EINVAL);
	region_check("region-flag-dirty-log-einval", fd, 1, KVM_MEM_LOG_DIRTY_PAGES, 0x100000,
		     0x4000, x, EINVAL, VMXLAB_ONLY);
	region_check("region-flag-unknown-einval", fd, 1, 0x80, 0x100000, 0x4000, x, EINVAL, EINVAL);
	region_check("region-gpa-unaligned-einval", fd, 1, 0, 0x100800, 0x4000, x, EINVAL, EINVAL);
	region_check("region-size-unaligned-einval", fd, 1, 0, 0x100000, 0x3800, x, EINVAL, EINVAL);
	region_check("region-uaddr-unaligned-einval", fd, 1, 0, 0x100000, 0x3000, x + 0x10, EINVAL,
		     EINVAL);
	region_check("region-gpa-overflow-einval", fd, 1, 0, 0xfffffffffffff000ULL, 0x2000, x,
		     EINVAL, EINVAL);
	region_check("region-gpa-beyond-2^48-einval", fd, 1, 0, 1ULL << 48, 0x1000, x, EINVAL,
		     VMXLAB_ONLY);
	region_check("region-gpa-across-2^48-einval", fd, 1, 0, (1ULL << 48) - 0x1000, 0x2000, x,
		     EINVAL, VMXLAB_ONLY);
	region_check("region-kernel-uaddr-einval", fd, 1, 0, 0x100000, 0x4000,
		     0xffff800000000000ULL, EINVAL, EINVAL);
	gone = (uintptr_t)map_anon(0x4000);
	munmap((void *)(uintptr_t)gone, 0x4000);
	region_check("region-unmapped-uaddr-efault", fd, 1, 0, 0x100000, 0x4000, gone, EFAULT,
		     VMXLAB_ONLY);
	region_check("region-overlap-eexist", fd, 1, 0, GUEST_MEM - 0x1000, 0x4000, x, EEXIST,
		     EEXIST);
	region_check("region-overlap-inside-eexist", fd, 1, 0, 0x2000, 0x1000, x, EEXIST, EEXIST);
	region_check("region-change-size-einval", fd, 0, 0, 0, GUEST_MEM - 0x1000, u, EINVAL,
		     EINVAL);
	region_check("region-change-gpa-einval", fd, 0, 0, 0x200000, GUEST_MEM, u, EINVAL,
		     VMXLAB_ONLY);
	region_check("region-change-uaddr-einval", fd, 0, 0, 0, GUEST_MEM, x, EINVAL, EINVAL);
	region_check("region-identical-reset-ok", fd, 0, 0, 0, GUEST_MEM, u, OK, OK);
	region_check("region-delete-missing-einval", fd, 5, 0, 0, 0, 0, EINVAL, EINVAL);
	region_check("region-second-slot-ok", fd, 1, 0, 0x100000, 0x4000, x, OK, OK);
	region_check("region-readonly-slot-ok", fd, 2, KVM_MEM_READONLY, 0x200000, 0x4000, x, OK,
		     OK);
	region_check("region-delete-readonly-ok", fd, 2, 0, 0, 0, 0, OK, OK);
	region_check("region-delete-ok", fd, 1, 0, 0, 0, 0, OK, OK);
	region_check("region-delete-again-einval", fd, 1, 0, 0, 0, 0, EINVAL, EINVAL);
	check("region-bad-pointer-efault", fd, KVM_SET_USER_MEMORY_REGION, (void *)8, EFAULT, EFAULT);
	munmap(extra, GUEST_MEM);
}

static void test_vm_misc(int fd)
{
	uint64_t ident = 0xfffbc000;

	/* Before any vCPU: KVM refuses the identity map once vCPUs exist. */
	check("set-identity-map-addr-ok", fd, KVM_SET_IDENTITY_MAP_ADDR, &ident, OK, OK);
	check("set-tss-addr-ok", fd, KVM_SET_TSS_ADDR, (void *)0xfffbd000UL, OK, OK);
	check("vm-unknown-ioctl-enotty", fd, _IO(KVMIO, 0xff), NULL, ENOTTY, ENOTTY);
	check("vm-vcpu-ioctl-get-regs-enotty", fd, KVM_GET_REGS, &ident, ENOTTY, ENOTTY);
	check("vm-vcpu-ioctl-run-enotty", fd, KVM_RUN, NULL, ENOTTY, ENOTTY);
}

/* Creates vCPUs 0..7 into v[]; the caller destroys them. */
static void test_vcpu_ids(int sys, struct vm *vm, struct vcpu v[MAX_VCPUS])
{
	char name[64];
	int i, e, made = 0;

	check("create-vcpu-id-100000-einval", vm->fd, KVM_CREATE_VCPU, (void *)100000UL, EINVAL,
	      EINVAL);
	for (i = 0; i < MAX_VCPUS; i++) {
		e = vcpu_create(sys, vm, i, &v[i]);
		if (e) {
			snprintf(name, sizeof(name), "create-vcpu-%d-ok", i);
			report(0, name, "%s; want success (8 vCPUs)", errname(e));
			v[i].fd = -1;
			v[i].run = NULL;
		} else {
			made++;
		}
	}
	report(made == MAX_VCPUS, "create-8-vcpus-ok", "%d of 8 vCPUs made", made);
	check("create-vcpu-id-8-einval", vm->fd, KVM_CREATE_VCPU, (void *)8UL, EINVAL, VMXLAB_ONLY);
	check("create-vcpu-duplicate-eexist", vm->fd, KVM_CREATE_VCPU, (void *)3UL, EEXIST, EEXIST);
}

static void test_vcpu_mmap(struct vcpu *v, long size)
{
	void *p;
	int e;

	if (!kvm_mode) {
		errno = 0;
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		e = p == MAP_FAILED ? errno : 0;
		if (p != MAP_FAILED)
			munmap(p, 4096);
		report(e == EINVAL, "vcpu-mmap-short-einval", "mmap of 4096 bytes: %s; want EINVAL",
		       errname(e));
		errno = 0;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 4096);
		e = p == MAP_FAILED ? errno : 0;
		if (p != MAP_FAILED)
			munmap(p, size);
		report(e == EINVAL, "vcpu-mmap-offset-einval", "mmap at offset 4096: %s; want EINVAL",
		       errname(e));
	}
	report(v->run && v->run->exit_reason == 0, "vcpu-mmap-exit-reason-0",
	       "kvm_run.exit_reason %u before the first run: want 0",
	       v->run ? v->run->exit_reason : 0);
}

static void test_vcpu_ioctls(int fd)
{
	int kbad = kvm_mode ? EINVAL : ENOTTY;
	struct kvm_sregs orig, s;
	struct kvm_regs regs;
	struct kvm_cpuid2 *c;
	static const int rflags_bits[] = { 3, 5, 15, 22, 31, 63 };
	char name[64];
	unsigned int i;
	int e;

	check("vcpu-unknown-ioctl-enotty", fd, _IO(KVMIO, 0xff), NULL, ENOTTY, kbad);
	check("vcpu-vm-ioctl-create-vcpu-enotty", fd, KVM_CREATE_VCPU, (void *)7UL, ENOTTY, kbad);
	check("vcpu-vm-ioctl-set-region-enotty", fd, KVM_SET_USER_MEMORY_REGION, &regs, ENOTTY,
	      kbad);
	check("get-regs-bad-pointer-efault", fd, KVM_GET_REGS, (void *)8, EFAULT, EFAULT);
	check("set-regs-bad-pointer-efault", fd, KVM_SET_REGS, (void *)8, EFAULT, EFAULT);
	check("get-sregs-bad-pointer-efault", fd, KVM_GET_SREGS, (void *)8, EFAULT, EFAULT);
	check("set-sregs-bad-pointer-efault", fd, KVM_SET_SREGS, (void *)8, EFAULT, EFAULT);
	check("get-fpu-bad-pointer-efault", fd, KVM_GET_FPU, (void *)8, EFAULT, EFAULT);
	check("set-fpu-bad-pointer-efault", fd, KVM_SET_FPU, (void *)8, EFAULT, EFAULT);
	check("set-cpuid2-bad-pointer-efault", fd, KVM_SET_CPUID2, (void *)8, EFAULT, EFAULT);

	check("get-regs-ok", fd, KVM_GET_REGS, &regs, OK, OK);
	for (i = 0; i < sizeof(rflags_bits) / sizeof(rflags_bits[0]); i++) {
		struct kvm_regs r = regs;

		r.rflags |= 1ULL << rflags_bits[i];
		snprintf(name, sizeof(name), "set-regs-rflags-bit-%d-einval", rflags_bits[i]);
		check(name, fd, KVM_SET_REGS, &r, EINVAL, VMXLAB_ONLY);
	}
	check("set-regs-same-ok", fd, KVM_SET_REGS, &regs, OK, OK);

	e = call(fd, KVM_GET_SREGS, &orig, NULL);
	report(!e, "get-sregs-ok", "%s", errname(e));
	if (e)
		return;
	check("sregs-round-trip-ok", fd, KVM_SET_SREGS, &orig, OK, OK);
#define BAD_SREGS(n, change, kwant) do {			\
		s = orig;					\
		change;						\
		check(n, fd, KVM_SET_SREGS, &s, EINVAL, kwant);	\
	} while (0)
	BAD_SREGS("sregs-cr0-pg-without-pe-einval", s.cr0 = (s.cr0 & ~1ULL) | 1ULL << 31,
		  VMXLAB_ONLY);
	BAD_SREGS("sregs-cr0-nw-without-cd-einval", s.cr0 = (s.cr0 & ~(1ULL << 30)) | 1ULL << 29,
		  VMXLAB_ONLY);
	BAD_SREGS("sregs-cr0-bit-32-einval", s.cr0 |= 1ULL << 32, VMXLAB_ONLY);
	BAD_SREGS("sregs-cr0-bit-63-einval", s.cr0 |= 1ULL << 63, VMXLAB_ONLY);
	BAD_SREGS("sregs-cr4-bit-31-einval", s.cr4 |= 1ULL << 31, EINVAL);
	BAD_SREGS("sregs-cr4-bit-63-einval", s.cr4 |= 1ULL << 63, EINVAL);
	BAD_SREGS("sregs-cr4-vmxe-einval", s.cr4 |= 1ULL << 13, VMXLAB_ONLY);
	BAD_SREGS("sregs-efer-bit-1-einval", s.efer |= 1ULL << 1, VMXLAB_ONLY);
	BAD_SREGS("sregs-efer-bit-63-einval", s.efer |= 1ULL << 63, VMXLAB_ONLY);
	/* Long mode paging without PAE; LMA set too, so that only PAE is wrong. */
	BAD_SREGS("sregs-long-mode-without-pae-einval",
		  (s.cr0 |= 1ULL << 31 | 1, s.cr4 &= ~(1ULL << 5), s.efer |= 1 << 8 | 1 << 10,
		   s.cr3 = 0x3000), EINVAL);
	/* SDM 26.3.1.1: CR3 bits beyond the physical-address width, in any mode. */
	BAD_SREGS("sregs-cr3-bit-62-einval", s.cr3 = 1ULL << 62 | 0x3000, VMXLAB_ONLY);
	BAD_SREGS("sregs-long-mode-cr3-bit-62-einval",
		  (s.cr0 |= 1ULL << 31 | 1, s.cr4 |= 1ULL << 5, s.efer |= 1 << 8 | 1 << 10,
		   s.cr3 = 1ULL << 62 | 0x3000), EINVAL);
	BAD_SREGS("sregs-interrupt-bitmap-einval", s.interrupt_bitmap[0] = 1ULL << 32, VMXLAB_ONLY);
#undef BAD_SREGS
	e = call(fd, KVM_GET_SREGS, &s, NULL);
	report(!e && s.cr0 == orig.cr0 && s.cr3 == orig.cr3 && s.cr4 == orig.cr4 &&
	       s.efer == orig.efer, "sregs-unchanged-after-einval",
	       "%s, cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx; want cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx",
	       errname(e), s.cr0, s.cr3, s.cr4, s.efer, orig.cr0, orig.cr3, orig.cr4, orig.efer);

	c = cpuid_alloc(257);
	check("set-cpuid2-nent-257-e2big", fd, KVM_SET_CPUID2, c, E2BIG, E2BIG);
	free(c);
	c = cpuid_alloc(2);
	c->entries[0].function = 0;
	c->entries[0].eax = 1;
	c->entries[1].function = 1;
	c->entries[1].flags = 0x80;
	check("set-cpuid2-unknown-flags-einval", fd, KVM_SET_CPUID2, c, EINVAL, VMXLAB_ONLY);
	c->entries[1].flags = 0;
	c->entries[1].function = 0;
	check("set-cpuid2-duplicate-einval", fd, KVM_SET_CPUID2, c, EINVAL, VMXLAB_ONLY);
	free(c);
}

/* A run of the `touch` guest: HLT, and its writes land in slot 0's pages. */
static void test_run_touch(int sys)
{
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	e = vm_create(sys, &vm, guest_touch, sizeof(guest_touch));
	if (!e)
		e = vcpu_create(sys, &vm, 0, &v);
	report(!e, "run-setup", "VM/vCPU setup failed: %s", errname(e));
	if (e) {
		vm_destroy(&vm);
		return;
	}
	v.run->immediate_exit = 1;
	e = call(v.fd, KVM_RUN, NULL, &ret);
	/* KVM 6.1 leaves exit_reason as it was (newer KVM sets KVM_EXIT_INTR). */
	report(e == EINTR && (v.run->exit_reason == KVM_EXIT_INTR || kvm_mode),
	       "run-immediate-exit-eintr",
	       "KVM_RUN with immediate_exit=1: %ld, %s, exit_reason %u; want -1 EINTR, KVM_EXIT_INTR",
	       ret, errname(e), v.run->exit_reason);
	v.run->immediate_exit = 0;
	alarm_in(5);	/* never hang here */
	e = call(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT, "run-touch-guest-hlt",
	       "KVM_RUN: %ld, %s, exit_reason %u; want 0, KVM_EXIT_HLT (%d)",
	       ret, errname(e), v.run->exit_reason, KVM_EXIT_HLT);
	report(vm.mem[0x2000] == 0x20 && vm.mem[0xf000] == 0xf0, "run-touch-guest-writes",
	       "slot memory at 0x2000 %#x, 0xf000 %#x; want 0x20, 0xf0",
	       vm.mem[0x2000], vm.mem[0xf000]);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * The whole bad-input sequence on one VM: what the leak loop repeats.
 * Leaves nothing open.
 */
static void bad_sequence(int sys)
{
	struct vcpu v[MAX_VCPUS];
	struct kvm_cpuid2 *c;
	struct vm vm;
	long size = mmap_size(sys);
	int e, i;

	test_system(sys);
	c = test_supported_cpuid(sys);
	e = vm_create(sys, &vm, guest_spin, sizeof(guest_spin));
	report(!e, "create-vm-ok", "KVM_CREATE_VM + slot 0: %s; want success", errname(e));
	if (e) {
		free(c);
		return;
	}
	if (!kvm_mode) {
		long users = vmx_users();

		report(users > 0, "vmx-users-while-vm-exists", "vmx_users %ld: want > 0", users);
	}
	test_vm_misc(vm.fd);
	test_regions(&vm);
	test_vcpu_ids(sys, &vm, v);
	if (v[0].fd >= 0) {
		test_vcpu_mmap(&v[0], size);
		test_vcpu_ioctls(v[0].fd);
		if (c)
			check("set-cpuid2-supported-ok", v[1].fd, KVM_SET_CPUID2, c, OK, OK);
	}
	for (i = 0; i < MAX_VCPUS; i++)
		vcpu_destroy(&v[i]);
	vm_destroy(&vm);
	free(c);
	test_run_touch(sys);
}

/*
 * A VM whose slot 0 holds @code, and its vCPU 0; false (after reporting
 * the check @setup as failed) when either cannot be made.
 */
static bool vm_with_vcpu(int sys, struct vm *vm, struct vcpu *v, const void *code,
			 size_t len, const char *setup)
{
	int e = vm_create(sys, vm, code, len);

	if (!e)
		e = vcpu_create(sys, vm, 0, v);
	if (!e)
		return true;
	report(0, setup, "%s", errname(e));
	vm_destroy(vm);
	return false;
}

/* Every ioctl on a VM or vCPU fd from a forked child: EIO. */
static void test_fork(int sys)
{
	struct vm vm;
	struct vcpu v;
	struct kvm_regs regs;
	int status;
	pid_t pid;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "fork-setup"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		failures = 0;
		check("fork-vm-create-vcpu-eio", vm.fd, KVM_CREATE_VCPU, (void *)1UL, EIO, EIO);
		check("fork-vm-set-region-eio", vm.fd, KVM_SET_USER_MEMORY_REGION, &regs, EIO, EIO);
		check("fork-vm-set-tss-addr-eio", vm.fd, KVM_SET_TSS_ADDR, (void *)0xfffbd000UL,
		      EIO, EIO);
		check("fork-vcpu-get-regs-eio", v.fd, KVM_GET_REGS, &regs, EIO, EIO);
		check("fork-vcpu-set-regs-eio", v.fd, KVM_SET_REGS, &regs, EIO, EIO);
		check("fork-vcpu-get-sregs-eio", v.fd, KVM_GET_SREGS, &regs, EIO, EIO);
		check("fork-vcpu-run-eio", v.fd, KVM_RUN, NULL, EIO, EIO);
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		failures++;
	/* And the parent still owns them. */
	check("fork-parent-still-works", v.fd, KVM_GET_REGS, &regs, OK, OK);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* A run whose slot memory was unmapped after SET_USER_MEMORY_REGION: EFAULT. */
static void test_unmapped_run(int sys)
{
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "run-unmapped-setup"))
		return;
	munmap(vm.mem, GUEST_MEM);
	vm.mem = NULL;
	alarm_in(5);
	e = call(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == EFAULT, "run-unmapped-slot-efault",
	       "KVM_RUN: %ld, %s, exit_reason %u; want -1 EFAULT", ret, errname(e),
	       v.run->exit_reason);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* KVM_RUN on @v must end in KVM_EXIT_FAIL_ENTRY with hardware reason @reason: check @name. */
static void expect_fail_entry(struct vcpu *v, unsigned long long reason, const char *name)
{
	long ret;
	int e;

	alarm_in(5);
	e = call(v->fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == 0 && v->run->exit_reason == KVM_EXIT_FAIL_ENTRY &&
	       v->run->fail_entry.hardware_entry_failure_reason == reason, name,
	       "KVM_RUN: %ld %s, exit_reason %u, hardware reason 0x%llx; want KVM_EXIT_FAIL_ENTRY, 0x%llx",
	       ret, errname(e), v->run->exit_reason,
	       (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason, reason);
}

/*
 * vmxlab only: VMXLAB_CHECK_ENTRY names the rule the CPU applied, on the
 * VMCS that failed, with the field and the value found; and it checks its
 * own arguments.
 */
static void check_entry_verdict(int fd)
{
	struct vmxlab_entry_failure found[4];
	struct vmxlab_entry_check req = { .max = 4, .failures = (uintptr_t)found };
	unsigned int i, hit = 0;
	long ret;
	int e;

	e = call(fd, VMXLAB_CHECK_ENTRY, &req, &ret);
	for (i = 0; !e && i < req.count && i < 4; i++)
		if (!strcmp(found[i].id, "guest.tr.type") &&
		    found[i].area == VMXLAB_ENTRY_AREA_GUEST &&
		    found[i].field == 0x4822 && (found[i].value & 0xf) == 1)
			hit = 1;
	report(e == 0 && req.count >= 1 && hit, "fail-entry-checker-names-tr-type",
	       "VMXLAB_CHECK_ENTRY: %s, %u failing of %u checks, first '%s' (field 0x%x value 0x%llx); want guest.tr.type on GUEST_TR_AR_BYTES (0x4822) with type 1",
	       errname(e), req.count, req.checks, req.count ? found[0].id : "",
	       req.count ? found[0].field : 0,
	       req.count ? (unsigned long long)found[0].value : 0ULL);
	req.pad = 1;
	check("check-entry-pad-einval", fd, VMXLAB_CHECK_ENTRY, &req, EINVAL, EINVAL);
	req.pad = 0;
	req.failures = 8;
	check("check-entry-bad-pointer-efault", fd, VMXLAB_CHECK_ENTRY, &req, EFAULT, EFAULT);
}

/*
 * Guest state the SDM's VM-entry checks refuse, but KVM_SET_SREGS cannot
 * tell from a legal one: TR holding an available (not busy) 16-bit TSS
 * (type 1; "Checks on Guest Segment Registers": TR type must be 3 or 11).
 * KVM_RUN must end in KVM_EXIT_FAIL_ENTRY with the failed-entry bit and
 * basic reason 33 (invalid guest state), not a host crash, and the vCPU
 * must run once the state is fixed.
 */
static void test_fail_entry(int sys)
{
	struct kvm_sregs sregs;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "fail-entry-setup"))
		return;
	ioctl(v.fd, KVM_GET_SREGS, &sregs);
	sregs.tr.type = 1;
	e = call(v.fd, KVM_SET_SREGS, &sregs, &ret);
	report(e == 0, "fail-entry-set-sregs-accepted", "KVM_SET_SREGS: %s", errname(e));
	expect_fail_entry(&v, 0x80000021, "fail-entry-tr-not-busy");
	if (!kvm_mode)
		check_entry_verdict(v.fd);
	sregs.tr.type = 11;
	ioctl(v.fd, KVM_SET_SREGS, &sregs);
	alarm_in(5);
	e = call(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == 0 && v.run->exit_reason == KVM_EXIT_IO, "fail-entry-then-runs",
	       "after fixing TR: KVM_RUN %ld %s, exit_reason %u; want KVM_EXIT_IO",
	       ret, errname(e), v.run->exit_reason);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* vmxlab: the value of VMCS field @encoding of vCPU @fd (VMXLAB_GET_VMCS); 0 if none. */
static unsigned long long vmcs_field(int fd, unsigned int encoding)
{
	static struct vmxlab_vmcs_field fields[512];
	struct vmxlab_vmcs_snapshot snap = { .nfields = 512, .fields = (uintptr_t)fields };
	unsigned int i;

	if (ioctl(fd, VMXLAB_GET_VMCS, &snap))
		return 0;
	for (i = 0; i < snap.nfields; i++)
		if (fields[i].encoding == encoding)
			return fields[i].value;
	return 0;
}

/* VMXLAB_SET_VMCS with @n fields from @f; the errno, or 0. */
static int set_vmcs(int fd, struct vmxlab_vmcs_field *f, unsigned int n)
{
	struct vmxlab_vmcs_write req = { .nfields = n, .fields = (uintptr_t)f };

	return call(fd, VMXLAB_SET_VMCS, &req, NULL);
}

#define F_PIN_CONTROLS	0x4000
#define F_GUEST_RFLAGS	0x6820
#define F_GUEST_CR0	0x6800
#define F_GUEST_CS_SEL	0x0802
#define F_HOST_RIP	0x6c16
#define F_LINK_POINTER	0x2800
#define F_EPT_POINTER	0x201a

/* VMXLAB_SET_VMCS's own arguments: each bad one answers its errno, writes nothing. */
static void set_vmcs_arguments(int fd)
{
	struct vmxlab_vmcs_field f[17] = { { .encoding = F_GUEST_RFLAGS, .value = 2 } };
	struct vmxlab_vmcs_write req = { .nfields = 1, .fields = (uintptr_t)f };

	req.flags = 1;
	check("set-vmcs-flags-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.flags = 0;
	req.reserved[3] = 1;
	check("set-vmcs-reserved-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.reserved[3] = 0;
	req.nfields = 0;
	check("set-vmcs-zero-fields-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.nfields = 17;
	check("set-vmcs-17-fields-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.nfields = 1;
	req.fields = 8;
	check("set-vmcs-bad-pointer-efault", fd, VMXLAB_SET_VMCS, &req, EFAULT, VMXLAB_ONLY);
	f[0].flags = 1;
	report(set_vmcs(fd, f, 1) == EINVAL, "set-vmcs-field-flags-einval", "want EINVAL");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_CS_SEL, .value = 0x10000 };
	report(set_vmcs(fd, f, 1) == EINVAL, "set-vmcs-16-bit-overflow-einval", "want EINVAL");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_LINK_POINTER | 1 };
	report(set_vmcs(fd, f, 1) == EINVAL, "set-vmcs-high-half-einval", "want EINVAL");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_HOST_RIP };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-host-state-eperm", "want EPERM");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_LINK_POINTER, .value = 0x1000 };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-link-pointer-eperm", "want EPERM");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_EPT_POINTER };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-ept-pointer-eperm", "want EPERM");
	/* A CR0 the guest could run with (real mode, NE|ET): vmxlab keeps its own copy. */
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_CR0, .value = 0x30 };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-cr0-that-enters-eperm", "want EPERM");
	/* One refused field: the good one before it is not written either. */
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_RFLAGS, .value = 0 };
	f[1] = (struct vmxlab_vmcs_field){ .encoding = F_HOST_RIP };
	report(set_vmcs(fd, f, 2) == EPERM && vmcs_field(fd, F_GUEST_RFLAGS) == 2,
	       "set-vmcs-all-or-nothing", "want EPERM and RFLAGS still 0x2, got 0x%llx",
	       vmcs_field(fd, F_GUEST_RFLAGS));
}

/*
 * vmxlab only: VMXLAB_SET_VMCS.  A reserved pin-based control bit (31:
 * allowed-1 says 0) makes VM entry fail with VMfailValid, error 7 ("Checks
 * on VM-Execution Control Fields"); the failed VMCS stays readable, and
 * the next KVM_RUN puts vmxlab's own controls back and runs the guest.
 * A half-done exit is -EBUSY.
 */
static void test_set_vmcs(int sys)
{
	struct vmxlab_vmcs_field f;
	struct vm vm;
	struct vcpu v;
	unsigned long long pin;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "set-vmcs-setup"))
		return;
	set_vmcs_arguments(v.fd);
	pin = vmcs_field(v.fd, F_PIN_CONTROLS);
	f = (struct vmxlab_vmcs_field){ .encoding = F_PIN_CONTROLS, .value = pin | 1u << 31 };
	e = set_vmcs(v.fd, &f, 1);
	report(e == 0 && pin, "set-vmcs-reserved-control-bit-taken",
	       "pin-based 0x%llx | bit 31: %s", pin, errname(e));
	expect_fail_entry(&v, 7, "set-vmcs-reserved-control-vmfail-7");
	report(vmcs_field(v.fd, F_PIN_CONTROLS) == (pin | 1u << 31),
	       "set-vmcs-failed-vmcs-readable",
	       "pin-based 0x%llx after the failed entry, want the written 0x%llx",
	       vmcs_field(v.fd, F_PIN_CONTROLS), pin | 1u << 31);
	alarm_in(5);
	e = call(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == 0 && v.run->exit_reason == KVM_EXIT_IO, "set-vmcs-then-runs",
	       "KVM_RUN %ld %s, exit_reason %u; want KVM_EXIT_IO", ret, errname(e),
	       v.run->exit_reason);
	report(vmcs_field(v.fd, F_PIN_CONTROLS) == pin, "set-vmcs-controls-restored",
	       "pin-based 0x%llx after the next KVM_RUN, want vmxlab's 0x%llx",
	       vmcs_field(v.fd, F_PIN_CONTROLS), pin);
	f = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_RFLAGS, .value = 2 };
	report(set_vmcs(v.fd, &f, 1) == EBUSY, "set-vmcs-half-done-exit-ebusy",
	       "at an I/O exit: want EBUSY");
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* vmxlab only (see the top): guests that never exit. */
static void test_endless_loop(int sys)
{
	struct vm vm;
	struct vcpu v;
	struct runner r;
	double t0, dt;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_spin, sizeof(guest_spin), "spin-setup"))
		return;
	/* Stopped by SIGALRM within a second. */
	t0 = now();
	alarm_in(0.2);
	e = call(v.fd, KVM_RUN, NULL, &ret);
	dt = now() - t0;
	printf("NOTE: endless loop: KVM_RUN returned after %.3f s (SIGALRM at 0.2 s)\n", dt);
	report(e == EINTR && v.run->exit_reason == KVM_EXIT_INTR, "spin-sigalrm-eintr",
	       "KVM_RUN: %ld, %s, exit_reason %u; want -1 EINTR, KVM_EXIT_INTR", ret, errname(e),
	       v.run->exit_reason);
	report(dt < 2.0, "spin-sigalrm-within-2s", "KVM_RUN returned %.3f s after it started, "
	       "SIGALRM was due at 0.2 s; want < 2 s", dt);

	/* A second KVM_RUN while a thread is in KVM_RUN on the vCPU: EBUSY. */
	runner_start(&r, &v);
	report(!r.done, "busy-first-run-still-running", "the vCPU thread's KVM_RUN returned "
	       "%ld, %s, exit_reason %u before any signal", r.ret, errname(r.err), r.exit_reason);
	alarm_in(1);	/* if vmxlab let this run the guest, it must come back */
	e = call(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == EBUSY, "busy-second-run-ebusy", "second KVM_RUN: %ld, %s; want -1 EBUSY",
	       ret, errname(e));
	runner_stop(&r, "busy-first-run-eintr-on-signal");
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * Closing the VM fd while a vCPU thread is in KVM_RUN: the run goes on
 * until the signal, then everything closes; with every fd closed, VMX is
 * released (vmx_users 0).
 */
static void test_close_while_running(int sys)
{
	struct vm vm;
	struct vcpu v;
	struct runner r;
	long users;

	if (kvm_mode ? !vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "close-vm-setup") :
		       !vm_with_vcpu(sys, &vm, &v, guest_spin, sizeof(guest_spin), "close-vm-setup"))
		return;
	runner_start(&r, &v);
	close(vm.fd);
	vm.fd = -1;
	usleep(200000);
	report(!r.done, "close-vm-run-goes-on", "KVM_RUN returned %ld, %s, exit_reason %u after "
	       "the VM fd was closed; want it to go on until the signal",
	       r.ret, errname(r.err), r.exit_reason);
	if (!kvm_mode) {
		users = vmx_users();
		report(users > 0, "close-vm-vmx-held-while-vcpu-open", "vmx_users %ld: want > 0",
		       users);
	}
	runner_stop(&r, "close-vm-run-eintr-on-signal");
	vcpu_destroy(&v);
	vm_destroy(&vm);
	if (!kvm_mode) {
		users = vmx_users();
		report(users == 0, "close-vm-vmx-users-0", "vmx_users %ld after every fd was "
		       "closed: want 0", users);
	}
}

/* The bad-input sequence many times: no memory lost, VMX released. */
static void test_leaks(int sys, int loops)
{
	long before, after, users;
	char name[64];
	int i;

	quiet = 1;
	quiet_failures = 0;
	bad_sequence(sys);	/* warm up caches */
	before = meminfo_kib("MemFree");
	for (i = 0; i < loops; i++)
		bad_sequence(sys);
	after = meminfo_kib("MemFree");
	quiet = 0;
	snprintf(name, sizeof(name), "repeat-%d-same-results", loops);
	report(!quiet_failures, name, "%d failed checks in the loop, first: %s",
	       quiet_failures, quiet_first);
	printf("NOTE: MemFree %ld KiB before %d rounds, %ld after (%+ld KiB)\n", before, loops,
	       after, after - before);
	snprintf(name, sizeof(name), "repeat-%d-memfree", loops);
	report(before > 0 && before - after < 4096, name,
	       "MemFree dropped by %ld KiB over %d rounds (%ld -> %ld); want < 4096 KiB",
	       before - after, loops, before, after);
	if (!kvm_mode) {
		users = vmx_users();
		snprintf(name, sizeof(name), "repeat-%d-vmx-users-0", loops);
		report(users == 0, name, "vmx_users %ld after all was closed: want 0", users);
	}
}

int main(int argc, char **argv)
{
	int sys, i, loops = 20;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kvm"))
			kvm_mode = 1;
		else if (!strncmp(argv[i], "--loops=", 8))
			loops = atoi(argv[i] + 8);
		else if (argv[i][0] != '-')
			device = argv[i];
		else {
			fprintf(stderr, "usage: api-bad [--kvm] [--loops=N] [DEVICE]\n");
			return 2;
		}
	}
	if (!device)
		device = kvm_mode ? "/dev/kvm" : VMXLAB_DEVICE_PATH;
	install_handlers();
	sys = open(device, O_RDWR);
	if (sys < 0) {
		printf("FAIL open: %s: %s\n", device, strerror(errno));
		return 1;
	}
	bad_sequence(sys);
	test_fork(sys);
	test_unmapped_run(sys);
	test_fail_entry(sys);
	if (!kvm_mode)
		test_set_vmcs(sys);
	if (!kvm_mode)
		test_endless_loop(sys);
	test_close_while_running(sys);
	test_leaks(sys, loops);
	close(sys);
	return failures ? 1 : 0;
}
