// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-boot-cost LABEL MARKER LOG -- COMMAND [ARG...]: what it costs a
 * VMM to boot a guest to its first words, for `make bench`
 * (tests/bench/bench.sh runs Debian's QEMU with it on vmxlab and on
 * kvm_intel, the same command).  Runs COMMAND with its standard output
 * and error into a pipe that this program reads, copies everything to the
 * file LOG, and prints
 *
 *   BENCH LABEL qemu-boot N     RDTSC from just before COMMAND starts to
 *                               the first line that begins with MARKER
 *                               (a guest's line; a carriage return is
 *                               allowed before it)
 *   BENCH LABEL qemu-run N      to COMMAND's exit, if it exited with 0
 *
 * or a `BENCH-ERROR` line saying what went wrong; exits 1 then.  In Bochs
 * with `count=1` the TSC counts retired instructions of the whole machine
 * (QEMU, both hypervisors' kernel code, the guest, the idle loop), so N
 * is the machine's work for the boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

static const char *label;

static void __attribute__((noreturn)) error_exit(const char *what)
{
	printf("BENCH-ERROR %s: %s: %s\n", label, what, strerror(errno));
	exit(1);
}

/* COMMAND with stdout and stderr into a new pipe; returns its read end. */
static int start_command(char **argv, pid_t *pid)
{
	int fds[2], devnull;

	if (pipe(fds))
		error_exit("pipe");
	*pid = fork();
	if (*pid < 0)
		error_exit("fork");
	if (*pid == 0) {
		devnull = open("/dev/null", O_RDONLY);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(126);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

/* Does the line begin with the marker (after carriage returns)? */
static bool line_marked(const char *line, const char *marker)
{
	while (*line == '\r')
		line++;
	return !strncmp(line, marker, strlen(marker));
}

int main(int argc, char **argv)
{
	const char *marker, *log_path;
	uint64_t start, marked = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *out, *log;
	int status, fd;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr, "usage: %s LABEL MARKER LOG -- COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	label = argv[1];
	marker = argv[2];
	log_path = argv[3];
	log = fopen(log_path, "w");
	if (!log)
		error_exit(log_path);
	start = __rdtsc();
	fd = start_command(argv + 5, &pid);
	out = fdopen(fd, "r");
	if (!out)
		error_exit("fdopen");
	while (getline(&line, &cap, out) >= 0) {
		if (!marked && line_marked(line, marker))
			marked = __rdtsc();
		fputs(line, log);
	}
	if (waitpid(pid, &status, 0) != pid)
		error_exit("waitpid");
	fclose(log);
	if (!marked) {
		printf("BENCH-ERROR %s: %s printed no line beginning with \"%s\" "
		       "(status %#x; its output: %s)\n", label, argv[5], marker, status, log_path);
		return 1;
	}
	printf("BENCH %s qemu-boot %llu\n", label, (unsigned long long)(marked - start));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("BENCH-ERROR %s: %s ended with status %#x (its output: %s)\n", label,
		       argv[5], status, log_path);
		return 1;
	}
	printf("BENCH %s qemu-run %llu\n", label, (unsigned long long)(__rdtsc() - start));
	return 0;
}
