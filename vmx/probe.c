// SPDX-License-Identifier: GPL-2.0
/*
 * Probe, once at load, whether this CPU can run vmxlab (SDM Vol. 3C,
 * "Discovering Support for VMX" and "Enabling and Entering VMX
 * Operation"; Vol. 3D, Appendix A).
 *
 * Each failed requirement refuses the load with one line that names the
 * cause and the fix.  Nothing is allocated or registered here, so a failed
 * probe leaves nothing behind.
 */
#include <linux/bits.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <vmxlab/caps.h>
#include <vmxlab/names.h>
#include <vmxlab/vmx_arch.h>
#include "vmx/vmx.h"

struct vmxlab_caps vmxlab_host_caps;

/* Read one capability MSR; an MSR the CPU lacks (#GP) stays invalid. */
static void probe_read_msr(struct vmxlab_caps *caps, enum vmxlab_cap_msr msr)
{
	u64 value;

	if (rdmsrl_safe(vmx_cap_msr_index(msr), &value))
		return;
	caps->msr[msr] = value;
	caps->msr_valid |= BIT_ULL(msr);
}

static bool allowed1(const struct vmxlab_caps *caps, enum vmxlab_cap_msr msr,
		     u64 control)
{
	return vmx_caps_has(caps, msr) && ((caps->msr[msr] >> 32) & control);
}

/*
 * Read the MSRs that exist on this CPU.  Some exist only when others say
 * so (SDM Vol. 3D, A.3.2-A.3.4, A.10, A.11): reading them anyway would
 * #GP, which rdmsrl_safe() absorbs, but asking only when they exist keeps
 * msr_valid truthful on emulators that answer every MSR.
 */
static void probe_read_caps(struct vmxlab_caps *caps)
{
	enum vmxlab_cap_msr msr;

	for (msr = VMXLAB_CAP_BASIC; msr <= VMXLAB_CAP_VMCS_ENUM; msr++)
		probe_read_msr(caps, msr);
	if (caps->msr[VMXLAB_CAP_BASIC] & VMX_BASIC_TRUE_CONTROLS)
		for (msr = VMXLAB_CAP_TRUE_PINBASED; msr <= VMXLAB_CAP_TRUE_ENTRY; msr++)
			probe_read_msr(caps, msr);
	if (allowed1(caps, VMXLAB_CAP_PROCBASED, VMX_PROCCTL_SECONDARY_CTLS))
		probe_read_msr(caps, VMXLAB_CAP_PROCBASED2);
	if (allowed1(caps, VMXLAB_CAP_PROCBASED, VMX_PROCCTL_TERTIARY_CTLS))
		probe_read_msr(caps, VMXLAB_CAP_PROCBASED3);
	if (allowed1(caps, VMXLAB_CAP_PROCBASED2,
		     VMX_PROC2CTL_ENABLE_EPT | VMX_PROC2CTL_ENABLE_VPID))
		probe_read_msr(caps, VMXLAB_CAP_EPT_VPID);
	if (allowed1(caps, VMXLAB_CAP_PROCBASED2, VMX_PROC2CTL_ENABLE_VMFUNC))
		probe_read_msr(caps, VMXLAB_CAP_VMFUNC);
}

/* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C, "Discovering Support for VMX"). */
static int probe_cpuid(void)
{
	if (cpuid_ecx(1) & VMX_CPUID1_ECX_VMX)
		return 0;
	pr_err("no VMX on this CPU (CPUID.1:ECX.VMX[bit 5] = 0): vmxlab needs an Intel CPU with VT-x; in a virtual machine, expose VMX to the guest (nested virtualization)\n");
	return -ENODEV;
}

/*
 * VMXON outside SMX needs IA32_FEATURE_CONTROL locked with bit 2 set,
 * else it raises #GP (SDM Vol. 3C, "Enabling and Entering VMX
 * Operation").  Only firmware (or the kernel at boot) may write it: once
 * locked it cannot change until reset, so vmxlab never writes it.
 */
static int probe_feature_control(struct vmxlab_caps *caps)
{
	u64 fc;

	probe_read_msr(caps, VMXLAB_CAP_FEATURE_CONTROL);
	if (!vmx_caps_has(caps, VMXLAB_CAP_FEATURE_CONTROL)) {
		pr_err("IA32_FEATURE_CONTROL cannot be read: this CPU or hypervisor does not implement VMX correctly\n");
		return -EIO;
	}
	fc = caps->msr[VMXLAB_CAP_FEATURE_CONTROL];
	if (!(fc & VMX_FEATCTL_LOCK)) {
		pr_err("VMX is not configured by the firmware (IA32_FEATURE_CONTROL = %#llx, not locked): enable Intel Virtualization Technology (VT-x) in the BIOS/UEFI setup\n",
		       fc);
		return -EOPNOTSUPP;
	}
	if (!(fc & VMX_FEATCTL_VMX_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL = %#llx, locked with bit 2 clear): enable Intel Virtualization Technology (VT-x) in the BIOS/UEFI setup, then power-cycle\n",
		       fc);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int probe_requirements(const struct vmxlab_caps *caps)
{
	unsigned int req;

	if (!caps->unmet)
		return 0;
	for (req = 0; req < VMXLAB_NR_REQUIREMENTS; req++) {
		const struct vmx_requirement *r = &vmx_requirements[req];

		if (caps->unmet & BIT_ULL(req))
			pr_err("this CPU lacks %s (%s; SDM %s): %s\n",
			       r->name, r->where, r->sdm, r->fix);
	}
	return -EOPNOTSUPP;
}

/*
 * CR0 and CR4 must honour the VMX-fixed bits in VMX operation (SDM Vol.
 * 3C, "VMX-Fixed Bits in CR0 and CR4").  Linux runs with CR0.PE, NE and
 * PG set; CR4.VMXE is what vmxlab itself sets at VMXON.
 */
static int probe_fixed_bits(const struct vmxlab_caps *caps)
{
	u64 cr0_bad = vmx_fixed_bits_violations(read_cr0(),
				caps->msr[VMXLAB_CAP_CR0_FIXED0],
				caps->msr[VMXLAB_CAP_CR0_FIXED1]);
	u64 cr4_bad = vmx_fixed_bits_violations(__read_cr4() | VMX_CR4_VMXE,
				caps->msr[VMXLAB_CAP_CR4_FIXED0],
				caps->msr[VMXLAB_CAP_CR4_FIXED1]);

	if (cr0_bad) {
		pr_err("CR0 = %#lx breaks the VMX-fixed bits %#llx (IA32_VMX_CR0_FIXED0/1): the kernel runs in a mode VMX does not allow\n",
		       read_cr0(), cr0_bad);
		return -EIO;
	}
	if (cr4_bad) {
		pr_err("CR4 = %#lx with VMXE breaks the VMX-fixed bits %#llx (IA32_VMX_CR4_FIXED0/1): the kernel runs in a mode VMX does not allow\n",
		       __read_cr4(), cr4_bad);
		return -EIO;
	}
	return 0;
}

/* The host's CPUID, in the form the CPUID tables take (include/vmxlab/cpuid.h). */
void vmxlab_host_cpuid(void *ctx, u32 leaf, u32 subleaf, u32 regs[4])
{
	cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
}

int vmxlab_probe(void)
{
	struct vmxlab_caps *caps = &vmxlab_host_caps;
	int err;

	memset(caps, 0, sizeof(*caps));
	err = probe_cpuid();
	if (err)
		return err;
	err = probe_feature_control(caps);
	if (err)
		return err;
	probe_read_caps(caps);
	vmx_caps_decide(caps);
	err = probe_requirements(caps);
	if (err)
		return err;
	return probe_fixed_bits(caps);
}
