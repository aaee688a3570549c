// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's debug registers: DR0-DR3, DR6, DR7.
 *
 * Without care a guest runs with the host's: "MOV-DR exiting" off lets
 * it read the host's DR0-DR3 and DR6 (kernel addresses of the host's
 * breakpoints), and without "load debug controls" it runs with the
 * host's DR7, so the host's breakpoints fire inside the guest, while its
 * own DR7 is lost at every VM exit, which loads DR7 with 400H (SDM Vol.
 * 3C, "Loading Host State").  So:
 *
 *   - DR7 is switched by the CPU: "load debug controls" on entry and
 *     "save debug controls" on exit; GUEST_DR7 is the guest's DR7.
 *   - Every MOV to or from a debug register exits ("MOV-DR exiting") and
 *     is emulated here from vcpu->db[] and vcpu->dr6; the guest never
 *     sees a hardware DR0-DR3 or DR6 it did not write.
 *   - DR6 is never loaded: a #DB always exits (the exception bitmap) and
 *     leaves DR6 alone ("Updating Non-Register State"); vmxlab writes the
 *     guest's DR6 from the exit qualification (exits/emulate.c).
 *   - DR0-DR3 reach the hardware only while the guest's DR7 enables a
 *     breakpoint, loaded once per batch of in-kernel exits with
 *     interrupts off (vmx/run.c), never per exit: the CPUID exit path is
 *     unchanged.  The host's own breakpoints come back after the batch
 *     (hw_breakpoint_restore()).
 */
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <vmxlab/cpuid.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmx_arch.h>
#include "exits/dispatch.h"
#include "exits/exits.h"
#include "vmx/insn.h"
#include "vmx/vcpu.h"
#include "vmx/vmx.h"

/*
 * DR6 bits software can change (B0-B3, BD, BS, BT, and RTM on a CPU with
 * RTM) and bits that read as 1 (SDM Vol. 3B, "Debug Status Register
 * (DR6)"); DR7 bits that hold a value (L/G0-3, LE, GE, RTM, GD, R/W and
 * LEN) and the one that reads as 1 ("Debug Control Register (DR7)").
 * Bits 63:32 of both are reserved: writing a 1 there is #GP.
 */
#define GUEST_DR6_VOLATILE	0x0001e00fULL
#define GUEST_DR6_FIXED_1	0xfffe0ff0ULL
#define GUEST_DR6_RESET		0xffff0ff0ULL
#define CPUID_7_EBX_RTM		BIT(11)
#define GUEST_DR7_VOLATILE	0xffff2bffULL
#define GUEST_DR7_FIXED_1	0x00000400ULL
#define GUEST_DR7_ENABLES	0x000000ffULL	/* L0, G0 .. L3, G3 */

/* DR6.RTM (bit 16) reads as 1 unless the guest's CPUID offers RTM. */
static u64 dr6_value(struct vmxlab_vcpu *vcpu, u64 value)
{
	const struct kvm_cpuid_entry2 *e = cpuid_cache_find(vcpu->cpuid, 7, 0);
	u64 fixed = GUEST_DR6_FIXED_1;

	if (!e || !(e->ebx & CPUID_7_EBX_RTM))
		fixed |= X86_DR6_RTM;
	return (value & GUEST_DR6_VOLATILE) | fixed;
}

static u64 dr7_value(u64 value)
{
	return (value & GUEST_DR7_VOLATILE) | GUEST_DR7_FIXED_1;
}

void vcpu_debugregs_init(struct vmxlab_vcpu *vcpu)
{
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vcpu->dr6 = GUEST_DR6_RESET;
}

static void write_hw_db(int n, unsigned long value)
{
	switch (n) {
	case 0:
		set_debugreg(value, 0);
		break;
	case 1:
		set_debugreg(value, 1);
		break;
	case 2:
		set_debugreg(value, 2);
		break;
	case 3:
		set_debugreg(value, 3);
		break;
	}
}

static void load_guest_db(struct vmxlab_vcpu *vcpu)
{
	int n;

	for (n = 0; n < 4; n++)
		write_hw_db(n, vcpu->db[n]);
}

/*
 * Before a batch of guest runs, interrupts off: the guest's DR0-DR3 in
 * the hardware if its DR7 enables a breakpoint.  The caller restores the
 * host's breakpoints after the batch if it has any.
 */
void vcpu_load_guest_debugregs(struct vmxlab_vcpu *vcpu)
{
	if (unlikely(vmcs_readl(VMCS_GUEST_DR7) & GUEST_DR7_ENABLES))
		load_guest_db(vcpu);
}

static bool in_64bit_mode(struct vmxlab_vcpu *vcpu)
{
	return vcpu->long_mode && (vmcs_read32(VMCS_GUEST_CS_AR_BYTES) & VMX_SEG_AR_L);
}

/* CPL: SS.DPL ("Checks on Guest Segment Registers"), 3 in virtual-8086 mode. */
static unsigned int guest_cpl(void)
{
	if (vmcs_readl(VMCS_GUEST_RFLAGS) & X86_EFLAGS_VM)
		return 3;
	return (vmcs_read32(VMCS_GUEST_SS_AR_BYTES) >> VMX_SEG_AR_DPL_SHIFT) & 3;
}

/*
 * DR7.GD: a MOV DR faults with #DB, DR6.BD set, and delivery clears GD
 * (SDM Vol. 3B, "Debug Control Register (DR7)").  MOV-DR exiting takes
 * precedence over that #DB, so vmxlab raises it.
 */
static int general_detect(struct vmxlab_vcpu *vcpu, unsigned long dr7)
{
	vcpu->dr6 = (vcpu->dr6 & ~X86_DR6_B0_B3) | X86_DR6_BD | X86_DR6_RTM;
	vmcs_writel(VMCS_GUEST_DR7, dr7 & ~X86_DR7_GD);
	vcpu_inject_exception(vcpu, X86_TRAP_DB, false, 0);
	return EXIT_ACTION_RESUME;
}

static unsigned long read_dr(struct vmxlab_vcpu *vcpu, u8 dr)
{
	if (dr < 4)
		return vcpu->db[dr];
	return dr == 6 ? vcpu->dr6 : vmcs_readl(VMCS_GUEST_DR7);
}

/* MOV to DRn; false for #GP (bits 63:32 of DR6 or DR7). */
static bool write_dr(struct vmxlab_vcpu *vcpu, u8 dr, u64 value)
{
	if (dr < 4) {
		vcpu->db[dr] = value;
		/* Already in the hardware for this batch: keep it current. */
		if (vmcs_readl(VMCS_GUEST_DR7) & GUEST_DR7_ENABLES)
			write_hw_db(dr, value);
		return true;
	}
	if (value >> 32)
		return false;
	if (dr == 6) {
		vcpu->dr6 = dr6_value(vcpu, value);
		return true;
	}
	vmcs_writel(VMCS_GUEST_DR7, dr7_value(value));
	if (value & GUEST_DR7_ENABLES)
		load_guest_db(vcpu);
	return true;
}

/*
 * A MOV DR exit (SDM Vol. 2, "MOV—Move to/from Debug Registers"; Vol. 3C,
 * "Exit Qualification for MOV DR").  The CPU checks CPL before the exit;
 * the checks are kept here for a guest state changed behind its back.
 * DR4 and DR5 are #UD with CR4.DE, else DR6 and DR7.  Outside 64-bit
 * mode the operand is 32 bits.  Interrupts off, in the inner loop.
 */
int handle_dr_access(struct vmxlab_vcpu *vcpu)
{
	unsigned long dr7 = vmcs_readl(VMCS_GUEST_DR7);
	struct vmx_dr_qual q;
	u64 value;

	vmx_decode_dr_qual(vmcs_readl(VMCS_EXIT_QUALIFICATION), &q);
	if (guest_cpl()) {
		vcpu_inject_exception(vcpu, X86_TRAP_GP, true, 0);
		return EXIT_ACTION_RESUME;
	}
	if (q.dr == 4 || q.dr == 5) {
		if (vcpu->cr4 & X86_CR4_DE) {
			vcpu_inject_exception(vcpu, X86_TRAP_UD, false, 0);
			return EXIT_ACTION_RESUME;
		}
		q.dr += 2;
	}
	if (dr7 & X86_DR7_GD)
		return general_detect(vcpu, dr7);
	if (q.from_dr) {
		value = read_dr(vcpu, q.dr);
		vcpu_gpr_write(vcpu, q.gpr, in_64bit_mode(vcpu) ? value : (u32)value);
	} else {
		value = vcpu_gpr_read(vcpu, q.gpr);
		if (!in_64bit_mode(vcpu))
			value = (u32)value;
		if (!write_dr(vcpu, q.dr, value)) {
			vcpu_inject_exception(vcpu, X86_TRAP_GP, true, 0);
			return EXIT_ACTION_RESUME;
		}
	}
	return vcpu_skip_instruction(vcpu);
}

/* KVM_GET_DEBUGREGS (KVM API documentation, "KVM_GET_DEBUGREGS"). */
long vcpu_ioctl_get_debugregs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs regs;

	memset(&regs, 0, sizeof(regs));
	memcpy(regs.db, vcpu->db, sizeof(regs.db));
	regs.dr6 = vcpu->dr6;
	vcpu_load(vcpu);
	regs.dr7 = vmcs_readl(VMCS_GUEST_DR7);
	vcpu_put(vcpu);
	return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
}

/*
 * KVM_SET_DEBUGREGS: flags must be 0 and DR6/DR7 must fit in 32 bits
 * (-EINVAL), as on KVM.  DR6 and DR7 are stored as MOV to them would
 * store them: their fixed bits set or cleared.  The reserved words are
 * not checked: KVM does not check them, and QEMU does not clear them.
 */
long vcpu_ioctl_set_debugregs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs regs;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	if (regs.flags || (regs.dr6 >> 32) || (regs.dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->db, regs.db, sizeof(vcpu->db));
	vcpu->dr6 = dr6_value(vcpu, regs.dr6);
	vcpu_load(vcpu);
	vmcs_writel(VMCS_GUEST_DR7, dr7_value(regs.dr7));
	vcpu_put(vcpu);
	return 0;
}
