// SPDX-License-Identifier: GPL-2.0
/*
 * vpid-shared [--kvm] [ROUNDS] DEVICE: vCPUs that share a VPID still see
 * only their own guest page tables' translations.
 *
 * One VM, three vCPUs, all run from this one thread pinned to CPU 0.
 * Each vCPU has its own 32-bit page tables (CR3) that map the same
 * linear address, 0x400000, to a guest-physical page of its own holding
 * a value of its own.  The guest, the same code for all, reads that
 * linear address and reports the value with an OUT, once per KVM_RUN.
 * The vCPUs run in turn, ROUNDS times each (0, 1, 2, 0, 1, 2, ...): every
 * value must be that vCPU's own.
 *
 * Loaded with own_vpids=1, vmxlab gives vCPU 0 VPID 1 and vCPUs 1 and 2
 * the shared VPID 65535 (checked through VMXLAB_GET_VMCS, field
 * VIRTUAL_PROCESSOR_ID, before and after the rounds).  The TLB tags a
 * guest's translations with the VPID; with EPT, combined mappings with
 * the VPID, the PCID and the EPTP's EP4TA (SDM Vol. 3C, "Virtual-Processor
 * Identifiers (VPIDs)", "Information That May Be Cached").  vCPUs 1 and 2
 * have the same VPID, PCID (0) and EPTP (one VM): without the flush when
 * a CPU switches between them (vmx/vpid.c), vCPU 2 may read vCPU 1's page
 * through a translation cached for vCPU 1.  Two VMs would not show it:
 * their EPTPs differ.
 *
 * Also: after the VM is closed, a new VM's first vCPU gets VPID 1 again
 * (the own VPID was freed), and its second the shared one.
 *
 * With --kvm (the reference, /dev/kvm) the VPID checks are left out: KVM
 * gives every vCPU its own VPID; the rounds prove the program right.
 * One "PASS name" / "FAIL name: why" line per check; exits 1 if any
 * failed.  Prints "NOTE: shared-vpid switches N ...": KVM_RUNs of a
 * shared-VPID vCPU whose CPU last ran the other shared-VPID vCPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmxlab/uapi.h>
#include "lib.h"

#define NR_VCPUS	3
#define GUEST_MEM	0x100000
#define GUEST_ENTRY	0x1000
#define TABLES		0x10000		/* vCPU k: PD, PT, data page at + k * 0x3000 */
#define TABLES_STRIDE	0x3000
#define LINEAR		0x400000	/* PDE 1, PTE 0 */
#define VALUE(k)	(0x5a5a0100u + (k))
#define PORT		0x10
#define VPID_FIELD	0x0000		/* VIRTUAL_PROCESSOR_ID (SDM Vol. 3D, Appendix B) */
#define VPID_SHARED	65535

#define PTE_P		(1u << 0)
#define PTE_RW		(1u << 1)
#define PTE_PS		(1u << 7)
#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_PG		(1u << 31)
#define CR4_PSE		(1u << 4)

/*
 * 32-bit protected mode, paging on, at GUEST_ENTRY:
 *   0: mov eax,[0x400000]
 *   6: out 0x10,eax
 *   8: jmp 0
 */
static const uint8_t guest[] = {
	0x8b, 0x05, 0x00, 0x00, 0x40, 0x00,
	0xe7, PORT,
	0xeb, 0xf6,
};

struct vcpu {
	int fd;
	struct kvm_run *run;
};

static bool on_kvm;
static long mmap_size;

static uint32_t pd_of(int k)
{
	return TABLES + k * TABLES_STRIDE;
}

static void put32(uint8_t *mem, uint32_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

/*
 * vCPU @k's tables: PDE 0 a 4 MiB page over 0..4 MiB (code, tables);
 * PDE 1 a page table whose PTE 0 maps LINEAR to vCPU @k's data page.
 */
static void write_tables(uint8_t *mem, int k)
{
	uint32_t pd = pd_of(k), pt = pd + 0x1000, data = pd + 0x2000;

	put32(mem, pd, PTE_PS | PTE_RW | PTE_P);
	put32(mem, pd + 4, pt | PTE_RW | PTE_P);
	put32(mem, pt, data | PTE_RW | PTE_P);
	put32(mem, data, VALUE(k));
}

static struct kvm_segment flat(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
}

static int setup_vcpu(int vm, int k, struct vcpu *v)
{
	struct kvm_regs regs = { .rip = GUEST_ENTRY, .rflags = 2 };
	struct kvm_sregs sregs;

	v->fd = ioctl(vm, KVM_CREATE_VCPU, k);
	if (v->fd < 0 || ioctl(v->fd, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs = flat(0x08, 11);
	sregs.ds = flat(0x10, 3);
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.ss = sregs.ds;
	/* VM entry wants a busy TSS in TR ("Checks on Guest Segment Registers"). */
	sregs.tr = (struct kvm_segment){ .limit = 0x67, .selector = 0x18, .type = 11,
					 .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	sregs.gdt.base = 0;
	sregs.gdt.limit = 0x1f;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs.cr3 = pd_of(k);
	sregs.cr4 = CR4_PSE;
	sregs.efer = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) || ioctl(v->fd, KVM_SET_REGS, &regs))
		return -1;
	v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	return v->run == MAP_FAILED ? -1 : 0;
}

/* One VM with its memory and NR_VCPUS vCPUs; the VM fd, or -1. */
static int setup_vm(int sys, struct vcpu *vcpus)
{
	struct kvm_userspace_memory_region r = { .memory_size = GUEST_MEM };
	uint8_t *mem;
	int vm, k;

	vm = ioctl(sys, KVM_CREATE_VM, 0);
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED)
		return -1;
	memcpy(mem + GUEST_ENTRY, guest, sizeof(guest));
	for (k = 0; k < NR_VCPUS; k++)
		write_tables(mem, k);
	r.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r))
		return -1;
	for (k = 0; k < NR_VCPUS; k++)
		if (setup_vcpu(vm, k, &vcpus[k]))
			return -1;
	return vm;
}

/* The vCPU's VPID as its VMCS holds it; -1 if it cannot be read. */
static long vpid_of(int fd)
{
	static struct vmxlab_vmcs_field fields[512];
	struct vmxlab_vmcs_snapshot snap = { .nfields = 512, .fields = (uintptr_t)fields };
	unsigned int i;

	if (ioctl(fd, VMXLAB_GET_VMCS, &snap))
		return -1;
	for (i = 0; i < snap.nfields; i++)
		if (fields[i].encoding == VPID_FIELD && (fields[i].flags & VMXLAB_VMCS_FIELD_SUPPORTED))
			return (long)fields[i].value;
	return -1;
}

/* vCPU 0 VPID 1 (own_vpids=1), the others the shared one. */
static void check_vpids(const char *name, const struct vcpu *vcpus)
{
	long got[NR_VCPUS];
	bool ok = true;
	int k;

	for (k = 0; k < NR_VCPUS; k++) {
		got[k] = vpid_of(vcpus[k].fd);
		ok &= got[k] == (k == 0 ? 1 : VPID_SHARED);
	}
	report(ok, name, "VPIDs of vCPUs 0, 1, 2: %ld, %ld, %ld; want 1, %d, %d "
	       "(own_vpids=1: one own VPID, then the shared one)",
	       got[0], got[1], got[2], VPID_SHARED, VPID_SHARED);
}

/* One KVM_RUN: the value the vCPU read at LINEAR, or -1 with *why. */
static int64_t run_once(const struct vcpu *v, const char **why)
{
	const struct kvm_run *run = v->run;
	uint32_t val;

	if (ioctl(v->fd, KVM_RUN, 0)) {
		*why = strerror(errno);
		return -1;
	}
	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != PORT || run->io.size != 4) {
		static char buf[128];

		snprintf(buf, sizeof(buf), "exit_reason %u (port %#x, size %u), not the guest's OUT to port %#x",
			 run->exit_reason, run->io.port, run->io.size, PORT);
		*why = buf;
		return -1;
	}
	memcpy(&val, (const char *)run + run->io.data_offset, sizeof(val));
	return val;
}

/* @n turns of every vCPU: each must read its own page every time. */
static void rounds(const char *prefix, const struct vcpu *vcpus, long n)
{
	char name_runs[64], name_own[64];
	long bad = 0, errors = 0, switches = 0, r;
	int k, last_shared = -1, first_k = -1;
	int64_t first_val = 0;
	const char *why = "";

	for (r = 0; r < n; r++) {
		for (k = 0; k < NR_VCPUS; k++) {
			int64_t val = run_once(&vcpus[k], &why);

			if (val < 0) {
				errors++;
				continue;
			}
			if (val != VALUE(k) && !bad++) {
				first_k = k;
				first_val = val;
			}
			if (k > 0) {
				switches += last_shared > 0 && last_shared != k;
				last_shared = k;
			}
		}
	}
	snprintf(name_runs, sizeof(name_runs), "%sruns", prefix);
	snprintf(name_own, sizeof(name_own), "%sown-page-every-time", prefix);
	printf("NOTE: %sshared-vpid switches %ld in %ld rounds of %d vCPUs\n",
	       prefix, switches, n, NR_VCPUS);
	report(!errors, name_runs, "%ld of %ld KVM_RUNs failed or did not end at the guest's OUT: %s",
	       errors, n * NR_VCPUS, why);
	report(!bad && n > 0, name_own,
	       "%ld of %ld reads saw another vCPU's page; first: vCPU %d read %#llx, want %#x "
	       "(a translation cached for another vCPU with the same VPID)",
	       bad, n * NR_VCPUS, first_k, (unsigned long long)first_val,
	       first_k >= 0 ? VALUE(first_k) : 0);
}

static void close_vm(int vm, struct vcpu *vcpus)
{
	int k;

	for (k = 0; k < NR_VCPUS; k++) {
		munmap(vcpus[k].run, mmap_size);
		close(vcpus[k].fd);
	}
	close(vm);
}

int main(int argc, char **argv)
{
	struct vcpu vcpus[NR_VCPUS];
	const char *device;
	cpu_set_t cpu0;
	long n = 200;
	int sys, vm, i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i < argc && !strcmp(argv[i], "--kvm")) {
		on_kvm = true;
		i++;
	}
	if (argc - i == 2)
		n = atol(argv[i++]);
	if (argc - i != 1) {
		fprintf(stderr, "usage: vpid-shared [--kvm] [ROUNDS] DEVICE\n");
		return 2;
	}
	device = argv[i];
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		report(0, "pin-to-cpu0", "%s", strerror(errno));
		return 1;
	}
	sys = open(device, O_RDWR);
	mmap_size = sys < 0 ? -1 : ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm = mmap_size <= 0 ? -1 : setup_vm(sys, vcpus);
	if (vm < 0) {
		report(0, "setup", "VM with %d vCPUs on %s: %s", NR_VCPUS, device, strerror(errno));
		return 1;
	}
	if (!on_kvm)
		check_vpids("vpids-before", vcpus);
	rounds("", vcpus, n);
	if (on_kvm)
		return failures ? 1 : 0;
	check_vpids("vpids-after", vcpus);

	close_vm(vm, vcpus);
	vm = setup_vm(sys, vcpus);
	if (vm < 0) {
		report(0, "second-vm", "a second VM on %s: %s", device, strerror(errno));
		return 1;
	}
	check_vpids("vpids-reused", vcpus);
	rounds("reused-", vcpus, 2);
	close_vm(vm, vcpus);
	return failures ? 1 : 0;
}
