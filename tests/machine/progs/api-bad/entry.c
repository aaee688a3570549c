// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's checks of failed VM entries (KVM_EXIT_FAIL_ENTRY, the
 * CHECK_ENTRY verdict) and of VMXLAB_SET_VMCS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api-bad.h"

/* KVM_RUN on @v must end in KVM_EXIT_FAIL_ENTRY with hardware reason @reason: check @name. */
static void expect_fail_entry(struct vcpu *v, unsigned long long reason, const char *name)
{
	long ret;
	int e;

	alarm_in(5);
	e = ioctl_errno(v->fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == 0 && v->run->exit_reason == KVM_EXIT_FAIL_ENTRY &&
	       v->run->fail_entry.hardware_entry_failure_reason == reason, name,
	       "KVM_RUN: %ld %s, exit_reason %u, hardware reason 0x%llx; want KVM_EXIT_FAIL_ENTRY, 0x%llx",
	       ret, errname(e), v->run->exit_reason,
	       (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason, reason);
}

/*
 * vmxlab only: VMXLAB_CHECK_ENTRY names the rule the CPU applied, on the
 * VMCS that failed, with the field and the value found; and it checks its
 * own arguments.
 */
static void check_entry_verdict(int fd)
{
	struct vmxlab_entry_failure found[4];
	struct vmxlab_entry_check req = { .max = 4, .failures = (uintptr_t)found };
	unsigned int i, hit = 0;
	long ret;
	int e;

	e = ioctl_errno(fd, VMXLAB_CHECK_ENTRY, &req, &ret);
	for (i = 0; !e && i < req.count && i < 4; i++)
		if (!strcmp(found[i].id, "guest.tr.type") &&
		    found[i].area == VMXLAB_ENTRY_AREA_GUEST &&
		    found[i].field == 0x4822 && (found[i].value & 0xf) == 1)
			hit = 1;
	report(e == 0 && req.count >= 1 && hit, "fail-entry-checker-names-tr-type",
	       "VMXLAB_CHECK_ENTRY: %s, %u failing of %u checks, first '%s' (field 0x%x value 0x%llx); want guest.tr.type on GUEST_TR_AR_BYTES (0x4822) with type 1",
	       errname(e), req.count, req.checks, req.count ? found[0].id : "",
	       req.count ? found[0].field : 0,
	       req.count ? (unsigned long long)found[0].value : 0ULL);
	req.pad = 1;
	check("check-entry-pad-einval", fd, VMXLAB_CHECK_ENTRY, &req, EINVAL, EINVAL);
	req.pad = 0;
	req.failures = 8;
	check("check-entry-bad-pointer-efault", fd, VMXLAB_CHECK_ENTRY, &req, EFAULT, EFAULT);
}

/*
 * Guest state the SDM's VM-entry checks refuse, but KVM_SET_SREGS cannot
 * tell from a legal one: TR holding an available (not busy) 16-bit TSS
 * (type 1; "Checks on Guest Segment Registers": TR type must be 3 or 11).
 * KVM_RUN must end in KVM_EXIT_FAIL_ENTRY with the failed-entry bit and
 * basic reason 33 (invalid guest state), not a host crash, and the vCPU
 * must run once the state is fixed.
 */
void test_fail_entry(int sys)
{
	struct kvm_sregs sregs;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "fail-entry-setup"))
		return;
	ioctl(v.fd, KVM_GET_SREGS, &sregs);
	sregs.tr.type = 1;
	e = ioctl_errno(v.fd, KVM_SET_SREGS, &sregs, &ret);
	report(e == 0, "fail-entry-set-sregs-accepted", "KVM_SET_SREGS: %s", errname(e));
	expect_fail_entry(&v, 0x80000021, "fail-entry-tr-not-busy");
	if (!kvm_mode)
		check_entry_verdict(v.fd);
	sregs.tr.type = 11;
	ioctl(v.fd, KVM_SET_SREGS, &sregs);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == 0 && v.run->exit_reason == KVM_EXIT_IO, "fail-entry-then-runs",
	       "after fixing TR: KVM_RUN %ld %s, exit_reason %u; want KVM_EXIT_IO",
	       ret, errname(e), v.run->exit_reason);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* vmxlab: the value of VMCS field @encoding of vCPU @fd (VMXLAB_GET_VMCS); 0 if none. */
static unsigned long long vmcs_field(int fd, unsigned int encoding)
{
	static struct vmxlab_vmcs_field fields[512];
	struct vmxlab_vmcs_snapshot snap = { .nfields = 512, .fields = (uintptr_t)fields };
	unsigned int i;

	if (ioctl(fd, VMXLAB_GET_VMCS, &snap))
		return 0;
	for (i = 0; i < snap.nfields; i++)
		if (fields[i].encoding == encoding)
			return fields[i].value;
	return 0;
}

/* VMXLAB_SET_VMCS with @n fields from @f; the errno, or 0. */
static int set_vmcs(int fd, struct vmxlab_vmcs_field *f, unsigned int n)
{
	struct vmxlab_vmcs_write req = { .nfields = n, .fields = (uintptr_t)f };

	return ioctl_errno(fd, VMXLAB_SET_VMCS, &req, NULL);
}

#define F_PIN_CONTROLS	0x4000
#define F_GUEST_RFLAGS	0x6820
#define F_GUEST_CR0	0x6800
#define F_GUEST_CS_SEL	0x0802
#define F_HOST_RIP	0x6c16
#define F_LINK_POINTER	0x2800
#define F_EPT_POINTER	0x201a

/* VMXLAB_SET_VMCS's own arguments: each bad one answers its errno, writes nothing. */
static void set_vmcs_arguments(int fd)
{
	struct vmxlab_vmcs_field f[17] = { { .encoding = F_GUEST_RFLAGS, .value = 2 } };
	struct vmxlab_vmcs_write req = { .nfields = 1, .fields = (uintptr_t)f };

	req.flags = 1;
	check("set-vmcs-flags-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.flags = 0;
	req.reserved[3] = 1;
	check("set-vmcs-reserved-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.reserved[3] = 0;
	req.nfields = 0;
	check("set-vmcs-zero-fields-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.nfields = 17;
	check("set-vmcs-17-fields-einval", fd, VMXLAB_SET_VMCS, &req, EINVAL, VMXLAB_ONLY);
	req.nfields = 1;
	req.fields = 8;
	check("set-vmcs-bad-pointer-efault", fd, VMXLAB_SET_VMCS, &req, EFAULT, VMXLAB_ONLY);
	f[0].flags = 1;
	report(set_vmcs(fd, f, 1) == EINVAL, "set-vmcs-field-flags-einval", "want EINVAL");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_CS_SEL, .value = 0x10000 };
	report(set_vmcs(fd, f, 1) == EINVAL, "set-vmcs-16-bit-overflow-einval", "want EINVAL");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_LINK_POINTER | 1 };
	report(set_vmcs(fd, f, 1) == EINVAL, "set-vmcs-high-half-einval", "want EINVAL");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_HOST_RIP };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-host-state-eperm", "want EPERM");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_LINK_POINTER, .value = 0x1000 };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-link-pointer-eperm", "want EPERM");
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_EPT_POINTER };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-ept-pointer-eperm", "want EPERM");
	/* A CR0 the guest could run with (real mode, NE|ET): vmxlab keeps its own copy. */
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_CR0, .value = 0x30 };
	report(set_vmcs(fd, f, 1) == EPERM, "set-vmcs-cr0-that-enters-eperm", "want EPERM");
	/* One refused field: the good one before it is not written either. */
	f[0] = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_RFLAGS, .value = 0 };
	f[1] = (struct vmxlab_vmcs_field){ .encoding = F_HOST_RIP };
	report(set_vmcs(fd, f, 2) == EPERM && vmcs_field(fd, F_GUEST_RFLAGS) == 2,
	       "set-vmcs-all-or-nothing", "want EPERM and RFLAGS still 0x2, got 0x%llx",
	       vmcs_field(fd, F_GUEST_RFLAGS));
}

/*
 * vmxlab only: VMXLAB_SET_VMCS.  A reserved pin-based control bit (31:
 * allowed-1 says 0) makes VM entry fail with VMfailValid, error 7 ("Checks
 * on VM-Execution Control Fields"); the failed VMCS stays readable, and
 * the next KVM_RUN puts vmxlab's own controls back and runs the guest.
 * A half-done exit is -EBUSY.
 */
void test_set_vmcs(int sys)
{
	struct vmxlab_vmcs_field f;
	struct vm vm;
	struct vcpu v;
	unsigned long long pin;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "set-vmcs-setup"))
		return;
	set_vmcs_arguments(v.fd);
	pin = vmcs_field(v.fd, F_PIN_CONTROLS);
	f = (struct vmxlab_vmcs_field){ .encoding = F_PIN_CONTROLS, .value = pin | 1u << 31 };
	e = set_vmcs(v.fd, &f, 1);
	report(e == 0 && pin, "set-vmcs-reserved-control-bit-taken",
	       "pin-based 0x%llx | bit 31: %s", pin, errname(e));
	expect_fail_entry(&v, 7, "set-vmcs-reserved-control-vmfail-7");
	report(vmcs_field(v.fd, F_PIN_CONTROLS) == (pin | 1u << 31),
	       "set-vmcs-failed-vmcs-readable",
	       "pin-based 0x%llx after the failed entry, want the written 0x%llx",
	       vmcs_field(v.fd, F_PIN_CONTROLS), pin | 1u << 31);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == 0 && v.run->exit_reason == KVM_EXIT_IO, "set-vmcs-then-runs",
	       "KVM_RUN %ld %s, exit_reason %u; want KVM_EXIT_IO", ret, errname(e),
	       v.run->exit_reason);
	report(vmcs_field(v.fd, F_PIN_CONTROLS) == pin, "set-vmcs-controls-restored",
	       "pin-based 0x%llx after the next KVM_RUN, want vmxlab's 0x%llx",
	       vmcs_field(v.fd, F_PIN_CONTROLS), pin);
	f = (struct vmxlab_vmcs_field){ .encoding = F_GUEST_RFLAGS, .value = 2 };
	report(set_vmcs(v.fd, &f, 1) == EBUSY, "set-vmcs-half-done-exit-ebusy",
	       "at an I/O exit: want EBUSY");
	vcpu_destroy(&v);
	vm_destroy(&vm);
}
