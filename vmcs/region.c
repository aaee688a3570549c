// SPDX-License-Identifier: GPL-2.0
/*
 * VMXON and VMCS regions.
 *
 * Both are 4-KiByte-aligned, of the size IA32_VMX_BASIC[44:32] reports,
 * and begin with the VMCS revision identifier in bits 30:0 with bit 31
 * clear (SDM Vol. 3C, "VMXON Region" and "Format of the VMCS Region").
 * vmxlab requires the size to fit in one page (VMXLAB_REQ_VMCS_FITS_PAGE),
 * so one zeroed page on the CPU's own node serves.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/topology.h>
#include <vmxlab/caps.h>
#include "vmcs/vmcs.h"
#include "vmx/vmx.h"

/* @gfp: GFP_KERNEL_ACCOUNT for a vCPU's VMCS, charged to its creator's memory cgroup. */
void *vmcs_alloc_region(int cpu, gfp_t gfp)
{
	struct page *page;
	u32 *revision;

	page = alloc_pages_node(cpu_to_node(cpu), gfp | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	revision = page_address(page);
	*revision = vmx_basic_revision(vmxlab_host_caps.msr[VMXLAB_CAP_BASIC]);
	return revision;
}

void vmcs_free_region(void *region)
{
	if (region)
		free_page((unsigned long)region);
}
