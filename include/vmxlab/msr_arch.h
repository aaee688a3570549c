/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural MSR fields vmxlab emulates for guests and that the
 * kernel's <asm/msr-index.h> does not name on every supported kernel:
 * the MTRRs (SDM Vol. 3A, "Memory Type Range Registers (MTRRs)") and the
 * memory types they and IA32_PAT hold ("Memory Types and Their
 * Properties", "PAT Memory Types").  Names carry a prefix of vmxlab's own
 * (MSRA_) so that this header sits beside the kernel's.
 */
#ifndef VMXLAB_MSR_ARCH_H
#define VMXLAB_MSR_ARCH_H

#include <vmxlab/types.h>

/* Memory-type encodings ("Memory Types That Can Be Encoded in MTRRs"). */
#define MSRA_TYPE_UC			0
#define MSRA_TYPE_WC			1
#define MSRA_TYPE_WT			4
#define MSRA_TYPE_WP			5
#define MSRA_TYPE_WB			6
#define MSRA_TYPE_UC_MINUS		7	/* PAT only */

/* IA32_MTRRCAP ("MTRR Feature Identification"). */
#define MSRA_MTRRCAP_VCNT_MASK		0xffULL
#define MSRA_MTRRCAP_FIX		BIT_ULL(8)
#define MSRA_MTRRCAP_WC			BIT_ULL(10)

/* IA32_MTRR_DEF_TYPE ("IA32_MTRR_DEF_TYPE MSR"). */
#define MSRA_MTRR_DEF_TYPE_MASK		0xffULL
#define MSRA_MTRR_DEF_FE		BIT_ULL(10)
#define MSRA_MTRR_DEF_E			BIT_ULL(11)

/* IA32_MTRR_PHYSBASEn / PHYSMASKn ("Variable Range MTRRs"). */
#define MSRA_MTRR_PHYSBASE0		0x200
#define MSRA_MTRR_PHYS_TYPE_MASK	0xffULL
#define MSRA_MTRR_PHYSMASK_VALID	BIT_ULL(11)

/* IA32_TSC_AUX: bits 63:32 are reserved ("IA32_TSC_AUX Register and RDTSCP Support"). */
#define MSRA_TSC_AUX_MASK		0xffffffffULL

/* IA32_FMASK: bits 31:0 mask RFLAGS, 63:32 are reserved ("SYSCALL", "IA32_FMASK"). */
#define MSRA_FMASK_MASK			0xffffffffULL

/* CPUID bits that say IA32_TSC_AUX exists (SDM Vol. 2A, "CPUID", leaves 80000001H and 07H). */
#define MSRA_CPUID_80000001_EDX_RDTSCP	BIT_ULL(27)
#define MSRA_CPUID_7_0_ECX_RDPID	BIT_ULL(22)

#endif /* VMXLAB_MSR_ARCH_H */
