// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: what each exit of KVM_RUN means.  Port I/O goes to the few
 * devices a test guest needs (a debug console, COM1's transmitter, a
 * debug-exit port, a scratch port); HLT, a debug exit and a triple fault
 * end the run; every other exit ends it with a message naming the exit.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "run.h"
#include "vmxlab.h"

#define EXIT_NAME(x)	[KVM_EXIT_##x] = "KVM_EXIT_" #x

/* The exit reasons of <linux/kvm.h> (KVM's API documentation). */
static const char *const exit_names[] = {
	EXIT_NAME(UNKNOWN), EXIT_NAME(EXCEPTION), EXIT_NAME(IO),
	EXIT_NAME(HYPERCALL), EXIT_NAME(DEBUG), EXIT_NAME(HLT),
	EXIT_NAME(MMIO), EXIT_NAME(IRQ_WINDOW_OPEN), EXIT_NAME(SHUTDOWN),
	EXIT_NAME(FAIL_ENTRY), EXIT_NAME(INTR), EXIT_NAME(SET_TPR),
	EXIT_NAME(TPR_ACCESS), EXIT_NAME(S390_SIEIC), EXIT_NAME(S390_RESET),
	EXIT_NAME(DCR), EXIT_NAME(NMI), EXIT_NAME(INTERNAL_ERROR),
	EXIT_NAME(OSI), EXIT_NAME(PAPR_HCALL), EXIT_NAME(S390_UCONTROL),
	EXIT_NAME(WATCHDOG), EXIT_NAME(S390_TSCH), EXIT_NAME(EPR),
	EXIT_NAME(SYSTEM_EVENT), EXIT_NAME(S390_STSI), EXIT_NAME(IOAPIC_EOI),
	EXIT_NAME(HYPERV), EXIT_NAME(ARM_NISV), EXIT_NAME(X86_RDMSR),
	EXIT_NAME(X86_WRMSR), EXIT_NAME(DIRTY_RING_FULL),
	EXIT_NAME(AP_RESET_HOLD), EXIT_NAME(X86_BUS_LOCK), EXIT_NAME(XEN),
	EXIT_NAME(RISCV_SBI), EXIT_NAME(RISCV_CSR), EXIT_NAME(NOTIFY),
};

static const char *exit_name(uint32_t reason)
{
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "an exit reason this tool does not know";
}

/* "io" for KVM_EXIT_IO: the summary's short names. */
static void exit_short_name(uint32_t reason, char *buf, size_t size)
{
	const char *name = exit_name(reason);
	size_t i;

	if (strncmp(name, "KVM_EXIT_", 9)) {
		snprintf(buf, size, "reason-%u", reason);
		return;
	}
	name += 9;
	for (i = 0; i + 1 < size && name[i]; i++)
		buf[i] = tolower((unsigned char)name[i]);
	buf[i] = '\0';
}

static uint64_t guest_rip(const struct vm *vm)
{
	struct kvm_regs regs;

	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs))
		return ~0ULL;
	return regs.rip;
}

/* Port data is little-endian, as x86 itself: the low @size bytes. */
static uint32_t load_data(const uint8_t *data, unsigned int size)
{
	uint32_t value = 0;

	memcpy(&value, data, size < 4 ? size : 4);
	return value;
}

static void store_data(uint8_t *data, unsigned int size, uint32_t value)
{
	memset(data, 0xff, size);
	memcpy(data, &value, size < 4 ? size : 4);
}

/* A write to @port; returns -1, or the run's status for a debug exit. */
static int port_out(struct vm *vm, uint16_t port, uint32_t value)
{
	switch (port) {
	case PORT_DEBUGCON:
	case PORT_COM1_THR:
		putchar(value & 0xff);
		return -1;
	case PORT_DEBUG_EXIT:
		return value & RUN_DEBUG_EXIT_MASK;
	case PORT_SCRATCH:
		vm->scratch = value;
		return -1;
	default:
		vm->ignored_writes++;
		return -1;
	}
}

/* A read of @port: what the device answers; nothing there reads as ones. */
static uint32_t port_in(struct vm *vm, uint16_t port)
{
	switch (port) {
	case PORT_COM1_LSR:
		return COM1_LSR_IDLE;
	case PORT_SCRATCH:
		return vm->scratch;
	default:
		vm->unanswered_reads++;
		return 0xffffffff;
	}
}

/* One IN or OUT, or each element of a string instruction (INS/OUTS). */
static int handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;
	int status;

	for (i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_IN) {
			store_data(data, run->io.size, port_in(vm, run->io.port));
			continue;
		}
		status = port_out(vm, run->io.port, load_data(data, run->io.size));
		if (status >= 0)
			return status;
	}
	return -1;
}

static int guest_failed_entry(struct vm *vm)
{
	error_msg("the vCPU could not enter the guest (KVM_EXIT_FAIL_ENTRY): hardware entry failure reason 0x%llx on CPU %u",
		  (unsigned long long)vm->run->fail_entry.hardware_entry_failure_reason,
		  vm->run->fail_entry.cpu);
	return EXIT_FAILED;
}

static int guest_internal_error(struct vm *vm)
{
	static const char *const why[] = {
		[KVM_INTERNAL_ERROR_EMULATION] = "KVM failed to emulate an instruction",
		[KVM_INTERNAL_ERROR_SIMUL_EX] = "an exception came while delivering another",
		[KVM_INTERNAL_ERROR_DELIVERY_EV] = "KVM could not deliver an event",
	};
	uint32_t sub = vm->run->internal.suberror;

	error_msg("KVM could not go on with the guest (KVM_EXIT_INTERNAL_ERROR, suberror %u: %s) at rip 0x%" PRIx64,
		  sub, sub < ARRAY_SIZE(why) && why[sub] ? why[sub] : "see KVM's API documentation",
		  guest_rip(vm));
	return EXIT_FAILED;
}

static int guest_mmio(struct vm *vm)
{
	error_msg("the guest %s guest-physical address 0x%llx, outside its memory, where no device is (KVM_EXIT_MMIO) at rip 0x%" PRIx64,
		  vm->run->mmio.is_write ? "wrote" : "read",
		  (unsigned long long)vm->run->mmio.phys_addr, guest_rip(vm));
	return EXIT_FAILED;
}

int handle_exit(struct vm *vm)
{
	uint32_t reason = vm->run->exit_reason;

	vm->exits[reason < EXIT_REASONS ? reason : EXIT_REASONS - 1]++;
	switch (reason) {
	case KVM_EXIT_IO:
		return handle_io(vm);
	case KVM_EXIT_HLT:
		return EXIT_OK;
	case KVM_EXIT_INTR:	/* a signal came; its handler (if any) ran */
		return -1;
	case KVM_EXIT_SHUTDOWN:
		error_msg("guest triple-faulted (KVM_EXIT_SHUTDOWN)");
		return RUN_EXIT_SHUTDOWN;
	case KVM_EXIT_FAIL_ENTRY:
		return guest_failed_entry(vm);
	case KVM_EXIT_INTERNAL_ERROR:
		return guest_internal_error(vm);
	case KVM_EXIT_MMIO:
		return guest_mmio(vm);
	default:
		error_msg("the guest stopped with an exit this tool does not handle: %s (exit reason %u) at rip 0x%" PRIx64,
			  exit_name(reason), reason, guest_rip(vm));
		return EXIT_FAILED;
	}
}

static void trace_io(const struct kvm_run *run)
{
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
	uint32_t i;

	fprintf(stderr, " %s port 0x%04x size %u",
		run->io.direction == KVM_EXIT_IO_IN ? "in" : "out",
		run->io.port, run->io.size);
	if (run->io.count > 1)
		fprintf(stderr, " count %u", run->io.count);
	fprintf(stderr, " data");
	for (i = 0; i < run->io.count && i < 8; i++, data += run->io.size)
		fprintf(stderr, " 0x%0*x", run->io.size * 2,
			load_data(data, run->io.size));
	if (run->io.count > 8)
		fprintf(stderr, " ...");
}

static void trace_mmio(const struct kvm_run *run)
{
	uint64_t value = 0;

	memcpy(&value, run->mmio.data, run->mmio.len < 8 ? run->mmio.len : 8);
	fprintf(stderr, " %s address 0x%llx size %u",
		run->mmio.is_write ? "write" : "read",
		(unsigned long long)run->mmio.phys_addr, run->mmio.len);
	if (run->mmio.is_write)
		fprintf(stderr, " data 0x%" PRIx64, value);
}

void trace_exit(struct vm *vm)
{
	const struct kvm_run *run = vm->run;

	fflush(stdout);
	fprintf(stderr, "exit: %s", exit_name(run->exit_reason));
	if (run->exit_reason == KVM_EXIT_IO)
		trace_io(run);
	else if (run->exit_reason == KVM_EXIT_MMIO)
		trace_mmio(run);
	fprintf(stderr, " rip 0x%" PRIx64 "\n", guest_rip(vm));
}

void trace_summary(const struct vm *vm)
{
	char name[32];
	const char *sep = "";
	unsigned int i;

	fflush(stdout);
	fprintf(stderr, "ports: %lu write(s) ignored, %lu read(s) of unanswered ports\n",
		vm->ignored_writes, vm->unanswered_reads);
	fprintf(stderr, "exits:");
	for (i = 0; i < EXIT_REASONS; i++) {
		if (!vm->exits[i])
			continue;
		exit_short_name(i, name, sizeof(name));
		fprintf(stderr, "%s %s %lu", sep, name, vm->exits[i]);
		sep = ",";
	}
	fprintf(stderr, "\n");
}
