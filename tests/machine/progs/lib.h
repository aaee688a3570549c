/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the in-machine test programs share (lib.c, linked into each of
 * them by build-initramfs.sh): one "PASS name" / "FAIL name: why" line per
 * check, the form the in-machine test runner reads (a program exits
 * non-zero when `failures` is not 0), and small helpers around ioctls,
 * time, signals and the kernel's counters.
 */
#ifndef VMXLAB_PROGS_LIB_H
#define VMXLAB_PROGS_LIB_H

#include <stdbool.h>
#include <stddef.h>

/* Checks that failed so far (not counting those made while quiet). */
extern int failures;

/* A PASS line, or a FAIL line with the why that @fmt formats. */
void report(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * While quiet, report() prints nothing: it counts the failures in
 * quiet_failures and keeps the first in quiet_first (a loop that repeats
 * checks already reported once).  report_quiet(true) starts that afresh.
 */
extern int quiet_failures;
extern char quiet_first[512];
void report_quiet(bool on);

/* "EINVAL (Invalid argument)"; "success" for 0.  Four buffers in turn. */
const char *errname(int e);

/* ioctl(): 0 on success, else its errno; the return value in *@ret. */
int ioctl_errno(int fd, unsigned long req, void *arg, long *ret);

/* CLOCK_MONOTONIC in seconds. */
double now(void);

/*
 * @handler for each of the @n signals in @sigs, without SA_RESTART: a
 * signal makes a blocking call (KVM_RUN) return EINTR.
 */
void catch_signals(void (*handler)(int), const int *sigs, size_t n);

/* SIGALRM in @seconds (0: cancel the pending one). */
void alarm_in(double seconds);

/* vmx_users of /dev/vmxlab's VMXLAB_GET_CAPS (-1: cannot tell). */
long vmx_users(void);

/* The /proc/meminfo line @key in KiB (-1: not there). */
long meminfo_kib(const char *key);

#endif /* VMXLAB_PROGS_LIB_H */
