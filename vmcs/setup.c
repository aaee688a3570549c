// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's VMCS: controls, host state, and the guest state at RESET; the
 * guest state KVM_GET/SET_SREGS read and write is vmcs/sregs.c's.
 *
 * SDM Vol. 3C chapters "Virtual Machine Control Structures" (the fields)
 * and "VM Entries" ("Checks on VMX Controls and Host-State Area", "Checks
 * on the Guest State Area"): every value written here is one those checks
 * accept, or KVM_SET_SREGS refuses it with -EINVAL before it reaches the
 * VMCS.  Bochs PANICs on some guest CR0 values instead of failing the VM
 * entry, so refusing them here also keeps the emulator alive.
 */
#include <linux/mm.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>
#include "exits/exits.h"
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/* Every MSR access exits (bits 1) but the pass-throughs of vmx/msrs.c. */
static void *msr_bitmap;

/* CR4 bits a guest may set, if the CPU allows them in VMX operation. */
#define CR4_GUEST_SUPPORTED						\
	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |		\
	 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |	\
	 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |		\
	 X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_PCIDE |		\
	 X86_CR4_OSXSAVE | X86_CR4_SMEP | X86_CR4_SMAP)

static u64 cap(enum vmxlab_cap_msr msr)
{
	return vmxlab_host_caps.msr[msr];
}

static u32 control(enum vmxlab_control_set set)
{
	return vmxlab_host_caps.controls[set].value;
}

/*
 * The CR0 the hardware runs with: the VMX-fixed bits forced (SDM Vol. 3D,
 * A.7), and caching on whatever the guest chose.  With CR0.CD set the
 * CPU accesses guest-physical memory as UC, whatever EPT says ("Memory
 * Type Used for Translated Guest-Physical Addresses"), while the host maps
 * that RAM WB: two memory types for the same memory.  vmxlab owns CD and
 * NW (they are not in VMCS_CR0_GUEST_OWNED): the guest reads its own from
 * the read shadow, and its accesses stay cached (no device of vmxlab's
 * depends on uncached ones).
 */
u64 vmcs_cr0_hw_bits(u64 cr0)
{
	/* Unrestricted guest lets PE and PG be 0 ("Checks on Guest Control Registers"). */
	u64 must_be_1 = cap(VMXLAB_CAP_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);

	cr0 &= ~(X86_CR0_CD | X86_CR0_NW);
	return (cr0 | must_be_1) & cap(VMXLAB_CAP_CR0_FIXED1);
}

/*
 * The CR4 the hardware runs with: VMXE and the other fixed-1 bits set
 * (A.8), and the host's MCE: with CR4.MCE clear a machine check that hits
 * while the guest runs would shut the CPU down instead of exiting to the
 * host's handler ("Machine-Check Exception (#MC)"; "Exception Bitmap").
 * The guest reads its own CR4 from the read shadow: it owns no CR4 bit.
 */
u64 vmcs_cr4_hw_bits(u64 cr4)
{
	cr4 |= cr4_read_shadow() & X86_CR4_MCE;
	return (cr4 | cap(VMXLAB_CAP_CR4_FIXED0)) & cap(VMXLAB_CAP_CR4_FIXED1);
}

u64 vmcs_cr4_allowed(void)
{
	return CR4_GUEST_SUPPORTED & cap(VMXLAB_CAP_CR4_FIXED1) &
	       ~(u64)X86_CR4_VMXE;
}

void vmcs_set_efer(struct vmxlab_vcpu *vcpu, u64 efer)
{
	u32 entry = vmcs_read32(VMCS_VM_ENTRY_CONTROLS);

	vcpu->efer = efer;
	vcpu->long_mode = efer & EFER_LMA;
	vcpu->rip_mask = vcpu->long_mode ? ~0UL : 0xffffffffUL;
	/* "IA-32e mode guest" must equal EFER.LMA ("Checks on Guest Control Registers"). */
	if (vcpu->long_mode)
		entry |= VMX_ENTRYCTL_IA32E_GUEST;
	else
		entry &= ~VMX_ENTRYCTL_IA32E_GUEST;
	vmcs_write32(VMCS_VM_ENTRY_CONTROLS, entry);
	vmcs_write64(VMCS_GUEST_IA32_EFER, efer);
}

/* Base of the descriptor @selector names in the GDT at @gdt (a system descriptor for TR). */
static unsigned long host_descriptor_base(unsigned long gdt, u16 selector)
{
	struct ldttss_desc *desc = (void *)(gdt + (selector & ~7));

	return get_desc_base((struct desc_struct *)desc) |
	       ((unsigned long)desc->base3 << 32);
}

/*
 * Host state that differs per CPU, written when the VMCS is loaded on a
 * new CPU ("Host-State Area"): the GDT and TSS of this CPU, its per-CPU
 * GS base, and the SYSENTER stack.
 */
void vmcs_set_host_per_cpu(void)
{
	struct desc_ptr gdt;
	unsigned long gs_base;
	u64 value;

	native_store_gdt(&gdt);
	vmcs_writel(VMCS_HOST_GDTR_BASE, gdt.address);
	vmcs_writel(VMCS_HOST_TR_BASE,
		    host_descriptor_base(gdt.address, GDT_ENTRY_TSS * 8));
	rdmsrl(MSR_GS_BASE, gs_base);
	vmcs_writel(VMCS_HOST_GS_BASE, gs_base);
	rdmsrl(MSR_IA32_SYSENTER_ESP, value);
	vmcs_writel(VMCS_HOST_IA32_SYSENTER_ESP, value);
}

/* Host state that is the same on every CPU, written once. */
static void init_host_state(struct vmxlab_vcpu *vcpu)
{
	struct desc_ptr idt;
	u64 value;

	vmcs_writel(VMCS_HOST_CR0, read_cr0());
	vcpu->host_cr3 = __read_cr3();
	vmcs_writel(VMCS_HOST_CR3, vcpu->host_cr3);
	vcpu->host_cr4 = cr4_read_shadow();
	vmcs_writel(VMCS_HOST_CR4, vcpu->host_cr4);
	/* Selector RPL and TI must be 0 ("Checks on Host Segment and Descriptor-Table Registers"). */
	vmcs_write16(VMCS_HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(VMCS_HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(VMCS_HOST_DS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_ES_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writel(VMCS_HOST_FS_BASE, 0);
	vcpu->host_fs_base = 0;
	store_idt(&idt);
	vmcs_writel(VMCS_HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_IA32_SYSENTER_CS, value);
	vmcs_write32(VMCS_HOST_IA32_SYSENTER_CS, value);
	rdmsrl(MSR_IA32_SYSENTER_EIP, value);
	vmcs_writel(VMCS_HOST_IA32_SYSENTER_EIP, value);
	rdmsrl(MSR_IA32_CR_PAT, value);
	vmcs_write64(VMCS_HOST_IA32_PAT, value);
	rdmsrl(MSR_EFER, value);
	vmcs_write64(VMCS_HOST_IA32_EFER, value);
	vmcs_writel(VMCS_HOST_RIP, (unsigned long)vmxlab_vmexit);
	/* The stub writes HOST_RSP on its first entry. */
	vcpu->regs.host_rsp = 0;
	vmcs_writel(VMCS_HOST_RSP, 0);
	vmcs_set_host_per_cpu();
}

/*
 * A time slice for the VMX-preemption timer, which counts down at the
 * TSC rate divided by 2^IA32_VMX_MISC[4:0]: about 10 ms, so that a guest
 * that never exits is still stopped by a signal even if host interrupts
 * do not reach vmxlab (Bochs reports a rate of 0: the TSC rate itself).
 *
 * Bochs differs from the SDM here: with "external-interrupt exiting" a
 * host interrupt must cause a VM exit whatever the guest's RFLAGS.IF
 * ("Interrupt Exiting" is not subject to IF: SDM Vol. 3C, "Pin-Based
 * VM-Execution Controls"), but Bochs 2.7 exits only while the guest has
 * IF = 1.  A guest spinning with interrupts off (tests/guests/loop.S)
 * then never exits on KVM, which has no such timer; the timer ends
 * vmxlab's time slice anyway.
 */
static u32 preemption_timer_slice(void)
{
	u64 ticks = (u64)tsc_khz * 10 >> vmx_misc_preempt_timer_rate(cap(VMXLAB_CAP_MISC));

	return clamp_t(u64, ticks, 100000, U32_MAX);
}

static void init_controls(struct vmxlab_vcpu *vcpu)
{
	u32 pin = control(VMXLAB_CTLS_PINBASED);

	vmcs_write32(VMCS_PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL, control(VMXLAB_CTLS_PROCBASED));
	vmcs_write32(VMCS_SECONDARY_VM_EXEC_CONTROL, control(VMXLAB_CTLS_PROCBASED2));
	vmcs_write32(VMCS_VM_EXIT_CONTROLS, control(VMXLAB_CTLS_EXIT));
	vmcs_write32(VMCS_VM_ENTRY_CONTROLS, control(VMXLAB_CTLS_ENTRY));
	if (pin & VMX_PINCTL_PREEMPT_TIMER)
		vmcs_write32(VMCS_VMX_PREEMPTION_TIMER_VALUE, preemption_timer_slice());
	vmcs_write32(VMCS_EXCEPTION_BITMAP, VCPU_EXCEPTION_BITMAP);
	vmcs_write32(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_MSR_BITMAP, virt_to_phys(msr_bitmap));
	vmcs_write64(VMCS_EPT_POINTER, vcpu->vm->eptp);
	vmcs_write16(VMCS_VIRTUAL_PROCESSOR_ID, vcpu->vpid);
	/* No VMCS shadowing: the link pointer must be all ones ("Checks on Guest Non-Register State"). */
	vmcs_write64(VMCS_VMCS_LINK_POINTER, ~0ULL);
	vmcs_writel(VMCS_CR0_GUEST_HOST_MASK, ~(unsigned long)VMCS_CR0_GUEST_OWNED);
	vmcs_writel(VMCS_CR4_GUEST_HOST_MASK, ~0UL);
	/* The guest's TSC starts near 0, as on KVM. */
	vcpu->tsc_offset = -rdtsc();
	vmcs_write64(VMCS_TSC_OFFSET, vcpu->tsc_offset);
}

void vmcs_write_guest_cr0(struct vmxlab_vcpu *vcpu, u64 cr0)
{
	vcpu->cr0 = cr0;
	vmcs_writel(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_writel(VMCS_GUEST_CR0, vmcs_cr0_hw_bits(cr0));
}

void vmcs_write_guest_cr4(struct vmxlab_vcpu *vcpu, u64 cr4)
{
	vcpu->cr4 = cr4;
	vmcs_writel(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_writel(VMCS_GUEST_CR4, vmcs_cr4_hw_bits(cr4));
}

/* The architectural state after RESET (SDM Vol. 3A, "Processor State After Reset"). */
static void init_guest_state(struct vmxlab_vcpu *vcpu)
{
	vmcs_reset_segments();
	vmcs_writel(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write_guest_cr0(vcpu, X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_write_guest_cr4(vcpu, 0);
	vmcs_writel(VMCS_GUEST_CR3, 0);
	vmcs_set_efer(vcpu, 0);
	vmcs_write64(VMCS_GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_writel(VMCS_GUEST_DR7, 0x400);
	vmcs_writel(VMCS_GUEST_RIP, 0xfff0);
	vmcs_writel(VMCS_GUEST_RSP, 0);
	vmcs_writel(VMCS_GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writel(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	vmcs_writel(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu_msrs_reset(vcpu);
	vcpu_cpuid_update(vcpu);
}

/* Called with the vCPU loaded, once, right after its VMCS was made current. */
void vmcs_init_vcpu(struct vmxlab_vcpu *vcpu)
{
	init_controls(vcpu);
	init_host_state(vcpu);
	init_guest_state(vcpu);
}

/*
 * PAE paging outside IA-32e mode takes its four PDPTEs from the VMCS on
 * VM entry when EPT is on (SDM Vol. 3C, "Loading Page-Directory-Pointer-
 * Table Entries"); load them from guest memory as MOV to CR3 would.
 */
int vmcs_read_pdptes(struct vmxlab_vcpu *vcpu, unsigned long cr3, u64 pdpte[4])
{
	return vm_read_guest(vcpu->vm, cr3 & 0xffffffe0, pdpte, 4 * sizeof(*pdpte));
}

void vmcs_write_pdptes(const u64 pdpte[4])
{
	static const u32 fields[4] = {
		VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1,
		VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3,
	};
	int i;

	for (i = 0; i < 4; i++)
		vmcs_write64(fields[i], pdpte[i]);
}

int vmcs_load_pdptes(struct vmxlab_vcpu *vcpu)
{
	u64 pdpte[4];
	int err;

	if (!(vcpu->cr0 & X86_CR0_PG) || !(vcpu->cr4 & X86_CR4_PAE) ||
	    vcpu->long_mode)
		return 0;
	err = vmcs_read_pdptes(vcpu, vmcs_readl(VMCS_GUEST_CR3), pdpte);
	if (err)
		return err;
	vmcs_write_pdptes(pdpte);
	return 0;
}

int vmcs_setup_init(void)
{
	msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!msr_bitmap)
		return -ENOMEM;
	memset(msr_bitmap, 0xff, PAGE_SIZE);
	vmxlab_msr_bitmap_init(msr_bitmap);
	return 0;
}

void vmcs_setup_exit(void)
{
	free_page((unsigned long)msr_bitmap);
}
