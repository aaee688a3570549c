// SPDX-License-Identifier: GPL-2.0
/*
 * EPT violations: a guest-physical page not mapped yet, or an access no
 * memory slot backs (MMIO), and guest-linear memory access for emulation.
 *
 * SDM Vol. 3C, "EPT Violations": the exit gives the guest-physical
 * address and what the access was; the faulting instruction has not
 * executed.  A backed page is mapped (ept/ept_vm.c) and the guest retries
 * the access.  Otherwise the instruction is decoded (exits/mmio_decode.c)
 * and becomes a KVM_EXIT_MMIO; RIP moves past it, and a load finishes
 * when KVM_RUN is called again with the data (exits/io.c).
 */
#include <linux/mm.h>
#include <asm/trapnr.h>
#include <vmxlab/exits.h>
#include <vmxlab/guest_walk.h>
#include <vmxlab/mmio_decode.h>
#include "ept/ept_vm.h"
#include "exits/dispatch.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

static int read_phys(void *ctx, u64 gpa, unsigned int size, u64 *value)
{
	*value = 0;
	return vm_read_guest(ctx, gpa, value, size);
}

static void paging_state(struct vmxlab_vcpu *vcpu, struct guest_paging_state *st)
{
	memset(st, 0, sizeof(*st));
	st->cr0 = vcpu->cr0;
	st->cr3 = vmcs_readl(VMCS_GUEST_CR3);
	st->cr4 = vcpu->cr4;
	st->efer = vcpu->efer;
	st->eflags_ac = vmcs_readl(VMCS_GUEST_RFLAGS) & X86_EFLAGS_AC;
}

/*
 * Translate @linear for an access the guest's instruction makes
 * (@access: GWALK_PF_WRITE, GWALK_PF_USER), or with @access
 * LINEAR_UNCHECKED for one it made already.  0; -EACCES with the guest's
 * fault in *@fault (#PF, or #GP(0) for a non-canonical address); -EFAULT
 * when the VMM cannot walk (the guest's tables outside its memory,
 * 5-level paging).
 */
static int translate_linear(struct vmxlab_vcpu *vcpu, const struct guest_paging_state *st,
			    u64 linear, u32 access, u64 *gpa, struct guest_fault *fault)
{
	u32 error_code = 0;
	int err;

	if (access == LINEAR_UNCHECKED)
		return guest_walk(st, linear, read_phys, vcpu->vm, gpa) ? -EFAULT : 0;
	err = guest_walk_access(st, linear, access, read_phys, vcpu->vm, gpa, &error_code);
	if (err == -ENOENT || err == -EACCES) {
		*fault = (struct guest_fault){ X86_TRAP_PF, error_code, linear };
		return -EACCES;
	}
	if (err == -EINVAL) {
		*fault = (struct guest_fault){ X86_TRAP_GP, 0, 0 };
		return -EACCES;
	}
	return err ? -EFAULT : 0;
}

/*
 * Copy guest-linear memory in or out (@access has GWALK_PF_WRITE), one
 * guest page at a time; with @buf NULL only translate, as a probe.  Every
 * page is translated before any byte moves, so an access that faults
 * writes nothing.
 */
int vcpu_access_linear(struct vmxlab_vcpu *vcpu, u64 linear, void *buf, unsigned int len,
		       u32 access, struct guest_fault *fault)
{
	bool write = access != LINEAR_UNCHECKED && (access & GWALK_PF_WRITE);
	struct guest_paging_state st;
	u64 gpa[2], at = linear;
	unsigned int left = len, n = 0, chunk;
	int err;

	paging_state(vcpu, &st);
	/* At most two pages: string I/O moves at most a page, a fetch 15 bytes. */
	if (len > PAGE_SIZE)
		return -EFAULT;
	while (left) {
		chunk = min_t(u64, left, PAGE_SIZE - offset_in_page(at));
		err = translate_linear(vcpu, &st, at, access, &gpa[n++], fault);
		if (err)
			return err;
		at += chunk;
		left -= chunk;
	}
	for (n = 0; buf && len; n++) {
		chunk = min_t(u64, len, PAGE_SIZE - offset_in_page(linear));
		err = write ? vm_write_guest(vcpu->vm, gpa[n], buf, chunk) :
			      vm_read_guest(vcpu->vm, gpa[n], buf, chunk);
		if (err)
			return err;
		linear += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int vcpu_read_linear(struct vmxlab_vcpu *vcpu, u64 linear, void *buf, unsigned int len)
{
	return vcpu_access_linear(vcpu, linear, buf, len, LINEAR_UNCHECKED, NULL);
}

/* The instruction at CS:RIP, as many bytes as can be read (up to 15). */
static unsigned int fetch_instruction(struct vmxlab_vcpu *vcpu, u8 *bytes)
{
	u64 linear = vmcs_readl(VMCS_GUEST_CS_BASE) + vmcs_readl(VMCS_GUEST_RIP);
	unsigned int in_page = PAGE_SIZE - offset_in_page(linear);

	if (!vcpu->long_mode)
		linear = (u32)linear;
	if (!vcpu_read_linear(vcpu, linear, bytes, MMIO_INSN_MAX_LEN))
		return MMIO_INSN_MAX_LEN;
	if (in_page < MMIO_INSN_MAX_LEN && !vcpu_read_linear(vcpu, linear, bytes, in_page))
		return in_page;
	return 0;
}

/* KVM's "emulation failure", with the instruction bytes (KVM API, "KVM_EXIT_INTERNAL_ERROR"). */
static int emulation_failure(struct vmxlab_vcpu *vcpu, const u8 *bytes, unsigned int len)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->emulation_failure.ndata = 3;
	run->emulation_failure.flags = KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run->emulation_failure.insn_size = len;
	memset(run->emulation_failure.insn_bytes, 0,
	       sizeof(run->emulation_failure.insn_bytes));
	memcpy(run->emulation_failure.insn_bytes, bytes,
	       min_t(unsigned int, len, sizeof(run->emulation_failure.insn_bytes)));
	return EXIT_ACTION_TO_USER;
}

static enum mmio_cpu_mode code_mode(struct vmxlab_vcpu *vcpu)
{
	u32 ar = vmcs_read32(VMCS_GUEST_CS_AR_BYTES);

	return mmio_cpu_mode(vcpu->long_mode, ar & VMX_SEG_AR_L, ar & VMX_SEG_AR_DB);
}

/* The guest's registers in mmio_decode's order (GPR_* is the same), RSP from the VMCS. */
static const u64 *mmio_gprs(struct vmxlab_vcpu *vcpu, u64 gprs[MMIO_NR_GPRS])
{
	unsigned int i;

	BUILD_BUG_ON(MMIO_RSP != GPR_RSP || MMIO_NR_GPRS != GPR_COUNT);
	for (i = 0; i < MMIO_NR_GPRS; i++)
		gprs[i] = vcpu_gpr_read(vcpu, i);
	return gprs;
}

/* A load or store at @gpa that no slot backs: decode it into a KVM_EXIT_MMIO. */
static int emulate_mmio(struct vmxlab_vcpu *vcpu, u64 gpa)
{
	struct mmio_insn *insn = &vcpu->mmio;
	struct kvm_run *run = vcpu->run;
	u8 bytes[MMIO_INSN_MAX_LEN] = { 0 };
	unsigned int len = fetch_instruction(vcpu, bytes);
	u64 value, gprs[MMIO_NR_GPRS];

	if (!len || mmio_decode(bytes, len, code_mode(vcpu), insn))
		return emulation_failure(vcpu, bytes, len);
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn->size;
	run->mmio.is_write = insn->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	vcpu_pend_past_instruction(vcpu, insn->length);
	if (insn->is_write) {
		/*
		 * The data is in the exit: as on KVM, the store is complete
		 * and RIP past it before KVM_RUN returns.  A load completes
		 * at the next KVM_RUN, with the data user space supplied.
		 */
		value = mmio_store_value(insn, mmio_gprs(vcpu, gprs));
		memcpy(run->mmio.data, &value, insn->size);
		vcpu_set_rip_past(vcpu, vcpu->pending_rip);
	} else {
		vcpu->pending = VCPU_PENDING_MMIO_READ;
	}
	return EXIT_ACTION_TO_USER;
}

int handle_ept_violation(struct vmxlab_vcpu *vcpu)
{
	u64 gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
	struct vmx_ept_qual q;
	int ret;

	vmx_decode_ept_qual(vmcs_readl(VMCS_EXIT_QUALIFICATION), &q);
	vcpu_iret_nmi_blocking(vcpu, q.nmi_unblocking);
	/* An access an EPT watch denies goes to user space, not executed (exits/watch.c). */
	if (vcpu_watch_hit(vcpu, gpa, &q)) {
		vcpu_redeliver_event(vcpu);
		return EXIT_ACTION_TO_USER;
	}
	ret = vm_ept_fault(vcpu->vm, gpa, q.write);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		vcpu_redeliver_event(vcpu);
		return EXIT_ACTION_RESUME;
	}
	/*
	 * Unbacked: only a data access by the instruction itself can be
	 * emulated, not a fetch, a guest page-table walk or event delivery.
	 */
	if (q.fetch || (q.gla_valid && !q.gla_translation) ||
	    vmx_intr_info_valid(vmcs_read32(VMCS_IDT_VECTORING_INFO)))
		return exit_unexpected(vcpu);
	return emulate_mmio(vcpu, gpa);
}

/* vmxlab builds only well-formed EPT entries; a misconfiguration is vmxlab's bug. */
int handle_ept_misconfig(struct vmxlab_vcpu *vcpu)
{
	pr_err_ratelimited("EPT misconfiguration at guest-physical 0x%llx\n",
			   vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS));
	return exit_unexpected(vcpu);
}
