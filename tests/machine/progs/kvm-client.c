// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-client [DEVICE]: a minimal, ordinary KVM client in the shape of the
 * classic "Using the KVM API" example (LWN, 2015), knowing nothing of
 * vmxlab.  DEVICE defaults to /dev/kvm; tests/kvm-client.sh runs it on
 * /dev/kvm and on /dev/vmxlab and compares the outputs byte for byte.
 *
 * It checks the API version and KVM_CAP_USER_MEMORY, makes a VM with one
 * 4 KiB slot at guest-physical 0x1000 and one vCPU in real mode at 0x1000
 * with AX=2, BX=2, and runs the guest: it writes the digit of AX+BX, then a
 * string, to port 0x3f8 one byte at a time, and halts.  The program prints
 * each exit and, at the end, the registers the guest left.
 */
#include <err.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *device = argc > 1 ? argv[1] : "/dev/kvm";
	const uint8_t code[] = {
		0xba, 0xf8, 0x03,	/* mov $0x3f8, %dx */
		0x00, 0xd8,		/* add %bl, %al */
		0x04, '0',		/* add $'0', %al */
		0xee,			/* out %al, (%dx) */
		0xbe, 0x14, 0x10,	/* mov $0x1014, %si (the string) */
		0xac,			/* 1: lodsb */
		0x84, 0xc0,		/* test %al, %al */
		0x74, 0x03,		/* jz 2f */
		0xee,			/* out %al, (%dx) */
		0xeb, 0xf8,		/* jmp 1b */
		0xf4,			/* 2: hlt */
		' ', 'f', 'r', 'o', 'm', ' ', 'a', ' ', 'g', 'u', 'e', 's', 't', '\n', 0,
	};
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	size_t mmap_size;
	uint8_t *mem;
	int kvm, vmfd, vcpufd, ret, exits = 0;

	kvm = open(device, O_RDWR | O_CLOEXEC);
	if (kvm == -1)
		err(1, "%s", device);

	ret = ioctl(kvm, KVM_GET_API_VERSION, NULL);
	if (ret == -1)
		err(1, "KVM_GET_API_VERSION");
	if (ret != 12)
		errx(1, "KVM_GET_API_VERSION %d, expected 12", ret);
	printf("api version %d\n", ret);

	ret = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	if (ret == -1)
		err(1, "KVM_CHECK_EXTENSION");
	if (!ret)
		errx(1, "Required extension KVM_CAP_USER_MEM not available");
	printf("KVM_CAP_USER_MEMORY available\n");

	vmfd = ioctl(kvm, KVM_CREATE_VM, (unsigned long)0);
	if (vmfd == -1)
		err(1, "KVM_CREATE_VM");

	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		err(1, "allocating guest memory");
	memcpy(mem, code, sizeof(code));

	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0x1000,
		.memory_size = 0x1000,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	ret = ioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &region);
	if (ret == -1)
		err(1, "KVM_SET_USER_MEMORY_REGION");

	vcpufd = ioctl(vmfd, KVM_CREATE_VCPU, (unsigned long)0);
	if (vcpufd == -1)
		err(1, "KVM_CREATE_VCPU");

	ret = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (ret == -1)
		err(1, "KVM_GET_VCPU_MMAP_SIZE");
	mmap_size = ret;
	if (mmap_size < sizeof(*run))
		errx(1, "KVM_GET_VCPU_MMAP_SIZE unexpectedly small");
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpufd, 0);
	if (run == MAP_FAILED)
		err(1, "mmap vcpu");

	ret = ioctl(vcpufd, KVM_GET_SREGS, &sregs);
	if (ret == -1)
		err(1, "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ret = ioctl(vcpufd, KVM_SET_SREGS, &sregs);
	if (ret == -1)
		err(1, "KVM_SET_SREGS");

	regs = (struct kvm_regs) {
		.rip = 0x1000,
		.rax = 2,
		.rbx = 2,
		.rflags = 0x2,
	};
	ret = ioctl(vcpufd, KVM_SET_REGS, &regs);
	if (ret == -1)
		err(1, "KVM_SET_REGS");

	for (;;) {
		ret = ioctl(vcpufd, KVM_RUN, NULL);
		if (ret == -1)
			err(1, "KVM_RUN");
		exits++;
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			printf("KVM_EXIT_HLT after %d exits\n", exits);
			ret = ioctl(vcpufd, KVM_GET_REGS, &regs);
			if (ret == -1)
				err(1, "KVM_GET_REGS");
			printf("rip %#llx rax %#llx rbx %#llx rdx %#llx rsi %#llx rflags %#llx\n",
			       regs.rip, regs.rax, regs.rbx, regs.rdx, regs.rsi, regs.rflags);
			return 0;
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1 &&
			    run->io.port == 0x3f8 && run->io.count == 1) {
				char c = *((char *)run + run->io.data_offset);

				printf("KVM_EXIT_IO out port 0x3f8 size 1 count 1: %#04x '%c'\n",
				       (unsigned char)c, c == '\n' ? '$' : c);
			} else {
				errx(1, "unhandled KVM_EXIT_IO");
			}
			break;
		case KVM_EXIT_FAIL_ENTRY:
			errx(1, "KVM_EXIT_FAIL_ENTRY: hardware_entry_failure_reason = 0x%llx",
			     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			errx(1, "KVM_EXIT_INTERNAL_ERROR: suberror = 0x%x", run->internal.suberror);
		default:
			errx(1, "exit_reason = 0x%x", run->exit_reason);
		}
	}
}
