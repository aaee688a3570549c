// SPDX-License-Identifier: GPL-2.0
/*
 * Names of VMX capability bits and errors (SDM Vol. 3C chapter "VMCS
 * Fields", Vol. 3D Appendix A).  Pure data, built into the module, the
 * tool and the host unit tests.
 */
#include <vmxlab/names.h>
#include <vmxlab/vmcs_fields.h>
#include <vmxlab/vmx_arch.h>

#define TABLE(t, b) { .title = (t), .bits = (b), .count = ARRAY_SIZE(b) }

/* SDM Vol. 3C, "Pin-Based VM-Execution Controls". */
static const struct vmx_bit_name pin_bits[] = {
	{ 0, "external-interrupt exiting" },
	{ 3, "NMI exiting" },
	{ 5, "virtual NMIs" },
	{ 6, "activate VMX-preemption timer" },
	{ 7, "process posted interrupts" },
};

/* SDM Vol. 3C, "Processor-Based VM-Execution Controls", primary. */
static const struct vmx_bit_name proc_bits[] = {
	{ 2, "interrupt-window exiting" },
	{ 3, "use TSC offsetting" },
	{ 7, "HLT exiting" },
	{ 9, "INVLPG exiting" },
	{ 10, "MWAIT exiting" },
	{ 11, "RDPMC exiting" },
	{ 12, "RDTSC exiting" },
	{ 15, "CR3-load exiting" },
	{ 16, "CR3-store exiting" },
	{ 17, "activate tertiary controls" },
	{ 19, "CR8-load exiting" },
	{ 20, "CR8-store exiting" },
	{ 21, "use TPR shadow" },
	{ 22, "NMI-window exiting" },
	{ 23, "MOV-DR exiting" },
	{ 24, "unconditional I/O exiting" },
	{ 25, "use I/O bitmaps" },
	{ 27, "monitor trap flag" },
	{ 28, "use MSR bitmaps" },
	{ 29, "MONITOR exiting" },
	{ 30, "PAUSE exiting" },
	{ 31, "activate secondary controls" },
};

/* SDM Vol. 3C, "Processor-Based VM-Execution Controls", secondary. */
static const struct vmx_bit_name proc2_bits[] = {
	{ 0, "virtualize APIC accesses" },
	{ 1, "enable EPT" },
	{ 2, "descriptor-table exiting" },
	{ 3, "enable RDTSCP" },
	{ 4, "virtualize x2APIC mode" },
	{ 5, "enable VPID" },
	{ 6, "WBINVD exiting" },
	{ 7, "unrestricted guest" },
	{ 8, "APIC-register virtualization" },
	{ 9, "virtual-interrupt delivery" },
	{ 10, "PAUSE-loop exiting" },
	{ 11, "RDRAND exiting" },
	{ 12, "enable INVPCID" },
	{ 13, "enable VM functions" },
	{ 14, "VMCS shadowing" },
	{ 15, "enable ENCLS exiting" },
	{ 16, "RDSEED exiting" },
	{ 17, "enable PML" },
	{ 18, "EPT-violation #VE" },
	{ 19, "conceal VMX from PT" },
	{ 20, "enable XSAVES/XRSTORS" },
	{ 21, "PASID translation" },
	{ 22, "mode-based execute control for EPT" },
	{ 23, "sub-page write permissions for EPT" },
	{ 24, "Intel PT uses guest physical addresses" },
	{ 25, "use TSC scaling" },
	{ 26, "enable user wait and pause" },
	{ 27, "enable PCONFIG" },
	{ 28, "enable ENCLV exiting" },
	{ 30, "VMM bus-lock detection" },
	{ 31, "instruction timeout" },
};

/* SDM Vol. 3C, "Primary VM-Exit Controls". */
static const struct vmx_bit_name exit_bits[] = {
	{ 2, "save debug controls" },
	{ 9, "host address-space size" },
	{ 12, "load IA32_PERF_GLOBAL_CTRL" },
	{ 15, "acknowledge interrupt on exit" },
	{ 18, "save IA32_PAT" },
	{ 19, "load IA32_PAT" },
	{ 20, "save IA32_EFER" },
	{ 21, "load IA32_EFER" },
	{ 22, "save VMX-preemption timer value" },
	{ 23, "clear IA32_BNDCFGS" },
	{ 24, "conceal VMX from PT" },
	{ 25, "clear IA32_RTIT_CTL" },
	{ 26, "clear IA32_LBR_CTL" },
	{ 27, "clear UINV" },
	{ 28, "load CET state" },
	{ 29, "load PKRS" },
	{ 30, "save IA32_PERF_GLOBAL_CTL" },
	{ 31, "activate secondary controls" },
};

/* SDM Vol. 3C, "VM-Entry Controls". */
static const struct vmx_bit_name entry_bits[] = {
	{ 2, "load debug controls" },
	{ 9, "IA-32e mode guest" },
	{ 10, "entry to SMM" },
	{ 11, "deactivate dual-monitor treatment" },
	{ 13, "load IA32_PERF_GLOBAL_CTRL" },
	{ 14, "load IA32_PAT" },
	{ 15, "load IA32_EFER" },
	{ 16, "load IA32_BNDCFGS" },
	{ 17, "conceal VMX from PT" },
	{ 18, "load IA32_RTIT_CTL" },
	{ 19, "load UINV" },
	{ 20, "load CET state" },
	{ 21, "load guest IA32_LBR_CTL" },
	{ 22, "load PKRS" },
};

/* SDM Vol. 3D, A.10 "VPID and EPT Capabilities". */
static const struct vmx_bit_name ept_vpid_bits[] = {
	{ 0, "EPT execute-only translations" },
	{ 6, "EPT page-walk length 4" },
	{ 7, "EPT page-walk length 5" },
	{ 8, "EPT uncacheable (UC) memory type" },
	{ 14, "EPT write-back (WB) memory type" },
	{ 16, "EPT 2-MByte pages" },
	{ 17, "EPT 1-GByte pages" },
	{ 20, "INVEPT" },
	{ 21, "EPT accessed and dirty flags" },
	{ 22, "advanced VM-exit information for EPT violations" },
	{ 23, "supervisor shadow-stack control" },
	{ 25, "INVEPT single-context" },
	{ 26, "INVEPT all-context" },
	{ 32, "INVVPID" },
	{ 40, "INVVPID individual-address" },
	{ 41, "INVVPID single-context" },
	{ 42, "INVVPID all-context" },
	{ 43, "INVVPID single-context-retaining-globals" },
};

const struct vmx_bit_table vmx_control_tables[VMXLAB_NR_CONTROL_SETS] = {
	[VMXLAB_CTLS_PINBASED] = TABLE("Pin-based VM-execution controls", pin_bits),
	[VMXLAB_CTLS_PROCBASED] = TABLE("Primary processor-based VM-execution controls", proc_bits),
	[VMXLAB_CTLS_PROCBASED2] = TABLE("Secondary processor-based VM-execution controls", proc2_bits),
	[VMXLAB_CTLS_EXIT] = TABLE("VM-exit controls", exit_bits),
	[VMXLAB_CTLS_ENTRY] = TABLE("VM-entry controls", entry_bits),
};

const struct vmx_bit_table vmx_ept_vpid_table =
	TABLE("EPT and VPID capabilities", ept_vpid_bits);

const char *vmx_bit_name(const struct vmx_bit_table *table, unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < table->count; i++)
		if (table->bits[i].bit == bit)
			return table->bits[i].name;
	return NULL;
}

struct vmx_cap_msr_desc {
	u32 index;
	const char *name;
};

static const struct vmx_cap_msr_desc cap_msrs[VMXLAB_NR_CAP_MSRS] = {
	[VMXLAB_CAP_FEATURE_CONTROL] = { VMX_MSR_FEATURE_CONTROL, "IA32_FEATURE_CONTROL" },
	[VMXLAB_CAP_BASIC] = { VMX_MSR_BASIC, "IA32_VMX_BASIC" },
	[VMXLAB_CAP_PINBASED] = { VMX_MSR_PINBASED_CTLS, "IA32_VMX_PINBASED_CTLS" },
	[VMXLAB_CAP_PROCBASED] = { VMX_MSR_PROCBASED_CTLS, "IA32_VMX_PROCBASED_CTLS" },
	[VMXLAB_CAP_EXIT] = { VMX_MSR_EXIT_CTLS, "IA32_VMX_EXIT_CTLS" },
	[VMXLAB_CAP_ENTRY] = { VMX_MSR_ENTRY_CTLS, "IA32_VMX_ENTRY_CTLS" },
	[VMXLAB_CAP_MISC] = { VMX_MSR_MISC, "IA32_VMX_MISC" },
	[VMXLAB_CAP_CR0_FIXED0] = { VMX_MSR_CR0_FIXED0, "IA32_VMX_CR0_FIXED0" },
	[VMXLAB_CAP_CR0_FIXED1] = { VMX_MSR_CR0_FIXED1, "IA32_VMX_CR0_FIXED1" },
	[VMXLAB_CAP_CR4_FIXED0] = { VMX_MSR_CR4_FIXED0, "IA32_VMX_CR4_FIXED0" },
	[VMXLAB_CAP_CR4_FIXED1] = { VMX_MSR_CR4_FIXED1, "IA32_VMX_CR4_FIXED1" },
	[VMXLAB_CAP_VMCS_ENUM] = { VMX_MSR_VMCS_ENUM, "IA32_VMX_VMCS_ENUM" },
	[VMXLAB_CAP_PROCBASED2] = { VMX_MSR_PROCBASED_CTLS2, "IA32_VMX_PROCBASED_CTLS2" },
	[VMXLAB_CAP_EPT_VPID] = { VMX_MSR_EPT_VPID_CAP, "IA32_VMX_EPT_VPID_CAP" },
	[VMXLAB_CAP_TRUE_PINBASED] = { VMX_MSR_TRUE_PINBASED_CTLS, "IA32_VMX_TRUE_PINBASED_CTLS" },
	[VMXLAB_CAP_TRUE_PROCBASED] = { VMX_MSR_TRUE_PROCBASED_CTLS, "IA32_VMX_TRUE_PROCBASED_CTLS" },
	[VMXLAB_CAP_TRUE_EXIT] = { VMX_MSR_TRUE_EXIT_CTLS, "IA32_VMX_TRUE_EXIT_CTLS" },
	[VMXLAB_CAP_TRUE_ENTRY] = { VMX_MSR_TRUE_ENTRY_CTLS, "IA32_VMX_TRUE_ENTRY_CTLS" },
	[VMXLAB_CAP_VMFUNC] = { VMX_MSR_VMFUNC, "IA32_VMX_VMFUNC" },
	[VMXLAB_CAP_PROCBASED3] = { VMX_MSR_PROCBASED_CTLS3, "IA32_VMX_PROCBASED_CTLS3" },
};

const char *vmx_cap_msr_name(enum vmxlab_cap_msr msr)
{
	return (unsigned int)msr < VMXLAB_NR_CAP_MSRS ? cap_msrs[msr].name : NULL;
}

u32 vmx_cap_msr_index(enum vmxlab_cap_msr msr)
{
	return (unsigned int)msr < VMXLAB_NR_CAP_MSRS ? cap_msrs[msr].index : 0;
}

/* SDM Vol. 3C, "VM Instruction Error Numbers". */
static const char *const insn_errors[] = {
	[VMX_INSN_ERR_VMCALL_IN_ROOT] = "VMCALL executed in VMX root operation",
	[VMX_INSN_ERR_VMCLEAR_INVALID_PA] = "VMCLEAR with invalid physical address",
	[VMX_INSN_ERR_VMCLEAR_VMXON_PTR] = "VMCLEAR with VMXON pointer",
	[VMX_INSN_ERR_VMLAUNCH_NOT_CLEAR] = "VMLAUNCH with non-clear VMCS",
	[VMX_INSN_ERR_VMRESUME_NOT_LAUNCHED] = "VMRESUME with non-launched VMCS",
	[VMX_INSN_ERR_VMRESUME_AFTER_VMXOFF] = "VMRESUME after VMXOFF",
	[VMX_INSN_ERR_ENTRY_INVALID_CONTROLS] = "VM entry with invalid control field(s)",
	[VMX_INSN_ERR_ENTRY_INVALID_HOST_STATE] = "VM entry with invalid host-state field(s)",
	[VMX_INSN_ERR_VMPTRLD_INVALID_PA] = "VMPTRLD with invalid physical address",
	[VMX_INSN_ERR_VMPTRLD_VMXON_PTR] = "VMPTRLD with VMXON pointer",
	[VMX_INSN_ERR_VMPTRLD_BAD_REVISION] = "VMPTRLD with incorrect VMCS revision identifier",
	[VMX_INSN_ERR_UNSUPPORTED_FIELD] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[VMX_INSN_ERR_VMWRITE_READ_ONLY] = "VMWRITE to read-only VMCS component",
	[VMX_INSN_ERR_VMXON_IN_ROOT] = "VMXON executed in VMX root operation",
	[VMX_INSN_ERR_ENTRY_INVALID_EXEC_VMCS] = "VM entry with invalid executive-VMCS pointer",
	[VMX_INSN_ERR_ENTRY_NONLAUNCHED_EXEC] = "VM entry with non-launched executive VMCS",
	[VMX_INSN_ERR_ENTRY_EXEC_NOT_VMXON] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[VMX_INSN_ERR_VMCALL_NOT_CLEAR] = "VMCALL with non-clear VMCS",
	[VMX_INSN_ERR_VMCALL_BAD_EXIT_CTLS] = "VMCALL with invalid VM-exit control fields",
	[VMX_INSN_ERR_VMCALL_BAD_MSEG_REV] = "VMCALL with incorrect MSEG revision identifier",
	[VMX_INSN_ERR_VMXOFF_DUAL_MONITOR] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[VMX_INSN_ERR_VMCALL_BAD_SMM_FEATURES] = "VMCALL with invalid SMM-monitor features",
	[VMX_INSN_ERR_ENTRY_BAD_EXEC_CTLS] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[VMX_INSN_ERR_ENTRY_MOV_SS_BLOCKING] = "VM entry with events blocked by MOV SS",
	[VMX_INSN_ERR_INVALID_INVEPT_INVVPID] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(u32 error)
{
	if (error < ARRAY_SIZE(insn_errors) && insn_errors[error])
		return insn_errors[error];
	return "unknown error";
}

/* SDM Vol. 3A, "Control Registers". */
static const char *const cr0_bits[64] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET",
	[5] = "NE", [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD",
	[31] = "PG",
};

static const char *const cr4_bits[64] = {
	[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE",
	[5] = "PAE", [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR",
	[10] = "OSXMMEXCPT", [11] = "UMIP", [12] = "LA57", [13] = "VMXE",
	[14] = "SMXE", [16] = "FSGSBASE", [17] = "PCIDE", [18] = "OSXSAVE",
	[19] = "KL", [20] = "SMEP", [21] = "SMAP", [22] = "PKE", [23] = "CET",
	[24] = "PKS", [25] = "UINTR", [28] = "LAM_SUP",
};

const char *vmx_cr_bit_name(unsigned int cr, unsigned int bit)
{
	if (bit >= 64 || (cr != 0 && cr != 4))
		return NULL;
	return cr == 0 ? cr0_bits[bit] : cr4_bits[bit];
}

/* SDM Vol. 3D, A.1: VMX structures use UC (0) or WB (6); other values are unused. */
const char *vmx_memtype_name(u32 type)
{
	switch (type) {
	case VMX_MEMTYPE_UC:
		return "uncacheable (UC)";
	case VMX_MEMTYPE_WB:
		return "write-back (WB)";
	default:
		return "not used by the SDM";
	}
}

/* Every VMCS field vmxlab knows, in the order of VMCS_FIELDS (Appendix B). */
struct vmcs_field_desc {
	u32 encoding;
	const char *name;
};

#define VMCS_FIELD_DESC(name, encoding)	{ encoding, #name },
static const struct vmcs_field_desc vmcs_field_descs[] = {
	VMCS_FIELDS(VMCS_FIELD_DESC)
};
#undef VMCS_FIELD_DESC

unsigned int vmcs_field_count(void)
{
	return ARRAY_SIZE(vmcs_field_descs);
}

u32 vmcs_field_encoding(unsigned int index)
{
	return index < ARRAY_SIZE(vmcs_field_descs) ? vmcs_field_descs[index].encoding : 0;
}

/* The physical addresses among the 64-bit control fields, and the link pointer. */
static const u32 vmcs_host_address_fields[] = {
	VMCS_IO_BITMAP_A, VMCS_IO_BITMAP_B, VMCS_MSR_BITMAP,
	VMCS_VM_EXIT_MSR_STORE_ADDR, VMCS_VM_EXIT_MSR_LOAD_ADDR,
	VMCS_VM_ENTRY_MSR_LOAD_ADDR, VMCS_EXECUTIVE_VMCS_POINTER, VMCS_PML_ADDRESS,
	VMCS_VIRTUAL_APIC_PAGE_ADDR, VMCS_APIC_ACCESS_ADDR, VMCS_POSTED_INTR_DESC_ADDR,
	VMCS_EPT_POINTER, VMCS_EPTP_LIST_ADDRESS, VMCS_VMREAD_BITMAP,
	VMCS_VMWRITE_BITMAP, VMCS_VE_INFORMATION_ADDRESS, VMCS_VMCS_LINK_POINTER,
};

bool vmcs_field_reveals_host(u32 encoding)
{
	unsigned int i;

	if (VMCS_ENCODING_TYPE(encoding) == VMCS_TYPE_HOST)
		return true;
	/* The high half of a 64-bit field (access type "high") too. */
	encoding &= ~VMCS_ENCODING_HIGH;
	for (i = 0; i < ARRAY_SIZE(vmcs_host_address_fields); i++)
		if (vmcs_host_address_fields[i] == encoding)
			return true;
	return false;
}

const char *vmcs_field_name(u32 encoding)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmcs_field_descs); i++)
		if (vmcs_field_descs[i].encoding == encoding)
			return vmcs_field_descs[i].name;
	return NULL;
}
