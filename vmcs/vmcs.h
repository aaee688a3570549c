/* SPDX-License-Identifier: GPL-2.0 */
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
#ifndef VMXLAB_VMCS_H
#define VMXLAB_VMCS_H

#include <linux/build_bug.h>
#include <linux/bug.h>
#include <vmxlab/vmcs_fields.h>
#include <vmxlab/vmx_insn.h>

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

#endif /* VMXLAB_VMCS_H */
