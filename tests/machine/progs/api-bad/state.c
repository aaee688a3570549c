// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's checks of the vCPU state and VM features QEMU 7.2 relies on
 * (issue 11): the capabilities it requires and the ioctls behind them,
 * the debug registers, KVM_SET_SIGNAL_MASK, a reset from long mode back
 * to real mode, and memory slots deleted, re-created, read-only and
 * changed while another vCPU runs.
 *
 * What a user would see go wrong if these failed: QEMU refuses to start
 * ("kvm does not support ...") or aborts on a slot change; a guest reads
 * the host's debug registers or is stopped by the host's breakpoints, or
 * loses its own; QEMU cannot kick a vCPU; a machine that reboots hangs;
 * the guest writes into its BIOS ROM or keeps reading memory of a slot
 * that was moved away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "api-bad.h"

/* ------------------------------------------------------------------ */
/* Capabilities and the ioctls they gate                               */
/* ------------------------------------------------------------------ */

/* The same answer on the system fd and on the VM fd. */
static void cap_positive(int sys, int vm, const char *name, long cap)
{
	char n[96];

	snprintf(n, sizeof(n), "cap-%s", name);
	check_positive(n, sys, KVM_CHECK_EXTENSION, cap);
	snprintf(n, sizeof(n), "vm-cap-%s", name);
	check_positive(n, vm, KVM_CHECK_EXTENSION, cap);
}

void test_caps_qemu(int sys)
{
	static uint8_t xsave_buf[sizeof(struct kvm_xsave)];
	struct kvm_enable_cap cap;
	struct kvm_irq_routing routing;
	struct kvm_ioeventfd ioev;
	struct vm vm;
	struct vcpu v;

	if (!vm_with_vcpu(sys, &vm, &v, guest_spin, sizeof(guest_spin), "caps-setup"))
		return;
	/* kvm_required_capabilites and kvm_arch_required_capabilities of QEMU 7.2 */
	cap_positive(sys, vm.fd, "user-memory", KVM_CAP_USER_MEMORY);
	cap_positive(sys, vm.fd, "destroy-memory-region-works",
		     KVM_CAP_DESTROY_MEMORY_REGION_WORKS);
	cap_positive(sys, vm.fd, "join-memory-regions-works", KVM_CAP_JOIN_MEMORY_REGIONS_WORKS);
	cap_positive(sys, vm.fd, "set-tss-addr", KVM_CAP_SET_TSS_ADDR);
	cap_positive(sys, vm.fd, "ext-cpuid", KVM_CAP_EXT_CPUID);
	cap_positive(sys, vm.fd, "irq-routing", KVM_CAP_IRQ_ROUTING);
	cap_positive(sys, vm.fd, "debugregs", KVM_CAP_DEBUGREGS);
	/* What vmxlab lacks stays 0: QEMU then takes its fallback (KVM_GET/SET_FPU). */
	check_value("cap-xcrs-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_XCRS, 0, VMXLAB_ONLY);
	check_value("vm-cap-xsave-0", vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE, 0, VMXLAB_ONLY);
	check_value("cap-xsave2-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2, 0, VMXLAB_ONLY);
	check_value("cap-ioeventfd-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD, 0, VMXLAB_ONLY);
	check_value("cap-coalesced-mmio-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO, 0,
		    VMXLAB_ONLY);
	check_value("cap-adjust-clock-0", sys, KVM_CHECK_EXTENSION, KVM_CAP_ADJUST_CLOCK, 0,
		    VMXLAB_ONLY);
	check("get-xsave-enotty", v.fd, KVM_GET_XSAVE, xsave_buf, ENOTTY, VMXLAB_ONLY);
	check("get-xcrs-enotty", v.fd, KVM_GET_XCRS, xsave_buf, ENOTTY, VMXLAB_ONLY);

	/* KVM_SET_GSI_ROUTING: no in-kernel irqchip to route to. */
	memset(&routing, 0, sizeof(routing));
	check("gsi-routing-no-irqchip-einval", vm.fd, KVM_SET_GSI_ROUTING, &routing, EINVAL,
	      EINVAL);
	check("gsi-routing-bad-pointer-efault", vm.fd, KVM_SET_GSI_ROUTING, (void *)8, EFAULT,
	      EFAULT);

	/* KVM_ENABLE_CAP: nothing to enable on vmxlab; an unknown cap is EINVAL on both. */
	memset(&cap, 0, sizeof(cap));
	cap.cap = 100000;
	check("vm-enable-cap-unknown-einval", vm.fd, KVM_ENABLE_CAP, &cap, EINVAL, EINVAL);
	check("vcpu-enable-cap-unknown-einval", v.fd, KVM_ENABLE_CAP, &cap, EINVAL, EINVAL);
	cap.cap = KVM_CAP_MAX_VCPU_ID;	/* QEMU's unconditional call, result ignored */
	cap.args[0] = 8;
	check("vm-enable-cap-max-vcpu-id-einval", vm.fd, KVM_ENABLE_CAP, &cap, EINVAL,
	      VMXLAB_ONLY);
	check("vm-enable-cap-bad-pointer-efault", vm.fd, KVM_ENABLE_CAP, (void *)8, EFAULT,
	      EFAULT);

	/* KVM_IOEVENTFD: QEMU probes it and must see it fail. */
	memset(&ioev, 0, sizeof(ioev));
	ioev.addr = 0x510;
	ioev.len = 2;
	ioev.flags = KVM_IOEVENTFD_FLAG_PIO;
	ioev.fd = -1;
	check("ioeventfd-enotty", vm.fd, KVM_IOEVENTFD, &ioev, ENOTTY, VMXLAB_ONLY);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* ------------------------------------------------------------------ */
/* Debug registers                                                     */
/* ------------------------------------------------------------------ */

#define DR6_RESET	0xffff0ff0ULL
#define DR7_RESET	0x400ULL

static bool get_debugregs(int fd, struct kvm_debugregs *d)
{
	memset(d, 0, sizeof(*d));
	return !ioctl(fd, KVM_GET_DEBUGREGS, d);
}

static void test_debugregs_ioctls(struct vcpu *v)
{
	struct kvm_debugregs d, bad;
	bool ok;
	int e;

	ok = get_debugregs(v->fd, &d);
	report(ok && d.dr6 == DR6_RESET && d.dr7 == DR7_RESET &&
	       !d.db[0] && !d.db[3], "debugregs-reset-values",
	       "dr6 %#llx dr7 %#llx db0 %#llx; want %#llx, %#llx, 0",
	       d.dr6, d.dr7, d.db[0], DR6_RESET, DR7_RESET);
	check("get-debugregs-bad-pointer-efault", v->fd, KVM_GET_DEBUGREGS, (void *)8, EFAULT,
	      EFAULT);
	check("set-debugregs-bad-pointer-efault", v->fd, KVM_SET_DEBUGREGS, (void *)8, EFAULT,
	      EFAULT);
	bad = d;
	bad.flags = 1;
	check("set-debugregs-flags-einval", v->fd, KVM_SET_DEBUGREGS, &bad, EINVAL, EINVAL);
	bad = d;
	bad.dr6 |= 1ULL << 32;
	check("set-debugregs-dr6-bit-32-einval", v->fd, KVM_SET_DEBUGREGS, &bad, EINVAL, EINVAL);
	bad = d;
	bad.dr7 |= 1ULL << 63;
	check("set-debugregs-dr7-bit-63-einval", v->fd, KVM_SET_DEBUGREGS, &bad, EINVAL, EINVAL);
	ok = get_debugregs(v->fd, &bad);
	report(ok && bad.dr6 == DR6_RESET && bad.dr7 == DR7_RESET,
	       "debugregs-unchanged-after-einval", "dr6 %#llx dr7 %#llx; want %#llx, %#llx",
	       bad.dr6, bad.dr7, DR6_RESET, DR7_RESET);
	d.db[0] = 0xabcd0000;
	d.db[1] = 0xffffffff80001000ULL;
	d.db[2] = 0x1234;
	d.db[3] = 0x5678;
	d.dr6 = DR6_RESET | 2;		/* B1 */
	d.dr7 = DR7_RESET | 0x200;	/* GE */
	e = ioctl_errno(v->fd, KVM_SET_DEBUGREGS, &d, NULL);
	report(!e, "set-debugregs-ok", "%s", errname(e));
	ok = get_debugregs(v->fd, &bad);
	report(ok && !memcmp(bad.db, d.db, sizeof(d.db)) &&
	       bad.dr6 == d.dr6 && bad.dr7 == d.dr7 && !bad.flags, "debugregs-round-trip",
	       "db %#llx %#llx %#llx %#llx dr6 %#llx dr7 %#llx; want what was set",
	       bad.db[0], bad.db[1], bad.db[2], bad.db[3], bad.dr6, bad.dr7);
}

/*
 * Real mode at GUEST_ENTRY: read DR0, DR6, DR7 into EAX, EBX, ECX; write
 * 0x12345678 to DR1 and 0x4 (L1: breakpoint 1 armed, on an address the
 * guest never executes) to DR7; write 0 to DR6 and read it back into ESI
 * (its fixed bits, RTM among them without RTM in CPUID: 0xffff0ff0); HLT.
 */
static const uint8_t guest_mov_dr[] = {
	0x0f, 0x21, 0xc0,			/* mov eax, dr0 */
	0x0f, 0x21, 0xf3,			/* mov ebx, dr6 */
	0x0f, 0x21, 0xf9,			/* mov ecx, dr7 */
	0x66, 0xba, 0x78, 0x56, 0x34, 0x12,	/* mov edx, 0x12345678 */
	0x0f, 0x23, 0xca,			/* mov dr1, edx */
	0x66, 0xba, 0x04, 0x00, 0x00, 0x00,	/* mov edx, 4 */
	0x0f, 0x23, 0xfa,			/* mov dr7, edx */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x23, 0xf2,			/* mov dr6, edx */
	0x0f, 0x21, 0xf6,			/* mov esi, dr6 */
	0xf4,					/* hlt */
};

static void test_guest_mov_dr(int sys)
{
	struct kvm_debugregs d;
	struct kvm_regs regs;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_mov_dr, sizeof(guest_mov_dr), "mov-dr-setup"))
		return;
	test_debugregs_ioctls(&v);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT, "mov-dr-guest-hlt",
	       "KVM_RUN %ld, %s, exit_reason %u; want KVM_EXIT_HLT", ret, errname(e),
	       v.run->exit_reason);
	memset(&regs, 0, sizeof(regs));
	ioctl(v.fd, KVM_GET_REGS, &regs);
	/* What KVM_SET_DEBUGREGS set, never the host's registers. */
	report(regs.rax == 0xabcd0000 && regs.rbx == (DR6_RESET | 2) &&
	       regs.rcx == (DR7_RESET | 0x200), "mov-dr-guest-reads-its-own",
	       "guest read dr0 %#llx dr6 %#llx dr7 %#llx; want %#x, %#llx, %#llx",
	       regs.rax, regs.rbx, regs.rcx, 0xabcd0000, DR6_RESET | 2, DR7_RESET | 0x200);
	memset(&d, 0, sizeof(d));
	report(regs.rsi == DR6_RESET, "mov-dr-dr6-fixed-bits",
	       "guest wrote 0 to dr6 and read back %#llx; want %#llx", regs.rsi, DR6_RESET);
	report(get_debugregs(v.fd, &d) && d.db[1] == 0x12345678 && d.dr7 == (DR7_RESET | 4),
	       "mov-dr-guest-writes-kept", "db1 %#llx dr7 %#llx; want 0x12345678, %#llx",
	       d.db[1], d.dr7, DR7_RESET | 4);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * A breakpoint the guest sets on its own code fires in the guest: its
 * #DB handler (IVT vector 1) reads DR6 into EBX and halts.  Real mode at
 * GUEST_ENTRY; the handler at GUEST_ENTRY + 0x40.
 */
static const uint8_t guest_own_bp[] = {
	0xc7, 0x06, 0x04, 0x00, 0x40, 0x10,	/* mov word [4], 0x1040 */
	0xc7, 0x06, 0x06, 0x00, 0x00, 0x00,	/* mov word [6], 0 */
	0x66, 0xb8, 0x1f, 0x10, 0x00, 0x00,	/* mov eax, 0x101f (target) */
	0x0f, 0x23, 0xc0,			/* mov dr0, eax */
	0x66, 0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov eax, 1 (L0, execute) */
	0x0f, 0x23, 0xf8,			/* mov dr7, eax */
	0x90,					/* 0x101e: nop */
	0x90,					/* 0x101f target: nop */
	0x66, 0x31, 0xdb,			/* xor ebx, ebx: no #DB came */
	0xf4,					/* hlt */
};

static const uint8_t guest_bp_handler[] = {
	0x0f, 0x21, 0xf3,			/* mov ebx, dr6 */
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x0f, 0x23, 0xf8,			/* mov dr7, eax */
	0xf4,					/* hlt */
};

static void test_guest_breakpoint(int sys)
{
	struct kvm_regs regs;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_own_bp, sizeof(guest_own_bp), "guest-bp-setup"))
		return;
	memcpy(vm.mem + GUEST_ENTRY + 0x40, guest_bp_handler, sizeof(guest_bp_handler));
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	memset(&regs, 0, sizeof(regs));
	ioctl(v.fd, KVM_GET_REGS, &regs);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT && (regs.rbx & 0xf) == 1 &&
	       regs.rip >= GUEST_ENTRY + 0x40, "guest-breakpoint-fires-in-guest",
	       "KVM_RUN %s, exit_reason %u, rip %#llx, DR6 seen by the handler %#llx; want HLT in the #DB handler, DR6.B0",
	       errname(e), v.run->exit_reason, regs.rip, regs.rbx);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * A hardware breakpoint of the host (perf, on this thread, at linear
 * address 0x2000 written) is armed in the CPU while KVM_RUN runs: the
 * guest must not see its address in DR0 nor be stopped by it.  The guest
 * reads DR0 and DR7 into EAX and ECX, writes linear 0x2000 and halts.
 * Its #DB handler (vector 1) would set EBX to 0xdb.
 */
static const uint8_t guest_host_bp[] = {
	0xc7, 0x06, 0x04, 0x00, 0x40, 0x10,	/* mov word [4], 0x1040 */
	0xc7, 0x06, 0x06, 0x00, 0x00, 0x00,	/* mov word [6], 0 */
	0x0f, 0x21, 0xc0,			/* mov eax, dr0 */
	0x0f, 0x21, 0xf9,			/* mov ecx, dr7 */
	0xc6, 0x06, 0x00, 0x20, 0x55,		/* mov byte [0x2000], 0x55 */
	0xf4,					/* hlt */
};

static const uint8_t guest_host_bp_handler[] = {
	0x66, 0xbb, 0xdb, 0x00, 0x00, 0x00,	/* mov ebx, 0xdb */
	0xf4,					/* hlt */
};

static int host_breakpoint(uint64_t addr)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = addr;
	attr.bp_len = HW_BREAKPOINT_LEN_1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static void test_host_breakpoint(int sys)
{
	struct kvm_regs regs;
	uint64_t hits = 0;
	struct vm vm;
	struct vcpu v;
	int bp, e;
	long ret;

	bp = host_breakpoint(0x2000);
	report(bp >= 0, "host-bp-perf-open", "perf_event_open(breakpoint at 0x2000): %s",
	       errname(bp < 0 ? errno : 0));
	if (bp < 0)
		return;
	if (!vm_with_vcpu(sys, &vm, &v, guest_host_bp, sizeof(guest_host_bp), "host-bp-setup")) {
		close(bp);
		return;
	}
	memcpy(vm.mem + GUEST_ENTRY + 0x40, guest_host_bp_handler, sizeof(guest_host_bp_handler));
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	memset(&regs, 0, sizeof(regs));
	ioctl(v.fd, KVM_GET_REGS, &regs);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT && regs.rbx != 0xdb &&
	       vm.mem[0x2000] == 0x55, "host-bp-not-in-guest",
	       "KVM_RUN %s, exit_reason %u, ebx %#llx, [0x2000] %#x; want HLT without the guest's #DB handler, the write done",
	       errname(e), v.run->exit_reason, regs.rbx, vm.mem[0x2000]);
	report((uint32_t)regs.rax == 0 && (uint32_t)regs.rcx == DR7_RESET, "host-bp-dr-hidden",
	       "guest read dr0 %#llx dr7 %#llx; want 0 and %#llx (its own), not the host's",
	       regs.rax, regs.rcx, DR7_RESET);
	if (read(bp, &hits, sizeof(hits)) != sizeof(hits))
		hits = ~0ULL;
	report(hits == 0, "host-bp-no-host-hits", "the host breakpoint counted %llu hits; want 0",
	       (unsigned long long)hits);
	vcpu_destroy(&v);
	vm_destroy(&vm);
	close(bp);
}

void test_debugregs(int sys)
{
	test_guest_mov_dr(sys);
	test_guest_breakpoint(sys);
	test_host_breakpoint(sys);
}

/* ------------------------------------------------------------------ */
/* KVM_SET_SIGNAL_MASK                                                 */
/* ------------------------------------------------------------------ */

static volatile sig_atomic_t usr2_seen;

static void on_usr2(int sig)
{
	(void)sig;
	usr2_seen++;
}

static int set_sigmask(int fd, uint32_t len, const sigset_t *set)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t bits[128];
	} arg;

	memset(&arg, 0, sizeof(arg));
	arg.m.len = len;
	if (set)
		memcpy(arg.bits, set, 8);
	return ioctl_errno(fd, KVM_SET_SIGNAL_MASK, set || len ? &arg : NULL, NULL);
}

/*
 * SIGUSR2 blocked in the thread and pending: with a vCPU mask that
 * unblocks it, KVM_RUN ends at once with EINTR and the signal stays
 * pending and blocked afterwards (QEMU takes it with sigtimedwait);
 * without the mask, the guest runs to its HLT.
 */
void test_signal_mask(int sys)
{
	static const int usr2[] = { SIGUSR2 };
	static const uint8_t hlt[] = { 0xf4 };
	sigset_t block, old, none, pending;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, hlt, sizeof(hlt), "sigmask-setup"))
		return;
	catch_signals(on_usr2, usr2, 1);
	sigemptyset(&none);
	check("sigmask-len-4-einval", v.fd, KVM_SET_SIGNAL_MASK,
	      &(struct kvm_signal_mask){ .len = 4 }, EINVAL, EINVAL);
	check("sigmask-len-128-einval", v.fd, KVM_SET_SIGNAL_MASK,
	      &(struct kvm_signal_mask){ .len = 128 }, EINVAL, EINVAL);
	check("sigmask-bad-pointer-efault", v.fd, KVM_SET_SIGNAL_MASK, (void *)8, EFAULT, EFAULT);
	e = set_sigmask(v.fd, 8, &none);
	report(!e, "sigmask-len-8-ok", "%s", errname(e));

	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	usr2_seen = 0;
	raise(SIGUSR2);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	sigpending(&pending);
	report(e == EINTR && !usr2_seen && sigismember(&pending, SIGUSR2), "sigmask-unblocks-in-run",
	       "KVM_RUN %ld, %s, exit_reason %u, handler ran %d, still pending %d; want EINTR, 0, 1",
	       ret, errname(e), v.run->exit_reason, (int)usr2_seen,
	       sigismember(&pending, SIGUSR2));
	e = set_sigmask(v.fd, 0, NULL);
	report(!e, "sigmask-null-clears", "%s", errname(e));
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT, "sigmask-cleared-blocked-stays-blocked",
	       "KVM_RUN %ld, %s, exit_reason %u; want KVM_EXIT_HLT (SIGUSR2 blocked, pending)",
	       ret, errname(e), v.run->exit_reason);
	{
		struct timespec zero = { 0, 0 };

		sigtimedwait(&block, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* ------------------------------------------------------------------ */
/* Reset: long mode, then real mode again                              */
/* ------------------------------------------------------------------ */

#define LM_PML4		0xa000
#define LM_PDPT		0xb000
#define LM_PD		0xc000
#define LM_CODE		GUEST_ENTRY
#define RM_CODE		0x2000

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

static void long_mode_sregs(struct kvm_sregs *s, uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + LM_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + LM_PDPT);
	uint64_t *pd = (uint64_t *)(mem + LM_PD);

	pml4[0] = LM_PDPT | 3;
	pdpt[0] = LM_PD | 3;
	pd[0] = 0x83;			/* 2 MiB at 0: present, writable, PS */
	set_seg(&s->cs, 8, 11, true);
	set_seg(&s->ds, 16, 3, false);
	s->es = s->ds;
	s->ss = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->tr.type = 11;
	s->tr.present = 1;
	s->tr.limit = 0x67;
	s->cr3 = LM_PML4;
	s->cr4 = 1 << 5;			/* PAE */
	s->efer = 1 << 8 | 1 << 10;		/* LME, LMA */
	s->cr0 = 1u << 31 | 1 << 4 | 1;		/* PG, ET, PE */
}

/*
 * What QEMU does at a guest reset: the vCPU ran in long mode; SET_SREGS
 * and SET_REGS with the reset state put it in real mode, and it runs
 * there.  The same bytes B8 34 12 F4 are `mov ax, 0x1234; hlt` in real
 * mode and a 5-byte `mov eax, imm32` in 64-bit mode: AX tells the modes
 * apart.
 */
void test_reset_to_real_mode(int sys)
{
	static const uint8_t lm_code[] = {
		0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* mov rax, imm64 */
		0xf4,							    /* hlt */
	};
	static const uint8_t rm_code[] = { 0xb8, 0x34, 0x12, 0xf4, 0x90, 0x90 };
	struct kvm_sregs real, lm, got;
	struct kvm_regs regs;
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, lm_code, sizeof(lm_code), "reset-setup"))
		return;
	memcpy(vm.mem + RM_CODE, rm_code, sizeof(rm_code));
	ioctl(v.fd, KVM_GET_SREGS, &real);
	lm = real;
	long_mode_sregs(&lm, vm.mem);
	e = ioctl_errno(v.fd, KVM_SET_SREGS, &lm, NULL);
	report(!e, "reset-set-long-mode-ok", "KVM_SET_SREGS (long mode): %s", errname(e));
	memset(&regs, 0, sizeof(regs));
	regs.rip = LM_CODE;
	regs.rflags = 2;
	regs.rsp = 0x9000;
	ioctl(v.fd, KVM_SET_REGS, &regs);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	ioctl(v.fd, KVM_GET_REGS, &regs);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT && regs.rax == 0x1122334455667788ULL,
	       "reset-ran-in-long-mode", "KVM_RUN %s, exit_reason %u, rax %#llx; want HLT, 0x1122334455667788",
	       errname(e), v.run->exit_reason, regs.rax);

	e = ioctl_errno(v.fd, KVM_SET_SREGS, &real, NULL);
	report(!e, "reset-set-real-mode-ok", "KVM_SET_SREGS (reset state) after long mode: %s",
	       errname(e));
	memset(&regs, 0, sizeof(regs));
	regs.rip = RM_CODE;
	regs.rflags = 2;
	ioctl(v.fd, KVM_SET_REGS, &regs);
	memset(&got, 0, sizeof(got));
	ioctl(v.fd, KVM_GET_SREGS, &got);
	report(got.efer == real.efer && got.cr0 == real.cr0 && !got.cs.l, "reset-sregs-real",
	       "efer %#llx cr0 %#llx cs.l %u; want efer %#llx cr0 %#llx cs.l 0",
	       got.efer, got.cr0, got.cs.l, real.efer, real.cr0);
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	ioctl(v.fd, KVM_GET_REGS, &regs);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT && (regs.rax & 0xffff) == 0x1234 &&
	       regs.rip == RM_CODE + 4, "reset-runs-in-real-mode",
	       "KVM_RUN %s, exit_reason %u, rax %#llx, rip %#llx; want HLT, ax 0x1234, rip %#x",
	       errname(e), v.run->exit_reason, regs.rax, regs.rip, RM_CODE + 4);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* ------------------------------------------------------------------ */
/* Memory slots as QEMU uses them                                      */
/* ------------------------------------------------------------------ */

/*
 * Real mode: read the byte at FS:0, OUT it to port 0x10, write 0x44
 * there, HLT.  FS's base chooses the guest-physical address.
 */
static const uint8_t guest_fs_rw[] = {
	0x64, 0xa0, 0x00, 0x00,			/* mov al, fs:[0] */
	0xe6, 0x10,				/* out 0x10, al */
	0x64, 0xc6, 0x06, 0x00, 0x00, 0x44,	/* mov byte fs:[0], 0x44 */
	0xf4,					/* hlt */
};

static void point_fs(struct vcpu *v, uint64_t gpa)
{
	struct kvm_sregs s;
	struct kvm_regs regs;

	ioctl(v->fd, KVM_GET_SREGS, &s);
	s.fs.base = gpa;
	s.fs.selector = gpa >> 4;
	ioctl(v->fd, KVM_SET_SREGS, &s);
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_ENTRY;
	regs.rflags = 2;
	ioctl(v->fd, KVM_SET_REGS, &regs);
}

static uint32_t run_once(struct vcpu *v)
{
	long ret;
	int e;

	alarm_in(5);
	e = ioctl_errno(v->fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	return e ? 0xffffffffu : v->run->exit_reason;
}

static uint8_t io_byte(struct vcpu *v)
{
	return ((uint8_t *)v->run)[v->run->io.data_offset];
}

/* Run until HLT (at most 6 exits): finishes what a read left pending. */
static uint32_t run_to_hlt(struct vcpu *v)
{
	uint32_t why = 0;
	int i;

	for (i = 0; i < 6 && why != KVM_EXIT_HLT && why != 0xffffffffu; i++)
		why = run_once(v);
	return why;
}

/*
 * KVM_GET_REGS and KVM_SET_REGS of the same values while an OUT waits to
 * complete (QEMU does so when it handles its VAPIC port 0x7E): the next
 * KVM_RUN completes the OUT, the guest goes on.  guest_exits OUTs 1, 2,
 * 3...; an OUT run again would give 1 twice.
 */
void test_regs_round_trip_in_io(int sys)
{
	struct kvm_regs regs;
	struct vm vm;
	struct vcpu v;
	uint32_t why, why2;
	uint8_t first, second;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "regs-in-io-setup"))
		return;
	why = run_once(&v);
	first = io_byte(&v);
	if (ioctl(v.fd, KVM_GET_REGS, &regs) || ioctl(v.fd, KVM_SET_REGS, &regs))
		why = 0;
	why2 = run_once(&v);
	second = io_byte(&v);
	report(why == KVM_EXIT_IO && why2 == KVM_EXIT_IO && first == 1 && second == 2,
	       "set-regs-same-rip-completes-out",
	       "exits %u, %u, OUT %u then %u: want 1 then 2 (the OUT ran again?)", why, why2,
	       first, second);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * CR8 in 64-bit mode without an in-kernel local APIC: a MOV to CR8 that
 * raises the priority (0 to 15) stays in the kernel, one that lowers it
 * (15 to 3) exits with KVM_EXIT_SET_TPR, run->cr8 = 3 and RIP past it;
 * the next KVM_RUN goes on to HLT.  The same on KVM.
 */
void test_set_tpr_exit(int sys)
{
	static const uint8_t code[] = {
		0xb8, 0x0f, 0x00, 0x00, 0x00,	/* mov eax, 15 */
		0x44, 0x0f, 0x22, 0xc0,		/* mov cr8, rax */
		0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov eax, 3 */
		0x44, 0x0f, 0x22, 0xc0,		/* mov cr8, rax */
		0xf4,				/* hlt */
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint32_t why, why2;
	uint64_t cr8;
	struct vm vm;
	struct vcpu v;

	if (!vm_with_vcpu(sys, &vm, &v, code, sizeof(code), "set-tpr-setup"))
		return;
	ioctl(v.fd, KVM_GET_SREGS, &sregs);
	long_mode_sregs(&sregs, vm.mem);
	ioctl(v.fd, KVM_SET_SREGS, &sregs);
	memset(&regs, 0, sizeof(regs));
	regs.rip = LM_CODE;
	regs.rflags = 2;
	regs.rsp = 0x9000;
	ioctl(v.fd, KVM_SET_REGS, &regs);
	why = run_once(&v);
	cr8 = v.run->cr8;
	memset(&regs, 0, sizeof(regs));
	ioctl(v.fd, KVM_GET_REGS, &regs);
	report(why == KVM_EXIT_SET_TPR && cr8 == 3 && regs.rip == LM_CODE + 18,
	       "cr8-lowered-exits-set-tpr", "exit %u, run->cr8 %llu, rip %#llx; want %u, 3, %#x",
	       why, (unsigned long long)cr8, regs.rip, KVM_EXIT_SET_TPR, LM_CODE + 18);
	why2 = run_once(&v);
	report(why2 == KVM_EXIT_HLT && v.run->cr8 == 3, "cr8-after-set-tpr-runs-on",
	       "exit %u, run->cr8 %llu; want HLT, 3", why2, (unsigned long long)v.run->cr8);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* The guest's read of FS:0: its OUT (the byte), or an MMIO read exit (-1 + address). */
static int read_via_guest(struct vcpu *v, uint64_t gpa, uint64_t *mmio_addr)
{
	uint32_t why;

	point_fs(v, gpa);
	why = run_once(v);
	if (why == KVM_EXIT_IO && v->run->io.port == 0x10)
		return io_byte(v);
	if (why == KVM_EXIT_MMIO && !v->run->mmio.is_write) {
		*mmio_addr = v->run->mmio.phys_addr;
		return -1;
	}
	return -2 - (int)why;
}

void test_slots_qemu(int sys)
{
	uint8_t *a = map_anon(0x4000), *b = map_anon(0x4000), *rom = map_anon(0x2000);
	uint64_t mmio = 0;
	struct vm vm;
	struct vcpu v;
	uint32_t why;
	int got, e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_fs_rw, sizeof(guest_fs_rw), "slots-setup"))
		goto out;
	a[0] = 0x11;
	b[0] = 0x22;
	rom[0] = 0x33;
	e = set_region(vm.fd, 1, 0, 0x20000, 0x4000, (uintptr_t)a);
	report(!e, "slot-1-at-0x20000-ok", "%s", errname(e));
	got = read_via_guest(&v, 0x20000, &mmio);
	why = run_to_hlt(&v);
	report(got == 0x11 && why == KVM_EXIT_HLT && a[0] == 0x44, "slot-1-read-write",
	       "guest read %d at 0x20000, then wrote %#x; want 0x11, 0x44", got, a[0]);

	/* Delete, then the same id elsewhere with another size (PAM toggles). */
	e = set_region(vm.fd, 1, 0, 0, 0, 0);
	report(!e, "slot-1-delete-ok", "%s", errname(e));
	e = set_region(vm.fd, 1, 0, 0x30000, 0x2000, (uintptr_t)b);
	report(!e, "slot-1-recreated-elsewhere-ok", "at 0x30000, 8 KiB: %s", errname(e));
	got = read_via_guest(&v, 0x30000, &mmio);
	why = run_to_hlt(&v);
	report(got == 0x22 && why == KVM_EXIT_HLT && b[0] == 0x44,
	       "slot-1-new-place-read-write", "guest read %d at 0x30000, then wrote %#x; want 0x22, 0x44",
	       got, b[0]);
	a[0] = 0x11;
	got = read_via_guest(&v, 0x20000, &mmio);
	why = run_to_hlt(&v);
	report(got == -1 && mmio == 0x20000 && why == KVM_EXIT_HLT && a[0] == 0x11,
	       "slot-1-old-place-gone",
	       "guest read at 0x20000 gave %d (mmio %#llx), old memory now %#x; want an MMIO exit at 0x20000, no stale mapping, 0x11",
	       got, (unsigned long long)mmio, a[0]);

	/* Read-only: reads from memory, writes come back as MMIO writes. */
	e = set_region(vm.fd, 2, KVM_MEM_READONLY, 0x40000, 0x2000, (uintptr_t)rom);
	report(!e, "slot-readonly-ok", "%s", errname(e));
	got = read_via_guest(&v, 0x40000, &mmio);
	report(got == 0x33, "slot-readonly-read", "guest read %d from the ROM; want 0x33", got);
	why = run_once(&v);
	report(why == KVM_EXIT_MMIO && v.run->mmio.is_write && v.run->mmio.phys_addr == 0x40000 &&
	       v.run->mmio.len == 1 && v.run->mmio.data[0] == 0x44, "slot-readonly-write-mmio",
	       "exit %u is_write %u addr %#llx len %u data %#x; want KVM_EXIT_MMIO write of 0x44 at 0x40000",
	       why, v.run->mmio.is_write, (unsigned long long)v.run->mmio.phys_addr,
	       v.run->mmio.len, v.run->mmio.data[0]);
	why = run_once(&v);
	report(why == KVM_EXIT_HLT && rom[0] == 0x33, "slot-readonly-unchanged",
	       "exit %u, ROM byte %#x; want HLT, 0x33", why, rom[0]);

	/* The READONLY flag cannot change in place (QEMU deletes first). */
	e = set_region(vm.fd, 2, 0, 0x40000, 0x2000, (uintptr_t)rom);
	report(e == EINVAL, "slot-readonly-flag-change-einval", "%s; want EINVAL", errname(e));
	vcpu_destroy(&v);
	vm_destroy(&vm);
out:
	munmap(a, 0x4000);
	munmap(b, 0x4000);
	munmap(rom, 0x2000);
}

/*
 * QEMU changes slots from its main thread while vCPU threads run: slot 3
 * is created and deleted 200 times, at two addresses in turn, while vCPU 0
 * runs the I/O loop; every call succeeds and the vCPU keeps running.
 */
void test_slot_churn_while_running(int sys)
{
	uint8_t *m = map_anon(0x10000);
	struct runner r;
	struct vm vm;
	struct vcpu v;
	int i, e, bad = 0, first = 0;
	long runs;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "churn-setup")) {
		munmap(m, 0x10000);
		return;
	}
	runner_start(&r, &v);
	for (i = 0; i < 200; i++) {
		uint64_t gpa = i & 1 ? 0x100000 : 0x200000;

		e = set_region(vm.fd, 3, 0, gpa, 0x10000, (uintptr_t)m);
		e = e ? e : set_region(vm.fd, 3, 0, 0, 0, 0);
		if (e && !bad++)
			first = e;
	}
	runs = r.runs;
	report(!bad && !r.done, "slot-churn-while-running",
	       "%d of 400 slot calls failed (first %s), vCPU %s after %ld runs; want none, still running",
	       bad, errname(first), r.done ? "stopped" : "running", runs);
	runner_stop(&r, "slot-churn-runner-stops");
	vcpu_destroy(&v);
	vm_destroy(&vm);
	munmap(m, 0x10000);
}
