// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg-tail SEQFILE: print the kernel log records newer than the sequence
 * number stored in SEQFILE (none stored: all of them), one text per line,
 * then store the newest sequence number back.
 *
 * Why not `dmesg | tail -n +N`: line counts break when the ring buffer
 * wraps (50 insmod cycles log a lot); /dev/kmsg's sequence numbers do not.
 * The in-machine runner calls this after every test so that each test is
 * judged by the kernel lines it caused, and no others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long long read_seq(const char *path)
{
	long long seq = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &seq) != 1)
			seq = -1;
		fclose(f);
	}
	return seq;
}

static int write_seq(const char *path, long long seq)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%lld\n", seq) < 0 || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

/* One record: "prio,seq,usec,flags;text\n" then optional " KEY=value" lines. */
static void print_record(char *rec, long long after, long long *newest)
{
	long long seq;
	char *text = strchr(rec, ';');
	char *end;

	if (!text || sscanf(rec, "%*u,%lld,", &seq) != 1)
		return;
	if (seq > *newest)
		*newest = seq;
	if (seq <= after)
		return;
	end = strchr(++text, '\n');
	if (end)
		*end = '\0';
	puts(text);
}

int main(int argc, char **argv)
{
	static char rec[8192];
	long long after, newest;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: kmsg-tail SEQFILE\n");
		return 2;
	}
	after = read_seq(argv[1]);
	newest = after;
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		perror("/dev/kmsg");
		return 1;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten before we read them */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EAGAIN: no more records */
		rec[n] = '\0';
		print_record(rec, after, &newest);
	}
	close(fd);
	fflush(stdout);
	return write_seq(argv[1], newest) ? 1 : 0;
}
