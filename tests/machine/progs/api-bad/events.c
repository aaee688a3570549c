// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's checks of the interrupt ioctls of a VMM with a user-space
 * interrupt controller: KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS,
 * KVM_GET/SET_MP_STATE, and the kvm_run fields KVM_RUN fills whatever it
 * returns (if_flag, apic_base, ready_for_interrupt_injection).
 *
 * Where KVM and vmxlab answer differently on purpose the KVM answer is
 * written beside vmxlab's: a second KVM_INTERRUPT while one is queued
 * replaces it on KVM without an in-kernel irqchip, and vmxlab refuses it
 * with -EEXIST, as KVM's documentation says, rather than lose one; vmxlab
 * refuses non-zero reserved, pad and SMM fields, which KVM ignores.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "api-bad.h"

static void get_events(int fd, struct kvm_vcpu_events *ev)
{
	memset(ev, 0xa5, sizeof(*ev));
	if (ioctl(fd, KVM_GET_VCPU_EVENTS, ev))
		memset(ev, 0xa5, sizeof(*ev));
}

/* A zeroed SET with @flags: nothing injected or pending. */
static int clear_events(int fd)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	return ioctl(fd, KVM_SET_VCPU_EVENTS, &ev) ? errno : 0;
}

static void test_interrupt(int fd)
{
	struct kvm_interrupt irq = { .irq = 256 };
	struct kvm_vcpu_events ev;

	check("interrupt-vector-256-einval", fd, KVM_INTERRUPT, &irq, EINVAL, EINVAL);
	irq.irq = ~0U;
	check("interrupt-vector-all-ones-einval", fd, KVM_INTERRUPT, &irq, EINVAL, EINVAL);
	check("interrupt-bad-pointer-efault", fd, KVM_INTERRUPT, (void *)8, EFAULT, EFAULT);
	irq.irq = 0x20;
	check("interrupt-0x20-ok", fd, KVM_INTERRUPT, &irq, OK, OK);
	irq.irq = 0x21;
	check("interrupt-second-eexist", fd, KVM_INTERRUPT, &irq, EEXIST, OK);
	get_events(fd, &ev);
	report(ev.interrupt.injected == 1 && ev.interrupt.nr == (kvm_mode ? 0x21 : 0x20) &&
	       !ev.interrupt.soft, "interrupt-queued-in-events",
	       "interrupt injected %u nr %#x soft %u; want 1 %#x 0", ev.interrupt.injected,
	       ev.interrupt.nr, ev.interrupt.soft, kvm_mode ? 0x21 : 0x20);
	report(!clear_events(fd), "events-clear-ok", "SET_VCPU_EVENTS zeroed failed");
	get_events(fd, &ev);
	report(!ev.interrupt.injected, "interrupt-cleared-by-set-events",
	       "interrupt injected %u; want 0", ev.interrupt.injected);
	check("interrupt-after-clear-ok", fd, KVM_INTERRUPT, &irq, OK, OK);
	clear_events(fd);
}

static void test_nmi(int fd)
{
	struct kvm_vcpu_events ev;

	check("nmi-ok", fd, KVM_NMI, NULL, OK, OK);
	get_events(fd, &ev);
	report(ev.nmi.pending == 1 && !ev.nmi.injected && !ev.nmi.masked, "nmi-pending-in-events",
	       "nmi pending %u injected %u masked %u; want 1 0 0", ev.nmi.pending,
	       ev.nmi.injected, ev.nmi.masked);
	clear_events(fd);
	get_events(fd, &ev);
	report(!ev.nmi.pending, "nmi-cleared-by-set-events", "nmi pending %u; want 0",
	       ev.nmi.pending);
}

static void test_set_events(int fd)
{
	struct kvm_vcpu_events base, ev;

	check("get-events-bad-pointer-efault", fd, KVM_GET_VCPU_EVENTS, (void *)8, EFAULT, EFAULT);
	check("set-events-bad-pointer-efault", fd, KVM_SET_VCPU_EVENTS, (void *)8, EFAULT, EFAULT);
	get_events(fd, &base);
	report(base.flags == (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
			      KVM_VCPUEVENT_VALID_SMM) && !base.exception.injected &&
	       !base.interrupt.injected && !base.nmi.injected && !base.interrupt.shadow,
	       "get-events-idle", "flags %#x exception %u interrupt %u nmi %u shadow %u",
	       base.flags, base.exception.injected, base.interrupt.injected,
	       base.nmi.injected, base.interrupt.shadow);
	check("set-events-round-trip-ok", fd, KVM_SET_VCPU_EVENTS, &base, OK, OK);
#define BAD_EVENTS(n, change, kwant) do {				\
		ev = base;						\
		change;							\
		check(n, fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL, kwant);	\
	} while (0)
	BAD_EVENTS("set-events-unknown-flag-einval", ev.flags |= 0x80, EINVAL);
	BAD_EVENTS("set-events-payload-flag-einval", ev.flags |= KVM_VCPUEVENT_VALID_PAYLOAD,
		   EINVAL);
	BAD_EVENTS("set-events-triple-fault-flag-einval",
		   ev.flags |= KVM_VCPUEVENT_VALID_TRIPLE_FAULT, EINVAL);
	BAD_EVENTS("set-events-exception-32-einval",
		   (ev.exception.injected = 1, ev.exception.nr = 32), EINVAL);
	BAD_EVENTS("set-events-exception-nmi-vector-einval",
		   (ev.exception.injected = 1, ev.exception.nr = 2), EINVAL);
	BAD_EVENTS("set-events-reserved-einval", ev.reserved[25] = 1, VMXLAB_ONLY);
	BAD_EVENTS("set-events-nmi-pad-einval", ev.nmi.pad = 1, VMXLAB_ONLY);
	BAD_EVENTS("set-events-smm-einval", ev.smi.smm = 1, VMXLAB_ONLY);
	BAD_EVENTS("set-events-payload-einval", ev.exception_payload = 1, VMXLAB_ONLY);
	BAD_EVENTS("set-events-shadow-bit-2-einval", ev.interrupt.shadow = 4, VMXLAB_ONLY);
	BAD_EVENTS("set-events-shadow-sti-and-movss-einval", ev.interrupt.shadow = 3,
		   VMXLAB_ONLY);
	BAD_EVENTS("set-events-injected-2-einval", ev.interrupt.injected = 2, VMXLAB_ONLY);
	BAD_EVENTS("set-events-two-injected-einval",
		   (ev.exception.injected = 1, ev.exception.nr = 6, ev.nmi.injected = 1),
		   VMXLAB_ONLY);
	BAD_EVENTS("set-events-ud-with-error-code-einval",
		   (ev.exception.injected = 1, ev.exception.nr = 6,
		    ev.exception.has_error_code = 1), VMXLAB_ONLY);
	/* The vCPU is in real mode with RFLAGS.IF = 0: an STI shadow cannot be. */
	BAD_EVENTS("set-events-sti-shadow-with-if-0-einval",
		   ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI, VMXLAB_ONLY);
#undef BAD_EVENTS
	ev = base;
	ev.exception.injected = 1;
	ev.exception.nr = 6;
	check("set-events-ud-injected-ok", fd, KVM_SET_VCPU_EVENTS, &ev, OK, OK);
	get_events(fd, &ev);
	report(ev.exception.injected == 1 && ev.exception.nr == 6 && !ev.exception.has_error_code,
	       "get-events-ud-injected", "exception injected %u nr %u code %u; want 1 6 0",
	       ev.exception.injected, ev.exception.nr, ev.exception.has_error_code);
	clear_events(fd);
}

static void test_mp_state(int fd)
{
	struct kvm_mp_state mp = { .mp_state = 0xa5 };
	long ret;
	int e;

	e = ioctl_errno(fd, KVM_GET_MP_STATE, &mp, &ret);
	report(!e && mp.mp_state == KVM_MP_STATE_RUNNABLE, "get-mp-state-runnable",
	       "%s, mp_state %u; want success, 0", errname(e), mp.mp_state);
	check("get-mp-state-bad-pointer-efault", fd, KVM_GET_MP_STATE, (void *)8, EFAULT, EFAULT);
	check("set-mp-state-bad-pointer-efault", fd, KVM_SET_MP_STATE, (void *)8, EFAULT, EFAULT);
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	check("set-mp-state-runnable-ok", fd, KVM_SET_MP_STATE, &mp, OK, OK);
	/* Without an in-kernel local APIC KVM takes RUNNABLE only. */
	mp.mp_state = KVM_MP_STATE_HALTED;
	check("set-mp-state-halted-einval", fd, KVM_SET_MP_STATE, &mp, EINVAL, EINVAL);
	mp.mp_state = KVM_MP_STATE_INIT_RECEIVED;
	check("set-mp-state-init-received-einval", fd, KVM_SET_MP_STATE, &mp, EINVAL, EINVAL);
	mp.mp_state = 99;
	check("set-mp-state-99-einval", fd, KVM_SET_MP_STATE, &mp, EINVAL, EINVAL);
}

/*
 * KVM_RUN stopped at once (immediate_exit): -EINTR, and kvm_run says
 * what a user-space interrupt controller needs all the same.
 */
static void test_run_fields(struct vcpu *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	long ret;
	int e;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) || ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		report(0, "run-immediate-exit-fills-run", "KVM_GET_REGS/SREGS: %s",
		       errname(errno));
		return;
	}
	regs.rflags = 0x202;	/* IF */
	ioctl(v->fd, KVM_SET_REGS, &regs);
	v->run->apic_base = 0x1234;
	v->run->if_flag = 0;
	v->run->ready_for_interrupt_injection = 0;
	v->run->immediate_exit = 1;
	e = ioctl_errno(v->fd, KVM_RUN, NULL, &ret);
	report(e == EINTR && v->run->if_flag == 1 && v->run->ready_for_interrupt_injection == 1 &&
	       v->run->apic_base == sregs.apic_base, "run-immediate-exit-fills-run",
	       "%s, if_flag %u ready %u apic_base %#llx; want EINTR, 1, 1, %#llx",
	       errname(e), v->run->if_flag, v->run->ready_for_interrupt_injection,
	       (unsigned long long)v->run->apic_base, (unsigned long long)sregs.apic_base);
	/* Still immediate_exit: had cr8 been taken, -EINTR, not a spinning guest. */
	v->run->cr8 = 16;
	check("run-cr8-16-einval", v->fd, KVM_RUN, NULL, EINVAL, EINVAL);
	v->run->cr8 = 0;
	v->run->immediate_exit = 0;
	regs.rflags = 2;
	ioctl(v->fd, KVM_SET_REGS, &regs);
}

void test_vcpu_events(int sys, struct vcpu *v)
{
	check_positive("check-extension-mp-state", sys, KVM_CHECK_EXTENSION, KVM_CAP_MP_STATE);
	check_positive("check-extension-vcpu-events", sys, KVM_CHECK_EXTENSION,
		       KVM_CAP_VCPU_EVENTS);
	check_positive("check-extension-user-nmi", sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI);
	test_interrupt(v->fd);
	test_nmi(v->fd);
	test_set_events(v->fd);
	test_mp_state(v->fd);
	test_run_fields(v);
}
