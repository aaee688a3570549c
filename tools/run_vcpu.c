// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: each vCPU in a thread of its own (KVM's rule: a vCPU runs
 * from one thread at a time), signals that stop the run, and --migrate.
 *
 * Stopping: SIGINT, SIGTERM and SIGALRM (--timeout) have handlers
 * installed without SA_RESTART, so a vCPU thread in KVM_RUN gets EINTR
 * (KVM_EXIT_INTR).  The handler also sets immediate_exit in every vCPU's
 * kvm_run, KVM's documented way not to lose a signal that arrives while
 * a thread is between two KVM_RUN calls.  Only vCPU threads take these
 * signals (the others block them), so one of them always wakes; it then
 * kicks the rest out of KVM_RUN with SIGUSR1.  A triple fault or an error
 * of any vCPU ends the run the same way.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "vmxlab.h"

#define KICK_SIGNAL		SIGUSR1
#define MIGRATE_PERIOD_NS	20000000L	/* 20 ms */

/* For the signal handler: the run areas it marks, the signal it saw. */
static struct kvm_run *volatile runs[VCPUS_MAX];
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	unsigned int i;

	if (!stop_signal)
		stop_signal = sig;
	for (i = 0; i < VCPUS_MAX; i++)
		if (runs[i])
			runs[i]->immediate_exit = 1;
}

/* It only has to interrupt KVM_RUN. */
static void on_kick(int sig)
{
	(void)sig;
}

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGALRM);
	sigaddset(set, KICK_SIGNAL);
}

static int install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGALRM };
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: KVM_RUN must return EINTR */
	sa.sa_handler = on_stop_signal;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	sa.sa_handler = on_kick;
	return sigaction(KICK_SIGNAL, &sa, NULL);
}

void stop_all(struct vm *vm)
{
	unsigned int i;

	vm->stop = true;
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->run->immediate_exit = 1;
		if (!v->done && !pthread_equal(v->thread, pthread_self()))
			pthread_kill(v->thread, KICK_SIGNAL);
	}
}

/* --vmcs-diff: what this exit (and the run before it) changed in the VMCS. */
static void print_vmcs_changes(struct vcpu *vcpu)
{
	struct vmcs_snapshot *now = vmcs_snapshot_take(vcpu);

	if (!now)
		return;
	fflush(stdout);
	if (vcpu->vmcs)
		vmcs_snapshot_diff(stderr, vcpu->vmcs, now);
	else
		fprintf(stderr, "  vmcs: first snapshot, %u fields\n", now->count);
	free(vcpu->vmcs);
	vcpu->vmcs = now;
}

/* KVM_RUN returned; -1 to run on, else the vCPU is done. */
static int after_run(struct vcpu *vcpu, int ret, int err)
{
	struct vm *vm = vcpu->vm;
	uint32_t reason = vcpu->run->exit_reason;
	bool intr = ret && err == EINTR;
	bool late;
	int status;

	if (ret && !intr) {
		error_msg("KVM_RUN on %s failed: %s", vm->device, strerror(err));
		vcpu->end = VCPU_FAILED;
		return EXIT_FAILED;
	}
	if (intr) {
		/* KVM says KVM_EXIT_INTR; count it as that whatever is left there. */
		vcpu->exits[KVM_EXIT_INTR]++;
		if (vm->trace) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			trace_exit(vcpu);
		}
		if (stop_signal || vm->stop) {
			vcpu->end = VCPU_STOPPED;
			return RUN_EXIT_INTERRUPTED;
		}
		return -1;
	}
	/* What an IN or MMIO read got is there only once the exit is handled. */
	late = reason == KVM_EXIT_IO || reason == KVM_EXIT_MMIO;
	if (vm->trace && !late)
		trace_exit(vcpu);
	status = handle_exit(vcpu);
	if (vm->trace && late)
		trace_exit(vcpu);
	if (vm->vmcs_diff && vcpu->id == 0)
		print_vmcs_changes(vcpu);
	if (vm->exit_trace)
		exit_trace_drain(vcpu);
	return status;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	sigset_t set;
	int status = -1, ret, err;

	vcpu->tid = syscall(SYS_gettid);
	stop_signals(&set);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (status < 0) {
		if (vm->stop || stop_signal) {
			vcpu->end = VCPU_STOPPED;
			status = RUN_EXIT_INTERRUPTED;
			break;
		}
		status = irq_before_run(vcpu);
		if (status >= 0)
			break;
		ret = ioctl(vcpu->fd, KVM_RUN, 0);
		err = errno;
		pthread_mutex_lock(&vm->lock);
		status = after_run(vcpu, ret, err);
		pthread_mutex_unlock(&vm->lock);
	}
	vcpu->status = status;
	pthread_mutex_lock(&vm->lock);
	/* A signal, a triple fault or an error ends every vCPU. */
	if (vcpu->end == VCPU_FAILED || (vcpu->end == VCPU_STOPPED && !vm->stop))
		stop_all(vm);
	vcpu->done = true;
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

/* The CPUs this process may run on: where --migrate moves the vCPUs. */
static unsigned int usable_cpus(int *cpus, unsigned int max)
{
	cpu_set_t set;
	unsigned int n = 0;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

static bool all_done(const struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i].done)
			return false;
	return true;
}

/* Pin vCPU i to cpus[(step + i) % n], round-robin, every 20 ms. */
static void *migrate_thread(void *arg)
{
	static int cpus[CPU_SETSIZE];
	struct timespec period = { 0, MIGRATE_PERIOD_NS };
	struct vm *vm = arg;
	unsigned int n, step, i;
	cpu_set_t one;

	n = usable_cpus(cpus, CPU_SETSIZE);
	for (step = 1; !vm->stop && !all_done(vm); step++) {
		nanosleep(&period, NULL);
		for (i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = &vm->vcpus[i];

			if (v->done || !v->tid)
				continue;
			CPU_ZERO(&one);
			CPU_SET(cpus[(step + i) % n], &one);
			if (!sched_setaffinity(v->tid, sizeof(one), &one))
				__atomic_add_fetch(&vm->migrations, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static bool start_migration(struct vm *vm, pthread_t *thread)
{
	int cpus[2];

	if (!vm->migrate)
		return false;
	if (usable_cpus(cpus, 2) < 2) {
		fflush(stdout);
		fprintf(stderr, "migrate: this machine lets the tool use one CPU only; the vCPUs run without moving\n");
		return false;
	}
	return !pthread_create(thread, NULL, migrate_thread, vm);
}

static void report_signal(const struct vm *vm)
{
	if (stop_signal == SIGALRM && vm->timeout)
		error_msg("guest stopped by the --timeout of %u s (SIGALRM, KVM_EXIT_INTR)",
			  vm->timeout);
	else
		error_msg("guest stopped by signal SIG%s (KVM_EXIT_INTR)",
			  sigabbrev_np(stop_signal));
}

/*
 * The run's status: a signal -> 6; else the vCPU that ended the whole run
 * (a triple fault, an error); else the first non-zero status in vCPU
 * order (0 when every vCPU halted).
 */
static int run_status(const struct vm *vm)
{
	unsigned int i;
	int status = EXIT_OK;

	if (stop_signal) {
		report_signal(vm);
		return RUN_EXIT_INTERRUPTED;
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].end == VCPU_FAILED)
			return vm->vcpus[i].status;
	for (i = 0; i < vm->nr_vcpus && !status; i++)
		status = vm->vcpus[i].status;
	return status;
}

int run_vcpus(struct vm *vm)
{
	pthread_t migrator;
	bool migrating;
	sigset_t set, old;
	unsigned int i, started = 0;

	for (i = 0; i < vm->nr_vcpus; i++)
		runs[i] = vm->vcpus[i].run;
	/* Threads inherit the mask: only vCPU threads unblock these. */
	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (install_handlers()) {
		error_msg("cannot install signal handlers: %s", strerror(errno));
		return EXIT_FAILED;
	}
	for (i = 0; i < vm->nr_vcpus; i++, started++) {
		if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i])) {
			unsigned int j;

			error_msg("cannot start a thread for vCPU %u", i);
			pthread_mutex_lock(&vm->lock);
			for (j = i; j < vm->nr_vcpus; j++)
				vm->vcpus[j].done = true;
			stop_all(vm);
			pthread_mutex_unlock(&vm->lock);
			break;
		}
	}
	if (vm->timeout)
		alarm(vm->timeout);
	migrating = start_migration(vm, &migrator);
	for (i = 0; i < started; i++)
		pthread_join(vm->vcpus[i].thread, NULL);
	alarm(0);
	if (migrating)
		pthread_join(migrator, NULL);
	for (i = 0; i < VCPUS_MAX; i++)
		runs[i] = NULL;
	if (started < vm->nr_vcpus)
		return EXIT_FAILED;
	return run_status(vm);
}
