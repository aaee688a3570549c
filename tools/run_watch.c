// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --watch: EPT watches (vmxlab only; include/vmxlab/uapi.h,
 * "EPT watches").  Each --watch GPA[+LEN]:DENY[:once|:block] becomes one
 * VMXLAB_SET_EPT_WATCH; each hit (VMXLAB_EXIT_EPT_WATCH) is one line on
 * stderr, then the vCPU goes on as the watch says:
 *   once   VMXLAB_WATCH_ALLOW_ONCE: the access happens, the watch stays;
 *   block  VMXLAB_WATCH_BLOCK: the instruction runs again and hits again.
 * After --watch-max hits in all the run stops with RUN_EXIT_WATCH_LIMIT.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "run.h"
#include "vmxlab.h"

#define WATCH_LEN_DEFAULT	4096ULL

static const char *const action_names[] = {
	[WATCH_ONCE] = "once",
	[WATCH_BLOCK] = "block",
};

/* "rwx", "w", "x": VMXLAB_WATCH_DENY_* bits, 0 if @s is not that. */
static uint32_t parse_deny(const char *s, size_t len)
{
	uint32_t deny = 0, bit;
	size_t i;

	for (i = 0; i < len; i++) {
		bit = s[i] == 'r' ? VMXLAB_WATCH_DENY_READ :
		      s[i] == 'w' ? VMXLAB_WATCH_DENY_WRITE :
		      s[i] == 'x' ? VMXLAB_WATCH_DENY_EXEC : 0;
		if (!bit || (deny & bit))
			return 0;
		deny |= bit;
	}
	return deny;
}

/* A number in C notation (0x.. hex), with an optional K or M suffix. */
static bool parse_number(const char *s, const char **end, uint64_t *value)
{
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*value = strtoull(s, &e, 0);
	if (errno)
		return false;
	if (*e == 'K' || *e == 'k' || *e == 'M' || *e == 'm') {
		unsigned int shift = (*e == 'K' || *e == 'k') ? 10 : 20;

		if (*value > (UINT64_MAX >> shift))
			return false;
		*value <<= shift;
		e++;
	}
	*end = e;
	return true;
}

static int parse_action(const char *s, enum watch_action *action)
{
	unsigned int i;

	if (!*s) {
		*action = WATCH_ONCE;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (s[0] == ':' && !strcmp(s + 1, action_names[i])) {
			*action = i;
			return 0;
		}
	}
	return -1;
}

int watch_parse(struct watch_opt *watches, unsigned int *count, const char *arg)
{
	struct watch_opt w = { .len = WATCH_LEN_DEFAULT };
	const char *p, *colon;

	if (*count == WATCHES_MAX) {
		error_msg("run: --watch: at most %d watches", WATCHES_MAX);
		return -1;
	}
	if (!parse_number(arg, &p, &w.gpa) ||
	    (*p == '+' && !parse_number(p + 1, &p, &w.len)) || *p != ':')
		goto bad;
	colon = strchr(p + 1, ':');
	w.deny = parse_deny(p + 1, colon ? (size_t)(colon - p - 1) : strlen(p + 1));
	if (!w.deny || parse_action(colon ? colon : "", &w.action))
		goto bad;
	watches[(*count)++] = w;
	return 0;
bad:
	error_msg("run: --watch '%s': give GPA[+LEN]:DENY[:once|:block], DENY one or more of r, w, x (e.g. 0x3000:w:block)",
		  arg);
	return -1;
}

int watch_install(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_watches; i++) {
		const struct watch_opt *w = &vm->watches[i];
		struct vmxlab_ept_watch req = {
			.gpa = w->gpa, .size = w->len, .deny = w->deny,
		};

		if (!ioctl(vm->vm_fd, VMXLAB_SET_EPT_WATCH, &req))
			continue;
		if (errno == ENOTTY)
			error_msg("--watch: %s has no EPT watches (vmxlab only)", vm->device);
		else
			error_msg("--watch 0x%" PRIx64 "+0x%" PRIx64 ": VMXLAB_SET_EPT_WATCH failed: %s%s",
				  w->gpa, w->len, strerror(errno),
				  errno == EOPNOTSUPP ? " (read denied without execute needs execute-only EPT pages, which this CPU lacks)" :
				  errno == EINVAL ? " (GPA and LEN must be multiples of 4K)" :
				  errno == EEXIST ? " (it overlaps another watch)" : "");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* "write", "read+write", "exec". */
static void access_name(uint32_t access, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s",
		 access & VMXLAB_WATCH_DENY_READ ? "read" : "",
		 (access & VMXLAB_WATCH_DENY_READ) && (access & ~VMXLAB_WATCH_DENY_READ) ? "+" : "",
		 access & VMXLAB_WATCH_DENY_WRITE ? "write" : "",
		 (access & VMXLAB_WATCH_DENY_WRITE) && (access & VMXLAB_WATCH_DENY_EXEC) ? "+" : "",
		 access & VMXLAB_WATCH_DENY_EXEC ? "exec" : "");
}

/* The --watch holding @gpa (the first one given wins); NULL if none. */
static const struct watch_opt *watch_at(const struct vm *vm, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < vm->nr_watches; i++)
		if (gpa >= vm->watches[i].gpa && gpa - vm->watches[i].gpa < vm->watches[i].len)
			return &vm->watches[i];
	return NULL;
}

/* A VMXLAB_EXIT_EPT_WATCH: one line, then resume as the watch says. */
int watch_hit(struct vcpu *vcpu)
{
	const struct vmxlab_watch_hit *hit = VMXLAB_WATCH_HIT(vcpu->run);
	struct vm *vm = vcpu->vm;
	const struct watch_opt *w = watch_at(vm, hit->gpa);
	enum watch_action action = w ? w->action : WATCH_BLOCK;
	struct vmxlab_watch_resume resume = {
		.action = action == WATCH_ONCE ? VMXLAB_WATCH_ALLOW_ONCE : VMXLAB_WATCH_BLOCK,
	};
	char kind[24], gla[40] = "";

	vcpu->watch_hits++;
	vm->watch_hits++;
	access_name(hit->access, kind, sizeof(kind));
	if (hit->flags & VMXLAB_WATCH_HIT_GLA_VALID)
		snprintf(gla, sizeof(gla), " gla 0x%llx", (unsigned long long)hit->gla);
	fflush(stdout);
	fprintf(stderr, "watch: vcpu %u %s gpa 0x%llx rip 0x%llx%s%s -> %s\n", vcpu->id, kind,
		(unsigned long long)hit->gpa, (unsigned long long)hit->rip, gla,
		hit->flags & VMXLAB_WATCH_HIT_DELIVERY ? " (event delivery)" : "",
		action == WATCH_ONCE ? "allowed once" : "blocked");
	if (vm->watch_hits >= vm->watch_max) {
		error_msg("watch: %lu hits, giving up (--watch-max %lu)", vm->watch_hits,
			  vm->watch_max);
		vcpu->end = VCPU_FAILED;
		return RUN_EXIT_WATCH_LIMIT;
	}
	if (ioctl(vcpu->fd, VMXLAB_WATCH_RESUME, &resume)) {
		error_msg("VMXLAB_WATCH_RESUME (%s) at gpa 0x%llx failed: %s%s",
			  action_names[action], (unsigned long long)hit->gpa, strerror(errno),
			  errno == EOPNOTSUPP ? " (an access of event delivery cannot be allowed once)" : "");
		vcpu->end = VCPU_FAILED;
		return EXIT_FAILED;
	}
	return -1;
}
