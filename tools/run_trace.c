// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --trace: every exit to user space on stderr, decoded, and on
 * /dev/vmxlab the hardware VM exit behind it (struct vmxlab_exit_info,
 * past struct kvm_run in the mmap'd area); at the end the registers and
 * counts of the exits.  The last lines of stderr are, in this order:
 *   migrations: N          (with --migrate)
 *   vcpuN regs: ...        (vCPUs 1.. with --vcpus)
 *   regs: rax=0x.. ...     (vCPU 0)
 *   vmx exits: hlt 1, ...  (on vmxlab only)
 *   exits: io 21, hlt 1
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <vmxlab/exits.h>

#include "run.h"
#include "vmxlab.h"

/* "KVM_EXIT_IO" -> "io"; "EPT_VIOLATION" -> "ept_violation". */
static void lower_name(const char *name, const char *prefix, char *buf, size_t size)
{
	size_t i, skip = strlen(prefix);

	if (!strncmp(name, prefix, skip))
		name += skip;
	for (i = 0; i + 1 < size && name[i]; i++)
		buf[i] = tolower((unsigned char)name[i]);
	buf[i] = '\0';
}

static uint32_t io_element(const uint8_t *data, unsigned int size)
{
	uint32_t value = 0;

	memcpy(&value, data, size < 4 ? size : 4);
	return value;
}

static void trace_io(const struct kvm_run *run)
{
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
	uint32_t i;

	fprintf(stderr, " %s port 0x%04x size %u count %u data",
		run->io.direction == KVM_EXIT_IO_IN ? "in" : "out",
		run->io.port, run->io.size, run->io.count);
	for (i = 0; i < run->io.count && i < 8; i++, data += run->io.size)
		fprintf(stderr, " 0x%0*x", run->io.size * 2,
			io_element(data, run->io.size));
	if (run->io.count > 8)
		fprintf(stderr, " ...");
}

static void trace_mmio(const struct kvm_run *run)
{
	uint64_t value = 0;

	memcpy(&value, run->mmio.data, run->mmio.len < 8 ? run->mmio.len : 8);
	fprintf(stderr, " %s address 0x%llx len %u data 0x%" PRIx64,
		run->mmio.is_write ? "write" : "read",
		(unsigned long long)run->mmio.phys_addr, run->mmio.len, value);
}

static bool has_exit_info(const struct vcpu *vcpu)
{
	return vcpu->info && vcpu->info->magic == VMXLAB_EXIT_INFO_MAGIC;
}

/* The hardware VM exit behind this exit to user space (vmxlab only). */
static void trace_vmx_exit(const struct vcpu *vcpu)
{
	const struct vmxlab_exit_info *info = vcpu->info;
	char what[256];

	vmx_exit_describe(what, sizeof(what), info->exit_reason, info->qualification);
	fprintf(stderr, "  vmx exit: %s (reason 0x%x, qualification 0x%llx) rip 0x%llx",
		what, info->exit_reason, (unsigned long long)info->qualification,
		(unsigned long long)info->guest_rip);
	if (info->guest_phys)
		fprintf(stderr, " gpa 0x%llx", (unsigned long long)info->guest_phys);
	if (info->instruction_error)
		fprintf(stderr, " vm-instruction error %u", info->instruction_error);
	fputc('\n', stderr);
}

void trace_exit(struct vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;

	fflush(stdout);
	if (vcpu->vm->nr_vcpus > 1)
		fprintf(stderr, "vcpu%u ", vcpu->id);
	fprintf(stderr, "exit: %s", kvm_exit_name(run->exit_reason));
	if (run->exit_reason == KVM_EXIT_IO)
		trace_io(run);
	else if (run->exit_reason == KVM_EXIT_MMIO)
		trace_mmio(run);
	fprintf(stderr, " rip 0x%" PRIx64 "\n", vcpu_rip(vcpu));
	if (has_exit_info(vcpu))
		trace_vmx_exit(vcpu);
}

static void trace_regs(const struct vcpu *vcpu)
{
	struct kvm_regs r;

	if (vcpu->id)
		fprintf(stderr, "vcpu%u ", vcpu->id);
	if (ioctl(vcpu->fd, KVM_GET_REGS, &r)) {
		fprintf(stderr, "regs: unknown (KVM_GET_REGS failed)\n");
		return;
	}
	fprintf(stderr, "regs: rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx rsp=0x%llx rbp=0x%llx rip=0x%llx rflags=0x%llx\n",
		r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.rip, r.rflags);
}

/* "vmx exits: io_instruction 21, hlt 1", summed over the vCPUs. */
static void trace_vmx_summary(const struct vm *vm)
{
	uint64_t counts[VMXLAB_MAX_EXIT_REASONS] = { 0 }, other = 0;
	const char *sep = "", *name;
	char lower[40];
	unsigned int i, v;

	for (v = 0; v < vm->nr_vcpus; v++) {
		const struct vmxlab_exit_info *info = vm->vcpus[v].info;

		for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++)
			counts[i] += info->exits[i];
		other += info->exits_other;
	}
	fprintf(stderr, "vmx exits:");
	for (i = 0; i < VMXLAB_MAX_EXIT_REASONS; i++) {
		if (!counts[i])
			continue;
		name = vmx_exit_reason_name(i);
		if (name)
			lower_name(name, "", lower, sizeof(lower));
		else
			snprintf(lower, sizeof(lower), "reason%u", i);
		fprintf(stderr, "%s %s %" PRIu64, sep, lower, counts[i]);
		sep = ",";
	}
	if (other)
		fprintf(stderr, "%s other %" PRIu64, sep, other);
	fprintf(stderr, "%s\n", *sep || other ? "" : " none");
}

static void trace_kvm_summary(const struct vm *vm)
{
	const char *sep = "";
	unsigned long n;
	char name[32];
	unsigned int i, v;

	fprintf(stderr, "exits:");
	for (i = 0; i < EXIT_REASONS; i++) {
		for (n = 0, v = 0; v < vm->nr_vcpus; v++)
			n += vm->vcpus[v].exits[i];
		if (!n)
			continue;
		if (i == EXIT_REASONS - 1)
			snprintf(name, sizeof(name), "reason%u+", i);
		else
			lower_name(kvm_exit_name(i), "KVM_EXIT_", name, sizeof(name));
		fprintf(stderr, "%s %s %lu", sep, name, n);
		sep = ",";
	}
	if (vm->watch_hits)
		fprintf(stderr, "%s ept_watch %lu", sep, vm->watch_hits);
	fprintf(stderr, "\n");
}

static const char *const end_names[] = {
	[VCPU_RUNNING] = "running",
	[VCPU_HLT] = "hlt",
	[VCPU_DEBUG_EXIT] = "debug exit",
	[VCPU_FAILED] = "ended the run",
	[VCPU_STOPPED] = "stopped",
};

void trace_summary(const struct vm *vm)
{
	unsigned int v;

	fflush(stdout);
	fprintf(stderr, "ports: %lu write(s) ignored, %lu read(s) of unanswered ports\n",
		vm->ignored_writes, vm->unanswered_reads);
	fprintf(stderr, "mmio: %lu write(s) ignored, %lu read(s) of unanswered addresses\n",
		vm->mmio_ignored_writes, vm->mmio_unanswered_reads);
	if (vm->nr_vcpus > 1)
		for (v = 0; v < vm->nr_vcpus; v++)
			fprintf(stderr, "vcpu%u: %s, status %d\n", v,
				end_names[vm->vcpus[v].end], vm->vcpus[v].status);
	if (vm->migrate)
		fprintf(stderr, "migrations: %lu\n", vm->migrations);
	for (v = vm->nr_vcpus; v-- > 0;)
		trace_regs(&vm->vcpus[v]);
	if (has_exit_info(&vm->vcpus[0]))
		trace_vmx_summary(vm);
	trace_kvm_summary(vm);
}
