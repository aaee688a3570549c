// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab host unit tests: runner.
 *
 *   vmxlab-unit [RESULTS_FILE]
 *
 * Runs every suite (verbosity from CK_VERBOSITY), writes one line per test
 * to RESULTS_FILE ("PASS unit/<suite>/<test>" or
 * "FAIL unit/<suite>/<test>: message"), prints Check's
 * summary last, and exits 1 when any test failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void put_oneline(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static int write_results(SRunner *sr, const char *path)
{
	TestResult **trs = srunner_results(sr);
	int i, n = srunner_ntests_run(sr);
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		free(trs);
		return -1;
	}
	for (i = 0; i < n; i++) {
		TestResult *tr = trs[i];

		if (tr_rtype(tr) == CK_PASS) {
			fprintf(f, "PASS unit/%s\n", tr_tcname(tr));
		} else {
			fprintf(f, "FAIL unit/%s: ", tr_tcname(tr));
			if (tr_rtype(tr) == CK_ERROR)
				fputs("error: ", f);
			put_oneline(f, tr_msg(tr));
			fprintf(f, " (%s:%d)\n", tr_lfile(tr) ? tr_lfile(tr) : "?", tr_lno(tr));
		}
	}
	free(trs);
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *results = argc > 1 ? argv[1] : "results.txt";
	SRunner *sr = srunner_create(caps_suite());
	int failed, bad_file;

	srunner_add_suite(sr, names_suite());
	srunner_add_suite(sr, exits_suite());
	srunner_add_suite(sr, ept_suite());
	srunner_add_suite(sr, cpuid_suite());
	srunner_add_suite(sr, mmio_decode_suite());
	srunner_add_suite(sr, guest_walk_suite());
	srunner_add_suite(sr, ept_watch_suite());
	srunner_add_suite(sr, entry_checks_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	bad_file = write_results(sr, results);
	printf("vmxlab unit: per-test results in %s\n", results);
	/* Check's own summary line, last. */
	srunner_print(sr, CK_MINIMAL);
	srunner_free(sr);
	return failed || bad_file ? EXIT_FAILURE : EXIT_SUCCESS;
}
