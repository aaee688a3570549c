/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM and its vCPUs, as vmx/, vmcs/, ept/ and exits/ share them: the
 * structures, their lifetimes and their locking.  Each folder declares its
 * functions in its own header: vmx/vmx.h, vmcs/vmcs.h, exits/exits.h (and
 * the exit table, exits/dispatch.h), ept/ept_vm.h.
 *
 * Lifetimes: the VM fd and every vCPU fd each hold a reference on the VM
 * (vm->refs); the VM, its EPT and its pinned pages go when the last one
 * closes.  A VM holds VMX operation on (vmxlab_vmx_get()) while it exists.
 *
 * Locking:
 *   vm->lock     memory slots (their readers too: vm_read_guest() and
 *                vm_write_guest() hold it), EPT changes, vCPU creation;
 *   vcpu->mutex  every vCPU ioctl (KVM_RUN takes it with trylock: a
 *                second concurrent KVM_RUN is refused with -EBUSY);
 *   the per-CPU list of loaded VMCSs is touched only on its own CPU with
 *   interrupts off (vmx/run.c).
 */
#ifndef VMXLAB_VCPU_H
#define VMXLAB_VCPU_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/signal_types.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/ept.h>
#include <vmxlab/ept_watch.h>
#include <vmxlab/mmio_decode.h>
#include <vmxlab/uapi.h>

/*
 * Guest general-purpose registers: GPR_* is the index into
 * vmxlab_guest_regs.gpr[], numbered as the SDM numbers them in exit
 * qualifications and instruction encodings (vmx/offsets.c turns each into
 * the byte offset GREGS_*_OFF for the stub).  RSP lives in the VMCS.
 */
#define GPR_RAX	0
#define GPR_RCX	1
#define GPR_RDX	2
#define GPR_RBX	3
#define GPR_RSP	4
#define GPR_RBP	5
#define GPR_RSI	6
#define GPR_RDI	7
#define GPR_R8	8
#define GPR_R9	9
#define GPR_R10	10
#define GPR_R11	11
#define GPR_R12	12
#define GPR_R13	13
#define GPR_R14	14
#define GPR_R15	15
#define GPR_COUNT	16

#define VMXLAB_MAX_VCPUS	8
#define VMXLAB_MAX_SLOTS	32
#define SLOT_CHUNK_PAGES	512	/* 2 MiB of guest memory per chunk */
/* Guest-physical addresses a 4-level EPT walk translates. */
#define VMXLAB_GPA_LIMIT	(1ULL << 48)

/* What the entry/exit stub (vmx/entry.S) reads and writes. */
struct vmxlab_guest_regs {
	unsigned long gpr[GPR_COUNT];
	unsigned long cr2;		/* CR2 is not switched by VMX */
	unsigned long host_rsp;		/* what the VMCS's HOST_RSP holds */
};

/*
 * The entry/exit stub: VMLAUNCH or VMRESUME, and back.  Its contract is
 * written once, in vmx/entry.S; the stub returns these values, which
 * vmx/offsets.c hands to it.
 */
enum vmxlab_enter_result {
	VMXLAB_ENTER_OK,	/* a VM exit; bit 31 of its reason may say the entry failed */
	VMXLAB_ENTER_VMFAIL,	/* VMfailInvalid or VMfailValid */
	VMXLAB_ENTER_FAULT,	/* VMLAUNCH/VMRESUME faulted */
};

int vmxlab_enter_guest(struct vmxlab_guest_regs *regs, unsigned long launched);
extern const char vmxlab_vmexit[];	/* HOST_RIP */

struct vmxlab_memslot {
	bool used;
	u32 flags;		/* KVM_MEM_READONLY */
	u64 gpa;
	u64 size;
	u64 uaddr;
	/*
	 * The pinned page behind each guest page mapped in EPT, in chunks
	 * of SLOT_CHUNK_PAGES allocated on the first touch inside them, so
	 * that creating a slot costs the same for 16 MiB and for 1 GiB.
	 */
	struct page ***chunks;
};

struct vmxlab_vm {
	struct kref refs;
	struct mm_struct *mm;	/* the creator's; other mms get -EIO */
	kuid_t owner;		/* the creator's real UID: charged for the VM and its vCPUs */
	struct mutex lock;
	struct vmxlab_memslot slots[VMXLAB_MAX_SLOTS];
	struct vmxlab_vcpu *vcpus[VMXLAB_MAX_VCPUS];
	struct ept ept;
	u64 eptp;
	struct dentry *debugfs;	/* vmxlab/vm-<pid>-<n>/ */
	unsigned long pinned_pages;
	struct ept_watch_set watch;	/* EPT watches (ept/ept_watch_vm.c), under lock */
	/* Who created the VM, for `vmxlab ps` (vmx/stats.c). */
	pid_t owner_pid;
	char owner_comm[TASK_COMM_LEN];
};

/* Where a vCPU is, for `vmxlab ps` (vmx/stats.c); set once per KVM_RUN. */
enum vcpu_run_state {
	VCPU_STATE_USER,	/* outside KVM_RUN: its thread is in user space */
	VCPU_STATE_RUNNING,	/* inside KVM_RUN */
	VCPU_STATE_HALTED,	/* its last KVM_RUN returned KVM_EXIT_HLT */
};

/*
 * A user-space exit left half done: KVM_RUN finishes it on its next call,
 * and only then moves RIP past the instruction, as KVM does (KVM_GET_REGS
 * at such an exit shows the instruction's own RIP).  Stores whose data is
 * all in the exit, an MMIO write and an OUTS without REP, are complete
 * before KVM_RUN returns, as on KVM: nothing is left for them here.
 */
enum vcpu_pending {
	VCPU_PENDING_NONE,
	VCPU_PENDING_PIO_OUT,		/* OUT: RIP */
	VCPU_PENDING_PIO_IN,		/* IN: data page -> RAX, RIP */
	VCPU_PENDING_PIO_STRING_IN,	/* INS: data page -> guest memory, RDI/RCX, maybe RIP */
	VCPU_PENDING_PIO_STRING_OUT,	/* REP OUTS: RSI/RCX, maybe RIP */
	VCPU_PENDING_MMIO_READ,		/* MOV from MMIO: data -> register, RIP */
};

/*
 * An EPT watch hit and the ALLOW_ONCE that may follow it (exits/watch.c).
 * While `stepping`, this vCPU holds pages open (vm->watch grants) for one
 * instruction, which runs with RFLAGS.TF set (or the monitor trap flag)
 * so that its completion exits and closes them again.
 */
struct vcpu_watch {
	bool hit_pending;	/* KVM_RUN returned a hit not resumed yet */
	bool hit_delivery;	/* that hit came from event delivery */
	u64 hit_gpa;
	bool stepping;
	bool use_mtf;		/* stepping with the monitor trap flag, not TF */
	bool guest_tf;		/* RFLAGS.TF was the guest's own before the step */
	bool close_pending;	/* the stepped instruction completed by emulation */
};

/*
 * Events a user-space interrupt controller queued for the guest
 * (exits/interrupts.c), kept as KVM keeps them without an in-kernel
 * irqchip.  Off the exit path: looked at once per KVM_RUN and by the
 * interrupt- and NMI-window exits.  What the next VM entry injects is in
 * the VMCS (VM-entry interruption information), not here.
 */
struct vcpu_events {
	bool irq_queued;	/* KVM_INTERRUPT: irq_vector waits for IF = 1 */
	u8 irq_vector;
	bool nmi_pending;	/* KVM_NMI: an NMI waits for NMI blocking to end */
	bool window_wanted;	/* run->request_interrupt_window of this KVM_RUN */
	bool irq_window_on;	/* interrupt-window exiting is on */
	bool nmi_window_on;	/* NMI-window exiting is on */
	u32 sipi_vector;	/* kept for KVM_GET_VCPU_EVENTS; vmxlab has no SIPI */
};

/*
 * The guest MSRs vmxlab keeps (vmx/msrs.c).  The switched ones are MSRs
 * the host uses too (SYSCALL's, RDTSCP's TSC_AUX): the hardware holds the
 * guest's values only while the guest state is loaded (vmx/run.c), and
 * the host's are put back before the thread leaves the CPU or returns to
 * user space.  TSC_AUX is last: it is switched only when the CPU has it.
 */
enum vcpu_switched_msr {
	VCPU_MSR_STAR,
	VCPU_MSR_LSTAR,
	VCPU_MSR_CSTAR,
	VCPU_MSR_FMASK,
	VCPU_MSR_TSC_AUX,
	VCPU_NR_SWITCHED_MSRS
};

#define VCPU_NR_FIXED_MTRRS	11
#define VCPU_NR_VAR_MTRRS	8
/*
 * Machine-check banks: IA32_MCi_CTL, _STATUS, _ADDR, _MISC from 400H, four
 * MSRs a bank up to 47FH, where the VMX capability MSRs begin (SDM Vol. 4,
 * "Model-Specific Registers").  KVM_CAP_MCE answers this number.
 */
#define VCPU_MCE_BANKS		32
#define VCPU_MCE_BANK_MSRS	4

struct vcpu_msrs {
	u64 guest[VCPU_NR_SWITCHED_MSRS];
	u64 host[VCPU_NR_SWITCHED_MSRS];	/* saved while the guest's are loaded */
	u32 loaded;		/* bit i: the hardware holds guest[i] */
	u64 misc_enable;
	u64 ucode_rev;
	u64 mcg_status;
	u64 mcg_cap;		/* KVM_X86_SETUP_MCE's; 0: no banks, no MCG_CTL */
	u64 mcg_ctl;
	u64 mce_banks[VCPU_MCE_BANKS * VCPU_MCE_BANK_MSRS];
	u64 mtrr_def_type;
	u64 mtrr_fixed[VCPU_NR_FIXED_MTRRS];
	u64 mtrr_var[2 * VCPU_NR_VAR_MTRRS];	/* PHYSBASEn, PHYSMASKn */
};

/* An INS/OUTS in progress: what its completion needs. */
struct vcpu_string_io {
	u8 size;		/* element: 1, 2 or 4 bytes */
	bool rep;
	bool down;		/* RFLAGS.DF: addresses decrease */
	u8 addr_size;		/* 2, 4 or 8: how RSI/RDI/RCX wrap */
	u32 count;		/* elements moved in this exit */
	u64 linear;		/* INS: the first element's guest-linear address */
	u64 next_rip;		/* RIP after the instruction */
};

struct vmxlab_vcpu {
	/* Touched on every exit: keep together, first. */
	struct vmxlab_guest_regs regs;
	bool launched;		/* VMLAUNCH done since the last VMCLEAR */
	bool long_mode;		/* EFER.LMA */
	unsigned long rip_mask;	/* ~0 in IA-32e mode, else 0xffffffff: where RIP wraps */
	struct cpuid_cache *cpuid;
	struct kvm_run *run;
	struct vmxlab_exit_info *info;	/* inside the run page */
	u32 exit_reason;
	bool exit_ring_on;	/* record every exit in exit_ring */
	bool timing_exits;	/* exit cycles on: read once per inner loop (exits/cycles.c) */
	bool watch_stepping;	/* an EPT watch ALLOW_ONCE is open: watch.stepping */

	struct vmxlab_vm *vm;
	u32 id;
	u16 vpid;
	void *vmcs;
	u64 vmcs_pa;
	int cpu;		/* where the VMCS is active; -1: nowhere */
	struct list_head loaded_link;	/* on that CPU's list of active VMCSs */
	struct preempt_notifier preempt;
	struct mutex mutex;
	struct page *run_pages[VMXLAB_RUN_PAGES];
	void *pio_data;		/* page 1 of the run area */

	/* Guest state vmxlab keeps itself (the CR read shadows mirror it). */
	u64 cr0;		/* as the guest sees it */
	u64 cr4;
	u64 efer;
	u64 cr8;
	u64 apic_base;
	u64 xcr0;
	u64 kernel_gs_base;
	u64 tsc_offset;
	struct vcpu_msrs msrs;
	struct fpu_guest guest_fpu;
	/* Debug registers (vmx/debugregs.c); DR7 is GUEST_DR7 in the VMCS. */
	u64 db[4];		/* DR0-DR3 */
	u64 dr6;
	/* KVM_SET_SIGNAL_MASK: the signal mask while KVM_RUN runs. */
	bool sigset_active;
	sigset_t sigset;

	/* Host state switched around KVM_RUN, not around each exit. */
	bool guest_state_loaded;
	u16 host_ds, host_es, host_fs, host_gs, host_ldt;
	u64 host_kernel_gs_base;
	u64 host_fs_base;	/* last value written to HOST_FS_BASE */
	unsigned long host_cr3;	/* last values written to the VMCS */
	unsigned long host_cr4;
	u64 host_xcr0;
	u64 host_debugctl;

	/* Half-done user-space exits. */
	enum vcpu_pending pending;
	struct mmio_insn mmio;
	struct vcpu_string_io sio;
	u64 pending_rip;	/* where RIP goes when the pending exit completes */
	u64 exit_rip;		/* RIP of the instruction behind the exit */
	struct vmxlab_trace_record *exit_ring;	/* VMXLAB_TRACE_RING_SIZE records */
	u64 exit_ring_seq;		/* seq of the next record */
	struct dentry *debugfs;	/* .../vcpu<id>: exit statistics */
	struct dentry *debugfs_cycles;	/* .../vcpu<id>-cycles: exit timing */
	/* Exit timing (VMXLAB_SET_EXIT_CYCLES), allocated when first turned on. */
	struct vmxlab_exit_cycles *cycles;	/* [VMXLAB_MAX_EXIT_REASONS] */
	u64 cycles_exit_tsc;	/* TSC at the pending exit */
	u32 cycles_pending;	/* its basic reason, or VMXLAB_CYCLES_NONE */
	bool rip_skipped;	/* exit_rip holds it: RIP was advanced since */
	/* VMXLAB_SET_VMCS changed a control: it lasts one KVM_RUN. */
	bool controls_written;
	bool controls_tried;
	struct vcpu_watch watch;
	/* For `vmxlab ps`: set per KVM_RUN and per VMCS load, not per exit. */
	enum vcpu_run_state run_state;
	int last_cpu;		/* where the VMCS was last loaded; -1: never */
	struct vcpu_events events;
};

static inline bool vcpu_is_protected(const struct vmxlab_vcpu *vcpu)
{
	return vcpu->cr0 & X86_CR0_PE;
}

#endif /* VMXLAB_VCPU_H */
