// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ept/ept_watch.c: the checks of VMXLAB_SET_EPT_WATCH, the
 * overlap rules, the rights a watched page keeps in EPT, and the pages an
 * ALLOW_ONCE opens.
 */
#include <vmxlab/ept.h>
#include <vmxlab/ept_watch.h>
#include <vmxlab/vmx_arch.h>
#include "unit.h"

#define R	VMXLAB_WATCH_DENY_READ
#define W	VMXLAB_WATCH_DENY_WRITE
#define X	VMXLAB_WATCH_DENY_EXEC
#define LIMIT	(1ULL << 48)

static int check(u64 gpa, u64 size, u32 deny, u64 cap)
{
	struct vmxlab_ept_watch w = { .gpa = gpa, .size = size, .deny = deny };

	return ept_watch_check(&w, LIMIT, cap);
}

/* If it failed, garbage or an impossible range would be taken as a watch. */
START_TEST(check_rejects_bad_requests)
{
	struct vmxlab_ept_watch w = { .gpa = 0x3000, .size = 0x1000, .deny = W };

	ck_assert_int_eq(ept_watch_check(&w, LIMIT, 0), 0);
	w.flags = 1;
	ck_assert_int_eq(ept_watch_check(&w, LIMIT, 0), -EINVAL);
	w.flags = 0;
	w.reserved[1] = 1;
	ck_assert_int_eq(ept_watch_check(&w, LIMIT, 0), -EINVAL);
	ck_assert_int_eq(check(0x3000, 0x1000, 8, 0), -EINVAL);
	ck_assert_int_eq(check(0x3001, 0x1000, W, 0), -EINVAL);
	ck_assert_int_eq(check(0x3000, 0x800, W, 0), -EINVAL);
	ck_assert_int_eq(check(0x3000, 0, W, 0), -EINVAL);
	ck_assert_int_eq(check(LIMIT, 0x1000, W, 0), -EINVAL);
	ck_assert_int_eq(check(LIMIT - 0x1000, 0x2000, W, 0), -EINVAL);
	ck_assert_int_eq(check(LIMIT - 0x1000, ~0xfffULL, W, 0), -EINVAL);
	ck_assert_int_eq(check(LIMIT - 0x1000, 0x1000, W, 0), 0);
	/* deny 0 is a removal: a valid request. */
	ck_assert_int_eq(check(0x3000, 0x1000, 0, 0), 0);
}
END_TEST

/* If it failed, a watch would build execute-only entries on a CPU that calls them misconfigured: the guest would stop with an EPT misconfiguration. */
START_TEST(check_execute_only_needs_capability)
{
	ck_assert_int_eq(check(0, 0x1000, R, 0), -EOPNOTSUPP);
	ck_assert_int_eq(check(0, 0x1000, R | W, 0), -EOPNOTSUPP);
	ck_assert_int_eq(check(0, 0x1000, R, VMX_EPT_EXECUTE_ONLY), 0);
	ck_assert_int_eq(check(0, 0x1000, R | W, VMX_EPT_EXECUTE_ONLY), 0);
	ck_assert_int_eq(check(0, 0x1000, R | X, 0), 0);
	ck_assert_int_eq(check(0, 0x1000, R | W | X, 0), 0);
	ck_assert_int_eq(check(0, 0x1000, W, 0), 0);
	ck_assert_int_eq(check(0, 0x1000, X, 0), 0);
	ck_assert_int_eq(check(0, 0x1000, W | X, 0), 0);
}
END_TEST

/* If it failed, a watch would leave write-only entries (an EPT misconfiguration) or let through what it denies. */
START_TEST(perms_never_misconfigured)
{
	u32 base, deny, perms;

	for (base = 0; base <= EPT_RWX; base++) {
		for (deny = 0; deny <= VMXLAB_WATCH_DENY_ALL; deny++) {
			perms = ept_watch_perms(base, deny);
			ck_assert_uint_eq(perms & deny, 0);
			ck_assert_uint_eq(perms & ~base, 0);
			ck_assert(!((perms & EPT_WRITE) && !(perms & EPT_READ)));
			/* Everything the base allows and the deny spares stays, but W without R. */
			ck_assert_uint_eq(perms | EPT_WRITE, (base & ~deny) | EPT_WRITE);
		}
	}
	ck_assert_uint_eq(ept_watch_perms(EPT_RWX, W), EPT_READ | EPT_EXEC);
	ck_assert_uint_eq(ept_watch_perms(EPT_RWX, R), EPT_EXEC);
	ck_assert_uint_eq(ept_watch_perms(EPT_RWX, X), EPT_READ | EPT_WRITE);
	ck_assert_uint_eq(ept_watch_perms(EPT_READ | EPT_EXEC, W), EPT_READ | EPT_EXEC);
	ck_assert_uint_eq(ept_watch_perms(EPT_RWX, R | W | X), 0);
	/* Denying read blocks writes too; denying write blocks nothing else. */
	ck_assert_uint_eq(ept_watch_blocked(R), R | W);
	ck_assert_uint_eq(ept_watch_blocked(W), W);
	ck_assert_uint_eq(ept_watch_blocked(X), X);
	ck_assert_uint_eq(ept_watch_blocked(0), 0);
}
END_TEST

/* If it failed, two watches could claim one page, a removal could cut a watch in part, or a 65th watch could overflow the table. */
START_TEST(update_overlap_rules)
{
	static struct ept_watch_set set;
	unsigned int i;

	ck_assert_int_eq(ept_watch_update(&set, 0x4000, 0x4000, W), 0);
	ck_assert_int_eq(ept_watch_update(&set, 0x5000, 0x1000, W), -EEXIST);
	ck_assert_int_eq(ept_watch_update(&set, 0x3000, 0x2000, X), -EEXIST);
	ck_assert_int_eq(ept_watch_update(&set, 0x7000, 0x2000, X), -EEXIST);
	ck_assert_int_eq(ept_watch_update(&set, 0x4000, 0x1000, 0), -EEXIST);
	ck_assert_int_eq(ept_watch_update(&set, 0x8000, 0x1000, X), 0);
	ck_assert_int_eq(ept_watch_update(&set, 0x3000, 0x1000, X), 0);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x2fff), 0);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x3000), X);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x4000), W);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x7fff), W);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x8000), X);
	ck_assert_int_eq(ept_watch_update(&set, 0x4000, 0x4000, R | W | X), 0);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x5000), R | W | X);
	ck_assert_int_eq(ept_watch_update(&set, 0x4000, 0x4000, 0), 0);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x5000), 0);
	ck_assert_int_eq(ept_watch_update(&set, 0x4000, 0x4000, 0), -ENOENT);
	ck_assert_uint_eq(ept_watch_deny_at(&set, 0x8000), X);
	ck_assert_int_eq(ept_watch_update(&set, 0x3000, 0x1000, 0), 0);
	ck_assert_int_eq(ept_watch_update(&set, 0x8000, 0x1000, 0), 0);
	ck_assert_uint_eq(set.count, 0);
	for (i = 0; i < EPT_WATCH_MAX; i++)
		ck_assert_int_eq(ept_watch_update(&set, 0x100000 + i * 0x1000ULL, 0x1000, W), 0);
	ck_assert_int_eq(ept_watch_update(&set, 0x100000 + i * 0x1000ULL, 0x1000, W), -ENOSPC);
	/* Changing one of 64 needs no room. */
	ck_assert_int_eq(ept_watch_update(&set, 0x100000, 0x1000, X), 0);
}
END_TEST

/* If it failed, an ALLOW_ONCE would not open the page, would stay open after the step, or one vCPU's step would close another's page. */
START_TEST(grants_open_and_close_per_owner)
{
	static struct ept_watch_set set;
	unsigned int i;
	u64 page;

	ck_assert_int_eq(ept_watch_update(&set, 0x3000, 0x2000, W), 0);
	ck_assert_uint_eq(ept_watch_effective_deny(&set, 0x3010), W);
	ck_assert_int_eq(ept_watch_grant(&set, 0x3010, 0), 0);
	ck_assert_int_eq(ept_watch_grant(&set, 0x3020, 0), 0);	/* same page: one grant */
	ck_assert_uint_eq(ept_watch_grants_of(&set, 0), 1);
	ck_assert_uint_eq(ept_watch_effective_deny(&set, 0x3ff8), 0);
	ck_assert_uint_eq(ept_watch_effective_deny(&set, 0x4000), W);
	ck_assert_int_eq(ept_watch_grant(&set, 0x4000, 1), 0);
	ck_assert_uint_eq(ept_watch_effective_deny(&set, 0x4000), 0);
	ck_assert(ept_watch_take_grant(&set, 0, &page));
	ck_assert_uint_eq(page, 0x3000);
	ck_assert(!ept_watch_take_grant(&set, 0, &page));
	ck_assert_uint_eq(ept_watch_effective_deny(&set, 0x3000), W);
	ck_assert_uint_eq(ept_watch_effective_deny(&set, 0x4000), 0);
	ck_assert(ept_watch_take_grant(&set, 1, &page));
	ck_assert_uint_eq(page, 0x4000);
	ck_assert_uint_eq(set.grant_count, 0);
	/* One instruction may hold VMXLAB_WATCH_MAX_GRANTS pages, no more. */
	for (i = 0; i < VMXLAB_WATCH_MAX_GRANTS; i++)
		ck_assert_int_eq(ept_watch_grant(&set, 0x10000 + i * 0x1000ULL, 2), 0);
	ck_assert_int_eq(ept_watch_grant(&set, 0x20000, 2), -ENOSPC);
	ck_assert_int_eq(ept_watch_grant(&set, 0x20000, 3), 0);
	ck_assert_uint_eq(ept_watch_grants_of(&set, 2), VMXLAB_WATCH_MAX_GRANTS);
	while (ept_watch_take_grant(&set, 2, &page))
		;
	ck_assert_uint_eq(ept_watch_grants_of(&set, 2), 0);
	ck_assert_uint_eq(ept_watch_grants_of(&set, 3), 1);
}
END_TEST

Suite *ept_watch_suite(void)
{
	Suite *s = suite_create("ept_watch");

	UNIT_ADD(s, "ept_watch", check_rejects_bad_requests);
	UNIT_ADD(s, "ept_watch", check_execute_only_needs_capability);
	UNIT_ADD(s, "ept_watch", perms_never_misconfigured);
	UNIT_ADD(s, "ept_watch", update_overlap_rules);
	UNIT_ADD(s, "ept_watch", grants_open_and_close_per_owner);
	return s;
}
