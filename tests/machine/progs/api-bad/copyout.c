// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel copies out: every ioctl that answers with a structure
 * is called twice, on a buffer pre-filled with 0xAA and then with 0x55,
 * on unchanged state.  A byte the kernel defines is the same both times;
 * a byte it does not write keeps the caller's fill.  So:
 *   - padding, reserved and unused fields (array entries past the count
 *     the call returns, a string's bytes past its NUL, a VMCS field's
 *     value where the flags say 0) must read 0 or the caller's own fill;
 *   - any other byte must read the same after both calls, or be the
 *     caller's fill both times: a byte that changes between two calls on
 *     unchanged state is not a value the kernel defines (stale stack or
 *     heap bytes: a leak of kernel memory, CVE-2019-7222's kind).
 * The KVM structures are checked on KVM too (the reference, --kvm);
 * vmxlab's own (magic 0xd9) on vmxlab only.  The program pins itself to
 * CPU 0 first, so that the host state a VMCS holds is one CPU's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api-bad.h"

#define FILL_A	0xaa
#define FILL_B	0x55
#define MSR_IA32_TSC	0x10	/* changes between two calls: left out */

/* Sets the input fields of @buf (already filled) and makes the call; an errno. */
typedef int (*copyout_call)(int fd, void *buf, void *ctx);

struct copyout {
	const char *name;	/* the sub-result's prefix, e.g. "copyout-get-sregs" */
	uint8_t *a, *b;		/* the buffer after the call on each fill */
	size_t size;
	int bad;		/* bytes found wrong, reported once per check kind */
};

/* Both calls; false (and a FAIL line) when either fails. */
static bool copyout_twice(struct copyout *c, size_t size, int fd, copyout_call call,
			  void *ctx)
{
	int ea, eb;

	c->size = size;
	c->bad = 0;
	c->a = malloc(size);
	c->b = malloc(size);
	if (!c->a || !c->b) {
		report(0, c->name, "out of memory for %zu bytes", size);
		return false;
	}
	memset(c->a, FILL_A, size);
	ea = call(fd, c->a, ctx);
	memset(c->b, FILL_B, size);
	eb = call(fd, c->b, ctx);
	report(!ea && !eb, c->name, "calls on 0xAA- and 0x55-filled buffers: %s, %s; want success",
	       errname(ea), errname(eb));
	return !ea && !eb;
}

static void copyout_free(struct copyout *c)
{
	free(c->a);
	free(c->b);
	c->a = c->b = NULL;
}

/* Bytes [@off, @off + @len) are padding or unused: 0 or the caller's fill. */
static void expect_unused(struct copyout *c, size_t off, size_t len, const char *what)
{
	char name[96];
	size_t i;

	for (i = off; i < off + len && i < c->size; i++) {
		if ((c->a[i] == 0 || c->a[i] == FILL_A) && (c->b[i] == 0 || c->b[i] == FILL_B))
			continue;
		snprintf(name, sizeof(name), "%s-%s-clean", c->name, what);
		report(0, name, "byte %zu (%s, offset %zu into it) reads 0x%02x / 0x%02x after 0xAA / 0x55 fills: want 0 or the fill, not kernel data",
		       i, what, i - off, c->a[i], c->b[i]);
		c->bad++;
		return;
	}
}

/* Every byte of [@off, @off + @len) defined: equal after both calls, or the fill both times. */
static void expect_stable(struct copyout *c, size_t off, size_t len)
{
	char name[96];
	size_t i;

	for (i = off; i < off + len && i < c->size; i++) {
		if (c->a[i] == c->b[i] || (c->a[i] == FILL_A && c->b[i] == FILL_B))
			continue;
		snprintf(name, sizeof(name), "%s-defined", c->name);
		report(0, name, "byte %zu reads 0x%02x after a 0xAA fill, 0x%02x after a 0x55 fill, state unchanged: not a value the kernel defines",
		       i, c->a[i], c->b[i]);
		c->bad++;
		return;
	}
}

static void copyout_done(struct copyout *c)
{
	char name[96];

	snprintf(name, sizeof(name), "%s-no-kernel-bytes", c->name);
	report(!c->bad, name, "%d problem(s), each reported above", c->bad);
	copyout_free(c);
}

/* A fixed-size structure that takes no input: @req with the buffer. */
static int call_plain(int fd, void *buf, void *ctx)
{
	return ioctl_errno(fd, *(unsigned long *)ctx, buf, NULL);
}

#define FIELD_SPAN(type, field) offsetof(type, field), sizeof(((type *)0)->field)

static void copyout_regs(int vcpu)
{
	struct copyout c = { .name = "copyout-get-regs" };
	unsigned long req = KVM_GET_REGS;

	if (copyout_twice(&c, sizeof(struct kvm_regs), vcpu, call_plain, &req))
		expect_stable(&c, 0, c.size);
	copyout_done(&c);
}

static void copyout_sregs(int vcpu)
{
	static const size_t segs[] = {
		offsetof(struct kvm_sregs, cs), offsetof(struct kvm_sregs, ds),
		offsetof(struct kvm_sregs, es), offsetof(struct kvm_sregs, fs),
		offsetof(struct kvm_sregs, gs), offsetof(struct kvm_sregs, ss),
		offsetof(struct kvm_sregs, tr), offsetof(struct kvm_sregs, ldt),
	};
	struct copyout c = { .name = "copyout-get-sregs" };
	unsigned long req = KVM_GET_SREGS;
	size_t i;

	if (copyout_twice(&c, sizeof(struct kvm_sregs), vcpu, call_plain, &req)) {
		expect_stable(&c, 0, c.size);
		for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
			expect_unused(&c, segs[i] + offsetof(struct kvm_segment, padding), 1,
				      "segment-padding");
		expect_unused(&c, offsetof(struct kvm_sregs, gdt) +
			      offsetof(struct kvm_dtable, padding), 6, "gdt-padding");
		expect_unused(&c, offsetof(struct kvm_sregs, idt) +
			      offsetof(struct kvm_dtable, padding), 6, "idt-padding");
	}
	copyout_done(&c);
}

/*
 * fpr[i] holds an 80-bit register in its first 10 bytes; the other 6 are
 * FXSAVE's reserved bytes, 0 in a fresh vCPU's state.
 */
static void copyout_fpu(int vcpu)
{
	struct copyout c = { .name = "copyout-get-fpu" };
	unsigned long req = KVM_GET_FPU;
	int i;

	if (copyout_twice(&c, sizeof(struct kvm_fpu), vcpu, call_plain, &req)) {
		expect_stable(&c, 0, c.size);
		expect_unused(&c, FIELD_SPAN(struct kvm_fpu, pad1), "pad1");
		expect_unused(&c, FIELD_SPAN(struct kvm_fpu, pad2), "pad2");
		for (i = 0; i < 8; i++)
			expect_unused(&c, offsetof(struct kvm_fpu, fpr) + 16 * i + 10, 6,
				      "fpr-reserved");
	}
	copyout_done(&c);
}

static void copyout_vcpu_events(int vcpu)
{
	struct copyout c = { .name = "copyout-get-vcpu-events" };
	unsigned long req = KVM_GET_VCPU_EVENTS;

	if (copyout_twice(&c, sizeof(struct kvm_vcpu_events), vcpu, call_plain, &req)) {
		expect_stable(&c, 0, c.size);
		expect_unused(&c, FIELD_SPAN(struct kvm_vcpu_events, nmi.pad), "nmi-pad");
		/* reserved[0] is triple_fault.pending, which has a meaning. */
		expect_unused(&c, offsetof(struct kvm_vcpu_events, reserved) + 1,
			      sizeof(((struct kvm_vcpu_events *)0)->reserved) - 1, "reserved");
	}
	copyout_done(&c);
}

static void copyout_debugregs(int vcpu)
{
	struct copyout c = { .name = "copyout-get-debugregs" };
	unsigned long req = KVM_GET_DEBUGREGS;

	if (copyout_twice(&c, sizeof(struct kvm_debugregs), vcpu, call_plain, &req)) {
		expect_stable(&c, 0, c.size);
		expect_unused(&c, FIELD_SPAN(struct kvm_debugregs, flags), "flags");
		expect_unused(&c, FIELD_SPAN(struct kvm_debugregs, reserved), "reserved");
	}
	copyout_done(&c);
}

static void copyout_mp_state(int vcpu)
{
	struct copyout c = { .name = "copyout-get-mp-state" };
	unsigned long req = KVM_GET_MP_STATE;

	if (copyout_twice(&c, sizeof(struct kvm_mp_state), vcpu, call_plain, &req))
		expect_stable(&c, 0, c.size);
	copyout_done(&c);
}

/* KVM_GET_SUPPORTED_CPUID with room for 256 entries. */
#define CPUID_ROOM	256

static int call_supported_cpuid(int fd, void *buf, void *ctx)
{
	struct kvm_cpuid2 *c = buf;

	(void)ctx;
	c->nent = CPUID_ROOM;
	return ioctl_errno(fd, KVM_GET_SUPPORTED_CPUID, c, NULL);
}

static void copyout_supported_cpuid(int sys)
{
	struct copyout c = { .name = "copyout-get-supported-cpuid" };
	size_t entries = offsetof(struct kvm_cpuid2, entries);
	size_t one = sizeof(struct kvm_cpuid_entry2);
	uint32_t n, i;

	if (copyout_twice(&c, entries + CPUID_ROOM * one, sys, call_supported_cpuid, NULL)) {
		expect_stable(&c, 0, c.size);
		n = ((struct kvm_cpuid2 *)c.a)->nent;
		for (i = 0; i < n && i < CPUID_ROOM; i++)
			expect_unused(&c, entries + i * one + offsetof(struct kvm_cpuid_entry2, padding),
				      sizeof(((struct kvm_cpuid_entry2 *)0)->padding),
				      "entry-padding");
		if (n < CPUID_ROOM)
			expect_unused(&c, entries + n * one, (CPUID_ROOM - n) * one,
				      "entries-past-nent");
	}
	copyout_done(&c);
}

#define MSR_LIST_ROOM	512

static int call_msr_index_list(int fd, void *buf, void *ctx)
{
	struct kvm_msr_list *l = buf;

	(void)ctx;
	l->nmsrs = MSR_LIST_ROOM;
	return ioctl_errno(fd, KVM_GET_MSR_INDEX_LIST, l, NULL);
}

/* The list's first three MSRs but the TSC, for KVM_GET_MSRS; how many found. */
static int copyout_msr_index_list(int sys, uint32_t pick[3])
{
	struct copyout c = { .name = "copyout-get-msr-index-list" };
	size_t head = offsetof(struct kvm_msr_list, indices);
	uint32_t n = 0, i;
	int picked = 0;

	if (copyout_twice(&c, head + MSR_LIST_ROOM * 4, sys, call_msr_index_list, NULL)) {
		expect_stable(&c, 0, c.size);
		n = ((struct kvm_msr_list *)c.a)->nmsrs;
		if (n < MSR_LIST_ROOM)
			expect_unused(&c, head + n * 4, (MSR_LIST_ROOM - n) * 4,
				      "indices-past-nmsrs");
		for (i = 0; i < n && i < MSR_LIST_ROOM && picked < 3; i++) {
			uint32_t index = ((struct kvm_msr_list *)c.a)->indices[i];

			if (index != MSR_IA32_TSC)
				pick[picked++] = index;
		}
	}
	copyout_done(&c);
	return picked;
}

/* KVM_GET_MSRS of @ctx's three MSRs, in a buffer with room for four entries. */
static int call_get_msrs(int fd, void *buf, void *ctx)
{
	const uint32_t *pick = ctx;
	struct kvm_msrs *m = buf;
	long ret;
	int e, i;

	m->nmsrs = 3;
	m->pad = 0;
	for (i = 0; i < 3; i++) {
		m->entries[i].index = pick[i];
		m->entries[i].reserved = 0;
	}
	e = ioctl_errno(fd, KVM_GET_MSRS, m, &ret);
	if (!e && ret != 3)
		e = ENODATA;	/* fewer read: no reason to, on a fresh vCPU */
	return e;
}

static void copyout_msrs(int vcpu, uint32_t pick[3])
{
	struct copyout c = { .name = "copyout-get-msrs" };
	size_t entries = offsetof(struct kvm_msrs, entries);
	size_t one = sizeof(struct kvm_msr_entry);
	int i;

	if (copyout_twice(&c, entries + 4 * one, vcpu, call_get_msrs, pick)) {
		expect_stable(&c, 0, c.size);
		for (i = 0; i < 3; i++)
			expect_unused(&c, entries + i * one + offsetof(struct kvm_msr_entry, reserved),
				      4, "entry-reserved");
		expect_unused(&c, entries + 3 * one, one, "entry-past-nmsrs");
	}
	copyout_done(&c);
}

/* vmxlab only: VMXLAB_GET_CAPS; an MSR not read must be 0. */
static int call_get_caps(int fd, void *buf, void *ctx)
{
	struct vmxlab_caps *caps = buf;

	(void)ctx;
	caps->flags = 0;
	caps->pad = 0;
	memset(caps->reserved, 0, sizeof(caps->reserved));
	return ioctl_errno(fd, VMXLAB_GET_CAPS, caps, NULL);
}

static void copyout_caps(int sys)
{
	struct copyout c = { .name = "copyout-vmxlab-get-caps" };
	const struct vmxlab_caps *caps;
	int i;

	if (copyout_twice(&c, sizeof(struct vmxlab_caps), sys, call_get_caps, NULL)) {
		expect_stable(&c, 0, c.size);
		for (i = 0; i < VMXLAB_MAX_CONTROL_SETS; i++)
			expect_unused(&c, offsetof(struct vmxlab_caps, controls) +
				      i * sizeof(struct vmxlab_control_choice) +
				      offsetof(struct vmxlab_control_choice, pad),
				      sizeof(((struct vmxlab_control_choice *)0)->pad), "control-pad");
		expect_unused(&c, FIELD_SPAN(struct vmxlab_caps, pad), "pad");
		expect_unused(&c, FIELD_SPAN(struct vmxlab_caps, reserved), "reserved");
		caps = (const struct vmxlab_caps *)c.a;
		for (i = 0; i < VMXLAB_MAX_CAP_MSRS; i++)
			if (!(caps->msr_valid & (1ULL << i)))
				expect_unused(&c, offsetof(struct vmxlab_caps, msr) + 8 * i, 8,
					      "msr-not-read");
	}
	copyout_done(&c);
}

/* vmxlab only: VMXLAB_GET_CPU_STATE of every CPU. */
static int call_cpu_state(int fd, void *buf, void *ctx)
{
	struct vmxlab_cpu_state *s = buf;

	s->cpu = *(unsigned int *)ctx;
	memset(s->reserved, 0, sizeof(s->reserved));
	return ioctl_errno(fd, VMXLAB_GET_CPU_STATE, s, NULL);
}

static void copyout_cpu_state(int sys)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int cpu;

	for (cpu = 0; cpu < cpus; cpu++) {
		char name[48];
		struct copyout c = { .name = name };

		snprintf(name, sizeof(name), "copyout-vmxlab-get-cpu-state-%u", cpu);

		if (copyout_twice(&c, sizeof(struct vmxlab_cpu_state), sys, call_cpu_state, &cpu))
			expect_stable(&c, 0, c.size);
		copyout_done(&c);
	}
}

/*
 * vmxlab only, buffers holding a header and the array it points to: the
 * header first, the array after it (the pointer set by each call).
 */
#define VMCS_ROOM	512

static int call_get_vmcs(int fd, void *buf, void *ctx)
{
	struct vmxlab_vmcs_snapshot *s = buf;

	(void)ctx;
	s->nfields = VMCS_ROOM;
	s->flags = 0;
	s->fields = (uintptr_t)(s + 1);
	memset(s->reserved, 0, sizeof(s->reserved));
	return ioctl_errno(fd, VMXLAB_GET_VMCS, s, NULL);
}

/*
 * uapi.h: a field the CPU lacks has no SUPPORTED flag and value 0; a
 * hidden one, value 0.  The header's pointer differs by design (each
 * buffer's own): the stable check covers the array only.
 */
static void copyout_vmcs(int vcpu)
{
	struct copyout c = { .name = "copyout-vmxlab-get-vmcs" };
	size_t head = sizeof(struct vmxlab_vmcs_snapshot);
	size_t one = sizeof(struct vmxlab_vmcs_field);
	const struct vmxlab_vmcs_field *f;
	uint32_t n, i;

	if (copyout_twice(&c, head + VMCS_ROOM * one, vcpu, call_get_vmcs, NULL)) {
		expect_stable(&c, head, c.size - head);
		n = ((struct vmxlab_vmcs_snapshot *)c.a)->nfields;
		f = (const struct vmxlab_vmcs_field *)(c.a + head);
		for (i = 0; i < n && i < VMCS_ROOM; i++) {
			if (f[i].flags & ~(VMXLAB_VMCS_FIELD_SUPPORTED | VMXLAB_VMCS_FIELD_HIDDEN))
				expect_unused(&c, head + i * one + offsetof(struct vmxlab_vmcs_field, flags),
					      4, "field-flags");
			if (!(f[i].flags & VMXLAB_VMCS_FIELD_SUPPORTED) ||
			    (f[i].flags & VMXLAB_VMCS_FIELD_HIDDEN))
				expect_unused(&c, head + i * one + offsetof(struct vmxlab_vmcs_field, value),
					      8, "field-value-unsupported-or-hidden");
		}
		if (n < VMCS_ROOM)
			expect_unused(&c, head + n * one, (VMCS_ROOM - n) * one, "fields-past-nfields");
	}
	copyout_done(&c);
}

#define TRACE_ROOM	16

static int call_read_trace(int fd, void *buf, void *ctx)
{
	struct vmxlab_trace_read *rd = buf;

	(void)ctx;
	rd->from_seq = 0;
	rd->records = (uintptr_t)(rd + 1);
	rd->max = TRACE_ROOM;
	memset(rd->reserved, 0, sizeof(rd->reserved));
	return ioctl_errno(fd, VMXLAB_READ_TRACE, rd, NULL);
}

static void copyout_trace(int vcpu)
{
	struct copyout c = { .name = "copyout-vmxlab-read-trace" };
	size_t head = sizeof(struct vmxlab_trace_read);
	size_t one = sizeof(struct vmxlab_trace_record);
	uint32_t n;

	if (copyout_twice(&c, head + TRACE_ROOM * one, vcpu, call_read_trace, NULL)) {
		expect_stable(&c, head, c.size - head);
		n = ((struct vmxlab_trace_read *)c.a)->count;
		report(n > 0, "copyout-vmxlab-read-trace-has-records", "count %u: want > 0", n);
		if (n < TRACE_ROOM)
			expect_unused(&c, head + n * one, (TRACE_ROOM - n) * one, "records-past-count");
	}
	copyout_done(&c);
}

static int call_get_exit_cycles(int fd, void *buf, void *ctx)
{
	struct vmxlab_cycles_read *rd = buf;

	(void)ctx;
	rd->flags = 0;
	rd->reasons = (uintptr_t)(rd + 1);
	rd->nreasons = VMXLAB_MAX_EXIT_REASONS + 8;
	memset(rd->reserved, 0, sizeof(rd->reserved));
	return ioctl_errno(fd, VMXLAB_GET_EXIT_CYCLES, rd, NULL);
}

static void copyout_exit_cycles(int vcpu)
{
	struct copyout c = { .name = "copyout-vmxlab-get-exit-cycles" };
	size_t head = sizeof(struct vmxlab_cycles_read);
	size_t one = sizeof(struct vmxlab_exit_cycles);
	uint32_t room = VMXLAB_MAX_EXIT_REASONS + 8, n;

	if (copyout_twice(&c, head + room * one, vcpu, call_get_exit_cycles, NULL)) {
		expect_stable(&c, head, c.size - head);
		n = ((struct vmxlab_cycles_read *)c.a)->nreasons;
		if (n < room)
			expect_unused(&c, head + n * one, (room - n) * one, "reasons-past-nreasons");
	}
	copyout_done(&c);
}

#define FAILURE_ROOM	4

static int call_check_entry(int fd, void *buf, void *ctx)
{
	struct vmxlab_entry_check *req = buf;

	(void)ctx;
	req->max = FAILURE_ROOM;
	req->failures = (uintptr_t)(req + 1);
	req->pad = 0;
	memset(req->reserved, 0, sizeof(req->reserved));
	return ioctl_errno(fd, VMXLAB_CHECK_ENTRY, req, NULL);
}

/* A string field: the bytes past its NUL are unused. */
static void expect_string(struct copyout *c, size_t off, size_t len)
{
	const char *s = (const char *)c->a + off;
	size_t used = strnlen(s, len) + 1;

	if (used < len)
		expect_unused(c, off + used, len - used, "string-past-nul");
}

/* The model's verdict on a VMCS with a bad TR type (access rights 0x81). */
static void copyout_check_entry(int vcpu)
{
	struct vmxlab_vmcs_field tr = { .encoding = 0x4822, .value = 0x81 };
	struct vmxlab_vmcs_write w = { .nfields = 1, .fields = (uintptr_t)&tr };
	struct copyout c = { .name = "copyout-vmxlab-check-entry" };
	size_t head = sizeof(struct vmxlab_entry_check);
	size_t one = sizeof(struct vmxlab_entry_failure);
	uint32_t n, i;
	int e;

	e = ioctl_errno(vcpu, VMXLAB_SET_VMCS, &w, NULL);
	report(!e, "copyout-vmxlab-check-entry-setup", "VMXLAB_SET_VMCS GUEST_TR_AR_BYTES 0x81: %s",
	       errname(e));
	if (copyout_twice(&c, head + FAILURE_ROOM * one, vcpu, call_check_entry, NULL)) {
		expect_stable(&c, head, c.size - head);
		n = ((struct vmxlab_entry_check *)c.a)->count;
		report(n > 0, "copyout-vmxlab-check-entry-has-failures", "count %u: want > 0", n);
		n = n < FAILURE_ROOM ? n : FAILURE_ROOM;
		for (i = 0; i < n; i++) {
			size_t at = head + i * one;

			expect_string(&c, at + FIELD_SPAN(struct vmxlab_entry_failure, id));
			expect_string(&c, at + FIELD_SPAN(struct vmxlab_entry_failure, section));
			expect_string(&c, at + FIELD_SPAN(struct vmxlab_entry_failure, rule));
		}
		expect_unused(&c, head + n * one, (FAILURE_ROOM - n) * one, "failures-past-count");
	}
	copyout_done(&c);
}

/*
 * vmxlab only: a vCPU that ran with the exit trace and exit timing on, and
 * a second one that has not run (VMXLAB_SET_VMCS is refused at a half-done
 * exit) for the entry checks.
 */
static void copyout_vmxlab_vcpu(int sys)
{
	struct vmxlab_trace_control trace = { .flags = VMXLAB_TRACE_ON };
	struct vmxlab_cycles_control cycles = { .flags = VMXLAB_CYCLES_ON };
	struct vcpu v, fresh;
	struct vm vm;
	int e, i;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits),
			  "copyout-vmxlab-setup"))
		return;
	e = ioctl_errno(v.fd, VMXLAB_SET_TRACE, &trace, NULL);
	if (!e)
		e = ioctl_errno(v.fd, VMXLAB_SET_EXIT_CYCLES, &cycles, NULL);
	for (i = 0; !e && i < 3; i++) {
		alarm_in(5);
		e = ioctl_errno(v.fd, KVM_RUN, NULL, NULL);
		alarm_in(0);
	}
	report(!e, "copyout-vmxlab-setup-run", "trace and timing on, three KVM_RUNs: %s",
	       errname(e));
	if (!e) {
		copyout_vmcs(v.fd);
		copyout_trace(v.fd);
		copyout_exit_cycles(v.fd);
	}
	e = vcpu_create(sys, &vm, 1, &fresh);
	report(!e, "copyout-vmxlab-second-vcpu", "KVM_CREATE_VCPU 1: %s", errname(e));
	if (!e) {
		copyout_check_entry(fresh.fd);
		vcpu_destroy(&fresh);
	}
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

void test_copyout(int sys)
{
	cpu_set_t cpu0, before;
	uint32_t pick[3];
	struct vm vm;
	struct vcpu v;
	int picked;

	sched_getaffinity(0, sizeof(before), &before);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	report(!sched_setaffinity(0, sizeof(cpu0), &cpu0), "copyout-pinned-to-cpu0", "%s",
	       strerror(errno));
	copyout_supported_cpuid(sys);
	picked = copyout_msr_index_list(sys, pick);
	report(picked == 3, "copyout-three-msrs-listed", "%d MSRs but the TSC in the list", picked);
	if (!kvm_mode) {
		copyout_caps(sys);
		copyout_cpu_state(sys);
	}
	if (vm_with_vcpu(sys, &vm, &v, guest_spin, sizeof(guest_spin), "copyout-setup")) {
		copyout_regs(v.fd);
		copyout_sregs(v.fd);
		copyout_fpu(v.fd);
		copyout_vcpu_events(v.fd);
		copyout_debugregs(v.fd);
		copyout_mp_state(v.fd);
		if (picked == 3)
			copyout_msrs(v.fd, pick);
		vcpu_destroy(&v);
		vm_destroy(&vm);
	}
	if (!kvm_mode)
		copyout_vmxlab_vcpu(sys);
	sched_setaffinity(0, sizeof(before), &before);
}
