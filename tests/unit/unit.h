/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab host unit tests: shared declarations.
 *
 * Every test sits in its own Check test case named after it, so that the
 * per-test results file can name each test (Check reports the test-case
 * name of every result).
 */
#ifndef VMXLAB_TESTS_UNIT_H
#define VMXLAB_TESTS_UNIT_H

#include <check.h>

/* Add test @fn to suite @s in a test case named "<suite>/<fn>". */
#define UNIT_ADD(s, suite, fn) do {			\
		TCase *tc_ = tcase_create(suite "/" #fn); \
		tcase_add_test(tc_, fn);		\
		suite_add_tcase((s), tc_);		\
	} while (0)

/*
 * A deterministic pseudo-random sequence (xorshift64*) for property tests:
 * the same seed gives the same values, so a failure reproduces.
 */
void unit_rng_seed(unsigned long long seed);
unsigned long long unit_rng_next(void);

Suite *caps_suite(void);
Suite *names_suite(void);
Suite *exits_suite(void);
Suite *ept_suite(void);
Suite *cpuid_suite(void);
Suite *mmio_decode_suite(void);
Suite *guest_walk_suite(void);
Suite *entry_checks_suite(void);
Suite *ept_watch_suite(void);

#endif /* VMXLAB_TESTS_UNIT_H */
