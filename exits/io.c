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
#include <asm/trapnr.h>
#include <vmxlab/exits.h>
#include <vmxlab/guest_walk.h>
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

/* Segment @seg as the VMCS holds it. */
static void load_segment(enum vmx_seg_reg seg, struct guest_segment *gs)
{
	static const u32 fields[][3] = {
		[VMX_SEG_ES] = { VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR_BYTES },
		[VMX_SEG_CS] = { VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR_BYTES },
		[VMX_SEG_SS] = { VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR_BYTES },
		[VMX_SEG_DS] = { VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR_BYTES },
		[VMX_SEG_FS] = { VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR_BYTES },
		[VMX_SEG_GS] = { VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR_BYTES },
	};

	gs->base = vmcs_readl(fields[seg][0]);
	gs->limit = vmcs_read32(fields[seg][1]);
	gs->ar = vmcs_read32(fields[seg][2]);
}

/*
 * How segmentation applies: 64-bit mode (IA-32e mode with CS.L) ignores
 * the bases of ES, CS, SS and DS and every limit ("Segmentation in IA-32e
 * Mode"); protected and virtual-8086 mode check usability, type and
 * limit; real mode the limit.
 */
static enum guest_seg_mode seg_mode(struct vmxlab_vcpu *vcpu, enum vmx_seg_reg seg,
				    struct guest_segment *gs)
{
	if (vcpu->long_mode && (vmcs_read32(VMCS_GUEST_CS_AR_BYTES) & VMX_SEG_AR_L)) {
		if (seg < VMX_SEG_FS)
			gs->base = 0;
		return GUEST_SEG_64BIT;
	}
	return vcpu_is_protected(vcpu) ? GUEST_SEG_PROTECTED : GUEST_SEG_REAL;
}

/* A user-mode access (CPL 3: SS.DPL, "Guest Register State") or a supervisor one. */
static u32 string_access(bool write)
{
	u32 dpl = (vmcs_read32(VMCS_GUEST_SS_AR_BYTES) & VMX_SEG_AR_DPL_MASK) >>
		  VMX_SEG_AR_DPL_SHIFT;

	return (write ? GWALK_PF_WRITE : 0) | (dpl == 3 ? GWALK_PF_USER : 0);
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

/* The guest takes @f instead of the instruction (its RIP stays, as for a fault). */
static int inject_fault(struct vmxlab_vcpu *vcpu, const struct guest_fault *f)
{
	if (f->vector == X86_TRAP_PF)
		vcpu->regs.cr2 = f->cr2;
	vcpu_inject_exception(vcpu, f->vector, true, f->error_code);
	return EXIT_ACTION_RESUME;
}

/* Offset of element @i of the string, counted in the order the CPU moves them. */
static u64 element_offset(const struct vcpu_string_io *sio, u64 index, u64 i)
{
	return sio->down ? index - i * sio->size : index + i * sio->size;
}

/*
 * Elements (of sio->count, in the order the CPU moves them) whose
 * segment checks pass: a prefix, since the offsets move one way and the
 * limit allows one interval.  0 when the first fails.
 */
static u32 elements_in_segment(const struct vcpu_string_io *sio,
			       const struct guest_segment *gs, enum guest_seg_mode mode,
			       u64 index, bool write)
{
	u32 lo = 0, hi = sio->count, mid;
	u64 linear;

	/* The largest n with elements 0..n-1 all passing. */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (guest_seg_linear(gs, mode, element_offset(sio, index, mid - 1),
				     sio->size, write, &linear))
			hi = mid - 1;
		else
			lo = mid;
	}
	return lo;
}

/*
 * Elements (of sio->count) before the first whose page the guest may not
 * access this way, the string starting at @linear: 0 with *@fault when
 * the first element faults.  The elements lie within two pages (at most
 * a page of them moves per exit).
 */
static u32 elements_in_pages(struct vmxlab_vcpu *vcpu, const struct vcpu_string_io *sio,
			     u64 linear, u32 access, struct guest_fault *fault)
{
	u64 lo = block_start(sio, linear), hi = lo + (u64)sio->count * sio->size - 1;
	u64 page[2] = { lo & PAGE_MASK, hi & PAGE_MASK };
	u64 first_bad, elem;
	int i, err;

	/* Pages in the order the CPU reaches them. */
	if (sio->down)
		swap(page[0], page[1]);
	for (i = 0; i < 2 && (i == 0 || page[1] != page[0]); i++) {
		err = vcpu_access_linear(vcpu, max(page[i], lo), NULL, 1, access, fault);
		if (err == -EACCES)
			break;
		if (err)	/* not walkable: the access itself fails (-EFAULT) */
			return sio->count;
	}
	if (i == 2 || (i == 1 && page[1] == page[0]))
		return sio->count;
	/* The first element with a byte in page[i]. */
	if (!sio->down)
		first_bad = page[i] >= linear + sio->size ?
			    DIV_ROUND_UP(page[i] - linear - sio->size + 1, sio->size) : 0;
	else
		first_bad = linear > page[i] + PAGE_SIZE - 1 ?
			    DIV_ROUND_UP(linear - (page[i] + PAGE_SIZE - 1), sio->size) : 0;
	if (first_bad)
		return first_bad;
	/* The first element faults: at its first byte in that page. */
	elem = element_offset(sio, linear, 0);
	fault->cr2 = max(elem, page[i]);
	return 0;
}

/*
 * The guest-linear address of the string's first element, and how many
 * of sio->count elements this exit may move: the checks the CPU makes on
 * each element's memory access ("Limit Checking", "Type Checking",
 * "Access Rights"), which the VMM makes here since the VM exit comes
 * before the instruction touches memory.  A REP string stops before the
 * first element that faults (the CPU moves the ones before, then faults
 * with RCX and RSI/RDI at it); when that is the first, the guest gets
 * the fault (-EACCES with *@fault).
 */
static int string_check(struct vmxlab_vcpu *vcpu, enum vmx_seg_reg seg, u64 index,
			bool write, u64 *linear, struct guest_fault *fault)
{
	struct vcpu_string_io *sio = &vcpu->sio;
	u32 access = string_access(write);
	struct guest_segment gs;
	enum guest_seg_mode mode;
	u32 n;

	load_segment(seg, &gs);
	mode = seg_mode(vcpu, seg, &gs);
	n = elements_in_segment(sio, &gs, mode, index, write);
	if (!n) {
		*fault = (struct guest_fault){
			seg == VMX_SEG_SS ? X86_TRAP_SS : X86_TRAP_GP, 0, 0 };
		return -EACCES;
	}
	guest_seg_linear(&gs, mode, index, sio->size, write, linear);
	sio->count = n;
	n = elements_in_pages(vcpu, sio, *linear, access, fault);
	if (!n)
		return -EACCES;
	sio->count = n;
	return 0;
}

static int string_out(struct vmxlab_vcpu *vcpu, u64 first, struct guest_fault *fault)
{
	struct vcpu_string_io *sio = &vcpu->sio;
	int err;

	err = vcpu_access_linear(vcpu, block_start(sio, first), vcpu->pio_data,
				 sio->count * sio->size, string_access(false), fault);
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
	struct guest_fault fault;
	struct vmx_io_qual io;
	u64 count, index, first;
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
	/* INS always writes through ES. */
	err = string_check(vcpu, io.in ? VMX_SEG_ES : ii.segment, index, io.in,
			   &first, &fault);
	if (!err && !io.in)
		err = string_out(vcpu, first, &fault);
	if (err == -EACCES)
		return inject_fault(vcpu, &fault);
	if (err)
		return err;
	if (io.in) {
		sio->linear = first;
		vcpu->pending = VCPU_PENDING_PIO_STRING_IN;
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
	struct guest_fault fault;
	int err;

	if (sio->down)
		reverse_elements(vcpu->pio_data, sio->count, sio->size);
	/*
	 * Checked again: another vCPU may have changed the page tables since
	 * the exit.  A fault now is delivered as the instruction's (its data
	 * is lost, as when KVM's emulator reads the port first).
	 */
	err = vcpu_access_linear(vcpu, block_start(sio, sio->linear), vcpu->pio_data,
				 sio->count * sio->size, string_access(true), &fault);
	if (err == -EACCES) {
		inject_fault(vcpu, &fault);
		return 0;
	}
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
