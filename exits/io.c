// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits (unconditional I/O exiting: every IN, OUT, INS and OUTS
 * exits; SDM Vol. 3C, "Instructions That Cause VM Exits Conditionally").
 *
 * vmxlab has no devices of its own: every access goes to user space as
 * KVM_EXIT_IO, with the data in the run area's second page (KVM API
 * documentation, "KVM_EXIT_IO").  OUT data is there when KVM_RUN returns;
 * IN data is taken from there when KVM_RUN is called again, which is
 * when an IN or INS completes.
 *
 * String forms move up to one page of elements per exit.  With a REP
 * prefix the instruction is left at the same RIP until RCX reaches 0, so
 * the guest re-executes it and exits again for the rest.
 */
#include <vmxlab/exits.h>
#include <vmxlab/mmio_decode.h>
#include <vmxlab/vmx_arch.h>
#include "exits/dispatch.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

#define PIO_DATA_OFFSET		PAGE_SIZE

static void io_exit(struct vmxlab_vcpu *vcpu, const struct vmx_io_qual *io, u32 count)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = io->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = io->size;
	run->io.port = io->port;
	run->io.count = count;
	run->io.data_offset = PIO_DATA_OFFSET;
}

/* IN and OUT; INS and OUTS need guest memory and are deferred. */
int handle_io(struct vmxlab_vcpu *vcpu)
{
	struct vmx_io_qual io;

	if (vmx_decode_io_qual(vmcs_readl(VMCS_EXIT_QUALIFICATION), &io))
		return exit_unexpected(vcpu);
	if (io.string)
		return EXIT_ACTION_DEFER;
	if (io.in) {
		vcpu->pending = VCPU_PENDING_PIO_IN;
		vcpu->sio.size = io.size;
	} else {
		vcpu->pending = VCPU_PENDING_PIO_OUT;
		memcpy(vcpu->pio_data, &vcpu->regs.gpr[GPR_RAX], io.size);
	}
	io_exit(vcpu, &io, 1);
	vcpu_pend_past_instruction(vcpu, 0);
	return EXIT_ACTION_TO_USER;
}

/*
 * Address size of INS/OUTS and OUTS's source segment: the VM-exit
 * instruction information when the CPU gives it, else the code segment's
 * default and DS.  An unused address-size or segment encoding is refused
 * (-EINVAL), where this once took 16-byte addresses or DS: the CPU never
 * writes one, so it means the information is not what vmxlab reads it as.
 * INS leaves the segment undefined (it always writes through ES).
 */
static int string_operand(struct vmxlab_vcpu *vcpu, bool in,
			  struct vmx_io_insn_info *ii)
{
	int err;

	if (!(vmxlab_host_caps.msr[VMXLAB_CAP_BASIC] & VMX_BASIC_INOUT_INFO)) {
		ii->addr_size = vmx_seg_ar_code_size(vmcs_read32(VMCS_GUEST_CS_AR_BYTES),
						     vcpu->long_mode);
		ii->segment = VMX_SEG_DS;
		return 0;
	}
	err = vmx_decode_io_insn_info(vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_INFO), ii);
	if (err && in && ii->addr_size)
		return 0;
	return err;
}

/* Segment base of OUTS's source @seg. */
static u64 outs_segment_base(struct vmxlab_vcpu *vcpu, enum vmx_seg_reg seg)
{
	static const u32 bases[] = {
		[VMX_SEG_ES] = VMCS_GUEST_ES_BASE, [VMX_SEG_CS] = VMCS_GUEST_CS_BASE,
		[VMX_SEG_SS] = VMCS_GUEST_SS_BASE, [VMX_SEG_DS] = VMCS_GUEST_DS_BASE,
		[VMX_SEG_FS] = VMCS_GUEST_FS_BASE, [VMX_SEG_GS] = VMCS_GUEST_GS_BASE,
	};

	/* 64-bit mode ignores the bases of ES, CS, SS and DS. */
	if (vcpu->long_mode && seg < VMX_SEG_FS)
		return 0;
	return vmcs_readl(bases[seg]);
}

static u64 addr_mask(u8 addr_size)
{
	return addr_size == 8 ? ~0ULL : (1ULL << (addr_size * 8)) - 1;
}

/*
 * Elements from @index to where RSI/RDI wraps at the address size (64 KiB
 * for 16-bit addresses): one exit never moves across the wrap, so each
 * element lands where the CPU would put it; the rest of a REP follows when
 * the guest re-executes the instruction.
 */
static u64 elements_before_wrap(const struct vcpu_string_io *sio, u64 index)
{
	u64 bytes;

	if (sio->addr_size == 8)
		return U64_MAX;		/* 64-bit addresses do not wrap in practice */
	bytes = sio->down ? index + 1 : addr_mask(sio->addr_size) - index + 1;
	return max_t(u64, bytes / sio->size, 1);
}

/* Add @delta to a register used at @addr_size, as string instructions do. */
static void string_reg_add(struct vmxlab_vcpu *vcpu, int reg, s64 delta)
{
	unsigned long *r = &vcpu->regs.gpr[reg];
	u8 size = vcpu->sio.addr_size;

	if (size == 2)
		*r = (*r & ~0xffffUL) | ((*r + delta) & 0xffff);
	else if (size == 4)
		*r = (u32)(*r + delta);
	else
		*r += delta;
}

/* Bookkeeping after @count elements moved: RSI or RDI, RCX, maybe RIP. */
static void string_io_done(struct vmxlab_vcpu *vcpu, int index_reg)
{
	struct vcpu_string_io *sio = &vcpu->sio;
	s64 step = (s64)sio->count * sio->size;

	string_reg_add(vcpu, index_reg, sio->down ? -step : step);
	if (sio->rep)
		string_reg_add(vcpu, GPR_RCX, -(s64)sio->count);
	if (!sio->rep || !(vcpu->regs.gpr[GPR_RCX] & addr_mask(sio->addr_size)))
		vcpu_set_rip_past(vcpu, sio->next_rip);
}

/* The lowest linear address of @count elements starting at @first. */
static u64 block_start(const struct vcpu_string_io *sio, u64 first)
{
	return sio->down ? first - (u64)(sio->count - 1) * sio->size : first;
}

/* Reverse the order of the elements in the I/O page (DF = 1). */
static void reverse_elements(void *data, u32 count, u8 size)
{
	u8 tmp[4], *a = data, *b = a + (count - 1) * size;

	for (; a < b; a += size, b -= size) {
		memcpy(tmp, a, size);
		memcpy(a, b, size);
		memcpy(b, tmp, size);
	}
}

static int string_out(struct vmxlab_vcpu *vcpu, enum vmx_seg_reg seg, u64 index)
{
	struct vcpu_string_io *sio = &vcpu->sio;
	u64 first = outs_segment_base(vcpu, seg) + index;
	int err;

	err = vcpu_read_linear(vcpu, block_start(sio, first), vcpu->pio_data,
			       sio->count * sio->size);
	if (err)
		return err;
	if (sio->down)
		reverse_elements(vcpu->pio_data, sio->count, sio->size);
	vcpu->pending = VCPU_PENDING_PIO_STRING_OUT;
	return 0;
}

/*
 * An OUTS without REP has handed user space everything it writes: as on
 * KVM, it is complete (RSI and RIP moved on) before KVM_RUN returns, so
 * KVM_GET_REGS at the exit shows the next instruction.  IN, INS, REP OUTS
 * and OUT complete at the next KVM_RUN instead.
 */
static void string_out_complete_now(struct vmxlab_vcpu *vcpu)
{
	vcpu->exit_rip = vmcs_readl(VMCS_GUEST_RIP);
	string_io_done(vcpu, GPR_RSI);
	vcpu->pending = VCPU_PENDING_NONE;
}

/*
 * INS and OUTS, with or without REP ("INS/INSB/INSW/INSD", "OUTS/OUTSB/
 * OUTSW/OUTSD" in SDM Vol. 2).  A count of 0 moves nothing.
 */
int handle_string_io(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_string_io *sio = &vcpu->sio;
	struct vmx_io_insn_info ii;
	struct vmx_io_qual io;
	u64 count, index;
	int err;

	vmx_decode_io_qual(vmcs_readl(VMCS_EXIT_QUALIFICATION), &io);
	if (string_operand(vcpu, io.in, &ii))
		return exit_unexpected(vcpu);
	sio->size = io.size;
	sio->rep = io.rep;
	sio->down = vmcs_readl(VMCS_GUEST_RFLAGS) & X86_EFLAGS_DF;
	sio->addr_size = ii.addr_size;
	sio->next_rip = vmcs_readl(VMCS_GUEST_RIP) +
			vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);
	if (!vcpu->long_mode)
		sio->next_rip = (u32)sio->next_rip;
	count = io.rep ? vcpu->regs.gpr[GPR_RCX] & addr_mask(sio->addr_size) : 1;
	if (!count)
		return vcpu_skip_instruction(vcpu);
	index = vcpu->regs.gpr[io.in ? GPR_RDI : GPR_RSI] & addr_mask(sio->addr_size);
	sio->count = min3(count, (u64)(PAGE_SIZE / io.size),
			  elements_before_wrap(sio, index));
	if (io.in) {
		/* INS always writes through ES, whose base 64-bit mode ignores. */
		sio->linear = index + (vcpu->long_mode ? 0 : vmcs_readl(VMCS_GUEST_ES_BASE));
		vcpu->pending = VCPU_PENDING_PIO_STRING_IN;
	} else {
		err = string_out(vcpu, ii.segment, index);
		if (err)
			return err;
	}
	io_exit(vcpu, &io, sio->count);
	if (!io.in && !sio->rep)
		string_out_complete_now(vcpu);
	else
		vcpu->exit_rip = vmcs_readl(VMCS_GUEST_RIP);
	vcpu->rip_skipped = true;
	return EXIT_ACTION_TO_USER;
}

static int complete_string_in(struct vmxlab_vcpu *vcpu)
{
	struct vcpu_string_io *sio = &vcpu->sio;
	int err;

	if (sio->down)
		reverse_elements(vcpu->pio_data, sio->count, sio->size);
	err = vcpu_write_linear(vcpu, block_start(sio, sio->linear),
				vcpu->pio_data, sio->count * sio->size);
	if (err)
		return err;
	string_io_done(vcpu, GPR_RDI);
	return 0;
}

/* IN's data into AL, AX or EAX (a 32-bit result zero-extends into RAX). */
static void complete_in(struct vmxlab_vcpu *vcpu)
{
	unsigned long *rax = &vcpu->regs.gpr[GPR_RAX];
	u32 data = 0;

	memcpy(&data, vcpu->pio_data, vcpu->sio.size);
	if (vcpu->sio.size == 4)
		*rax = data;
	else if (vcpu->sio.size == 2)
		*rax = (*rax & ~0xffffUL) | data;
	else
		*rax = (*rax & ~0xffUL) | data;
}

/* A load's data into its register: RSP too, which lives in the VMCS. */
static void complete_mmio_read(struct vmxlab_vcpu *vcpu)
{
	unsigned int reg = vcpu->mmio.reg;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, vcpu->mmio.size);
	vcpu_gpr_write(vcpu, reg, mmio_load_result(&vcpu->mmio, vcpu_gpr_read(vcpu, reg), data));
}

/*
 * Finish the exit user space just answered.  Runs at the start of
 * KVM_RUN, with the vCPU loaded.  Data comes from the run area, which
 * user space may have changed in any way; lengths and places come only
 * from what vmxlab recorded at the exit.
 */
int vcpu_complete_pending(struct vmxlab_vcpu *vcpu)
{
	enum vcpu_pending pending = vcpu->pending;
	int err = 0;

	vcpu->pending = VCPU_PENDING_NONE;
	switch (pending) {
	case VCPU_PENDING_NONE:
		break;
	case VCPU_PENDING_PIO_OUT:
		vcpu_set_rip_past(vcpu, vcpu->pending_rip);
		break;
	case VCPU_PENDING_PIO_IN:
		complete_in(vcpu);
		vcpu_set_rip_past(vcpu, vcpu->pending_rip);
		break;
	case VCPU_PENDING_PIO_STRING_OUT:
		string_io_done(vcpu, GPR_RSI);
		break;
	case VCPU_PENDING_PIO_STRING_IN:
		err = complete_string_in(vcpu);
		break;
	case VCPU_PENDING_MMIO_READ:
		complete_mmio_read(vcpu);
		vcpu_set_rip_past(vcpu, vcpu->pending_rip);
		break;
	}
	/* exit_rip describes a VM exit, not this completion. */
	vcpu->rip_skipped = false;
	return err;
}
