// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad [--kvm] [--loops=N] [--only=GROUP[:ARG]] [DEVICE]: bad input to the
 * KVM API of /dev/vmxlab, one `PASS name` / `FAIL name: what happened, what
 * was expected` line per assertion; exits 1 if any failed.  N: rounds of
 * the leak loop (20).  --only: just one group of safety.c (fpu, huge-slot,
 * memlock:LIMIT_KIB, vm-cap:N, vcpu-cap:N, sregs, exit-info, run-ioctls, file-slot:PATH),
 * for host-safety.sh, or copyout.c's checks (copyout).
 *
 * What a user would see go wrong if these failed: a buggy or hostile client
 * crashes or hangs the host, leaks memory or leaves VMX on for good
 * (rmmod refuses); a client cannot tell a bad call from a missing feature;
 * a guest in an endless loop cannot be stopped; a client written for KVM
 * misbehaves on /dev/vmxlab where both promise the same answer.
 *
 * DEVICE defaults to /dev/vmxlab.  --kvm runs the same sequence on KVM (the
 * reference, DEVICE defaults to /dev/kvm): every check where vmxlab's
 * contract and KVM agree is made there too, which proves the check itself
 * is right; a check whose KVM answer differs is made with KVM's answer
 * (written next to it), and a check that only vmxlab promises is not made
 * on KVM at all (VMXLAB_ONLY).  Differences, Linux 6.1's KVM:
 *   - unknown ioctls: KVM answers EINVAL on the system and vCPU fds;
 *   - KVM has 32764 slots, two address spaces (SMM), 4096 vCPU ids, a
 *     3-page run area that may be mapped in part, no check of RFLAGS, EFER,
 *     CR0, CR4.VMXE (nested), the interrupt bitmap or CPUID flags, and
 *     lets a slot move or turn on dirty logging;
 *   - KVM_RUN ended by immediate_exit leaves exit_reason as it was;
 *   - KVM takes KVM_SET_SREGS with PAE paging and a CR3 outside guest
 *     memory (its PDPTE load fails silently); vmxlab refuses it;
 *   - in Bochs, a KVM guest that never exits was not stopped by a signal
 *     (see the notes on the emulated machine): the endless-loop checks
 *     run on vmxlab only, and the close-while-running one runs a guest
 *     that exits now and then on KVM.
 *
 * The checks, by what they exercise: fds.c (the system, VM and vCPU file
 * descriptors), run.c (KVM_RUN), entry.c (failed entries, SET_VMCS),
 * safety.c (host safety and limits), state.c (what QEMU 7.2 needs:
 * capabilities, debug registers, the signal mask, a reset to real mode,
 * slots as QEMU changes them), events.c (interrupts, NMIs, vCPU events,
 * MP state), msrs.c (the MSR ioctls), copyout.c (no kernel bytes in what
 * the ioctls copy out: padding, reserved and unused fields, on buffers
 * pre-filled with 0xAA and 0x55); the leak loop is here.  check.c
 * compares an answer with vmxlab's and KVM's
 * promise, vm.c makes VMs and vCPUs, runner.c runs one in a thread until
 * a signal stops it; ../lib.c has what other test programs use too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api-bad.h"

int kvm_mode;
const char *device;

/*
 * The whole bad-input sequence on one VM: what the leak loop repeats.
 * Leaves nothing open.
 */
static void bad_sequence(int sys)
{
	struct vcpu v[MAX_VCPUS];
	struct kvm_cpuid2 *c;
	struct vm vm;
	long size = mmap_size(sys);
	int e, i;

	test_system(sys);
	c = test_supported_cpuid(sys);
	e = vm_create(sys, &vm, guest_spin, sizeof(guest_spin));
	report(!e, "create-vm-ok", "KVM_CREATE_VM + slot 0: %s; want success", errname(e));
	if (e) {
		free(c);
		return;
	}
	if (!kvm_mode) {
		long users = vmx_users();

		report(users > 0, "vmx-users-while-vm-exists", "vmx_users %ld: want > 0", users);
	}
	test_vm_misc(vm.fd);
	test_regions(&vm);
	test_vcpu_ids(sys, &vm, v);
	if (v[0].fd >= 0) {
		test_vcpu_mmap(&v[0], size);
		test_vcpu_ioctls(v[0].fd);
		test_vcpu_events(sys, &v[0]);
		test_msrs(sys, v[0].fd);
		if (c)
			check("set-cpuid2-supported-ok", v[1].fd, KVM_SET_CPUID2, c, OK, OK);
	}
	for (i = 0; i < MAX_VCPUS; i++)
		vcpu_destroy(&v[i]);
	vm_destroy(&vm);
	free(c);
	test_run_touch(sys);
}

/* The bad-input sequence many times: no memory lost, VMX released. */
static void test_leaks(int sys, int loops)
{
	long before, after, users;
	char name[64];
	int i;

	report_quiet(true);
	bad_sequence(sys);	/* warm up caches */
	before = meminfo_kib("MemFree");
	for (i = 0; i < loops; i++)
		bad_sequence(sys);
	after = meminfo_kib("MemFree");
	report_quiet(false);
	snprintf(name, sizeof(name), "repeat-%d-same-results", loops);
	report(!quiet_failures, name, "%d failed checks in the loop, first: %s",
	       quiet_failures, quiet_first);
	printf("NOTE: MemFree %ld KiB before %d rounds, %ld after (%+ld KiB)\n", before, loops,
	       after, after - before);
	snprintf(name, sizeof(name), "repeat-%d-memfree", loops);
	report(before > 0 && before - after < 4096, name,
	       "MemFree dropped by %ld KiB over %d rounds (%ld -> %ld); want < 4096 KiB",
	       before - after, loops, before, after);
	if (!kvm_mode) {
		users = vmx_users();
		snprintf(name, sizeof(name), "repeat-%d-vmx-users-0", loops);
		report(users == 0, name, "vmx_users %ld after all was closed: want 0", users);
	}
}

/* --only=GROUP[:ARG]: one group of safety.c; 2 for an unknown one. */
static int run_only(int sys, const char *only)
{
	const char *arg = strchr(only, ':');
	long n = arg ? atol(arg + 1) : 0;

	if (!strcmp(only, "fpu"))
		test_fpu_mxcsr(sys);
	else if (!strcmp(only, "huge-slot"))
		test_huge_slot(sys);
	else if (!strncmp(only, "memlock:", 8))
		test_memlock(sys, n);
	else if (!strncmp(only, "vm-cap:", 7))
		test_vm_cap(sys, n);
	else if (!strncmp(only, "vcpu-cap:", 9))
		test_vcpu_cap(sys, n);
	else if (!strcmp(only, "sregs"))
		test_sregs_atomic(sys);
	else if (!strcmp(only, "exit-info"))
		test_exit_info_offset(sys);
	else if (!strcmp(only, "run-ioctls"))
		test_run_with_ioctls(sys);
	else if (!strncmp(only, "file-slot:", 10))
		test_file_slots(sys, arg + 1);
	else if (!strcmp(only, "copyout"))
		test_copyout(sys);
	else
		return 2;
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	int sys, i, loops = 20;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kvm"))
			kvm_mode = 1;
		else if (!strncmp(argv[i], "--loops=", 8))
			loops = atoi(argv[i] + 8);
		else if (!strncmp(argv[i], "--only=", 7))
			only = argv[i] + 7;
		else if (argv[i][0] != '-')
			device = argv[i];
		else {
			fprintf(stderr, "usage: api-bad [--kvm] [--loops=N] [--only=GROUP[:ARG]] [DEVICE]\n");
			return 2;
		}
	}
	if (!device)
		device = kvm_mode ? "/dev/kvm" : VMXLAB_DEVICE_PATH;
	install_handlers();
	sys = open(device, O_RDWR);
	if (sys < 0) {
		printf("FAIL open: %s: %s\n", device, strerror(errno));
		return 1;
	}
	if (only) {
		i = run_only(sys, only);
		if (i == 2)
			fprintf(stderr, "api-bad: unknown group --only=%s\n", only);
		close(sys);
		return i;
	}
	bad_sequence(sys);
	test_fpu_mxcsr(sys);
	test_huge_slot(sys);
	test_sregs_atomic(sys);
	test_exit_info_offset(sys);
	test_run_with_ioctls(sys);
	test_fork(sys);
	test_unmapped_run(sys);
	test_fail_entry(sys);
	if (!kvm_mode)
		test_set_vmcs(sys);
	if (!kvm_mode)
		test_endless_loop(sys);
	test_close_while_running(sys);
	test_caps_qemu(sys);
	test_debugregs(sys);
	test_signal_mask(sys);
	test_reset_to_real_mode(sys);
	test_regs_round_trip_in_io(sys);
	test_set_tpr_exit(sys);
	test_slots_qemu(sys);
	test_slot_churn_while_running(sys);
	test_copyout(sys);
	test_leaks(sys, loops);
	close(sys);
	return failures ? 1 : 0;
}
