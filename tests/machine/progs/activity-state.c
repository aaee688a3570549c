// SPDX-License-Identifier: GPL-2.0
/*
 * activity-state: VMXLAB_SET_VMCS and GUEST_ACTIVITY_STATE (SDM Vol. 3C,
 * "Guest Non-Register State", "Activity State").  A guest entered in the
 * wait-for-SIPI state (3) never leaves it: that state blocks external
 * interrupts, NMIs, INIT and the VMX-preemption timer, so the host CPU
 * is lost for good; the shutdown state (2) is left only by an NMI or the
 * optional preemption timer.  vmxlab must refuse both with -EINVAL and
 * write nothing (not even the other fields of the same call), keep
 * accepting 0 (active) and 1 (HLT), and 4 (which VM entry refuses:
 * entry-refused.sh), and the vCPU must then run normally.
 *
 * A refusal that did not happen is reported and undone before any
 * KVM_RUN: this program never enters a guest in state 2 or 3.
 * One "PASS name" / "FAIL name: why" line per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmxlab/uapi.h>
#include "lib.h"

#define GUEST_MEM		0x10000
#define GUEST_ENTRY		0x1000
#define F_ACTIVITY_STATE	0x4826
#define F_GUEST_RSP		0x681c
#define GOOD_RSP		0x800
#define BAD_RSP			0x400

static int vcpu_fd;

static int set_fields(struct vmxlab_vmcs_field *f, unsigned int n)
{
	struct vmxlab_vmcs_write req = { .nfields = n, .fields = (uintptr_t)f };

	return ioctl(vcpu_fd, VMXLAB_SET_VMCS, &req) ? errno : 0;
}

static int set_field(unsigned int encoding, uint64_t value)
{
	struct vmxlab_vmcs_field f = { .encoding = encoding, .value = value };

	return set_fields(&f, 1);
}

/* The field's value in VMXLAB_GET_VMCS; ~0 if it is not there. */
static uint64_t get_field(unsigned int encoding)
{
	static struct vmxlab_vmcs_field fields[512];
	struct vmxlab_vmcs_snapshot snap = { .nfields = 512, .fields = (uintptr_t)fields };
	unsigned int i;

	if (ioctl(vcpu_fd, VMXLAB_GET_VMCS, &snap))
		return ~0ULL;
	for (i = 0; i < snap.nfields; i++)
		if (fields[i].encoding == encoding)
			return fields[i].value;
	return ~0ULL;
}

/* A state the host cannot get out of: -EINVAL, nothing written. */
static void refused(const char *name, uint64_t state)
{
	struct vmxlab_vmcs_field f[2] = {
		{ .encoding = F_GUEST_RSP, .value = BAD_RSP },
		{ .encoding = F_ACTIVITY_STATE, .value = state },
	};
	int err = set_fields(f, 2);
	uint64_t now = get_field(F_ACTIVITY_STATE), rsp = get_field(F_GUEST_RSP);
	char kept[64];

	snprintf(kept, sizeof(kept), "%s-nothing-written", name);

	report(err == EINVAL, name, "VMXLAB_SET_VMCS answered %s, want EINVAL",
	       err ? strerror(err) : "success");
	report(now == 0 && rsp == GOOD_RSP, kept,
	       "after activity state %llu: GUEST_ACTIVITY_STATE %#llx, GUEST_RSP %#llx (want 0, %#x)",
	       (unsigned long long)state, (unsigned long long)now,
	       (unsigned long long)rsp, GOOD_RSP);
	/* Never run with it. */
	set_field(F_ACTIVITY_STATE, 0);
	set_field(F_GUEST_RSP, GOOD_RSP);
}

static void accepted(const char *name, uint64_t state)
{
	int err = set_field(F_ACTIVITY_STATE, state);

	report(err == 0 && get_field(F_ACTIVITY_STATE) == state, name,
	       "activity state %llu: VMXLAB_SET_VMCS answered %s",
	       (unsigned long long)state, err ? strerror(err) : "success, but not written");
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	/* hlt */
	static const uint8_t code[] = { 0xf4 };
	struct kvm_userspace_memory_region region = { .memory_size = GUEST_MEM };
	struct kvm_regs regs = { .rip = GUEST_ENTRY, .rflags = 2, .rsp = GOOD_RSP };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int sys, vm, err;
	void *mem;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sys = open("/dev/vmxlab", O_RDWR);
	if (sys < 0) {
		perror("/dev/vmxlab");
		return 1;
	}
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED) {
		perror("KVM_CREATE_VM or mmap");
		return 1;
	}
	memcpy((char *)mem + GUEST_ENTRY, code, sizeof(code));
	region.userspace_addr = (uintptr_t)mem;
	vcpu_fd = ioctl(vm, KVM_CREATE_VCPU, 0);
	run = mmap(NULL, ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu_fd, 0);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) || vcpu_fd < 0 ||
	    run == MAP_FAILED || ioctl(vcpu_fd, KVM_GET_SREGS, &sregs)) {
		perror("setting up the VM");
		return 1;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) || ioctl(vcpu_fd, KVM_SET_REGS, &regs)) {
		perror("KVM_SET_SREGS/REGS");
		return 1;
	}

	err = set_field(F_GUEST_RSP, GOOD_RSP);
	report(err == 0, "rsp-written", "GUEST_RSP: %s", strerror(err));
	refused("wait-for-sipi-einval", 3);
	refused("shutdown-einval", 2);
	accepted("hlt-accepted", 1);
	accepted("entry-refused-4-accepted", 4);
	accepted("active-accepted", 0);

	/* The vCPU runs as before: HLT at GUEST_ENTRY, within 5 seconds. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	err = ioctl(vcpu_fd, KVM_RUN, 0) ? errno : 0;
	alarm(0);
	report(err == 0 && run->exit_reason == KVM_EXIT_HLT, "runs-after",
	       "KVM_RUN: %s, exit_reason %u; want KVM_EXIT_HLT (%u)",
	       err ? strerror(err) : "0", run->exit_reason, KVM_EXIT_HLT);
	return failures ? 1 : 0;
}
