// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab cpus: each CPU's VMX state (VMXLAB_GET_CPU_STATE), CPU 0 up to
 * the first number the module refuses with EINVAL.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "json.h"
#include "vmxlab.h"

/* More CPUs than any kernel allows (NR_CPUS <= 8192): a runaway guard. */
#define CPUS_LIMIT	8192

#define NO_CURRENT_VMCS	(~0ULL)

static void cpus_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab cpus [--json] [--device PATH]\n"
		"\n"
		"One line per CPU: online or not, whether vmxlab executed VMXON on it,\n"
		"CR4.VMXE, whether it is in VMX root operation, and its current-VMCS\n"
		"pointer there (none: no VMCS is current).\n"
		"\n"
		"  --json          print a JSON object {\"cpus\": [...]}\n"
		"  --device PATH   the vmxlab device (default %s)\n"
		"  -h, --help      this help\n",
		VMXLAB_DEVICE_PATH);
}

static void print_cpu_line(const struct vmxlab_cpu_state *st)
{
	if (!(st->flags & VMXLAB_CPU_ONLINE)) {
		printf("cpu%u: offline\n", st->cpu);
		return;
	}
	printf("cpu%u: online vmxon=%s cr4.vmxe=%d vmx-root=%s", st->cpu,
	       st->flags & VMXLAB_CPU_VMXON ? "yes" : "no",
	       st->flags & VMXLAB_CPU_CR4_VMXE ? 1 : 0,
	       st->flags & VMXLAB_CPU_IN_VMX_ROOT ? "yes" : "no");
	if (st->flags & VMXLAB_CPU_IN_VMX_ROOT) {
		if (st->flags & VMXLAB_CPU_VMCS_HIDDEN)
			printf(" current-vmcs=hidden (needs CAP_SYS_ADMIN)");
		else if (st->current_vmcs == NO_CURRENT_VMCS)
			printf(" current-vmcs=none");
		else
			printf(" current-vmcs=0x%" PRIx64, (uint64_t)st->current_vmcs);
	}
	printf("\n");
}

static void print_cpu_json(struct json *j, const struct vmxlab_cpu_state *st)
{
	bool root = st->flags & VMXLAB_CPU_IN_VMX_ROOT;

	json_object_begin(j, NULL);
	json_uint(j, "cpu", st->cpu);
	json_bool(j, "online", st->flags & VMXLAB_CPU_ONLINE);
	json_bool(j, "vmxon", st->flags & VMXLAB_CPU_VMXON);
	json_bool(j, "cr4_vmxe", st->flags & VMXLAB_CPU_CR4_VMXE);
	json_bool(j, "vmx_root", root);
	json_hex(j, "cr4", st->cr4, 16);
	if (st->flags & VMXLAB_CPU_VMCS_HIDDEN)
		json_string(j, "current_vmcs", "hidden: needs CAP_SYS_ADMIN");
	else if (root && st->current_vmcs != NO_CURRENT_VMCS)
		json_hex(j, "current_vmcs", st->current_vmcs, 16);
	else
		json_null(j, "current_vmcs");
	json_object_end(j);
}

static int parse_cpus_options(int argc, char **argv, const char **device,
			      bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			*json = true;
			break;
		case 'd':
			*device = optarg;
			break;
		case 'h':
			cpus_usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint("cpus");
		}
	}
	if (optind < argc) {
		error_msg("cpus: unexpected argument '%s'", argv[optind]);
		return usage_hint("cpus");
	}
	return -1;
}

/* Ask for CPU @cpu; 0, or the errno of the failed ioctl. */
static int get_cpu_state(int fd, unsigned int cpu, struct vmxlab_cpu_state *st)
{
	memset(st, 0, sizeof(*st));
	st->cpu = cpu;
	return ioctl(fd, VMXLAB_GET_CPU_STATE, st) ? errno : 0;
}

/*
 * Fill @states (of @max) from CPU 0 up to the first CPU the module refuses
 * with EINVAL; returns how many, or -errno of any other failure.
 */
static int read_cpu_states(int fd, struct vmxlab_cpu_state *states,
			   unsigned int max)
{
	unsigned int cpu;
	int err;

	for (cpu = 0; cpu < max; cpu++) {
		err = get_cpu_state(fd, cpu, &states[cpu]);
		if (err == EINVAL)
			break;
		if (err)
			return -err;
		states[cpu].cpu = cpu;
	}
	return cpu;
}

static void print_cpus(const struct vmxlab_cpu_state *states,
		       unsigned int count, bool json)
{
	unsigned int i;
	struct json j;

	if (!json) {
		for (i = 0; i < count; i++)
			print_cpu_line(&states[i]);
		return;
	}
	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "cpus");
	for (i = 0; i < count; i++)
		print_cpu_json(&j, &states[i]);
	json_array_end(&j);
	json_object_end(&j);
}

static int list_cpus(int fd, const char *device, bool json)
{
	struct vmxlab_cpu_state *states;
	int count;

	states = calloc(CPUS_LIMIT, sizeof(*states));
	if (!states) {
		error_msg("out of memory");
		return EXIT_FAILED;
	}
	count = read_cpu_states(fd, states, CPUS_LIMIT);
	if (count > 0)
		print_cpus(states, count, json);
	free(states);
	if (count < 0)
		return device_ioctl_failed(device, "VMXLAB_GET_CPU_STATE", -count);
	if (count == 0) {
		error_msg("%s reported no CPUs", device);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int cmd_cpus(int argc, char **argv)
{
	const char *device = VMXLAB_DEVICE_PATH;
	bool json = false;
	int fd, ret;

	ret = parse_cpus_options(argc, argv, &device, &json);
	if (ret >= 0)
		return ret;
	fd = device_open(device);
	if (fd < 0)
		return -fd;
	ret = list_cpus(fd, device, json);
	close(fd);
	if (fflush(stdout) && ret == EXIT_OK)
		ret = EXIT_FAILED;
	return ret;
}
