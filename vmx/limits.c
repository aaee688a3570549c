// SPDX-License-Identifier: GPL-2.0
/*
 * What one user of /dev/vmxlab may hold: VMs and vCPUs per user (real
 * UID), module parameters that root may change at any time in
 * /sys/module/vmxlab/parameters/.  With the device open to a group (the
 * udev rule gives it to kvm), each VM holds VMX on, kernel memory and
 * pinned pages: the caps keep one user from taking them all.  Pinned guest
 * pages are charged to RLIMIT_MEMLOCK where they are pinned
 * (ept/ept_vm.c); VPIDs fall back to a shared one (vmx/vpid.c).
 */
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "vmx/vmx.h"

static unsigned int max_vms_per_user = 64;
module_param(max_vms_per_user, uint, 0644);
MODULE_PARM_DESC(max_vms_per_user,
		 "VMs one user (real UID) may hold at once; more are refused with ENOSPC (0: no limit; default 64)");

static unsigned int max_vcpus_per_user = 256;
module_param(max_vcpus_per_user, uint, 0644);
MODULE_PARM_DESC(max_vcpus_per_user,
		 "vCPUs one user (real UID) may hold at once, in all its VMs; more are refused with ENOSPC (0: no limit; default 256)");

struct user_count {
	unsigned int n[VMXLAB_NR_USER_LIMITS];
};

/* Real UID -> its counts; an entry exists while one count is not 0. */
static DEFINE_XARRAY(user_counts);
static DEFINE_MUTEX(user_counts_lock);

static unsigned int limit_of(enum vmxlab_user_limit what)
{
	return what == VMXLAB_USER_VMS ? READ_ONCE(max_vms_per_user) :
					 READ_ONCE(max_vcpus_per_user);
}

/* One more VM or vCPU for @uid: 0, -ENOSPC past the limit, -ENOMEM. */
int vmxlab_user_charge(kuid_t uid, enum vmxlab_user_limit what)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	unsigned int limit = limit_of(what);
	struct user_count *c;
	int err = 0;

	mutex_lock(&user_counts_lock);
	c = xa_load(&user_counts, key);
	if (!c) {
		c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
		err = c ? xa_err(xa_store(&user_counts, key, c, GFP_KERNEL_ACCOUNT)) : -ENOMEM;
		if (err) {
			kfree(c);
			goto out;
		}
	}
	if (limit && c->n[what] >= limit)
		err = -ENOSPC;
	else
		c->n[what]++;
	if (err && !c->n[VMXLAB_USER_VMS] && !c->n[VMXLAB_USER_VCPUS])
		kfree(xa_erase(&user_counts, key));
out:
	mutex_unlock(&user_counts_lock);
	return err;
}

void vmxlab_user_uncharge(kuid_t uid, enum vmxlab_user_limit what)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	struct user_count *c;

	mutex_lock(&user_counts_lock);
	c = xa_load(&user_counts, key);
	if (!WARN_ON_ONCE(!c || !c->n[what]) && !--c->n[what] &&
	    !c->n[VMXLAB_USER_VMS] && !c->n[VMXLAB_USER_VCPUS])
		kfree(xa_erase(&user_counts, key));
	mutex_unlock(&user_counts_lock);
}
