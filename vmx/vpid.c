// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual-processor identifiers: one per vCPU, so that its guest-linear
 * translations stay tagged in the TLB across VM entries and exits.  VPIDs
 * 1..65535 are handed out; VPID 0 is the host's (SDM Vol. 3C,
 * "Virtual-Processor Identifiers").
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/spinlock.h>
#include "vmx/vmx.h"

#define VPID_COUNT	65536
static DECLARE_BITMAP(vpid_bitmap, VPID_COUNT);
static DEFINE_SPINLOCK(vpid_lock);

int vmxlab_vpid_alloc(void)
{
	unsigned long vpid;

	spin_lock(&vpid_lock);
	vpid = find_next_zero_bit(vpid_bitmap, VPID_COUNT, 1);
	if (vpid < VPID_COUNT)
		__set_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
	return vpid < VPID_COUNT ? vpid : -ENOSPC;
}

void vmxlab_vpid_free(u16 vpid)
{
	spin_lock(&vpid_lock);
	__clear_bit(vpid, vpid_bitmap);
	spin_unlock(&vpid_lock);
}
