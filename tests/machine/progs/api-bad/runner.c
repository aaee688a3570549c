// SPDX-License-Identifier: GPL-2.0
/*
 * api-bad's signals and vCPU threads: a guest that runs until a signal
 * stops it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api-bad.h"


/*
 * SIGALRM and SIGUSR1, without SA_RESTART: the signal makes KVM_RUN return
 * EINTR.  If it lands while the thread is outside KVM_RUN, immediate_exit
 * makes the next KVM_RUN return at once (KVM's documented way; no race).
 */
static __thread struct kvm_run *thread_run;
static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	(void)sig;
	signals++;
	if (thread_run)
		thread_run->immediate_exit = 1;
}

void install_handlers(void)
{
	static const int sigs[] = { SIGALRM, SIGUSR1 };

	catch_signals(on_signal, sigs, sizeof(sigs) / sizeof(sigs[0]));
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	sigset_t alrm;

	/* SIGALRM is for the main thread's own KVM_RUN. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	thread_run = r->v->run;
	r->started = 1;
	for (;;) {
		r->runs++;
		r->ret = ioctl(r->v->fd, KVM_RUN, 0);
		r->err = r->ret < 0 ? errno : 0;
		r->exit_reason = r->v->run->exit_reason;
		if (r->ret < 0 || r->exit_reason != KVM_EXIT_IO)
			break;
	}
	r->v->run->immediate_exit = 0;
	thread_run = NULL;
	r->done = 1;
	return NULL;
}

void runner_start(struct runner *r, struct vcpu *v)
{
	memset(r, 0, sizeof(*r));
	r->v = v;
	if (pthread_create(&r->thread, NULL, runner_main, r)) {
		perror("pthread_create");
		exit(2);
	}
	while (!r->started)
		usleep(1000);
	usleep(200000);		/* long enough to be inside KVM_RUN */
}

/* Signal the runner and wait for it (5 s); a runner that does not end is fatal. */
void runner_stop(struct runner *r, const char *name)
{
	double t0 = now();

	pthread_kill(r->thread, SIGUSR1);
	while (!r->done && now() - t0 < 5)
		usleep(1000);
	if (!r->done) {
		report(0, name, "the vCPU thread did not return from KVM_RUN within 5 s of SIGUSR1; stopping here");
		printf("FAIL remaining-checks: not run, a vCPU thread is stuck in KVM_RUN\n");
		fflush(stdout);
		_exit(1);
	}
	pthread_join(r->thread, NULL);
	/*
	 * On KVM 6.1, a signal that lands between two runs ends the next one
	 * through immediate_exit, which leaves exit_reason as it was.
	 */
	report(r->ret == -1 && r->err == EINTR &&
	       (r->exit_reason == KVM_EXIT_INTR || kvm_mode), name,
	       "KVM_RUN returned %ld, %s, exit_reason %u; want -1 EINTR, KVM_EXIT_INTR (%d)",
	       r->ret, errname(r->err), r->exit_reason, KVM_EXIT_INTR);
}
