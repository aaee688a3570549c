// SPDX-License-Identifier: GPL-2.0
/*
 * The model of the VM-entry checks (vmcs/entry_checks.c) on any VMCS,
 * with Bochs' capability MSRs (tools/tests/bochs-haswell.caps.hex): the
 * state VMXLAB_CHECK_ENTRY and VMXLAB_SET_VMCS judge for a user.
 *
 * Input: MAXPHYADDR, the linear-address width, an address and a segment
 * limit for the shared rules, then, for each field
 * in the order the model first reads it, a byte (bit 7 set: the CPU lacks
 * the field) and its 8-byte value.  Missing bytes read as 0.
 * Invariants besides "no crash, no UB":
 *  - 0 <= failures <= entry_check_count(); with max 0 and no output the
 *    count is the same (the verdict does not depend on the buffer);
 *  - the same VMCS checked twice gives the same failures in the same order;
 *  - every failure points into entry_check_table, with its id, section,
 *    rule and area, and failures come in SDM order (controls, host, guest);
 *  - a fixed-bit failure (allowed0 or allowed1 set) breaks its rule:
 *    (~value & allowed0) | (value & ~allowed1) is not 0;
 *  - the rules shared with KVM_SET_SREGS agree with the SDM's words:
 *    canonical = bits 63:N-1 all equal, a physical address sets no bit at
 *    or above MAXPHYADDR (0 or > 52 counting as 52), a limit fits its
 *    granularity.
 */
#include <errno.h>
#include <vmxlab/entry_checks.h>

#include "fuzz.h"

#define MAX_FAILURES	64
#define MAX_READS	1024

static struct vmxlab_caps caps;

/* The saved struct vmxlab_caps: hex bytes, '#' comments. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f = fopen(VMXLAB_CAPS_FIXTURE, "r");
	unsigned char *bytes = (unsigned char *)&caps;
	size_t n = 0;
	char line[256];

	(void)argc;
	(void)argv;
	if (!f) {
		perror(VMXLAB_CAPS_FIXTURE);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		unsigned int byte;

		if (line[0] == '#')
			continue;
		while (n < sizeof(caps) && sscanf(p, "%2x", &byte) == 1) {
			bytes[n++] = byte;
			p += 2;
		}
	}
	fclose(f);
	if (n != sizeof(caps)) {
		fprintf(stderr, "%s: %zu bytes, want %zu\n", VMXLAB_CAPS_FIXTURE, n, sizeof(caps));
		exit(1);
	}
	return 0;
}

/*
 * The VMCS: a field gets its value from the input the first time the
 * model reads it and keeps it, so that a second run sees the same VMCS.
 */
struct vmcs {
	struct fuzz_input in;
	unsigned int n;
	u32 field[MAX_READS];
	u64 value[MAX_READS];
	bool present[MAX_READS];
};

static bool read_field(void *ctx, u32 field, u64 *value)
{
	struct vmcs *v = ctx;
	unsigned int i;

	for (i = 0; i < v->n; i++)
		if (v->field[i] == field)
			break;
	if (i == v->n) {
		FUZZ_ASSERT(v->n < MAX_READS, "more than %d fields read", MAX_READS);
		v->field[i] = field;
		v->present[i] = !(fuzz_take(&v->in, 1) & 0x80);
		v->value[i] = fuzz_take(&v->in, 8);
		v->n++;
	}
	*value = v->present[i] ? v->value[i] : 0;
	return v->present[i];
}

static void check_failure(const struct entry_check_failure *f, enum entry_check_area *last)
{
	const struct entry_check *c = f->check;
	uint64_t broken = (~f->value & f->allowed0) | (f->value & ~f->allowed1);

	FUZZ_ASSERT(c >= entry_check_table && c < entry_check_table + entry_check_count(),
		    "a failure outside the table");
	FUZZ_ASSERT(f->id == c->id && f->section == c->section && f->rule == c->rule &&
		    f->area == c->area, "failure %s disagrees with its check", f->id);
	FUZZ_ASSERT(f->area >= *last, "%s (area %d) after area %d", f->id, f->area, *last);
	*last = f->area;
	if (f->allowed0 || f->allowed1)
		FUZZ_ASSERT(broken, "%s: value %#llx keeps allowed0 %#llx / allowed1 %#llx", f->id,
			    (unsigned long long)f->value, (unsigned long long)f->allowed0,
			    (unsigned long long)f->allowed1);
}

static void check_shared_rules(const struct entry_check_cpu *cpu, u64 a, u64 limit, bool g)
{
	unsigned int w = cpu->linear_bits ? cpu->linear_bits : 48;
	unsigned int p = cpu->maxphyaddr && cpu->maxphyaddr <= 52 ? cpu->maxphyaddr : 52;
	u64 top = a >> (w - 1);

	FUZZ_ASSERT(entry_check_canonical(cpu, a) == (top == 0 || top == (~0ULL >> (w - 1))),
		    "canonical(%#llx) with %u bits", (unsigned long long)a, w);
	FUZZ_ASSERT(entry_check_phys_ok(cpu, a) == !(a >> p), "phys_ok(%#llx) with %u bits",
		    (unsigned long long)a, p);
	FUZZ_ASSERT(entry_check_seg_limit_ok(limit, g) ==
		    (g ? (limit & 0xfff) == 0xfff : !(limit & 0xfff00000ULL)),
		    "seg_limit_ok(%#llx, g=%d)", (unsigned long long)limit, g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcs vmcs;
	static struct entry_check_failure out[MAX_FAILURES], again[MAX_FAILURES];
	struct fuzz_input in = { data, size, 0 };
	struct entry_check_cpu cpu = { .caps = &caps };
	enum entry_check_area last = ENTRY_CHECK_CONTROLS;
	int n, n2, n0, i;

	cpu.maxphyaddr = fuzz_take(&in, 1) % 64;
	cpu.linear_bits = (fuzz_take(&in, 1) & 1) ? 57 : 48;
	{
		u64 a = fuzz_take(&in, 8), limit = fuzz_take(&in, 4);

		check_shared_rules(&cpu, a, limit, limit & 1);
	}
	memset(&vmcs, 0, sizeof(vmcs));
	vmcs.in = in;

	n = entry_checks_run(&cpu, read_field, &vmcs, out, MAX_FAILURES);
	FUZZ_ASSERT(n >= 0 && (unsigned int)n <= entry_check_count(), "%d failures of %u checks",
		    n, entry_check_count());
	for (i = 0; i < n && i < MAX_FAILURES; i++)
		check_failure(&out[i], &last);

	n2 = entry_checks_run(&cpu, read_field, &vmcs, again, MAX_FAILURES);
	FUZZ_ASSERT(n2 == n, "second run: %d failures, first %d", n2, n);
	for (i = 0; i < n && i < MAX_FAILURES; i++)
		FUZZ_ASSERT(again[i].check == out[i].check && again[i].value == out[i].value &&
			    again[i].field == out[i].field, "second run differs at %d (%s / %s)",
			    i, again[i].id, out[i].id);
	n0 = entry_checks_run(&cpu, read_field, &vmcs, NULL, 0);
	FUZZ_ASSERT(n0 == n, "with no buffer: %d failures, with one %d", n0, n);
	return 0;
}
