// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_MSR_INDEX_LIST (system fd) and KVM_GET_MSRS / KVM_SET_MSRS
 * (vCPU fd): the count of MSRs done, stopping at the first one refused;
 * -E2BIG for a list too small (with the count written back) and for
 * nmsrs >= 256; reserved bits and non-canonical bases refused; values
 * read back.  What a VMM sees go wrong otherwise: QEMU aborts when a
 * count comes back short, and a VMM restoring a bad value would load it
 * into the host's MSRs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "api-bad.h"

#define IO_MAX		256	/* nmsrs must stay below it (KVM's MAX_IO_MSRS) */
#define NONCANONICAL	0x0000800000000000ULL

struct msr_buf {
	struct kvm_msrs h;
	struct kvm_msr_entry e[IO_MAX];
};

/* KVM_GET/SET_MSRS with @n entries of @b; the return value, or -errno. */
static long msrs_call(int fd, unsigned long req, struct msr_buf *b, unsigned int n)
{
	long ret;
	int err;

	b->h.nmsrs = n;
	err = ioctl_errno(fd, req, b, &ret);
	return err ? -err : ret;
}

/* The count (or -errno) must be @want on vmxlab and @kwant on KVM (VMXLAB_ONLY: not made). */
static void check_count(const char *name, long got, long want, long kwant)
{
	if (kvm_mode) {
		if (kwant == VMXLAB_ONLY)
			return;
		want = kwant;
	}
	report(got == want, name, "got %ld (%s); want %ld", got,
	       got < 0 ? errname(-got) : "a count", want);
}

static void set_entries(struct msr_buf *b, const uint32_t *index, const uint64_t *data,
			unsigned int n)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < n; i++) {
		b->e[i].index = index[i];
		b->e[i].data = data ? data[i] : 0;
	}
}

/* One host-initiated write of @value to @index: 1 done, 0 refused. */
static void check_set_one(int vcpu, const char *name, uint32_t index, uint64_t value,
			  long want, long kwant)
{
	struct msr_buf *b = calloc(1, sizeof(*b));

	set_entries(b, &index, &value, 1);
	check_count(name, msrs_call(vcpu, KVM_SET_MSRS, b, 1), want, kwant);
	free(b);
}

static void test_index_list(int sys)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 1024 * sizeof(uint32_t));
	struct kvm_msr_list small = { .nmsrs = 0 };
	long ret;
	int err;
	unsigned int i, star = 0;

	err = ioctl_errno(sys, KVM_GET_MSR_INDEX_LIST, &small, &ret);
	report(err == E2BIG && small.nmsrs > 0, "msr-index-list-too-small-e2big",
	       "nmsrs 0: got %ld, %s, count %u; want E2BIG and the count", ret, errname(err),
	       small.nmsrs);
	l->nmsrs = small.nmsrs;
	err = ioctl_errno(sys, KVM_GET_MSR_INDEX_LIST, l, &ret);
	report(!err && l->nmsrs == small.nmsrs, "msr-index-list-ok",
	       "nmsrs %u: got %ld, %s, count %u", small.nmsrs, ret, errname(err), l->nmsrs);
	for (i = 0; !err && i < l->nmsrs; i++)
		star += l->indices[i] == 0xc0000081;
	report(star == 1, "msr-index-list-has-star", "MSR_STAR listed %u times; want 1", star);
	check("msr-index-list-bad-pointer", sys, KVM_GET_MSR_INDEX_LIST, (void *)8, EFAULT, EFAULT);
	free(l);
}

/* Every MSR of the index list reads with KVM_GET_MSRS (vmxlab: the list is what it takes). */
static void test_list_readable(int sys, int vcpu)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + (IO_MAX - 1) * sizeof(uint32_t));
	struct msr_buf *b = calloc(1, sizeof(*b));
	long ret;

	l->nmsrs = IO_MAX - 1;
	if (!ioctl_errno(sys, KVM_GET_MSR_INDEX_LIST, l, &ret)) {
		set_entries(b, l->indices, NULL, l->nmsrs);
		check_count("get-msrs-whole-index-list", msrs_call(vcpu, KVM_GET_MSRS, b, l->nmsrs),
			    l->nmsrs, VMXLAB_ONLY);
	}
	free(b);
	free(l);
}

static void test_counts(int vcpu)
{
	static const uint32_t stop[3] = { 0xc0000081, 0x1234, 0xc0000082 };
	static const uint64_t stop_data[3] = { 0x0023001000000000ULL, 0, 0xffffffff81000000ULL };
	struct msr_buf *b = calloc(1, sizeof(*b));
	unsigned int i;

	check_count("get-msrs-zero-entries", msrs_call(vcpu, KVM_GET_MSRS, b, 0), 0, 0);
	for (i = 0; i < IO_MAX; i++)
		b->e[i].index = 0xc0000081;
	check_count("get-msrs-255-entries", msrs_call(vcpu, KVM_GET_MSRS, b, IO_MAX - 1),
		    IO_MAX - 1, IO_MAX - 1);
	check_count("get-msrs-256-e2big", msrs_call(vcpu, KVM_GET_MSRS, b, IO_MAX), -E2BIG, -E2BIG);
	check_count("set-msrs-nmsrs-huge-e2big", msrs_call(vcpu, KVM_SET_MSRS, b, 0x40000000),
		    -E2BIG, -E2BIG);
	check_count("get-msrs-bad-pointer", ioctl(vcpu, KVM_GET_MSRS, (void *)8) ? -errno : 0,
		    -EFAULT, -EFAULT);
	b->h.pad = 1;
	check_count("get-msrs-pad-einval", msrs_call(vcpu, KVM_GET_MSRS, b, 1), -EINVAL, VMXLAB_ONLY);
	b->h.pad = 0;
	b->e[0].reserved = 1;
	check_count("set-msrs-entry-reserved-einval", msrs_call(vcpu, KVM_SET_MSRS, b, 1), -EINVAL,
		    VMXLAB_ONLY);

	/* STAR set, then an unknown MSR: the count stops there, LSTAR untouched. */
	set_entries(b, stop, stop_data, 3);
	check_count("set-msrs-stops-at-unknown", msrs_call(vcpu, KVM_SET_MSRS, b, 3), 1, 1);
	set_entries(b, stop, NULL, 3);
	check_count("get-msrs-stops-at-unknown", msrs_call(vcpu, KVM_GET_MSRS, b, 3), 1, 1);
	report(b->e[0].data == stop_data[0], "get-msrs-star-read-back",
	       "STAR 0x%llx; want 0x%llx", (unsigned long long)b->e[0].data,
	       (unsigned long long)stop_data[0]);
	set_entries(b, &stop[2], NULL, 1);
	msrs_call(vcpu, KVM_GET_MSRS, b, 1);
	report(b->e[0].data != stop_data[2], "set-msrs-after-unknown-not-done",
	       "LSTAR 0x%llx: the entry after the refused one was written",
	       (unsigned long long)b->e[0].data);
	free(b);
}

/* Values a VMM restores: each written and read back. */
static void test_round_trip(int vcpu)
{
	static const uint32_t index[] = {
		0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102,
		0x174, 0x175, 0x176, 0x277, 0x2ff, 0x200, 0x201, 0x250, 0x268, 0x1a0,
	};
	static const uint64_t data[] = {
		0x0023001000000000ULL, 0xffffffff81a00000ULL, 0xffffffff81a01000ULL,
		0x47700, 0xffff888000001000ULL,
		0x10, 0xfffffe0000002000ULL, 0xffffffff81a02000ULL,
		0x0007040600070106ULL, 0xc06, 0x80000006, 0xff800800,
		0x0606060606060606ULL, 0x0505050505050505ULL, 1,
	};
	unsigned int i, n = sizeof(index) / sizeof(index[0]);
	struct msr_buf *b = calloc(1, sizeof(*b));

	set_entries(b, index, data, n);
	check_count("set-msrs-vmm-restore", msrs_call(vcpu, KVM_SET_MSRS, b, n), n, n);
	set_entries(b, index, NULL, n);
	check_count("get-msrs-vmm-restore", msrs_call(vcpu, KVM_GET_MSRS, b, n), n, n);
	for (i = 0; i < n; i++)
		if (b->e[i].data != data[i])
			break;
	report(i == n, "get-msrs-values-read-back", "MSR 0x%x: 0x%llx; want 0x%llx",
	       i < n ? index[i] : 0, i < n ? (unsigned long long)b->e[i].data : 0ULL,
	       i < n ? (unsigned long long)data[i] : 0ULL);

	/* IA32_TSC: a write sets the offset; the read follows from there. */
	set_entries(b, (const uint32_t[]){ 0x10 }, (const uint64_t[]){ 1ULL << 40 }, 1);
	check_count("set-msrs-tsc", msrs_call(vcpu, KVM_SET_MSRS, b, 1), 1, 1);
	b->e[0].data = 0;
	msrs_call(vcpu, KVM_GET_MSRS, b, 1);
	report(b->e[0].data >= 1ULL << 40 && b->e[0].data < (1ULL << 40) + (1ULL << 36),
	       "get-msrs-tsc-from-written", "TSC 0x%llx after writing 1 << 40",
	       (unsigned long long)b->e[0].data);
	free(b);
}

/* Values no CPU holds: refused (0 done) before they could reach the hardware. */
static void test_refused(int vcpu)
{
	check_set_one(vcpu, "set-msrs-lstar-noncanonical", 0xc0000082, NONCANONICAL, 0, 0);
	check_set_one(vcpu, "set-msrs-cstar-noncanonical", 0xc0000083, NONCANONICAL, 0, 0);
	check_set_one(vcpu, "set-msrs-kernel-gs-noncanonical", 0xc0000102, NONCANONICAL, 0, 0);
	/* KVM makes SYSENTER_E*P canonical instead (AMD ignores their top half). */
	check_set_one(vcpu, "set-msrs-sysenter-eip-noncanonical", 0x176, NONCANONICAL, 0, 1);
	check_set_one(vcpu, "set-msrs-sysenter-esp-noncanonical", 0x175, NONCANONICAL, 0, 1);
	check_set_one(vcpu, "set-msrs-efer-reserved", 0xc0000080, 1ULL << 2, 0, 0);
	check_set_one(vcpu, "set-msrs-pat-type-2", 0x277, 0x0007040600070402ULL, 0, 0);
	check_set_one(vcpu, "set-msrs-mtrr-def-type-3", 0x2ff, 0xc03, 0, 0);
	check_set_one(vcpu, "set-msrs-mtrr-physmask-reserved", 0x201, 0x801, 0, 0);
	check_set_one(vcpu, "set-msrs-mtrr-fixed-type-7", 0x250, 0x0606060606060607ULL, 0, 0);
	/* KVM checks these only for an Intel guest CPUID, or leaves them to WRMSR. */
	check_set_one(vcpu, "set-msrs-tsc-aux-bit-32", 0xc0000103, 1ULL << 32, 0, VMXLAB_ONLY);
	check_set_one(vcpu, "set-msrs-fmask-bit-32", 0xc0000084, 1ULL << 32, 0, VMXLAB_ONLY);
	check_set_one(vcpu, "set-msrs-unknown", 0x1234, 0, 0, 0);
	/* The kvmclock MSRs, which a VMM restores unconditionally: off only. */
	check_set_one(vcpu, "set-msrs-kvmclock-off", 0x12, 0, 1, 1);
	check_set_one(vcpu, "set-msrs-kvmclock-on-refused", 0x12, 0x1001, 0, VMXLAB_ONLY);
}

#define MSR_MCG_STATUS	0x17a
#define MSR_MCG_CTL	0x17b
#define MSR_MC0_CTL	0x400
#define MCG_CTL_P	(1ULL << 8)
#define MCG_EXT_P	(1ULL << 9)	/* neither device offers it */
#define QEMU_BANKS	10		/* QEMU 7.2's MCE_BANKS_DEF */

/*
 * Machine-check MSRs as QEMU 7.2 uses them for a CPU model with MCE and
 * MCA in CPUID (its default, qemu64): KVM_CAP_MCE banks at least 10,
 * KVM_X86_SETUP_MCE with MCG_CTL_P and 10 banks, then MCG_STATUS,
 * MCG_CTL = all 1s and the 40 bank MSRs in every KVM_SET_MSRS; a short
 * count aborts QEMU ("failed to set MSR 0x17b").  Same answers on KVM.
 */
static void test_mce(int sys, int vcpu)
{
	struct msr_buf *b = calloc(1, sizeof(*b));
	uint64_t cap = 0, supported = 0;
	unsigned int i, n = 2 + 4 * QEMU_BANKS;
	long ret;

	ret = ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_MCE);
	report(ret >= QEMU_BANKS, "cap-mce-banks", "KVM_CAP_MCE %ld; want >= %d", ret,
	       QEMU_BANKS);
	check("get-mce-cap-supported", sys, KVM_X86_GET_MCE_CAP_SUPPORTED, &supported, OK, OK);
	report(supported & MCG_CTL_P, "mce-cap-supported-ctl-p", "%#llx: want MCG_CTL_P",
	       (unsigned long long)supported);
	check_set_one(vcpu, "set-msrs-mcg-ctl-before-setup-refused", MSR_MCG_CTL, ~0ULL, 0, 0);
	check_set_one(vcpu, "set-msrs-mcg-ctl-0-before-setup", MSR_MCG_CTL, 0, 1, 1);
	cap = 0;
	check("setup-mce-no-banks-einval", vcpu, KVM_X86_SETUP_MCE, &cap, EINVAL, EINVAL);
	cap = MCG_CTL_P | 33;
	check("setup-mce-33-banks-einval", vcpu, KVM_X86_SETUP_MCE, &cap, EINVAL, EINVAL);
	cap = MCG_CTL_P | MCG_EXT_P | QEMU_BANKS;
	check("setup-mce-ext-p-einval", vcpu, KVM_X86_SETUP_MCE, &cap, EINVAL, EINVAL);
	check("setup-mce-bad-pointer-efault", vcpu, KVM_X86_SETUP_MCE, (void *)8, EFAULT, EFAULT);
	cap = MCG_CTL_P | QEMU_BANKS;
	check("setup-mce-qemu", vcpu, KVM_X86_SETUP_MCE, &cap, OK, OK);

	memset(b, 0, sizeof(*b));
	b->e[0].index = MSR_MCG_STATUS;
	b->e[1].index = MSR_MCG_CTL;
	b->e[1].data = ~0ULL;
	for (i = 0; i < 4 * QEMU_BANKS; i++) {
		b->e[2 + i].index = MSR_MC0_CTL + i;
		b->e[2 + i].data = i % 4 ? 0 : ~0ULL;
	}
	check_count("set-msrs-mce-qemu", msrs_call(vcpu, KVM_SET_MSRS, b, n), n, n);
	check_count("get-msrs-mce-qemu", msrs_call(vcpu, KVM_GET_MSRS, b, n), n, n);
	report(b->e[1].data == ~0ULL && b->e[2].data == ~0ULL, "get-msrs-mce-read-back",
	       "MCG_CTL %#llx, MC0_CTL %#llx; want all 1s", (unsigned long long)b->e[1].data,
	       (unsigned long long)b->e[2].data);
	b->e[0].index = 0x179;	/* IA32_MCG_CAP */
	msrs_call(vcpu, KVM_GET_MSRS, b, 1);
	report(b->e[0].data == cap, "get-msrs-mcg-cap-as-set", "MCG_CAP %#llx; want %#llx",
	       (unsigned long long)b->e[0].data, (unsigned long long)cap);
	check_set_one(vcpu, "set-msrs-mc0-status-host-any", MSR_MC0_CTL + 1, 1ULL << 63, 1, 1);
	check_set_one(vcpu, "set-msrs-mc0-ctl-5-refused", MSR_MC0_CTL, 5, 0, 0);
	check_set_one(vcpu, "set-msrs-mcg-ctl-5-refused", MSR_MCG_CTL, 5, 0, 0);
	check_set_one(vcpu, "set-msrs-bank-10-refused", MSR_MC0_CTL + 4 * QEMU_BANKS, 0, 0, 0);
	free(b);
}

void test_msrs(int sys, int vcpu)
{
	test_index_list(sys);
	test_list_readable(sys, vcpu);
	test_counts(vcpu);
	test_round_trip(vcpu);
	test_refused(vcpu);
	test_mce(sys, vcpu);
}
