// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-spin [READYFILE]: a minimal KVM client that keeps a VM running until
 * it is killed (SIGTERM), so that kvm_intel holds VMX operation meanwhile.
 *
 * The guest is real-mode code that loops doing `out 0x10, al`: every
 * iteration exits to this process.  A guest that never exits could not be
 * stopped by a signal inside Bochs (see the notes on the emulated machine),
 * so the exits are what makes SIGTERM work.  After the first exit it
 * creates READYFILE: from then on the VM exists and VMX is on.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUEST_MEM	0x10000
#define GUEST_ENTRY	0x1000

/* mov al,0; l: inc al; out 0x10,al; jmp l */
static const unsigned char guest_code[] = {
	0xb0, 0x00, 0xfe, 0xc0, 0xe6, 0x10, 0xeb, 0xfa,
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int create_vm(int kvm)
{
	struct kvm_userspace_memory_region region = { 0 };
	void *mem;
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy((char *)mem + GUEST_ENTRY, guest_code, sizeof(guest_code));
	region.memory_size = GUEST_MEM;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	return vm;
}

/* Real mode, CS base 0, at GUEST_ENTRY. */
static int create_vcpu(int vm)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);

	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	regs.rip = GUEST_ENTRY;
	regs.rflags = 2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
	return vcpu;
}

int main(int argc, char **argv)
{
	struct kvm_run *run;
	int kvm, vcpu, size;
	int ready = 0;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm");
	vcpu = create_vcpu(create_vm(kvm));
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap vcpu");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_INTR) {
			fprintf(stderr, "kvm-spin: unexpected exit reason %u\n",
				run->exit_reason);
			return 1;
		}
		if (!ready && argc > 1 && run->exit_reason == KVM_EXIT_IO) {
			close(open(argv[1], O_WRONLY | O_CREAT, 0644));
			ready = 1;
		}
	}
}
