// SPDX-License-Identifier: GPL-2.0
/*
 * The stand-in device's KVM-API part (fakedev.c has the overview): VMs
 * and vCPUs, so that `vmxlab run`'s run loop (devices, exits, --trace,
 * vCPU threads, signals) runs on a host without VT-x.  It runs no guest:
 * each KVM_RUN returns the next exit of a script.
 *
 * /fake/kvm behaves as KVM; /fake/vmxlab also fills struct
 * vmxlab_exit_info past kvm_run and answers vmxlab's VM and vCPU
 * extras, as vmxlab does.
 *
 * $FAKE_KVM_SCRIPT names the script, one exit per line, for every vCPU,
 * or for vCPU N only when the line starts with "N:":
 *   out PORT SIZE VALUE...   port output, one element per VALUE
 *   outs PORT TEXT           a string output (size 1, count = length)
 *   in PORT SIZE COUNT       port input (what the tool stored is logged)
 *   mmio-write GPA LEN VALUE, mmio-read GPA LEN (the data read is logged)
 *   hlt | shutdown | fail-entry REASON | internal SUBERROR WORD...
 *   exit N                   any exit reason number
 *   watch GPA ACCESS RIP     an EPT watch hit (vmxlab's VMXLAB_EXIT_EPT_WATCH),
 *                            ACCESS the VMXLAB_WATCH_DENY_* bits
 *   block                    wait for a signal: EINTR (KVM_EXIT_INTR)
 *   window                   KVM_EXIT_IRQ_WINDOW_OPEN
 *   cli | sti                no exit: RFLAGS.IF for the next lines (1 at first),
 *                            reported in if_flag and ready_for_interrupt_injection
 *                            (which also needs no KVM_INTERRUPT still queued)
 * After the last line KVM_RUN answers HLT.  $FAKE_KVM_LOG gets one line
 * per thing the tool told the device (registers set, data read back,
 * EPT watches set and how each hit was resumed, KVM_INTERRUPT and KVM_NMI,
 * request_interrupt_window at each KVM_RUN that has it).  KVM_CREATE_VM fails
 * with ENODEV when $FAKE_KVM_NO_VM is set (ENOTTY when it says "enotty");
 * VMXLAB_SET_VMCS fails with the errno in $FAKE_KVM_SET_VMCS_ERRNO.
 *
 * Exit timing (VMXLAB_SET/GET_EXIT_CYCLES, /fake/vmxlab): each VM exit
 * is charged at the next KVM_RUN with a fixed cost by reason (fake_cost()).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakedev.h"

/*
 * strtok() keeps its position in one static variable: vCPU threads that
 * parse their script lines at the same time would share it (a crash seen
 * under load).  One position per thread instead.
 */
static __thread char *strtok_pos;

static char *fake_strtok(char *s, const char *delim)
{
	return strtok_r(s, delim, &strtok_pos);
}

#define MAX_VCPUS	8
#define RUN_SIZE	(3 * 4096)
#define IO_PAGE		4096

struct fake_vcpu {
	int id;
	struct kvm_run *run;
	struct kvm_regs regs;
	unsigned int line;	/* next script line */
	int if_clear;		/* "cli" seen: the guest's RFLAGS.IF is 0 */
	int irq_queued;		/* a KVM_INTERRUPT not delivered yet: the next exit takes it */
	int pending_log;	/* 1: log the IN/MMIO data at the next KVM_RUN */
	int cycles_on;
	unsigned int cycles_pending;	/* basic reason, or VMXLAB_CYCLES_NONE */
	struct vmxlab_exit_cycles cycles[VMXLAB_MAX_EXIT_REASONS];
};

static struct fake_vcpu *vcpu_of[MAX_FDS];
static struct fake_vcpu vcpus[MAX_VCPUS];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(const char *fmt, ...)
{
	const char *path = getenv("FAKE_KVM_LOG");
	FILE *f;
	va_list ap;

	if (!path)
		return;
	pthread_mutex_lock(&log_lock);
	f = fopen(path, "a");
	if (f) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fputc('\n', f);
		fclose(f);
	}
	pthread_mutex_unlock(&log_lock);
}

void fake_kvm_map_run(int fd, void *p)
{
	vcpu_of[fd]->run = p;
	if (fake_is_vmxlab)
		((struct vmxlab_exit_info *)((char *)p + VMXLAB_EXIT_INFO_OFFSET))->magic =
			VMXLAB_EXIT_INFO_MAGIC;
}

/* Line @n of the script meant for vCPU @id, or NULL after the last. */
static char *script_line(int id, unsigned int *n, char *buf, size_t size)
{
	const char *path = getenv("FAKE_KVM_SCRIPT");
	FILE *f = path ? fopen(path, "r") : NULL;
	unsigned int i = 0;
	char *line = NULL;

	while (f && fgets(buf, size, f)) {
		char *p = buf;

		buf[strcspn(buf, "\n")] = '\0';
		if (p[0] >= '0' && p[0] <= '9' && p[1] == ':') {
			if (p[0] - '0' != id)
				continue;
			p += 2;
		}
		if (i++ == *n) {
			line = p;
			(*n)++;
			break;
		}
	}
	if (f)
		fclose(f);
	return line;
}

/* The fake's exit times: I/O 1500 cycles, EPT violation 2500, HLT 700, others 300. */
static unsigned long long fake_cost(unsigned int reason)
{
	switch (reason) {
	case 30:
		return 1500;
	case 48:
		return 2500;
	case 12:
		return 700;
	default:
		return 300;
	}
}

/* At KVM_RUN: the pending exit's time is up. */
static void charge_cycles(struct fake_vcpu *v)
{
	struct vmxlab_exit_cycles *c;
	unsigned long long cost;
	unsigned int b = 0;

	if (!v->cycles_on || v->cycles_pending == VMXLAB_CYCLES_NONE)
		return;
	cost = fake_cost(v->cycles_pending);
	while (b + 1 < VMXLAB_CYCLES_BUCKETS && cost >> (b + 1))
		b++;
	c = &v->cycles[v->cycles_pending];
	c->count++;
	c->sum += cost;
	c->buckets[b]++;
	v->cycles_pending = VMXLAB_CYCLES_NONE;
}

static void vmx_exit(struct fake_vcpu *v, unsigned int reason, unsigned long long qual)
{
	struct vmxlab_exit_info *info;

	if (!fake_is_vmxlab)
		return;
	info = (void *)((char *)v->run + VMXLAB_EXIT_INFO_OFFSET);
	info->exit_reason = reason;
	info->qualification = qual;
	info->guest_rip = v->regs.rip;
	info->exits[reason & 0xffff]++;
	if (v->cycles_on && (reason & 0xffff) < VMXLAB_MAX_EXIT_REASONS && !(reason >> 31))
		v->cycles_pending = reason & 0xffff;
}

static int set_cycles(struct fake_vcpu *v, const struct vmxlab_cycles_control *ctl)
{
	if (!fake_is_vmxlab)
		return fake_fail(ENOTTY);
	if (ctl->flags & ~VMXLAB_CYCLES_ON)
		return fake_fail(EINVAL);
	v->cycles_on = ctl->flags & VMXLAB_CYCLES_ON;
	v->cycles_pending = VMXLAB_CYCLES_NONE;
	if (v->cycles_on)
		memset(v->cycles, 0, sizeof(v->cycles));
	log_line("vcpu%d exit cycles %s", v->id, v->cycles_on ? "on" : "off");
	return 0;
}

static int get_cycles(struct fake_vcpu *v, struct vmxlab_cycles_read *rd)
{
	if (!fake_is_vmxlab)
		return fake_fail(ENOTTY);
	if (rd->nreasons > VMXLAB_MAX_EXIT_REASONS)
		rd->nreasons = VMXLAB_MAX_EXIT_REASONS;
	memcpy((void *)(uintptr_t)rd->reasons, v->cycles, rd->nreasons * sizeof(v->cycles[0]));
	rd->state = v->cycles_on ? VMXLAB_CYCLES_ON : 0;
	rd->pending_reason = v->cycles_on ? v->cycles_pending : VMXLAB_CYCLES_NONE;
	return 0;
}

static void set_io(struct fake_vcpu *v, int in, unsigned int port,
		   unsigned int size, unsigned int count)
{
	struct kvm_run *run = v->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.port = port;
	run->io.size = size;
	run->io.count = count;
	run->io.data_offset = IO_PAGE;
	/* I/O qualification: size - 1, direction, string, port (SDM Vol. 3C). */
	vmx_exit(v, 30, (size - 1) | (in ? 8 : 0) | (count > 1 ? 0x30 : 0) |
		 ((unsigned long long)port << 16));
}

static int block(struct fake_vcpu *v)
{
	struct timespec second = { 1, 0 };
	int i;

	for (i = 0; i < 30; i++) {
		if (v->run->immediate_exit || nanosleep(&second, NULL))
			break;
	}
	vmx_exit(v, 1, 0);
	v->run->exit_reason = KVM_EXIT_INTR;
	return fake_fail(EINTR);
}

/* The data the tool answered to the previous IN or MMIO read. */
static void log_answer(struct fake_vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned char *d = (unsigned char *)run + IO_PAGE;
	unsigned long long value = 0;
	unsigned int i;

	if (run->exit_reason == KVM_EXIT_IO) {
		for (i = 0; i < run->io.count; i++, d += run->io.size) {
			value = 0;
			memcpy(&value, d, run->io.size);
			log_line("vcpu%d in 0x%x = 0x%llx", v->id, run->io.port, value);
		}
	} else {
		memcpy(&value, run->mmio.data, run->mmio.len);
		log_line("vcpu%d mmio-read 0x%llx = 0x%llx", v->id,
			 (unsigned long long)run->mmio.phys_addr, value);
	}
}

static void set_mmio(struct fake_vcpu *v, int write, char *args)
{
	struct kvm_run *run = v->run;
	unsigned long long value = 0;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = strtoull(fake_strtok(args, " "), NULL, 0);
	run->mmio.len = strtoul(fake_strtok(NULL, " "), NULL, 0);
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		value = strtoull(fake_strtok(NULL, " "), NULL, 0);
		memcpy(run->mmio.data, &value, run->mmio.len);
	}
	vmx_exit(v, 48, write ? 2 : 1);
}

static void set_out(struct fake_vcpu *v, char *args, int string)
{
	unsigned char *d = (unsigned char *)v->run + IO_PAGE;
	unsigned int port = strtoul(fake_strtok(args, " "), NULL, 0), size = 1, n = 0;
	char *tok;

	if (string) {
		tok = fake_strtok(NULL, "");
		n = strlen(tok);
		memcpy(d, tok, n);
	} else {
		size = strtoul(fake_strtok(NULL, " "), NULL, 0);
		while ((tok = fake_strtok(NULL, " "))) {
			unsigned long value = strtoul(tok, NULL, 0);

			memcpy(d + n++ * size, &value, size);
		}
	}
	set_io(v, 0, port, size, n);
}

static void set_internal(struct fake_vcpu *v, char *args)
{
	struct kvm_run *run = v->run;
	char *tok;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = strtoul(fake_strtok(args, " "), NULL, 0);
	run->internal.ndata = 0;
	while ((tok = fake_strtok(NULL, " ")) && run->internal.ndata < 16)
		run->internal.data[run->internal.ndata++] = strtoull(tok, NULL, 0);
}

/* "GPA ACCESS RIP": a hit as vmxlab reports it, with a guest-linear address. */
static void set_watch_hit(struct fake_vcpu *v, char *args)
{
	struct vmxlab_watch_hit *hit = VMXLAB_WATCH_HIT(v->run);

	memset(hit, 0, sizeof(*hit));
	hit->gpa = strtoull(fake_strtok(args, " "), NULL, 0);
	hit->access = strtoul(fake_strtok(NULL, " "), NULL, 0);
	hit->rip = strtoull(fake_strtok(NULL, " "), NULL, 0);
	hit->gla = hit->gpa + 0x10000;
	hit->flags = VMXLAB_WATCH_HIT_GLA_VALID;
	hit->vcpu = v->id;
	v->run->exit_reason = VMXLAB_EXIT_EPT_WATCH;
	vmx_exit(v, 48, 0);
}

static int kvm_run(struct fake_vcpu *v)
{
	char buf[512], *line, *op, *args;

	if (v->pending_log)
		log_answer(v);
	v->pending_log = 0;
	charge_cycles(v);
	if (v->run->immediate_exit) {
		v->run->exit_reason = KVM_EXIT_INTR;
		return fake_fail(EINTR);
	}
	if (v->run->request_interrupt_window)
		log_line("vcpu%d request-interrupt-window", v->id);
	/* An interrupt injected with IF = 1 is taken on entry. */
	if (!v->if_clear)
		v->irq_queued = 0;
	do {
		line = script_line(v->id, &v->line, buf, sizeof(buf));
		op = line ? fake_strtok(line, " ") : "hlt";
		if (!strcmp(op, "cli") || !strcmp(op, "sti"))
			v->if_clear = op[0] == 'c';
		else
			break;
	} while (1);
	v->run->if_flag = !v->if_clear;
	v->run->ready_for_interrupt_injection = !v->if_clear && !v->irq_queued;
	v->regs.rip += 2;
	args = fake_strtok(NULL, "");
	if (!strcmp(op, "out") || !strcmp(op, "outs")) {
		set_out(v, args, op[3] == 's');
	} else if (!strcmp(op, "in")) {
		unsigned int port = strtoul(fake_strtok(args, " "), NULL, 0);
		unsigned int size = strtoul(fake_strtok(NULL, " "), NULL, 0);

		set_io(v, 1, port, size, strtoul(fake_strtok(NULL, " "), NULL, 0));
		memset((char *)v->run + IO_PAGE, 0xaa, size * v->run->io.count);
		v->pending_log = 1;
	} else if (!strcmp(op, "mmio-write") || !strcmp(op, "mmio-read")) {
		set_mmio(v, op[5] == 'w', args);
		v->pending_log = op[5] == 'r';
	} else if (!strcmp(op, "shutdown")) {
		v->run->exit_reason = KVM_EXIT_SHUTDOWN;
		vmx_exit(v, 2, 0);
	} else if (!strcmp(op, "fail-entry")) {
		v->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		v->run->fail_entry.hardware_entry_failure_reason = strtoull(args, NULL, 0);
		v->run->fail_entry.cpu = 1;
		vmx_exit(v, strtoul(args, NULL, 0), 0);
	} else if (!strcmp(op, "internal")) {
		set_internal(v, args);
	} else if (!strcmp(op, "exit")) {
		v->run->exit_reason = strtoul(args, NULL, 0);
	} else if (!strcmp(op, "block")) {
		return block(v);
	} else if (!strcmp(op, "watch")) {
		set_watch_hit(v, args);
	} else if (!strcmp(op, "window")) {
		v->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		vmx_exit(v, 7, 0);
	} else {
		v->run->exit_reason = KVM_EXIT_HLT;
		vmx_exit(v, 12, 0);
	}
	return 0;
}

static int create_vcpu(unsigned long id)
{
	int fd;

	if (id >= MAX_VCPUS)
		return fake_fail(EINVAL);
	fd = fake_new_fd(FD_VCPU);
	if (fd >= 0 && fd < MAX_FDS) {
		vcpus[id].id = id;
		vcpu_of[fd] = &vcpus[id];
	}
	return fd;
}

static void log_sregs(struct fake_vcpu *v, const struct kvm_sregs *s)
{
	log_line("vcpu%d sregs cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx cs=0x%x tr=0x%x ldt.unusable=%u",
		 v->id, s->cr0, s->cr3, s->cr4, s->efer, s->cs.selector,
		 s->tr.selector, s->ldt.unusable);
}

/* VMXLAB_SET_VMCS: log each field; $FAKE_KVM_SET_VMCS_ERRNO makes it fail. */
static int set_vmcs(struct fake_vcpu *v, const struct vmxlab_vmcs_write *req)
{
	const struct vmxlab_vmcs_field *f = (const void *)(uintptr_t)req->fields;
	const char *err = getenv("FAKE_KVM_SET_VMCS_ERRNO");
	unsigned int i;

	if (err)
		return fake_fail(atoi(err));
	for (i = 0; i < req->nfields; i++)
		log_line("vcpu%d set-vmcs 0x%04x=0x%llx", v->id, f[i].encoding,
			 (unsigned long long)f[i].value);
	return 0;
}

/* What KVM_SET_CPUID2 received: a count line, then one line per entry. */
static void log_cpuid(struct fake_vcpu *v, const struct kvm_cpuid2 *c)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int i;

	log_line("vcpu%d cpuid nent=%u", v->id, c->nent);
	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		log_line("vcpu%d cpuid 0x%x 0x%x 0x%x 0x%x 0x%x 0x%x 0x%x", v->id,
			 e->function, e->index, e->flags, e->eax, e->ebx, e->ecx, e->edx);
	}
}

static int vcpu_ioctl(struct fake_vcpu *v, unsigned long request, void *arg)
{
	switch (request) {
	case KVM_RUN:
		return kvm_run(v);
	case VMXLAB_SET_VMCS:
		return set_vmcs(v, arg);
	case VMXLAB_CHECK_ENTRY:	/* the model finds nothing wrong */
		((struct vmxlab_entry_check *)arg)->count = 0;
		((struct vmxlab_entry_check *)arg)->checks = 129;
		return 0;
	case KVM_GET_REGS:
		memcpy(arg, &v->regs, sizeof(v->regs));
		return 0;
	case KVM_SET_REGS:
		memcpy(&v->regs, arg, sizeof(v->regs));
		log_line("vcpu%d regs rip=0x%llx rsp=0x%llx rbx=0x%llx", v->id,
			 v->regs.rip, v->regs.rsp, v->regs.rbx);
		return 0;
	case KVM_GET_SREGS:
		memset(arg, 0, sizeof(struct kvm_sregs));
		return 0;
	case KVM_SET_SREGS:
		log_sregs(v, arg);
		return 0;
	case KVM_SET_CPUID2:
		log_cpuid(v, arg);
		return 0;
	case VMXLAB_SET_EXIT_CYCLES:
		return set_cycles(v, arg);
	case VMXLAB_GET_EXIT_CYCLES:
		return get_cycles(v, arg);
	case KVM_INTERRUPT:
		if (((struct kvm_interrupt *)arg)->irq >= 256)
			return fake_fail(EINVAL);
		if (v->irq_queued && fake_is_vmxlab)
			return fake_fail(EEXIST);
		log_line("vcpu%d interrupt 0x%x%s", v->id, ((struct kvm_interrupt *)arg)->irq,
			 v->run->ready_for_interrupt_injection ? "" : " while not ready");
		v->irq_queued = 1;
		return 0;
	case KVM_NMI:
		log_line("vcpu%d nmi", v->id);
		return 0;
	case VMXLAB_WATCH_RESUME:
		if (!fake_is_vmxlab)
			return fake_fail(ENOTTY);
		log_line("vcpu%d watch-resume %s", v->id,
			 ((struct vmxlab_watch_resume *)arg)->action == VMXLAB_WATCH_ALLOW_ONCE ?
			 "allow-once" : "block");
		return 0;
	default:
		return fake_fail(ENOTTY);
	}
}

/* Create a VM, unless $FAKE_KVM_NO_VM says the device cannot. */
static int create_vm(void)
{
	const char *no_vm = getenv("FAKE_KVM_NO_VM");

	if (no_vm)
		return fake_fail(strcmp(no_vm, "enotty") ? ENODEV : ENOTTY);
	return fake_new_fd(FD_VM);
}

int fake_kvm_ioctl(int fd, enum fd_kind kind, unsigned long request, void *arg)
{
	if (kind == FD_VCPU)
		return vcpu_ioctl(vcpu_of[fd], request, arg);
	if (kind == FD_SYS && request == KVM_GET_API_VERSION)
		return KVM_API_VERSION;
	if (kind == FD_SYS && request == KVM_CREATE_VM)
		return create_vm();
	if (kind == FD_SYS && request == KVM_GET_VCPU_MMAP_SIZE)
		return RUN_SIZE;
	if (kind == FD_SYS && request == KVM_GET_SUPPORTED_CPUID)
		return ((struct kvm_cpuid2 *)arg)->nent = 0, 0;
	if (kind == FD_VM && request == KVM_SET_USER_MEMORY_REGION)
		return 0;
	if (kind == FD_VM && request == KVM_CREATE_VCPU)
		return create_vcpu((unsigned long)arg);
	if (kind == FD_VM && request == VMXLAB_SET_EPT_WATCH && fake_is_vmxlab) {
		const struct vmxlab_ept_watch *w = arg;

		log_line("watch gpa=0x%llx size=0x%llx deny=%u", (unsigned long long)w->gpa,
			 (unsigned long long)w->size, w->deny);
		return w->gpa & 0xfff ? fake_fail(EINVAL) : 0;
	}
	return fake_fail(ENOTTY);
}
