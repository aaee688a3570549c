// SPDX-License-Identifier: GPL-2.0
/*
 * EPT watches as pure logic (include/vmxlab/ept_watch.h): which ranges
 * are watched, which pages are open for one instruction, and the rights
 * an EPT entry keeps under a watch.
 */
#include <vmxlab/ept.h>
#include <vmxlab/ept_watch.h>
#include <vmxlab/vmx_arch.h>

#define WATCH_PAGE_MASK		(EPT_PAGE_SIZE - 1)

static bool watch_reserved_zero(const struct vmxlab_ept_watch *w)
{
	return !w->flags && !w->reserved[0] && !w->reserved[1];
}

/*
 * Denying read but not execute leaves execute-only rights, which the CPU
 * accepts only when IA32_VMX_EPT_VPID_CAP bit 0 says so ("EPT
 * Misconfigurations"; SDM Vol. 3D, "VPID and EPT Capabilities").
 */
static bool watch_needs_execute_only(u32 deny)
{
	return (deny & VMXLAB_WATCH_DENY_READ) && !(deny & VMXLAB_WATCH_DENY_EXEC);
}

int ept_watch_check(const struct vmxlab_ept_watch *w, u64 gpa_limit, u64 ept_vpid_cap)
{
	if (!watch_reserved_zero(w) || (w->deny & ~VMXLAB_WATCH_DENY_ALL))
		return -EINVAL;
	if ((w->gpa & WATCH_PAGE_MASK) || (w->size & WATCH_PAGE_MASK) || !w->size)
		return -EINVAL;
	if (w->gpa >= gpa_limit || w->size > gpa_limit - w->gpa)
		return -EINVAL;
	if (watch_needs_execute_only(w->deny) && !(ept_vpid_cap & VMX_EPT_EXECUTE_ONLY))
		return -EOPNOTSUPP;
	return 0;
}

static bool ranges_overlap(const struct ept_watch_range *r, u64 start, u64 end)
{
	return start < r->end && r->start < end;
}

static void remove_range(struct ept_watch_set *set, unsigned int i)
{
	set->ranges[i] = set->ranges[--set->count];
}

int ept_watch_update(struct ept_watch_set *set, u64 gpa, u64 size, u32 deny)
{
	u64 end = gpa + size;
	unsigned int i;

	for (i = 0; i < set->count; i++) {
		struct ept_watch_range *r = &set->ranges[i];

		if (r->start == gpa && r->end == end) {
			if (deny)
				r->deny = deny;
			else
				remove_range(set, i);
			return 0;
		}
		if (ranges_overlap(r, gpa, end))
			return -EEXIST;
	}
	if (!deny)
		return -ENOENT;
	if (set->count == EPT_WATCH_MAX)
		return -ENOSPC;
	set->ranges[set->count++] = (struct ept_watch_range){
		.start = gpa, .end = end, .deny = deny,
	};
	return 0;
}

u32 ept_watch_deny_at(const struct ept_watch_set *set, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < set->count; i++)
		if (gpa >= set->ranges[i].start && gpa < set->ranges[i].end)
			return set->ranges[i].deny;
	return 0;
}

u32 ept_watch_perms(u32 base, u32 deny)
{
	u32 perms = base & ~deny & EPT_RWX;

	/* "EPT Misconfigurations": write permission without read. */
	if (!(perms & EPT_READ))
		perms &= ~(u32)EPT_WRITE;
	return perms;
}

u32 ept_watch_blocked(u32 deny)
{
	return EPT_RWX & ~ept_watch_perms(EPT_RWX, deny);
}

static int find_grant(const struct ept_watch_set *set, u64 page, u32 owner)
{
	unsigned int i;

	for (i = 0; i < EPT_WATCH_MAX_GRANTS; i++) {
		const struct ept_watch_grant *g = &set->grants[i];

		if (g->used && g->page == page && g->owner == owner)
			return i;
	}
	return -1;
}

static bool page_granted(const struct ept_watch_set *set, u64 page)
{
	unsigned int i;

	for (i = 0; set->grant_count && i < EPT_WATCH_MAX_GRANTS; i++)
		if (set->grants[i].used && set->grants[i].page == page)
			return true;
	return false;
}

u32 ept_watch_effective_deny(const struct ept_watch_set *set, u64 gpa)
{
	if (page_granted(set, gpa & ~WATCH_PAGE_MASK))
		return 0;
	return ept_watch_deny_at(set, gpa);
}

unsigned int ept_watch_grants_of(const struct ept_watch_set *set, u32 owner)
{
	unsigned int i, n = 0;

	for (i = 0; i < EPT_WATCH_MAX_GRANTS; i++)
		if (set->grants[i].used && set->grants[i].owner == owner)
			n++;
	return n;
}

int ept_watch_grant(struct ept_watch_set *set, u64 gpa, u32 owner)
{
	u64 page = gpa & ~WATCH_PAGE_MASK;
	unsigned int i;

	if (find_grant(set, page, owner) >= 0)
		return 0;
	if (ept_watch_grants_of(set, owner) >= VMXLAB_WATCH_MAX_GRANTS)
		return -ENOSPC;
	for (i = 0; i < EPT_WATCH_MAX_GRANTS; i++) {
		struct ept_watch_grant *g = &set->grants[i];

		if (!g->used) {
			*g = (struct ept_watch_grant){ .page = page, .owner = owner, .used = true };
			set->grant_count++;
			return 0;
		}
	}
	return -ENOSPC;
}

bool ept_watch_take_grant(struct ept_watch_set *set, u32 owner, u64 *page)
{
	unsigned int i;

	for (i = 0; i < EPT_WATCH_MAX_GRANTS; i++) {
		struct ept_watch_grant *g = &set->grants[i];

		if (g->used && g->owner == owner) {
			*page = g->page;
			g->used = false;
			set->grant_count--;
			return true;
		}
	}
	return false;
}
