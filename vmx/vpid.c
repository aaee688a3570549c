// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual-processor identifiers: one per vCPU, so that its guest-linear
 * translations stay tagged in the TLB across VM entries and exits.  VPID
 * 0 is the host's (SDM Vol. 3C, "Virtual-Processor Identifiers").
 *
 * VPIDs 1..own_vpids (65534 unless the module parameter says fewer) are
 * handed out one per vCPU.  When they are all taken (one user's vCPUs
 * must not lock everyone else out), a vCPU gets the shared VPID 65535
 * instead.  The TLB tags a guest's translations with its VPID (SDM Vol.
 * 3C, "Information That May Be Cached": with EPT, combined mappings by
 * VPID, PCID and EP4TA), so two vCPUs of one VM (one EPTP) with the same
 * VPID and PCID could use each other's translations: a CPU flushes the
 * shared VPID whenever it runs a shared vCPU other than the last one it
 * ran (vmxlab_vpid_claim()).
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include "vmx/vmx.h"

#define VPID_COUNT	65536
#define VPID_SHARED	(VPID_COUNT - 1)
#define OWN_VPIDS_MAX	(VPID_SHARED - 1)	/* VPIDs 1..65534 */
static DECLARE_BITMAP(vpid_bitmap, VPID_SHARED);
static DEFINE_SPINLOCK(vpid_lock);

/*
 * For testing the shared VPID without creating 65,535 vCPUs.  Read-only
 * once loaded (0444): every vCPU got its VPID under the value /sys shows.
 * A value out of range fails the load rather than being clamped: whoever
 * asked for 0 or 70000 would get another machine than the one they meant
 * and should be told, not find out from the VPIDs.
 */
static unsigned int own_vpids = OWN_VPIDS_MAX;

static int own_vpids_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < 1 || n > OWN_VPIDS_MAX) {
		pr_err("own_vpids=%s refused: it must be 1..%u (VPID 0 is the host's, %u the shared one)\n",
		       val, OWN_VPIDS_MAX, VPID_SHARED);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops own_vpids_ops = {
	.set = own_vpids_set,
	.get = param_get_uint,
};
module_param_cb(own_vpids, &own_vpids_ops, &own_vpids, 0444);
__MODULE_PARM_TYPE(own_vpids, "uint");
MODULE_PARM_DESC(own_vpids,
		 "VPIDs handed out one per vCPU (1..65534, default 65534); later vCPUs share VPID 65535, flushed whenever a CPU switches between them. Read-only once loaded; for testing the shared VPID");

/* The shared-VPID vCPU whose translations this CPU may hold. */
static DEFINE_PER_CPU(const void *, shared_vpid_owner);

/* A VPID of its own, or the shared one: never fails. */
u16 vmxlab_vpid_alloc(void)
{
	unsigned long vpid;

	spin_lock(&vpid_lock);
	vpid = find_next_zero_bit(vpid_bitmap, own_vpids + 1, 1);
	if (vpid <= own_vpids)
		__set_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
	return vpid <= own_vpids ? vpid : VPID_SHARED;
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
