// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT watch set (ept/ept_watch.c): any sequence of VMXLAB_SET_EPT_WATCH
 * requests, ALLOW_ONCE grants and their release, as a VMM may send them.
 *
 * Input: the EPT_VPID_CAP bit 0, then operations of 20 bytes: kind, a
 * request (gpa near a few bases, size, deny, sometimes flags or reserved
 * bits), a vCPU id.
 * Invariants besides "no crash, no UB":
 *  - ept_watch_check() and ept_watch_update() answer only the errors
 *    their header names; a failed update changes nothing;
 *  - the set stays well formed: at most EPT_WATCH_MAX ranges, each
 *    page-aligned, non-empty, deny bits set and valid, no two overlapping;
 *  - a model of the ranges (updated on success only) agrees with
 *    ept_watch_deny_at() at the probed addresses;
 *  - ept_watch_perms() takes away every denied right, keeps no write
 *    without read and adds nothing;
 *  - a granted page's effective deny is 0; grants of a vCPU are counted
 *    and all come back through ept_watch_take_grant().
 */
#include <errno.h>
#include <vmxlab/ept.h>
#include <vmxlab/ept_watch.h>

#include "fuzz.h"

#define GPA_LIMIT	(1ULL << 39)

struct model {
	u64 start[EPT_WATCH_MAX], end[EPT_WATCH_MAX];
	u32 deny[EPT_WATCH_MAX];
	unsigned int n;
};

static u32 model_deny(const struct model *m, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (gpa >= m->start[i] && gpa < m->end[i])
			return m->deny[i];
	return 0;
}

static void model_apply(struct model *m, u64 gpa, u64 size, u32 deny)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->start[i] == gpa && m->end[i] == gpa + size)
			break;
	if (i < m->n && !deny) {
		m->n--;
		m->start[i] = m->start[m->n];
		m->end[i] = m->end[m->n];
		m->deny[i] = m->deny[m->n];
	} else if (i < m->n) {
		m->deny[i] = deny;
	} else {
		FUZZ_ASSERT(deny && m->n < EPT_WATCH_MAX, "update added a range it should refuse");
		m->start[m->n] = gpa;
		m->end[m->n] = gpa + size;
		m->deny[m->n++] = deny;
	}
}

static void check_set(const struct ept_watch_set *set)
{
	unsigned int i, j;

	FUZZ_ASSERT(set->count <= EPT_WATCH_MAX, "%u ranges", set->count);
	for (i = 0; i < set->count; i++) {
		const struct ept_watch_range *r = &set->ranges[i];

		FUZZ_ASSERT(!(r->start & 0xfff) && !(r->end & 0xfff) && r->end > r->start &&
			    r->deny && !(r->deny & ~VMXLAB_WATCH_DENY_ALL),
			    "range %u: %#llx-%#llx deny %u", i, (unsigned long long)r->start,
			    (unsigned long long)r->end, r->deny);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(r->end <= set->ranges[j].start || r->start >= set->ranges[j].end,
				    "ranges %u and %u overlap", j, i);
	}
}

static void check_perms(u32 base, u32 deny)
{
	u32 p = ept_watch_perms(base, deny);

	FUZZ_ASSERT(!(p & ~base) && !(p & deny) && (!(p & EPT_WRITE) || (p & EPT_READ)),
		    "perms(%#x, %#x) = %#x", base, deny, p);
}

static u64 pick_gpa(struct fuzz_input *in)
{
	static const u64 base[] = { 0, 0x100000, GPA_LIMIT - 0x10000, 0xfee00000 };
	u64 raw = fuzz_take(in, 4);

	if (raw & 1)
		return raw << 8;
	return base[(raw >> 1) & 3] + ((raw >> 3) % 32) * 0x1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ept_watch_set set;
	static struct model model;
	struct fuzz_input in = { data, size, 0 };
	u64 cap = fuzz_take(&in, 1) & 1, page;
	unsigned int i, owner, n;

	memset(&set, 0, sizeof(set));
	memset(&model, 0, sizeof(model));
	for (i = 0; i < 256 && fuzz_left(&in) >= 20; i++) {
		unsigned int kind = fuzz_take(&in, 1) % 4;
		struct vmxlab_ept_watch w = { 0 };
		int r;

		w.gpa = pick_gpa(&in);
		w.size = (fuzz_take(&in, 1) % 8) * 0x1000 + ((fuzz_take(&in, 1) & 0x80) ? 1 : 0);
		w.deny = fuzz_take(&in, 1) % 9;
		if (fuzz_take(&in, 1) == 0xff)
			w.flags = 1;
		if (fuzz_take(&in, 1) == 0xff)
			w.reserved[1] = 1;
		owner = fuzz_take(&in, 1) % 10;
		check_perms(fuzz_take(&in, 1) & EPT_RWX, w.deny & VMXLAB_WATCH_DENY_ALL);
		if (kind <= 1) {
			r = ept_watch_check(&w, GPA_LIMIT, cap);
			FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -EOPNOTSUPP, "check: %d", r);
			if (!r) {
				r = ept_watch_update(&set, w.gpa, w.size, w.deny);
				FUZZ_ASSERT(r == 0 || r == -EEXIST || r == -ENOENT || r == -ENOSPC,
					    "update: %d", r);
				if (!r)
					model_apply(&model, w.gpa, w.size, w.deny);
				FUZZ_ASSERT(set.count == model.n, "%u ranges, model %u", set.count,
					    model.n);
			}
		} else if (kind == 2) {
			r = ept_watch_grant(&set, w.gpa, owner);
			FUZZ_ASSERT(r == 0 || r == -ENOSPC, "grant: %d", r);
			if (!r)
				FUZZ_ASSERT(ept_watch_effective_deny(&set, w.gpa) == 0,
					    "granted page %#llx still denied", (unsigned long long)w.gpa);
		} else {
			n = ept_watch_grants_of(&set, owner);
			while (ept_watch_take_grant(&set, owner, &page))
				FUZZ_ASSERT(n-- > 0, "more grants taken than counted for %u", owner);
			FUZZ_ASSERT(n == 0 && ept_watch_grants_of(&set, owner) == 0,
				    "%u grants of %u left", n, owner);
		}
		check_set(&set);
		FUZZ_ASSERT(ept_watch_deny_at(&set, w.gpa) == model_deny(&model, w.gpa),
			    "deny at %#llx: %u, model %u", (unsigned long long)w.gpa,
			    ept_watch_deny_at(&set, w.gpa), model_deny(&model, w.gpa));
	}
	return 0;
}
