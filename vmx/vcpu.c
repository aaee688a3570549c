// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU file descriptor: KVM's vCPU ioctls, and the mmap of the run
 * area (struct kvm_run, vmxlab's exit information, the port I/O page).
 *
 * Every ioctl that reads or writes guest state loads the vCPU on the
 * current CPU first (vcpu_load()), since the VMCS can be read and written
 * only where it is current.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/fpu/api.h>
#include <asm/io.h>
#include <vmxlab/entry_checks.h>
#include <vmxlab/names.h>
#include <vmxlab/vmx_arch.h>
#include "exits/exits.h"
#include "vmcs/vmcs.h"
#include "vmx/compat.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

#define RUN_AREA_SIZE	(VMXLAB_RUN_PAGES * PAGE_SIZE)

static bool all_zero(const void *p, size_t size)
{
	return !memchr_inv(p, 0, size);
}

static long vcpu_ioctl_get_regs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	unsigned long *gpr = vcpu->regs.gpr;
	struct kvm_regs regs = {
		.rax = gpr[GPR_RAX], .rbx = gpr[GPR_RBX],
		.rcx = gpr[GPR_RCX], .rdx = gpr[GPR_RDX],
		.rsi = gpr[GPR_RSI], .rdi = gpr[GPR_RDI],
		.rbp = gpr[GPR_RBP], .r8 = gpr[GPR_R8],
		.r9 = gpr[GPR_R9], .r10 = gpr[GPR_R10],
		.r11 = gpr[GPR_R11], .r12 = gpr[GPR_R12],
		.r13 = gpr[GPR_R13], .r14 = gpr[GPR_R14],
		.r15 = gpr[GPR_R15],
	};

	vcpu_load(vcpu);
	regs.rsp = vmcs_readl(VMCS_GUEST_RSP);
	regs.rip = vmcs_readl(VMCS_GUEST_RIP);
	regs.rflags = vmcs_readl(VMCS_GUEST_RFLAGS);
	vcpu_put(vcpu);
	return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
}

static long vcpu_ioctl_set_regs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	unsigned long *gpr = vcpu->regs.gpr;
	struct kvm_regs regs;
	bool rip_moved;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	/* Reserved RFLAGS bits would fail VM entry ("Checks on Guest RIP, RFLAGS, and SSP"). */
	if (regs.rflags & ~VMX_RFLAGS_ALLOWED1)
		return -EINVAL;
	gpr[GPR_RAX] = regs.rax;
	gpr[GPR_RBX] = regs.rbx;
	gpr[GPR_RCX] = regs.rcx;
	gpr[GPR_RDX] = regs.rdx;
	gpr[GPR_RSI] = regs.rsi;
	gpr[GPR_RDI] = regs.rdi;
	gpr[GPR_RBP] = regs.rbp;
	gpr[GPR_R8] = regs.r8;
	gpr[GPR_R9] = regs.r9;
	gpr[GPR_R10] = regs.r10;
	gpr[GPR_R11] = regs.r11;
	gpr[GPR_R12] = regs.r12;
	gpr[GPR_R13] = regs.r13;
	gpr[GPR_R14] = regs.r14;
	gpr[GPR_R15] = regs.r15;
	vcpu_load(vcpu);
	rip_moved = vmcs_readl(VMCS_GUEST_RIP) != regs.rip;
	vmcs_writel(VMCS_GUEST_RSP, regs.rsp);
	vmcs_writel(VMCS_GUEST_RIP, regs.rip);
	vmcs_writel(VMCS_GUEST_RFLAGS, regs.rflags | X86_EFLAGS_FIXED);
	vcpu_put(vcpu);
	/*
	 * A new RIP abandons a half-done exit, as on KVM.  The same RIP
	 * keeps it: the next KVM_RUN completes the operation first (KVM API
	 * documentation, "KVM_RUN": the I/O and MMIO exits "are complete
	 * ... only after userspace has re-entered the kernel").  QEMU writes
	 * back every register it read while it handles an exit (its VAPIC
	 * port 0x7E does), and the OUT must not run again.
	 */
	if (rip_moved)
		vcpu->pending = VCPU_PENDING_NONE;
	return 0;
}

static long vcpu_ioctl_get_sregs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs sregs;

	vcpu_load(vcpu);
	vmcs_get_sregs(vcpu, &sregs);
	vcpu_put(vcpu);
	return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
}

static long vcpu_ioctl_set_sregs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs *sregs;
	long err;

	sregs = memdup_user(argp, sizeof(*sregs));
	if (IS_ERR(sregs))
		return PTR_ERR(sregs);
	err = vmcs_check_sregs(vcpu, sregs);
	if (!err) {
		vcpu_load(vcpu);
		err = vmcs_set_sregs(vcpu, sregs);
		vcpu_put(vcpu);
	}
	kfree(sregs);
	return err;
}

/*
 * The guest's x87/SSE state sits in its own fpstate while KVM_RUN is not
 * running (fpu_swap_kvm_fpstate() saved it there); KVM_GET/SET_FPU use
 * its FXSAVE-format legacy area (SDM Vol. 1, "FXSAVE").
 */
static struct fxregs_state *guest_fxsave(struct vmxlab_vcpu *vcpu)
{
	return &vcpu->guest_fpu.fpstate->regs.fxsave;
}

static long vcpu_ioctl_get_fpu(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct fxregs_state *fx = guest_fxsave(vcpu);
	struct kvm_fpu fpu = {
		.fcw = fx->cwd, .fsw = fx->swd, .ftwx = fx->twd,
		.last_opcode = fx->fop, .last_ip = fx->rip,
		.last_dp = fx->rdp, .mxcsr = fx->mxcsr,
	};

	memcpy(fpu.fpr, fx->st_space, sizeof(fpu.fpr));
	memcpy(fpu.xmm, fx->xmm_space, sizeof(fpu.xmm));
	return copy_to_user(argp, &fpu, sizeof(fpu)) ? -EFAULT : 0;
}

static long vcpu_ioctl_set_fpu(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct fxregs_state *fx = guest_fxsave(vcpu);
	struct kvm_fpu fpu;

	if (copy_from_user(&fpu, argp, sizeof(fpu)))
		return -EFAULT;
	/*
	 * A reserved MXCSR bit makes the XRSTOR of KVM_RUN fault (#GP) in
	 * the host.  Checked against the CPU's mask: the guest fpstate's own
	 * mxcsr_mask is 0 until the state was first saved.
	 */
	if (fpu.mxcsr & ~mxcsr_feature_mask)
		return -EINVAL;
	fx->cwd = fpu.fcw;
	fx->swd = fpu.fsw;
	fx->twd = fpu.ftwx;
	fx->fop = fpu.last_opcode;
	fx->rip = fpu.last_ip;
	fx->rdp = fpu.last_dp;
	fx->mxcsr = fpu.mxcsr;
	memcpy(fx->st_space, fpu.fpr, sizeof(fpu.fpr));
	memcpy(fx->xmm_space, fpu.xmm, sizeof(fpu.xmm));
	/* XRSTOR takes x87 and SSE from the legacy area only if XSTATE_BV says so. */
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		vcpu->guest_fpu.fpstate->regs.xsave.header.xfeatures |=
			XFEATURE_MASK_FPSSE;
	return 0;
}

static long vcpu_ioctl_set_cpuid2(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *ucpuid = argp;
	struct kvm_cpuid_entry2 *entries;
	struct kvm_cpuid2 header;
	long err;

	if (copy_from_user(&header, ucpuid, sizeof(header)))
		return -EFAULT;
	if (header.nent > CPUID_MAX_ENTRIES)
		return -E2BIG;
	entries = vmemdup_user(ucpuid->entries,
			       array_size(header.nent, sizeof(*entries)));
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	err = cpuid_cache_set(vcpu->cpuid, entries, header.nent);
	kvfree(entries);
	if (!err)
		vcpu_cpuid_update(vcpu);	/* the dynamic bits as the vCPU stands */
	return err;
}

/*
 * KVM_GET_MSRS / KVM_SET_MSRS: the entries copied in, pad and every
 * entry's reserved field zero (-EINVAL), nmsrs below VMXLAB_MSRS_IO_MAX
 * (-E2BIG, as KVM).  Host-initiated accesses (vmx/msrs.c), in order,
 * stopping at the first MSR refused; the answer is how many were done.
 */
static struct kvm_msr_entry *msrs_copy_in(struct kvm_msrs __user *umsrs, u32 *nmsrs)
{
	struct kvm_msr_entry *entries;
	struct kvm_msrs header;
	u32 i;

	if (copy_from_user(&header, umsrs, sizeof(header)))
		return ERR_PTR(-EFAULT);
	if (header.pad)
		return ERR_PTR(-EINVAL);
	if (header.nmsrs >= VMXLAB_MSRS_IO_MAX)
		return ERR_PTR(-E2BIG);
	entries = memdup_user(umsrs->entries, array_size(header.nmsrs, sizeof(*entries)));
	if (IS_ERR(entries))
		return entries;
	for (i = 0; i < header.nmsrs; i++) {
		if (entries[i].reserved) {
			kfree(entries);
			return ERR_PTR(-EINVAL);
		}
	}
	*nmsrs = header.nmsrs;
	return entries;
}

static long vcpu_ioctl_get_msrs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_msrs __user *umsrs = argp;
	struct kvm_msr_entry *entries;
	u32 n, done;
	long ret;

	entries = msrs_copy_in(umsrs, &n);
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	vcpu_load(vcpu);
	for (done = 0; done < n; done++)
		if (vcpu_get_msr(vcpu, entries[done].index, &entries[done].data, true))
			break;
	vcpu_put(vcpu);
	ret = copy_to_user(umsrs->entries, entries, done * sizeof(*entries)) ? -EFAULT : done;
	kfree(entries);
	return ret;
}

static long vcpu_ioctl_set_msrs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_msr_entry *entries;
	u32 n, done;

	entries = msrs_copy_in(argp, &n);
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	vcpu_load(vcpu);
	for (done = 0; done < n; done++)
		if (vcpu_set_msr(vcpu, entries[done].index, entries[done].data, true))
			break;
	vcpu_put(vcpu);
	kfree(entries);
	return done;
}

/*
 * The ioctls of vmxlab's own below: each copies its argument in, checks
 * every flag and reserved field, hands kernel structures to the subsystem
 * that does the work, and copies the answer out.
 */

/*
 * VMXLAB_GET_VMCS: every field vmxlab knows, or -E2BIG with the count
 * needed; the host's fields hidden from a caller without CAP_SYS_ADMIN.
 */
static long vcpu_ioctl_get_vmcs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_vmcs_snapshot snap;
	unsigned int count = vmcs_field_count();
	struct vmxlab_vmcs_field *fields;
	long err = 0;

	if (copy_from_user(&snap, argp, sizeof(snap)))
		return -EFAULT;
	if (snap.flags || !all_zero(snap.reserved, sizeof(snap.reserved)))
		return -EINVAL;
	if (snap.nfields < count) {
		snap.nfields = count;
		return copy_to_user(argp, &snap, sizeof(snap)) ? -EFAULT : -E2BIG;
	}
	fields = kcalloc(count, sizeof(*fields), GFP_KERNEL);
	if (!fields)
		return -ENOMEM;
	vcpu_get_vmcs(vcpu, fields, vmxlab_caller_sees_host());
	snap.nfields = count;
	if (copy_to_user(u64_to_user_ptr(snap.fields), fields, count * sizeof(*fields)) ||
	    copy_to_user(argp, &snap, sizeof(snap)))
		err = -EFAULT;
	kfree(fields);
	return err;
}

/* VMXLAB_SET_VMCS (vmcs/set_vmcs.c says which fields and values it takes). */
static long vcpu_ioctl_set_vmcs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_vmcs_field *fields;
	struct vmxlab_vmcs_write req;
	long err;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || !all_zero(req.reserved, sizeof(req.reserved)) ||
	    !req.nfields || req.nfields > VMXLAB_MAX_VMCS_WRITES)
		return -EINVAL;
	/* KVM_RUN would move RIP and load results over what is written here. */
	if (vcpu->pending != VCPU_PENDING_NONE)
		return -EBUSY;
	fields = memdup_user(u64_to_user_ptr(req.fields),
			     req.nfields * sizeof(*fields));
	if (IS_ERR(fields))
		return PTR_ERR(fields);
	err = vcpu_set_vmcs(vcpu, fields, req.nfields);
	kfree(fields);
	return err;
}

/* VMXLAB_CHECK_ENTRY: the entry-check model's verdict on the vCPU's VMCS. */
static long vcpu_ioctl_check_entry(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_entry_failure *found;
	struct vmxlab_entry_check req;
	int total, n;
	long err = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.pad || !all_zero(req.reserved, sizeof(req.reserved)))
		return -EINVAL;
	found = kcalloc(VMCS_CHECK_ENTRY_MAX_REPORTED, sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	total = vcpu_check_entry(vcpu, found);
	if (total < 0) {
		kfree(found);
		return total;
	}
	n = min3(total, VMCS_CHECK_ENTRY_MAX_REPORTED, (int)min_t(u32, req.max, INT_MAX));
	if (copy_to_user(u64_to_user_ptr(req.failures), found, n * sizeof(*found)))
		err = -EFAULT;
	kfree(found);
	if (err)
		return err;
	req.count = total;
	req.checks = entry_check_count();
	return copy_to_user(argp, &req, sizeof(req)) ? -EFAULT : 0;
}

/* VMXLAB_SET_TRACE: the exit ring on (emptied) or off. */
static long vcpu_ioctl_set_trace(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_trace_control ctl;

	if (copy_from_user(&ctl, argp, sizeof(ctl)))
		return -EFAULT;
	if ((ctl.flags & ~VMXLAB_TRACE_ON) || ctl.pad ||
	    !all_zero(ctl.reserved, sizeof(ctl.reserved)))
		return -EINVAL;
	return vcpu_exit_ring_set(vcpu, ctl.flags & VMXLAB_TRACE_ON);
}

/* VMXLAB_READ_TRACE: records of the exit ring from rd.from_seq on. */
static long vcpu_ioctl_read_trace(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_trace_read rd;
	void __user *dst;
	u32 left, chunk;
	s64 seq;

	if (copy_from_user(&rd, argp, sizeof(rd)))
		return -EFAULT;
	if (!all_zero(rd.reserved, sizeof(rd.reserved)))
		return -EINVAL;
	seq = vcpu_exit_ring_window(vcpu, &rd);
	if (seq < 0)
		return seq;
	dst = u64_to_user_ptr(rd.records);
	for (left = rd.count; left; left -= chunk, seq += chunk) {
		const struct vmxlab_trace_record *r = vcpu_exit_ring_at(vcpu, seq, &chunk);

		chunk = min(chunk, left);
		if (copy_to_user(dst, r, chunk * sizeof(*r)))
			return -EFAULT;
		dst += chunk * sizeof(*r);
	}
	return copy_to_user(argp, &rd, sizeof(rd)) ? -EFAULT : 0;
}

/* VMXLAB_SET_EXIT_CYCLES: exit timing on (the counts cleared) or off. */
static long vcpu_ioctl_set_exit_cycles(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_cycles_control ctl;

	if (copy_from_user(&ctl, argp, sizeof(ctl)))
		return -EFAULT;
	if ((ctl.flags & ~VMXLAB_CYCLES_ON) || ctl.pad ||
	    !all_zero(ctl.reserved, sizeof(ctl.reserved)))
		return -EINVAL;
	return vcpu_cycles_set(vcpu, ctl.flags & VMXLAB_CYCLES_ON);
}

/* VMXLAB_GET_EXIT_CYCLES: the counts of the first rd.nreasons exit reasons. */
static long vcpu_ioctl_get_exit_cycles(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	const struct vmxlab_exit_cycles *cycles;
	struct vmxlab_cycles_read rd;
	void __user *dst;
	size_t bytes;

	if (copy_from_user(&rd, argp, sizeof(rd)))
		return -EFAULT;
	if ((rd.flags & ~VMXLAB_CYCLES_CLEAR) ||
	    !all_zero(rd.reserved, sizeof(rd.reserved)))
		return -EINVAL;
	cycles = vcpu_cycles_read(vcpu, &rd);
	bytes = rd.nreasons * sizeof(*cycles);
	dst = u64_to_user_ptr(rd.reasons);
	if (cycles ? copy_to_user(dst, cycles, bytes) : clear_user(dst, bytes))
		return -EFAULT;
	if (copy_to_user(argp, &rd, sizeof(rd)))
		return -EFAULT;
	/* Only once the caller has the counts: a failed copy loses nothing. */
	if (rd.flags & VMXLAB_CYCLES_CLEAR)
		vcpu_cycles_clear(vcpu);
	return 0;
}

/* VMXLAB_WATCH_RESUME: what to do about the EPT watch hit KVM_RUN returned. */
static long vcpu_ioctl_watch_resume(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_watch_resume r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.flags || r.reserved[0] || r.reserved[1] ||
	    (r.action != VMXLAB_WATCH_BLOCK && r.action != VMXLAB_WATCH_ALLOW_ONCE))
		return -EINVAL;
	return vcpu_watch_resume(vcpu, r.action);
}

/* Interrupts and vCPU events (exits/interrupts.c). */
static long vcpu_ioctl_interrupt(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= 256)
		return -EINVAL;	/* a vector */
	return vcpu_queue_interrupt(vcpu, irq.irq);
}

static long vcpu_ioctl_nmi(struct vmxlab_vcpu *vcpu)
{
	vcpu_queue_nmi(vcpu);
	return 0;
}

static long vcpu_ioctl_get_vcpu_events(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_vcpu_events ev;

	vcpu_get_events(vcpu, &ev);
	return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
}

#define VCPU_EVENTS_FLAGS (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
			   KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM)

/*
 * Refused: flags vmxlab does not know or cannot honour (an exception
 * payload, a triple fault event: KVM too refuses them unless enabled),
 * anything in reserved, pad, the payload fields, a pending (not yet
 * injected) exception, which only exists with payloads, and any SMM state
 * (vmxlab has no SMM: with or without KVM_VCPUEVENT_VALID_SMM it must be 0).
 * sipi_vector without its flag is ignored, as KVM ignores it (QEMU sends it).
 */
static long vcpu_ioctl_set_vcpu_events(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_vcpu_events ev;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	if ((ev.flags & ~VCPU_EVENTS_FLAGS) || !all_zero(ev.reserved, sizeof(ev.reserved)) ||
	    ev.nmi.pad || ev.exception.pending || ev.exception_has_payload ||
	    ev.exception_payload || ev.triple_fault.pending ||
	    !all_zero(&ev.smi, sizeof(ev.smi)))
		return -EINVAL;
	return vcpu_set_events(vcpu, &ev);
}

static long vcpu_ioctl_get_mp_state(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp = { .mp_state = vcpu_get_mp_state(vcpu) };

	return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
}

static long vcpu_ioctl_set_mp_state(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp;

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	return vcpu_set_mp_state(vcpu, mp.mp_state);
}

/*
 * KVM_SET_SIGNAL_MASK (KVM API documentation): the signal mask KVM_RUN
 * runs with, so that a signal blocked outside KVM_RUN still ends it with
 * -EINTR; len must be the kernel's sigset size (8), a NULL argument
 * removes the mask.  SIGKILL and SIGSTOP cannot be blocked.
 */
static long vcpu_ioctl_set_signal_mask(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask __user *umask = argp;
	struct kvm_signal_mask header;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&header, umask, sizeof(header)))
		return -EFAULT;
	if (header.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, umask->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/* KVM_X86_SETUP_MCE: IA32_MCG_CAP and the banks it announces (vmx/msrs.c). */
static long vcpu_ioctl_setup_mce(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	u64 mcg_cap;

	if (copy_from_user(&mcg_cap, argp, sizeof(mcg_cap)))
		return -EFAULT;
	return vcpu_msrs_setup_mce(vcpu, mcg_cap);
}

static long vcpu_run_with_sigmask(struct vmxlab_vcpu *vcpu)
{
	sigset_t saved;
	long ret;

	if (!vcpu->sigset_active)
		return vcpu_run(vcpu);
	sigprocmask(SIG_SETMASK, &vcpu->sigset, &saved);
	ret = vcpu_run(vcpu);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return ret;
}

static long vcpu_ioctl_run(struct vmxlab_vcpu *vcpu, unsigned long arg)
{
	long ret;

	if (arg)
		return -EINVAL;
	/*
	 * One ioctl of the vCPU at a time: KVM_RUN waits for another
	 * thread's, as on KVM; only a fatal signal ends the wait.
	 */
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	ret = vcpu_run_with_sigmask(vcpu);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static long vcpu_ioctl_locked(struct vmxlab_vcpu *vcpu, unsigned int cmd,
			      void __user *argp)
{
	switch (cmd) {
	case KVM_GET_REGS:
		return vcpu_ioctl_get_regs(vcpu, argp);
	case KVM_SET_REGS:
		return vcpu_ioctl_set_regs(vcpu, argp);
	case KVM_GET_SREGS:
		return vcpu_ioctl_get_sregs(vcpu, argp);
	case KVM_SET_SREGS:
		return vcpu_ioctl_set_sregs(vcpu, argp);
	case KVM_GET_FPU:
		return vcpu_ioctl_get_fpu(vcpu, argp);
	case KVM_SET_FPU:
		return vcpu_ioctl_set_fpu(vcpu, argp);
	case KVM_SET_CPUID2:
		return vcpu_ioctl_set_cpuid2(vcpu, argp);
	case KVM_GET_MSRS:
		return vcpu_ioctl_get_msrs(vcpu, argp);
	case KVM_SET_MSRS:
		return vcpu_ioctl_set_msrs(vcpu, argp);
	case KVM_GET_DEBUGREGS:
		return vcpu_ioctl_get_debugregs(vcpu, argp);
	case KVM_SET_DEBUGREGS:
		return vcpu_ioctl_set_debugregs(vcpu, argp);
	case KVM_SET_SIGNAL_MASK:
		return vcpu_ioctl_set_signal_mask(vcpu, argp);
	case KVM_ENABLE_CAP:
		return vmxlab_enable_cap(argp);
	case KVM_X86_SETUP_MCE:
		return vcpu_ioctl_setup_mce(vcpu, argp);
	case VMXLAB_GET_VMCS:
		return vcpu_ioctl_get_vmcs(vcpu, argp);
	case VMXLAB_SET_TRACE:
		return vcpu_ioctl_set_trace(vcpu, argp);
	case VMXLAB_READ_TRACE:
		return vcpu_ioctl_read_trace(vcpu, argp);
	case VMXLAB_CHECK_ENTRY:
		return vcpu_ioctl_check_entry(vcpu, argp);
	case VMXLAB_SET_VMCS:
		return vcpu_ioctl_set_vmcs(vcpu, argp);
	case VMXLAB_SET_EXIT_CYCLES:
		return vcpu_ioctl_set_exit_cycles(vcpu, argp);
	case VMXLAB_GET_EXIT_CYCLES:
		return vcpu_ioctl_get_exit_cycles(vcpu, argp);
	case VMXLAB_WATCH_RESUME:
		return vcpu_ioctl_watch_resume(vcpu, argp);
	/* Interrupts and vCPU events. */
	case KVM_INTERRUPT:
		return vcpu_ioctl_interrupt(vcpu, argp);
	case KVM_NMI:
		return vcpu_ioctl_nmi(vcpu);
	case KVM_GET_VCPU_EVENTS:
		return vcpu_ioctl_get_vcpu_events(vcpu, argp);
	case KVM_SET_VCPU_EVENTS:
		return vcpu_ioctl_set_vcpu_events(vcpu, argp);
	case KVM_GET_MP_STATE:
		return vcpu_ioctl_get_mp_state(vcpu, argp);
	case KVM_SET_MP_STATE:
		return vcpu_ioctl_set_mp_state(vcpu, argp);
	default:
		return -ENOTTY;
	}
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmxlab_vcpu *vcpu = file->private_data;
	long ret;

	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (cmd == KVM_RUN)
		return vcpu_ioctl_run(vcpu, arg);
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	ret = vcpu_ioctl_locked(vcpu, cmd, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct vmxlab_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff >= VMXLAB_RUN_PAGES)
		return VM_FAULT_SIGBUS;
	get_page(vcpu->run_pages[vmf->pgoff]);
	vmf->page = vcpu->run_pages[vmf->pgoff];
	return 0;
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

/* The whole run area from offset 0, as KVM_GET_VCPU_MMAP_SIZE says. */
static int vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != RUN_AREA_SIZE)
		return -EINVAL;
	vma->vm_ops = &vcpu_vm_ops;
	return 0;
}

static void vcpu_free(struct vmxlab_vcpu *vcpu)
{
	int i;

	for (i = 0; i < VMXLAB_RUN_PAGES; i++)
		if (vcpu->run_pages[i])
			__free_page(vcpu->run_pages[i]);
	if (vcpu->guest_fpu.fpstate)
		fpu_free_guest_fpstate(&vcpu->guest_fpu);
	vmcs_free_region(vcpu->vmcs);
	if (vcpu->vpid) {
		vmxlab_vpid_free(vcpu->vpid);
		vmxlab_vpid_forget(vcpu);
	}
	kvfree(vcpu->cpuid);
	vcpu_exit_ring_free(vcpu);
	vcpu_cycles_free(vcpu);
	kfree(vcpu);
}

void vcpu_destroy(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_vm *vm = vcpu->vm;

	vmxlab_debugfs_remove(vcpu->debugfs);
	vmxlab_debugfs_remove(vcpu->debugfs_cycles);
	vcpu_watch_release(vcpu);
	vcpu_vmclear(vcpu);
	mutex_lock(&vm->lock);
	vm->vcpus[vcpu->id] = NULL;
	mutex_unlock(&vm->lock);
	vcpu_free(vcpu);
	vmxlab_user_uncharge(vm->owner, VMXLAB_USER_VCPUS);
	vmxlab_vm_put(vm);
}

static int vcpu_release(struct inode *inode, struct file *file)
{
	vcpu_destroy(file->private_data);
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vcpu_release,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.llseek = noop_llseek,
};

static int vcpu_alloc_parts(struct vmxlab_vcpu *vcpu)
{
	int i;

	for (i = 0; i < VMXLAB_RUN_PAGES; i++) {
		vcpu->run_pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!vcpu->run_pages[i])
			return -ENOMEM;
	}
	/* The exit information past struct kvm_run, in the same page. */
	BUILD_BUG_ON(VMXLAB_EXIT_INFO_OFFSET < sizeof(struct kvm_run) ||
		     VMXLAB_EXIT_INFO_OFFSET + sizeof(struct vmxlab_exit_info) > PAGE_SIZE);
	vcpu->run = page_address(vcpu->run_pages[0]);
	vcpu->info = (void *)vcpu->run + VMXLAB_EXIT_INFO_OFFSET;
	vcpu->info->magic = VMXLAB_EXIT_INFO_MAGIC;
	vcpu->pio_data = page_address(vcpu->run_pages[1]);
	vcpu->cpuid = kvzalloc(sizeof(*vcpu->cpuid), GFP_KERNEL_ACCOUNT);
	if (!vcpu->cpuid)
		return -ENOMEM;
	vcpu->vmcs = vmcs_alloc_region(raw_smp_processor_id(), GFP_KERNEL_ACCOUNT);
	if (!vcpu->vmcs)
		return -ENOMEM;
	vcpu->vmcs_pa = virt_to_phys(vcpu->vmcs);
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		return -ENOMEM;
	vcpu->vpid = vmxlab_vpid_alloc();
	return 0;
}

static struct vmxlab_vcpu *vcpu_alloc(struct vmxlab_vm *vm, u32 id)
{
	struct vmxlab_vcpu *vcpu;
	int err;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->last_cpu = -1;
	INIT_LIST_HEAD(&vcpu->loaded_link);
	mutex_init(&vcpu->mutex);
	err = vcpu_alloc_parts(vcpu);
	if (err) {
		vcpu_free(vcpu);
		return ERR_PTR(err);
	}
	vcpu_load(vcpu);
	vmcs_init_vcpu(vcpu);
	vcpu_put(vcpu);
	vcpu_debugregs_init(vcpu);
	return vcpu;
}

int vmxlab_create_vcpu(struct vmxlab_vm *vm, unsigned long id)
{
	struct vmxlab_vcpu *vcpu;
	int fd;

	if (id >= VMXLAB_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		return -EEXIST;
	}
	vcpu = ERR_PTR(vmxlab_user_charge(vm->owner, VMXLAB_USER_VCPUS));
	if (!IS_ERR(vcpu)) {
		vcpu = vcpu_alloc(vm, id);
		if (IS_ERR(vcpu))
			vmxlab_user_uncharge(vm->owner, VMXLAB_USER_VCPUS);
	}
	if (IS_ERR(vcpu)) {
		mutex_unlock(&vm->lock);
		return PTR_ERR(vcpu);
	}
	vm->vcpus[id] = vcpu;
	vmxlab_debugfs_add_vcpu(vcpu);
	kref_get(&vm->refs);
	mutex_unlock(&vm->lock);
	fd = anon_inode_getfd("vmxlab-vcpu", &vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vcpu_destroy(vcpu);
	return fd;
}
