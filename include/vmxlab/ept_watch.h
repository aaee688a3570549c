/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EPT watches as pure logic: the watched guest-physical ranges of a VM,
 * the pages an ALLOW_ONCE has opened for one instruction of one vCPU, and
 * the EPT access rights a page gets from them (SDM Vol. 3C, "EPT
 * Violations", "EPT Misconfigurations").  The deny bits are those of
 * VMXLAB_WATCH_DENY_* (uapi.h): read, write and execute, the order of
 * EPT_READ, EPT_WRITE and EPT_EXEC.
 *
 * No locking and no EPT changes here: the caller (ept/ept_watch_vm.c) holds
 * the VM's lock, rewrites the entries and invalidates.  Compiled into the
 * module and into the host unit tests.
 */
#ifndef VMXLAB_EPT_WATCH_H
#define VMXLAB_EPT_WATCH_H

#include <vmxlab/types.h>
#include <vmxlab/uapi.h>

#define EPT_WATCH_MAX		VMXLAB_MAX_EPT_WATCHES
/* Every vCPU may hold the pages one instruction needs. */
#define EPT_WATCH_MAX_GRANTS	(8 * VMXLAB_WATCH_MAX_GRANTS)

struct ept_watch_range {
	u64 start;		/* first byte, page-aligned */
	u64 end;		/* one past the last byte */
	u32 deny;		/* VMXLAB_WATCH_DENY_*, never 0 */
};

/* A page whose watch is lifted until the owner's instruction completes. */
struct ept_watch_grant {
	u64 page;
	u32 owner;		/* vCPU id */
	bool used;
};

struct ept_watch_set {
	struct ept_watch_range ranges[EPT_WATCH_MAX];
	unsigned int count;
	struct ept_watch_grant grants[EPT_WATCH_MAX_GRANTS];
	unsigned int grant_count;
};

/*
 * Check one VMXLAB_SET_EPT_WATCH request on its own: 0, -EINVAL (flags,
 * reserved, deny bits, alignment, size, range beyond @gpa_limit) or
 * -EOPNOTSUPP (an execute-only page without IA32_VMX_EPT_VPID_CAP bit 0
 * in @ept_vpid_cap).
 */
int ept_watch_check(const struct vmxlab_ept_watch *w, u64 gpa_limit, u64 ept_vpid_cap);

/*
 * Apply a checked request: add a range, change the deny mask of an equal
 * one, or remove it (deny 0).  0, -EEXIST (overlaps another range),
 * -ENOENT (removing a range not watched), -ENOSPC (EPT_WATCH_MAX ranges).
 */
int ept_watch_update(struct ept_watch_set *set, u64 gpa, u64 size, u32 deny);

/* The deny mask of the range holding @gpa, 0 if none. */
u32 ept_watch_deny_at(const struct ept_watch_set *set, u64 gpa);

/*
 * The rights a page with @base rights (EPT_*) keeps under @deny: base
 * minus deny, and no write without read, which would be a
 * misconfiguration.
 */
u32 ept_watch_perms(u32 base, u32 deny);

/* The accesses (VMXLAB_WATCH_DENY_* bits) the EPT refuses under @deny. */
u32 ept_watch_blocked(u32 deny);

/* The deny mask the EPT entry of @gpa must honour now: 0 while granted. */
u32 ept_watch_effective_deny(const struct ept_watch_set *set, u64 gpa);

/* Open the page of @gpa for @owner.  0, or -ENOSPC; opening twice is one grant. */
int ept_watch_grant(struct ept_watch_set *set, u64 gpa, u32 owner);

/*
 * Close one grant of @owner: true with its page in *@page, false when
 * @owner holds none.  Called until false.
 */
bool ept_watch_take_grant(struct ept_watch_set *set, u32 owner, u64 *page);

/* Grants @owner holds. */
unsigned int ept_watch_grants_of(const struct ept_watch_set *set, u32 owner);

#endif /* VMXLAB_EPT_WATCH_H */
