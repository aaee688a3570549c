// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's --cpuid-file parser (tools/run_cpuid.c): any bytes as the
 * file a user hands `vmxlab run`.
 *
 * Invariants besides "no crash, no UB":
 *  - a table comes back or NULL, never a partial one; a table has 1 to
 *    CPUID_FILE_MAX entries;
 *  - every entry keeps the rules the parser promises: only flags 1, 2, 4;
 *    index 0 unless flag 1; no two entries answer the same CPUID;
 *  - the same file parsed twice gives the same table.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include <vmxlab/cpuid.h>

#include "run.h"
#include "vmxlab.h"
#include "fuzz.h"

/* The tool's error reporter: the parser's messages are not needed here. */
void error_msg(const char *fmt, ...)
{
	(void)fmt;
}

static void check_table(const struct kvm_cpuid2 *t)
{
	unsigned int i, j;

	FUZZ_ASSERT(t->nent >= 1 && t->nent <= CPUID_FILE_MAX, "%u entries", t->nent);
	for (i = 0; i < t->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &t->entries[i];

		FUZZ_ASSERT(!(e->flags & ~7u), "entry %u flags %#x", i, e->flags);
		FUZZ_ASSERT(!e->index || (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX),
			    "entry %u index %u without flag 1", i, e->index);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(!cpuid_entries_clash(&t->entries[j], e), "entries %u and %u clash",
				    j, i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct kvm_cpuid2 *t, *t2;

	if (fd < 0) {
		fd = memfd_create("cpuid-file", 0);
		FUZZ_ASSERT(fd >= 0, "memfd_create");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	FUZZ_ASSERT(!ftruncate(fd, 0) && pwrite(fd, data, size, 0) == (ssize_t)size, "memfd write");
	t = cpuid_file_load(path);
	t2 = cpuid_file_load(path);
	FUZZ_ASSERT(!t == !t2, "parsed once but not twice");
	if (t) {
		check_table(t);
		FUZZ_ASSERT(t->nent == t2->nent &&
			    !memcmp(t->entries, t2->entries, t->nent * sizeof(t->entries[0])),
			    "two parses differ");
	}
	free(t);
	free(t2);
	return 0;
}
