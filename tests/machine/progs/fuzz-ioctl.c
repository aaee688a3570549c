// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-ioctl: random sequences of every system, VM and vCPU ioctl that
 * /dev/vmxlab (or /dev/kvm, --dev) answers, from several threads at once,
 * with random and boundary arguments: NULL, kernel, unmapped and
 * half-mapped pointers, sizes 0/1/page/huge, reserved fields set, fds of
 * the wrong kind.  Around the ioctls: opens and closes in any order,
 * fork (the child must get -EIO on VM and vCPU fds), munmap of slot memory
 * while vCPUs run, run pages scribbled on, and KVM_RUN of tiny guests made
 * of random bytes, each run cut short by a per-thread timer.
 *
 *   fuzz-ioctl [--seed S] [--calls N] [--threads T] [--seconds MAX] [--dev PATH]
 *              [--skip NAME]...
 *
 * --skip KVM_SET_FPU (any name of the table below, repeatable) leaves an
 * ioctl out, so that a known bug in it does not hide the others.
 * Bounded and seeded: the seed is printed; thread t draws from its own
 * generator seeded from (S, t), so each thread's sequence of calls is the
 * same on a rerun (what the threads do to each other's objects depends on
 * timing).  A failure line names the seed, the thread and the call index.
 *
 * What it asserts itself: no ioctl succeeds on a pointer it cannot have
 * read or written (NULL, kernel, unmapped), no kernel-internal errno
 * (ERESTARTSYS..., >= 512) reaches user space, a forked child gets -EIO on
 * VM and vCPU fds, every KVM_RUN returns, the whole run ends within MAX
 * seconds.  The test around it (tests/fuzz-ioctl.sh) adds the kernel-log
 * guard, a clean rmmod and flat memory.
 *
 * The summary says how deep the calls went: each ioctl's successes, and
 * the ioctls that never succeeded.  An ioctl the device has that shows
 * in the second list never got past its first checks: its arguments
 * want shaping (shape_arg, mutate_sregs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#include "lib.h"

#define PAGE		4096UL
#define MAX_OBJS	48
#define MAX_MEMS	12
#define MAX_THREADS	16
#define ARGBUF_SIZE	(4 * PAGE)
#define MAX_CMDS	80		/* entries of cmds[] at most */
#define RUN_SLICE_NS	2000000L	/* 2 ms: a random guest's time per KVM_RUN */

enum kind { K_FREE, K_SYS, K_VM, K_VCPU };

/* An open file the threads share: the system fd, a VM or a vCPU. */
struct obj {
	int fd;
	enum kind kind;
};

/* Guest memory: random bytes, a PROT_NONE guard page after it. */
struct mem {
	uint8_t *p;
	size_t len;
};

static struct obj objs[MAX_OBJS];
static struct mem mems[MAX_MEMS];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *dev_path = VMXLAB_DEVICE_PATH;
static const char *skipped[8];
static int nskipped;
static uint64_t seed;
static long run_size;

/* A page that is never mapped: pointers into it must fault. */
static uint8_t *guard_page;

struct thread {
	pthread_t tid;
	int index;
	uint64_t rng;
	long calls, done;
	const char *volatile op;	/* what the thread does now (the watchdog's report) */
	timer_t timer;
	uint8_t *buf;			/* ARGBUF_SIZE bytes, a guard page after */
	long errs[600];			/* errno counts */
	long ok, runs, run_exits, forks, vms, vcpus;
	long cmd_ok[MAX_CMDS];		/* successes per entry of cmds[] */
};

static struct thread threads[MAX_THREADS];
static atomic_int failed;

static void fuzz_fail(struct thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fuzz_fail(struct thread *t, const char *fmt, ...)
{
	char why[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* The first few are enough to reproduce; the rest only count. */
	if (atomic_fetch_add(&failed, 1) < 10)
		printf("FAIL fuzz-ioctl: seed %" PRIu64 " thread %d call %ld: %s\n",
		       seed, t->index, t->done, why);
}

/* splitmix64: a thread's own generator, reproducible from the seed. */
static uint64_t rnd(struct thread *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(struct thread *t, uint32_t n)
{
	return n ? (uint32_t)(rnd(t) % n) : 0;
}

/* The values most likely to find an off-by-one or an overflow. */
static uint64_t interesting(struct thread *t)
{
	static const uint64_t v[] = {
		0, 1, 2, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 255, 256, 4095, 4096, 4097,
		0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 0x7fffffffffffULL, 0x800000000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 4095,
		0xfffffffffffff000ULL, 0xffffffff81000000ULL, 0xffff888000000000ULL,
	};

	switch (below(t, 4)) {
	case 0:
		return v[below(t, sizeof(v) / sizeof(v[0]))];
	case 1:
		return below(t, 64);
	case 2:
		return (uint64_t)below(t, 4096) * PAGE;
	default:
		return rnd(t);
	}
}

/* ---- the shared pool of open files ---- */

/* Into a free place, or in place of a random one (closed: one more odd order). */
static void pool_add(struct thread *t, int fd, enum kind kind)
{
	int i, old = -1;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind == K_FREE)
			break;
	if (i == MAX_OBJS) {
		i = below(t, MAX_OBJS);
		old = objs[i].fd;
	}
	objs[i].fd = fd;
	objs[i].kind = kind;
	pthread_mutex_unlock(&pool_lock);
	if (old >= 0)
		close(old);
}

/*
 * A duplicate of a random pooled fd of @want (K_FREE: any kind), or -1.
 * The duplicate keeps the file alive while another thread closes the
 * pooled fd, exactly as the kernel's own reference during an ioctl does,
 * and a reused fd number never sends our ioctl to someone else's file.
 */
static int pool_pick(struct thread *t, enum kind want, enum kind *kind)
{
	int i, start = below(t, MAX_OBJS), fd = -1;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < MAX_OBJS; i++) {
		struct obj *o = &objs[(start + i) % MAX_OBJS];

		if (o->kind == K_FREE || (want != K_FREE && o->kind != want))
			continue;
		fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 100);
		*kind = o->kind;
		break;
	}
	pthread_mutex_unlock(&pool_lock);
	return fd;
}

static void pool_close_random(struct thread *t)
{
	int i = below(t, MAX_OBJS), fd = -1;

	pthread_mutex_lock(&pool_lock);
	if (objs[i].kind != K_FREE) {
		fd = objs[i].fd;
		objs[i].kind = K_FREE;
	}
	pthread_mutex_unlock(&pool_lock);
	if (fd >= 0)
		close(fd);
}

/* ---- guest memory ---- */

static void fill_random(struct thread *t, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = rnd(t);

		memcpy(p + i, &r, 8);
	}
}

/* A new mapping of 1..16 pages of random bytes with a guard page after. */
static void mem_map(struct thread *t)
{
	size_t len = (1 + below(t, 16)) * PAGE;
	uint8_t *p = mmap(NULL, len + PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i = below(t, MAX_MEMS);
	struct mem old = { NULL, 0 };

	if (p == MAP_FAILED)
		return;
	mprotect(p + len, PAGE, PROT_NONE);
	fill_random(t, p, len);
	/* Random guest code: sometimes a halt at once, so some runs exit cleanly. */
	if (below(t, 4) == 0)
		p[below(t, len)] = 0xf4;
	pthread_mutex_lock(&pool_lock);
	old = mems[i];
	mems[i].p = p;
	mems[i].len = len;
	pthread_mutex_unlock(&pool_lock);
	if (old.p)
		munmap(old.p, old.len + PAGE);	/* slot memory may be in use by a vCPU now */
}

static void mem_unmap(struct thread *t)
{
	int i = below(t, MAX_MEMS);
	struct mem old;

	pthread_mutex_lock(&pool_lock);
	old = mems[i];
	mems[i].p = NULL;
	pthread_mutex_unlock(&pool_lock);
	if (old.p)
		munmap(old.p, old.len + PAGE);
}

/* A user address for a memory slot: mostly a mapping of ours. */
static uint64_t mem_addr(struct thread *t, uint64_t *len)
{
	int i = below(t, MAX_MEMS);
	uint64_t a = 0;

	pthread_mutex_lock(&pool_lock);
	if (mems[i].p) {
		a = (uint64_t)(uintptr_t)mems[i].p;
		*len = mems[i].len;
	}
	pthread_mutex_unlock(&pool_lock);
	if (!a || below(t, 8) == 0) {
		*len = interesting(t);
		return below(t, 2) ? interesting(t) : (uint64_t)(uintptr_t)guard_page;
	}
	return a;
}

/* ---- arguments ---- */

enum ptr_class { P_NULL, P_KERNEL, P_UNMAPPED, P_HALF, P_VALID, P_INT };

/* Random contents for an argument struct: zeros, random words, pointers. */
static void fill_struct(struct thread *t, uint8_t *b, size_t len)
{
	size_t i;

	memset(b, below(t, 4) == 0 ? 0xaa : 0, len);
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		if (below(t, 6))
			continue;
		switch (below(t, 4)) {
		case 0:		/* a nested user pointer that works */
			v = (uint64_t)(uintptr_t)(t->buf + below(t, ARGBUF_SIZE / 2));
			break;
		case 1:		/* a nested pointer that faults */
			v = below(t, 2) ? (uint64_t)(uintptr_t)guard_page : 0xffffffff81000000ULL;
			break;
		default:
			v = interesting(t);
		}
		memcpy(b + i, &v, 8);
	}
}

/* The argument of one call: its class and value. */
static unsigned long make_arg(struct thread *t, unsigned int cmd, enum ptr_class *cls)
{
	size_t size = _IOC_SIZE(cmd);

	if (_IOC_DIR(cmd) == _IOC_NONE && below(t, 4)) {
		*cls = P_INT;
		return interesting(t);
	}
	switch (below(t, 16)) {
	case 0:
		*cls = P_NULL;
		return 0;
	case 1:
		*cls = P_KERNEL;
		return below(t, 2) ? 0xffffffff81000000UL : 0xffff888000001000UL;
	case 2:
		*cls = P_UNMAPPED;
		return (unsigned long)guard_page + below(t, 64);
	case 3:	/* the struct runs into the guard page after t->buf */
		*cls = P_HALF;
		return (unsigned long)(t->buf + ARGBUF_SIZE - 1 - below(t, size ? size : 64));
	default:
		*cls = P_VALID;
		fill_struct(t, t->buf, ARGBUF_SIZE);
		return (unsigned long)t->buf;
	}
}

/* ---- the ioctls ---- */

struct cmd {
	unsigned int nr;
	const char *name;
	enum kind fd;	/* the fd it is for; K_FREE: none */
};

#define C(x) { x, #x, K_SYS }
#define V(x) { x, #x, K_VM }
#define U(x) { x, #x, K_VCPU }
static const struct cmd cmds[] = {
	/* system fd */
	C(KVM_GET_API_VERSION), C(KVM_CREATE_VM), C(KVM_GET_MSR_INDEX_LIST),
	C(KVM_GET_MSR_FEATURE_INDEX_LIST), C(KVM_CHECK_EXTENSION),
	C(KVM_GET_VCPU_MMAP_SIZE), C(KVM_GET_SUPPORTED_CPUID),
	C(VMXLAB_GET_CAPS), C(VMXLAB_VMX_ENABLE), C(VMXLAB_VMX_DISABLE),
	C(VMXLAB_GET_CPU_STATE), C(KVM_X86_GET_MCE_CAP_SUPPORTED),
	/* VM fd */
	V(KVM_SET_USER_MEMORY_REGION), V(KVM_CREATE_VCPU), V(KVM_SET_TSS_ADDR),
	V(KVM_SET_IDENTITY_MAP_ADDR), V(VMXLAB_SET_EPT_WATCH), V(KVM_ENABLE_CAP),
	V(KVM_CREATE_IRQCHIP), V(KVM_IRQ_LINE), V(KVM_GET_DIRTY_LOG), V(KVM_GET_CLOCK),
	V(KVM_IRQFD), V(KVM_IOEVENTFD), V(KVM_SET_GSI_ROUTING),
	/* vCPU fd */
	U(KVM_RUN), U(KVM_GET_REGS), U(KVM_SET_REGS), U(KVM_GET_SREGS), U(KVM_SET_SREGS),
	U(KVM_GET_FPU), U(KVM_SET_FPU), U(KVM_SET_CPUID2), U(KVM_GET_CPUID2),
	U(KVM_INTERRUPT), U(KVM_NMI), U(KVM_GET_MSRS), U(KVM_SET_MSRS),
	U(KVM_GET_VCPU_EVENTS), U(KVM_SET_VCPU_EVENTS), U(KVM_GET_MP_STATE),
	U(KVM_SET_MP_STATE), U(KVM_GET_DEBUGREGS), U(KVM_SET_DEBUGREGS),
	U(KVM_SET_SIGNAL_MASK), U(KVM_GET_XSAVE), U(KVM_SET_XSAVE), U(KVM_GET_XCRS),
	U(KVM_SET_XCRS), U(KVM_TRANSLATE), U(KVM_GET_LAPIC), U(KVM_SET_LAPIC),
	U(KVM_SET_GUEST_DEBUG), U(KVM_X86_SETUP_MCE), U(KVM_X86_SET_MCE),
	U(VMXLAB_GET_VMCS), U(VMXLAB_SET_TRACE), U(VMXLAB_READ_TRACE),
	U(VMXLAB_CHECK_ENTRY), U(VMXLAB_SET_VMCS), U(VMXLAB_SET_EXIT_CYCLES),
	U(VMXLAB_GET_EXIT_CYCLES), U(VMXLAB_WATCH_RESUME),
	/* nobody's: unknown numbers, wrong magic */
	{ _IO(KVMIO, 0xff), "KVMIO-0xff", K_FREE },
	{ _IOWR(VMXLAB_IO, 0x1f, __u64), "VMXLAB-0x1f", K_FREE },
	{ _IO('x', 1), "magic-x", K_FREE }, { 0, "zero", K_FREE },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))
_Static_assert(NCMDS <= MAX_CMDS, "raise MAX_CMDS");

/* Bytes in the argument buffer behind a 256-byte struct, for its array. */
#define ROOM_BEHIND	(ARGBUF_SIZE - 256)

/* Guest VMCS fields VMXLAB_SET_VMCS takes, and some it refuses. */
static const uint32_t vmcs_fields[] = {
	0x4826, 0x4824, 0x6822, 0x681e, 0x6820, 0x681c, 0x6800, 0x6802, 0x6804,
	0x2806, 0x681a, 0x0802, 0x4816, 0x4802, 0x6808, 0x4822, 0x4810, 0x6816,
	0x4000, 0x4002, 0x401e, 0x400c, 0x4012, 0x6c00, 0x2000, 0x201a,
};

/*
 * MSRs KVM_GET_MSRS and KVM_SET_MSRS are given: the ones vmxlab keeps per
 * vCPU (SYSCALL, TSC_AUX, PAT, SYSENTER, the machine-check MSRs of
 * vmx/msrs.c up to bank 31 and past it) and some it refuses.
 */
static const uint32_t msr_indexes[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x8b, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x17b,
	0x1d9, 0x277, 0x400, 0x401, 0x402, 0x403, 0x404, 0x47c, 0x47f, 0x480,
	0x4d0, 0x6e0, 0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083,
	0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
	0x40000000, 0xffffffff,
};

/* KVM_X86_SETUP_MCE's value: 1 to 34 banks (32 allowed), MCG_CTL_P or not. */
static uint64_t mcg_cap_arg(struct thread *t)
{
	if (!below(t, 4))
		return interesting(t);
	return (1 + below(t, 34)) | (below(t, 2) ? 1ULL << 8 : 0) |
	       (below(t, 8) ? 0 : 1ULL << below(t, 64));
}

/* struct kvm_msrs with 1 to 8 entries (or a wrong count) from msr_indexes. */
static void shape_msrs(struct thread *t, uint8_t *b)
{
	struct kvm_msrs *m = (void *)b;
	uint32_t i, n = 1 + below(t, 8);

	m->nmsrs = below(t, 8) ? n : (uint32_t)interesting(t);
	m->pad = 0;
	for (i = 0; i < n; i++) {
		m->entries[i].index = msr_indexes[below(t, sizeof(msr_indexes) / 4)];
		m->entries[i].reserved = 0;
		m->entries[i].data = below(t, 2) ? below(t, 4) - 1 : interesting(t);
	}
}

/*
 * Arguments shaped for the calls that lead deeper into the module: mostly
 * plausible values with one thing wrong, so that the checks behind the
 * first one run too.
 */
static void shape_arg(struct thread *t, unsigned int cmd, uint8_t *b)
{
	if (cmd == KVM_SET_USER_MEMORY_REGION) {
		struct kvm_userspace_memory_region *r = (void *)b;
		uint64_t len = 0;

		memset(r, 0, sizeof(*r));
		r->slot = below(t, 4) ? below(t, 6) : (uint32_t)interesting(t);
		r->flags = below(t, 4) ? (below(t, 2) ? KVM_MEM_READONLY : 0) : (uint32_t)interesting(t);
		r->guest_phys_addr = below(t, 4) ? below(t, 8) * 0x1000 * below(t, 3) : interesting(t);
		r->userspace_addr = mem_addr(t, &len);
		r->memory_size = below(t, 6) ? len - (below(t, 4) == 0 ? len : 0) : interesting(t);
	} else if (cmd == VMXLAB_SET_EPT_WATCH) {
		struct vmxlab_ept_watch *w = (void *)b;

		memset(w, 0, sizeof(*w));
		w->gpa = below(t, 4) ? below(t, 32) * PAGE : interesting(t);
		w->size = below(t, 4) ? (1 + below(t, 4)) * PAGE : interesting(t);
		w->deny = below(t, 8);
		if (!below(t, 8))
			w->flags = 1;
	} else if (cmd == VMXLAB_SET_VMCS) {
		struct vmxlab_vmcs_write *w = (void *)b;
		struct vmxlab_vmcs_field *f = (void *)(b + 256);
		uint32_t i, n = below(t, 4) ? 1 + below(t, 3) : (uint32_t)interesting(t);

		memset(w, 0, sizeof(*w));
		w->nfields = n;
		w->fields = (uint64_t)(uintptr_t)f;
		for (i = 0; i < 64; i++) {
			f[i].encoding = below(t, 8) ?
				vmcs_fields[below(t, sizeof(vmcs_fields) / 4)] : (uint32_t)rnd(t);
			f[i].flags = below(t, 16) ? 0 : 1;
			f[i].value = below(t, 2) ? below(t, 4) : interesting(t);
		}
	} else if (cmd == KVM_SET_SIGNAL_MASK) {
		/* Never block the run timer's signal: a guest loop would run for good. */
		struct kvm_signal_mask *m = (void *)b;
		uint64_t set = rnd(t) & ~(1ULL << (SIGALRM - 1));

		m->len = below(t, 4) ? 8 : (uint32_t)interesting(t);
		memcpy(m->sigset, &set, 8);
	} else if (cmd == KVM_SET_FPU && below(t, 2)) {
		struct kvm_fpu *f = (void *)b;

		memset(f, 0, sizeof(*f));
		f->fcw = 0x37f;
		f->mxcsr = below(t, 2) ? 0x1f80 : (uint32_t)rnd(t);
	} else if (cmd == KVM_X86_SETUP_MCE) {
		uint64_t v = mcg_cap_arg(t);

		memcpy(b, &v, sizeof(v));
	} else if ((cmd == KVM_GET_MSRS || cmd == KVM_SET_MSRS) && below(t, 2)) {
		shape_msrs(t, b);
	} else if (cmd == KVM_SET_GSI_ROUTING) {
		struct kvm_irq_routing *r = (void *)b;

		r->nr = below(t, 4) ? below(t, 4) : (uint32_t)interesting(t);
		r->flags = below(t, 4) ? 0 : (uint32_t)interesting(t);
	} else if (cmd == VMXLAB_GET_VMCS) {
		struct vmxlab_vmcs_snapshot *v = (void *)b;

		/* Room for 0 to 1007 fields: too few is E2BIG. */
		memset(v, 0, sizeof(*v));
		v->nfields = below(t, 4) ? below(t, ROOM_BEHIND / sizeof(struct vmxlab_vmcs_field)) :
					   (uint32_t)interesting(t);
		v->fields = (uint64_t)(uintptr_t)(b + 256);
	} else if (cmd == VMXLAB_SET_TRACE) {
		struct vmxlab_trace_control *c = (void *)b;

		/* Mostly on: VMXLAB_READ_TRACE has nothing to read while it is off. */
		memset(c, 0, sizeof(*c));
		c->flags = below(t, 4) ? VMXLAB_TRACE_ON : (uint32_t)interesting(t);
	} else if (cmd == VMXLAB_READ_TRACE) {
		struct vmxlab_trace_read *r = (void *)b;

		memset(r, 0, sizeof(*r));
		r->from_seq = below(t, 2) ? below(t, 8) : interesting(t);
		r->records = (uint64_t)(uintptr_t)(b + 256);
		r->max = below(t, 4) ? below(t, ROOM_BEHIND / sizeof(struct vmxlab_trace_record)) :
				       (uint32_t)interesting(t);
	} else if (cmd == KVM_CREATE_VCPU || cmd == KVM_CHECK_EXTENSION) {
		/* an integer argument: handled by the caller */
	}
}

/* A per-thread one-shot timer: SIGALRM to this thread only. */
static void timer_setup(struct thread *t)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = gettid();	/* glibc 2.36 names no field for it */
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->timer)) {
		perror("timer_create");
		exit(2);
	}
}

static void timer_arm(struct thread *t, long ns)
{
	struct itimerspec its = { .it_value = { ns / 1000000000L, ns % 1000000000L } };

	timer_settime(t->timer, 0, &its, NULL);
}

static void check_result(struct thread *t, unsigned int cmd, const char *name,
			 enum ptr_class cls, long ret, int e)
{
	if (ret >= 0) {
		t->ok++;
		/*
		 * Nothing can have been copied through these pointers.  A NULL
		 * KVM_SET_SIGNAL_MASK is valid: it removes the mask (KVM's API).
		 */
		if ((cls == P_NULL || cls == P_KERNEL || cls == P_UNMAPPED) &&
		    _IOC_DIR(cmd) != _IOC_NONE && cmd != KVM_SET_IDENTITY_MAP_ADDR &&
		    !(cmd == KVM_SET_SIGNAL_MASK && cls == P_NULL) &&
		    _IOC_TYPE(cmd) != 'x' && cmd)
			fuzz_fail(t, "%s with a %s pointer returned %ld, want an error",
				  name, cls == P_NULL ? "NULL" : cls == P_KERNEL ? "kernel" :
				  "unmapped", ret);
		return;
	}
	if (e >= 512 || e <= 0)
		fuzz_fail(t, "%s returned errno %d: a kernel-internal code", name, e);
	else
		t->errs[e]++;
}

static bool is_skipped(const char *name)
{
	int i;

	for (i = 0; i < nskipped; i++)
		if (!strcmp(skipped[i], name))
			return true;
	return false;
}

/*
 * KVM_SET_SREGS's argument: the vCPU's own state with one bit flipped,
 * or none, so that the calls pass the first checks and reach the later
 * ones (and guests run in odd but accepted states).  Random bytes when
 * @fd is no vCPU.
 */
static void mutate_sregs(struct thread *t, int fd, struct kvm_sregs *s)
{
	if (ioctl(fd, KVM_GET_SREGS, s))
		return;
	if (below(t, 4))
		((uint8_t *)s)[below(t, sizeof(*s))] ^= 1u << below(t, 8);
}

/* A random ioctl on a pooled fd: mostly of its kind, sometimes of any kind. */
static void do_random_ioctl(struct thread *t)
{
	const struct cmd *c = &cmds[below(t, NCMDS)];
	enum kind kind = K_FREE;
	enum ptr_class cls;
	unsigned long arg;
	long ret;
	int fd, e;

	if (c->nr == KVM_RUN || is_skipped(c->name))
		return;	/* do_run() runs guests, with their timer */
	fd = pool_pick(t, below(t, 8) ? c->fd : K_FREE, &kind);
	if (fd < 0)
		return;
	arg = make_arg(t, c->nr, &cls);
	if (cls == P_VALID)
		shape_arg(t, c->nr, (uint8_t *)arg);
	if (c->nr == KVM_SET_SREGS && cls == P_VALID && below(t, 2))
		mutate_sregs(t, fd, (struct kvm_sregs *)arg);
	if (c->nr == KVM_CREATE_VM)
		arg = below(t, 8) ? 0 : interesting(t);
	else if (c->nr == KVM_CREATE_VCPU || c->nr == KVM_CHECK_EXTENSION)
		arg = below(t, 4) ? below(t, 10) : interesting(t);
	t->op = c->name;
	e = ioctl_errno(fd, c->nr, (void *)arg, &ret);
	check_result(t, c->nr, c->name, cls, ret, e);
	if (ret >= 0)
		t->cmd_ok[c - cmds]++;
	if (ret >= 0 && c->nr == KVM_CREATE_VM) {
		pool_add(t, ret, K_VM);
		t->vms++;
	} else if (ret >= 0 && c->nr == KVM_CREATE_VCPU && kind == K_VM) {
		pool_add(t, ret, K_VCPU);
		t->vcpus++;
	}
	else if (ret >= 0 && c->nr == VMXLAB_VMX_ENABLE && below(t, 2))
		ioctl(fd, VMXLAB_VMX_DISABLE, 0);
	close(fd);
}

static void do_open(struct thread *t)
{
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);

	t->op = "open";
	if (fd >= 0)
		pool_add(t, fd, K_SYS);
}

/* A VM or a vCPU the plain way, so that the pool has some to use. */
static void do_create(struct thread *t, enum kind on, unsigned int cmd, unsigned long arg,
		      enum kind made)
{
	enum kind kind;
	long ret;
	int fd = pool_pick(t, on, &kind), e;

	if (fd < 0)
		return;
	t->op = made == K_VM ? "KVM_CREATE_VM" : "KVM_CREATE_VCPU";
	e = ioctl_errno(fd, cmd, (void *)arg, &ret);
	check_result(t, cmd, t->op, P_INT, ret, e);
	if (ret >= 0) {
		pool_add(t, ret, made);
		*(made == K_VM ? &t->vms : &t->vcpus) += 1;
	}
	close(fd);
}

/* Point a vCPU at random bytes: real mode, CS base 0, RIP in the first page. */
static void aim_vcpu(struct thread *t, int fd)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(fd, KVM_GET_SREGS, &s))
		return;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (below(t, 8) == 0)
		s.cr0 ^= 1ULL << below(t, 32);
	ioctl(fd, KVM_SET_SREGS, &s);
	memset(&r, 0, sizeof(r));
	r.rip = below(t, PAGE);
	r.rsp = below(t, 8 * PAGE);
	r.rflags = 2 | (below(t, 4) == 0 ? rnd(t) & 0x3f7fd5 : 0);
	ioctl(fd, KVM_SET_REGS, &r);
	t->done += 3;
}

/* KVM_RUN of a random vCPU, its run page sometimes scribbled on first. */
static void do_run(struct thread *t)
{
	enum kind kind;
	struct kvm_run *run;
	long ret;
	int fd = pool_pick(t, K_VCPU, &kind), e;

	if (fd < 0)
		return;
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED)
		run = NULL;
	if (below(t, 2))
		aim_vcpu(t, fd);
	if (run && below(t, 4) == 0)
		fill_random(t, (uint8_t *)run, run_size);
	if (run && below(t, 2))
		run->immediate_exit = below(t, 8) == 0;
	t->op = "KVM_RUN";
	timer_arm(t, RUN_SLICE_NS);
	e = ioctl_errno(fd, KVM_RUN, below(t, 16) ? NULL : (void *)interesting(t), &ret);
	timer_arm(t, 0);
	t->runs++;
	check_result(t, KVM_RUN, "KVM_RUN", P_INT, ret, e);
	if (!e && run)
		t->run_exits++;
	if (run)
		munmap(run, run_size);
	close(fd);
}

/*
 * fork: the child shares our fds but not our address space; every VM and
 * vCPU ioctl it makes must be refused with -EIO (reliability table I8).
 */
static void do_fork(struct thread *t)
{
	static const unsigned int child_cmds[] = {
		KVM_RUN, KVM_GET_REGS, KVM_CREATE_VCPU, KVM_SET_USER_MEMORY_REGION,
		VMXLAB_GET_VMCS, KVM_SET_SREGS,
	};
	enum kind kinds[3];
	int fds[3], n = 0, i, status;
	pid_t pid;

	for (i = 0; i < 3; i++) {
		fds[n] = pool_pick(t, below(t, 2) ? K_VM : K_VCPU, &kinds[n]);
		if (fds[n] >= 0)
			n++;
	}
	t->op = "fork";
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		for (i = 0; i < n; i++) {
			unsigned int c = child_cmds[below(t, 6)];
			long r = ioctl(fds[i], c, t->buf);

			if (r != -1 || errno != EIO)
				bad |= 1 << i;
		}
		_exit(bad);
	}
	if (pid > 0) {
		waitpid(pid, &status, 0);
		t->forks++;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fuzz_fail(t, "a forked child's ioctls on VM/vCPU fds: status %#x, want -EIO each",
				  status);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void one_step(struct thread *t)
{
	uint32_t r = below(t, 100);

	if (r < 2)
		do_open(t);
	else if (r < 5)
		pool_close_random(t);
	else if (r < 8)
		do_create(t, K_SYS, KVM_CREATE_VM, 0, K_VM);
	else if (r < 12)
		do_create(t, K_VM, KVM_CREATE_VCPU, below(t, 10), K_VCPU);
	else if (r < 15)
		mem_map(t);
	else if (r < 16)
		mem_unmap(t);
	else if (r < 21)
		do_run(t);
	else if (r < 22 && below(t, 8) == 0)
		do_fork(t);
	else
		do_random_ioctl(t);
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	timer_setup(t);
	t->buf = mmap(NULL, ARGBUF_SIZE + PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->buf == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	mprotect(t->buf + ARGBUF_SIZE, PAGE, PROT_NONE);
	for (t->done = 0; t->done < t->calls; t->done++)
		one_step(t);
	t->op = NULL;
	timer_delete(t->timer);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void close_all(void)
{
	int i;

	for (i = 0; i < MAX_OBJS; i++)
		if (objs[i].kind != K_FREE) {
			close(objs[i].fd);
			objs[i].kind = K_FREE;
		}
	for (i = 0; i < MAX_MEMS; i++)
		if (mems[i].p) {
			munmap(mems[i].p, mems[i].len + PAGE);
			mems[i].p = NULL;
		}
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz-ioctl [--seed S] [--calls N] [--threads T] [--seconds MAX] [--dev PATH] [--skip NAME]...\n");
	exit(2);
}

static long cmd_successes(size_t c, int nthreads)
{
	long n = 0;
	int i;

	for (i = 0; i < nthreads; i++)
		n += threads[i].cmd_ok[c];
	return n;
}

/*
 * How deep the calls went: the ioctls that succeeded, with their counts,
 * or (!@succeeded) those that never did: the ones the device does not
 * have, and any whose shaped arguments never pass its checks.  Five to a
 * line: a kernel-log line (the serial log) holds less than 1 KiB.
 */
static void print_cmd_list(int nthreads, bool succeeded)
{
	int shown = 0;
	size_t c;
	long n;

	for (c = 0; c < NCMDS; c++) {
		n = cmd_successes(c, nthreads);
		if (!n == succeeded || cmds[c].nr == KVM_RUN)
			continue;
		if (shown % 5 == 0)
			printf("NOTE: %s:", succeeded ? "succeeded" : "never succeeded");
		else
			putchar(',');
		if (succeeded)
			printf(" %s %ld", cmds[c].name, n);
		else
			printf(" %s", cmds[c].name);
		if (++shown % 5 == 0)
			printf("\n");
	}
	if (shown % 5)
		printf("\n");
}

static void summary(int nthreads, double dt)
{
	long total = 0, ok = 0, runs = 0, exits = 0, forks = 0, vms = 0, vcpus = 0;
	long errs[600] = { 0 };
	int i, e;

	for (i = 0; i < nthreads; i++) {
		total += threads[i].done;
		ok += threads[i].ok;
		runs += threads[i].runs;
		exits += threads[i].run_exits;
		forks += threads[i].forks;
		vms += threads[i].vms;
		vcpus += threads[i].vcpus;
		for (e = 0; e < 600; e++)
			errs[e] += threads[i].errs[e];
	}
	printf("NOTE: fuzz-ioctl seed %" PRIu64 ": %ld calls in %.1f s (%d threads): %ld succeeded, "
	       "%ld VMs and %ld vCPUs made, %ld KVM_RUN (%ld returned 0), %ld forks\n", seed, total,
	       dt, nthreads, ok, vms, vcpus, runs, exits, forks);
	for (e = 1; e < 600; e++)
		if (errs[e])
			printf("NOTE:   %-12s %ld\n", strerrorname_np(e) ?: "?", errs[e]);
	print_cmd_list(nthreads, true);
	print_cmd_list(nthreads, false);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGALRM };
	long calls = 20000, max_seconds = 120;
	int nthreads = 3, i, done;
	double t0;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--calls"))
			calls = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			nthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds"))
			max_seconds = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--dev"))
			dev_path = argv[++i];
		else if (!strcmp(argv[i], "--skip") && nskipped < 8)
			skipped[nskipped++] = argv[++i];
		else
			usage();
	}
	if (nthreads < 1 || nthreads > MAX_THREADS || calls < nthreads)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("NOTE: fuzz-ioctl --seed %" PRIu64 " --calls %ld --threads %d --dev %s",
	       seed, calls, nthreads, dev_path);
	for (i = 0; i < nskipped; i++)
		printf(" --skip %s", skipped[i]);
	printf("\n");
	catch_signals(on_alarm, sigs, 1);
	signal(SIGPIPE, SIG_IGN);
	guard_page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	{
		int fd = open(dev_path, O_RDWR);

		if (fd < 0) {
			printf("FAIL fuzz-ioctl: cannot open %s: %s\n", dev_path, strerror(errno));
			return 1;
		}
		run_size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
		if (run_size <= 0)
			run_size = 2 * PAGE;
		close(fd);
	}
	t0 = now();
	for (i = 0; i < nthreads; i++) {
		struct thread *t = &threads[i];

		t->index = i;
		t->rng = seed * 0x100000001b3ULL + (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		t->calls = calls / nthreads;
		if (pthread_create(&t->tid, NULL, thread_main, t)) {
			perror("pthread_create");
			return 2;
		}
	}
	/* The watchdog: every thread must finish within max_seconds. */
	do {
		usleep(200000);
		for (done = 0, i = 0; i < nthreads; i++)
			done += threads[i].op == NULL && threads[i].done >= threads[i].calls;
	} while (done < nthreads && now() - t0 < max_seconds);
	if (done < nthreads) {
		for (i = 0; i < nthreads; i++)
			if (threads[i].done < threads[i].calls)
				printf("FAIL fuzz-ioctl: seed %" PRIu64 " thread %d stuck in %s at call %ld after %ld s\n",
				       seed, i, threads[i].op ?: "?", threads[i].done, max_seconds);
		summary(nthreads, now() - t0);
		fflush(stdout);
		_exit(1);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i].tid, NULL);
	close_all();
	summary(nthreads, now() - t0);
	if (failed)
		printf("FAIL fuzz-ioctl: %d failure(s); rerun with --seed %" PRIu64 " --calls %ld --threads %d\n",
		       failed, seed, calls, nthreads);
	else
		printf("PASS fuzz-ioctl\n");
	return failed ? 1 : 0;
}
