/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmxlab user-space API: the one header shared by vmxlab.ko and tools/.
 *
 * /dev/vmxlab answers two families of ioctls:
 *   - KVM's, with KVM's own numbers and structures from <linux/kvm.h>, so
 *     that an existing KVM client runs against /dev/vmxlab unchanged;
 *   - vmxlab's own extras, under the magic VMXLAB_IO below, which never
 *     collides with KVMIO (0xAE).
 *
 * Every structure has fixed-width fields and explicit padding.  Fields
 * marked "in" are read by the module; the top-level `pad` and `reserved`
 * fields must be zero on input (else -EINVAL) and are zero on output;
 * every other field is output only.
 */
#ifndef VMXLAB_UAPI_H
#define VMXLAB_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/kvm.h>

#define VMXLAB_DEVICE_NAME	"vmxlab"
#define VMXLAB_DEVICE_PATH	"/dev/vmxlab"

/* KVM_GET_API_VERSION on /dev/vmxlab answers KVM's value. */
#define VMXLAB_KVM_API_VERSION	12

/*
 * Version of vmxlab's own ioctls, reported by VMXLAB_GET_CAPS.  It changes
 * whenever a structure below changes size or meaning, so that a saved
 * struct vmxlab_caps (vmxlab info --save-caps) is never misread.
 */
#define VMXLAB_API_VERSION	1

#define VMXLAB_IO		0xd9

/*
 * The capability MSRs, in the order of vmxlab_caps.msr[].  An entry is
 * meaningful only when its bit is set in vmxlab_caps.msr_valid: an MSR
 * exists only when another MSR says so (SDM Vol. 3D, Appendix A).
 */
enum vmxlab_cap_msr {
	VMXLAB_CAP_FEATURE_CONTROL,
	VMXLAB_CAP_BASIC,
	VMXLAB_CAP_PINBASED,
	VMXLAB_CAP_PROCBASED,
	VMXLAB_CAP_EXIT,
	VMXLAB_CAP_ENTRY,
	VMXLAB_CAP_MISC,
	VMXLAB_CAP_CR0_FIXED0,
	VMXLAB_CAP_CR0_FIXED1,
	VMXLAB_CAP_CR4_FIXED0,
	VMXLAB_CAP_CR4_FIXED1,
	VMXLAB_CAP_VMCS_ENUM,
	VMXLAB_CAP_PROCBASED2,
	VMXLAB_CAP_EPT_VPID,
	VMXLAB_CAP_TRUE_PINBASED,
	VMXLAB_CAP_TRUE_PROCBASED,
	VMXLAB_CAP_TRUE_EXIT,
	VMXLAB_CAP_TRUE_ENTRY,
	VMXLAB_CAP_VMFUNC,
	VMXLAB_CAP_PROCBASED3,
	VMXLAB_NR_CAP_MSRS
};

#define VMXLAB_MAX_CAP_MSRS	32

/* The five 32-bit control sets, in the order of vmxlab_caps.controls[]. */
enum vmxlab_control_set {
	VMXLAB_CTLS_PINBASED,
	VMXLAB_CTLS_PROCBASED,
	VMXLAB_CTLS_PROCBASED2,
	VMXLAB_CTLS_EXIT,
	VMXLAB_CTLS_ENTRY,
	VMXLAB_NR_CONTROL_SETS
};

#define VMXLAB_MAX_CONTROL_SETS	8

/*
 * How vmxlab chose one control set from the CPU's allowed settings.
 * value = ((required | optional) & allowed-1) | allowed-0; nothing is
 * dropped or forced silently: the difference is reported here.
 */
struct vmxlab_control_choice {
	__u32 required;		/* vmxlab cannot run guests without these */
	__u32 optional;		/* used when the CPU allows them */
	__u32 value;		/* what vmxlab programs into the VMCS */
	__u32 forced_on;	/* 1 in value although vmxlab did not ask */
	__u32 dropped;		/* optional, but the CPU does not allow 1 */
	__u32 missing;		/* required, but the CPU does not allow 1 */
	__u32 pad[2];
};

/*
 * The requirements vmxlab checks before it loads; bit n of
 * vmxlab_caps.unmet is requirement n.  The names, SDM sections and fixes
 * are in the requirement table of vmx/caps.c.
 */
enum vmxlab_requirement {
	VMXLAB_REQ_VMCS_WRITE_BACK,
	VMXLAB_REQ_VMCS_FITS_PAGE,
	VMXLAB_REQ_FULL_PHYS_ADDR,
	VMXLAB_REQ_PINBASED_CONTROLS,
	VMXLAB_REQ_PROCBASED_CONTROLS,
	VMXLAB_REQ_PROCBASED2_CONTROLS,
	VMXLAB_REQ_EXIT_CONTROLS,
	VMXLAB_REQ_ENTRY_CONTROLS,
	VMXLAB_REQ_EPT_4_LEVEL,
	VMXLAB_REQ_EPT_WRITE_BACK,
	VMXLAB_REQ_INVEPT_SINGLE,
	VMXLAB_REQ_INVVPID_SINGLE,
	VMXLAB_NR_REQUIREMENTS
};

/* VMXLAB_GET_CAPS: the raw capability MSRs and the module's decisions. */
struct vmxlab_caps {
	__u32 flags;		/* in: must be zero */
	__u32 api_version;	/* VMXLAB_API_VERSION */
	__u64 msr_valid;	/* bit n: msr[n] was read */
	__u64 msr[VMXLAB_MAX_CAP_MSRS];
	struct vmxlab_control_choice controls[VMXLAB_MAX_CONTROL_SETS];
	__u64 ept_vpid_required;	/* IA32_VMX_EPT_VPID_CAP bits vmxlab needs */
	__u64 unmet;		/* bit n: enum vmxlab_requirement n is not met */
	__u32 true_controls;	/* 1: the TRUE_* MSRs were used for a control set */
	__u32 online_cpus;	/* CPUs online now */
	__u32 vmx_users;	/* references holding VMX operation on */
	__u32 pad;
	__u64 pinned_pages;	/* guest pages pinned (mapped in EPT), all VMs */
	__u64 ept_pages;	/* EPT paging-structure pages, all VMs */
	__u64 reserved[6];
};

/* VMXLAB_GET_CPU_STATE: one CPU's VMX state, read on that CPU. */
#define VMXLAB_CPU_ONLINE	(1u << 0)	/* the CPU is online */
#define VMXLAB_CPU_VMXON	(1u << 1)	/* vmxlab has executed VMXON on it */
#define VMXLAB_CPU_CR4_VMXE	(1u << 2)	/* CR4.VMXE reads 1 on it now */
#define VMXLAB_CPU_IN_VMX_ROOT	(1u << 3)	/* VMPTRST succeeded: in VMX root operation */
#define VMXLAB_CPU_VMCS_HIDDEN	(1u << 4)	/* current_vmcs is a physical address the
						   caller may not see (no CAP_SYS_ADMIN): 0 */

struct vmxlab_cpu_state {
	__u32 cpu;		/* in: CPU number, < nr_cpu_ids */
	__u32 flags;		/* VMXLAB_CPU_* */
	__u64 cr4;		/* CR4 as read on that CPU (0 when offline) */
	__u64 current_vmcs;	/* VMPTRST result when IN_VMX_ROOT (~0: none) */
	__u64 reserved[4];
};


/*
 * The vCPU's mmap'd area (KVM_GET_VCPU_MMAP_SIZE bytes, offset 0):
 *   page 0  struct kvm_run, as KVM lays it out (2352 bytes, its
 *           sync-regs union up to 2351); and, past it at
 *           VMXLAB_EXIT_INFO_OFFSET, struct vmxlab_exit_info (768 bytes);
 *   page 1  the data of port I/O (kvm_run.io.data_offset points here).
 * A KVM client never looks past struct kvm_run; vmxlab's tool does.
 */
#define VMXLAB_RUN_PAGES		2
#define VMXLAB_EXIT_INFO_OFFSET		3072
#define VMXLAB_EXIT_INFO_MAGIC		0x6c786d76	/* "vmxl" */
#define VMXLAB_MAX_EXIT_REASONS		80

/*
 * vmxlab's own view of the VM exit behind the last return of KVM_RUN,
 * and counts of every VM exit the vCPU took, handled in the kernel or not
 * (SDM Vol. 3C, "Information for VM Exits"; reasons in Appendix C).
 */
struct vmxlab_exit_info {
	__u32 magic;		/* VMXLAB_EXIT_INFO_MAGIC */
	__u32 exit_reason;	/* full exit reason; bit 31: VM entry failed */
	__u64 qualification;	/* exit qualification */
	__u64 guest_rip;	/* RIP at the exit, before vmxlab emulated anything */
	__u64 guest_phys;	/* guest-physical address (EPT exits), else 0 */
	__u64 guest_linear;	/* guest-linear address when the CPU gives one */
	__u32 instruction_len;	/* VM-exit instruction length (when valid) */
	__u32 instruction_error; /* VM-instruction error after VMfail, else 0 */
	__u64 entries;		/* VM entries of this vCPU so far */
	__u64 reserved[7];
	/* exits[n]: VM exits whose basic reason is n */
	__u64 exits[VMXLAB_MAX_EXIT_REASONS];
	__u64 exits_other;	/* exits with a basic reason >= VMXLAB_MAX_EXIT_REASONS */
	__u64 entry_failures;	/* VM entries that failed (VMfail or bit 31) */
};

/*
 * VMXLAB_GET_VMCS (vCPU fd): the vCPU's VMCS, one entry per field vmxlab
 * knows (SDM Vol. 3D, Appendix B), read with VMREAD.  A field the CPU
 * does not support (VMREAD fails with VM-instruction error 12) has no
 * VMXLAB_VMCS_FIELD_SUPPORTED flag and value 0.
 */
#define VMXLAB_VMCS_FIELD_SUPPORTED	(1u << 0)
/*
 * The field holds the host's state or a host physical address (the
 * host-state area, the bitmap/table/page addresses, EPT_POINTER,
 * VMCS_LINK_POINTER) and the caller lacks CAP_SYS_ADMIN: value 0.
 */
#define VMXLAB_VMCS_FIELD_HIDDEN	(1u << 1)

struct vmxlab_vmcs_field {
	__u32 encoding;
	__u32 flags;		/* VMXLAB_VMCS_FIELD_* */
	__u64 value;
};

struct vmxlab_vmcs_snapshot {
	__u32 nfields;		/* in: room in fields[]; out: entries written */
	__u32 flags;		/* in: must be zero */
	__u64 fields;		/* in: user pointer to struct vmxlab_vmcs_field[nfields] */
	__u64 reserved[4];	/* in: must be zero */
};

/*
 * The exit trace (vCPU fd): a ring of the vCPU's most recent VM exits,
 * in-kernel ones included, recorded while tracing is on.  Each record is
 * what the CPU reported at the exit (SDM Vol. 3C, "Information for VM
 * Exits") and the guest's RAX..RBX at that moment, before any emulation.
 */
#define VMXLAB_TRACE_RING_SIZE		4096	/* records kept; older ones are lost */

struct vmxlab_trace_record {
	__u64 seq;		/* 0, 1, 2, ... per vCPU since tracing was turned on */
	__u32 exit_reason;	/* full exit reason */
	__u32 instruction_len;	/* VM-exit instruction length */
	__u64 qualification;
	__u64 guest_rip;
	__u64 guest_phys;	/* EPT violations and misconfigurations, else 0 */
	__u64 rax, rcx, rdx, rbx;
};

/* VMXLAB_SET_TRACE: turn the ring on (flags = VMXLAB_TRACE_ON) or off (0); on restarts it. */
#define VMXLAB_TRACE_ON			(1u << 0)

struct vmxlab_trace_control {
	__u32 flags;		/* in: VMXLAB_TRACE_ON or 0 */
	__u32 pad;		/* in: must be zero */
	__u64 reserved[2];	/* in: must be zero */
};

/*
 * VMXLAB_READ_TRACE: copy records with seq >= from_seq, oldest first.
 * If some of them were overwritten already, copying starts at the oldest
 * one kept and `lost` says how many were skipped.
 */
struct vmxlab_trace_read {
	__u64 from_seq;		/* in */
	__u64 records;		/* in: user pointer to struct vmxlab_trace_record[max] */
	__u32 max;		/* in: room in records[] */
	__u32 count;		/* out: records copied */
	__u64 next_seq;		/* out: seq of the next exit to be recorded */
	__u64 lost;		/* out: records between from_seq and the first copied */
	__u64 reserved[2];	/* in: must be zero */
};

/*
 * VMXLAB_CHECK_ENTRY (vCPU fd): run vmxlab's model of the SDM's VM-entry
 * checks (Vol. 3C, "Checks on VMX Controls and Host-State Area", "Checks
 * on the Guest State Area"; vmcs/entry_checks.c) on the vCPU's VMCS as it
 * is now, without entering.  After KVM_EXIT_FAIL_ENTRY it says why.
 */
#define VMXLAB_ENTRY_AREA_CONTROLS	0	/* VMfailValid, error 7 */
#define VMXLAB_ENTRY_AREA_HOST		1	/* VMfailValid, error 8 */
#define VMXLAB_ENTRY_AREA_GUEST		2	/* failed entry, exit reason 33 */

struct vmxlab_entry_failure {
	char id[48];		/* stable identifier, e.g. "guest.tr.type" */
	char section[80];	/* the SDM section title */
	char rule[224];		/* the rule in words */
	__u32 area;		/* VMXLAB_ENTRY_AREA_* */
	__u32 field;		/* the VMCS field checked (encoding), 0 if none */
	__u64 value;		/* the value found there */
	__u64 allowed0;		/* fixed-bit checks: bits that must be 1 */
	__u64 allowed1;		/* fixed-bit checks: bits that may be 1 (both 0 otherwise) */
};

struct vmxlab_entry_check {
	__u32 max;		/* in: room in failures[] */
	__u32 count;		/* out: checks that fail (may exceed max) */
	__u64 failures;		/* in: user pointer to struct vmxlab_entry_failure[max] */
	__u32 checks;		/* out: checks run */
	__u32 pad;		/* in: must be zero */
	__u64 reserved[2];	/* in: must be zero */
};

/*
 * VMXLAB_SET_VMCS (vCPU fd): write VMCS fields of the vCPU before its next
 * VM entry, to see what VM entry makes of a value (SDM Vol. 3C, "Checks on
 * VMX Controls and Host-State Area", "Checks on the Guest State Area").
 * Entries are struct vmxlab_vmcs_field (flags must be zero).  Only these
 * fields are taken; any other answers -EPERM and nothing is written:
 *   - guest segment registers (selector, base, limit, access rights),
 *     GDTR/IDTR, CR3, DR7, RSP, RIP, RFLAGS, activity state,
 *     interruptibility state, pending debug exceptions: written as given;
 *   - guest CR0, CR4 and IA32_EFER: vmxlab keeps copies of these (read
 *     shadows, XCR0 switching, long mode), so a write is kept only when
 *     vmxlab's model of the entry checks says VM entry will refuse the
 *     resulting state; otherwise -EPERM and nothing is written (use
 *     KVM_SET_SREGS to change them for good);
 *   - the pin-based, primary and secondary processor-based, VM-exit and
 *     VM-entry controls: only bits the capability MSRs fix (must-be-1 set
 *     to 0, must-be-0 set to 1) may change, so entry fails with
 *     VM-instruction error 7.  They last one KVM_RUN: the next one puts
 *     vmxlab's own controls back first.
 * Activity state 2 (shutdown) or 3 (wait-for-SIPI), states the host CPU
 * would not come back from, is -EINVAL.
 * A value wider than the field is -EINVAL; a field the CPU lacks
 * -EOPNOTSUPP; a vCPU with a half-done I/O or MMIO exit -EBUSY (finish it
 * with KVM_RUN first).  Nothing is written unless every entry is taken.
 */
#define VMXLAB_MAX_VMCS_WRITES	16

struct vmxlab_vmcs_write {
	__u32 nfields;		/* in: entries in fields[], 1..VMXLAB_MAX_VMCS_WRITES */
	__u32 flags;		/* in: must be zero */
	__u64 fields;		/* in: user pointer to struct vmxlab_vmcs_field[nfields] */
	__u64 reserved[4];	/* in: must be zero */
};

/*
 * Exit timing (vCPU fd): per basic exit reason, a histogram of the host
 * TSC cycles each VM exit kept the vCPU out of the guest, from the VM
 * exit to the vCPU's next VM entry attempt.  For an exit handled in user
 * space that includes the whole round trip: the rest of KVM_RUN, the VMM's
 * handling, and the next KVM_RUN up to the entry.  The entry/exit stub's
 * own ~70 instructions (vmx/entry.S) are outside the interval.  The time
 * of the last exit runs until the next entry: while the vCPU is out of the
 * guest, `pending_reason` names it and it is not in the counts yet.
 *
 * Off by default: reading the TSC twice per exit costs real cycles.
 * VMXLAB_SET_EXIT_CYCLES turns it on (zeroing every count) or off (the
 * counts stay readable; the pending exit is dropped).
 *
 * Bucket b counts exits of 2^b to 2^(b+1) - 1 cycles; bucket 0 also
 * counts 0 cycles, and the last bucket everything from 2^31 on.  A TSC
 * that went backwards between CPUs counts as 0 cycles.
 */
#define VMXLAB_CYCLES_BUCKETS		32
#define VMXLAB_CYCLES_ON		(1u << 0)	/* SET in; GET out: recording */
#define VMXLAB_CYCLES_CLEAR		(1u << 0)	/* GET in: zero the counts after copying */
#define VMXLAB_CYCLES_NONE		0xffffffffu	/* pending_reason: none */

struct vmxlab_cycles_control {
	__u32 flags;		/* in: VMXLAB_CYCLES_ON or 0 */
	__u32 pad;		/* in: must be zero */
	__u64 reserved[2];	/* in: must be zero */
};

/* One basic exit reason's timed exits. */
struct vmxlab_exit_cycles {
	__u64 count;		/* exits timed: the sum of buckets[] */
	__u64 sum;		/* their cycles, added up (count > 0: mean = sum / count) */
	__u64 buckets[VMXLAB_CYCLES_BUCKETS];
};

/*
 * VMXLAB_GET_EXIT_CYCLES: copy entries 0 .. nreasons - 1 (basic exit
 * reasons) to reasons[].  All zero if timing was never turned on.
 */
struct vmxlab_cycles_read {
	__u32 flags;		/* in: VMXLAB_CYCLES_CLEAR or 0 */
	__u32 state;		/* out: VMXLAB_CYCLES_ON while timing is on */
	__u64 reasons;		/* in: user pointer to struct vmxlab_exit_cycles[nreasons] */
	__u32 nreasons;		/* in: room in reasons[]; out: entries written,
				 * at most VMXLAB_MAX_EXIT_REASONS */
	__u32 pending_reason;	/* out: basic reason of the exit still being timed,
				 * or VMXLAB_CYCLES_NONE */
	__u64 reserved[4];	/* in: must be zero */
};

/*
 * The hypercall interface: a guest asks vmxlab about itself with VMCALL
 * (SDM Vol. 3C: VMCALL always exits in VMX non-root operation).
 *   in:  EAX = VMXLAB_HC_MAGIC, EBX = function, ECX = argument,
 *        EDX = second argument (functions that take one)
 *   out: RAX = the answer, or VMXLAB_HC_ERROR for an unknown function or
 *        argument; RIP past the VMCALL; other registers unchanged.
 * A VMCALL without the magic in EAX raises #UD, as VMX instructions do in
 * vmxlab guests.  From guest CPL > 0 every function answers
 * VMXLAB_HC_EPERM (-KVM_EPERM, as KVM answers hypercalls from guest user
 * mode): the counts and host TSC timings are for the guest's kernel.  Counts are this vCPU's and include the VMCALL asking;
 * exit timing (VMXLAB_GET_EXIT_CYCLES) does not include it yet, as its
 * time runs until the next entry.  The timing functions answer
 * VMXLAB_HC_ERROR while timing was never turned on for the vCPU.
 */
#define VMXLAB_HC_MAGIC			0x766d786c	/* "vmxl" */
#define VMXLAB_HC_ERROR			(~0ULL)
#define VMXLAB_HC_EPERM			((__u64)-1)	/* -KVM_EPERM (-EPERM): CPL > 0 */
#define VMXLAB_HC_VERSION		0	/* RAX = VMXLAB_API_VERSION */
#define VMXLAB_HC_EXIT_COUNT		1	/* ECX = basic exit reason: RAX = VM exits with it */
#define VMXLAB_HC_ENTRIES		2	/* RAX = VM entries so far */
#define VMXLAB_HC_EXIT_CYCLES		3	/* ECX = basic exit reason: RAX = its cycles' sum */
#define VMXLAB_HC_EXIT_CYCLES_BUCKET	4	/* ECX = basic exit reason, EDX = bucket:
						 * RAX = exits counted in that bucket */

/*
 * EPT watches (VM fd): take read, write or execute permission away from a
 * guest-physical range, for every vCPU (SDM Vol. 3C, "EPT Violations").
 * An access the watch denies does not happen: KVM_RUN returns with
 * kvm_run.exit_reason = VMXLAB_EXIT_EPT_WATCH and the hit described in
 * struct vmxlab_watch_hit, laid over kvm_run's exit union (its 256 bytes,
 * kvm_run.padding; VMXLAB_WATCH_HIT() finds it).  The instruction has not
 * executed: RIP is its own.  Then VMXLAB_WATCH_RESUME (vCPU fd) says how
 * the next KVM_RUN goes on: BLOCK (the default, also when the ioctl is not
 * called) runs the instruction again, which hits again unless user space
 * changed RIP or the watch; ALLOW_ONCE lets this vCPU's next instruction
 * make the access, and the watch applies again right after it.
 *
 * VMXLAB_SET_EPT_WATCH rules: gpa and size page-aligned, size > 0, the
 * range below 2^48; deny is VMXLAB_WATCH_DENY_* bits, 0 removes the watch
 * of exactly that range (-ENOENT if there is none).  A range equal to a
 * watched one changes its deny mask; one that overlaps another watched
 * range without being equal to it is refused (-EEXIST); at most
 * VMXLAB_MAX_EPT_WATCHES ranges (-ENOSPC).  EPT cannot express "write but
 * not read" ("EPT Misconfigurations"): denying read denies write too.
 * Denying read but not execute leaves an execute-only page, which needs
 * IA32_VMX_EPT_VPID_CAP bit 0 (-EOPNOTSUPP without it).
 */
#define VMXLAB_WATCH_DENY_READ		(1u << 0)
#define VMXLAB_WATCH_DENY_WRITE		(1u << 1)
#define VMXLAB_WATCH_DENY_EXEC		(1u << 2)
#define VMXLAB_WATCH_DENY_ALL		0x7u
#define VMXLAB_MAX_EPT_WATCHES		64

struct vmxlab_ept_watch {
	__u64 gpa;		/* in: first byte, 4 KiB-aligned */
	__u64 size;		/* in: bytes, a multiple of 4 KiB, > 0 */
	__u32 deny;		/* in: VMXLAB_WATCH_DENY_*; 0 removes the watch */
	__u32 flags;		/* in: must be zero */
	__u64 reserved[2];	/* in: must be zero */
};

/*
 * kvm_run.exit_reason for a watch hit: far above KVM's KVM_EXIT_* numbers,
 * so a KVM client that never sets a watch never sees it.
 */
#define VMXLAB_EXIT_EPT_WATCH		0x766d0001u

#define VMXLAB_WATCH_HIT_GLA_VALID	(1u << 0)	/* gla holds the guest-linear address */
#define VMXLAB_WATCH_HIT_DELIVERY	(1u << 1)	/* the access delivered an event (IDT, stack) */
#define VMXLAB_WATCH_HIT_STEPPING	(1u << 2)	/* an ALLOW_ONCE for this instruction is open */

struct vmxlab_watch_hit {
	__u64 gpa;		/* guest-physical address accessed */
	__u64 gla;		/* guest-linear address (with HIT_GLA_VALID), else 0 */
	__u64 rip;		/* RIP of the instruction that tried */
	__u32 access;		/* what it tried: VMXLAB_WATCH_DENY_* bits (r, w, x) */
	__u32 deny;		/* what the watch at gpa denies */
	__u32 flags;		/* VMXLAB_WATCH_HIT_* */
	__u32 vcpu;		/* the vCPU's id */
	__u64 qualification;	/* the EPT violation's exit qualification */
	__u64 reserved[2];
};

#define VMXLAB_WATCH_HIT(run)	((struct vmxlab_watch_hit *)(void *)(run)->padding)

/*
 * VMXLAB_WATCH_RESUME (vCPU fd), after a VMXLAB_EXIT_EPT_WATCH and before
 * the next KVM_RUN: -ENOENT if the vCPU's last exit was not a watch hit or
 * was resumed already.  ALLOW_ONCE: -EOPNOTSUPP for a hit during event
 * delivery (flag HIT_DELIVERY); -ENOSPC when one instruction needs more
 * than VMXLAB_WATCH_MAX_GRANTS pages allowed at once.
 */
#define VMXLAB_WATCH_BLOCK		0
#define VMXLAB_WATCH_ALLOW_ONCE		1
#define VMXLAB_WATCH_MAX_GRANTS		4

struct vmxlab_watch_resume {
	__u32 action;		/* in: VMXLAB_WATCH_BLOCK or VMXLAB_WATCH_ALLOW_ONCE */
	__u32 flags;		/* in: must be zero */
	__u64 reserved[2];	/* in: must be zero */
};

/*
 * vmxlab's own ioctl numbers (under VMXLAB_IO), by the fd they are for:
 *   0x00-0x0f  the system fd, /dev/vmxlab  (vmx/dev.c, dev_ioctl_<x>)
 *   0x10-0x1f  a vCPU fd                    (vmx/vcpu.c, vcpu_ioctl_<x>)
 *   0x20-0x2f  a VM fd                      (vmx/vm.c, vm_ioctl_<x>)
 * Numbers are ABI: never renumbered, never reused.  Free today: 0x04-0x0f,
 * 0x17, 0x19-0x1f, 0x21-0x2f.  An fd asked another fd's number answers
 * -ENOTTY.
 */

/* System fd. */
#define VMXLAB_GET_CAPS		_IOWR(VMXLAB_IO, 0x00, struct vmxlab_caps)
/* Hold VMX operation on (every online CPU) for this open file, or release it. */
#define VMXLAB_VMX_ENABLE	_IO(VMXLAB_IO, 0x01)
#define VMXLAB_VMX_DISABLE	_IO(VMXLAB_IO, 0x02)
#define VMXLAB_GET_CPU_STATE	_IOWR(VMXLAB_IO, 0x03, struct vmxlab_cpu_state)
/* vCPU fd; -E2BIG (nfields set to the count needed) when fields[] is too small. */
#define VMXLAB_GET_VMCS		_IOWR(VMXLAB_IO, 0x10, struct vmxlab_vmcs_snapshot)
#define VMXLAB_SET_TRACE	_IOW(VMXLAB_IO, 0x11, struct vmxlab_trace_control)
#define VMXLAB_READ_TRACE	_IOWR(VMXLAB_IO, 0x12, struct vmxlab_trace_read)
#define VMXLAB_CHECK_ENTRY	_IOWR(VMXLAB_IO, 0x13, struct vmxlab_entry_check)
#define VMXLAB_SET_EXIT_CYCLES	_IOW(VMXLAB_IO, 0x14, struct vmxlab_cycles_control)
#define VMXLAB_SET_VMCS		_IOW(VMXLAB_IO, 0x15, struct vmxlab_vmcs_write)
#define VMXLAB_GET_EXIT_CYCLES	_IOWR(VMXLAB_IO, 0x16, struct vmxlab_cycles_read)
#define VMXLAB_WATCH_RESUME	_IOW(VMXLAB_IO, 0x18, struct vmxlab_watch_resume)
/* VM fd. */
#define VMXLAB_SET_EPT_WATCH	_IOW(VMXLAB_IO, 0x20, struct vmxlab_ept_watch)

#endif /* VMXLAB_UAPI_H */
