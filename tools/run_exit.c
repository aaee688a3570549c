// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: what each exit of KVM_RUN means.  Port I/O and MMIO go to
 * the few devices a test guest needs (a debug console, COM1's
 * transmitter, a debug-exit port, a scratch port, a scratch MMIO bank);
 * HLT and a debug exit end the vCPU; a triple fault, a failed entry and
 * every exit the tool does not handle end the whole run with a message
 * naming it.  Called with vm->lock held: the devices are shared by the
 * vCPUs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <vmxlab/exits.h>
#include <vmxlab/names.h>

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

const char *kvm_exit_name(uint32_t reason)
{
	if (reason == VMXLAB_EXIT_EPT_WATCH)
		return "VMXLAB_EXIT_EPT_WATCH";
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "an exit reason this tool does not know";
}

uint64_t vcpu_rip(const struct vcpu *vcpu)
{
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
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

/* Bytes for stdout, gathered so that `rep outsb` is one write. */
struct out_buf {
	char bytes[512];
	size_t len;
};

static void out_flush(struct out_buf *out)
{
	if (out->len)
		fwrite(out->bytes, 1, out->len, stdout);
	out->len = 0;
}

static void out_byte(struct out_buf *out, char c)
{
	if (out->len == sizeof(out->bytes))
		out_flush(out);
	out->bytes[out->len++] = c;
}

/* A write to @port; returns -1, or the vCPU's status for a debug exit. */
static int port_out(struct vm *vm, struct out_buf *out, uint16_t port,
		    uint32_t value)
{
	switch (port) {
	case PORT_DEBUGCON:
	case PORT_COM1_THR:
		out_byte(out, value & 0xff);
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

/*
 * One IN or OUT, or every element of a string instruction (INS/OUTS, with
 * REP): KVM hands over @count elements of @size bytes at data_offset.
 */
static int handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	struct out_buf out = { .len = 0 };
	int status = -1;
	uint32_t i;

	for (i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_IN) {
			store_data(data, run->io.size, port_in(vcpu->vm, run->io.port));
			continue;
		}
		if (irq_port_out(vcpu, run->io.port, load_data(data, run->io.size)))
			continue;
		status = port_out(vcpu->vm, &out, run->io.port,
				  load_data(data, run->io.size));
		if (status >= 0)
			break;
	}
	out_flush(&out);
	if (status < 0)
		return -1;
	vcpu->end = VCPU_DEBUG_EXIT;
	return status;
}

static bool in_mmio_scratch(uint64_t gpa, uint32_t len)
{
	return gpa >= MMIO_SCRATCH_BASE &&
	       gpa - MMIO_SCRATCH_BASE + len <= MMIO_SCRATCH_SIZE;
}

/*
 * The scratch bank keeps what is written, byte for byte, so a read returns
 * the little-endian value last stored there; elsewhere there is no device.
 */
static int handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;
	uint32_t len = run->mmio.len < 8 ? run->mmio.len : 8;
	uint64_t gpa = run->mmio.phys_addr;

	if (in_mmio_scratch(gpa, len)) {
		uint8_t *reg = vm->mmio_scratch + (gpa - MMIO_SCRATCH_BASE);

		if (run->mmio.is_write)
			memcpy(reg, run->mmio.data, len);
		else
			memcpy(run->mmio.data, reg, len);
	} else if (run->mmio.is_write) {
		vm->mmio_ignored_writes++;
	} else {
		vm->mmio_unanswered_reads++;
		memset(run->mmio.data, 0xff, len);
	}
	return -1;
}

/* Bit 31 set: the basic reason of a failed entry; else VMfail's error. */
void describe_entry_failure(uint64_t reason, char *buf, size_t size)
{
	const char *name;

	if (reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		name = vmx_exit_reason_name(vmx_exit_basic_reason(reason));
		snprintf(buf, size, "VM entry failed (bit 31), basic exit reason %u %s",
			 vmx_exit_basic_reason(reason), name ? name : "(not in the SDM)");
		return;
	}
	name = vmx_insn_error_name(reason);
	snprintf(buf, size, "VM-instruction error %" PRIu64 "%s%s%s", reason,
		 name ? " (" : "", name ? name : "", name ? ")" : "");
}

static int failed(struct vcpu *vcpu, int status)
{
	vcpu->end = VCPU_FAILED;
	return status;
}

static int guest_failed_entry(struct vcpu *vcpu)
{
	uint64_t reason = vcpu->run->fail_entry.hardware_entry_failure_reason;
	char what[160], qual[200] = "";

	describe_entry_failure(reason, what, sizeof(what));
	if (vcpu->info && vcpu->info->magic == VMXLAB_EXIT_INFO_MAGIC) {
		int n = snprintf(qual, sizeof(qual), "; qualification 0x%llx: ",
				 (unsigned long long)vcpu->info->qualification);

		vmx_exit_describe(qual + n, sizeof(qual) - n, vcpu->info->exit_reason,
				  vcpu->info->qualification);
	}
	error_msg("the vCPU could not enter the guest (KVM_EXIT_FAIL_ENTRY): hardware entry failure reason 0x%" PRIx64 " (%s) on CPU %u%s",
		  reason, what, vcpu->run->fail_entry.cpu, qual);
	if (vcpu->info)
		explain_entry(stderr, vcpu);
	return failed(vcpu, EXIT_FAILED);
}

static int guest_internal_error(struct vcpu *vcpu)
{
	static const char *const why[] = {
		[KVM_INTERNAL_ERROR_EMULATION] = "KVM failed to emulate an instruction",
		[KVM_INTERNAL_ERROR_SIMUL_EX] = "an exception came while delivering another",
		[KVM_INTERNAL_ERROR_DELIVERY_EV] = "KVM could not deliver an event",
		[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "an exit the kernel does not handle",
	};
	const struct kvm_run *run = vcpu->run;
	uint32_t sub = run->internal.suberror, i, n;
	char data[16 * 20] = "";
	size_t len = 0;

	n = run->internal.ndata;
	if (n > ARRAY_SIZE(run->internal.data))
		n = ARRAY_SIZE(run->internal.data);
	for (i = 0; i < n; i++)
		len += snprintf(data + len, sizeof(data) - len, " 0x%llx",
				(unsigned long long)run->internal.data[i]);
	error_msg("the device could not go on with the guest (KVM_EXIT_INTERNAL_ERROR, suberror %u: %s) at rip 0x%" PRIx64 "; %u data word(s)%s%s",
		  sub, sub < ARRAY_SIZE(why) && why[sub] ? why[sub] : "see KVM's API documentation",
		  vcpu_rip(vcpu), run->internal.ndata, n ? ":" : "", data);
	return failed(vcpu, EXIT_FAILED);
}

int handle_exit(struct vcpu *vcpu)
{
	uint32_t reason = vcpu->run->exit_reason;

	if (reason == VMXLAB_EXIT_EPT_WATCH)
		return watch_hit(vcpu);
	vcpu->exits[reason < EXIT_REASONS ? reason : EXIT_REASONS - 1]++;
	switch (reason) {
	case KVM_EXIT_IO:
		return handle_io(vcpu);
	case KVM_EXIT_MMIO:
		return handle_mmio(vcpu);
	case KVM_EXIT_IRQ_WINDOW_OPEN:	/* run_irq.c asked for it */
	case KVM_EXIT_SET_TPR:		/* the guest lowered CR8: no controller here to care */
		return -1;
	case KVM_EXIT_HLT:
		if (irq_hlt_waits(vcpu))
			return -1;
		vcpu->end = VCPU_HLT;
		return EXIT_OK;
	case KVM_EXIT_SHUTDOWN:
		error_msg("guest triple-faulted (KVM_EXIT_SHUTDOWN)");
		return failed(vcpu, RUN_EXIT_SHUTDOWN);
	case KVM_EXIT_FAIL_ENTRY:
		return guest_failed_entry(vcpu);
	case KVM_EXIT_INTERNAL_ERROR:
		return guest_internal_error(vcpu);
	default:
		error_msg("the guest stopped with an exit this tool does not handle: %s (exit reason %u) at rip 0x%" PRIx64,
			  kvm_exit_name(reason), reason, vcpu_rip(vcpu));
		return failed(vcpu, EXIT_FAILED);
	}
}
