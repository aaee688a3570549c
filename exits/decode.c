// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit information, decoded (SDM Vol. 3C chapter "VM Exits", section
 * "Information for VM Exits"; Vol. 3D Appendix C "VMX Basic Exit
 * Reasons").  Pure logic, built into the module, the tool and the host
 * unit tests.
 */
#include <vmxlab/exits.h>

#ifndef __KERNEL__
#include <stdio.h>		/* snprintf; the kernel's comes with types.h */
#endif

#define REASON(r)	[VMX_EXIT_##r] = #r

/* SDM Vol. 3D, Table C-1 "Basic Exit Reasons". */
static const char *const exit_reason_names[VMX_EXIT_REASON_MAX + 1] = {
	REASON(EXCEPTION_NMI),
	REASON(EXTERNAL_INTERRUPT),
	REASON(TRIPLE_FAULT),
	REASON(INIT),
	REASON(SIPI),
	REASON(IO_SMI),
	REASON(OTHER_SMI),
	REASON(INTERRUPT_WINDOW),
	REASON(NMI_WINDOW),
	REASON(TASK_SWITCH),
	REASON(CPUID),
	REASON(GETSEC),
	REASON(HLT),
	REASON(INVD),
	REASON(INVLPG),
	REASON(RDPMC),
	REASON(RDTSC),
	REASON(RSM),
	REASON(VMCALL),
	REASON(VMCLEAR),
	REASON(VMLAUNCH),
	REASON(VMPTRLD),
	REASON(VMPTRST),
	REASON(VMREAD),
	REASON(VMRESUME),
	REASON(VMWRITE),
	REASON(VMXOFF),
	REASON(VMXON),
	REASON(CR_ACCESS),
	REASON(DR_ACCESS),
	REASON(IO_INSTRUCTION),
	REASON(RDMSR),
	REASON(WRMSR),
	REASON(ENTRY_FAIL_GUEST_STATE),
	REASON(ENTRY_FAIL_MSR_LOADING),
	REASON(MWAIT),
	REASON(MONITOR_TRAP_FLAG),
	REASON(MONITOR),
	REASON(PAUSE),
	REASON(ENTRY_FAIL_MACHINE_CHECK),
	REASON(TPR_BELOW_THRESHOLD),
	REASON(APIC_ACCESS),
	REASON(VIRTUALIZED_EOI),
	REASON(GDTR_IDTR_ACCESS),
	REASON(LDTR_TR_ACCESS),
	REASON(EPT_VIOLATION),
	REASON(EPT_MISCONFIG),
	REASON(INVEPT),
	REASON(RDTSCP),
	REASON(PREEMPTION_TIMER),
	REASON(INVVPID),
	REASON(WBINVD),
	REASON(XSETBV),
	REASON(APIC_WRITE),
	REASON(RDRAND),
	REASON(INVPCID),
	REASON(VMFUNC),
	REASON(ENCLS),
	REASON(RDSEED),
	REASON(PML_FULL),
	REASON(XSAVES),
	REASON(XRSTORS),
	REASON(PCONFIG),
	REASON(SPP),
	REASON(UMWAIT),
	REASON(TPAUSE),
	REASON(LOADIWKEY),
	REASON(ENCLV),
	REASON(ENQCMD_PASID),
	REASON(ENQCMDS_PASID),
	REASON(BUS_LOCK),
	REASON(INSTRUCTION_TIMEOUT),
	REASON(SEAMCALL),
	REASON(TDCALL),
};

const char *vmx_exit_reason_name(u32 basic_reason)
{
	if (basic_reason < ARRAY_SIZE(exit_reason_names))
		return exit_reason_names[basic_reason];
	return NULL;
}

/* The SDM's register numbering in exit qualifications and instruction info. */
static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

const char *vmx_gpr_name(unsigned int gpr)
{
	return gpr < ARRAY_SIZE(gpr_names) ? gpr_names[gpr] : NULL;
}

static bool qbit(u64 qual, unsigned int bit)
{
	return (qual >> bit) & 1;
}

/* SDM Vol. 3C, "Exit Qualification for I/O Instructions". */
int vmx_decode_io_qual(u64 qual, struct vmx_io_qual *io)
{
	/* Bits 2:0 hold the size minus one: 0, 1 or 3; 2 and 4-7 are unused. */
	static const u8 sizes[8] = { 1, 2, 0, 4, 0, 0, 0, 0 };

	io->size = sizes[qual & 7];
	io->in = qbit(qual, 3);
	io->string = qbit(qual, 4);
	io->rep = qbit(qual, 5);
	io->imm_port = qbit(qual, 6);
	io->port = (qual >> 16) & 0xffff;
	return io->size ? 0 : -EINVAL;
}

/* SDM Vol. 3C, "Exit Qualification for Control-Register Accesses". */
void vmx_decode_cr_qual(u64 qual, struct vmx_cr_qual *cr)
{
	cr->cr = qual & 0xf;
	cr->type = (enum vmx_cr_access_type)((qual >> 4) & 3);
	cr->lmsw_memory = qbit(qual, 6);
	cr->gpr = (qual >> 8) & 0xf;
	cr->lmsw_data = (qual >> 16) & 0xffff;
}

/* SDM Vol. 3C, "Exit Qualification for MOV DR". */
void vmx_decode_dr_qual(u64 qual, struct vmx_dr_qual *dr)
{
	dr->dr = qual & 7;
	dr->from_dr = qbit(qual, 4);
	dr->gpr = (qual >> 8) & 0xf;
}

/* SDM Vol. 3C, "Exit Qualification for EPT Violations". */
void vmx_decode_ept_qual(u64 qual, struct vmx_ept_qual *ept)
{
	ept->read = qbit(qual, 0);
	ept->write = qbit(qual, 1);
	ept->fetch = qbit(qual, 2);
	ept->readable = qbit(qual, 3);
	ept->writable = qbit(qual, 4);
	ept->executable = qbit(qual, 5);
	ept->user_executable = qbit(qual, 6);
	ept->gla_valid = qbit(qual, 7);
	/* Bits 8 and up say nothing about the GLA when bit 7 is clear. */
	ept->gla_translation = ept->gla_valid && qbit(qual, 8);
	ept->user_gla = ept->gla_translation && qbit(qual, 9);
	ept->gla_rw_page = ept->gla_translation && qbit(qual, 10);
	ept->gla_nx_page = ept->gla_translation && qbit(qual, 11);
	ept->nmi_unblocking = qbit(qual, 12);
	ept->shadow_stack = qbit(qual, 13);
	ept->supervisor_shadow_stack = qbit(qual, 14);
	ept->paging_verification = qbit(qual, 15);
	ept->asynchronous = qbit(qual, 16);
}

/*
 * SDM Vol. 3C, "Format of the VM-Exit Interruption-Information Field" and
 * "Format of the IDT-Vectoring Information Field".
 */
void vmx_decode_intr_info(u32 info, struct vmx_intr_info *intr)
{
	intr->vector = info & 0xff;
	intr->type = (enum vmx_intr_type)((info >> 8) & 7);
	intr->error_code_valid = qbit(info, 11);
	intr->nmi_unblocking = qbit(info, 12);
	intr->valid = qbit(info, 31);
}

static const char *const intr_type_names[8] = {
	[VMX_INTR_EXTERNAL] = "external interrupt",
	[VMX_INTR_NMI] = "NMI",
	[VMX_INTR_HW_EXCEPTION] = "hardware exception",
	[VMX_INTR_SW_INTERRUPT] = "software interrupt",
	[VMX_INTR_PRIV_SW_EXCEPTION] = "privileged software exception",
	[VMX_INTR_SW_EXCEPTION] = "software exception",
	[VMX_INTR_OTHER_EVENT] = "other event",
};

const char *vmx_intr_type_name(unsigned int type)
{
	return type < ARRAY_SIZE(intr_type_names) ? intr_type_names[type] : NULL;
}

/* Bits 9:7 of the instruction information: 16-, 32- or 64-bit addressing. */
static u8 insn_addr_size(u32 info)
{
	static const u8 sizes[8] = { 2, 4, 8, 0, 0, 0, 0, 0 };

	return sizes[(info >> 7) & 7];
}

static bool seg_reg_valid(enum vmx_seg_reg seg)
{
	return seg <= VMX_SEG_GS;
}

/*
 * SDM Vol. 3C, "Format of the VM-Exit Instruction-Information Field as
 * Used for INS and OUTS".
 */
int vmx_decode_io_insn_info(u32 info, struct vmx_io_insn_info *ii)
{
	ii->addr_size = insn_addr_size(info);
	ii->segment = (enum vmx_seg_reg)((info >> 15) & 7);
	return ii->addr_size && seg_reg_valid(ii->segment) ? 0 : -EINVAL;
}

/*
 * SDM Vol. 3C, "Information for VM Exits Due to Instruction Execution":
 * the layout the memory-operand formats share.
 */
int vmx_decode_insn_info(u32 info, struct vmx_insn_info *ii)
{
	ii->scale = 1 << (info & 3);
	ii->reg1 = (info >> 3) & 0xf;
	ii->addr_size = insn_addr_size(info);
	ii->reg_operand = qbit(info, 10);
	ii->segment = (enum vmx_seg_reg)((info >> 15) & 7);
	ii->index_reg = (info >> 18) & 0xf;
	ii->index_valid = !qbit(info, 22);
	ii->base_reg = (info >> 23) & 0xf;
	ii->base_valid = !qbit(info, 27);
	ii->reg2 = (info >> 28) & 0xf;
	/* A register operand leaves address size and segment undefined. */
	if (ii->reg_operand)
		return 0;
	return ii->addr_size && seg_reg_valid(ii->segment) ? 0 : -EINVAL;
}

/*
 * SDM Vol. 3C, "Format of the VM-Exit Instruction-Information Field as
 * Used for LIDT, LGDT, SIDT, or SGDT" and "... for LLDT, LTR, SLDT, and
 * STR".  Bit 10 is 0 in the first table; bit 11, the operand size, is
 * undefined in the second and in 64-bit mode (address size 8).
 */
int vmx_decode_dt_insn_info(u32 basic_reason, u32 info, struct vmx_dt_insn_info *dt)
{
	unsigned int identity = (info >> 28) & 3;
	int err = vmx_decode_insn_info(info, &dt->operand);

	dt->operand_size = 0;
	switch (basic_reason) {
	case VMX_EXIT_GDTR_IDTR_ACCESS:
		dt->insn = (enum vmx_dt_insn)(VMX_DT_SGDT + identity);
		if (dt->operand.addr_size != 8)
			dt->operand_size = qbit(info, 11) ? 4 : 2;
		return dt->operand.reg_operand ? -EINVAL : err;
	case VMX_EXIT_LDTR_TR_ACCESS:
		dt->insn = (enum vmx_dt_insn)(VMX_DT_SLDT + identity);
		return err;
	}
	dt->insn = VMX_DT_SGDT;
	return -EINVAL;
}

u64 vmx_insn_operand_offset(const struct vmx_insn_info *ii, const u64 gprs[16], u64 qual)
{
	u64 offset = qual;

	if (ii->base_valid)
		offset += gprs[ii->base_reg];
	if (ii->index_valid)
		offset += gprs[ii->index_reg] * ii->scale;
	if (ii->addr_size == 8)
		return offset;
	/* 16- and 32-bit addressing wrap within their size. */
	return offset & ((1ULL << (ii->addr_size * 8)) - 1);
}

/*
 * SDM Vol. 3C, "Guest Register State", table "Format of Access Rights".
 */
int vmx_decode_seg_ar(u32 ar, struct vmx_seg_ar *seg)
{
	seg->type = ar & VMX_SEG_AR_TYPE_MASK;
	seg->s = ar & VMX_SEG_AR_S;
	seg->dpl = (ar & VMX_SEG_AR_DPL_MASK) >> VMX_SEG_AR_DPL_SHIFT;
	seg->present = ar & VMX_SEG_AR_P;
	seg->avl = ar & VMX_SEG_AR_AVL;
	seg->l = ar & VMX_SEG_AR_L;
	seg->db = ar & VMX_SEG_AR_DB;
	seg->g = ar & VMX_SEG_AR_G;
	seg->unusable = ar & VMX_SEG_AR_UNUSABLE;
	return ar & VMX_SEG_AR_RESERVED ? -EINVAL : 0;
}

/* ------------------------------------------------------------------ */

/*
 * SDM Vol. 3C, "VM-Entry Failures During or After Loading Guest State":
 * what the exit qualification adds to a failed entry.
 */
static int describe_entry_failure(char *buf, size_t len, u32 basic,
				  const char *name, u64 qual)
{
	switch (basic) {
	case VMX_EXIT_ENTRY_FAIL_GUEST_STATE:
		return snprintf(buf, len, "VM-entry failure: %s (invalid guest state%s)",
				name,
				qual == 2 ? "; loading the PDPTEs failed" :
				qual == 4 ? "; invalid VMCS link pointer" : "");
	case VMX_EXIT_ENTRY_FAIL_MSR_LOADING:
		return snprintf(buf, len,
				"VM-entry failure: %s (loading entry %llu of the VM-entry MSR-load list failed)",
				name, (unsigned long long)qual);
	case VMX_EXIT_ENTRY_FAIL_MACHINE_CHECK:
		return snprintf(buf, len,
				"VM-entry failure: %s (machine-check event during VM entry)",
				name);
	}
	if (name)
		return snprintf(buf, len, "VM-entry failure: %s", name);
	return snprintf(buf, len, "VM-entry failure: basic reason %u", basic);
}

static int describe_io(char *buf, size_t len, const char *name, u64 qual)
{
	struct vmx_io_qual io;

	if (vmx_decode_io_qual(qual, &io))
		return snprintf(buf, len, "%s: size encoding %u is unused (qualification 0x%llx)",
				name, (unsigned int)(qual & 7), (unsigned long long)qual);
	return snprintf(buf, len, "%s: %s%s%s %u byte%s %s port 0x%x%s",
			name, io.rep ? "rep " : "",
			io.in ? "in" : "out", io.string ? "s" : "",
			io.size, io.size == 1 ? "" : "s",
			io.in ? "from" : "to", io.port,
			io.imm_port ? " (immediate)" : "");
}

static int describe_cr(char *buf, size_t len, const char *name, u64 qual)
{
	struct vmx_cr_qual cr;

	vmx_decode_cr_qual(qual, &cr);
	switch (cr.type) {
	case VMX_CR_MOV_TO:
		return snprintf(buf, len, "%s: mov to cr%u from %s",
				name, cr.cr, vmx_gpr_name(cr.gpr));
	case VMX_CR_MOV_FROM:
		return snprintf(buf, len, "%s: mov from cr%u to %s",
				name, cr.cr, vmx_gpr_name(cr.gpr));
	case VMX_CR_CLTS:
		return snprintf(buf, len, "%s: clts", name);
	case VMX_CR_LMSW:
		break;
	}
	return snprintf(buf, len, "%s: lmsw 0x%04x from %s", name,
			cr.lmsw_data, cr.lmsw_memory ? "memory" : "a register");
}

static int describe_dr(char *buf, size_t len, const char *name, u64 qual)
{
	struct vmx_dr_qual dr;

	vmx_decode_dr_qual(qual, &dr);
	if (dr.from_dr)
		return snprintf(buf, len, "%s: mov from dr%u to %s",
				name, dr.dr, vmx_gpr_name(dr.gpr));
	return snprintf(buf, len, "%s: mov to dr%u from %s",
			name, dr.dr, vmx_gpr_name(dr.gpr));
}

static int describe_ept_violation(char *buf, size_t len, const char *name, u64 qual)
{
	struct vmx_ept_qual ept;
	const char *access, *why;

	vmx_decode_ept_qual(qual, &ept);
	/* A read-modify-write sets the write bit; report it as the write. */
	access = ept.fetch ? "fetch" : ept.write ? "write" : ept.read ? "read" : "access";

	if (!ept.readable && !ept.writable && !ept.executable && !ept.user_executable)
		why = "not present";
	else if (ept.write && !ept.writable)
		why = "not writable";
	else if (ept.fetch && !ept.executable && !ept.user_executable)
		why = "not executable";
	else if (ept.read && !ept.readable)
		why = "not readable";
	else
		why = "permitted by EPT";

	return snprintf(buf, len, "%s: %s at a page that is %s%s%s (GPA in the separate field)",
			name, access, why,
			ept.gla_valid && !ept.gla_translation ?
				", while walking the guest's page tables" : "",
			ept.nmi_unblocking ? ", NMIs unblocked by IRET" : "");
}

int vmx_exit_describe(char *buf, size_t len, u32 exit_reason, u64 qualification)
{
	u32 basic = vmx_exit_basic_reason(exit_reason);
	const char *name = vmx_exit_reason_name(basic);

	if (vmx_exit_is_entry_failure(exit_reason))
		return describe_entry_failure(buf, len, basic, name, qualification);
	if (!name)
		return snprintf(buf, len, "exit reason %u (not in the SDM's table, qualification 0x%llx)",
				basic, (unsigned long long)qualification);

	switch (basic) {
	case VMX_EXIT_IO_INSTRUCTION:
		return describe_io(buf, len, name, qualification);
	case VMX_EXIT_CR_ACCESS:
		return describe_cr(buf, len, name, qualification);
	case VMX_EXIT_DR_ACCESS:
		return describe_dr(buf, len, name, qualification);
	case VMX_EXIT_EPT_VIOLATION:
		return describe_ept_violation(buf, len, name, qualification);
	case VMX_EXIT_EPT_MISCONFIG:
		return snprintf(buf, len, "%s: an EPT entry is misconfigured (GPA in the separate field)",
				name);
	case VMX_EXIT_EXCEPTION_NMI:
		/* For #PF the qualification is the linear address, for #DB the DR6 bits. */
		if (qualification)
			return snprintf(buf, len,
					"%s: exception or NMI (see the interruption-information field), qualification 0x%llx",
					name, (unsigned long long)qualification);
		return snprintf(buf, len, "%s: exception or NMI (see the interruption-information field)",
				name);
	case VMX_EXIT_TRIPLE_FAULT:
		return snprintf(buf, len, "%s: the guest faulted while delivering a double fault",
				name);
	}
	if (qualification)
		return snprintf(buf, len, "%s (qualification 0x%llx)",
				name, (unsigned long long)qualification);
	return snprintf(buf, len, "%s", name);
}
