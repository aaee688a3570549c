// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: run a guest through KVM's API (<linux/kvm.h>) on
 * /dev/vmxlab, or on /dev/kvm, the reference.
 *
 * The guest: one memory slot at guest-physical 0 of --mem bytes, a flat
 * binary at 0x1000 or an ELF executable at its physical addresses, and
 * --vcpus vCPUs that start at the entry in the --mode asked for
 * (run_setup.c).  This file has the options and the VM's life; the other
 * run_*.c files are listed in run.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "run.h"
#include "vmxlab.h"

#define MEM_DEFAULT	(1UL << 20)
#define MEM_MIN		(64UL << 10)
#define MEM_MIN_TABLES	(128UL << 10)	/* the image's room + the tables' 64K */
#define MEM_MAX		(1UL << 30)
#define MEM_ALIGN	4096UL

/* KVM_GET_SUPPORTED_CPUID answers E2BIG while the table is too small. */
#define CPUID_ENTRIES_MAX	1024

#define TIMEOUT_MAX	(24 * 3600)

struct run_options {
	const char *device;
	const char *guest;
	size_t mem_size;
	enum run_mode mode;
	unsigned int vcpus;
	unsigned int timeout;
	bool trace;
	bool no_cpuid;
	const char *cpuid_file;
	struct kvm_cpuid2 *cpuid_table;	/* --cpuid-file's, read before the device is opened */
	bool migrate;
	bool vmcs;
	bool vmcs_diff;
	struct vmcs_writes vmcs_writes;
	const char *exit_trace;
	bool cycles;
	bool dump_setup;
	struct watch_opt watches[WATCHES_MAX];
	unsigned int nr_watches;
	unsigned int watch_max;
	bool irq;
	int hlt_irq;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab run [--device PATH] [--mode MODE] [--mem SIZE] [--vcpus N]\n"
		"                  [--trace] [--timeout SECONDS] [--migrate]\n"
		"                  [--no-cpuid | --cpuid-file FILE]\n"
		"                  [--vmcs] [--vmcs-diff] [--exit-trace FILE] [--cycles]\n"
		"                  [--vmcs-write FIELD=VALUE]...\n"
		"                  [--watch GPA[+LEN]:DENY[:once|:block]]... [--watch-max N]\n"
		"                  [--irq] [--hlt-irq VECTOR]\n"
		"                  GUEST\n"
		"\n"
		"Run GUEST as a virtual machine through KVM's API.  GUEST is an ELF\n"
		"executable (ELF32 or ELF64, x86): each PT_LOAD segment is loaded at its\n"
		"physical address (p_paddr) and the vCPUs start at its entry; or any\n"
		"other file, a flat binary loaded and started at 0x1000.  Guest memory\n"
		"is one slot from guest-physical address 0.  The stack pointer is 0x1000\n"
		"(the stack grows down below a flat image), RBX holds the vCPU's number\n"
		"(0, 1, ...), the other general registers are 0.\n"
		"\n"
		"Modes (the vCPU starts already in it, with flat segments):\n"
		"  real       16-bit real mode, every segment 0: CS:IP = 0000:ENTRY,\n"
		"             SS:SP = 0000:1000; code must end below 64 KiB\n"
		"  protected  32-bit protected mode, paging off; flat 4 GiB code (CS 0x08)\n"
		"             and data (DS, ES, FS, GS, SS 0x10) segments; CR0 = PE|ET|NE\n"
		"  paged      protected + 32-bit paging: CR4.PSE, one page directory of\n"
		"             4 MiB pages mapping all 4 GiB to themselves; CR0.PG|WP\n"
		"  long       64-bit mode (EFER.LME|LMA, CR4.PAE, CR0.PG|WP|PE|NE|ET),\n"
		"             CS 0x18 with L = 1; 4-level paging maps the first 4 GiB to\n"
		"             themselves with 2 MiB pages\n"
		"Outside real mode the tool keeps its GDT, TSS (TR 0x20) and page tables in\n"
		"the top 64 KiB of guest memory: the guest must not touch it, and the\n"
		"image must end below it.  There is no IDT (limit 0): an exception\n"
		"triple-faults until the guest loads one.  Those modes need --mem 128K+.\n"
		"\n"
		"The guest's devices:\n"
		"  port 0xE9, 0x3F8 (COM1)   a byte written goes to stdout\n"
		"  port 0x3FD (COM1 LSR)     reads 0x60: the transmitter is empty\n"
		"  port 0x510                reads the last value written to it\n"
		"  port 0xF4                 a write ends the vCPU with status VALUE & 0x7f\n"
		"  other ports               read all ones; writes are ignored (and counted)\n"
		"  Port I/O may be 1, 2 or 4 bytes, and string forms (rep outsb...).\n"
		"  MMIO 0xD0000000-0xD0000FFF a scratch bank: a read returns what was last\n"
		"                            written there (little-endian; initially 0)\n"
		"  other unbacked addresses  read all ones; writes are ignored (and counted)\n"
		"  HLT                       ends the vCPU with status 0\n"
		"  with --irq (an interrupt controller, through KVM_INTERRUPT and KVM_NMI):\n"
		"  port 0x511                a write raises interrupt VECTOR = VALUE & 0xff\n"
		"                            for the writing vCPU; it is injected once the\n"
		"                            device says the vCPU is ready for one, else the\n"
		"                            tool asks for an interrupt window\n"
		"  port 0x512                a write raises an NMI (KVM_NMI)\n"
		"  HLT                       waits (does not end the vCPU) while an\n"
		"                            interrupt is raised and IF = 1, or an NMI\n"
		"\n"
		"  --device PATH    the KVM-API device (default %s; /dev/kvm runs the\n"
		"                   same guest on KVM)\n"
		"  --mode MODE      real (default), protected, paged or long\n"
		"  --mem SIZE       guest memory, 64K to 1G, a multiple of 4K (K/M/G\n"
		"                   suffixes; default 1M)\n"
		"  --vcpus N        N vCPUs (1 to %d), each in a thread of its own, all\n"
		"                   starting at the entry; vCPU i has i in RBX; their\n"
		"                   output shares stdout and the devices\n"
		"  --trace          each exit on stderr: the KVM exit (port, size,\n"
		"                   direction, count and data of port I/O; address, length,\n"
		"                   direction and data of MMIO) and RIP as KVM_GET_REGS\n"
		"                   reports it (at an I/O or MMIO exit, the instruction's\n"
		"                   own: RIP moves on when KVM_RUN completes it); on vmxlab\n"
		"                   also the VM exit behind it (reason, qualification\n"
		"                   decoded, RIP at the exit).  At the end, as the last\n"
		"                   lines: \"migrations: N\" (with --migrate), the registers\n"
		"                   (\"regs: rax=0x0 ...\"), on vmxlab \"vmx exits: hlt 1, ...\",\n"
		"                   and \"exits: io 21, hlt 1\" (KVM exits seen by the tool)\n"
		"  --timeout SECS   stop the guest after SECS seconds (SIGALRM)\n"
		"  --vmcs           vmxlab only: at the end, vCPU 0's VMCS, every field\n"
		"                   grouped as the SDM's Appendix B groups them\n"
		"  --vmcs-diff      vmxlab only: at each exit of vCPU 0 to user space,\n"
		"                   the VMCS fields that changed since the previous one\n"
		"  --vmcs-write FIELD=VALUE  vmxlab only, repeatable (up to %d): write\n"
		"                   FIELD (a name as --vmcs prints it, e.g. GUEST_CR0, or\n"
		"                   an encoding) of vCPU 0's VMCS before it first runs, to\n"
		"                   see what VM entry makes of it (a refused entry is\n"
		"                   explained).  Taken as given: guest segments, GDTR,\n"
		"                   IDTR, CR3, DR7, RSP, RIP, RFLAGS, activity and\n"
		"                   interruptibility state, pending debug exceptions.\n"
		"                   GUEST_CR0, GUEST_CR4, GUEST_IA32_EFER: only a value VM\n"
		"                   entry refuses.  The five control fields: only in bits\n"
		"                   the capability MSRs fix (entry fails; they last one run)\n"
		"  --exit-trace FILE  vmxlab only: every VM exit, in-kernel ones too, one\n"
		"                   line each to FILE ('-': stderr): sequence number,\n"
		"                   exit reason, RIP, instruction length, qualification,\n"
		"                   guest-physical address, RAX/RCX/RDX/RBX, description\n"
		"  --cycles         vmxlab only: time every VM exit (host TSC cycles from\n"
		"                   the exit to the vCPU's next VM entry; for exits to user\n"
		"                   space that includes this tool's handling) and print, at\n"
		"                   the end on stderr, per vCPU and basic exit reason, the\n"
		"                   exits timed, their mean and a histogram in power-of-two\n"
		"                   buckets; the last exit is \"pending\", not yet timed\n"
		"  --watch GPA[+LEN]:DENY[:ACTION]\n"
		"                   vmxlab only: an EPT watch on guest-physical GPA..GPA+LEN-1\n"
		"                   (multiples of 4K; LEN default 4K; K/M suffixes) that\n"
		"                   denies DENY, one or more of r (read), w (write), x\n"
		"                   (execute); denying r denies w too.  Each access it\n"
		"                   stops is a line on stderr, \"watch: vcpu N KIND gpa 0x..\n"
		"                   rip 0x.. [gla 0x..] -> allowed once|blocked\"; then\n"
		"                   ACTION once (default) lets that one access happen, block\n"
		"                   runs the instruction again, which hits again.  Up to %d\n"
		"                   watches, ranges that do not overlap\n"
		"  --watch-max N    end the run after N watch hits in all, with status %d\n"
		"                   (default %d)\n"
		"  --irq            the interrupt ports 0x511 and 0x512 (above); with\n"
		"                   --trace each injection is a line on stderr,\n"
		"                   \"inject: vcpu N interrupt 0xVV\" or \"inject: vcpu N NMI\"\n"
		"  --hlt-irq VECTOR  --irq, and a timer: each HLT with IF = 1 raises\n"
		"                   VECTOR (0 to 255), so that \"sti; hlt\" takes it\n"
		"  --migrate        move the vCPU threads between the CPUs the tool may\n"
		"                   use, round-robin, every 20 ms, while the guest runs\n"
		"  --no-cpuid       give the vCPUs no CPUID table (by default they get the\n"
		"                   device's KVM_GET_SUPPORTED_CPUID); KVM then answers\n"
		"                   every CPUID leaf with zeros\n"
		"  --cpuid-file FILE  give every vCPU exactly the CPUID table of FILE\n"
		"                   (KVM_SET_CPUID2) instead of the device's supported\n"
		"                   one, e.g. the same table on /dev/vmxlab and /dev/kvm.\n"
		"                   One entry a line, as struct kvm_cpuid_entry2:\n"
		"                     function index flags eax ebx ecx edx\n"
		"                   numbers in decimal or 0x hex, '#' starts a comment;\n"
		"                   flags 1 (KVM_CPUID_FLAG_SIGNIFCANT_INDEX: index\n"
		"                   selects the subleaf), 2 and 4 (stateful, ignored);\n"
		"                   an index needs flag 1; two entries for the same\n"
		"                   function and index, or more than %d, are errors.\n"
		"                   The device still keeps the bits the SDM makes\n"
		"                   dynamic (OSXSAVE, OSPKE, APIC, XSAVE sizes) in step\n"
		"                   with the guest's CR4, XCR0 and IA32_APIC_BASE\n"
		"  -h, --help       this help\n"
		"\n"
		"SIGINT, SIGTERM and SIGALRM stop a running guest (KVM_EXIT_INTR).\n"
		"\n"
		"Exit status: 0 every vCPU executed HLT; VALUE & 0x7f after a write to\n"
		"port 0xF4 (guests should use 16..127, clear of the tool's own statuses);\n"
		"with several vCPUs, the first non-zero one of vCPU 0, 1, ... once all have\n"
		"ended.  %d the guest triple-faulted (KVM_EXIT_SHUTDOWN); %d a signal or\n"
		"--timeout stopped it; 1 a failed entry (KVM_EXIT_FAIL_ENTRY), an internal\n"
		"error, an exit the tool does not handle, or the tool failed (a triple\n"
		"fault or an error of any vCPU ends every vCPU); 2 usage error; 3 device\n"
		"missing, or not a KVM-API device; 4 VMX in use by another hypervisor;\n"
		"%d --watch-max watch hits.\n",
		VMXLAB_DEVICE_PATH, VCPUS_MAX, VMXLAB_MAX_VMCS_WRITES, WATCHES_MAX,
		RUN_EXIT_WATCH_LIMIT, WATCH_MAX_DEFAULT, CPUID_FILE_MAX, RUN_EXIT_SHUTDOWN,
		RUN_EXIT_INTERRUPTED, RUN_EXIT_WATCH_LIMIT);
}

/* "1M", "640K", "65536": false if @s is not a size; huge ones saturate. */
static bool parse_size(const char *s, unsigned long long *bytes)
{
	unsigned long long value;
	unsigned int shift = 0;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	value = strtoull(s, &end, 10);
	if (errno)
		value = ULLONG_MAX;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end)
		return false;
	*bytes = value > (ULLONG_MAX >> shift) ? ULLONG_MAX : value << shift;
	return true;
}

static int set_mem(struct run_options *opts, const char *arg)
{
	unsigned long long size;

	if (!parse_size(arg, &size)) {
		error_msg("run: --mem '%s' is not a size (a number with an optional K, M or G)", arg);
		return -1;
	}
	if (size < MEM_MIN || size > MEM_MAX || size % MEM_ALIGN) {
		error_msg("run: --mem %s: guest memory must be 64K to 1G and a multiple of 4K", arg);
		return -1;
	}
	opts->mem_size = size;
	return 0;
}

static int set_mode(struct run_options *opts, const char *arg)
{
	static const enum run_mode modes[] = {
		MODE_REAL, MODE_PROTECTED, MODE_PAGED, MODE_LONG,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(arg, mode_name(modes[i]))) {
			opts->mode = modes[i];
			return 0;
		}
	}
	error_msg("run: --mode %s: unknown mode (real, protected, paged or long)", arg);
	return -1;
}

/* A decimal number in [min, max] for option @name. */
static int set_number(const char *name, const char *arg, unsigned int min,
		      unsigned int max, unsigned int *value)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || n < min || n > max) {
		error_msg("run: --%s '%s': give a number from %u to %u", name, arg, min, max);
		return -1;
	}
	*value = n;
	return 0;
}

/* Options that only make sense together; -1 if they are fine. */
static int check_options(const struct run_options *opts)
{
	if (opts->no_cpuid && opts->cpuid_file) {
		error_msg("run: --no-cpuid and --cpuid-file: give the vCPUs no table or that one, not both");
		return usage_hint("run");
	}
	if (opts->mode != MODE_REAL && opts->mem_size < MEM_MIN_TABLES) {
		error_msg("run: --mode %s needs --mem 128K or more (the tool's tables take the top 64K)",
			  mode_name(opts->mode));
		return usage_hint("run");
	}
	return -1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_run_options(int argc, char **argv, struct run_options *opts)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'M' },
		{ "mem", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "trace", no_argument, NULL, 't' },
		{ "migrate", no_argument, NULL, 'g' },
		{ "no-cpuid", no_argument, NULL, 'c' },
		{ "cpuid-file", required_argument, NULL, 'C' },
		{ "vmcs", no_argument, NULL, 'V' },
		{ "vmcs-diff", no_argument, NULL, 'W' },
		{ "exit-trace", required_argument, NULL, 'X' },
		{ "vmcs-write", required_argument, NULL, 'Y' },
		{ "cycles", no_argument, NULL, 'Z' },
		{ "watch", required_argument, NULL, 'w' },
		{ "watch-max", required_argument, NULL, 'x' },
		{ "irq", no_argument, NULL, 'i' },
		{ "hlt-irq", required_argument, NULL, 'H' },
		/* Not in --help: the tool tests' view of run_setup.c. */
		{ "dump-setup", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int vector;
	int opt, bad = 0;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			opts->device = optarg;
			break;
		case 'M':
			bad = set_mode(opts, optarg);
			break;
		case 'm':
			bad = set_mem(opts, optarg);
			break;
		case 'v':
			bad = set_number("vcpus", optarg, 1, VCPUS_MAX, &opts->vcpus);
			break;
		case 'T':
			bad = set_number("timeout", optarg, 1, TIMEOUT_MAX, &opts->timeout);
			break;
		case 't':
			opts->trace = true;
			break;
		case 'V':
			opts->vmcs = true;
			break;
		case 'W':
			opts->vmcs_diff = true;
			break;
		case 'X':
			opts->exit_trace = optarg;
			break;
		case 'w':
			bad = watch_parse(opts->watches, &opts->nr_watches, optarg);
			break;
		case 'x':
			bad = set_number("watch-max", optarg, 1, 1000000, &opts->watch_max);
			break;
		case 'Y':
			bad = vmcs_write_parse(&opts->vmcs_writes, optarg);
			break;
		case 'Z':
			opts->cycles = true;
			break;
		case 'i':
			opts->irq = true;
			break;
		case 'H':
			bad = set_number("hlt-irq", optarg, 0, 255, &vector);
			opts->hlt_irq = vector;
			opts->irq = true;
			break;
		case 'g':
			opts->migrate = true;
			break;
		case 'c':
			opts->no_cpuid = true;
			break;
		case 'C':
			opts->cpuid_file = optarg;
			break;
		case 'D':
			opts->dump_setup = true;
			break;
		case 'h':
			run_usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint("run");
		}
		if (bad)
			return usage_hint("run");
	}
	if (optind != argc - 1) {
		error_msg(optind < argc ? "run: one guest file, please" :
			  "run: which guest? name a GUEST file");
		return usage_hint("run");
	}
	opts->guest = argv[optind];
	return check_options(opts);
}

/* Open @path and check that it speaks KVM's API; returns -EXIT_* on failure. */
static int open_kvm_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		if (errno == ENOENT)
			error_msg("%s not found: load its module (vmxlab for /dev/vmxlab, kvm_intel for /dev/kvm)", path);
		else if (errno == EACCES || errno == EPERM)
			explain_permission_denied(path);
		else
			error_msg("cannot open %s: %s", path, strerror(errno));
		return -EXIT_NO_DEVICE;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		if (version < 0)
			error_msg("%s does not speak KVM's API (KVM_GET_API_VERSION: %s)",
				  path, strerror(errno));
		else
			error_msg("%s speaks KVM API version %d; this tool knows %d",
				  path, version, KVM_API_VERSION);
		close(fd);
		return -EXIT_NO_DEVICE;
	}
	return fd;
}

static int create_vm(struct vm *vm)
{
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd >= 0)
		return EXIT_OK;
	if (errno == EBUSY) {
		error_msg("KVM_CREATE_VM on %s: VMX is in use by another hypervisor (is vmxlab holding it?)",
			  vm->device);
		return EXIT_VMX_BUSY;
	}
	error_msg("KVM_CREATE_VM on %s failed: %s", vm->device, strerror(errno));
	return EXIT_FAILED;
}

static int alloc_memory(struct vm *vm)
{
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		error_msg("cannot allocate %zu bytes of guest memory: %s",
			  vm->mem_size, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int add_memory(struct vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem_size,
		.userspace_addr = (unsigned long)vm->mem,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		error_msg("KVM_SET_USER_MEMORY_REGION on %s failed: %s",
			  vm->device, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* The device's supported CPUID table, as the vCPU's own (what a VMM does). */
static struct kvm_cpuid2 *get_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;
	unsigned int n = 64;
	int err;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return NULL;
		cpuid->nent = n;
		if (!ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			return cpuid;
		err = errno;
		free(cpuid);
		if (err != E2BIG || n >= CPUID_ENTRIES_MAX) {
			error_msg("KVM_GET_SUPPORTED_CPUID on %s failed: %s (--no-cpuid runs without a CPUID table)",
				  vm->device, strerror(err));
			return NULL;
		}
		n *= 2;
	}
}

static int set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid)) {
		error_msg("KVM_SET_CPUID2 on %s failed: %s", vcpu->vm->device,
			  strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* The mode's segments, control registers and tables; then the GPRs. */
static int set_registers(struct vcpu *vcpu)
{
	const char *what = "KVM_GET_SREGS";
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (!ioctl(vcpu->fd, KVM_GET_SREGS, &sregs)) {
		setup_sregs(vcpu->vm, &sregs);
		setup_regs(vcpu->vm, vcpu->id, &regs);
		what = "KVM_SET_SREGS";
		if (!ioctl(vcpu->fd, KVM_SET_SREGS, &sregs)) {
			what = "KVM_SET_REGS";
			if (!ioctl(vcpu->fd, KVM_SET_REGS, &regs))
				return EXIT_OK;
		}
	}
	error_msg("%s for vCPU %u (%s mode) on %s failed: %s", what, vcpu->id,
		  mode_name(vcpu->vm->mode), vcpu->vm->device, strerror(errno));
	return EXIT_FAILED;
}

static int map_run(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;

	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		error_msg("cannot map the kvm_run of vCPU %u: %s", vcpu->id, strerror(errno));
		return EXIT_FAILED;
	}
	/*
	 * vmxlab's exit information follows kvm_run, marked by its magic
	 * from the vCPU's creation on; KVM's area holds other things there.
	 */
	if (vm->run_size >= VMXLAB_EXIT_INFO_OFFSET + sizeof(struct vmxlab_exit_info)) {
		vcpu->info = (const void *)((const uint8_t *)vcpu->run + VMXLAB_EXIT_INFO_OFFSET);
		if (vcpu->info->magic != VMXLAB_EXIT_INFO_MAGIC)
			vcpu->info = NULL;
	}
	return EXIT_OK;
}

static int create_vcpu(struct vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	struct vm *vm = vcpu->vm;
	int status;

	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, vcpu->id);
	if (vcpu->fd < 0) {
		error_msg("KVM_CREATE_VCPU %u on %s failed: %s", vcpu->id, vm->device,
			  strerror(errno));
		return EXIT_FAILED;
	}
	status = map_run(vcpu);
	if (!status && cpuid)
		status = set_cpuid(vcpu, cpuid);
	if (!status)
		status = set_registers(vcpu);
	return status;
}

static int create_vcpus(struct vm *vm, const struct run_options *opts)
{
	struct kvm_cpuid2 *cpuid = NULL;
	int size, status = EXIT_OK;
	unsigned int i;

	size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		error_msg("KVM_GET_VCPU_MMAP_SIZE on %s: %s", vm->device,
			  size < 0 ? strerror(errno) : "smaller than struct kvm_run");
		return EXIT_FAILED;
	}
	vm->run_size = size;
	if (!opts->no_cpuid && !opts->cpuid_table) {
		cpuid = get_cpuid(vm);
		if (!cpuid)
			return EXIT_FAILED;
	}
	for (i = 0; i < vm->nr_vcpus && !status; i++)
		status = create_vcpu(&vm->vcpus[i], cpuid ? cpuid : opts->cpuid_table);
	free(cpuid);
	return status;
}

static void print_final_vmcs(const struct vm *vm)
{
	struct vmcs_snapshot *snap = vmcs_snapshot_take(&vm->vcpus[0]);

	if (!snap) {
		error_msg("--vmcs: cannot read the VMCS from %s: %s", vm->device,
			  strerror(errno));
		return;
	}
	fprintf(stderr, "VMCS of vCPU 0:\n");
	vmcs_snapshot_print(stderr, snap);
	free(snap);
}

static int setup_and_run(struct vm *vm, const struct run_options *opts)
{
	unsigned int i;
	int status;

	status = create_vm(vm);
	if (!status)
		status = add_memory(vm);
	if (!status)
		status = watch_install(vm);
	if (!status)
		status = create_vcpus(vm, opts);
	if (status)
		return status;
	if (vm->vmcs_diff && !vm->vcpus[0].info) {
		error_msg("--vmcs-diff: %s is not vmxlab: no VMCS to read", vm->device);
		return EXIT_USAGE;
	}
	if (vm->vmcs_writes) {
		if (!vm->vcpus[0].info) {
			error_msg("--vmcs-write: %s is not vmxlab: no VMCS to write", vm->device);
			return EXIT_USAGE;
		}
		status = vmcs_writes_apply(&vm->vcpus[0], vm->vmcs_writes);
		if (status)
			return status;
	}
	if (vm->exit_trace) {
		status = exit_trace_start(vm);
		if (status)
			return status;
	}
	if (vm->cycles) {
		status = cycles_start(vm);
		if (status)
			return status;
	}
	status = run_vcpus(vm);
	fflush(stdout);
	if (vm->exit_trace)
		for (i = 0; i < vm->nr_vcpus; i++)
			exit_trace_drain(&vm->vcpus[i]);
	if (vm->cycles)
		cycles_report(vm);
	if (vm->vmcs)
		print_final_vmcs(vm);
	if (vm->trace)
		trace_summary(vm);
	return status;
}

static void destroy_vm(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
}

static void init_vm(struct vm *vm, const struct run_options *opts)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->device = opts->device;
	vm->sys_fd = -1;
	vm->vm_fd = -1;
	vm->mem_size = opts->mem_size;
	vm->mode = opts->mode;
	vm->trace = opts->trace;
	vm->migrate = opts->migrate;
	vm->vmcs = opts->vmcs;
	vm->vmcs_diff = opts->vmcs_diff;
	vm->vmcs_writes = opts->vmcs_writes.count ? &opts->vmcs_writes : NULL;
	vm->cycles = opts->cycles;
	vm->timeout = opts->timeout;
	vm->nr_vcpus = opts->vcpus;
	memcpy(vm->watches, opts->watches, sizeof(vm->watches));
	vm->nr_watches = opts->nr_watches;
	vm->watch_max = opts->watch_max;
	vm->irq = opts->irq;
	vm->hlt_irq = opts->hlt_irq;
	pthread_mutex_init(&vm->lock, NULL);
	for (i = 0; i < VCPUS_MAX; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
		vm->vcpus[i].fd = -1;
		vm->vcpus[i].irq_raised = -1;
	}
}

/* The guest's memory, image and tables: all before the device is asked. */
static int prepare_guest(struct vm *vm, const char *path)
{
	int status = alloc_memory(vm);

	if (!status)
		status = load_guest(vm, path);
	if (!status)
		setup_tables(vm);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_options opts = {
		.device = VMXLAB_DEVICE_PATH,
		.mem_size = MEM_DEFAULT,
		.mode = MODE_REAL,
		.vcpus = 1,
		.watch_max = WATCH_MAX_DEFAULT,
		.hlt_irq = -1,
	};
	static struct vm vm;
	int status;

	status = parse_run_options(argc, argv, &opts);
	if (status >= 0)
		return status;
	if (opts.cpuid_file) {
		opts.cpuid_table = cpuid_file_load(opts.cpuid_file);
		if (!opts.cpuid_table)
			return EXIT_USAGE;
	}
	/* The guest's bytes show as they come, even if it never ends. */
	setvbuf(stdout, NULL, _IONBF, 0);
	init_vm(&vm, &opts);
	if (opts.exit_trace) {
		vm.exit_trace = strcmp(opts.exit_trace, "-") ? fopen(opts.exit_trace, "w") : stderr;
		if (!vm.exit_trace) {
			error_msg("--exit-trace: cannot write %s: %s", opts.exit_trace,
				  strerror(errno));
			return EXIT_FAILED;
		}
	}
	if (!opts.dump_setup) {
		vm.sys_fd = open_kvm_device(opts.device);
		if (vm.sys_fd < 0)
			return -vm.sys_fd;
	}
	status = prepare_guest(&vm, opts.guest);
	if (!status && opts.dump_setup)
		dump_setup(&vm);
	else if (!status)
		status = setup_and_run(&vm, &opts);
	destroy_vm(&vm);
	free(opts.cpuid_table);
	if (vm.exit_trace && vm.exit_trace != stderr && fclose(vm.exit_trace)) {
		error_msg("--exit-trace: writing %s: %s", opts.exit_trace, strerror(errno));
		status = status ? status : EXIT_FAILED;
	}
	return status;
}
