// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: run a flat real-mode binary as a guest through KVM's API
 * (<linux/kvm.h>), on /dev/vmxlab or, until vmxlab runs guests itself,
 * on /dev/kvm.
 *
 * The guest: one vCPU, one memory slot at guest-physical 0 of --mem bytes,
 * the image loaded at 0x1000 and started there in real mode with every
 * segment at 0 (CS:IP = 0000:1000, SS:SP = 0000:1000: the stack grows
 * down below the image).  run_exit.c says what the exits mean.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "vmxlab.h"

#define MEM_DEFAULT	(1UL << 20)
#define MEM_MIN		(64UL << 10)
#define MEM_MAX		(1UL << 30)
#define MEM_ALIGN	4096UL

/* KVM_GET_SUPPORTED_CPUID answers E2BIG while the table is too small. */
#define CPUID_ENTRIES_MAX	1024

struct run_options {
	const char *device;
	const char *guest;
	size_t mem_size;
	bool trace;
	bool no_cpuid;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab run [--device PATH] [--mode real] [--mem SIZE] [--trace]\n"
		"                  [--no-cpuid] GUEST.bin\n"
		"\n"
		"Run GUEST.bin, a flat binary of 16-bit code, as a guest through KVM's API:\n"
		"one vCPU in real mode, memory from guest-physical address 0, the image\n"
		"loaded at 0x1000 and started there (CS:IP = 0000:1000, SS:SP = 0000:1000,\n"
		"other segments 0).  The image must end below 64 KiB.\n"
		"\n"
		"The guest's ports:\n"
		"  0xE9, 0x3F8 (COM1)  a byte written goes to stdout\n"
		"  0x3FD (COM1 LSR)    reads 0x60: the transmitter is empty\n"
		"  0x510               reads the last value written to it\n"
		"  0xF4                a write ends the run with status VALUE & 0x7f\n"
		"  any other           reads all ones; writes are ignored (and counted)\n"
		"\n"
		"  --device PATH  the KVM-API device (default %s; /dev/kvm works too)\n"
		"  --mode MODE    the vCPU's mode: real (the only one so far)\n"
		"  --mem SIZE     guest memory, 64K to 1G, a multiple of 4K (K/M/G\n"
		"                 suffixes; default 1M)\n"
		"  --trace        each exit on stderr (reason; port, size, direction and\n"
		"                 data of port I/O; address of MMIO; RIP as KVM_GET_REGS\n"
		"                 reports it, which after an OUT is already past it),\n"
		"                 then a summary line \"exits: io 21, hlt 1\"\n"
		"  --no-cpuid     give the vCPU no CPUID table (by default it gets the\n"
		"                 device's KVM_GET_SUPPORTED_CPUID); KVM then answers\n"
		"                 every CPUID leaf with zeros\n"
		"  -h, --help     this help\n"
		"\n"
		"Exit status: 0 the guest executed HLT; VALUE & 0x7f after a write to port\n"
		"0xF4 (guests should use 16..127, clear of the tool's own statuses);\n"
		"%d the guest triple-faulted (KVM_EXIT_SHUTDOWN); 1 any other end, or the\n"
		"tool failed; 2 usage error; 3 device missing, or not a KVM-API device;\n"
		"4 VMX in use by another hypervisor.\n",
		VMXLAB_DEVICE_PATH, RUN_EXIT_SHUTDOWN);
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

static int set_mode(const char *arg)
{
	if (!strcmp(arg, "real"))
		return 0;
	if (!strcmp(arg, "protected") || !strcmp(arg, "long"))
		error_msg("run: --mode %s: not yet; only real mode runs so far", arg);
	else
		error_msg("run: --mode %s: unknown mode (only 'real' runs so far)", arg);
	return -1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_run_options(int argc, char **argv, struct run_options *opts)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'M' },
		{ "mem", required_argument, NULL, 'm' },
		{ "trace", no_argument, NULL, 't' },
		{ "no-cpuid", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			opts->device = optarg;
			break;
		case 'M':
			if (set_mode(optarg))
				return usage_hint("run");
			break;
		case 'm':
			if (set_mem(opts, optarg))
				return usage_hint("run");
			break;
		case 't':
			opts->trace = true;
			break;
		case 'c':
			opts->no_cpuid = true;
			break;
		case 'h':
			run_usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint("run");
		}
	}
	if (optind != argc - 1) {
		error_msg(optind < argc ? "run: one guest binary, please" :
			  "run: which guest? name a GUEST.bin");
		return usage_hint("run");
	}
	opts->guest = argv[optind];
	return -1;
}

/* Open @path and check that it speaks KVM's API; returns -EXIT_* on failure. */
static int open_kvm_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		if (errno == ENOENT)
			error_msg("%s not found: load its module (vmxlab for /dev/vmxlab, kvm_intel for /dev/kvm)", path);
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
	if (errno == ENOTTY) {
		error_msg("%s does not run guests yet (this vmxlab has no KVM_CREATE_VM); try --device /dev/kvm",
			  vm->device);
		return EXIT_FAILED;
	}
	if (errno == EBUSY) {
		error_msg("KVM_CREATE_VM on %s: VMX is in use by another hypervisor (is vmxlab holding it?)",
			  vm->device);
		return EXIT_VMX_BUSY;
	}
	error_msg("KVM_CREATE_VM on %s failed: %s", vm->device, strerror(errno));
	return EXIT_FAILED;
}

static int add_memory(struct vm *vm)
{
	struct kvm_userspace_memory_region region = { 0 };

	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		error_msg("cannot allocate %zu bytes of guest memory: %s",
			  vm->mem_size, strerror(errno));
		return EXIT_FAILED;
	}
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = vm->mem_size;
	region.userspace_addr = (unsigned long)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		error_msg("KVM_SET_USER_MEMORY_REGION on %s failed: %s",
			  vm->device, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* The image, at GUEST_LOAD_ADDRESS in guest memory. */
static int load_guest(struct vm *vm, const char *path)
{
	size_t room = GUEST_CODE_LIMIT - GUEST_LOAD_ADDRESS;
	struct stat st;
	ssize_t got;
	int fd;

	if (vm->mem_size < GUEST_CODE_LIMIT)
		room = vm->mem_size - GUEST_LOAD_ADDRESS;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		error_msg("cannot read the guest %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_FAILED;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0 || (size_t)st.st_size > room) {
		error_msg("the guest %s must be a non-empty file of at most %zu bytes (it is loaded at 0x%x and must end below 0x%x)",
			  path, room, GUEST_LOAD_ADDRESS, GUEST_CODE_LIMIT);
		close(fd);
		return EXIT_FAILED;
	}
	got = read(fd, (char *)vm->mem + GUEST_LOAD_ADDRESS, st.st_size);
	close(fd);
	if (got != st.st_size) {
		error_msg("cannot read the guest %s: %s", path,
			  got < 0 ? strerror(errno) : "short read");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* The device's supported CPUID table, as the vCPU's own (what a VMM does). */
static int set_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;
	unsigned int n = 64;
	int err = 0;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return EXIT_FAILED;
		cpuid->nent = n;
		if (!ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		err = errno;
		free(cpuid);
		if (err != E2BIG || n >= CPUID_ENTRIES_MAX) {
			error_msg("KVM_GET_SUPPORTED_CPUID on %s failed: %s (--no-cpuid runs without a CPUID table)",
				  vm->device, strerror(err));
			return EXIT_FAILED;
		}
		n *= 2;
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid))
		err = errno;
	free(cpuid);
	if (err) {
		error_msg("KVM_SET_CPUID2 on %s failed: %s", vm->device, strerror(err));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Real mode: every segment base and selector 0, CS:IP at the image. */
static int set_real_mode(struct vm *vm)
{
	struct kvm_segment *segs[6];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	unsigned int i;

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs)) {
		error_msg("KVM_GET_SREGS on %s failed: %s", vm->device, strerror(errno));
		return EXIT_FAILED;
	}
	segs[0] = &sregs.cs;
	segs[1] = &sregs.ds;
	segs[2] = &sregs.es;
	segs[3] = &sregs.fs;
	segs[4] = &sregs.gs;
	segs[5] = &sregs.ss;
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->selector = 0;
		segs[i]->base = 0;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_LOAD_ADDRESS;
	regs.rsp = GUEST_LOAD_ADDRESS;
	regs.rflags = 0x2;	/* bit 1 is always 1 */
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) ||
	    ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs)) {
		error_msg("setting the vCPU's registers on %s failed: %s",
			  vm->device, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int create_vcpu(struct vm *vm, bool no_cpuid)
{
	int size;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		error_msg("KVM_CREATE_VCPU on %s failed: %s", vm->device, strerror(errno));
		return EXIT_FAILED;
	}
	size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		error_msg("KVM_GET_VCPU_MMAP_SIZE on %s: %s", vm->device,
			  size < 0 ? strerror(errno) : "smaller than struct kvm_run");
		return EXIT_FAILED;
	}
	vm->run_size = size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		error_msg("cannot map the vCPU's kvm_run: %s", strerror(errno));
		return EXIT_FAILED;
	}
	if (!no_cpuid && set_cpuid(vm))
		return EXIT_FAILED;
	return set_real_mode(vm);
}

/* KVM_RUN until the guest ends; returns the run's exit status. */
static int run_guest(struct vm *vm)
{
	int status;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) && errno != EINTR) {
			error_msg("KVM_RUN on %s failed: %s", vm->device, strerror(errno));
			return EXIT_FAILED;
		}
		/* An IN's data is there only once the exit is handled. */
		if (vm->trace && vm->run->exit_reason != KVM_EXIT_IO)
			trace_exit(vm);
		status = handle_exit(vm);
		if (vm->trace && vm->run->exit_reason == KVM_EXIT_IO)
			trace_exit(vm);
		if (status >= 0)
			return status;
	}
}

static int setup_and_run(struct vm *vm, const struct run_options *opts)
{
	int status;

	status = create_vm(vm);
	if (!status)
		status = add_memory(vm);
	if (!status)
		status = load_guest(vm, opts->guest);
	if (!status)
		status = create_vcpu(vm, opts->no_cpuid);
	if (status)
		return status;
	status = run_guest(vm);
	fflush(stdout);
	if (vm->trace)
		trace_summary(vm);
	return status;
}

static void destroy_vm(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	close(vm->sys_fd);
}

int cmd_run(int argc, char **argv)
{
	struct run_options opts = {
		.device = VMXLAB_DEVICE_PATH,
		.mem_size = MEM_DEFAULT,
	};
	struct vm vm = { .vm_fd = -1, .vcpu_fd = -1 };
	int status;

	status = parse_run_options(argc, argv, &opts);
	if (status >= 0)
		return status;
	/* The guest's bytes show as they come, even if it never ends. */
	setvbuf(stdout, NULL, _IONBF, 0);
	vm.device = opts.device;
	vm.mem_size = opts.mem_size;
	vm.trace = opts.trace;
	vm.sys_fd = open_kvm_device(opts.device);
	if (vm.sys_fd < 0)
		return -vm.sys_fd;
	status = setup_and_run(&vm, &opts);
	destroy_vm(&vm);
	return status;
}
