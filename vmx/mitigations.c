// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution mitigations at the guest/host boundary.
 *
 * A guest shares the core's buffers, caches and predictors with the host.
 * Three of the four mitigations KVM applies are the kernel's own asm
 * macros, used in vmx/entry.S and patched in by the kernel's alternatives
 * where the CPU needs them (the features below; both 6.1 and 6.12 export
 * what they call):
 *   - VERW before entry (X86_FEATURE_CLEAR_CPU_BUF_VM): MDS, TAA, MMIO
 *     stale data, RFDS;
 *   - RSB filling after exit (X86_FEATURE_RSB_VMEXIT, _LITE for PBRSB);
 *   - the branch-history clearing loop after exit
 *     (X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT): BHI.
 * The fourth, the L1D flush against L1TF, is vmxlab's: a write of
 * L1D_FLUSH to IA32_FLUSH_CMD before the first entry of each run batch,
 * that is after any host code that ran with interrupts on (the exit to
 * user space, interrupts, the scheduler).  In-kernel exits inside a batch
 * run only vmxlab's handlers over the guest's own state and do not flush:
 * the policy kvm_intel calls "cond".  Without the flush command (old
 * microcode) vmxlab does not flush and says so at load.
 */
#include <linux/jump_label.h>
#include <linux/printk.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "vmx/vmx.h"

DEFINE_STATIC_KEY_FALSE(vmxlab_l1d_flush);

/* Does this host need L1D flushed before a VM entry (L1TF)? */
static bool l1tf_needs_flush(void)
{
	u64 arch_caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
	    l1tf_mitigation == L1TF_MITIGATION_OFF)
		return false;
	/* Set by a hypervisor below us that flushes on its own entries. */
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, arch_caps);
	return !(arch_caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH);
}

static const char *on_off(bool on)
{
	return on ? "on" : "off";
}

void vmxlab_mitigations_init(void)
{
	bool l1tf = l1tf_needs_flush();

	if (l1tf && boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		static_branch_enable(&vmxlab_l1d_flush);
	else if (l1tf)
		pr_warn("L1TF: this CPU has no L1D flush command (IA32_FLUSH_CMD, added by a microcode update): guests may read host data from the L1 data cache\n");
	pr_info("guest/host mitigations: CPU buffer clearing %s, RSB filling %s, branch history clearing %s, L1D flush %s\n",
		on_off(boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM)),
		on_off(boot_cpu_has(X86_FEATURE_RSB_VMEXIT) ||
		       boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE)),
		on_off(boot_cpu_has(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT)),
		on_off(static_key_enabled(&vmxlab_l1d_flush)));
}
