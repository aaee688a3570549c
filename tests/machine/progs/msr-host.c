// SPDX-License-Identifier: GPL-2.0
/*
 * msr-host [SECONDS]: the host's own IA32_TSC_AUX and SYSCALL MSRs are in
 * force in user space, on every online CPU, for SECONDS (default: one
 * round).  Linux keeps (node << 12) | cpu in TSC_AUX for RDTSCP and the
 * vDSO's getcpu: on each CPU in turn (pinned), RDTSCP's ECX must name the
 * CPU that the getcpu system call names, and that system call (SYSCALL,
 * through IA32_LSTAR/STAR/FMASK) must come back.  Run while or after a
 * guest set its own TSC_AUX and LSTAR (tests/machine/tests/msr-host.sh):
 * a hypervisor that left the guest's values in place gives a wrong CPU
 * number here, or sends this process's system call to the guest's entry
 * address (the host crashes).  One PASS/FAIL line per CPU; exit 1 if any
 * failed.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib.h"

static uint32_t rdtscp_aux(void)
{
	uint32_t lo, hi, aux;

	asm volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux));
	return aux;
}

/* On @cpu for @seconds: RDTSCP's CPU against getcpu's, each time; the first mismatch in @why. */
static long check_cpu(int cpu, double seconds, char *why, size_t len)
{
	double end = now() + seconds;
	long rounds = 0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		snprintf(why, len, "cannot pin to CPU %d", cpu);
		return -1;
	}
	do {
		unsigned int got_cpu = ~0u, node = ~0u;
		uint32_t aux = rdtscp_aux();

		if (syscall(SYS_getcpu, &got_cpu, &node, NULL)) {
			snprintf(why, len, "getcpu failed");
			return -1;
		}
		if ((aux & 0xfff) != got_cpu || got_cpu != (unsigned int)cpu) {
			snprintf(why, len, "RDTSCP's TSC_AUX 0x%x, getcpu CPU %u, pinned to %d",
				 aux, got_cpu, cpu);
			return -1;
		}
		rounds++;
		if (rounds % 64 == 0)
			sched_yield();
	} while (now() < end);
	return rounds;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 0;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	char name[64], why[160];
	int cpu;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (cpu = 0; cpu < ncpus; cpu++) {
		long rounds = check_cpu(cpu, seconds / ncpus, why, sizeof(why));

		snprintf(name, sizeof(name), "host-tsc-aux-cpu%d", cpu);
		report(rounds > 0, name, "%s", why);
		if (rounds > 0)
			printf("NOTE: CPU %d: %ld RDTSCP/getcpu rounds agreed\n", cpu, rounds);
	}
	return failures ? 1 : 0;
}
