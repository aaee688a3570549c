/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msr-spin: sets a TSC_AUX, an IA32_LSTAR and an IA32_FMASK of its own
 * (values no host uses: the LSTAR points at nothing the host maps), then
 * spins for good, with a port exit to user space every 4096 rounds, so
 * that its thread keeps going between the guest, user space, and being
 * scheduled out.  Started by `vmxlab run --mode long --timeout S`;
 * tests/machine/tests/msr-host.sh runs it next to progs/msr-host, which
 * checks the host's TSC_AUX and SYSCALL on the same CPUs meanwhile.  No
 * manifest: it never ends by itself.
 */
	.code64
	.text
	.globl _start
_start:
	mov	$0xc0000103, %ecx	/* IA32_TSC_AUX */
	xor	%edx, %edx
	mov	$0xabc, %eax
	wrmsr
	mov	$0xc0000082, %ecx	/* IA32_LSTAR */
	mov	$0xffff8000, %edx
	mov	$0x0dead000, %eax
	wrmsr
	mov	$0xc0000084, %ecx	/* IA32_FMASK: every flag */
	xor	%edx, %edx
	mov	$0xffffffff, %eax
	wrmsr
	mov	$0x510, %dx		/* the scratch port: an exit to user space */
1:	mov	$4096, %ecx
2:	dec	%ecx
	jnz	2b
	out	%al, %dx
	jmp	1b
