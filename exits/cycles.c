// SPDX-License-Identifier: GPL-2.0
/*
 * Exit timing: per basic exit reason, a log2 histogram of the host TSC
 * cycles from each VM exit to the vCPU's next VM entry (uapi.h,
 * VMXLAB_SET_EXIT_CYCLES and VMXLAB_GET_EXIT_CYCLES).
 *
 * The run loop (vmx/run.c) has a timed copy that reads the TSC
 * right after the entry/exit stub returns and right before it is called
 * again; the untimed copy, the default, has no trace of it.  Both run
 * inside KVM_RUN, under the vCPU mutex, as do the ioctls here: the counts
 * never change while an ioctl reads or clears them.  debugfs reads them
 * without the mutex (vmx/debugfs.c).
 *
 * The host reads the TSC itself with RDTSC (SDM Vol. 3B, "Time-Stamp
 * Counter"): the TSC offset changes only what the guest reads (Vol. 3C,
 * "Changes to Instruction Behavior in VMX Non-Root Operation").
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <vmxlab/exits.h>
#include "exits/exits.h"
#include "vmx/vcpu.h"

#define CYCLES_SIZE	(VMXLAB_MAX_EXIT_REASONS * sizeof(struct vmxlab_exit_cycles))

/* At a VM entry (interrupts off): the pending exit's time is up. */
void vcpu_cycles_charge(struct vmxlab_vcpu *vcpu, u64 entry_tsc)
{
	u32 basic = vcpu->cycles_pending;
	struct vmxlab_exit_cycles *c;
	s64 delta;

	if (basic == VMXLAB_CYCLES_NONE)
		return;
	/* The thread may have moved to a CPU whose TSC is behind. */
	delta = max_t(s64, entry_tsc - vcpu->cycles_exit_tsc, 0);
	c = &vcpu->cycles[basic];
	c->count++;
	c->sum += delta;
	c->buckets[vmx_cycles_bucket(delta)]++;
	vcpu->cycles_pending = VMXLAB_CYCLES_NONE;
}

/*
 * After the exit was dispatched (vcpu->exit_reason is set): time it from
 * @exit_tsc.  A failed VM entry is no exit of a running guest, and a
 * basic reason past the table is counted nowhere else either.
 */
void vcpu_cycles_exit(struct vmxlab_vcpu *vcpu, u64 exit_tsc)
{
	u32 reason = vcpu->exit_reason;
	u32 basic = vmx_exit_basic_reason(reason);

	if (vmx_exit_is_entry_failure(reason) || basic >= VMXLAB_MAX_EXIT_REASONS)
		return;
	vcpu->cycles_pending = basic;
	vcpu->cycles_exit_tsc = exit_tsc;
}

/*
 * VMXLAB_HC_EXIT_CYCLES and VMXLAB_HC_EXIT_CYCLES_BUCKET, for the VMCALL
 * handler: VMXLAB_HC_ERROR for a bad argument or when timing was never on.
 */
u64 vcpu_cycles_hypercall(const struct vmxlab_vcpu *vcpu, u32 function, u32 reason,
			  u32 bucket)
{
	if (!vcpu->cycles || reason >= VMXLAB_MAX_EXIT_REASONS)
		return VMXLAB_HC_ERROR;
	if (function == VMXLAB_HC_EXIT_CYCLES)
		return vcpu->cycles[reason].sum;
	if (bucket >= VMXLAB_CYCLES_BUCKETS)
		return VMXLAB_HC_ERROR;
	return vcpu->cycles[reason].buckets[bucket];
}

static void cycles_clear(struct vmxlab_vcpu *vcpu)
{
	memset(vcpu->cycles, 0, CYCLES_SIZE);
}

/* Turn exit timing on (the counts cleared) or off (the counts kept). */
int vcpu_cycles_set(struct vmxlab_vcpu *vcpu, bool on)
{
	struct vmxlab_exit_cycles *cycles;

	vcpu->cycles_pending = VMXLAB_CYCLES_NONE;
	if (!on) {
		vcpu->timing_exits = false;
		return 0;
	}
	if (!vcpu->cycles) {
		cycles = __vmalloc(CYCLES_SIZE, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!cycles)
			return -ENOMEM;
		/* debugfs readers see the pointer only once the zeroes are there. */
		smp_store_release(&vcpu->cycles, cycles);
	} else {
		cycles_clear(vcpu);
	}
	vcpu->timing_exits = true;
	return 0;
}

/*
 * What a VMXLAB_GET_EXIT_CYCLES of @rd gets: rd->nreasons bounded,
 * rd->state and rd->pending_reason filled in; returns the counts (NULL:
 * timing was never on, all zero).
 */
const struct vmxlab_exit_cycles *vcpu_cycles_read(const struct vmxlab_vcpu *vcpu,
						  struct vmxlab_cycles_read *rd)
{
	rd->nreasons = min_t(u32, rd->nreasons, VMXLAB_MAX_EXIT_REASONS);
	rd->state = vcpu->timing_exits ? VMXLAB_CYCLES_ON : 0;
	rd->pending_reason = vcpu->timing_exits ? vcpu->cycles_pending : VMXLAB_CYCLES_NONE;
	return vcpu->cycles;
}

/* VMXLAB_CYCLES_CLEAR, once the caller has the counts. */
void vcpu_cycles_clear(struct vmxlab_vcpu *vcpu)
{
	if (vcpu->cycles)
		cycles_clear(vcpu);
}

void vcpu_cycles_free(struct vmxlab_vcpu *vcpu)
{
	vfree(vcpu->cycles);
}
