/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A software model of the checks VM entry makes (SDM Vol. 3C, chapter
 * "VM Entries": "Checks on VMX Controls and Host-State Area" and "Checks
 * on the Guest State Area").
 *
 * Given the values of a VMCS and the CPU's capability MSRs, it lists every
 * check that fails, so that a student sees WHY VMLAUNCH or VMRESUME failed:
 * which rule, in which SDM section, on which field, with which value, and
 * what was allowed.
 *
 * Pure logic: no hardware access, no allocation.  Built into vmxlab.ko and
 * the host unit tests (and usable by the tool) from vmcs/entry_checks.c.
 *
 * What the CPU reports depends on the first area that fails (SDM Vol. 3C,
 * "Basic VM-Entry Checks" and the sections below it):
 *   ENTRY_CHECK_CONTROLS  VMfailValid, VM-instruction error 7
 *   ENTRY_CHECK_HOST      VMfailValid, VM-instruction error 8
 *   ENTRY_CHECK_GUEST     VM exit with the failed-entry bit, basic reason 33
 * The model runs every check regardless, so a student sees all problems at
 * once; the CPU stops at the first area with a failure.
 *
 * What the model cannot see, and so does not check: memory (the contents
 * of the VMCS link pointer's region, the virtual-APIC page, the MSR-load
 * lists), whether the logical processor is in SMM (it assumes not), and
 * model-specific reserved bits (IA32_DEBUGCTL, IA32_PERF_GLOBAL_CTRL, ...).
 * It assumes the host runs in IA-32e mode (vmxlab is a 64-bit module).
 */
#ifndef VMXLAB_ENTRY_CHECKS_H
#define VMXLAB_ENTRY_CHECKS_H

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

/*
 * How the checker reads the VMCS: store the value of VMCS field @field
 * (an encoding from <vmxlab/vmcs_fields.h>) in *@value and return true;
 * return false if the CPU has no such field, which the checker then reads
 * as 0.  Checks only read fields whose controls are enabled, so a field a
 * CPU lacks is read only when a control the CPU does not allow is set,
 * and that control fails its own check.
 */
typedef bool (*vmcs_read_fn)(void *ctx, u32 field, u64 *value);

/* Which part of VM entry a check belongs to, i.e. how the CPU reports it. */
enum entry_check_area {
	ENTRY_CHECK_CONTROLS,	/* VMfailValid, error 7 */
	ENTRY_CHECK_HOST,	/* VMfailValid, error 8 */
	ENTRY_CHECK_GUEST,	/* VM-entry failure, exit reason 33 */
};

/* What the checker knows about the CPU besides the VMCS. */
struct entry_check_cpu {
	const struct vmxlab_caps *caps;	/* the capability MSRs (msr[], msr_valid) */
	/*
	 * MAXPHYADDR, CPUID.80000008H:EAX[7:0] (e.g. 39, 46): addresses in
	 * the VMCS must not set bits at or above it.  0 or more than 52
	 * counts as 52, the architectural maximum.
	 */
	unsigned int maxphyaddr;
	/*
	 * Linear-address width, CPUID.80000008H:EAX[15:8]: 48, or 57 with
	 * 5-level paging; "canonical" means bits 63:N-1 all equal.  0 counts
	 * as 48.
	 */
	unsigned int linear_bits;
};

/* One check of the model: every failure points at one of these. */
struct entry_check {
	const char *id;		/* stable identifier, e.g. "guest.cr0.pg_without_pe" */
	const char *section;	/* SDM Vol. 3C section title */
	const char *rule;	/* the rule in words, one sentence */
	enum entry_check_area area;
};

/* One failing check, with what it found. */
struct entry_check_failure {
	const char *id;		/* == check->id */
	const char *section;	/* == check->section */
	const char *rule;	/* == check->rule */
	enum entry_check_area area;
	u32 field;		/* VMCS field encoding checked (0 if none) */
	u64 value;		/* the value found in that field */
	/*
	 * For fixed-bit checks (controls vs their capability MSR, CR0/CR4
	 * vs their FIXED MSRs, reserved bits): allowed0 has the bits that
	 * must be 1, allowed1 the bits that may be 1; value breaks the rule
	 * where (~value & allowed0) | (value & ~allowed1) is set.  Both 0
	 * for a check that the rule text explains alone.
	 */
	u64 allowed0, allowed1;
	const struct entry_check *check;
};

/*
 * Run every check on the VMCS that @read reads; store the first @max
 * failures in @out (in SDM order: controls, host, guest) and return the
 * number of failing checks, which may exceed @max (0: the model finds
 * nothing wrong).  @out may be NULL when @max is 0.
 */
/*
 * Rules of the model that another validator of guest state uses too
 * (KVM_SET_SREGS, vmcs/sregs.c), so that both apply the same widths:
 *   - @va is canonical for @cpu's linear-address width;
 *   - @pa sets no bit at or above @cpu's MAXPHYADDR;
 *   - a segment limit agrees with the granularity bit ("Checks on Guest
 *     Segment Registers": G = 1 needs limit bits 11:0 all 1, G = 0 needs
 *     bits 31:20 all 0).
 */
bool entry_check_canonical(const struct entry_check_cpu *cpu, u64 va);
bool entry_check_phys_ok(const struct entry_check_cpu *cpu, u64 pa);
bool entry_check_seg_limit_ok(u64 limit, bool g);

int entry_checks_run(const struct entry_check_cpu *cpu, vmcs_read_fn read,
		     void *ctx, struct entry_check_failure *out, int max);

/* Every check the model knows, for listing and for tests. */
extern const struct entry_check entry_check_table[];
unsigned int entry_check_count(void);

/* "VMfailValid, VM-instruction error 7 (invalid control field(s))", ... */
const char *entry_check_area_result(enum entry_check_area area);

#endif /* VMXLAB_ENTRY_CHECKS_H */
