/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX instructions, each in one wrapper, and the width-checked VMCS
 * accessors built on VMREAD and VMWRITE; vmx/insn.c reports failures.
 * Kernel only: the wrappers are inline assembly with exception-table
 * entries.
 *
 * One wrapper per VMX instruction.
 *
 * A VMX instruction ends in one of four ways (SDM Vol. 3C, "Conventions"
 * in the VMX instruction reference chapter):
 *   VMsucceed      CF = ZF = 0;
 *   VMfailInvalid  CF = 1: there is no current VMCS to hold an error number;
 *   VMfailValid    ZF = 1: the error number is in the current VMCS's
 *                  VM-instruction error field (read it only then);
 *   a fault        e.g. #UD outside VMX operation, #GP with a bad operand.
 * Each wrapper tells the four apart: the flags by conditional jumps, the
 * fault by an exception-table entry that lands on the "fault" label.
 * Nothing here prints: callers decide whether a failure is expected (a
 * probe) or worth reporting, with vmx_insn_report().
 *
 * VMLAUNCH and VMRESUME are not here: they live in the entry/exit stub,
 * which must own the registers around them, as does the stub's VMWRITE of
 * HOST_RSP (a failure there returns VMfail like the entry itself).
 */
#ifndef VMXLAB_VMX_INSN_H
#define VMXLAB_VMX_INSN_H

#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/asm.h>
#include <vmxlab/vmcs_fields.h>

enum vmx_insn_status {
	VMX_INSN_OK,
	VMX_INSN_FAIL_INVALID,
	VMX_INSN_FAIL_VALID,
	VMX_INSN_FAULT,
};


/*
 * The common tail of every wrapper: jump on CF (VMfailInvalid) or ZF
 * (VMfailValid), and route a fault at label 1 to the fault label.
 */
#define VMX_INSN_CHECK_FLAGS				\
	"jc %l[fail_invalid]\n\t"			\
	"jz %l[fail_valid]\n\t"				\
	_ASM_EXTABLE(1b, %l[fault])

#define VMX_INSN_RETURN_STATUS				\
	return VMX_INSN_OK;				\
fail_invalid:						\
	return VMX_INSN_FAIL_INVALID;			\
fail_valid:						\
	return VMX_INSN_FAIL_VALID;			\
fault:							\
	return VMX_INSN_FAULT

/* An instruction whose one operand is a 64-bit physical address in memory. */
#define VMX_INSN_M64(insn, pa)						\
	asm goto("1: " insn " %[operand]\n\t"				\
		 VMX_INSN_CHECK_FLAGS					\
		 : : [operand] "m" (pa) : "cc", "memory"		\
		 : fail_invalid, fail_valid, fault)

/*
 * VMXON: enter VMX root operation with the VMXON region at @pa.
 *
 * The one wrapper shown with its macros expanded, so that the whole
 * asm goto is read once; every other wrapper has the same shape:
 *
 *	asm goto("1: vmxon %[operand]\n\t"
 *		 "jc %l[fail_invalid]\n\t"	// CF = 1: VMfailInvalid
 *		 "jz %l[fail_valid]\n\t"	// ZF = 1: VMfailValid
 *		 _ASM_EXTABLE(1b, %l[fault])	// a #UD/#GP at 1: lands on fault
 *		 : : [operand] "m" (pa) : "cc", "memory"
 *		 : fail_invalid, fail_valid, fault);
 *	return VMX_INSN_OK;			// fell through: VMsucceed
 * fail_invalid:
 *	return VMX_INSN_FAIL_INVALID;
 * fail_valid:
 *	return VMX_INSN_FAIL_VALID;
 * fault:
 *	return VMX_INSN_FAULT;
 */
static __always_inline enum vmx_insn_status vmx_vmxon(u64 pa)
{
	VMX_INSN_M64("vmxon", pa);
	VMX_INSN_RETURN_STATUS;
}

/* VMXOFF: leave VMX operation on this CPU. */
static __always_inline enum vmx_insn_status vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 VMX_INSN_CHECK_FLAGS
		 : : : "cc", "memory" : fail_invalid, fail_valid, fault);
	VMX_INSN_RETURN_STATUS;
}

/* VMCLEAR: flush the VMCS at @pa to memory and mark it clear. */
static __always_inline enum vmx_insn_status vmx_vmclear(u64 pa)
{
	VMX_INSN_M64("vmclear", pa);
	VMX_INSN_RETURN_STATUS;
}

/* VMPTRLD: make the VMCS at @pa current and active on this CPU. */
static __always_inline enum vmx_insn_status vmx_vmptrld(u64 pa)
{
	VMX_INSN_M64("vmptrld", pa);
	VMX_INSN_RETURN_STATUS;
}

/* VMPTRST: store the current-VMCS pointer (~0 when there is none). */
static __always_inline enum vmx_insn_status vmx_vmptrst(u64 *pa)
{
	asm goto("1: vmptrst %[operand]\n\t"
		 VMX_INSN_CHECK_FLAGS
		 : : [operand] "m" (*pa) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	VMX_INSN_RETURN_STATUS;
}

/* VMREAD: read VMCS field @field of the current VMCS into @value. */
static __always_inline enum vmx_insn_status vmx_vmread(unsigned long field,
						       unsigned long *value)
{
	unsigned long v;

	asm_goto_output("1: vmread %[field], %[v]\n\t"
			VMX_INSN_CHECK_FLAGS
			: [v] "=rm" (v) : [field] "r" (field) : "cc"
			: fail_invalid, fail_valid, fault);
	*value = v;
	VMX_INSN_RETURN_STATUS;
}

/* VMWRITE: write @value to VMCS field @field of the current VMCS. */
static __always_inline enum vmx_insn_status vmx_vmwrite(unsigned long field,
							unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 VMX_INSN_CHECK_FLAGS
		 : : [field] "r" (field), [value] "rm" (value) : "cc"
		 : fail_invalid, fail_valid, fault);
	VMX_INSN_RETURN_STATUS;
}

/* INVEPT and INVVPID types (SDM Vol. 3C, the INVEPT and INVVPID references). */
#define VMX_INVEPT_SINGLE_CONTEXT		1
#define VMX_INVEPT_ALL_CONTEXT			2
#define VMX_INVVPID_INDIVIDUAL_ADDRESS		0
#define VMX_INVVPID_SINGLE_CONTEXT		1
#define VMX_INVVPID_ALL_CONTEXT			2

/* The 128-bit descriptors of INVEPT and INVVPID (SDM Vol. 3C, chapter 31). */
struct vmx_invept_desc {
	u64 eptp;
	u64 reserved;
};

struct vmx_invvpid_desc {
	u64 vpid;		/* bits 15:0; bits 63:16 must be 0 */
	u64 linear_address;
};

/* An invalidation: a type in a register, a 128-bit descriptor in memory. */
#define VMX_INSN_INVALIDATE(insn, type, desc)				\
	asm goto("1: " insn " %[operand], %[kind]\n\t"		\
		 VMX_INSN_CHECK_FLAGS					\
		 : : [operand] "m" (*(desc)), [kind] "r" (type)		\
		 : "cc", "memory" : fail_invalid, fail_valid, fault)

/* INVEPT: invalidate EPT-derived translations of @type for @desc. */
static __always_inline enum vmx_insn_status
vmx_invept(unsigned long type, const struct vmx_invept_desc *desc)
{
	VMX_INSN_INVALIDATE("invept", type, desc);
	VMX_INSN_RETURN_STATUS;
}

/* INVVPID: invalidate VPID-tagged translations of @type for @desc. */
static __always_inline enum vmx_insn_status
vmx_invvpid(unsigned long type, const struct vmx_invvpid_desc *desc)
{
	VMX_INSN_INVALIDATE("invvpid", type, desc);
	VMX_INSN_RETURN_STATUS;
}

/* Log a failed VMX instruction, ratelimited, with its error number if any. */
void vmx_insn_report(const char *insn, enum vmx_insn_status status);
const char *vmx_insn_status_name(enum vmx_insn_status status);

/*
 * Width-checked VMCS accessors for the current VMCS.
 *
 * Every field's encoding carries its width in bits 14:13 (SDM Vol. 3C,
 * "VMCS Component Encoding"); vmcs_read32(VMCS_GUEST_RIP) is a bug that
 * the build catches here, because the accessor checks the width of a
 * constant field at compile time.  A failure of VMREAD or VMWRITE on the
 * current VMCS with a valid field cannot happen unless vmxlab itself is
 * wrong (no current VMCS, or a field the CPU lacks): it is reported,
 * ratelimited and with the SDM's error number, plus one WARN per module
 * load, and the caller goes on.
 */
void vmcs_access_failed(const char *insn, unsigned long field,
			enum vmx_insn_status status);

#define VMCS_CHECK_WIDTH(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 (VMCS_ENCODING_WIDTH(field) != (width) ||	\
			  ((field) & VMCS_ENCODING_HIGH)),		\
			 "VMCS field accessed with the wrong width")

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	enum vmx_insn_status status;
	unsigned long value;

	status = vmx_vmread(field, &value);
	if (unlikely(status != VMX_INSN_OK)) {
		vmcs_access_failed("VMREAD", field, status);
		return 0;
	}
	return value;
}

static __always_inline void __vmcs_write(unsigned long field, unsigned long value)
{
	enum vmx_insn_status status;

	status = vmx_vmwrite(field, value);
	if (unlikely(status != VMX_INSN_OK))
		vmcs_access_failed("VMWRITE", field, status);
}

static __always_inline u16 vmcs_read16(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_16);
	return __vmcs_read(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_32);
	return __vmcs_read(field);
}

/* 64-bit fields: one access of the full encoding on a 64-bit host. */
static __always_inline u64 vmcs_read64(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_64);
	return __vmcs_read(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_NATURAL);
	return __vmcs_read(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_16);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_32);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_64);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_writel(unsigned long field, unsigned long value)
{
	VMCS_CHECK_WIDTH(field, VMCS_WIDTH_NATURAL);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_set_bits32(unsigned long field, u32 bits)
{
	vmcs_write32(field, vmcs_read32(field) | bits);
}

static __always_inline void vmcs_clear_bits32(unsigned long field, u32 bits)
{
	vmcs_write32(field, vmcs_read32(field) & ~bits);
}

#endif /* VMXLAB_VMX_INSN_H */
