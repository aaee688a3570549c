// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab: a bare-metal Intel VT-x hypervisor you can read.
 *
 * Load order: probe the CPU (nothing allocated), set up the VMX lifecycle
 * hooks (cpuhp, syscore, reboot), then publish /dev/vmxlab.  VMX operation
 * itself starts only when a user asks for it.
 */
#include <linux/module.h>
#include <linux/cpumask.h>
#include <vmxlab/caps.h>
#include "vmcs/vmcs.h"
#include "vmx/vmx.h"

static int __init vmxlab_init(void)
{
	int err;

	err = vmxlab_probe();
	if (err)
		return err;
	vmxlab_mitigations_init();
	err = vmxlab_run_init();
	if (err)
		return err;
	err = vmcs_setup_init();
	if (err)
		goto undo_run;
	err = vmxlab_vmx_lifecycle_init();
	if (err)
		goto undo_setup;
	vmxlab_debugfs_init();
	err = vmxlab_dev_register();
	if (err)
		goto undo_debugfs;
	pr_info("ready: /dev/%s, VMCS revision %u, %u CPUs online\n",
		VMXLAB_DEVICE_NAME,
		vmx_basic_revision(vmxlab_host_caps.msr[VMXLAB_CAP_BASIC]),
		num_online_cpus());
	return 0;

undo_debugfs:
	vmxlab_debugfs_exit();
	vmxlab_vmx_lifecycle_exit();
undo_setup:
	vmcs_setup_exit();
undo_run:
	vmxlab_run_exit();
	return err;
}

static void __exit vmxlab_exit(void)
{
	vmxlab_dev_unregister();
	vmxlab_debugfs_exit();
	vmxlab_vmx_lifecycle_exit();
	vmcs_setup_exit();
	vmxlab_run_exit();
}

module_init(vmxlab_init);
module_exit(vmxlab_exit);

MODULE_DESCRIPTION("vmxlab: a readable bare-metal Intel VT-x hypervisor");
MODULE_AUTHOR("The vmxlab authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMXLAB_VERSION);	/* git describe, from Kbuild */
