// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's checks of KVM_RUN: a guest that halts, one that never exits,
 * a VM closed or a file descriptor used from another process while a vCPU
 * runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api-bad.h"

/* A run of the `touch` guest: HLT, and its writes land in slot 0's pages. */
void test_run_touch(int sys)
{
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	e = vm_create(sys, &vm, guest_touch, sizeof(guest_touch));
	if (!e)
		e = vcpu_create(sys, &vm, 0, &v);
	report(!e, "run-setup", "VM/vCPU setup failed: %s", errname(e));
	if (e) {
		vm_destroy(&vm);
		return;
	}
	v.run->immediate_exit = 1;
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	/* KVM 6.1 leaves exit_reason as it was (newer KVM sets KVM_EXIT_INTR). */
	report(e == EINTR && (v.run->exit_reason == KVM_EXIT_INTR || kvm_mode),
	       "run-immediate-exit-eintr",
	       "KVM_RUN with immediate_exit=1: %ld, %s, exit_reason %u; want -1 EINTR, KVM_EXIT_INTR",
	       ret, errname(e), v.run->exit_reason);
	v.run->immediate_exit = 0;
	alarm_in(5);	/* never hang here */
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(!e && v.run->exit_reason == KVM_EXIT_HLT, "run-touch-guest-hlt",
	       "KVM_RUN: %ld, %s, exit_reason %u; want 0, KVM_EXIT_HLT (%d)",
	       ret, errname(e), v.run->exit_reason, KVM_EXIT_HLT);
	report(vm.mem[0x2000] == 0x20 && vm.mem[0xf000] == 0xf0, "run-touch-guest-writes",
	       "slot memory at 0x2000 %#x, 0xf000 %#x; want 0x20, 0xf0",
	       vm.mem[0x2000], vm.mem[0xf000]);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * A VM whose slot 0 holds @code, and its vCPU 0; false (after reporting
 * the check @setup as failed) when either cannot be made.
 */
bool vm_with_vcpu(int sys, struct vm *vm, struct vcpu *v, const void *code,
			 size_t len, const char *setup)
{
	int e = vm_create(sys, vm, code, len);

	if (!e)
		e = vcpu_create(sys, vm, 0, v);
	if (!e)
		return true;
	report(0, setup, "%s", errname(e));
	vm_destroy(vm);
	return false;
}

/* Every ioctl on a VM or vCPU fd from a forked child: EIO. */
void test_fork(int sys)
{
	struct vm vm;
	struct vcpu v;
	struct kvm_regs regs;
	int status;
	pid_t pid;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "fork-setup"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		failures = 0;
		check("fork-vm-create-vcpu-eio", vm.fd, KVM_CREATE_VCPU, (void *)1UL, EIO, EIO);
		check("fork-vm-set-region-eio", vm.fd, KVM_SET_USER_MEMORY_REGION, &regs, EIO, EIO);
		check("fork-vm-set-tss-addr-eio", vm.fd, KVM_SET_TSS_ADDR, (void *)0xfffbd000UL,
		      EIO, EIO);
		check("fork-vcpu-get-regs-eio", v.fd, KVM_GET_REGS, &regs, EIO, EIO);
		check("fork-vcpu-set-regs-eio", v.fd, KVM_SET_REGS, &regs, EIO, EIO);
		check("fork-vcpu-get-sregs-eio", v.fd, KVM_GET_SREGS, &regs, EIO, EIO);
		check("fork-vcpu-run-eio", v.fd, KVM_RUN, NULL, EIO, EIO);
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		failures++;
	/* And the parent still owns them. */
	check("fork-parent-still-works", v.fd, KVM_GET_REGS, &regs, OK, OK);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* A run whose slot memory was unmapped after SET_USER_MEMORY_REGION: EFAULT. */
void test_unmapped_run(int sys)
{
	struct vm vm;
	struct vcpu v;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "run-unmapped-setup"))
		return;
	munmap(vm.mem, GUEST_MEM);
	vm.mem = NULL;
	alarm_in(5);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	alarm_in(0);
	report(e == EFAULT, "run-unmapped-slot-efault",
	       "KVM_RUN: %ld, %s, exit_reason %u; want -1 EFAULT", ret, errname(e),
	       v.run->exit_reason);
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/* vmxlab only (see the top): guests that never exit. */
void test_endless_loop(int sys)
{
	struct vm vm;
	struct vcpu v;
	struct runner r, r2;
	double t0, dt;
	long ret;
	int e;

	if (!vm_with_vcpu(sys, &vm, &v, guest_spin, sizeof(guest_spin), "spin-setup"))
		return;
	/* Stopped by SIGALRM within a second. */
	t0 = now();
	alarm_in(0.2);
	e = ioctl_errno(v.fd, KVM_RUN, NULL, &ret);
	dt = now() - t0;
	printf("NOTE: endless loop: KVM_RUN returned after %.3f s (SIGALRM at 0.2 s)\n", dt);
	report(e == EINTR && v.run->exit_reason == KVM_EXIT_INTR, "spin-sigalrm-eintr",
	       "KVM_RUN: %ld, %s, exit_reason %u; want -1 EINTR, KVM_EXIT_INTR", ret, errname(e),
	       v.run->exit_reason);
	report(dt < 2.0, "spin-sigalrm-within-2s", "KVM_RUN returned %.3f s after it started, "
	       "SIGALRM was due at 0.2 s; want < 2 s", dt);

	/*
	 * A second KVM_RUN while a thread is in KVM_RUN on the vCPU waits for
	 * the vCPU, as on KVM; it runs once the first has returned.
	 */
	runner_start(&r, &v);
	report(!r.done, "busy-first-run-still-running", "the vCPU thread's KVM_RUN returned "
	       "%ld, %s, exit_reason %u before any signal", r.ret, errname(r.err), r.exit_reason);
	runner_start(&r2, &v);
	report(!r2.done, "busy-second-run-waits", "the second KVM_RUN returned %ld, %s while "
	       "the first ran; want it to wait for the vCPU", r2.ret, errname(r2.err));
	runner_stop(&r, "busy-first-run-eintr-on-signal");
	runner_stop(&r2, "busy-second-run-eintr-on-signal");
	vcpu_destroy(&v);
	vm_destroy(&vm);
}

/*
 * Closing the VM fd while a vCPU thread is in KVM_RUN: the run goes on
 * until the signal, then everything closes; with every fd closed, VMX is
 * released (vmx_users 0).
 */
void test_close_while_running(int sys)
{
	struct vm vm;
	struct vcpu v;
	struct runner r;
	long users;

	if (kvm_mode ? !vm_with_vcpu(sys, &vm, &v, guest_exits, sizeof(guest_exits), "close-vm-setup") :
		       !vm_with_vcpu(sys, &vm, &v, guest_spin, sizeof(guest_spin), "close-vm-setup"))
		return;
	runner_start(&r, &v);
	close(vm.fd);
	vm.fd = -1;
	usleep(200000);
	report(!r.done, "close-vm-run-goes-on", "KVM_RUN returned %ld, %s, exit_reason %u after "
	       "the VM fd was closed; want it to go on until the signal",
	       r.ret, errname(r.err), r.exit_reason);
	if (!kvm_mode) {
		users = vmx_users();
		report(users > 0, "close-vm-vmx-held-while-vcpu-open", "vmx_users %ld: want > 0",
		       users);
	}
	runner_stop(&r, "close-vm-run-eintr-on-signal");
	vcpu_destroy(&v);
	vm_destroy(&vm);
	if (!kvm_mode) {
		users = vmx_users();
		report(users == 0, "close-vm-vmx-users-0", "vmx_users %ld after every fd was "
		       "closed: want 0", users);
	}
}
