// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual-processor identifiers: one per vCPU, so that its guest-linear
 * translations stay tagged in the TLB across VM entries and exits.  VPID
 * 0 is the host's (SDM Vol. 3C, "Virtual-Processor Identifiers").
 *
 * VPIDs 1..65534 are handed out one per vCPU.  When they are all taken
 * (one user's vCPUs must not lock everyone else out), a vCPU gets the
 * shared VPID 65535 instead: its translations may then be another
 * shared vCPU's, so a CPU flushes that VPID whenever it runs a shared
 * vCPU other than the last one it ran (vmxlab_vpid_claim()).
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include "vmx/vmx.h"

#define VPID_COUNT	65536
#define VPID_SHARED	(VPID_COUNT - 1)
static DECLARE_BITMAP(vpid_bitmap, VPID_SHARED);
static DEFINE_SPINLOCK(vpid_lock);

/* The shared-VPID vCPU whose translations this CPU may hold. */
static DEFINE_PER_CPU(const void *, shared_vpid_owner);

/* A VPID of its own, or the shared one: never fails. */
u16 vmxlab_vpid_alloc(void)
{
	unsigned long vpid;

	spin_lock(&vpid_lock);
	vpid = find_next_zero_bit(vpid_bitmap, VPID_SHARED, 1);
	if (vpid < VPID_SHARED)
		__set_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
	return vpid < VPID_SHARED ? vpid : VPID_SHARED;
}

void vmxlab_vpid_free(u16 vpid)
{
	if (vpid == VPID_SHARED)
		return;
	spin_lock(&vpid_lock);
	__clear_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
}

/*
 * @owner (a vCPU) with @vpid is made current on this CPU (preemption
 * off): whether this CPU must flush @vpid first, because it is the
 * shared one and the CPU last ran another vCPU with it.
 */
bool vmxlab_vpid_claim(u16 vpid, const void *owner)
{
	if (vpid != VPID_SHARED || this_cpu_read(shared_vpid_owner) == owner)
		return false;
	this_cpu_write(shared_vpid_owner, owner);
	return true;
}

/* @owner is freed: no CPU may take a later vCPU at its address for it. */
void vmxlab_vpid_forget(const void *owner)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&shared_vpid_owner, cpu), owner, NULL);
}
