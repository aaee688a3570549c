// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_SREGS and KVM_SET_SREGS: a vCPU's segment, descriptor-table and
 * control registers, between struct kvm_sregs and the VMCS's guest-state
 * area (SDM Vol. 3C, "Guest Register State").  KVM_SET_SREGS refuses with
 * -EINVAL what would make VM entry fail, checked with the entry-check
 * model's own rules, or what vmxlab cannot run.
 */
#include <linux/string.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <vmxlab/entry_checks.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmcs_fields.h>
#include "exits/exits.h"
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

#define EFER_ALLOWED		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

struct segment_fields {
	u32 selector, base, limit, ar;
};

/* The eight segment registers in struct kvm_sregs order. */
enum { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, SEG_TR, SEG_LDTR, NR_SEGS };

#define SEGMENT(name) {							\
	VMCS_GUEST_##name##_SELECTOR, VMCS_GUEST_##name##_BASE,		\
	VMCS_GUEST_##name##_LIMIT, VMCS_GUEST_##name##_AR_BYTES }

static const struct segment_fields segments[NR_SEGS] = {
	[SEG_CS] = SEGMENT(CS), [SEG_DS] = SEGMENT(DS),
	[SEG_ES] = SEGMENT(ES), [SEG_FS] = SEGMENT(FS),
	[SEG_GS] = SEGMENT(GS), [SEG_SS] = SEGMENT(SS),
	[SEG_TR] = SEGMENT(TR), [SEG_LDTR] = SEGMENT(LDTR),
};

static struct kvm_segment *sregs_segment(struct kvm_sregs *s, int seg)
{
	struct kvm_segment *table[NR_SEGS] = {
		[SEG_CS] = &s->cs, [SEG_DS] = &s->ds, [SEG_ES] = &s->es,
		[SEG_FS] = &s->fs, [SEG_GS] = &s->gs, [SEG_SS] = &s->ss,
		[SEG_TR] = &s->tr, [SEG_LDTR] = &s->ldt,
	};

	return table[seg];
}

static void write_segment(int seg, u16 selector, u64 base, u32 limit, u32 ar)
{
	vmcs_write16(segments[seg].selector, selector);
	vmcs_writel(segments[seg].base, base);
	vmcs_write32(segments[seg].limit, limit);
	vmcs_write32(segments[seg].ar, ar);
}

/* The segment registers after RESET (SDM Vol. 3A, "Processor State After Reset"). */
void vmcs_reset_segments(void)
{
	int seg;

	write_segment(SEG_CS, 0xf000, 0xffff0000, 0xffff, VMX_SEG_AR_P | VMX_SEG_AR_S |
		      VMX_SEG_TYPE_CODE | VMX_SEG_TYPE_RW | VMX_SEG_TYPE_ACCESSED);
	for (seg = SEG_DS; seg <= SEG_SS; seg++)
		write_segment(seg, 0, 0, 0xffff, VMX_SEG_AR_P | VMX_SEG_AR_S |
			      VMX_SEG_TYPE_RW | VMX_SEG_TYPE_ACCESSED);
	/* Unrestricted guest still needs a usable busy TSS in TR. */
	write_segment(SEG_TR, 0, 0, 0xffff, VMX_SEG_AR_P | 0xb);
	write_segment(SEG_LDTR, 0, 0, 0xffff, VMX_SEG_AR_P | 0x2);
}

static void read_segment(int seg, struct kvm_segment *s)
{
	u32 ar = vmcs_read32(segments[seg].ar);
	struct vmx_seg_ar a;

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read16(segments[seg].selector);
	s->base = vmcs_readl(segments[seg].base);
	s->limit = vmcs_read32(segments[seg].limit);
	/* struct kvm_segment has no place for reserved bits: not reported. */
	vmx_decode_seg_ar(ar, &a);
	s->type = a.type;
	s->s = a.s;
	s->dpl = a.dpl;
	s->present = a.present;
	s->avl = a.avl;
	s->l = a.l;
	s->db = a.db;
	s->g = a.g;
	s->unusable = a.unusable;
}

void vmcs_get_sregs(struct vmxlab_vcpu *vcpu, struct kvm_sregs *sregs)
{
	unsigned long hw_cr0 = vmcs_readl(VMCS_GUEST_CR0);
	int seg;

	memset(sregs, 0, sizeof(*sregs));
	for (seg = 0; seg < NR_SEGS; seg++)
		read_segment(seg, sregs_segment(sregs, seg));
	sregs->gdt.base = vmcs_readl(VMCS_GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_readl(VMCS_GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT);
	sregs->cr0 = (vcpu->cr0 & ~VMCS_CR0_GUEST_OWNED) | (hw_cr0 & VMCS_CR0_GUEST_OWNED);
	sregs->cr2 = vcpu->regs.cr2;
	sregs->cr3 = vmcs_readl(VMCS_GUEST_CR3);
	sregs->cr4 = vcpu->cr4;
	sregs->cr8 = vcpu->cr8;
	sregs->efer = vcpu->efer;
	sregs->apic_base = vcpu->apic_base;
}

static u32 segment_ar(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return VMX_SEG_AR_UNUSABLE;
	return s->type | (s->s ? VMX_SEG_AR_S : 0) |
	       (s->dpl << VMX_SEG_AR_DPL_SHIFT) | VMX_SEG_AR_P |
	       (s->avl ? VMX_SEG_AR_AVL : 0) | (s->l ? VMX_SEG_AR_L : 0) |
	       (s->db ? VMX_SEG_AR_DB : 0) | (s->g ? VMX_SEG_AR_G : 0);
}

/*
 * The fields of struct kvm_segment are bytes; most hold one bit.  The
 * rules on limits and bases are the entry-check model's (vmcs/entry_checks.c,
 * "Checks on Guest Segment Registers"), so that KVM_SET_SREGS refuses what
 * VM entry would.
 */
static int check_segment(const struct entry_check_cpu *cpu, const struct kvm_segment *s,
			 int seg, bool long_mode)
{
	if (s->type > VMX_SEG_AR_TYPE_MASK || s->dpl > 3 || s->present > 1 ||
	    s->s > 1 || s->l > 1 || s->db > 1 || s->g > 1 || s->avl > 1 ||
	    s->unusable > 1 || s->padding)
		return -EINVAL;
	if (segment_ar(s) == VMX_SEG_AR_UNUSABLE)
		return seg == SEG_TR || seg == SEG_CS ? -EINVAL : 0;
	if (!entry_check_seg_limit_ok(s->limit, s->g))
		return -EINVAL;
	/* Bases: canonical for FS, GS, TR, LDTR; 32-bit for the others. */
	if (seg == SEG_FS || seg == SEG_GS || seg == SEG_TR || seg == SEG_LDTR) {
		if (!entry_check_canonical(cpu, s->base))
			return -EINVAL;
	} else if (s->base >> 32) {
		return -EINVAL;
	}
	if (seg == SEG_CS && s->l && (!long_mode || s->db))
		return -EINVAL;
	return 0;
}

static int check_control_registers(const struct entry_check_cpu *cpu,
				   const struct kvm_sregs *s)
{
	bool paging = s->cr0 & X86_CR0_PG;
	bool lma = s->efer & EFER_LMA;

	if (s->cr0 >> 32)
		return -EINVAL;
	if (paging && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return -EINVAL;
	if (s->cr4 & ~vmcs_cr4_allowed())
		return -EINVAL;
	if (s->efer & ~EFER_ALLOWED)
		return -EINVAL;
	/* EFER.LMA = EFER.LME && CR0.PG, and IA-32e paging needs PAE (SDM Vol. 3A, "IA-32e Mode"). */
	if (lma != ((s->efer & EFER_LME) && paging))
		return -EINVAL;
	if (lma && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if ((s->cr4 & X86_CR4_PCIDE) && !lma)
		return -EINVAL;
	if (lma ? !entry_check_phys_ok(cpu, s->cr3) : (s->cr3 >> 32))
		return -EINVAL;
	return 0;
}

int vmcs_check_sregs(struct vmxlab_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct kvm_sregs *s = (struct kvm_sregs *)sregs;
	u64 apic_allowed = MSR_IA32_APICBASE_BSP | X2APIC_ENABLE |
			   MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BASE;
	struct entry_check_cpu cpu = vmcs_entry_check_cpu();
	bool lma = sregs->efer & EFER_LMA;
	int seg, err, i;

	err = check_control_registers(&cpu, sregs);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(sregs->interrupt_bitmap); i++)
		if (sregs->interrupt_bitmap[i])
			return -EINVAL;
	if ((sregs->apic_base & ~apic_allowed) || !entry_check_phys_ok(&cpu, sregs->apic_base))
		return -EINVAL;
	if (sregs->cr8 > 15)
		return -EINVAL;
	for (seg = 0; seg < NR_SEGS; seg++) {
		err = check_segment(&cpu, sregs_segment(s, seg), seg, lma);
		if (err)
			return err;
	}
	if (lma && (!entry_check_canonical(&cpu, sregs->gdt.base) ||
		    !entry_check_canonical(&cpu, sregs->idt.base)))
		return -EINVAL;
	if (!lma && ((sregs->gdt.base | sregs->idt.base) >> 32))
		return -EINVAL;
	return 0;
}

/*
 * All or nothing: what can still fail (the PDPTEs of PAE paging, read
 * from guest memory) is read before anything is written.
 */
int vmcs_set_sregs(struct vmxlab_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct kvm_sregs *s = (struct kvm_sregs *)sregs;
	bool pae = (sregs->cr0 & X86_CR0_PG) && (sregs->cr4 & X86_CR4_PAE) &&
		   !(sregs->efer & EFER_LMA);
	u64 cr0, pdpte[4];
	int seg;

	if (pae && vmcs_read_pdptes(vcpu, sregs->cr3, pdpte))
		return -EINVAL;
	for (seg = 0; seg < NR_SEGS; seg++) {
		const struct kvm_segment *k = sregs_segment(s, seg);

		write_segment(seg, k->selector, k->base, k->limit, segment_ar(k));
	}
	vmcs_writel(VMCS_GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_writel(VMCS_GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, sregs->idt.limit);
	vmcs_writel(VMCS_GUEST_CR3, sregs->cr3);
	vmcs_write_guest_cr4(vcpu, sregs->cr4);
	cr0 = sregs->cr0;
	vmcs_write_guest_cr0(vcpu, cr0);
	vmcs_set_efer(vcpu, sregs->efer);
	vcpu->regs.cr2 = sregs->cr2;
	vcpu->cr8 = sregs->cr8;
	vcpu->apic_base = sregs->apic_base;
	vcpu_cpuid_update(vcpu);	/* CR4 and the APIC enable bit may have changed */
	vcpu_flush_guest_tlb(vcpu);
	if (pae)
		vmcs_write_pdptes(pdpte);
	return 0;
}
