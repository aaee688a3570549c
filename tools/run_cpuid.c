// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --cpuid-file: a CPUID table written by hand, given to every
 * vCPU with KVM_SET_CPUID2 instead of the device's supported table, so
 * that /dev/vmxlab and /dev/kvm can be run with exactly the same one.
 *
 * The file: one entry a line, seven numbers (decimal, or hex with 0x)
 *
 *   function index flags eax ebx ecx edx
 *
 * as in struct kvm_cpuid_entry2; `#` starts a comment, blank lines are
 * skipped.  flags may hold KVM_CPUID_FLAG_SIGNIFCANT_INDEX (1: the index
 * selects the entry) and the two stateful flags (2, 4) the KVM API
 * documentation defines; nothing else.  Rejected, with the line: a
 * number that is not one or does not fit 32 bits, a missing or extra
 * field, an unknown flag, an index other than 0 without flag 1 (KVM would
 * ignore it), two entries that would answer the same (function, index)
 * (the rule of KVM_SET_CPUID2 itself), more than CPUID_FILE_MAX entries,
 * and a file without any entry (--no-cpuid is the way to give none).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmxlab/cpuid.h>

#include "run.h"
#include "vmxlab.h"

#define CPUID_FILE_FIELDS	7
#define CPUID_FILE_LINE_MAX	512
#define CPUID_FILE_FLAGS	(KVM_CPUID_FLAG_SIGNIFCANT_INDEX | \
				 KVM_CPUID_FLAG_STATEFUL_FUNC | \
				 KVM_CPUID_FLAG_STATE_READ_NEXT)

static const char *const field_names[CPUID_FILE_FIELDS] = {
	"function", "index", "flags", "eax", "ebx", "ecx", "edx",
};

struct cpuid_file {
	const char *path;
	unsigned int line;
	struct kvm_cpuid2 *table;
	unsigned int lines[CPUID_FILE_MAX];	/* the line of each entry */
};

/* "run: --cpuid-file PATH:LINE: " and the message. */
#define file_error(f, fmt, ...) \
	error_msg("run: --cpuid-file %s:%u: " fmt, (f)->path, (f)->line, __VA_ARGS__)

/* One field: a number of 32 bits at most; false (reported) otherwise. */
static bool parse_field(const struct cpuid_file *f, const char *word,
			unsigned int i, uint32_t *value)
{
	unsigned long long n;
	char *end;

	bool hex = word[0] == '0' && (word[1] == 'x' || word[1] == 'X');
	const char *digits = hex ? word + 2 : word;

	errno = 0;
	n = strtoull(digits, &end, hex ? 16 : 10);
	if (!isxdigit((unsigned char)digits[0]) || *end || errno) {
		file_error(f, "%s '%s' is not a number", field_names[i], word);
		return false;
	}
	if (n > 0xffffffffULL) {
		file_error(f, "%s 0x%llx does not fit 32 bits", field_names[i], n);
		return false;
	}
	*value = n;
	return true;
}

static bool check_entry(const struct cpuid_file *f, const struct kvm_cpuid_entry2 *e)
{
	const struct kvm_cpuid2 *t = f->table;
	unsigned int i;

	if (e->flags & ~CPUID_FILE_FLAGS) {
		file_error(f, "flags 0x%x: only 1 (significant index), 2 and 4 (stateful) are flags",
			   e->flags);
		return false;
	}
	if (e->index && !(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)) {
		file_error(f, "index %u without flag 1 (significant index): the index would be ignored",
			   e->index);
		return false;
	}
	for (i = 0; i < t->nent; i++) {
		if (cpuid_entries_clash(&t->entries[i], e)) {
			file_error(f, "function 0x%x index %u answers the same CPUID as line %u",
				   e->function, e->index, f->lines[i]);
			return false;
		}
	}
	if (t->nent == CPUID_FILE_MAX) {
		file_error(f, "more than %d entries (KVM_SET_CPUID2 takes at most that many)",
			   CPUID_FILE_MAX);
		return false;
	}
	return true;
}

/* One line: nothing, or an entry appended; false (reported) if it is bad. */
static bool parse_line(struct cpuid_file *f, char *text)
{
	struct kvm_cpuid_entry2 e = { 0 };
	uint32_t v[CPUID_FILE_FIELDS];
	char *comment = strchr(text, '#'), *word, *pos;
	unsigned int n = 0;

	if (comment)
		*comment = '\0';
	for (word = strtok_r(text, " \t\r\n", &pos); word;
	     word = strtok_r(NULL, " \t\r\n", &pos)) {
		if (n == CPUID_FILE_FIELDS) {
			file_error(f, "'%s' after edx: an entry is 'function index flags eax ebx ecx edx'",
				   word);
			return false;
		}
		if (!parse_field(f, word, n, &v[n]))
			return false;
		n++;
	}
	if (n == 0)
		return true;
	if (n < CPUID_FILE_FIELDS) {
		file_error(f, "%u field(s), want 7: function index flags eax ebx ecx edx", n);
		return false;
	}
	e.function = v[0];
	e.index = v[1];
	e.flags = v[2];
	e.eax = v[3];
	e.ebx = v[4];
	e.ecx = v[5];
	e.edx = v[6];
	if (!check_entry(f, &e))
		return false;
	f->lines[f->table->nent] = f->line;
	f->table->entries[f->table->nent++] = e;
	return true;
}

static bool parse_stream(struct cpuid_file *f, FILE *in)
{
	char text[CPUID_FILE_LINE_MAX];
	size_t len;

	while (fgets(text, sizeof(text), in)) {
		f->line++;
		len = strlen(text);
		if (len == sizeof(text) - 1 && text[len - 1] != '\n' && !feof(in)) {
			file_error(f, "line longer than %d characters", CPUID_FILE_LINE_MAX - 2);
			return false;
		}
		if (!parse_line(f, text))
			return false;
	}
	if (ferror(in)) {
		error_msg("run: --cpuid-file %s: read error: %s", f->path, strerror(errno));
		return false;
	}
	if (!f->table->nent) {
		error_msg("run: --cpuid-file %s: no entries (--no-cpuid runs without a CPUID table)",
			  f->path);
		return false;
	}
	return true;
}

struct kvm_cpuid2 *cpuid_file_load(const char *path)
{
	struct cpuid_file *f = calloc(1, sizeof(*f));
	struct kvm_cpuid2 *table = NULL;
	FILE *in;

	if (!f)
		return NULL;
	f->path = path;
	f->table = calloc(1, sizeof(*f->table) +
			  CPUID_FILE_MAX * sizeof(f->table->entries[0]));
	in = fopen(path, "r");
	if (!in)
		error_msg("run: --cpuid-file %s: %s", path, strerror(errno));
	else if (f->table && parse_stream(f, in))
		table = f->table;
	if (in)
		fclose(in);
	if (!table)
		free(f->table);
	free(f);
	return table;
}
