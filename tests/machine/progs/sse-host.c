// SPDX-License-Identifier: GPL-2.0
/*
 * sse-host [--kvm] [DEVICE]: SSE register isolation between a guest and
 * the host process that runs it, checked from that process.  DEVICE
 * defaults to /dev/vmxlab; /dev/kvm is the reference (--kvm: see the
 * MXCSR of KVM_GET_FPU in main()).  One `PASS name` / `FAIL name:
 * why` line per assertion; exits 1 if any failed.
 *
 * Right before each KVM_RUN the program loads a pattern of its own into
 * xmm0-15 and MXCSR, and reads them back right after, in one asm block
 * around the system call so that no C code touches them in between: they
 * must come back unchanged.  The guest (real mode, CR4.OSFXSR set through
 * KVM_SET_SREGS) loads another pattern into xmm0-7 and MXCSR, then in each
 * of ROUNDS turns exits on port 0x10 and adds 1 to every 32-bit lane of
 * xmm0-7; at the end it stores xmm0-7 and MXCSR to memory and exits on
 * port 0x11.  The stored values must be the guest's pattern + ROUNDS (its
 * state survived every exit, none of the host's leaked in), and
 * KVM_GET_FPU at each exit must show the guest's registers as they are.
 *
 * Then the scheduler (second VM, preempt_guest): the process is pinned
 * to CPU 0 and a child process busy-loops there with xmm0-15 of its own
 * pattern, checking them.  The guest loads its pattern into xmm0-7, runs
 * BLOCK_CPUIDS CPUIDs (exits the kernel answers, inside one KVM_RUN, where
 * the scheduler may switch to the child and back), stores xmm0-7 and
 * MXCSR and exits on port 0x12; over and over, until PREEMPTED_WANT of
 * those KVM_RUNs were preempted (the thread's involuntary context
 * switches grew).  Every stored block must be the guest's pattern, and
 * the child's registers must stay its own: a switch inside KVM_RUN takes
 * the guest's registers away (the kernel sets TIF_NEED_FPU_LOAD), and a
 * VMM that enters again without reloading them runs the guest on the
 * child's registers, and hands the guest's writes to the child.
 *
 * What a user would see go wrong if this failed: a process that runs a
 * guest finds its floating-point values changed after KVM_RUN (wrong
 * results, far from the cause), or the guest's computations are corrupted
 * by the host's, or another process's by the guest's; KVM_GET_FPU shows a
 * debugger state that is not the guest's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"

#define GUEST_MEM	0x10000
#define GUEST_ENTRY	0x1000
#define GUEST_PATTERN	0x2000	/* 8 x 16 bytes: the guest's xmm0-7 */
#define GUEST_ONES	0x2080	/* 16 bytes: four 32-bit ones */
#define GUEST_MXCSR_IN	0x2090	/* the guest's MXCSR */
#define GUEST_OUT	0x3000	/* the guest stores xmm0-7 here ... */
#define GUEST_MXCSR_OUT	0x3080	/* ... and MXCSR here */
#define ROUNDS		5
#define PORT_ROUND	0x10
#define PORT_DONE	0x11
#define PORT_BLOCK	0x12
#define BLOCK_CPUIDS	2000	/* the guest's immediate 0x07d0 below */
#define PREEMPTED_WANT	12	/* preempted KVM_RUNs to see ... */
#define BLOCKS_MAX	3000	/* ... in at most this many */

#define HOST_MXCSR	0x5f80	/* all masked, round up */
#define GUEST_MXCSR	0x3f80	/* all masked, round down */
#define DEFAULT_MXCSR	0x1f80

/*
 * The guest, assembled here as 16-bit code and copied to GUEST_ENTRY;
 * absolute addresses only, the jumps are relative.  Real mode has no
 * xmm8-15 (they need a REX prefix): the guest uses xmm0-7.  paddd's memory
 * operand must be 16-byte aligned (GUEST_ONES is).
 */
/*
 * What both guests do with xmm0-7: load the pattern at GUEST_PATTERN, and
 * store them to GUEST_OUT with MXCSR to GUEST_MXCSR_OUT (GAS macros, for
 * the two asm blocks below).
 */
asm(".macro load_guest_pattern\n"
    "	.irp i, 0,1,2,3,4,5,6,7\n"
    "	movdqu 0x2000 + 16 * \\i, %xmm\\i\n"
    "	.endr\n"
    ".endm\n"
    ".macro store_guest_out\n"
    "	.irp i, 0,1,2,3,4,5,6,7\n"
    "	movdqu %xmm\\i, 0x3000 + 16 * \\i\n"
    "	.endr\n"
    "	stmxcsr 0x3080\n"
    ".endm\n");

asm(".pushsection .rodata\n"
    ".globl sse_guest, sse_guest_end\n"
    "sse_guest:\n"
    ".code16\n"
    "	xor %ax, %ax\n"
    "	mov %ax, %ds\n"
    "	load_guest_pattern\n"
    "	ldmxcsr 0x2090\n"		/* GUEST_MXCSR_IN */
    "	mov $5, %cx\n"			/* ROUNDS */
    "1:	out %al, $0x10\n"		/* PORT_ROUND */
    "	paddd 0x2080, %xmm0\n"		/* GUEST_ONES */
    "	paddd 0x2080, %xmm1\n"
    "	paddd 0x2080, %xmm2\n"
    "	paddd 0x2080, %xmm3\n"
    "	paddd 0x2080, %xmm4\n"
    "	paddd 0x2080, %xmm5\n"
    "	paddd 0x2080, %xmm6\n"
    "	paddd 0x2080, %xmm7\n"
    "	loop 1b\n"
    "	store_guest_out\n"
    "	out %al, $0x11\n"		/* PORT_DONE */
    "	hlt\n"
    ".code64\n"
    "sse_guest_end:\n"
    ".popsection\n");
extern const uint8_t sse_guest[], sse_guest_end[];

/*
 * The second guest: each block reloads xmm0-7 with the pattern (so that
 * registers the guest was wrongly given get the guest's values written
 * into them), runs BLOCK_CPUIDS CPUIDs, stores xmm0-7 and MXCSR where the
 * first guest stores its result, and exits on PORT_BLOCK.
 */
asm(".pushsection .rodata\n"
    ".globl preempt_guest, preempt_guest_end\n"
    "preempt_guest:\n"
    ".code16\n"
    "	xor %ax, %ax\n"
    "	mov %ax, %ds\n"
    "	ldmxcsr 0x2090\n"		/* GUEST_MXCSR_IN */
    "2:	load_guest_pattern\n"
    "	mov $0x07d0, %di\n"		/* BLOCK_CPUIDS */
    "1:	xor %eax, %eax\n"
    "	cpuid\n"
    "	dec %di\n"
    "	jnz 1b\n"
    "	store_guest_out\n"
    "	out %al, $0x12\n"		/* PORT_BLOCK */
    "	jmp 2b\n"
    ".code64\n"
    "preempt_guest_end:\n"
    ".popsection\n");
extern const uint8_t preempt_guest[], preempt_guest_end[];

static int kvm_mode;
/* The first wrong MXCSR that KVM_GET_FPU showed, if any. */
static char fpu_mxcsr_bad[200];


static void die(const char *what)
{
	printf("FAIL setup: %s: %s\n", what, strerror(errno));
	exit(1);
}

typedef uint8_t xmm_t[16];

/* xmm0-15 from / to the 256 bytes at the asm operand `p` (a string). */
#define XMM_AT(i, p)	"movdqu " #i "*16(" p "), %%xmm" #i "\n\t"
#define XMM_TO(i, p)	"movdqu %%xmm" #i ", " #i "*16(" p ")\n\t"
#define LOAD_XMM0_15(p)							\
	XMM_AT(0, p) XMM_AT(1, p) XMM_AT(2, p)	\
	XMM_AT(3, p) XMM_AT(4, p) XMM_AT(5, p)	\
	XMM_AT(6, p) XMM_AT(7, p) XMM_AT(8, p)	\
	XMM_AT(9, p) XMM_AT(10, p) XMM_AT(11, p)	\
	XMM_AT(12, p) XMM_AT(13, p) XMM_AT(14, p)	\
	XMM_AT(15, p)
#define STORE_XMM0_15(p)						\
	XMM_TO(0, p) XMM_TO(1, p) XMM_TO(2, p)	\
	XMM_TO(3, p) XMM_TO(4, p) XMM_TO(5, p)	\
	XMM_TO(6, p) XMM_TO(7, p) XMM_TO(8, p)	\
	XMM_TO(9, p) XMM_TO(10, p) XMM_TO(11, p)	\
	XMM_TO(12, p) XMM_TO(13, p) XMM_TO(14, p)	\
	XMM_TO(15, p)

/* Host pattern of round r: byte j of xmm i is 0x80 ^ r << 5 ^ i << 4 ^ j. */
static void host_pattern(xmm_t x[16], int r)
{
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			x[i][j] = (uint8_t)(0x80 ^ r << 5 ^ i << 4 ^ j);
}

/* Guest pattern, 32-bit lane l of xmm i: 0x01020304 * (i + 1) + l, plus `add`. */
static uint32_t guest_lane(int i, int l, uint32_t add)
{
	return 0x01020304u * (uint32_t)(i + 1) + (uint32_t)l + add;
}

/*
 * KVM_RUN with the host's xmm0-15 and MXCSR set from `in` and `mxcsr`
 * right before the system call and saved to `out`/`*mxcsr_out` right after.
 * Returns the system call's result (-errno on failure).
 */
static long run_with_host_sse(int vcpu, xmm_t in[16], xmm_t out[16], uint32_t mxcsr,
			      uint32_t *mxcsr_out)
{
	uint32_t def = DEFAULT_MXCSR;
	long ret;

	asm volatile(
		"ldmxcsr %[mx]\n\t"
		LOAD_XMM0_15("%[in]")
		"syscall\n\t"
		STORE_XMM0_15("%[out]")
		"stmxcsr %[mxo]\n\t"
		"ldmxcsr %[def]\n\t"
		: "=a"(ret), [mxo] "=m"(*mxcsr_out)
		: "0"((long)SYS_ioctl), "D"((long)vcpu), "S"((long)KVM_RUN), "d"(0L),
		  [in] "r"(in), [out] "r"(out), [mx] "m"(mxcsr), [def] "m"(def)
		: "rcx", "r11", "memory",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

/* The child's loop: 200,000 DECs with xmm0-15 held, then look at them. */
static int busy_round(xmm_t in[16], xmm_t out[16])
{
	asm volatile(
		LOAD_XMM0_15("%[in]")
		"mov $200000, %%ecx\n"
		"1:\tdec %%ecx\n\t"
		"jnz 1b\n\t"
		STORE_XMM0_15("%[out]")
		:
		: [in] "r"(in), [out] "r"(out)
		: "rcx", "memory",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return !memcmp(in, out, 16 * sizeof(xmm_t));
}

/*
 * The process that shares CPU 0 with the vCPU: spins with a pattern of
 * its own in xmm0-15 until *stop; exits 3, with the changed registers
 * in seen[], as soon as they were not its own.
 */
static void __attribute__((noreturn)) busy_child(volatile int *stop, xmm_t seen[16])
{
	xmm_t in[16], out[16];

	host_pattern(in, 5);
	while (!*stop)
		if (!busy_round(in, out)) {
			memcpy(seen, out, sizeof(out));
			_exit(3);
		}
	_exit(0);
}

static void put_guest_pattern(uint8_t *mem)
{
	uint32_t v;
	int i, l;

	for (i = 0; i < 8; i++)
		for (l = 0; l < 4; l++) {
			v = guest_lane(i, l, 0);
			memcpy(mem + GUEST_PATTERN + 16 * i + 4 * l, &v, 4);
		}
	for (l = 0; l < 4; l++) {
		v = 1;
		memcpy(mem + GUEST_ONES + 4 * l, &v, 4);
	}
	v = GUEST_MXCSR;
	memcpy(mem + GUEST_MXCSR_IN, &v, 4);
}

/* Does xmm i (16 bytes at p) hold the guest's pattern + add?  Else describe it. */
static int guest_xmm_is(const uint8_t *p, int i, uint32_t add, char *why, size_t n)
{
	uint32_t lane[4];
	int l;

	memcpy(lane, p, 16);
	for (l = 0; l < 4; l++)
		if (lane[l] != guest_lane(i, l, add)) {
			snprintf(why, n, "xmm%d = %08x %08x %08x %08x, want %08x %08x %08x %08x",
				 i, lane[3], lane[2], lane[1], lane[0], guest_lane(i, 3, add),
				 guest_lane(i, 2, add), guest_lane(i, 1, add), guest_lane(i, 0, add));
			return 0;
		}
	return 1;
}

static int create_vcpu(int sys, int vm)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);

	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	/* The guest's CPUID says SSE2, as a client sets it. */
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	if (!cpuid)
		die("calloc");
	cpuid->nent = 256;
	if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, cpuid))
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, cpuid))
		die("KVM_SET_CPUID2");
	free(cpuid);
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.cr4 |= 1 << 9 | 1 << 10;		/* OSFXSR, OSXMMEXCPT */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_ENTRY;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
	return vcpu;
}

/* One round: host registers kept, exit as expected, KVM_GET_FPU = the guest's. */
static int one_run(int vcpu, struct kvm_run *run, int round, int *host_ok)
{
	xmm_t in[16], out[16];
	struct kvm_fpu fpu;
	uint32_t mxcsr_out = 0;
	char why[200] = "", name[64];
	long ret;
	int i, ok;

	host_pattern(in, round);
	memset(out, 0, sizeof(out));
	ret = run_with_host_sse(vcpu, in, out, HOST_MXCSR, &mxcsr_out);
	if (ret < 0) {
		printf("FAIL run-%d: KVM_RUN: %s\n", round, strerror((int)-ret));
		failures++;
		return -1;
	}
	for (i = 0; i < 16 && !why[0]; i++)
		if (memcmp(in[i], out[i], 16))
			snprintf(why, sizeof(why), "host xmm%d changed by KVM_RUN %d "
				 "(byte 0: %#x, want %#x)", i, round, out[i][0], in[i][0]);
	if (!why[0] && mxcsr_out != HOST_MXCSR)
		snprintf(why, sizeof(why), "host MXCSR %#x after KVM_RUN %d, want %#x",
			 mxcsr_out, round, HOST_MXCSR);
	if (why[0] && *host_ok) {
		printf("FAIL host-xmm-kept: %s\n", why);
		failures++;
		*host_ok = 0;
	}
	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT) {
		printf("FAIL run-%d: exit_reason %u, want KVM_EXIT_IO out\n", round, run->exit_reason);
		failures++;
		return -1;
	}
	if (run->io.port == PORT_DONE)
		return 1;
	/* Exit `round` (0-based) comes before the guest's add number `round`. */
	if (ioctl(vcpu, KVM_GET_FPU, &fpu)) {
		printf("FAIL get-fpu-%d: %s\n", round, strerror(errno));
		failures++;
		return 0;
	}
	for (i = 0, ok = 1; i < 8 && ok; i++)
		ok = guest_xmm_is(fpu.xmm[i], i, (uint32_t)round, why, sizeof(why));
	snprintf(name, sizeof(name), "get-fpu-guest-xmm-exit-%d", round);
	report(ok, name, "KVM_GET_FPU at exit %d: %s", round, why);
	if (fpu.mxcsr != GUEST_MXCSR && !fpu_mxcsr_bad[0])
		snprintf(fpu_mxcsr_bad, sizeof(fpu_mxcsr_bad), "KVM_GET_FPU at exit %d: mxcsr %#x, "
			 "want %#x (the guest's)", round, fpu.mxcsr, GUEST_MXCSR);
	return 0;
}

struct guest_vm {
	int vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	long run_size;
};

/* A VM of GUEST_MEM with the guest `code` at GUEST_ENTRY and one vCPU. */
static void make_vm(int sys, const uint8_t *code, size_t len, struct guest_vm *g)
{
	struct kvm_userspace_memory_region region = { 0 };
	int vm = ioctl(sys, KVM_CREATE_VM, 0);

	if (vm < 0)
		die("KVM_CREATE_VM");
	g->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		die("mmap");
	memcpy(g->mem + GUEST_ENTRY, code, len);
	put_guest_pattern(g->mem);
	region.memory_size = GUEST_MEM;
	region.userspace_addr = (uintptr_t)g->mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	g->vcpu = create_vcpu(sys, vm);
	g->run_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED)
		die("mmap of the vCPU");
}

/* What the guest stored at GUEST_OUT: its pattern + add and its MXCSR?  Else why not. */
static int guest_out_is(const uint8_t *mem, uint32_t add, char *why, size_t n)
{
	uint32_t mxcsr;
	int i, ok;

	memcpy(&mxcsr, mem + GUEST_MXCSR_OUT, 4);
	ok = mxcsr == GUEST_MXCSR;
	if (!ok)
		snprintf(why, n, "guest MXCSR %#x, want %#x", mxcsr, GUEST_MXCSR);
	for (i = 0; i < 8 && ok; i++)
		ok = guest_xmm_is(mem + GUEST_OUT + 16 * i, i, add, why, n);
	return ok;
}

static void check_exits_to_user(int sys)
{
	struct guest_vm g;
	char why[200] = "";
	int round, r = 0, host_ok = 1;

	make_vm(sys, sse_guest, sse_guest_end - sse_guest, &g);
	for (round = 0; round <= ROUNDS + 1 && r == 0; round++)
		r = one_run(g.vcpu, g.run, round, &host_ok);
	report(r == 1 && round == ROUNDS + 1, "guest-ran-all-rounds",
	       "the guest reached port 0x11 after %d runs (result %d), want %d", round, r,
	       ROUNDS + 1);
	if (host_ok)
		printf("PASS host-xmm-kept\n");
	/*
	 * KVM 6.1 in Bochs showed mxcsr 0 here although the guest's MXCSR was
	 * right (what it stored at the end): not asserted on the reference.
	 */
	if (kvm_mode && fpu_mxcsr_bad[0])
		printf("NOTE: reference deviation: %s\n", fpu_mxcsr_bad);
	else
		report(!fpu_mxcsr_bad[0], "get-fpu-guest-mxcsr", "%s", fpu_mxcsr_bad);
	report(guest_out_is(g.mem, ROUNDS, why, sizeof(why)), "guest-xmm-kept",
	       "what the guest stored at the end: %s", why);
}

static long involuntary_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		die("getrusage");
	return ru.ru_nivcsw;
}

/* KVM_RUNs of preempt_guest until PREEMPTED_WANT were preempted; the guest's blocks kept? */
static void run_preempted_blocks(struct guest_vm *g, long *preempted_out)
{
	char why[200] = "", first_why[200] = "";
	long blocks, preempted = 0, bad = 0, before;

	for (blocks = 0; blocks < BLOCKS_MAX && preempted < PREEMPTED_WANT; blocks++) {
		before = involuntary_switches();
		if (ioctl(g->vcpu, KVM_RUN, 0)) {
			report(0, "preempted-runs", "KVM_RUN %ld: %s", blocks, strerror(errno));
			break;
		}
		preempted += involuntary_switches() > before;
		if (g->run->exit_reason != KVM_EXIT_IO || g->run->io.port != PORT_BLOCK) {
			report(0, "preempted-runs", "KVM_RUN %ld: exit_reason %u port %#x, want "
			       "KVM_EXIT_IO on %#x", blocks, g->run->exit_reason,
			       g->run->io.port, PORT_BLOCK);
			break;
		}
		if (!guest_out_is(g->mem, 0, why, sizeof(why)) && !bad++)
			snprintf(first_why, sizeof(first_why), "block %ld: %s", blocks, why);
	}
	printf("NOTE: %ld KVM_RUNs of %d CPUIDs, %ld of them preempted\n", blocks,
	       BLOCK_CPUIDS, preempted);
	report(!bad, "guest-xmm-kept-preempted", "%ld of %ld blocks came back changed; first: %s",
	       bad, blocks, first_why);
	*preempted_out = preempted;
}

/* The scheduler switches inside KVM_RUN: both the guest's and the other process's registers kept? */
static void check_preempted(int sys)
{
	struct { volatile int stop; xmm_t seen[16]; } *shared;
	struct guest_vm g;
	long preempted;
	cpu_set_t cpu0;
	pid_t child;
	int status;

	make_vm(sys, preempt_guest, preempt_guest_end - preempt_guest, &g);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED)
		die("mmap shared");
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		die("sched_setaffinity");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		busy_child(&shared->stop, shared->seen);
	run_preempted_blocks(&g, &preempted);
	shared->stop = 1;
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	report(preempted >= PREEMPTED_WANT, "vcpu-preempted-in-kvm-run",
	       "only %ld KVM_RUNs were preempted, want %d: the scheduler did not switch inside "
	       "KVM_RUN, so nothing was checked", preempted, PREEMPTED_WANT);
	report(WIFEXITED(status) && WEXITSTATUS(status) == 0, "busy-process-xmm-kept",
	       "the process sharing CPU 0 %s (status %#x; its xmm0 byte 0 %#x, want %#x)",
	       WIFEXITED(status) && WEXITSTATUS(status) == 3 ? "saw its xmm registers changed" :
	       "did not end well", status, shared->seen[0][0], 0x80 ^ 5 << 5);
}

int main(int argc, char **argv)
{
	const char *device = "/dev/vmxlab";
	int sys, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kvm"))
			kvm_mode = 1;
		else
			device = argv[i];
	}
	sys = open(device, O_RDWR);
	if (sys < 0)
		die(device);
	check_exits_to_user(sys);
	check_preempted(sys);
	close(sys);
	return failures ? 1 : 0;
}
