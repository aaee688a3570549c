/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exits/: what vmxlab does about VM exits, as the rest of the module
 * calls it.  The exit table and its contract are in exits/dispatch.h.
 */
#ifndef VMXLAB_EXITS_EXITS_H
#define VMXLAB_EXITS_EXITS_H

#include <linux/types.h>
#include <vmxlab/vmx_arch.h>
#include "vmx/insn.h"
#include "vmx/vcpu.h"

#define VMX_INTERRUPTIBILITY_STI_MOV_SS \
	(VMX_INTERRUPTIBILITY_STI | VMX_INTERRUPTIBILITY_MOV_SS)

/* Executing an instruction ends any STI or MOV SS blocking; so does skipping it. */
static __always_inline void end_sti_movss_blocking(void)
{
	u32 interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	if (unlikely(interruptibility & VMX_INTERRUPTIBILITY_STI_MOV_SS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     interruptibility & ~VMX_INTERRUPTIBILITY_STI_MOV_SS);
}

/*
 * Advance RIP past the instruction that exited: VM-exit instruction
 * length is valid for exits caused by an instruction ("VM-Exit
 * Instruction Length").  Outside 64-bit mode RIP wraps at 4 GiB
 * (rip_mask).  Returns the RIP of the instruction.  Inline: the CPUID
 * exit takes this path (exits/dispatch.h).
 */
static __always_inline unsigned long skip_instruction(struct vmxlab_vcpu *vcpu)
{
	unsigned long rip = vmcs_readl(VMCS_GUEST_RIP);
	u32 len = vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN);

	vmcs_writel(VMCS_GUEST_RIP, (rip + len) & vcpu->rip_mask);
	end_sti_movss_blocking();
	return rip;
}

/* exits/emulate.c: RIP past an emulated instruction, exceptions in its place. */
unsigned long vcpu_gpr_read(struct vmxlab_vcpu *vcpu, unsigned int gpr);
void vcpu_gpr_write(struct vmxlab_vcpu *vcpu, unsigned int gpr, unsigned long value);
int vcpu_skip_instruction(struct vmxlab_vcpu *vcpu);
void vcpu_pend_past_instruction(struct vmxlab_vcpu *vcpu, unsigned int len);
void vcpu_set_rip_past(struct vmxlab_vcpu *vcpu, u64 rip);
void vcpu_skip_to_user(struct vmxlab_vcpu *vcpu);
void vcpu_inject_exception(struct vmxlab_vcpu *vcpu, u8 vector, bool has_error,
			   u32 error_code);
void vcpu_reflect_exception(struct vmxlab_vcpu *vcpu, u32 exit_intr_info);
void vcpu_debug_exit_to_dr6(struct vmxlab_vcpu *vcpu, unsigned long qual);

/* exits/interrupts.c: events from a user-space interrupt controller. */
int vcpu_events_before_run(struct vmxlab_vcpu *vcpu);
void vcpu_events_after_run(struct vmxlab_vcpu *vcpu);
void vcpu_redeliver_event(struct vmxlab_vcpu *vcpu);
void vcpu_iret_nmi_blocking(struct vmxlab_vcpu *vcpu, bool unblocked_by_iret);
int vcpu_queue_interrupt(struct vmxlab_vcpu *vcpu, u8 vector);
void vcpu_queue_nmi(struct vmxlab_vcpu *vcpu);
void vcpu_get_events(struct vmxlab_vcpu *vcpu, struct kvm_vcpu_events *ev);
int vcpu_set_events(struct vmxlab_vcpu *vcpu, const struct kvm_vcpu_events *ev);
u32 vcpu_get_mp_state(struct vmxlab_vcpu *vcpu);
int vcpu_set_mp_state(struct vmxlab_vcpu *vcpu, u32 mp_state);

/* exits/handlers.c: a machine check met in the guest goes to the host. */
void vcpu_host_machine_check(void);


/* exits/io.c: finish the port I/O a KVM_RUN returned for. */
int vcpu_complete_pending(struct vmxlab_vcpu *vcpu);

/* exits/cr_msr.c */
int vcpu_set_cr0(struct vmxlab_vcpu *vcpu, u64 cr0);
int vcpu_set_cr4(struct vmxlab_vcpu *vcpu, u64 cr4);
void vcpu_cpuid_update(struct vmxlab_vcpu *vcpu);

/*
 * exits/mmio.c: guest-linear memory, through the guest's page tables.
 * vcpu_access_linear() makes an access for the guest with its rights
 * checked (access: GWALK_PF_WRITE, GWALK_PF_USER of <vmxlab/guest_walk.h>)
 * or LINEAR_UNCHECKED; a refused one is -EACCES with the fault the guest
 * takes instead.
 */
#define LINEAR_UNCHECKED	(~0U)
struct guest_fault {
	u8 vector;
	u32 error_code;
	u64 cr2;		/* #PF: the linear address */
};
int vcpu_access_linear(struct vmxlab_vcpu *vcpu, u64 linear, void *buf, unsigned int len,
		       u32 access, struct guest_fault *fault);
int vcpu_read_linear(struct vmxlab_vcpu *vcpu, u64 linear, void *buf, unsigned int len);

/* exits/exit_ring.c */
void vcpu_exit_ring_record(struct vmxlab_vcpu *vcpu, u32 reason);
int vcpu_exit_ring_set(struct vmxlab_vcpu *vcpu, bool on);
s64 vcpu_exit_ring_window(const struct vmxlab_vcpu *vcpu, struct vmxlab_trace_read *rd);
const struct vmxlab_trace_record *vcpu_exit_ring_at(const struct vmxlab_vcpu *vcpu,
						    u64 seq, u32 *contiguous);
void vcpu_exit_ring_free(struct vmxlab_vcpu *vcpu);

/* exits/cycles.c */
void vcpu_cycles_charge(struct vmxlab_vcpu *vcpu, u64 entry_tsc);
void vcpu_cycles_exit(struct vmxlab_vcpu *vcpu, u64 exit_tsc);
u64 vcpu_cycles_hypercall(const struct vmxlab_vcpu *vcpu, u32 function, u32 reason,
			  u32 bucket);
int vcpu_cycles_set(struct vmxlab_vcpu *vcpu, bool on);
const struct vmxlab_exit_cycles *vcpu_cycles_read(const struct vmxlab_vcpu *vcpu,
						  struct vmxlab_cycles_read *rd);
void vcpu_cycles_clear(struct vmxlab_vcpu *vcpu);
void vcpu_cycles_free(struct vmxlab_vcpu *vcpu);

/* exits/watch.c */
struct vmx_ept_qual;
bool vcpu_watch_hit(struct vmxlab_vcpu *vcpu, u64 gpa, const struct vmx_ept_qual *q);
int vcpu_watch_resume(struct vmxlab_vcpu *vcpu, u32 action);
void vcpu_watch_before_run(struct vmxlab_vcpu *vcpu);
int vcpu_watch_after_exit(struct vmxlab_vcpu *vcpu, int action);
bool vcpu_watch_exit_completes_step(u32 basic_reason);
void vcpu_watch_exit_before_step(struct vmxlab_vcpu *vcpu);
void vcpu_watch_release(struct vmxlab_vcpu *vcpu);

#endif /* VMXLAB_EXITS_EXITS_H */
