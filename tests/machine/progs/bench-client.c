// SPDX-License-Identifier: GPL-2.0
/*
 * bench-client DEVICE LABEL GUESTDIR: the client of `make bench`
 * (tests/bench/bench.sh).  Plain KVM API, the same code for /dev/vmxlab
 * and /dev/kvm; it runs the flat guests of tests/bench (GUESTDIR/NAME.bin,
 * loaded at 0x1000, started in 16-bit real mode with CS = DS = ES = SS =
 * 0, SP = 0xFFF0, EBX = memory size) and prints one line per measurement:
 *
 *   BENCH LABEL NAME VALUE
 *
 * Meant for Bochs with one CPU and `count=1`, where the TSC counts retired
 * instructions, host and guest alike: every VALUE but the memory ones is a
 * number of instructions.
 *
 * Guest memory (anonymous, MAP_NORESERVE, MADV_NOHUGEPAGE so both
 * hypervisors map it with 4 KiB pages) is laid out as on a PC: slot 0 at
 * 0-0x9FFFF, slot 1 at 0x100000 up to the size; 0xA0000-0xFFFFF is a hole,
 * which the MMIO measurement stores to.  Ports: 0xE9 prints (a guest's
 * lines become BENCH lines), 0x80 is a no-op, a write to 0xF4 ends the
 * guest; HLT and MMIO exits are answered at once (MMIO loads read ones).
 *
 * Measurements:
 *  - exit-cost.bin (with the device's KVM_GET_SUPPORTED_CPUID table set):
 *    the guest's own lines: baseline, cpuid, pio-out, mmio-write, hlt
 *    (throughput over 1000 exits) and cpuid-min .. hlt-min (the smallest
 *    single exit);
 *  - create-SIZE, first-run-SIZE (first-out.bin, SIZE 16M, 256M, 1G):
 *    RDTSC before KVM_CREATE_VM (memory already mmap'ed and the guest
 *    copied in), through the slots, the vCPU, its run area and registers,
 *    to the return of the first KVM_RUN, which the guest's first
 *    instruction (an OUT) ends; first-run is that KVM_RUN alone.  The
 *    smallest of REPS tries, each from a fresh VM;
 *  - irq-ready, irq-window (irq-cost.bin, which waits in protected mode
 *    with IF = 1; measured last, so that a failure keeps the other
 *    lines): an external interrupt injected with KVM_INTERRUPT, up
 *    to the exit of its handler's first instruction, an OUT; throughput,
 *    RDTSC around IRQ_ROUNDS consecutive rounds divided by IRQ_ROUNDS,
 *    after IRQ_WARMUP untimed ones.  A round is the whole trip as a VMM
 *    with its own interrupt controller makes it: KVM_INTERRUPT, KVM_RUN,
 *    the entry that delivers the vector, the handler's OUT and the return
 *    to this process.  irq-ready: vector 0x30, a trap gate, so at the OUT
 *    exit the vCPU is ready for the next one (one exit a round);
 *    irq-window: vector 0x31, an interrupt gate, so the client asks for
 *    an interrupt window first and injects at KVM_EXIT_IRQ_WINDOW_OPEN,
 *    after the handler's IRET (two exits a round).  Either path is
 *    required, never fallen back from: a device that answers otherwise
 *    fails the measurement;
 *  - map-64M-kib, vm-64M-kib, map-64M-secpt-kib (touch.bin, 64 MiB): pages
 *    the kernel allocated, net (pgalloc_* - pgfree in /proc/vmstat, exact,
 *    unlike MemFree which the per-CPU page lists blur), minus the same
 *    count while this process wrote to the same pages of an equal mapping
 *    itself (the guest's pages and the host page tables).  map: while the
 *    guest wrote one byte to each of its pages (EPT tables and any
 *    tracking); vm: from before KVM_CREATE_VM to the same point (the VM,
 *    its vCPU, slots and mapping).  secpt: the change of SecPageTables in
 *    /proc/meminfo while the guest wrote, the EPT tables KVM accounts there
 *    (vmxlab does not account them: 0).  Median of REPS_MEM tries, in KiB.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>

#define LOAD_ADDR	0x1000
#define HOLE_START	0xa0000
#define HIGH_START	0x100000
#define MIB		(1024UL * 1024)
#define REPS		5
#define REPS_MEM	3
#define IRQ_ROUNDS	1000
#define IRQ_WARMUP	100
#define IRQ_VEC_TRAP	0x30	/* irq-cost.S: trap gate, OUT to 0x81 */
#define IRQ_VEC_GATE	0x31	/* irq-cost.S: interrupt gate, OUT to 0x82 */
#define IRQ_PORT_TRAP	0x81
#define IRQ_PORT_GATE	0x82

enum event { EV_PORT80, EV_END, EV_OTHER };

struct guest {
	int vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
	size_t size;
	char line[128];
	size_t line_len;
};

static const char *label;
static int sys_fd;
static size_t run_size;

static uint64_t rdtsc(void)
{
	return __rdtsc();
}

static void *load_guest(const char *dir, const char *name, size_t *len)
{
	static uint8_t buf[64 * 1024];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		err(1, "%s", path);
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		err(1, "reading %s", path);
	close(fd);
	*len = n;
	return memcpy(malloc(n), buf, n);
}

static uint8_t *guest_memory(size_t size, const void *code, size_t len)
{
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (mem == MAP_FAILED)
		err(1, "mmap %zu bytes of guest memory", size);
	if (madvise(mem, size, MADV_NOHUGEPAGE))
		err(1, "madvise(MADV_NOHUGEPAGE)");
	memcpy(mem + LOAD_ADDR, code, len);
	return mem;
}

static void set_slot(struct guest *g, uint32_t slot, uint64_t gpa, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)(g->mem + gpa),
	};

	if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &r))
		err(1, "KVM_SET_USER_MEMORY_REGION slot %u", slot);
}

/* The VM, its slots and its vCPU, ready to run at 0x1000 in real mode. */
static void guest_create(struct guest *g)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = LOAD_ADDR, .rsp = 0xfff0, .rbx = g->size, .rflags = 0x2,
	};

	g->vm = ioctl(sys_fd, KVM_CREATE_VM, 0UL);
	if (g->vm < 0)
		err(1, "KVM_CREATE_VM");
	set_slot(g, 0, 0, g->size < HOLE_START ? g->size : HOLE_START);
	if (g->size > HIGH_START)
		set_slot(g, 1, HIGH_START, g->size - HIGH_START);
	g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0UL);
	if (g->vcpu < 0)
		err(1, "KVM_CREATE_VCPU");
	g->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED)
		err(1, "mmap of the vCPU's run area");
	if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs))
		err(1, "KVM_GET_SREGS");
	sregs.cs.base = sregs.ds.base = sregs.es.base = sregs.ss.base = 0;
	sregs.cs.selector = sregs.ds.selector = sregs.es.selector = sregs.ss.selector = 0;
	if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs))
		err(1, "KVM_SET_SREGS");
	if (ioctl(g->vcpu, KVM_SET_REGS, &regs))
		err(1, "KVM_SET_REGS");
}

static void guest_destroy(struct guest *g)
{
	munmap(g->run, run_size);
	close(g->vcpu);
	close(g->vm);
	munmap(g->mem, g->size);
}

/* What a VMM sets before it runs a guest that uses CPUID. */
static void set_supported_cpuid(struct guest *g)
{
	size_t n = 256;
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));

	cpuid->nent = n;
	if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
		err(1, "KVM_GET_SUPPORTED_CPUID");
	if (ioctl(g->vcpu, KVM_SET_CPUID2, cpuid))
		err(1, "KVM_SET_CPUID2");
	free(cpuid);
}

static void guest_putc(struct guest *g, char c)
{
	if (c == '\n' || g->line_len == sizeof(g->line) - 1) {
		g->line[g->line_len] = 0;
		printf("BENCH %s %s\n", label, g->line);
		g->line_len = 0;
	}
	if (c != '\n')
		g->line[g->line_len++] = c;
}

/* One KVM_RUN and its exit answered. */
static enum event step(struct guest *g)
{
	struct kvm_run *run = g->run;
	uint8_t *data;

	if (ioctl(g->vcpu, KVM_RUN, 0UL)) {
		if (errno == EINTR)
			return EV_OTHER;
		err(1, "KVM_RUN");
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			memset(data, 0xff, run->io.size * run->io.count);
			return EV_OTHER;
		}
		if (run->io.port == 0xe9)
			guest_putc(g, *data);
		else if (run->io.port == 0x80)
			return EV_PORT80;
		else if (run->io.port == 0xf4 && *data)
			errx(1, "the guest ended with status %u", *data);
		else if (run->io.port == 0xf4)
			return EV_END;
		return EV_OTHER;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return EV_OTHER;
	case KVM_EXIT_HLT:
	case KVM_EXIT_INTR:
		return EV_OTHER;
	case KVM_EXIT_FAIL_ENTRY:
		errx(1, "KVM_EXIT_FAIL_ENTRY, reason %#llx",
		     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		errx(1, "KVM_EXIT_INTERNAL_ERROR, suberror %u", run->internal.suberror);
	case KVM_EXIT_SHUTDOWN:
		errx(1, "KVM_EXIT_SHUTDOWN (triple fault)");
	default:
		errx(1, "unexpected exit reason %u", run->exit_reason);
	}
}

static void expect(struct guest *g, enum event want, const char *what)
{
	enum event ev;

	/* Waiting for the end, the OUTs to port 0x80 before it do not count. */
	while ((ev = step(g)) == EV_OTHER || (want == EV_END && ev == EV_PORT80))
		;
	if (ev != want)
		errx(1, "%s: the guest %s", what, ev == EV_END ? "ended early" : "did not end");
}

static void print_value(const char *name, unsigned long long value)
{
	printf("BENCH %s %s %llu\n", label, name, value);
}

static void bench_exit_cost(const char *dir)
{
	struct guest g = { .size = HOLE_START };
	size_t len;
	void *code = load_guest(dir, "exit-cost", &len);

	g.mem = guest_memory(g.size, code, len);
	guest_create(&g);
	set_supported_cpuid(&g);
	expect(&g, EV_END, "exit-cost");
	guest_destroy(&g);
	free(code);
}

static void bench_create(const char *dir, size_t mib, const char *name)
{
	uint64_t t0, t1, t2, best_create = UINT64_MAX, best_run = UINT64_MAX;
	char what[64];
	size_t len;
	void *code = load_guest(dir, "first-out", &len);
	int i;

	for (i = 0; i < REPS; i++) {
		struct guest g = { .size = mib * MIB };

		g.mem = guest_memory(g.size, code, len);
		usleep(100 * 1000);	/* let deferred work of the last VM run */
		t0 = rdtsc();
		guest_create(&g);
		t1 = rdtsc();
		if (step(&g) != EV_PORT80)
			errx(1, "first-out: the first KVM_RUN did not end at the guest's OUT");
		t2 = rdtsc();
		if (t2 - t0 < best_create)
			best_create = t2 - t0;
		if (t2 - t1 < best_run)
			best_run = t2 - t1;
		expect(&g, EV_END, "first-out");
		guest_destroy(&g);
	}
	snprintf(what, sizeof(what), "create-%s", name);
	print_value(what, best_create);
	snprintf(what, sizeof(what), "first-run-%s", name);
	print_value(what, best_run);
	free(code);
}

/* KVM_RUN until it returns other than by a signal; the exit reason. */
static uint32_t irq_run(struct guest *g)
{
	while (ioctl(g->vcpu, KVM_RUN, 0UL))
		if (errno != EINTR)
			err(1, "KVM_RUN");
	return g->run->exit_reason;
}

static void irq_expect_out(struct guest *g, uint16_t port, const char *what)
{
	struct kvm_run *run = g->run;
	uint32_t reason = irq_run(g);

	if (reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT || run->io.port != port)
		errx(1, "%s: exit reason %u (port %#x) instead of the handler's OUT to %#x",
		     what, reason, reason == KVM_EXIT_IO ? run->io.port : 0, port);
}

static void irq_expect_hlt(struct guest *g, const char *what)
{
	uint32_t reason = irq_run(g);

	if (reason != KVM_EXIT_HLT)
		errx(1, "%s: exit reason %u instead of the guest's HLT", what, reason);
}

static void irq_inject(struct guest *g, uint32_t vector, const char *what)
{
	struct kvm_interrupt irq = { .irq = vector };

	if (!g->run->ready_for_interrupt_injection)
		errx(1, "%s: the vCPU is not ready for an interrupt (if_flag %u)",
		     what, g->run->if_flag);
	if (ioctl(g->vcpu, KVM_INTERRUPT, &irq))
		err(1, "%s: KVM_INTERRUPT %#x", what, vector);
}

/* The handler ran with IF = 1 (trap gate): inject the next one at once. */
static void irq_round_ready(struct guest *g)
{
	irq_inject(g, IRQ_VEC_TRAP, "irq-ready");
	irq_expect_out(g, IRQ_PORT_TRAP, "irq-ready");
}

/* The handler runs with IF = 0: wait for its IRET to open the window. */
static void irq_round_window(struct guest *g)
{
	struct kvm_run *run = g->run;
	uint32_t reason;

	if (run->ready_for_interrupt_injection)
		errx(1, "irq-window: ready for an interrupt in a handler with IF = 0");
	run->request_interrupt_window = 1;
	reason = irq_run(g);
	run->request_interrupt_window = 0;
	if (reason != KVM_EXIT_IRQ_WINDOW_OPEN)
		errx(1, "irq-window: exit reason %u instead of KVM_EXIT_IRQ_WINDOW_OPEN", reason);
	irq_inject(g, IRQ_VEC_GATE, "irq-window");
	irq_expect_out(g, IRQ_PORT_GATE, "irq-window");
}

/*
 * From the guest's HLT: the first interrupt, WARMUP rounds, ROUNDS timed
 * ones, then no more, and the guest's handlers return to its HLT.
 */
static void irq_measure(struct guest *g, const char *name, uint32_t vector, uint16_t port,
			void (*round)(struct guest *g))
{
	uint64_t t0;
	int i;

	irq_inject(g, vector, name);
	irq_expect_out(g, port, name);
	for (i = 0; i < IRQ_WARMUP; i++)
		round(g);
	t0 = rdtsc();
	for (i = 0; i < IRQ_ROUNDS; i++)
		round(g);
	print_value(name, (rdtsc() - t0) / IRQ_ROUNDS);
	irq_expect_hlt(g, name);
}

static void bench_irq(const char *dir)
{
	struct guest g = { .size = HOLE_START };
	size_t len;
	void *code = load_guest(dir, "irq-cost", &len);

	g.mem = guest_memory(g.size, code, len);
	guest_create(&g);
	irq_expect_hlt(&g, "irq-cost (start)");
	irq_measure(&g, "irq-ready", IRQ_VEC_TRAP, IRQ_PORT_TRAP, irq_round_ready);
	irq_measure(&g, "irq-window", IRQ_VEC_GATE, IRQ_PORT_GATE, irq_round_window);
	guest_destroy(&g);
	free(code);
}

/* A number from /proc/FILE: the sum of the lines starting with PREFIX. */
static long long proc_sum(const char *file, const char *prefix)
{
	static char buf[16384];
	long long sum = 0;
	size_t plen = strlen(prefix);
	ssize_t n, total = 0;
	char *p;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		err(1, "%s", file);
	while ((n = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, prefix, plen)) {
			char *v = p + plen;

			while (*v && *v != ' ' && *v != '\t')
				v++;
			sum += strtoll(v, NULL, 10);
		}
	}
	return sum;
}

/* Pages the kernel allocated and did not free, since boot. */
static long long net_pages(void)
{
	return proc_sum("/proc/vmstat", "pgalloc_") - proc_sum("/proc/vmstat", "pgfree ");
}

static long long sec_page_tables_kib(void)
{
	return proc_sum("/proc/meminfo", "SecPageTables:");
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_ll);
	return v[n / 2];
}

static void bench_memory(const char *dir)
{
	const size_t size = 64 * MIB;
	long long map[REPS_MEM], all[REPS_MEM], sec[REPS_MEM], host, s0, p0, p1, p2;
	size_t len, off;
	void *code = load_guest(dir, "touch", &len);
	int i;

	net_pages();		/* the first reads may allocate for good */
	sec_page_tables_kib();
	for (i = 0; i < REPS_MEM; i++) {
		struct guest g = { .size = size };
		uint8_t *mem = guest_memory(size, code, len);

		/* The same writes from this process: guest pages + host tables. */
		p0 = net_pages();
		for (off = 0xffc; off < size; off += 0x1000) {
			if (off == HOLE_START + 0xffc)
				off = HIGH_START + 0xffc;
			mem[off] = 1;
		}
		host = net_pages() - p0;
		munmap(mem, size);

		g.mem = guest_memory(size, code, len);
		p0 = net_pages();
		guest_create(&g);
		expect(&g, EV_PORT80, "touch (ready)");
		s0 = sec_page_tables_kib();
		p1 = net_pages();
		expect(&g, EV_PORT80, "touch (done)");
		p2 = net_pages();
		sec[i] = sec_page_tables_kib() - s0;
		expect(&g, EV_END, "touch");
		guest_destroy(&g);
		map[i] = (p2 - p1 - host) * 4;
		all[i] = (p2 - p0 - host) * 4;
		printf("BENCH %s map-64M-try %d: pages: host writes %lld, VM creation to ready %lld, guest writes %lld; SecPageTables %+lld KiB\n",
		       label, i, host, p1 - p0, p2 - p1, sec[i]);
		usleep(100 * 1000);
	}
	printf("BENCH %s map-64M-kib %lld\n", label, median(map, REPS_MEM));
	printf("BENCH %s vm-64M-kib %lld\n", label, median(all, REPS_MEM));
	printf("BENCH %s map-64M-secpt-kib %lld\n", label, median(sec, REPS_MEM));
	free(code);
}

int main(int argc, char **argv)
{
	int ret;

	if (argc != 4)
		errx(2, "usage: bench-client DEVICE LABEL GUESTDIR");
	label = argv[2];
	/*
	 * Nothing is written while measuring: in the emulated machine each
	 * line goes to the serial console, whose driver spins for the UART
	 * in the writer's context for every character (a serial line rate,
	 * in emulated time, is many thousand instructions a character),
	 * and that writer shares the one CPU with this process.  The lines
	 * come out at the end (exit flushes them, err() included), and the
	 * measuring starts once the console has caught up with what was
	 * printed before (an idle second costs Bochs next to nothing).
	 */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	sleep(1);
	sys_fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (sys_fd < 0)
		err(1, "%s", argv[1]);
	if (ioctl(sys_fd, KVM_GET_API_VERSION, 0UL) != KVM_API_VERSION)
		errx(1, "%s: KVM_GET_API_VERSION is not %d", argv[1], KVM_API_VERSION);
	ret = ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	if (ret < (int)sizeof(struct kvm_run))
		err(1, "KVM_GET_VCPU_MMAP_SIZE");
	run_size = ret;

	bench_exit_cost(argv[3]);
	bench_create(argv[3], 16, "16M");
	bench_create(argv[3], 256, "256M");
	bench_create(argv[3], 1024, "1G");
	bench_memory(argv[3]);
	bench_irq(argv[3]);
	printf("BENCH %s done\n", label);
	return 0;
}
