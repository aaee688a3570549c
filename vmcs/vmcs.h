/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs/: the VMCS regions, a vCPU's VMCS set up and kept in step with
 * KVM_SET_SREGS (vmcs/sregs.c), the entry-check model's ioctl, VMXLAB_SET_VMCS and
 * VMXLAB_GET_VMCS.  The VMCS accessors are in vmx/insn.h.
 */
#ifndef VMXLAB_VMCS_H
#define VMXLAB_VMCS_H

#include <linux/compiler_types.h>
#include <linux/types.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <vmxlab/entry_checks.h>

struct kvm_sregs;
struct vmxlab_entry_failure;
struct vmxlab_vcpu;
struct vmxlab_vmcs_field;

/* vmcs/region.c: VMXON and VMCS regions (SDM Vol. 3C, "VMXON Region"). */
void *vmcs_alloc_region(int cpu, gfp_t gfp);
void vmcs_free_region(void *region);

/*
 * The exceptions that always exit (SDM Vol. 3C, "Exception Bitmap"): #DB
 * and #AC, because a guest can make the CPU deliver either forever without
 * an instruction boundary where a host interrupt could end it (the
 * benign-exception delivery loop: XSA-156, CVE-2015-5307, CVE-2015-8104);
 * as VM exits, the host's interrupts and signals get in between.  Each is
 * reflected to the guest (exits/handlers.c).  #MC, a machine check of the
 * host's hardware that arrived while the guest ran: the host's
 * machine-check handler takes it, never the guest.
 */
#define VCPU_EXCEPTION_BITMAP \
	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC))

/* vmcs/setup.c */
int vmcs_setup_init(void);
void vmcs_setup_exit(void);
void vmcs_init_vcpu(struct vmxlab_vcpu *vcpu);
void vmcs_set_host_per_cpu(void);
int vmcs_load_pdptes(struct vmxlab_vcpu *vcpu);
/* The four PDPTEs at @cr3 in guest memory (0 or -errno), and into the VMCS. */
int vmcs_read_pdptes(struct vmxlab_vcpu *vcpu, unsigned long cr3, u64 pdpte[4]);
void vmcs_write_pdptes(const u64 pdpte[4]);
void vmcs_set_efer(struct vmxlab_vcpu *vcpu, u64 efer);
u64 vmcs_cr0_hw_bits(u64 cr0);
u64 vmcs_cr4_hw_bits(u64 cr4);
u64 vmcs_cr4_allowed(void);
void vmcs_write_guest_cr0(struct vmxlab_vcpu *vcpu, u64 cr0);
void vmcs_write_guest_cr4(struct vmxlab_vcpu *vcpu, u64 cr4);

/* CR0 bits the guest writes without an exit: x87/FPU control. */
#define VMCS_CR0_GUEST_OWNED	(X86_CR0_TS | X86_CR0_MP | X86_CR0_EM)

/* vmcs/sregs.c */
void vmcs_reset_segments(void);
void vmcs_get_sregs(struct vmxlab_vcpu *vcpu, struct kvm_sregs *sregs);
int vmcs_check_sregs(struct vmxlab_vcpu *vcpu, const struct kvm_sregs *sregs);
int vmcs_set_sregs(struct vmxlab_vcpu *vcpu, const struct kvm_sregs *sregs);

/* vmcs/check_entry.c: VMXLAB_CHECK_ENTRY reports this many failures at most. */
#define VMCS_CHECK_ENTRY_MAX_REPORTED	32
int vcpu_check_entry(struct vmxlab_vcpu *vcpu, struct vmxlab_entry_failure *out);
struct entry_check_cpu vmcs_entry_check_cpu(void);
bool vcpu_entry_model_refuses(struct vmxlab_vcpu *vcpu);

/* vmcs/set_vmcs.c */
int vcpu_set_vmcs(struct vmxlab_vcpu *vcpu, const struct vmxlab_vmcs_field *fields, u32 n);
void vmcs_controls_written_run(struct vmxlab_vcpu *vcpu);

/* vmcs/get_vmcs.c */
void vcpu_get_vmcs(struct vmxlab_vcpu *vcpu, struct vmxlab_vmcs_field *fields,
		   bool show_host);

#endif /* VMXLAB_VMCS_H */
