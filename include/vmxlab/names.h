/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for VMX capability bits, capability MSRs and VM-instruction
 * errors, as the SDM spells them.  One table each, shared by the module's
 * messages, the vmxlab tool and the tests.
 */
#ifndef VMXLAB_NAMES_H
#define VMXLAB_NAMES_H

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

struct vmx_bit_name {
	u8 bit;
	const char *name;
};

struct vmx_bit_table {
	const char *title;		/* e.g. "Pin-based VM-execution controls" */
	const struct vmx_bit_name *bits;
	unsigned int count;
};

/* The bit names of each control set, indexed by enum vmxlab_control_set. */
extern const struct vmx_bit_table vmx_control_tables[VMXLAB_NR_CONTROL_SETS];
/* The named bits of IA32_VMX_EPT_VPID_CAP. */
extern const struct vmx_bit_table vmx_ept_vpid_table;

/* The name of @bit in @table, or NULL when the SDM gives it none. */
const char *vmx_bit_name(const struct vmx_bit_table *table, unsigned int bit);

/* "IA32_VMX_BASIC" for VMXLAB_CAP_BASIC, ... ; NULL when out of range. */
const char *vmx_cap_msr_name(enum vmxlab_cap_msr msr);
/* The MSR address of each capability MSR. */
u32 vmx_cap_msr_index(enum vmxlab_cap_msr msr);

/* SDM text of a VM-instruction error number; "unknown error" otherwise. */
const char *vmx_insn_error_name(u32 error);

/* "PE", "VMXE", ...: the name of @bit of CR0 or CR4 (@cr is 0 or 4), or NULL. */
const char *vmx_cr_bit_name(unsigned int cr, unsigned int bit);

/* "write-back (WB)" for 6, "uncacheable (UC)" for 0; "not used by the SDM" otherwise. */
const char *vmx_memtype_name(u32 type);

/* The VMCS fields of include/vmxlab/vmcs_fields.h: count, encodings, names. */
unsigned int vmcs_field_count(void);
u32 vmcs_field_encoding(unsigned int index);
/* "GUEST_RIP" for 0x681e; NULL for an encoding not in the list. */
const char *vmcs_field_name(u32 encoding);
/*
 * Whether the field holds the host's state or a physical address of the
 * host's memory (the host-state area, the addresses of bitmaps, tables
 * and pages, the EPT pointer, the VMCS link pointer): what VMXLAB_GET_VMCS
 * hides from a caller without CAP_SYS_ADMIN.
 */
bool vmcs_field_reveals_host(u32 encoding);

#endif /* VMXLAB_NAMES_H */
