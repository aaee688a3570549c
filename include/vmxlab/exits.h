/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a VM exit tells the VMM, decoded: the exit-reason field, the basic
 * exit reasons and the exit qualifications and event-information fields
 * that vmxlab's handlers read (SDM Vol. 3C chapters "Virtual Machine
 * Control Structures" and "VM Exits", Vol. 3D Appendix C "VMX Basic Exit
 * Reasons").
 *
 * Pure logic, no VMREAD: callers pass the raw field values, so the same
 * code serves the module, the vmxlab tool and the host unit tests.
 */
#ifndef VMXLAB_EXITS_H
#define VMXLAB_EXITS_H

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

/* SDM Vol. 3D, Table C-1 "Basic Exit Reasons".  Gaps are undefined. */
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI			= 0,
	VMX_EXIT_EXTERNAL_INTERRUPT		= 1,
	VMX_EXIT_TRIPLE_FAULT			= 2,
	VMX_EXIT_INIT				= 3,
	VMX_EXIT_SIPI				= 4,
	VMX_EXIT_IO_SMI				= 5,
	VMX_EXIT_OTHER_SMI			= 6,
	VMX_EXIT_INTERRUPT_WINDOW		= 7,
	VMX_EXIT_NMI_WINDOW			= 8,
	VMX_EXIT_TASK_SWITCH			= 9,
	VMX_EXIT_CPUID				= 10,
	VMX_EXIT_GETSEC				= 11,
	VMX_EXIT_HLT				= 12,
	VMX_EXIT_INVD				= 13,
	VMX_EXIT_INVLPG				= 14,
	VMX_EXIT_RDPMC				= 15,
	VMX_EXIT_RDTSC				= 16,
	VMX_EXIT_RSM				= 17,
	VMX_EXIT_VMCALL				= 18,
	VMX_EXIT_VMCLEAR			= 19,
	VMX_EXIT_VMLAUNCH			= 20,
	VMX_EXIT_VMPTRLD			= 21,
	VMX_EXIT_VMPTRST			= 22,
	VMX_EXIT_VMREAD				= 23,
	VMX_EXIT_VMRESUME			= 24,
	VMX_EXIT_VMWRITE			= 25,
	VMX_EXIT_VMXOFF				= 26,
	VMX_EXIT_VMXON				= 27,
	VMX_EXIT_CR_ACCESS			= 28,
	VMX_EXIT_DR_ACCESS			= 29,
	VMX_EXIT_IO_INSTRUCTION			= 30,
	VMX_EXIT_RDMSR				= 31,
	VMX_EXIT_WRMSR				= 32,
	VMX_EXIT_ENTRY_FAIL_GUEST_STATE		= 33,
	VMX_EXIT_ENTRY_FAIL_MSR_LOADING		= 34,
	VMX_EXIT_MWAIT				= 36,
	VMX_EXIT_MONITOR_TRAP_FLAG		= 37,
	VMX_EXIT_MONITOR			= 39,
	VMX_EXIT_PAUSE				= 40,
	VMX_EXIT_ENTRY_FAIL_MACHINE_CHECK	= 41,
	VMX_EXIT_TPR_BELOW_THRESHOLD		= 43,
	VMX_EXIT_APIC_ACCESS			= 44,
	VMX_EXIT_VIRTUALIZED_EOI		= 45,
	VMX_EXIT_GDTR_IDTR_ACCESS		= 46,
	VMX_EXIT_LDTR_TR_ACCESS			= 47,
	VMX_EXIT_EPT_VIOLATION			= 48,
	VMX_EXIT_EPT_MISCONFIG			= 49,
	VMX_EXIT_INVEPT				= 50,
	VMX_EXIT_RDTSCP				= 51,
	VMX_EXIT_PREEMPTION_TIMER		= 52,
	VMX_EXIT_INVVPID			= 53,
	VMX_EXIT_WBINVD				= 54,
	VMX_EXIT_XSETBV				= 55,
	VMX_EXIT_APIC_WRITE			= 56,
	VMX_EXIT_RDRAND				= 57,
	VMX_EXIT_INVPCID			= 58,
	VMX_EXIT_VMFUNC				= 59,
	VMX_EXIT_ENCLS				= 60,
	VMX_EXIT_RDSEED				= 61,
	VMX_EXIT_PML_FULL			= 62,
	VMX_EXIT_XSAVES				= 63,
	VMX_EXIT_XRSTORS			= 64,
	VMX_EXIT_PCONFIG			= 65,
	VMX_EXIT_SPP				= 66,
	VMX_EXIT_UMWAIT				= 67,
	VMX_EXIT_TPAUSE				= 68,
	VMX_EXIT_LOADIWKEY			= 69,
	VMX_EXIT_ENCLV				= 70,
	VMX_EXIT_ENQCMD_PASID			= 72,
	VMX_EXIT_ENQCMDS_PASID			= 73,
	VMX_EXIT_BUS_LOCK			= 74,
	VMX_EXIT_INSTRUCTION_TIMEOUT		= 75,
	VMX_EXIT_SEAMCALL			= 76,
	VMX_EXIT_TDCALL				= 77,
};

/* The highest basic exit reason vmx_exit_reason_name() knows. */
#define VMX_EXIT_REASON_MAX		VMX_EXIT_TDCALL

/*
 * The 32-bit exit-reason field (SDM Vol. 3C, "Basic VM-Exit Information",
 * table "Format of Exit Reason").
 */
#define VMX_EXIT_REASON_BASIC_MASK	0x0000ffffU	/* 15:0 basic exit reason */
#define VMX_EXIT_REASON_BUS_LOCK_DETECTED 0x04000000U	/* 26 a bus lock was detected too */
#define VMX_EXIT_REASON_ENCLAVE_MODE	0x08000000U	/* 27 exit from enclave mode */
#define VMX_EXIT_REASON_PENDING_MTF	0x10000000U	/* 28 SMM exit beat an MTF exit */
#define VMX_EXIT_REASON_FROM_VMX_ROOT	0x20000000U	/* 29 SMM exit from VMX root */
#define VMX_EXIT_REASON_ENTRY_FAILURE	0x80000000U	/* 31 VM entry failed */

/* Bits 15:0: the number to look up in Table C-1. */
static inline u32 vmx_exit_basic_reason(u32 exit_reason)
{
	return exit_reason & VMX_EXIT_REASON_BASIC_MASK;
}

/*
 * Bit 31: the VM entry failed and no guest ran; the host state was loaded
 * and the basic reason says why (33, 34 or 41).
 */
static inline bool vmx_exit_is_entry_failure(u32 exit_reason)
{
	return exit_reason & VMX_EXIT_REASON_ENTRY_FAILURE;
}

/* Bit 26: a bus lock was detected alongside a VM exit for another reason. */
static inline bool vmx_exit_bus_lock_detected(u32 exit_reason)
{
	return exit_reason & VMX_EXIT_REASON_BUS_LOCK_DETECTED;
}

/* Bit 27: the guest was in an SGX enclave when the VM exit happened. */
static inline bool vmx_exit_from_enclave(u32 exit_reason)
{
	return exit_reason & VMX_EXIT_REASON_ENCLAVE_MODE;
}

/* Bit 28: an SMM VM exit took priority over a pending MTF VM exit. */
static inline bool vmx_exit_pending_mtf(u32 exit_reason)
{
	return exit_reason & VMX_EXIT_REASON_PENDING_MTF;
}

/* Bit 29: the processor was in VMX root operation (SMM VM exits only). */
static inline bool vmx_exit_from_vmx_root(u32 exit_reason)
{
	return exit_reason & VMX_EXIT_REASON_FROM_VMX_ROOT;
}

/*
 * The exit-timing bucket of @cycles (uapi.h, VMXLAB_GET_EXIT_CYCLES):
 * floor(log2(cycles)), 0 for 0 cycles, at most VMXLAB_CYCLES_BUCKETS - 1.
 */
static inline unsigned int vmx_cycles_bucket(u64 cycles)
{
	unsigned int log2 = cycles ? 63 - __builtin_clzll(cycles) : 0;

	return log2 < VMXLAB_CYCLES_BUCKETS ? log2 : VMXLAB_CYCLES_BUCKETS - 1;
}

/* "CPUID", "EPT_VIOLATION", ... (no prefix); NULL when the SDM defines none. */
const char *vmx_exit_reason_name(u32 basic_reason);

/* "rax", "rcx", ..., "r15" for the SDM's 4-bit GPR numbers; NULL above 15. */
const char *vmx_gpr_name(unsigned int gpr);

/* SDM Vol. 3C, table "Exit Qualification for I/O Instructions". */
struct vmx_io_qual {
	u16 port;		/* 31:16, from DX or from the immediate */
	u8 size;		/* 2:0 decoded: 1, 2 or 4 bytes; 0 if unused */
	bool in;		/* 3: IN/INS; false for OUT/OUTS */
	bool string;		/* 4: INS/OUTS */
	bool rep;		/* 5: REP prefix */
	bool imm_port;		/* 6: port was an immediate, not DX */
};

/* Decode @qual into @io; -EINVAL (with @io filled) for an unused size. */
int vmx_decode_io_qual(u64 qual, struct vmx_io_qual *io);

/* Bits 5:4 of the control-register access qualification. */
enum vmx_cr_access_type {
	VMX_CR_MOV_TO		= 0,
	VMX_CR_MOV_FROM		= 1,
	VMX_CR_CLTS		= 2,
	VMX_CR_LMSW		= 3,
};

/* SDM Vol. 3C, table "Exit Qualification for Control-Register Accesses". */
struct vmx_cr_qual {
	u8 cr;			/* 3:0: 0, 3, 4 or 8 (CLTS, LMSW: 0) */
	enum vmx_cr_access_type type;	/* 5:4 */
	bool lmsw_memory;	/* 6: LMSW operand in memory (address in GLA field) */
	u8 gpr;			/* 11:8: MOV CR's register, 0 = rax .. 15 = r15 */
	u16 lmsw_data;		/* 31:16: LMSW's source operand */
};

void vmx_decode_cr_qual(u64 qual, struct vmx_cr_qual *cr);

/* SDM Vol. 3C, table "Exit Qualification for MOV DR". */
struct vmx_dr_qual {
	u8 dr;			/* 2:0: debug register number */
	bool from_dr;		/* 4: MOV from DR; false for MOV to DR */
	u8 gpr;			/* 11:8: the other operand, 0 = rax .. 15 = r15 */
};

void vmx_decode_dr_qual(u64 qual, struct vmx_dr_qual *dr);

/*
 * SDM Vol. 3C, table "Exit Qualification for EPT Violations".  The
 * guest-physical address is in its own VMCS field, the guest-linear one
 * (when gla_valid) in another.
 */
struct vmx_ept_qual {
	/* What the guest tried to do. */
	bool read;		/* 0: data read */
	bool write;		/* 1: data write (read-modify-write sets this) */
	bool fetch;		/* 2: instruction fetch */
	/* What EPT allowed there: the AND over the entries walked. */
	bool readable;		/* 3 */
	bool writable;		/* 4 */
	bool executable;	/* 5: supervisor-mode executable under MBEC */
	bool user_executable;	/* 6: user-mode executable; MBEC only */
	/* Where the access came from. */
	bool gla_valid;		/* 7: guest-linear-address field is valid */
	bool gla_translation;	/* 8: access to the GLA's final translation;
				 * false: to a guest paging-structure entry.
				 * Meaningful only when gla_valid. */
	/* Advanced exit information (IA32_VMX_EPT_VPID_CAP[22]), bit 8 set. */
	bool user_gla;		/* 9: user-mode linear address */
	bool gla_rw_page;	/* 10: guest paging maps it read/write */
	bool gla_nx_page;	/* 11: guest paging maps it execute-disable */
	bool nmi_unblocking;	/* 12: IRET had unblocked NMIs */
	bool shadow_stack;	/* 13: a shadow-stack access */
	bool supervisor_shadow_stack;	/* 14: SSS bit of the EPT leaf */
	bool paging_verification;	/* 15: caused by guest-paging verification */
	bool asynchronous;	/* 16: asynchronous to instruction execution */
};

void vmx_decode_ept_qual(u64 qual, struct vmx_ept_qual *ept);

/* Bits 10:8 of the interruption-information formats. */
enum vmx_intr_type {
	VMX_INTR_EXTERNAL		= 0,
	VMX_INTR_NMI			= 2,
	VMX_INTR_HW_EXCEPTION		= 3,
	VMX_INTR_SW_INTERRUPT		= 4,
	VMX_INTR_PRIV_SW_EXCEPTION	= 5,
	VMX_INTR_SW_EXCEPTION		= 6,
	VMX_INTR_OTHER_EVENT		= 7,
};

/*
 * SDM Vol. 3C, tables "Format of the VM-Exit Interruption-Information
 * Field" and "Format of the IDT-Vectoring Information Field": the same
 * layout, except that bit 12 is undefined in IDT-vectoring information.
 */
struct vmx_intr_info {
	u8 vector;		/* 7:0 */
	enum vmx_intr_type type;	/* 10:8 */
	bool error_code_valid;	/* 11: error code in its own VMCS field */
	bool nmi_unblocking;	/* 12: IRET had unblocked NMIs (exit info only) */
	bool valid;		/* 31: the rest means something */
};

void vmx_decode_intr_info(u32 info, struct vmx_intr_info *intr);

/*
 * The same bits, for writing the VM-entry interruption-information field
 * (SDM Vol. 3C, "VM-Entry Controls for Event Injection") or clearing one.
 */
#define VMX_INTR_INFO_VECTOR_MASK	0x000000ffU	/* 7:0 */
#define VMX_INTR_INFO_TYPE_SHIFT	8		/* 10:8 enum vmx_intr_type */
#define VMX_INTR_INFO_DELIVER_CODE	0x00000800U	/* 11 deliver an error code */
#define VMX_INTR_INFO_NMI_UNBLOCKING	0x00001000U	/* 12; undefined in IDT-vectoring */
#define VMX_INTR_INFO_VALID		0x80000000U	/* 31 */

/* Whether interruption or IDT-vectoring information @info is valid (bit 31). */
static inline bool vmx_intr_info_valid(u32 info)
{
	return info & VMX_INTR_INFO_VALID;
}

/* Its type, bits 10:8. */
static inline enum vmx_intr_type vmx_intr_info_type(u32 info)
{
	return (enum vmx_intr_type)((info >> VMX_INTR_INFO_TYPE_SHIFT) & 7);
}

/*
 * Exit qualification of a debug exception (#DB) exit (SDM Vol. 3C,
 * "Exit Qualification for Debug Exceptions"), and the pending debug
 * exceptions field ("Guest Non-Register State"): B0-B3 and BS.
 */
#define VMX_DBG_QUAL_B0_B3		0x0000000fU	/* 3:0 breakpoint conditions met */
#define VMX_DBG_QUAL_BD			0x00002000U	/* 13 debug-register access detected */
#define VMX_DBG_QUAL_BS			0x00004000U	/* 14 single step */
#define VMX_DBG_QUAL_RTM		0x00010000U	/* 16 in an RTM region (active high) */
#define VMX_PENDING_DBG_BS		0x00004000U	/* 14 single step pending */

/* "external interrupt", "NMI", ...; NULL for type 1, the unused one. */
const char *vmx_intr_type_name(unsigned int type);

/*
 * Segment registers as bits 17:15 of the VM-exit instruction information
 * number them (SDM Vol. 3C, "Information for VM Exits Due to Instruction
 * Execution"): the order of the guest segment fields in the VMCS too.
 */
enum vmx_seg_reg {
	VMX_SEG_ES		= 0,
	VMX_SEG_CS		= 1,
	VMX_SEG_SS		= 2,
	VMX_SEG_DS		= 3,
	VMX_SEG_FS		= 4,
	VMX_SEG_GS		= 5,
};

/*
 * SDM Vol. 3C, table "Format of the VM-Exit Instruction-Information Field
 * as Used for INS and OUTS".  The processor fills it only when
 * IA32_VMX_BASIC bit 54 is 1 (VMX_BASIC_INOUT_INFO).
 */
struct vmx_io_insn_info {
	u8 addr_size;		/* 9:7 decoded: 2, 4 or 8 bytes; 0 if unused */
	enum vmx_seg_reg segment;	/* 17:15: OUTS's source; INS always writes ES */
};

/* Decode @info into @ii; -EINVAL (with @ii filled) for an unused encoding. */
int vmx_decode_io_insn_info(u32 info, struct vmx_io_insn_info *ii);

/*
 * The operand layout common to the instruction-information formats of
 * SDM Vol. 3C, "Information for VM Exits Due to Instruction Execution":
 * tables "... as Used for INVEPT, INVPCID, and INVVPID", "... for LIDT,
 * LGDT, SIDT, or SGDT", "... for LLDT, LTR, SLDT, and STR", "... for
 * VMCLEAR, VMPTRLD, VMPTRST, VMXON, XRSTORS, and XSAVES" and "... for
 * VMREAD and VMWRITE".  A field the instruction's table leaves undefined
 * is decoded all the same: the caller reads only the fields its exit
 * reason defines.  The memory operand's displacement is the exit
 * qualification.
 */
struct vmx_insn_info {
	u8 scale;		/* 1:0 decoded: index times 1, 2, 4 or 8 */
	u8 reg1;		/* 6:3: the register operand, when reg_operand */
	u8 addr_size;		/* 9:7 decoded: 2, 4 or 8 bytes; 0 if unused */
	bool reg_operand;	/* 10: operand is reg1, not memory (VMREAD,
				 * VMWRITE, LLDT, LTR, SLDT, STR only) */
	enum vmx_seg_reg segment;	/* 17:15: segment of the memory operand */
	u8 index_reg;		/* 21:18: 0 = rax .. 15 = r15 */
	bool index_valid;	/* 22 clear: there is an index register */
	u8 base_reg;		/* 26:23 */
	bool base_valid;	/* 27 clear: there is a base register */
	u8 reg2;		/* 31:28: the other register (VMREAD, VMWRITE,
				 * INVEPT, INVPCID, INVVPID) */
};

/*
 * Decode @info into @ii; -EINVAL (with @ii filled) when a memory operand
 * has an unused address size or segment encoding.
 */
int vmx_decode_insn_info(u32 info, struct vmx_insn_info *ii);

/*
 * Bits 29:28 of the descriptor-table formats: which instruction exited,
 * under VMX_EXIT_GDTR_IDTR_ACCESS and VMX_EXIT_LDTR_TR_ACCESS.
 */
enum vmx_dt_insn {
	VMX_DT_SGDT = 0, VMX_DT_SIDT = 1, VMX_DT_LGDT = 2, VMX_DT_LIDT = 3,
	VMX_DT_SLDT = 4, VMX_DT_STR = 5, VMX_DT_LLDT = 6, VMX_DT_LTR = 7,
};

/*
 * SDM Vol. 3C, tables "Format of the VM-Exit Instruction-Information
 * Field as Used for LIDT, LGDT, SIDT, or SGDT" and "... for LLDT, LTR,
 * SLDT, and STR".
 */
struct vmx_dt_insn_info {
	struct vmx_insn_info operand;	/* reg2 is meaningless here */
	enum vmx_dt_insn insn;		/* 29:28, and which of the two tables */
	u8 operand_size;	/* 11 decoded, LGDT/LIDT/SGDT/SIDT outside
				 * 64-bit mode: 2 or 4 bytes; else 0 */
};

/*
 * Decode @info of a VM exit for @basic_reason (GDTR_IDTR_ACCESS or
 * LDTR_TR_ACCESS) into @dt; -EINVAL for another reason or an unused
 * encoding (@dt filled as far as it goes).
 */
int vmx_decode_dt_insn_info(u32 basic_reason, u32 info, struct vmx_dt_insn_info *dt);

/*
 * The effective address of @ii's memory operand: base + index * scale +
 * displacement, where @qual is the exit qualification holding the
 * displacement sign-extended, and @gprs[0..15] the guest's registers in
 * the SDM's order (rax, rcx, ..., r15); cut to the address size.  The
 * caller adds the segment base (SDM Vol. 3A, "Logical and Linear
 * Addresses").
 */
u64 vmx_insn_operand_offset(const struct vmx_insn_info *ii, const u64 gprs[16], u64 qual);

/*
 * The guest segment access-rights fields (SDM Vol. 3C, "Guest Register
 * State", table "Format of Access Rights"): the descriptor bits of SDM
 * Vol. 3A, "Segment Descriptors", plus "unusable".
 */
#define VMX_SEG_AR_TYPE_MASK	0x0000000fU	/* 3:0 segment type */
#define VMX_SEG_AR_S		0x00000010U	/* 4 code or data (1), system (0) */
#define VMX_SEG_AR_DPL_SHIFT	5		/* 6:5 descriptor privilege level */
#define VMX_SEG_AR_DPL_MASK	0x00000060U
#define VMX_SEG_AR_P		0x00000080U	/* 7 present */
#define VMX_SEG_AR_AVL		0x00001000U	/* 12 available to software */
#define VMX_SEG_AR_L		0x00002000U	/* 13 64-bit code (CS only) */
#define VMX_SEG_AR_DB		0x00004000U	/* 14 default size 32 bits / big */
#define VMX_SEG_AR_G		0x00008000U	/* 15 limit in 4-KByte units */
#define VMX_SEG_AR_UNUSABLE	0x00010000U	/* 16 segment unusable */
/* Bits 11:8 and 31:17 are reserved. */
#define VMX_SEG_AR_RESERVED	0xfffe0f00U

/* Type bit 3 of a code or data segment (S = 1): code, not data. */
#define VMX_SEG_TYPE_CODE	0x8U
/* Type bits: accessed (0), writable data / readable code (1). */
#define VMX_SEG_TYPE_ACCESSED	0x1U
#define VMX_SEG_TYPE_RW		0x2U

struct vmx_seg_ar {
	u8 type;		/* 3:0 */
	bool s;			/* 4: code or data segment, not system */
	u8 dpl;			/* 6:5 */
	bool present;		/* 7 */
	bool avl;		/* 12 */
	bool l;			/* 13: 64-bit code segment */
	bool db;		/* 14: D (code), B (stack), 32-bit default */
	bool g;			/* 15: granularity */
	bool unusable;		/* 16: the segment register holds nothing */
};

/* Decode @ar into @seg; -EINVAL (with @seg filled) if a reserved bit is 1. */
int vmx_decode_seg_ar(u32 ar, struct vmx_seg_ar *seg);

/*
 * The default operand and address size, in bytes, that a code segment
 * with access rights @cs_ar gives: 8 in 64-bit mode (@ia32e, i.e.
 * IA32_EFER.LMA, and CS.L), else 4 with CS.D, else 2 (SDM Vol. 1,
 * "Operand-Size and Address-Size Attributes").
 */
static inline unsigned int vmx_seg_ar_code_size(u32 cs_ar, bool ia32e)
{
	if (ia32e && (cs_ar & VMX_SEG_AR_L))
		return 8;
	return cs_ar & VMX_SEG_AR_DB ? 4 : 2;
}

/*
 * One line in plain words about a VM exit, e.g.
 * "IO_INSTRUCTION: out 1 byte to port 0x3f8".  snprintf semantics: returns
 * the length the whole line needs, writes at most @len bytes including
 * the terminating NUL.
 */
int vmx_exit_describe(char *buf, size_t len, u32 exit_reason, u64 qualification);

#endif /* VMXLAB_EXITS_H */
