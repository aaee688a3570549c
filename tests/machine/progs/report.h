/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One "PASS name" / "FAIL name: why" line per check, the form the
 * in-machine test runner reads; a program exits non-zero when `failures`
 * is not 0.  Each test program is one .c file built on its own, so this
 * header holds the definitions.
 */
#ifndef VMXLAB_PROGS_REPORT_H
#define VMXLAB_PROGS_REPORT_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

static void report(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#endif /* VMXLAB_PROGS_REPORT_H */
