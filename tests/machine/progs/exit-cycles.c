// SPDX-License-Identifier: GPL-2.0
/*
 * exit-cycles [GUEST]: exit timing on /dev/vmxlab (VMXLAB_SET_EXIT_CYCLES,
 * VMXLAB_GET_EXIT_CYCLES, debugfs vcpu0-cycles, hypercalls 3 and 4), with
 * the guest /guests/cycles.bin (tests/guests/cycles.S says what it does in
 * its three phases).  One `PASS name` / `FAIL name: why` line per
 * assertion; exits 1 if any failed.
 *
 * What a user would see go wrong if these failed: histograms that do not
 * add up to the exit counts, timing that costs cycles while nobody asked
 * for it, an ioctl that takes bad input or scribbles past a short buffer,
 * debugfs or the guest's own view disagreeing with the ioctl, or numbers
 * that do not tell a cheap in-kernel exit from a trip to user space.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#include "lib.h"

#define GUEST_MEM	0x10000
#define GUEST_ENTRY	0x1000
#define RESULTS		0x8000		/* cycles.S: the hypercalls' answers */
#define CPUIDS		200		/* per phase, cycles.S */
#define OUTS		20
#define PORT_PHASE	0x511
#define EXIT_CPUID	10
#define EXIT_IO		30
#define NR		VMXLAB_MAX_EXIT_REASONS
#define DEBUGFS		"/sys/kernel/debug/vmxlab"

struct guest {
	int sys, vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	const struct vmxlab_exit_info *info;
};

struct snapshot {
	struct vmxlab_cycles_read rd;
	struct vmxlab_exit_cycles c[NR];
};



/* The ioctl must fail with @want (0: succeed). */
static void expect(const char *name, int fd, unsigned long req, void *arg, int want)
{
	int got = ioctl(fd, req, arg) ? errno : 0;

	report(got == want, name, "got %s, want %s", got ? strerror(got) : "success",
	       want ? strerror(want) : "success");
}

static void die(const char *what)
{
	printf("FAIL setup: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void load_guest(struct guest *g, const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die(path);
	n = read(fd, g->mem + GUEST_ENTRY, RESULTS - GUEST_ENTRY);
	if (n <= 0)
		die("reading the guest");
	close(fd);
}

/* A VM with the guest at GUEST_ENTRY and one vCPU there in real mode. */
static void guest_create(struct guest *g, const char *path)
{
	struct kvm_userspace_memory_region region = { .memory_size = GUEST_MEM };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = GUEST_ENTRY, .rsp = GUEST_ENTRY, .rflags = 2 };
	long size;

	g->sys = open(VMXLAB_DEVICE_PATH, O_RDWR);
	if (g->sys < 0)
		die(VMXLAB_DEVICE_PATH);
	g->vm = ioctl(g->sys, KVM_CREATE_VM, 0);
	if (g->vm < 0)
		die("KVM_CREATE_VM");
	g->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED)
		die("mmap");
	load_guest(g, path);
	region.userspace_addr = (uintptr_t)g->mem;
	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(g->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	g->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED)
		die("mmap of the run area");
	g->info = (const void *)((const char *)g->run + VMXLAB_EXIT_INFO_OFFSET);
	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs) || ioctl(g->vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_SREGS/REGS");
}

/* KVM_RUN until the phase port (true) or HLT (false); other I/O just goes on. */
static int run_phase(struct guest *g)
{
	for (;;) {
		if (ioctl(g->vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		if (g->run->exit_reason == KVM_EXIT_HLT)
			return 0;
		if (g->run->exit_reason != KVM_EXIT_IO) {
			printf("FAIL run: unexpected exit %u\n", g->run->exit_reason);
			exit(1);
		}
		if (g->run->io.port == PORT_PHASE)
			return 1;
	}
}

static int get_cycles(struct guest *g, struct snapshot *s, uint32_t flags)
{
	memset(s, 0xa5, sizeof(*s));
	memset(&s->rd, 0, sizeof(s->rd));
	s->rd.flags = flags;
	s->rd.reasons = (uintptr_t)s->c;
	s->rd.nreasons = NR;
	return ioctl(g->vcpu, VMXLAB_GET_EXIT_CYCLES, &s->rd) ? errno : 0;
}

static int set_cycles(struct guest *g, uint32_t flags)
{
	struct vmxlab_cycles_control ctl = { .flags = flags };

	return ioctl(g->vcpu, VMXLAB_SET_EXIT_CYCLES, &ctl) ? errno : 0;
}

static int all_zero(const struct snapshot *s)
{
	static const struct vmxlab_exit_cycles zero;
	unsigned int i;

	for (i = 0; i < NR; i++)
		if (memcmp(&s->c[i], &zero, sizeof(zero)))
			return 0;
	return 1;
}

/* Before timing is on: nothing recorded, though the guest took exits. */
static void check_off(const char *name, struct guest *g)
{
	struct snapshot s;
	char n[64];
	int e = get_cycles(g, &s, 0);

	snprintf(n, sizeof(n), "%s-get-ok", name);
	report(!e, n, "VMXLAB_GET_EXIT_CYCLES: %s", strerror(e));
	snprintf(n, sizeof(n), "%s-state-off", name);
	report(s.rd.state == 0 && s.rd.pending_reason == VMXLAB_CYCLES_NONE, n,
	       "state %u pending %u, want 0 and none", s.rd.state, s.rd.pending_reason);
	snprintf(n, sizeof(n), "%s-no-samples", name);
	report(all_zero(&s) && s.rd.nreasons == NR, n, "counts not all zero (nreasons %u)",
	       s.rd.nreasons);
}

static void check_bad_input(struct guest *g)
{
	struct vmxlab_cycles_control ctl = { 0 };
	struct vmxlab_cycles_read rd = { 0 };
	static struct vmxlab_exit_cycles few[3];
	unsigned int i;
	int fd = g->vcpu;

	ctl.flags = 2;
	expect("set-unknown-flag-einval", fd, VMXLAB_SET_EXIT_CYCLES, &ctl, EINVAL);
	ctl.flags = VMXLAB_CYCLES_ON;
	ctl.pad = 1;
	expect("set-pad-einval", fd, VMXLAB_SET_EXIT_CYCLES, &ctl, EINVAL);
	ctl.pad = 0;
	ctl.reserved[1] = 1;
	expect("set-reserved-einval", fd, VMXLAB_SET_EXIT_CYCLES, &ctl, EINVAL);
	expect("set-bad-pointer-efault", fd, VMXLAB_SET_EXIT_CYCLES, (void *)8, EFAULT);
	rd.flags = 2;
	expect("get-unknown-flag-einval", fd, VMXLAB_GET_EXIT_CYCLES, &rd, EINVAL);
	rd.flags = 0;
	rd.reserved[3] = 1;
	expect("get-reserved-einval", fd, VMXLAB_GET_EXIT_CYCLES, &rd, EINVAL);
	rd.reserved[3] = 0;
	expect("get-bad-pointer-efault", fd, VMXLAB_GET_EXIT_CYCLES, (void *)8, EFAULT);
	rd.nreasons = NR;
	rd.reasons = 8;
	expect("get-bad-reasons-pointer-efault", fd, VMXLAB_GET_EXIT_CYCLES, &rd, EFAULT);
	rd.nreasons = 0;
	rd.reasons = 0;
	expect("get-no-room-ok", fd, VMXLAB_GET_EXIT_CYCLES, &rd, 0);
	/* A short buffer gets that many entries and nothing past them. */
	memset(few, 0x5a, sizeof(few));
	rd.reasons = (uintptr_t)few;
	rd.nreasons = 2;
	expect("get-short-buffer-ok", fd, VMXLAB_GET_EXIT_CYCLES, &rd, 0);
	for (i = 0; i < sizeof(few[2]) && ((uint8_t *)&few[2])[i] == 0x5a; i++)
		;
	report(rd.nreasons == 2 && i == sizeof(few[2]), "get-short-buffer-respected",
	       "nreasons %u (want 2), entry past the room %s", rd.nreasons,
	       i == sizeof(few[2]) ? "untouched" : "written");
}

/*
 * Each reason's buckets add up to its count, and count + the pending exit
 * equals the exits the vCPU took (struct vmxlab_exit_info) since timing
 * was turned on (@before: the exit counts then).
 */
static void check_adds_up(const char *name, const struct snapshot *s,
			  const struct guest *g, const uint64_t *before)
{
	unsigned int r, b, bad_sum = NR, bad_count = NR;
	char n[64];

	for (r = 0; r < NR; r++) {
		uint64_t total = 0, exits = g->info->exits[r] - before[r];

		for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++)
			total += s->c[r].buckets[b];
		if (total != s->c[r].count && bad_sum == NR)
			bad_sum = r;
		if (s->c[r].count + (s->rd.pending_reason == r) != exits && bad_count == NR)
			bad_count = r;
	}
	snprintf(n, sizeof(n), "%s-buckets-add-up-to-count", name);
	report(bad_sum == NR, n, "reason %u: buckets do not add up to count %llu", bad_sum,
	       bad_sum < NR ? (unsigned long long)s->c[bad_sum].count : 0ULL);
	snprintf(n, sizeof(n), "%s-counts-match-exit-counters", name);
	report(bad_count == NR, n, "reason %u: count %llu (+1 if pending), exits %llu",
	       bad_count, bad_count < NR ? (unsigned long long)s->c[bad_count].count : 0ULL,
	       bad_count < NR ? (unsigned long long)(g->info->exits[bad_count] - before[bad_count]) : 0ULL);
}

static int lowest_bucket(const struct vmxlab_exit_cycles *c)
{
	int b;

	for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++)
		if (c->buckets[b])
			return b;
	return -1;
}

static void print_histogram(const char *what, const struct vmxlab_exit_cycles *c)
{
	int b;

	printf("# %s: count %llu sum %llu buckets", what, (unsigned long long)c->count,
	       (unsigned long long)c->sum);
	for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++)
		if (c->buckets[b])
			printf(" %d:%llu", b, (unsigned long long)c->buckets[b]);
	printf("\n");
}

/*
 * With Bochs's TSC counting instructions, an in-kernel CPUID exit takes
 * ~100 and an exit to user space ~1,500: at least 90% of the CPUID exits
 * must sit below the lowest bucket of any port I/O exit (the rest may
 * have ended an inner loop and waited for interrupts in the outer one).
 */
static void check_cpuid_cheaper(const struct snapshot *s)
{
	const struct vmxlab_exit_cycles *cpuid = &s->c[EXIT_CPUID], *io = &s->c[EXIT_IO];
	int low = lowest_bucket(io), b;
	uint64_t below = 0;

	print_histogram("CPUID", cpuid);
	print_histogram("IO_INSTRUCTION", io);
	report(cpuid->count == CPUIDS && io->count == OUTS, "phase2-exact-counts",
	       "CPUID %llu (want %d), IO %llu timed (want %d, the phase exit pending)",
	       (unsigned long long)cpuid->count, CPUIDS, (unsigned long long)io->count, OUTS);
	for (b = 0; b < low; b++)
		below += cpuid->buckets[b];
	report(low > 0 && below * 10 >= cpuid->count * 9, "cpuid-in-lower-buckets-than-io",
	       "%llu of %llu CPUID exits below bucket %d, the lowest holding an I/O exit",
	       (unsigned long long)below, (unsigned long long)cpuid->count, low);
	report(cpuid->count && io->count && cpuid->sum / cpuid->count < io->sum / io->count,
	       "cpuid-mean-below-io-mean", "CPUID mean %llu, I/O mean %llu",
	       cpuid->count ? (unsigned long long)(cpuid->sum / cpuid->count) : 0ULL,
	       io->count ? (unsigned long long)(io->sum / io->count) : 0ULL);
}

/* debugfs's vcpu0-cycles of this process's VM; NULL if none. */
static FILE *open_debugfs(void)
{
	char prefix[32], path[512];
	struct dirent *d;
	DIR *dir = opendir(DEBUGFS);
	FILE *f = NULL;

	if (!dir)
		return NULL;
	snprintf(prefix, sizeof(prefix), "vm-%d-", getpid());
	while (!f && (d = readdir(dir))) {
		if (strncmp(d->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/vcpu0-cycles", DEBUGFS, d->d_name);
		f = fopen(path, "r");
	}
	closedir(dir);
	return f;
}

/* One reason line of the debugfs file against the ioctl's entry; 1 if equal. */
static int debugfs_line_matches(const char *line, const struct snapshot *s, unsigned int *seen)
{
	unsigned long long count, sum, mean, n;
	unsigned int r, b;
	const char *p = strstr(line, " (");
	int used;

	if (!p || sscanf(p, " (%u): count %llu sum %llu mean %llu buckets%n", &r, &count,
			 &sum, &mean, &used) != 4 || r >= NR)
		return 0;
	if (count != s->c[r].count || sum != s->c[r].sum || mean != sum / count)
		return 0;
	for (p += used; sscanf(p, " %u:%llu%n", &b, &n, &used) == 2; p += used)
		if (b >= VMXLAB_CYCLES_BUCKETS || s->c[r].buckets[b] != n)
			return 0;
	(*seen)++;
	return !*p;
}

static void check_debugfs(const struct snapshot *s)
{
	unsigned int r, seen = 0, nonzero = 0, bad = 0;
	char line[1024], want_pending[64];
	FILE *f = open_debugfs();

	if (!f) {
		report(0, "debugfs-agrees", "no %s/vm-%d-*/vcpu0-cycles", DEBUGFS, getpid());
		return;
	}
	snprintf(want_pending, sizeof(want_pending), "pending IO_INSTRUCTION (%d)", EXIT_IO);
	if (!fgets(line, sizeof(line), f) || strcmp(line, "state on\n"))
		bad = 1;
	if (!fgets(line, sizeof(line), f) || strncmp(line, want_pending, strlen(want_pending)))
		bad = 2;
	while (!bad && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!debugfs_line_matches(line, s, &seen))
			bad = 3;
	}
	fclose(f);
	for (r = 0; r < NR; r++)
		nonzero += s->c[r].count != 0;
	report(!bad && seen == nonzero, "debugfs-agrees",
	       "vcpu0-cycles differs from VMXLAB_GET_EXIT_CYCLES (%s; line '%s'; %u of %u reasons)",
	       bad == 1 ? "state" : bad == 2 ? "pending" : bad == 3 ? "a reason line" : "count",
	       line, seen, nonzero);
}

/* The guest's hypercall answers (cycles.S RESULTS) against the ioctl. */
static void check_hypercalls(const struct guest *g, const struct snapshot *s)
{
	const uint32_t *res = (const uint32_t *)(g->mem + RESULTS);
	unsigned int b, bad = 0;

	report(res[0] == (uint32_t)s->c[EXIT_CPUID].sum && res[1] == (uint32_t)s->c[EXIT_IO].sum,
	       "hypercall-sums-agree", "guest saw sums CPUID %u IO %u, ioctl %llu %llu",
	       res[0], res[1], (unsigned long long)s->c[EXIT_CPUID].sum,
	       (unsigned long long)s->c[EXIT_IO].sum);
	for (b = 0; b < VMXLAB_CYCLES_BUCKETS; b++)
		if (res[2 + b] != s->c[EXIT_CPUID].buckets[b] || res[34 + b] != s->c[EXIT_IO].buckets[b])
			bad++;
	report(!bad, "hypercall-buckets-agree", "%u bucket(s) differ from the ioctl's", bad);
	report(res[66] == 0xffffffffu, "hypercall-bad-bucket-error", "answer %#x", res[66]);
	report(res[67] == 0xffffffffu, "hypercall-never-on-error", "answer %#x", res[67]);
}

static void check_clear_and_off(struct guest *g, const struct snapshot *before)
{
	struct snapshot s;

	get_cycles(g, &s, VMXLAB_CYCLES_CLEAR);
	report(!memcmp(s.c, before->c, sizeof(s.c)), "clear-returns-the-counts",
	       "GET with VMXLAB_CYCLES_CLEAR copied other counts");
	get_cycles(g, &s, 0);
	report(all_zero(&s) && s.rd.state == VMXLAB_CYCLES_ON, "clear-zeroes",
	       "after CLEAR: state %u, counts %s", s.rd.state, all_zero(&s) ? "zero" : "not zero");
	report(s.rd.pending_reason == before->rd.pending_reason, "clear-keeps-pending",
	       "pending %u, was %u", s.rd.pending_reason, before->rd.pending_reason);
	report(!set_cycles(g, 0), "set-off-ok", "%s", strerror(errno));
	get_cycles(g, &s, 0);
	report(s.rd.state == 0 && s.rd.pending_reason == VMXLAB_CYCLES_NONE, "off-state",
	       "state %u pending %u", s.rd.state, s.rd.pending_reason);
}

int main(int argc, char **argv)
{
	struct guest g;
	static struct snapshot s2, s3;
	uint64_t before[NR];

	guest_create(&g, argc > 1 ? argv[1] : "/guests/cycles.bin");
	check_off("fresh", &g);
	report(run_phase(&g), "phase1-ran", "the guest halted early");
	check_off("phase1-untimed", &g);
	check_bad_input(&g);
	memcpy(before, (const void *)g.info->exits, sizeof(before));
	report(!set_cycles(&g, VMXLAB_CYCLES_ON), "set-on-ok", "%s", strerror(errno));
	report(run_phase(&g), "phase2-ran", "the guest halted early");
	report(!get_cycles(&g, &s2, 0), "phase2-get-ok", "%s", strerror(errno));
	report(s2.rd.state == VMXLAB_CYCLES_ON && s2.rd.pending_reason == EXIT_IO,
	       "phase2-state-on-io-pending", "state %u pending %u", s2.rd.state,
	       s2.rd.pending_reason);
	check_adds_up("phase2", &s2, &g, before);
	check_cpuid_cheaper(&s2);
	check_debugfs(&s2);
	report(!run_phase(&g), "phase3-halted", "the guest did not halt");
	report(!get_cycles(&g, &s3, 0), "final-get-ok", "%s", strerror(errno));
	check_adds_up("final", &s3, &g, before);
	check_hypercalls(&g, &s3);
	check_clear_and_off(&g, &s3);
	return failures ? 1 : 0;
}
