// SPDX-License-Identifier: GPL-2.0
/*
 * The in-machine test programs' shared helpers (lib.h says what each is
 * for).  Linked into every program in progs/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#include "lib.h"

int failures;
int quiet_failures;
char quiet_first[512];
static bool quiet;

void report_quiet(bool on)
{
	quiet = on;
	if (on) {
		quiet_failures = 0;
		quiet_first[0] = '\0';
	}
}

void report(int ok, const char *name, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	if (ok) {
		if (!quiet)
			printf("PASS %s\n", name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (quiet) {
		if (!quiet_failures++)
			snprintf(quiet_first, sizeof(quiet_first), "%s: %s", name, why);
		return;
	}
	failures++;
	printf("FAIL %s: %s\n", name, why);
}

const char *errname(int e)
{
	static char buf[4][64];
	static int turn;
	char *b = buf[turn++ % 4];

	if (!e)
		return "success";
	snprintf(b, sizeof(buf[0]), "%s (%s)", strerrorname_np(e) ?: "?", strerror(e));
	return b;
}

int ioctl_errno(int fd, unsigned long req, void *arg, long *ret)
{
	long r;

	errno = 0;
	r = ioctl(fd, req, arg);
	if (ret)
		*ret = r;
	return r < 0 ? errno : 0;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void catch_signals(void (*handler)(int), const int *sigs, size_t n)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++)
		sigaction(sigs[i], &sa, NULL);
}

void alarm_in(double seconds)
{
	struct itimerval it = { 0 };

	it.it_value.tv_sec = (long)seconds;
	it.it_value.tv_usec = (long)((seconds - (long)seconds) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}

long vmx_users(void)
{
	struct vmxlab_caps caps;
	int fd = open(VMXLAB_DEVICE_PATH, O_RDWR);
	long users = -1;

	if (fd < 0)
		return -1;
	memset(&caps, 0, sizeof(caps));
	if (!ioctl(fd, VMXLAB_GET_CAPS, &caps))
		users = caps.vmx_users;
	close(fd);
	return users;
}

long meminfo_kib(const char *key)
{
	char line[128];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}
