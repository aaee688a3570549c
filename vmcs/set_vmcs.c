// SPDX-License-Identifier: GPL-2.0
/*
 * VMXLAB_SET_VMCS: write chosen fields of a vCPU's VMCS, so that a student
 * can put one invalid value in on purpose and watch VM entry refuse it
 * (SDM Vol. 3C, "Checks on VMX Controls and Host-State Area" and "Checks
 * on the Guest State Area"), and a researcher can set guest state KVM's
 * API does not reach (activity state, interruptibility, pending debug
 * exceptions).
 *
 * What may be written is a list, not a range of encodings: a field is
 * taken only when no value of it can hurt the host.  Host-state fields,
 * exit information, the EPT pointer, the MSR bitmap and the VMCS link
 * pointer (whose checks make the CPU read host memory) are never written.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <vmxlab/caps.h>
#include <vmxlab/vmx_arch.h>
#include "vmcs/vmcs.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

enum write_rule {
	WRITE_REFUSED,
	WRITE_AS_GIVEN,		/* guest state vmxlab keeps no copy of */
	WRITE_IF_ENTRY_FAILS,	/* vmxlab keeps a copy: only a state entry refuses */
	WRITE_FIXED_BITS_ONLY,	/* a VM-execution/exit/entry control */
};

/* Guest state that lives only in the VMCS: any value is the CPU's to judge. */
static const u32 as_given_fields[] = {
	VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_SS_SELECTOR,
	VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_GS_SELECTOR,
	VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_TR_SELECTOR,
	VMCS_GUEST_ES_LIMIT, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_SS_LIMIT,
	VMCS_GUEST_DS_LIMIT, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_GS_LIMIT,
	VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_TR_LIMIT,
	VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT,
	VMCS_GUEST_ES_AR_BYTES, VMCS_GUEST_CS_AR_BYTES, VMCS_GUEST_SS_AR_BYTES,
	VMCS_GUEST_DS_AR_BYTES, VMCS_GUEST_FS_AR_BYTES, VMCS_GUEST_GS_AR_BYTES,
	VMCS_GUEST_LDTR_AR_BYTES, VMCS_GUEST_TR_AR_BYTES,
	VMCS_GUEST_ES_BASE, VMCS_GUEST_CS_BASE, VMCS_GUEST_SS_BASE,
	VMCS_GUEST_DS_BASE, VMCS_GUEST_FS_BASE, VMCS_GUEST_GS_BASE,
	VMCS_GUEST_LDTR_BASE, VMCS_GUEST_TR_BASE,
	VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE,
	VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_GUEST_ACTIVITY_STATE,
	VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
	VMCS_GUEST_CR3, VMCS_GUEST_DR7,
	VMCS_GUEST_RSP, VMCS_GUEST_RIP, VMCS_GUEST_RFLAGS,
};

/*
 * vmxlab keeps these itself (the CR read shadows, the XCR0 switch around
 * entry, long mode for RIP wrapping and MMIO decoding): a value the guest
 * could run with would leave the copy wrong.
 */
static const u32 if_entry_fails_fields[] = {
	VMCS_GUEST_CR0, VMCS_GUEST_CR4, VMCS_GUEST_IA32_EFER,
};

static const struct {
	u32 field;
	enum vmxlab_control_set set;
} control_fields[] = {
	{ VMCS_PIN_BASED_VM_EXEC_CONTROL, VMXLAB_CTLS_PINBASED },
	{ VMCS_CPU_BASED_VM_EXEC_CONTROL, VMXLAB_CTLS_PROCBASED },
	{ VMCS_SECONDARY_VM_EXEC_CONTROL, VMXLAB_CTLS_PROCBASED2 },
	{ VMCS_VM_EXIT_CONTROLS, VMXLAB_CTLS_EXIT },
	{ VMCS_VM_ENTRY_CONTROLS, VMXLAB_CTLS_ENTRY },
};

static bool field_in(const u32 *list, size_t n, u32 field)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == field)
			return true;
	return false;
}

static int control_set_of(u32 field)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(control_fields); i++)
		if (control_fields[i].field == field)
			return control_fields[i].set;
	return -1;
}

static enum write_rule write_rule_of(u32 field)
{
	if (field_in(as_given_fields, ARRAY_SIZE(as_given_fields), field))
		return WRITE_AS_GIVEN;
	if (field_in(if_entry_fails_fields, ARRAY_SIZE(if_entry_fails_fields), field))
		return WRITE_IF_ENTRY_FAILS;
	if (control_set_of(field) >= 0)
		return WRITE_FIXED_BITS_ONLY;
	return WRITE_REFUSED;
}

/* Whether @value fits the field's width ("VMCS Component Encoding"). */
static bool fits_field(u32 field, u64 value)
{
	switch (VMCS_ENCODING_WIDTH(field)) {
	case VMCS_WIDTH_16:
		return value <= U16_MAX;
	case VMCS_WIDTH_32:
		return value <= U32_MAX;
	default:
		return true;
	}
}

/*
 * A control may differ from vmxlab's own value only in bits the capability
 * MSR fixes: a 0 where allowed-0 says 1, a 1 where allowed-1 says 0
 * (SDM Vol. 3D, "Reserved Controls and Default Settings").  Such a value
 * always fails "Checks on VM-Execution Control Fields" (and its exit and
 * entry siblings), so the guest never runs with a control vmxlab did not
 * choose.
 */
static bool changes_only_fixed_bits(u32 field, u64 value)
{
	enum vmxlab_control_set set = control_set_of(field);
	u64 msr = vmx_control_msr(&vmxlab_host_caps, set);
	u32 must_be_1 = (u32)msr, may_be_1 = (u32)(msr >> 32);
	u32 fixed = must_be_1 | ~may_be_1;

	return !((value ^ vmxlab_host_caps.controls[set].value) & ~fixed);
}

/*
 * An activity state the host CPU would not come back from (SDM Vol. 3C,
 * "Activity State", "VMX-Preemption Timer"): wait-for-SIPI blocks
 * external interrupts, NMIs, INIT and SMIs, and the preemption timer does
 * not exit in it, so only a SIPI (which no one sends) ends it; shutdown
 * is ended only by an NMI or the optional preemption timer, and each NMI
 * exit would enter it again.  Active and HLT are left by the preemption
 * timer and host interrupts, and any other value VM entry refuses
 * ("Checks on Guest Non-Register State"): those stay the CPU's to judge.
 */
static bool activity_state_traps_host(u32 field, u64 value)
{
	return field == VMCS_GUEST_ACTIVITY_STATE &&
	       (value == VMX_ACTIVITY_SHUTDOWN || value == VMX_ACTIVITY_WAIT_SIPI);
}

static int check_one(const struct vmxlab_vmcs_field *f, bool *needs_refusal,
		     bool *controls)
{
	if (f->flags || f->encoding > U16_MAX ||
	    (f->encoding & VMCS_ENCODING_HIGH) || !fits_field(f->encoding, f->value))
		return -EINVAL;
	if (activity_state_traps_host(f->encoding, f->value))
		return -EINVAL;
	switch (write_rule_of(f->encoding)) {
	case WRITE_AS_GIVEN:
		break;
	case WRITE_IF_ENTRY_FAILS:
		*needs_refusal = true;
		break;
	case WRITE_FIXED_BITS_ONLY:
		if (!changes_only_fixed_bits(f->encoding, f->value))
			return -EPERM;
		*controls = true;
		break;
	default:
		return -EPERM;
	}
	return 0;
}

/* Write @n fields, keeping their old values in @old; -EOPNOTSUPP if the CPU lacks one. */
static int write_fields(const struct vmxlab_vmcs_field *f, u64 *old, u32 n)
{
	unsigned long v;
	u32 i;

	for (i = 0; i < n; i++) {
		if (vmx_vmread(f[i].encoding, &v) != VMX_INSN_OK)
			goto undo;
		old[i] = v;
		if (vmx_vmwrite(f[i].encoding, f[i].value) != VMX_INSN_OK)
			goto undo;
	}
	return 0;
undo:
	while (i--)
		vmx_vmwrite(f[i].encoding, old[i]);
	return -EOPNOTSUPP;
}

static void undo_fields(const struct vmxlab_vmcs_field *f, const u64 *old, u32 n)
{
	while (n--)
		vmx_vmwrite(f[n].encoding, old[n]);
}

static int apply(struct vmxlab_vcpu *vcpu, const struct vmxlab_vmcs_field *f,
		 u32 n, bool needs_refusal, bool controls)
{
	u64 *old;
	int err;

	old = kcalloc(n, sizeof(*old), GFP_KERNEL);
	if (!old)
		return -ENOMEM;
	vcpu_load(vcpu);
	err = write_fields(f, old, n);
	if (!err && needs_refusal && !vcpu_entry_model_refuses(vcpu)) {
		undo_fields(f, old, n);
		err = -EPERM;
	}
	if (!err && controls) {
		vcpu->controls_written = true;
		vcpu->controls_tried = false;
	}
	vcpu_put(vcpu);
	kfree(old);
	return err;
}

/* Write @n (1..VMXLAB_MAX_VMCS_WRITES) fields into @vcpu's VMCS, or none. */
int vcpu_set_vmcs(struct vmxlab_vcpu *vcpu, const struct vmxlab_vmcs_field *fields, u32 n)
{
	bool needs_refusal = false, controls = false;
	int err = 0;
	u32 i;

	for (i = 0; i < n && !err; i++)
		err = check_one(&fields[i], &needs_refusal, &controls);
	if (!err)
		err = apply(vcpu, fields, n, needs_refusal, controls);
	return err;
}

/*
 * A control written above lasts one KVM_RUN: that run's entry fails (or,
 * on a CPU that skips the check, runs with a bit that means nothing), and
 * user space can still read the VMCS that failed and ask the model about
 * it.  The next KVM_RUN puts vmxlab's own controls back first, so the
 * guest runs again.  Called at the start of KVM_RUN, the vCPU loaded.
 */
void vmcs_controls_written_run(struct vmxlab_vcpu *vcpu)
{
	size_t i;

	if (!vcpu->controls_tried) {
		vcpu->controls_tried = true;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(control_fields); i++)
		vmcs_write32(control_fields[i].field,
			     vmxlab_host_caps.controls[control_fields[i].set].value);
	vcpu->controls_written = false;
	vcpu->controls_tried = false;
}
