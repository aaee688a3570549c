// SPDX-License-Identifier: GPL-2.0
/*
 * Write a struct vmxlab_caps test fixture, as VMXLAB_GET_CAPS would return
 * it on a given CPU: capability MSR values filled in by hand from the SDM
 * (Vol. 3D, Appendix A), then vmx_caps_decide() from vmx/caps.c.
 *
 *   make_caps haswell|westmere-no-ug|core2 FILE
 *
 * haswell          a Haswell-like CPU: TRUE controls, EPT, VPID,
 *                  unrestricted guest, preemption timer; all met
 * westmere-no-ug   EPT and VPID but no unrestricted guest (one unmet)
 * core2            no secondary controls, no EPT/VPID MSR, no TRUE
 *                  controls, no EFER/PAT switching, no preemption timer
 */
#include <stdio.h>
#include <string.h>

#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>

/* A control MSR: bits 31:0 must-be-1 (allowed 0), bits 63:32 may-be-1. */
static u64 ctls(u32 must_be_1, u32 may_be_1)
{
	return (u64)may_be_1 << 32 | must_be_1;
}

static void set_msr(struct vmxlab_caps *caps, enum vmxlab_cap_msr msr, u64 value)
{
	caps->msr[msr] = value;
	caps->msr_valid |= BIT_ULL(msr);
}

/* What every profile shares: firmware enabled VMX, CR fixed bits, ... */
static void common_msrs(struct vmxlab_caps *caps)
{
	set_msr(caps, VMXLAB_CAP_FEATURE_CONTROL,
		VMX_FEATCTL_LOCK | VMX_FEATCTL_VMX_OUTSIDE_SMX);
	set_msr(caps, VMXLAB_CAP_CR0_FIXED0, VMX_CR0_PE | VMX_CR0_NE | VMX_CR0_PG);
	set_msr(caps, VMXLAB_CAP_CR0_FIXED1, 0xffffffff);
	set_msr(caps, VMXLAB_CAP_CR4_FIXED0, VMX_CR4_VMXE);
	/* VME..OSXMMEXCPT, VMXE, SMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP. */
	set_msr(caps, VMXLAB_CAP_CR4_FIXED1, 0x1767ff);
	/* Highest field index 23, in bits 9:1. */
	set_msr(caps, VMXLAB_CAP_VMCS_ENUM, 23 << 1);
}

/*
 * IA32_VMX_BASIC: revision 0x12, 1024-byte region (bits 44:32), dual
 * monitor (49), write-back (53:50 = 6), INS/OUTS info (54), TRUE (55).
 */
#define HASWELL_BASIC	0x00da040000000012ULL

static void haswell(struct vmxlab_caps *caps)
{
	common_msrs(caps);
	set_msr(caps, VMXLAB_CAP_BASIC, HASWELL_BASIC);
	/* Default-1 class bits 1, 2, 4; allows bits 0-6. */
	set_msr(caps, VMXLAB_CAP_PINBASED, ctls(0x16, 0x7f));
	set_msr(caps, VMXLAB_CAP_TRUE_PINBASED, ctls(0x16, 0x7f));
	/* CR3 load/store exiting (15, 16) are default-1 but may be 0 (TRUE). */
	set_msr(caps, VMXLAB_CAP_PROCBASED, ctls(0x0401e172, 0xfff9fffe));
	set_msr(caps, VMXLAB_CAP_TRUE_PROCBASED, ctls(0x04006172, 0xfff9fffe));
	set_msr(caps, VMXLAB_CAP_EXIT, ctls(0x00036dff, 0x007fffff));
	set_msr(caps, VMXLAB_CAP_TRUE_EXIT, ctls(0x00036dfb, 0x007fffff));
	set_msr(caps, VMXLAB_CAP_ENTRY, ctls(0x000011ff, 0x0000ffff));
	set_msr(caps, VMXLAB_CAP_TRUE_ENTRY, ctls(0x000011fb, 0x0000ffff));
	/*
	 * Rate 5 (bits 4:0), EFER.LMA saved (5), HLT/shutdown/SIPI (6-8),
	 * SMBASE (15), 4 CR3 targets (24:16), 512 MSRs (27:25 = 0), bits 28-29.
	 */
	set_msr(caps, VMXLAB_CAP_MISC, 0x300481e5);
	/* Bits 0-7 and 10-14: no APIC virtualization yet (8, 9). */
	set_msr(caps, VMXLAB_CAP_PROCBASED2, ctls(0, 0x7cff));
	set_msr(caps, VMXLAB_CAP_EPT_VPID,
		VMX_EPT_EXECUTE_ONLY | VMX_EPT_WALK_LENGTH_4 |
		VMX_EPT_MEMTYPE_UC | VMX_EPT_MEMTYPE_WB |
		VMX_EPT_PAGE_2M | VMX_EPT_PAGE_1G | VMX_EPT_INVEPT |
		VMX_EPT_ACCESSED_DIRTY | VMX_EPT_INVEPT_SINGLE_CONTEXT |
		VMX_EPT_INVEPT_ALL_CONTEXT | VMX_VPID_INVVPID |
		VMX_VPID_INVVPID_ADDRESS | VMX_VPID_INVVPID_SINGLE_CONTEXT |
		VMX_VPID_INVVPID_ALL_CONTEXT | VMX_VPID_INVVPID_SINGLE_NONGLOBAL);
	/* EPTP switching. */
	set_msr(caps, VMXLAB_CAP_VMFUNC, 1);
	caps->online_cpus = 4;
	caps->vmx_users = 0;
}

/* Haswell's MSRs, but the secondary controls stop at bit 6: no UG. */
static void westmere_no_ug(struct vmxlab_caps *caps)
{
	haswell(caps);
	set_msr(caps, VMXLAB_CAP_PROCBASED2, ctls(0, 0x7f));
	caps->msr_valid &= ~BIT_ULL(VMXLAB_CAP_VMFUNC);
	caps->online_cpus = 2;
	caps->vmx_users = 1;
	/* One VM running: 260 guest pages pinned under 6 EPT tables. */
	caps->pinned_pages = 260;
	caps->ept_pages = 6;
}

/* VMX without secondary controls, TRUE MSRs or EFER/PAT switching. */
static void core2(struct vmxlab_caps *caps)
{
	common_msrs(caps);
	/* Revision 0xd, 1024 bytes, write-back, INS/OUTS info; no TRUE. */
	set_msr(caps, VMXLAB_CAP_BASIC, 0x005a04000000000dULL);
	set_msr(caps, VMXLAB_CAP_PINBASED, ctls(0x16, 0x3f));
	/* May-be-1 bit 31 clear: no secondary controls. */
	set_msr(caps, VMXLAB_CAP_PROCBASED, ctls(0x0401e172, 0x7ff9fffe));
	set_msr(caps, VMXLAB_CAP_EXIT, ctls(0x00036dff, 0x0003ffff));
	set_msr(caps, VMXLAB_CAP_ENTRY, ctls(0x000011ff, 0x00003fff));
	set_msr(caps, VMXLAB_CAP_MISC, 0x000401c0);
	caps->online_cpus = 2;
	caps->vmx_users = 0;
}

struct profile {
	const char *name;
	void (*fill)(struct vmxlab_caps *caps);
};

static const struct profile profiles[] = {
	{ "haswell", haswell },
	{ "westmere-no-ug", westmere_no_ug },
	{ "core2", core2 },
};

static int write_caps(const char *path, const struct vmxlab_caps *caps)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(caps, sizeof(*caps), 1, f) != 1 || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct vmxlab_caps caps;
	unsigned int i;

	if (argc != 3) {
		fprintf(stderr, "usage: make_caps haswell|westmere-no-ug|core2 FILE\n");
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(profiles); i++) {
		if (strcmp(profiles[i].name, argv[1]))
			continue;
		memset(&caps, 0, sizeof(caps));
		caps.api_version = VMXLAB_API_VERSION;
		profiles[i].fill(&caps);
		vmx_caps_decide(&caps);
		return write_caps(argv[2], &caps);
	}
	fprintf(stderr, "make_caps: unknown profile '%s'\n", argv[1]);
	return 2;
}
