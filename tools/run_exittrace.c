// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --exit-trace FILE: every VM exit of every vCPU, in-kernel
 * ones included, from vmxlab's exit trace ring (VMXLAB_SET_TRACE,
 * VMXLAB_READ_TRACE), one line each in a stable format:
 *
 *   [vcpuN ]SEQ REASON rip=0x.. len=N qual=0x.. gpa=0x.. rax=0x.. rcx=0x.. rdx=0x.. rbx=0x..: DESCRIPTION
 *
 * SEQ counts the vCPU's exits from 0; REASON is the basic exit reason's
 * SDM name ("ENTRY_FAILED:" before it for a failed VM entry); the
 * registers are the guest's at the exit, before vmxlab emulated
 * anything.  The ring is drained after each exit to user space and at
 * the end, so nothing is lost unless more than VMXLAB_TRACE_RING_SIZE
 * exits happen in the kernel in between (then a "# lost N" line says so).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <vmxlab/exits.h>

#include "run.h"
#include "vmxlab.h"

#define BATCH	256

int exit_trace_start(struct vm *vm)
{
	struct vmxlab_trace_control ctl = { .flags = VMXLAB_TRACE_ON };
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (!vm->vcpus[i].info) {
			error_msg("--exit-trace: %s is not vmxlab: it has no exit trace", vm->device);
			return EXIT_USAGE;
		}
		if (ioctl(vm->vcpus[i].fd, VMXLAB_SET_TRACE, &ctl)) {
			error_msg("--exit-trace: VMXLAB_SET_TRACE on %s: %s", vm->device,
				  strerror(errno));
			return EXIT_FAILED;
		}
	}
	return EXIT_OK;
}

static void print_record(FILE *out, const struct vcpu *vcpu,
			 const struct vmxlab_trace_record *r)
{
	uint32_t basic = vmx_exit_basic_reason(r->exit_reason);
	const char *name = vmx_exit_reason_name(basic);
	char what[160];

	vmx_exit_describe(what, sizeof(what), r->exit_reason, r->qualification);
	if (vcpu->vm->nr_vcpus > 1)
		fprintf(out, "vcpu%u ", vcpu->id);
	fprintf(out, "%" PRIu64 " %s%s rip=0x%" PRIx64 " len=%u qual=0x%" PRIx64
		" gpa=0x%" PRIx64 " rax=0x%" PRIx64 " rcx=0x%" PRIx64 " rdx=0x%" PRIx64
		" rbx=0x%" PRIx64 ": %s\n",
		(uint64_t)r->seq, vmx_exit_is_entry_failure(r->exit_reason) ? "ENTRY_FAILED:" : "",
		name ? name : "UNKNOWN", (uint64_t)r->guest_rip, r->instruction_len,
		(uint64_t)r->qualification, (uint64_t)r->guest_phys, (uint64_t)r->rax,
		(uint64_t)r->rcx, (uint64_t)r->rdx, (uint64_t)r->rbx, what);
}

/* Write every record recorded since the last call (vm->lock held). */
void exit_trace_drain(struct vcpu *vcpu)
{
	struct vmxlab_trace_record records[BATCH];
	struct vmxlab_trace_read rd;
	FILE *out = vcpu->vm->exit_trace;
	unsigned int i;

	do {
		memset(&rd, 0, sizeof(rd));
		rd.from_seq = vcpu->trace_next;
		rd.records = (uintptr_t)records;
		rd.max = BATCH;
		if (ioctl(vcpu->fd, VMXLAB_READ_TRACE, &rd)) {
			fprintf(out, "# VMXLAB_READ_TRACE failed: %s\n", strerror(errno));
			return;
		}
		if (rd.lost)
			fprintf(out, "# lost %" PRIu64 " records (the ring holds %d)\n",
				(uint64_t)rd.lost, VMXLAB_TRACE_RING_SIZE);
		for (i = 0; i < rd.count; i++)
			print_record(out, vcpu, &records[i]);
		vcpu->trace_next = rd.from_seq + rd.lost + rd.count;
	} while (rd.count == BATCH);
	fflush(out);
}
