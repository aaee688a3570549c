/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vmxlab supports (Debian 12's 6.1 and
 * the 6.12 LTS), in one place so that no other file needs an #if.
 */
#ifndef VMXLAB_COMPAT_H
#define VMXLAB_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
/* From 6.12, kvm_intel turns VMX on as soon as it loads (kvm.enable_virt_at_load=Y). */
#define VMXLAB_KVM_HINT \
	"unload it ('rmmod kvm_intel'), or boot with kvm.enable_virt_at_load=0 so that it holds VMX only while a VM exists"
#else
/* On 6.1, kvm_intel holds VMX only while at least one VM exists. */
#define VMXLAB_KVM_HINT \
	"stop its virtual machines (it holds VMX only while a VM exists), or unload it ('rmmod kvm_intel')"
#endif

/*
 * syscore: newer kernels (and Debian's 6.12.117 by backport) register a
 * struct syscore whose callbacks take a data pointer; older ones register
 * struct syscore_ops directly.  Kbuild probes which one this kernel has.
 */
#include <linux/syscore_ops.h>

#ifdef VMXLAB_HAVE_STRUCT_SYSCORE
#define VMXLAB_SYSCORE_PARAMS	void *data
#define VMXLAB_DEFINE_SYSCORE(name, suspend_fn, resume_fn)		\
	static const struct syscore_ops name##_ops = {			\
		.suspend = suspend_fn,					\
		.resume = resume_fn,					\
	};								\
	static struct syscore name = { .ops = &name##_ops }
#define vmxlab_register_syscore(s)	register_syscore(s)
#define vmxlab_unregister_syscore(s)	unregister_syscore(s)
#else
#define VMXLAB_SYSCORE_PARAMS	void
#define VMXLAB_DEFINE_SYSCORE(name, suspend_fn, resume_fn)		\
	static struct syscore_ops name = {				\
		.suspend = suspend_fn,					\
		.resume = resume_fn,					\
	}
#define vmxlab_register_syscore(s)	register_syscore_ops(s)
#define vmxlab_unregister_syscore(s)	unregister_syscore_ops(s)
#endif

/*
 * Newer kernels rename kvm_run.immediate_exit for kernel code (user space
 * still sees the old name): the value must be read once, since user space
 * may change it at any time.
 */
#ifdef VMXLAB_HAVE_IMMEDIATE_EXIT_UNSAFE
#define kvm_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit__unsafe)
#else
#define kvm_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit)
#endif

/*
 * pin_user_pages() lost its vmas argument in 6.5; Kbuild probes whether
 * this kernel's still has it.
 */
#include <linux/mm.h>

#ifdef VMXLAB_HAVE_GUP_VMAS
#define vmxlab_pin_user_pages(start, nr, flags, pages) \
	pin_user_pages(start, nr, flags, pages, NULL)
#else
#define vmxlab_pin_user_pages(start, nr, flags, pages) \
	pin_user_pages(start, nr, flags, pages)
#endif

/*
 * The MXCSR bits this CPU implements, which the kernel found with FXSAVE
 * at boot (MXCSR_MASK, 0xffbf when it reads 0: SDM Vol. 1, "Guidelines for
 * Writing to the MXCSR Register").  6.1 and 6.12 export it (GPL) but
 * declare it only in their private FPU headers.
 */
extern u32 mxcsr_feature_mask;

/*
 * A host NMI that a VM exit caught ("NMI exiting") goes to the host's NMI
 * handler, from the exit handler with interrupts off.
 *  - Without FRED the kernel's events go through the IDT: INT 2 reaches
 *    its NMI entry, and the handler's IRET ends the NMI blocking the exit
 *    left.  6.1 has no FRED at all; 6.12 has it only when built with
 *    CONFIG_X86_FRED and booted with fred=on on a CPU that has it.
 *  - With FRED active the IDT is not used, and INT 2 is no way into the
 *    NMI handler.  From 6.9 <asm/fred.h> offers fred_entry_from_kvm(type,
 *    vector), which builds a FRED event frame and calls the kernel's
 *    handler through asm_fred_entry_from_kvm (exported GPL when KVM_INTEL
 *    is configured); kvm_intel calls it for the NMIs and interrupts its
 *    exits catch.  Without CONFIG_X86_FRED the header makes it an empty
 *    stub and X86_FEATURE_FRED a compile-time 0, so the INT 2 path is the
 *    only code: that is the case of Debian's 6.12 (its .config says
 *    "# CONFIG_X86_FRED is not set").  The FRED branch therefore takes
 *    effect only against a kernel built with CONFIG_X86_FRED, none of
 *    which is at hand: it was neither built for real nor run (neither
 *    Bochs nor any CPU here has FRED).  Kbuild probes for the header.
 */
#ifdef VMXLAB_HAVE_FRED_ENTRY_FROM_KVM
#include <asm/fred.h>
#include <asm/irq_vectors.h>

static __always_inline void vmxlab_host_nmi(void)
{
	if (cpu_feature_enabled(X86_FEATURE_FRED))
		fred_entry_from_kvm(EVENT_TYPE_NMI, NMI_VECTOR);
	else
		asm volatile("int $2");
}
#else
static __always_inline void vmxlab_host_nmi(void)
{
	asm volatile("int $2");
}
#endif

#endif /* VMXLAB_COMPAT_H */
