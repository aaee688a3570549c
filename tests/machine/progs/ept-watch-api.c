// SPDX-License-Identifier: GPL-2.0
/*
 * ept-watch-api: bad and good input to vmxlab's EPT watch ioctls
 * (VMXLAB_SET_EPT_WATCH on the VM fd, VMXLAB_WATCH_RESUME on the vCPU fd;
 * include/vmxlab/uapi.h, "EPT watches").  One `PASS name` / `FAIL name:
 * reason` line per assertion; exit 1 if any failed.  If these failed, a
 * client could not tell a bad watch from a missing feature, or garbage in
 * reserved fields would be taken as a watch.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmxlab/uapi.h>

#define GPA_LIMIT	(1ULL << 48)
#define PAGE		4096ULL
#define MEM_SIZE	(1UL << 20)

static int failures;

static void check(const char *name, long ret, int err, int want)
{
	if ((want == 0 && ret == 0) || (want && ret == -1 && err == want)) {
		printf("PASS %s\n", name);
		return;
	}
	printf("FAIL %s: expected %s%s, got %ld errno %d (%s)\n", name,
	       want ? "errno " : "0", want ? strerror(want) : "", ret, err, strerror(err));
	failures++;
}

static void watch(int vm, const char *name, uint64_t gpa, uint64_t size, uint32_t deny,
		  uint32_t flags, uint64_t reserved, int want)
{
	struct vmxlab_ept_watch w = {
		.gpa = gpa, .size = size, .deny = deny, .flags = flags,
		.reserved = { 0, reserved },
	};
	long ret = ioctl(vm, VMXLAB_SET_EPT_WATCH, &w);

	check(name, ret, errno, want);
}

static void resume(int vcpu, const char *name, uint32_t action, uint32_t flags, int want)
{
	struct vmxlab_watch_resume r = { .action = action, .flags = flags };
	long ret = ioctl(vcpu, VMXLAB_WATCH_RESUME, &r);

	check(name, ret, errno, want);
}

static bool has_execute_only(int sys)
{
	static struct vmxlab_caps caps;

	if (ioctl(sys, VMXLAB_GET_CAPS, &caps))
		return false;
	return caps.msr[VMXLAB_CAP_EPT_VPID] & 1;	/* IA32_VMX_EPT_VPID_CAP bit 0 */
}

static void bad_watches(int vm)
{
	const uint32_t W = VMXLAB_WATCH_DENY_WRITE;
	long ret;

	watch(vm, "watch/flags", 0x3000, PAGE, W, 1, 0, EINVAL);
	watch(vm, "watch/reserved", 0x3000, PAGE, W, 0, 1, EINVAL);
	watch(vm, "watch/deny-unknown-bit", 0x3000, PAGE, 8, 0, 0, EINVAL);
	watch(vm, "watch/gpa-unaligned", 0x3004, PAGE, W, 0, 0, EINVAL);
	watch(vm, "watch/size-unaligned", 0x3000, 100, W, 0, 0, EINVAL);
	watch(vm, "watch/size-zero", 0x3000, 0, W, 0, 0, EINVAL);
	watch(vm, "watch/gpa-at-limit", GPA_LIMIT, PAGE, W, 0, 0, EINVAL);
	watch(vm, "watch/range-past-limit", GPA_LIMIT - PAGE, 2 * PAGE, W, 0, 0, EINVAL);
	watch(vm, "watch/size-wraps", GPA_LIMIT - PAGE, UINT64_MAX - PAGE + 1, W, 0, 0, EINVAL);
	watch(vm, "watch/remove-unwatched", 0x3000, PAGE, 0, 0, 0, ENOENT);
	ret = ioctl(vm, VMXLAB_SET_EPT_WATCH, (void *)8);
	check("watch/bad-pointer", ret, errno, EFAULT);
}

static void overlap_rules(int vm)
{
	const uint32_t W = VMXLAB_WATCH_DENY_WRITE, X = VMXLAB_WATCH_DENY_EXEC;

	watch(vm, "watch/add", 0x4000, 4 * PAGE, W, 0, 0, 0);
	watch(vm, "watch/overlap-inside", 0x5000, PAGE, W, 0, 0, EEXIST);
	watch(vm, "watch/overlap-across", 0x2000, 3 * PAGE, W, 0, 0, EEXIST);
	watch(vm, "watch/remove-part", 0x4000, PAGE, 0, 0, 0, EEXIST);
	watch(vm, "watch/adjacent", 0x8000, PAGE, X, 0, 0, 0);
	watch(vm, "watch/change-deny", 0x4000, 4 * PAGE, W | X, 0, 0, 0);
	watch(vm, "watch/remove", 0x4000, 4 * PAGE, 0, 0, 0, 0);
	watch(vm, "watch/remove-again", 0x4000, 4 * PAGE, 0, 0, 0, ENOENT);
	watch(vm, "watch/remove-adjacent", 0x8000, PAGE, 0, 0, 0, 0);
}

/* VMXLAB_MAX_EPT_WATCHES ranges fit; one more does not. */
static void limit(int vm)
{
	unsigned int i, added = 0;
	struct vmxlab_ept_watch w = { .size = PAGE, .deny = VMXLAB_WATCH_DENY_WRITE };

	for (i = 0; i < VMXLAB_MAX_EPT_WATCHES; i++) {
		w.gpa = 0x100000 + i * PAGE;
		added += !ioctl(vm, VMXLAB_SET_EPT_WATCH, &w);
	}
	check("watch/limit-64-fit", added == VMXLAB_MAX_EPT_WATCHES ? 0 : -1, errno, 0);
	watch(vm, "watch/limit-65th", 0x100000 + i * PAGE, PAGE, VMXLAB_WATCH_DENY_WRITE,
	      0, 0, ENOSPC);
	for (i = 0; i < VMXLAB_MAX_EPT_WATCHES; i++) {
		w.gpa = 0x100000 + i * PAGE;
		w.deny = 0;
		ioctl(vm, VMXLAB_SET_EPT_WATCH, &w);
	}
	watch(vm, "watch/limit-room-again", 0x100000, PAGE, VMXLAB_WATCH_DENY_WRITE, 0, 0, 0);
}

/* Denying read but not execute leaves an execute-only page. */
static void execute_only(int sys, int vm)
{
	int want = has_execute_only(sys) ? 0 : EOPNOTSUPP;

	printf("# execute-only EPT pages offered: %s\n", want ? "no" : "yes");
	watch(vm, "watch/deny-read-execute-only", 0x9000, PAGE, VMXLAB_WATCH_DENY_READ, 0, 0, want);
	watch(vm, "watch/deny-read-write-execute-only", 0xa000, PAGE,
	      VMXLAB_WATCH_DENY_READ | VMXLAB_WATCH_DENY_WRITE, 0, 0, want);
	watch(vm, "watch/deny-all", 0xb000, PAGE, VMXLAB_WATCH_DENY_ALL, 0, 0, 0);
	watch(vm, "watch/deny-read-exec", 0xc000, PAGE,
	      VMXLAB_WATCH_DENY_READ | VMXLAB_WATCH_DENY_EXEC, 0, 0, 0);
}

static void resume_checks(int vcpu)
{
	long ret;

	resume(vcpu, "resume/no-hit", VMXLAB_WATCH_BLOCK, 0, ENOENT);
	resume(vcpu, "resume/no-hit-allow", VMXLAB_WATCH_ALLOW_ONCE, 0, ENOENT);
	resume(vcpu, "resume/bad-action", 2, 0, EINVAL);
	resume(vcpu, "resume/flags", VMXLAB_WATCH_BLOCK, 1, EINVAL);
	ret = ioctl(vcpu, VMXLAB_WATCH_RESUME, (void *)8);
	check("resume/bad-pointer", ret, errno, EFAULT);
}

int main(void)
{
	int sys = open(VMXLAB_DEVICE_PATH, O_RDWR), vm, vcpu;
	struct kvm_userspace_memory_region region = { .memory_size = MEM_SIZE };
	void *mem;

	if (sys < 0) {
		printf("FAIL open: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	region.userspace_addr = (uintptr_t)mem;
	if (vm < 0 || mem == MAP_FAILED || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		printf("FAIL setup: %s\n", strerror(errno));
		return 1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		printf("FAIL create-vcpu: %s\n", strerror(errno));
		return 1;
	}
	bad_watches(vm);
	overlap_rules(vm);
	limit(vm);
	execute_only(sys, vm);
	resume_checks(vcpu);
	/* The watches on the VM's way out are freed with it. */
	close(vcpu);
	close(vm);
	close(sys);
	return failures ? 1 : 0;
}
