// SPDX-License-Identifier: GPL-2.0
/*
 * A software model of the VM-entry checks (SDM Vol. 3C, chapter "VM
 * Entries", sections "Checks on VMX Controls and Host-State Area" and
 * "Checks on the Guest State Area").  See <vmxlab/entry_checks.h>.
 *
 * Layout: the table of checks (identifier, SDM section, rule) comes first,
 * one line per check; then one function per SDM section, each a list of
 * "if (rule broken) fail(...)" in the order the SDM gives the rules.
 *
 * Pure logic, built into vmxlab.ko and the host unit tests.
 */
#include <vmxlab/entry_checks.h>
#include <vmxlab/caps.h>
#include <vmxlab/exits.h>
#include <vmxlab/vmcs_fields.h>
#include <vmxlab/vmx_arch.h>

/* SDM Vol. 3C section titles, as the checks cite them. */
#define SEC_EXEC	"Checks on VM-Execution Control Fields"
#define SEC_EXIT	"Checks on VM-Exit Control Fields"
#define SEC_ENTRY	"Checks on VM-Entry Control Fields"
#define SEC_HOST_CR	"Checks on Host Control Registers, MSRs, and SSP"
#define SEC_HOST_SEG	"Checks on Host Segment and Descriptor-Table Registers"
#define SEC_ADDR_SIZE	"Checks Related to Address-Space Size"
#define SEC_GUEST_CR	"Checks on Guest Control Registers, Debug Registers, and MSRs"
#define SEC_GUEST_SEG	"Checks on Guest Segment Registers"
#define SEC_GUEST_DT	"Checks on Guest Descriptor-Table Registers"
#define SEC_GUEST_RIP	"Checks on Guest RIP, RFLAGS, and SSP"
#define SEC_GUEST_NRS	"Checks on Guest Non-Register State"
#define SEC_GUEST_PDPTE	"Checks on Guest Page-Directory-Pointer-Table Entries"

#define C ENTRY_CHECK_CONTROLS
#define H ENTRY_CHECK_HOST
#define G ENTRY_CHECK_GUEST

/* X(name, id, area, section, rule): every check, in SDM order. */
#define ENTRY_CHECKS(X)							\
	/* Checks on VM-Execution Control Fields */			\
	X(PIN_ALLOWED, "ctls.pin.allowed", C, SEC_EXEC,			\
	  "Each pin-based VM-execution control must have a setting IA32_VMX_(TRUE_)PINBASED_CTLS allows: 1 where allowed-0 is 1, 0 where allowed-1 is 0.") \
	X(PROC_ALLOWED, "ctls.proc.allowed", C, SEC_EXEC,		\
	  "Each primary processor-based VM-execution control must have a setting IA32_VMX_(TRUE_)PROCBASED_CTLS allows.") \
	X(PROC2_ALLOWED, "ctls.proc2.allowed", C, SEC_EXEC,		\
	  "With \"activate secondary controls\" 1, each secondary control must have a setting IA32_VMX_PROCBASED_CTLS2 allows.") \
	X(CR3_TARGET_COUNT, "ctls.cr3_target_count", C, SEC_EXEC,	\
	  "The CR3-target count must not exceed the number of CR3-target values IA32_VMX_MISC[24:16] reports (4).") \
	X(IO_BITMAP_A_ADDR, "ctls.io_bitmap_a.addr", C, SEC_EXEC,	\
	  "With \"use I/O bitmaps\" 1, I/O-bitmap address A must be 4-KByte aligned and within the physical-address width.") \
	X(IO_BITMAP_B_ADDR, "ctls.io_bitmap_b.addr", C, SEC_EXEC,	\
	  "With \"use I/O bitmaps\" 1, I/O-bitmap address B must be 4-KByte aligned and within the physical-address width.") \
	X(MSR_BITMAP_ADDR, "ctls.msr_bitmap.addr", C, SEC_EXEC,		\
	  "With \"use MSR bitmaps\" 1, the MSR-bitmap address must be 4-KByte aligned and within the physical-address width.") \
	X(VIRTUAL_APIC_ADDR, "ctls.virtual_apic.addr", C, SEC_EXEC,	\
	  "With \"use TPR shadow\" 1, the virtual-APIC address must be 4-KByte aligned and within the physical-address width.") \
	X(TPR_THRESHOLD, "ctls.tpr_threshold.reserved", C, SEC_EXEC,	\
	  "With \"use TPR shadow\" 1 and \"virtual-interrupt delivery\" 0, bits 31:4 of the TPR threshold must be 0.") \
	X(VNMI_WITHOUT_NMI_EXITING, "ctls.pin.virtual_nmis_without_nmi_exiting", C, SEC_EXEC, \
	  "If \"NMI exiting\" is 0, \"virtual NMIs\" must be 0.")	\
	X(NMI_WINDOW_WITHOUT_VNMI, "ctls.proc.nmi_window_without_virtual_nmis", C, SEC_EXEC, \
	  "If \"virtual NMIs\" is 0, \"NMI-window exiting\" must be 0.") \
	X(APIC_ACCESS_ADDR, "ctls.apic_access.addr", C, SEC_EXEC,	\
	  "With \"virtualize APIC accesses\" 1, the APIC-access address must be 4-KByte aligned and within the physical-address width.") \
	X(APICV_WITHOUT_TPR_SHADOW, "ctls.proc2.apicv_without_tpr_shadow", C, SEC_EXEC, \
	  "If \"use TPR shadow\" is 0, \"virtualize x2APIC mode\", \"APIC-register virtualization\" and \"virtual-interrupt delivery\" must be 0.") \
	X(X2APIC_WITH_APIC_ACCESSES, "ctls.proc2.x2apic_with_apic_accesses", C, SEC_EXEC, \
	  "If \"virtualize x2APIC mode\" is 1, \"virtualize APIC accesses\" must be 0.") \
	X(VID_WITHOUT_EXT_INTR_EXITING, "ctls.proc2.vid_without_ext_intr_exiting", C, SEC_EXEC, \
	  "If \"virtual-interrupt delivery\" is 1, \"external-interrupt exiting\" must be 1.") \
	X(POSTED_INTR_WITHOUT_VID, "ctls.pin.posted_intr_without_vid", C, SEC_EXEC, \
	  "If \"process posted interrupts\" is 1, \"virtual-interrupt delivery\" must be 1.") \
	X(POSTED_INTR_WITHOUT_ACK, "ctls.pin.posted_intr_without_ack", C, SEC_EXEC, \
	  "If \"process posted interrupts\" is 1, the VM-exit control \"acknowledge interrupt on exit\" must be 1.") \
	X(POSTED_INTR_VECTOR, "ctls.posted_intr.vector", C, SEC_EXEC,	\
	  "If \"process posted interrupts\" is 1, bits 15:8 of the posted-interrupt notification vector must be 0.") \
	X(POSTED_INTR_DESC_ADDR, "ctls.posted_intr.desc_addr", C, SEC_EXEC, \
	  "If \"process posted interrupts\" is 1, the posted-interrupt descriptor address must be 64-byte aligned and within the physical-address width.") \
	X(VPID_ZERO, "ctls.vpid.zero", C, SEC_EXEC,			\
	  "If \"enable VPID\" is 1, the VPID must not be 0000H.")	\
	X(EPTP_MEMTYPE, "ctls.eptp.memtype", C, SEC_EXEC,		\
	  "With \"enable EPT\" 1, EPTP bits 2:0 must be a memory type IA32_VMX_EPT_VPID_CAP allows: 0 (UC, bit 8) or 6 (WB, bit 14).") \
	X(EPTP_WALK_LENGTH, "ctls.eptp.walk_length", C, SEC_EXEC,	\
	  "With \"enable EPT\" 1, EPTP bits 5:3 (page-walk length minus 1) must be 3, or 4 if IA32_VMX_EPT_VPID_CAP[7] allows 5-level EPT.") \
	X(EPTP_AD, "ctls.eptp.accessed_dirty", C, SEC_EXEC,		\
	  "With \"enable EPT\" 1, EPTP bit 6 (accessed and dirty flags) must be 0 if IA32_VMX_EPT_VPID_CAP[21] is 0.") \
	X(EPTP_RESERVED, "ctls.eptp.reserved", C, SEC_EXEC,		\
	  "With \"enable EPT\" 1, EPTP bits 11:8 and the bits at and above the physical-address width must be 0 (bit 7 too, unless IA32_VMX_EPT_VPID_CAP[23]).") \
	X(UG_WITHOUT_EPT, "ctls.proc2.unrestricted_without_ept", C, SEC_EXEC, \
	  "If \"unrestricted guest\" is 1, \"enable EPT\" must be 1.")	\
	X(PML_WITHOUT_EPT, "ctls.proc2.pml_without_ept", C, SEC_EXEC,	\
	  "If \"enable PML\" is 1, \"enable EPT\" must be 1.")		\
	X(PML_ADDR, "ctls.pml.addr", C, SEC_EXEC,			\
	  "With \"enable PML\" 1, the PML address must be 4-KByte aligned and within the physical-address width.") \
	X(VMFUNC_ALLOWED, "ctls.vmfunc.allowed", C, SEC_EXEC,		\
	  "With \"enable VM functions\" 1, the VM-function controls may set only bits IA32_VMX_VMFUNC allows.") \
	X(VMREAD_BITMAP_ADDR, "ctls.vmread_bitmap.addr", C, SEC_EXEC,	\
	  "With \"VMCS shadowing\" 1, the VMREAD-bitmap address must be 4-KByte aligned and within the physical-address width.") \
	X(VMWRITE_BITMAP_ADDR, "ctls.vmwrite_bitmap.addr", C, SEC_EXEC, \
	  "With \"VMCS shadowing\" 1, the VMWRITE-bitmap address must be 4-KByte aligned and within the physical-address width.") \
	X(VE_INFO_ADDR, "ctls.ve_info.addr", C, SEC_EXEC,		\
	  "With \"EPT-violation #VE\" 1, the virtualization-exception information address must be 4-KByte aligned and within the physical-address width.") \
	/* Checks on VM-Exit Control Fields */				\
	X(EXIT_ALLOWED, "ctls.exit.allowed", C, SEC_EXIT,		\
	  "Each VM-exit control must have a setting IA32_VMX_(TRUE_)EXIT_CTLS allows.") \
	X(SAVE_TIMER_WITHOUT_TIMER, "ctls.exit.save_timer_without_timer", C, SEC_EXIT, \
	  "If \"activate VMX-preemption timer\" is 0, \"save VMX-preemption timer value\" must be 0.") \
	X(EXIT_MSR_STORE_ADDR, "ctls.exit.msr_store.addr", C, SEC_EXIT,	\
	  "With a nonzero VM-exit MSR-store count, the MSR-store address must be 16-byte aligned and the whole area (count x 16 bytes) within the physical-address width.") \
	X(EXIT_MSR_LOAD_ADDR, "ctls.exit.msr_load.addr", C, SEC_EXIT,	\
	  "With a nonzero VM-exit MSR-load count, the MSR-load address must be 16-byte aligned and the whole area (count x 16 bytes) within the physical-address width.") \
	/* Checks on VM-Entry Control Fields */				\
	X(ENTRY_ALLOWED, "ctls.entry.allowed", C, SEC_ENTRY,		\
	  "Each VM-entry control must have a setting IA32_VMX_(TRUE_)ENTRY_CTLS allows.") \
	X(INJECT_TYPE, "ctls.entry.intr_info.type", C, SEC_ENTRY,	\
	  "An injected event's interruption type (bits 10:8) must not be 1, nor 7 (other event) unless the CPU allows \"monitor trap flag\".") \
	X(INJECT_VECTOR, "ctls.entry.intr_info.vector", C, SEC_ENTRY,	\
	  "An injected event's vector must fit its type: 2 for an NMI, at most 31 for a hardware exception, 0 for other event.") \
	X(INJECT_ERROR_CODE_BIT, "ctls.entry.intr_info.deliver_error_code", C, SEC_ENTRY, \
	  "\"Deliver error code\" (bit 11) must be 1 exactly for a hardware exception that has one (8, 10-14, 17, 21), outside real mode of an unrestricted guest.") \
	X(INJECT_RESERVED, "ctls.entry.intr_info.reserved", C, SEC_ENTRY, \
	  "Bits 30:12 of the VM-entry interruption-information field must be 0 when it is valid.") \
	X(INJECT_ERROR_CODE, "ctls.entry.error_code.reserved", C, SEC_ENTRY, \
	  "When an error code is delivered, bits 31:16 of the VM-entry exception error code must be 0.") \
	X(INJECT_INSN_LEN, "ctls.entry.instruction_len", C, SEC_ENTRY,	\
	  "For an injected software interrupt or (privileged) software exception, the VM-entry instruction length must be 1 to 15 (0 allowed if IA32_VMX_MISC[30]).") \
	X(ENTRY_MSR_LOAD_ADDR, "ctls.entry.msr_load.addr", C, SEC_ENTRY, \
	  "With a nonzero VM-entry MSR-load count, the MSR-load address must be 16-byte aligned and the whole area (count x 16 bytes) within the physical-address width.") \
	X(ENTRY_SMM, "ctls.entry.smm_outside_smm", C, SEC_ENTRY,	\
	  "Outside SMM, \"entry to SMM\" and \"deactivate dual-monitor treatment\" must be 0.") \
	/* Checks on Host Control Registers, MSRs, and SSP */		\
	X(HOST_CR0_FIXED, "host.cr0.fixed", H, SEC_HOST_CR,		\
	  "Host CR0 must have the bits IA32_VMX_CR0_FIXED0 says are 1 and none IA32_VMX_CR0_FIXED1 says are 0 (CD and NW are not checked).") \
	X(HOST_CR4_FIXED, "host.cr4.fixed", H, SEC_HOST_CR,		\
	  "Host CR4 must have the bits IA32_VMX_CR4_FIXED0 says are 1 (VMXE) and none IA32_VMX_CR4_FIXED1 says are 0.") \
	X(HOST_CR3_WIDTH, "host.cr3.width", H, SEC_HOST_CR,		\
	  "Host CR3 must not set bits at or above the physical-address width.") \
	X(HOST_SYSENTER_ESP, "host.sysenter_esp.canonical", H, SEC_HOST_CR, \
	  "The host IA32_SYSENTER_ESP field must hold a canonical address.") \
	X(HOST_SYSENTER_EIP, "host.sysenter_eip.canonical", H, SEC_HOST_CR, \
	  "The host IA32_SYSENTER_EIP field must hold a canonical address.") \
	X(HOST_PAT, "host.pat.memtype", H, SEC_HOST_CR,			\
	  "With \"load IA32_PAT\" (exit) 1, each byte of the host IA32_PAT field must be 0, 1, 4, 5, 6 or 7.") \
	X(HOST_EFER_RESERVED, "host.efer.reserved", H, SEC_HOST_CR,	\
	  "With \"load IA32_EFER\" (exit) 1, the host IA32_EFER field may set only SCE, LME, LMA and NXE.") \
	X(HOST_EFER_LMA_LME, "host.efer.lma_lme", H, SEC_HOST_CR,	\
	  "With \"load IA32_EFER\" (exit) 1, host EFER.LMA and EFER.LME must each equal \"host address-space size\".") \
	/* Checks on Host Segment and Descriptor-Table Registers */	\
	X(HOST_SEL_RPL_TI, "host.sel.rpl_ti", H, SEC_HOST_SEG,		\
	  "Host CS, SS, DS, ES, FS, GS and TR selectors must have RPL (bits 1:0) and TI (bit 2) 0.") \
	X(HOST_CS_NULL, "host.cs.null", H, SEC_HOST_SEG,		\
	  "The host CS selector must not be 0000H.")			\
	X(HOST_TR_NULL, "host.tr.null", H, SEC_HOST_SEG,		\
	  "The host TR selector must not be 0000H.")			\
	X(HOST_SS_NULL, "host.ss.null", H, SEC_HOST_SEG,		\
	  "With \"host address-space size\" 0, the host SS selector must not be 0000H.") \
	X(HOST_BASE_CANONICAL, "host.base.canonical", H, SEC_HOST_SEG,	\
	  "Host FS, GS, TR, GDTR and IDTR bases must be canonical.")	\
	/* Checks Related to Address-Space Size */			\
	X(HOST_ADDR_SPACE, "host.addr_space_size", H, SEC_ADDR_SIZE,	\
	  "A host in IA-32e mode (vmxlab's) needs \"host address-space size\" 1.") \
	X(HOST_32_IA32E_GUEST, "host.addr_space.ia32e_guest", H, SEC_ADDR_SIZE, \
	  "With \"host address-space size\" 0, \"IA-32e mode guest\" must be 0.") \
	X(HOST_32_PCIDE, "host.cr4.pcide", H, SEC_ADDR_SIZE,		\
	  "With \"host address-space size\" 0, host CR4.PCIDE must be 0.") \
	X(HOST_32_RIP, "host.rip.high", H, SEC_ADDR_SIZE,		\
	  "With \"host address-space size\" 0, bits 63:32 of host RIP must be 0.") \
	X(HOST_64_PAE, "host.cr4.pae", H, SEC_ADDR_SIZE,		\
	  "With \"host address-space size\" 1, host CR4.PAE must be 1.") \
	X(HOST_64_RIP, "host.rip.canonical", H, SEC_ADDR_SIZE,		\
	  "With \"host address-space size\" 1, host RIP must be canonical.") \
	/* Checks on Guest Control Registers, Debug Registers, and MSRs */ \
	X(GUEST_CR0_FIXED, "guest.cr0.fixed", G, SEC_GUEST_CR,		\
	  "Guest CR0 must have the bits IA32_VMX_CR0_FIXED0 says are 1 and none IA32_VMX_CR0_FIXED1 says are 0; PE and PG are free with \"unrestricted guest\", CD and NW are not checked.") \
	X(GUEST_CR0_PG_WITHOUT_PE, "guest.cr0.pg_without_pe", G, SEC_GUEST_CR, \
	  "If guest CR0.PG is 1, CR0.PE must be 1.")			\
	X(GUEST_CR4_FIXED, "guest.cr4.fixed", G, SEC_GUEST_CR,		\
	  "Guest CR4 must have the bits IA32_VMX_CR4_FIXED0 says are 1 (VMXE) and none IA32_VMX_CR4_FIXED1 says are 0.") \
	X(GUEST_DR7_HIGH, "guest.dr7.high", G, SEC_GUEST_CR,		\
	  "With \"load debug controls\" 1, bits 63:32 of guest DR7 must be 0.") \
	X(GUEST_IA32E_PG, "guest.ia32e.cr0_pg", G, SEC_GUEST_CR,	\
	  "With \"IA-32e mode guest\" 1, guest CR0.PG must be 1.")	\
	X(GUEST_IA32E_PAE, "guest.ia32e.cr4_pae", G, SEC_GUEST_CR,	\
	  "With \"IA-32e mode guest\" 1, guest CR4.PAE must be 1.")	\
	X(GUEST_PCIDE, "guest.cr4.pcide", G, SEC_GUEST_CR,		\
	  "With \"IA-32e mode guest\" 0, guest CR4.PCIDE must be 0.")	\
	X(GUEST_CR3_WIDTH, "guest.cr3.width", G, SEC_GUEST_CR,		\
	  "Guest CR3 must not set bits at or above the physical-address width.") \
	X(GUEST_SYSENTER_ESP, "guest.sysenter_esp.canonical", G, SEC_GUEST_CR, \
	  "The guest IA32_SYSENTER_ESP field must hold a canonical address.") \
	X(GUEST_SYSENTER_EIP, "guest.sysenter_eip.canonical", G, SEC_GUEST_CR, \
	  "The guest IA32_SYSENTER_EIP field must hold a canonical address.") \
	X(GUEST_PAT, "guest.pat.memtype", G, SEC_GUEST_CR,		\
	  "With \"load IA32_PAT\" (entry) 1, each byte of the guest IA32_PAT field must be 0, 1, 4, 5, 6 or 7.") \
	X(GUEST_EFER_RESERVED, "guest.efer.reserved", G, SEC_GUEST_CR,	\
	  "With \"load IA32_EFER\" (entry) 1, the guest IA32_EFER field may set only SCE, LME, LMA and NXE.") \
	X(GUEST_EFER_LMA, "guest.efer.lma", G, SEC_GUEST_CR,		\
	  "With \"load IA32_EFER\" (entry) 1, guest EFER.LMA must equal \"IA-32e mode guest\".") \
	X(GUEST_EFER_LME, "guest.efer.lme", G, SEC_GUEST_CR,		\
	  "With \"load IA32_EFER\" (entry) 1 and guest CR0.PG 1, guest EFER.LME must equal EFER.LMA.") \
	/* Checks on Guest Segment Registers */				\
	X(TR_SEL_TI, "guest.tr.sel_ti", G, SEC_GUEST_SEG,		\
	  "The TI flag (bit 2) of the guest TR selector must be 0.")	\
	X(LDTR_SEL_TI, "guest.ldtr.sel_ti", G, SEC_GUEST_SEG,		\
	  "If LDTR is usable, the TI flag (bit 2) of its selector must be 0.") \
	X(SS_SEL_RPL, "guest.ss.sel_rpl", G, SEC_GUEST_SEG,		\
	  "Outside virtual-8086 mode and without \"unrestricted guest\", the RPL of SS must equal the RPL of CS.") \
	X(V86_BASE, "guest.v86.base", G, SEC_GUEST_SEG,			\
	  "In virtual-8086 mode, the base of CS, SS, DS, ES, FS and GS must be the selector times 16.") \
	X(SEG_BASE_CANONICAL, "guest.seg.base_canonical", G, SEC_GUEST_SEG, \
	  "The bases of TR, FS, GS and (if usable) LDTR must be canonical.") \
	X(SEG_BASE_HIGH, "guest.seg.base_high", G, SEC_GUEST_SEG,	\
	  "Bits 63:32 of the base of CS, and of SS, DS and ES when usable, must be 0.") \
	X(V86_LIMIT, "guest.v86.limit", G, SEC_GUEST_SEG,		\
	  "In virtual-8086 mode, the limit of CS, SS, DS, ES, FS and GS must be 0000FFFFH.") \
	X(V86_AR, "guest.v86.ar", G, SEC_GUEST_SEG,			\
	  "In virtual-8086 mode, the access rights of CS, SS, DS, ES, FS and GS must be 000000F3H.") \
	X(CS_TYPE, "guest.cs.type", G, SEC_GUEST_SEG,			\
	  "The CS type must be 9, 11, 13 or 15 (accessed code), or 3 (accessed read/write data) with \"unrestricted guest\".") \
	X(SS_TYPE, "guest.ss.type", G, SEC_GUEST_SEG,			\
	  "If SS is usable, its type must be 3 or 7 (read/write accessed data).") \
	X(DATA_TYPE, "guest.seg.type", G, SEC_GUEST_SEG,		\
	  "A usable DS, ES, FS or GS must have the accessed bit (type bit 0) set and, if code, be readable (type bit 1).") \
	X(SEG_S, "guest.seg.s", G, SEC_GUEST_SEG,			\
	  "CS, and SS, DS, ES, FS, GS when usable, must have S (bit 4) 1: code or data, not system.") \
	X(CS_DPL_DATA, "guest.cs.dpl_type3", G, SEC_GUEST_SEG,		\
	  "If the CS type is 3 (unrestricted guest), its DPL must be 0.") \
	X(CS_DPL_NONCONFORMING, "guest.cs.dpl_nonconforming", G, SEC_GUEST_SEG, \
	  "If the CS type is 9 or 11 (non-conforming code), its DPL must equal the DPL of SS.") \
	X(CS_DPL_CONFORMING, "guest.cs.dpl_conforming", G, SEC_GUEST_SEG, \
	  "If the CS type is 13 or 15 (conforming code), its DPL must not exceed the DPL of SS.") \
	X(SS_DPL_RPL, "guest.ss.dpl_rpl", G, SEC_GUEST_SEG,		\
	  "Without \"unrestricted guest\", the DPL of SS must equal the RPL of its selector.") \
	X(SS_DPL_ZERO, "guest.ss.dpl_zero", G, SEC_GUEST_SEG,		\
	  "If the CS type is 3 or CR0.PE is 0, the DPL of SS must be 0.") \
	X(DATA_DPL_RPL, "guest.seg.dpl_rpl", G, SEC_GUEST_SEG,		\
	  "Without \"unrestricted guest\", a usable DS, ES, FS or GS of type 0-11 must have DPL >= the RPL of its selector.") \
	X(SEG_P, "guest.seg.present", G, SEC_GUEST_SEG,			\
	  "CS, TR, and every other segment register that is usable, must have P (bit 7) 1.") \
	X(SEG_AR_RESERVED, "guest.seg.ar_reserved", G, SEC_GUEST_SEG,	\
	  "Access-rights bits 11:8 and 31:17 of CS, TR and every usable segment register must be 0.") \
	X(CS_DB_WITH_L, "guest.cs.db_with_l", G, SEC_GUEST_SEG,		\
	  "With \"IA-32e mode guest\" 1 and CS.L 1, CS.D/B must be 0.") \
	X(SEG_G_LIMIT, "guest.seg.g_limit", G, SEC_GUEST_SEG,		\
	  "For CS, TR and usable registers: a limit with any of bits 11:0 0 needs G=0, a limit with any of bits 31:20 1 needs G=1.") \
	X(TR_TYPE, "guest.tr.type", G, SEC_GUEST_SEG,			\
	  "The TR type must be 11 (busy 64-bit TSS) with \"IA-32e mode guest\", else 3 or 11 (busy 16-/32-bit TSS).") \
	X(TR_S, "guest.tr.s", G, SEC_GUEST_SEG,				\
	  "TR must have S (bit 4) 0: a system segment.")		\
	X(TR_UNUSABLE, "guest.tr.unusable", G, SEC_GUEST_SEG,		\
	  "TR must be usable (access-rights bit 16 must be 0).")	\
	X(LDTR_TYPE, "guest.ldtr.type", G, SEC_GUEST_SEG,		\
	  "If LDTR is usable, its type must be 2 (LDT).")		\
	X(LDTR_S, "guest.ldtr.s", G, SEC_GUEST_SEG,			\
	  "If LDTR is usable, S (bit 4) must be 0: a system segment.")	\
	/* Checks on Guest Descriptor-Table Registers */		\
	X(DTR_BASE_CANONICAL, "guest.dtr.base_canonical", G, SEC_GUEST_DT, \
	  "The GDTR and IDTR bases must be canonical.")			\
	X(DTR_LIMIT, "guest.dtr.limit_high", G, SEC_GUEST_DT,		\
	  "Bits 31:16 of the GDTR and IDTR limits must be 0.")		\
	/* Checks on Guest RIP, RFLAGS, and SSP */			\
	X(RIP_HIGH, "guest.rip.high", G, SEC_GUEST_RIP,			\
	  "Outside 64-bit mode (\"IA-32e mode guest\" 0 or CS.L 0), bits 63:32 of guest RIP must be 0.") \
	X(RIP_CANONICAL, "guest.rip.canonical", G, SEC_GUEST_RIP,	\
	  "In 64-bit mode (\"IA-32e mode guest\" 1 and CS.L 1), guest RIP must be canonical.") \
	X(RFLAGS_RESERVED, "guest.rflags.reserved", G, SEC_GUEST_RIP,	\
	  "Guest RFLAGS bits 63:22, 15, 5 and 3 must be 0 and bit 1 must be 1.") \
	X(RFLAGS_VM, "guest.rflags.vm", G, SEC_GUEST_RIP,		\
	  "RFLAGS.VM must be 0 with \"IA-32e mode guest\" 1 or with guest CR0.PE 0.") \
	X(RFLAGS_IF, "guest.rflags.if_for_ext_intr", G, SEC_GUEST_RIP,	\
	  "RFLAGS.IF must be 1 when an external interrupt is injected.") \
	/* Checks on Guest Non-Register State */			\
	X(ACTIVITY_VALUE, "guest.activity.value", G, SEC_GUEST_NRS,	\
	  "The activity state must be 0 (active) or a state IA32_VMX_MISC[8:6] says the CPU supports: 1 HLT, 2 shutdown, 3 wait-for-SIPI.") \
	X(ACTIVITY_HLT_DPL, "guest.activity.hlt_dpl", G, SEC_GUEST_NRS, \
	  "The activity state must not be HLT if the DPL of SS is not 0.") \
	X(ACTIVITY_BLOCKING, "guest.activity.blocking_not_active", G, SEC_GUEST_NRS, \
	  "With blocking by STI or by MOV SS, the activity state must be active.") \
	X(ACTIVITY_INJECTION, "guest.activity.injection", G, SEC_GUEST_NRS, \
	  "An injected event must be one the activity state lets through: HLT takes interrupts, NMIs, #DB, #MC and MTF; shutdown only NMIs and #MC; wait-for-SIPI nothing.") \
	X(ACTIVITY_SIPI_SMM, "guest.activity.sipi_with_entry_to_smm", G, SEC_GUEST_NRS, \
	  "The activity state must not be wait-for-SIPI with \"entry to SMM\" 1.") \
	X(INTR_RESERVED, "guest.intr_state.reserved", G, SEC_GUEST_NRS,	\
	  "Bits 31:5 of the interruptibility state must be 0.")		\
	X(INTR_STI_AND_MOVSS, "guest.intr_state.sti_and_movss", G, SEC_GUEST_NRS, \
	  "The interruptibility state must not show blocking by both STI and MOV SS.") \
	X(INTR_STI_WITHOUT_IF, "guest.intr_state.sti_without_if", G, SEC_GUEST_NRS, \
	  "Blocking by STI (bit 0) needs RFLAGS.IF 1.")			\
	X(INTR_EXT_INTR_BLOCKED, "guest.intr_state.ext_intr_blocked", G, SEC_GUEST_NRS, \
	  "When an external interrupt is injected, blocking by STI and by MOV SS must be 0.") \
	X(INTR_NMI_MOVSS, "guest.intr_state.nmi_movss", G, SEC_GUEST_NRS, \
	  "When an NMI is injected, blocking by MOV SS must be 0.")	\
	X(INTR_SMI, "guest.intr_state.smi", G, SEC_GUEST_NRS,		\
	  "Outside SMM, blocking by SMI (bit 2) must be 0.")		\
	X(INTR_VNMI_NMI, "guest.intr_state.nmi_blocked_vnmi", G, SEC_GUEST_NRS, \
	  "With \"virtual NMIs\" 1, blocking by NMI (bit 3) must be 0 when an NMI is injected.") \
	X(INTR_ENCLAVE_MOVSS, "guest.intr_state.enclave_movss", G, SEC_GUEST_NRS, \
	  "With enclave interruption (bit 4) 1, blocking by MOV SS must be 0.") \
	X(PENDING_DBG_RESERVED, "guest.pending_dbg.reserved", G, SEC_GUEST_NRS, \
	  "Pending debug exceptions bits 11:4, 13, 15 and 63:17 must be 0.") \
	X(PENDING_DBG_BS, "guest.pending_dbg.bs", G, SEC_GUEST_NRS,	\
	  "With blocking by STI or MOV SS, or in HLT, pending-debug BS (bit 14) must be 1 exactly when RFLAGS.TF is 1 and IA32_DEBUGCTL.BTF is 0.") \
	X(VMCS_LINK_ADDR, "guest.vmcs_link.addr", G, SEC_GUEST_NRS,	\
	  "A VMCS link pointer other than FFFFFFFF_FFFFFFFFH must be 4-KByte aligned and within the physical-address width.") \
	X(VMCS_LINK_NOT_ONES, "guest.vmcs_link.not_ones", G, SEC_GUEST_NRS, \
	  "Without \"VMCS shadowing\" the VMCS link pointer should be FFFFFFFF_FFFFFFFFH (the CPU also accepts a pointer to a region holding its VMCS revision identifier with bit 31 clear, which this model cannot read).") \
	/* Checks on Guest Page-Directory-Pointer-Table Entries */	\
	X(PDPTE_RESERVED, "guest.pdpte.reserved", G, SEC_GUEST_PDPTE,	\
	  "With \"enable EPT\" 1 and PAE paging (CR0.PG 1, CR4.PAE 1, not IA-32e), each present PDPTE field must have bits 2:1, 8:5 and those at or above the physical-address width 0.")

#define ENTRY_CHECK_ENUM(name, id, area, section, rule)	CHK_##name,
enum entry_check_id {
	ENTRY_CHECKS(ENTRY_CHECK_ENUM)
	CHK_NR_CHECKS
};
#undef ENTRY_CHECK_ENUM

#define ENTRY_CHECK_ENTRY(name, id_, area_, section_, rule_)	\
	[CHK_##name] = { .id = id_, .section = section_, .rule = rule_, .area = area_ },
const struct entry_check entry_check_table[] = {
	ENTRY_CHECKS(ENTRY_CHECK_ENTRY)
};
#undef ENTRY_CHECK_ENTRY

#undef C
#undef H
#undef G

unsigned int entry_check_count(void)
{
	return CHK_NR_CHECKS;
}

const char *entry_check_area_result(enum entry_check_area area)
{
	switch (area) {
	case ENTRY_CHECK_CONTROLS:
		return "VMfailValid, VM-instruction error 7 (VM entry with invalid control field(s))";
	case ENTRY_CHECK_HOST:
		return "VMfailValid, VM-instruction error 8 (VM entry with invalid host-state field(s))";
	case ENTRY_CHECK_GUEST:
		return "VM exit with the VM-entry-failure bit, basic exit reason 33 (invalid guest state)";
	}
	return "unknown";
}

/*
 * Architectural bits the checks need that <vmxlab/vmx_arch.h> does not
 * name (SDM Vol. 3A "Control Registers", "EFLAGS Register"; Vol. 3C
 * "Guest Register State", "Guest Non-Register State", "VM-Entry Controls
 * for Event Injection").
 */
#define EC_CR0_NW		BIT_ULL(29)
#define EC_CR0_CD		BIT_ULL(30)
#define EC_CR4_PAE		BIT_ULL(5)
#define EC_CR4_PCIDE		BIT_ULL(17)

#define EC_EFER_SCE		BIT_ULL(0)
#define EC_EFER_LME		BIT_ULL(8)
#define EC_EFER_LMA		BIT_ULL(10)
#define EC_EFER_NXE		BIT_ULL(11)
#define EC_EFER_VALID		(EC_EFER_SCE | EC_EFER_LME | EC_EFER_LMA | EC_EFER_NXE)

#define EC_RFLAGS_FIXED1	BIT_ULL(1)
#define EC_RFLAGS_TF		BIT_ULL(8)
#define EC_RFLAGS_IF		BIT_ULL(9)
#define EC_RFLAGS_VM		BIT_ULL(17)
/* Bits that may be 1: 21:0 except 15, 5 and 3. */
#define EC_RFLAGS_ALLOWED1	VMX_RFLAGS_ALLOWED1

/* Segment access rights: VMX_SEG_AR_* ("Format of Access Rights"). */
#define EC_AR_TYPE(ar)		((ar) & VMX_SEG_AR_TYPE_MASK)
#define EC_AR_DPL(ar)		(((ar) & VMX_SEG_AR_DPL_MASK) >> VMX_SEG_AR_DPL_SHIFT)
/* Everything but the reserved bits 11:8 and 31:17 may be 1. */
#define EC_AR_ALLOWED1		((u32)~VMX_SEG_AR_RESERVED)
/* Virtual-8086 segments: 0xf3, present read/write accessed data at DPL 3. */
#define EC_AR_V86		(VMX_SEG_AR_P | VMX_SEG_AR_DPL_MASK | VMX_SEG_AR_S | \
				 VMX_SEG_TYPE_RW | VMX_SEG_TYPE_ACCESSED)

#define EC_SEL_RPL(sel)		((sel) & 3)
#define EC_SEL_TI		BIT_ULL(2)

/* VM-entry interruption-information field (and IDT-vectoring format). */
#define EC_INTR_VECTOR(info)	((info) & 0xff)
#define EC_INTR_TYPE(info)	(((info) >> 8) & 7)
#define EC_INTR_HAS_ERROR	BIT_ULL(11)
#define EC_INTR_RESERVED	0x7ffff000ULL	/* bits 30:12 */
#define EC_INTR_VALID		BIT_ULL(31)

enum {
	EC_INTR_EXT_INTR = 0,
	EC_INTR_NMI = 2,
	EC_INTR_HW_EXCEPTION = 3,
	EC_INTR_SOFT_INTR = 4,
	EC_INTR_PRIV_SOFT_EXCEPTION = 5,
	EC_INTR_SOFT_EXCEPTION = 6,
	EC_INTR_OTHER_EVENT = 7,
};

#define EC_VECTOR_DB		1
#define EC_VECTOR_NMI		2
#define EC_VECTOR_MC		18

/* Interruptibility state ("Format of Interruptibility State"). */
#define EC_BLOCK_STI		BIT_ULL(0)
#define EC_BLOCK_MOVSS		BIT_ULL(1)
#define EC_BLOCK_SMI		BIT_ULL(2)
#define EC_BLOCK_NMI		BIT_ULL(3)
#define EC_ENCLAVE_INTR		BIT_ULL(4)
#define EC_INTR_STATE_ALLOWED1	0x1fULL

/* Pending debug exceptions: bits 3:0, 12 (enabled bp), 14 (BS), 16 (RTM). */
#define EC_PENDING_DBG_BS	BIT_ULL(14)
#define EC_PENDING_DBG_ALLOWED1	(0xfULL | BIT_ULL(12) | BIT_ULL(14) | BIT_ULL(16))

#define EC_DEBUGCTL_BTF		BIT_ULL(1)

/* EPTP ("Extended-Page-Table Pointer (EPTP)"). */
#define EC_EPTP_MEMTYPE(eptp)	((eptp) & 7)
#define EC_EPTP_WALK(eptp)	(((eptp) >> 3) & 7)
#define EC_EPTP_AD		BIT_ULL(6)
#define EC_EPTP_SSS		BIT_ULL(7)
#define EC_EPTP_RESERVED_LOW	0xf00ULL	/* bits 11:8 */
#define EC_EPT_CAP_SSS		BIT_ULL(23)

/* Entry controls that only SMM may set. */
#define EC_ENTRY_SMM_BITS	(VMX_ENTRYCTL_ENTRY_TO_SMM | VMX_ENTRYCTL_DEACT_DUAL_MONITOR)

/* PAE-paging PDPTE: present, and reserved bits 2:1 and 8:5. */
#define EC_PDPTE_P		BIT_ULL(0)
#define EC_PDPTE_RESERVED_LOW	0x1e6ULL

/* One run of the checker: what it reads, where it writes. */
struct ec_run {
	const struct vmxlab_caps *caps;
	unsigned int maxphyaddr;
	unsigned int linear_bits;
	vmcs_read_fn read;
	void *ctx;
	struct entry_check_failure *out;
	int max;
	int count;
	/* The control fields, read once: almost every check looks at them. */
	u32 pin, proc, proc2, exit, entry;
};

/* Read @field, cut to its width (as VMREAD would return it); 0 if absent. */
static u64 rd(struct ec_run *r, u32 field)
{
	u64 value = 0;

	if (!r->read(r->ctx, field, &value))
		return 0;
	switch (VMCS_ENCODING_WIDTH(field)) {
	case VMCS_WIDTH_16:
		return value & 0xffff;
	case VMCS_WIDTH_32:
		return value & 0xffffffffULL;
	default:
		return value;
	}
}

static void fail_bits(struct ec_run *r, enum entry_check_id id, u32 field,
		      u64 value, u64 allowed0, u64 allowed1)
{
	const struct entry_check *check = &entry_check_table[id];

	if (r->count < r->max) {
		struct entry_check_failure *f = &r->out[r->count];

		f->id = check->id;
		f->section = check->section;
		f->rule = check->rule;
		f->area = check->area;
		f->field = field;
		f->value = value;
		f->allowed0 = allowed0;
		f->allowed1 = allowed1;
		f->check = check;
	}
	r->count++;
}

static void fail(struct ec_run *r, enum entry_check_id id, u32 field, u64 value)
{
	fail_bits(r, id, field, value, 0, 0);
}

/* A fixed-bits rule: @value must have every bit of @allowed0, none outside @allowed1. */
static void check_fixed(struct ec_run *r, enum entry_check_id id, u32 field,
			u64 value, u64 allowed0, u64 allowed1)
{
	if ((~value & allowed0) | (value & ~allowed1))
		fail_bits(r, id, field, value, allowed0, allowed1);
}

/* A control field against its capability MSR (SDM Vol. 3D, A.3-A.5). */
static void check_control(struct ec_run *r, enum entry_check_id id, u32 field,
			  u32 value, u64 cap_msr)
{
	check_fixed(r, id, field, value, (u32)cap_msr, (u32)(cap_msr >> 32));
}

static bool has_cap(struct ec_run *r, enum vmxlab_cap_msr msr)
{
	return vmx_caps_has(r->caps, msr);
}

static u64 cap(struct ec_run *r, enum vmxlab_cap_msr msr)
{
	return has_cap(r, msr) ? r->caps->msr[msr] : 0;
}

/* MAXPHYADDR as the model counts it: 0 or more than 52 is 52. */
static unsigned int cpu_maxphyaddr(const struct entry_check_cpu *cpu)
{
	return cpu->maxphyaddr == 0 || cpu->maxphyaddr > 52 ? 52 : cpu->maxphyaddr;
}

/* The linear-address width: 0 is 48, at most 64. */
static unsigned int cpu_linear_bits(const struct entry_check_cpu *cpu)
{
	return !cpu->linear_bits ? 48 : cpu->linear_bits > 64 ? 64 : cpu->linear_bits;
}

/* No bit at or above @maxphyaddr. */
static bool phys_ok_bits(unsigned int maxphyaddr, u64 pa)
{
	return maxphyaddr >= 64 || !(pa >> maxphyaddr);
}

/* Bits 63:N-1 all equal, N = @linear_bits the linear-address width. */
static bool canonical_bits(unsigned int linear_bits, u64 va)
{
	unsigned int shift = 64 - linear_bits;

	return (u64)((long long)(va << shift) >> shift) == va;
}

static bool phys_ok(struct ec_run *r, u64 pa)
{
	return phys_ok_bits(r->maxphyaddr, pa);
}

static bool canonical(struct ec_run *r, u64 va)
{
	return canonical_bits(r->linear_bits, va);
}

bool entry_check_phys_ok(const struct entry_check_cpu *cpu, u64 pa)
{
	return phys_ok_bits(cpu_maxphyaddr(cpu), pa);
}

bool entry_check_canonical(const struct entry_check_cpu *cpu, u64 va)
{
	return canonical_bits(cpu_linear_bits(cpu), va);
}

bool entry_check_seg_limit_ok(u64 limit, bool g)
{
	return g ? (limit & 0xfff) == 0xfff : !(limit >> 20);
}

/* A page-aligned structure address within the physical-address width. */
static void check_page_addr(struct ec_run *r, enum entry_check_id id, u32 field)
{
	u64 addr = rd(r, field);

	if ((addr & 0xfff) || !phys_ok(r, addr))
		fail(r, id, field, addr);
}

/*
 * An MSR list of @count 16-byte entries at @addr_field: 16-byte aligned,
 * and its last byte within the physical-address width (the SDM computes
 * addr + count * 16 - 1 with more bits than MAXPHYADDR).
 */
static void check_msr_area(struct ec_run *r, enum entry_check_id id,
			   u32 addr_field, u32 count_field)
{
	u64 count = rd(r, count_field);
	u64 addr;

	if (!count)
		return;
	addr = rd(r, addr_field);
	if ((addr & 0xf) || !phys_ok(r, addr) ||
	    addr + count * 16 - 1 < addr || !phys_ok(r, addr + count * 16 - 1))
		fail(r, id, addr_field, addr);
}

/* IA32_PAT: every byte one of UC, WC, WT, WP, WB, UC- (0, 1, 4, 5, 6, 7). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = (pat >> (8 * i)) & 0xff;

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

static bool secondary_on(struct ec_run *r, u32 bit)
{
	return r->proc2 & bit;
}

/* ---- Checks on VMX Controls ------------------------------------------ */

/* SDM Vol. 3C, "Checks on VM-Execution Control Fields". */
static void check_exec_controls(struct ec_run *r)
{
	u64 ept_cap = cap(r, VMXLAB_CAP_EPT_VPID);
	u64 cr3_targets;

	check_control(r, CHK_PIN_ALLOWED, VMCS_PIN_BASED_VM_EXEC_CONTROL, r->pin,
		      vmx_control_msr(r->caps, VMXLAB_CTLS_PINBASED));
	check_control(r, CHK_PROC_ALLOWED, VMCS_CPU_BASED_VM_EXEC_CONTROL, r->proc,
		      vmx_control_msr(r->caps, VMXLAB_CTLS_PROCBASED));
	/* Without "activate secondary controls" they act as all 0, unchecked. */
	if (r->proc & VMX_PROCCTL_SECONDARY_CTLS)
		check_control(r, CHK_PROC2_ALLOWED, VMCS_SECONDARY_VM_EXEC_CONTROL,
			      r->proc2, vmx_control_msr(r->caps, VMXLAB_CTLS_PROCBASED2));

	cr3_targets = rd(r, VMCS_CR3_TARGET_COUNT);
	if (cr3_targets > vmx_misc_cr3_targets(cap(r, VMXLAB_CAP_MISC)))
		fail(r, CHK_CR3_TARGET_COUNT, VMCS_CR3_TARGET_COUNT, cr3_targets);

	if (r->proc & VMX_PROCCTL_IO_BITMAPS) {
		check_page_addr(r, CHK_IO_BITMAP_A_ADDR, VMCS_IO_BITMAP_A);
		check_page_addr(r, CHK_IO_BITMAP_B_ADDR, VMCS_IO_BITMAP_B);
	}
	if (r->proc & VMX_PROCCTL_MSR_BITMAPS)
		check_page_addr(r, CHK_MSR_BITMAP_ADDR, VMCS_MSR_BITMAP);

	if (r->proc & VMX_PROCCTL_TPR_SHADOW) {
		check_page_addr(r, CHK_VIRTUAL_APIC_ADDR, VMCS_VIRTUAL_APIC_PAGE_ADDR);
		if (!secondary_on(r, VMX_PROC2CTL_VIRT_INTR_DELIVERY)) {
			u64 tpr = rd(r, VMCS_TPR_THRESHOLD);

			check_fixed(r, CHK_TPR_THRESHOLD, VMCS_TPR_THRESHOLD, tpr, 0, 0xf);
		}
	} else if (secondary_on(r, VMX_PROC2CTL_VIRT_X2APIC |
				   VMX_PROC2CTL_APIC_REG_VIRT |
				   VMX_PROC2CTL_VIRT_INTR_DELIVERY)) {
		fail(r, CHK_APICV_WITHOUT_TPR_SHADOW, VMCS_SECONDARY_VM_EXEC_CONTROL, r->proc2);
	}

	if (!(r->pin & VMX_PINCTL_NMI_EXITING) && (r->pin & VMX_PINCTL_VIRTUAL_NMIS))
		fail(r, CHK_VNMI_WITHOUT_NMI_EXITING, VMCS_PIN_BASED_VM_EXEC_CONTROL, r->pin);
	if (!(r->pin & VMX_PINCTL_VIRTUAL_NMIS) && (r->proc & VMX_PROCCTL_NMI_WINDOW_EXITING))
		fail(r, CHK_NMI_WINDOW_WITHOUT_VNMI, VMCS_CPU_BASED_VM_EXEC_CONTROL, r->proc);

	if (secondary_on(r, VMX_PROC2CTL_VIRT_APIC_ACCESSES))
		check_page_addr(r, CHK_APIC_ACCESS_ADDR, VMCS_APIC_ACCESS_ADDR);
	if (secondary_on(r, VMX_PROC2CTL_VIRT_X2APIC) &&
	    secondary_on(r, VMX_PROC2CTL_VIRT_APIC_ACCESSES))
		fail(r, CHK_X2APIC_WITH_APIC_ACCESSES, VMCS_SECONDARY_VM_EXEC_CONTROL, r->proc2);
	if (secondary_on(r, VMX_PROC2CTL_VIRT_INTR_DELIVERY) &&
	    !(r->pin & VMX_PINCTL_EXT_INTR_EXITING))
		fail(r, CHK_VID_WITHOUT_EXT_INTR_EXITING, VMCS_PIN_BASED_VM_EXEC_CONTROL, r->pin);

	if (r->pin & VMX_PINCTL_POSTED_INTR) {
		u64 vector = rd(r, VMCS_POSTED_INTR_NOTIFICATION_VECTOR);
		u64 desc = rd(r, VMCS_POSTED_INTR_DESC_ADDR);

		if (!secondary_on(r, VMX_PROC2CTL_VIRT_INTR_DELIVERY))
			fail(r, CHK_POSTED_INTR_WITHOUT_VID, VMCS_SECONDARY_VM_EXEC_CONTROL, r->proc2);
		if (!(r->exit & VMX_EXITCTL_ACK_INTR_ON_EXIT))
			fail(r, CHK_POSTED_INTR_WITHOUT_ACK, VMCS_VM_EXIT_CONTROLS, r->exit);
		check_fixed(r, CHK_POSTED_INTR_VECTOR, VMCS_POSTED_INTR_NOTIFICATION_VECTOR,
			    vector, 0, 0xff);
		if ((desc & 0x3f) || !phys_ok(r, desc))
			fail(r, CHK_POSTED_INTR_DESC_ADDR, VMCS_POSTED_INTR_DESC_ADDR, desc);
	}

	if (secondary_on(r, VMX_PROC2CTL_ENABLE_VPID) && rd(r, VMCS_VIRTUAL_PROCESSOR_ID) == 0)
		fail(r, CHK_VPID_ZERO, VMCS_VIRTUAL_PROCESSOR_ID, 0);

	if (secondary_on(r, VMX_PROC2CTL_ENABLE_EPT)) {
		u64 eptp = rd(r, VMCS_EPT_POINTER);
		u64 reserved = EC_EPTP_RESERVED_LOW | (~0ULL << r->maxphyaddr);
		u32 memtype = EC_EPTP_MEMTYPE(eptp);
		u32 walk = EC_EPTP_WALK(eptp);

		if (!(ept_cap & EC_EPT_CAP_SSS))
			reserved |= EC_EPTP_SSS;
		if (!((memtype == VMX_MEMTYPE_UC && (ept_cap & VMX_EPT_MEMTYPE_UC)) ||
		      (memtype == VMX_MEMTYPE_WB && (ept_cap & VMX_EPT_MEMTYPE_WB))))
			fail(r, CHK_EPTP_MEMTYPE, VMCS_EPT_POINTER, eptp);
		if (!((walk == 3 && (ept_cap & VMX_EPT_WALK_LENGTH_4)) ||
		      (walk == 4 && (ept_cap & VMX_EPT_WALK_LENGTH_5))))
			fail(r, CHK_EPTP_WALK_LENGTH, VMCS_EPT_POINTER, eptp);
		if ((eptp & EC_EPTP_AD) && !(ept_cap & VMX_EPT_ACCESSED_DIRTY))
			fail(r, CHK_EPTP_AD, VMCS_EPT_POINTER, eptp);
		check_fixed(r, CHK_EPTP_RESERVED, VMCS_EPT_POINTER, eptp, 0, ~reserved);
	}

	if (secondary_on(r, VMX_PROC2CTL_UNRESTRICTED_GUEST) &&
	    !secondary_on(r, VMX_PROC2CTL_ENABLE_EPT))
		fail(r, CHK_UG_WITHOUT_EPT, VMCS_SECONDARY_VM_EXEC_CONTROL, r->proc2);
	if (secondary_on(r, VMX_PROC2CTL_ENABLE_PML)) {
		if (!secondary_on(r, VMX_PROC2CTL_ENABLE_EPT))
			fail(r, CHK_PML_WITHOUT_EPT, VMCS_SECONDARY_VM_EXEC_CONTROL, r->proc2);
		check_page_addr(r, CHK_PML_ADDR, VMCS_PML_ADDRESS);
	}
	if (secondary_on(r, VMX_PROC2CTL_ENABLE_VMFUNC)) {
		u64 vmfunc = rd(r, VMCS_VM_FUNCTION_CONTROLS);

		check_fixed(r, CHK_VMFUNC_ALLOWED, VMCS_VM_FUNCTION_CONTROLS, vmfunc,
			    0, cap(r, VMXLAB_CAP_VMFUNC));
	}
	if (secondary_on(r, VMX_PROC2CTL_VMCS_SHADOWING)) {
		check_page_addr(r, CHK_VMREAD_BITMAP_ADDR, VMCS_VMREAD_BITMAP);
		check_page_addr(r, CHK_VMWRITE_BITMAP_ADDR, VMCS_VMWRITE_BITMAP);
	}
	if (secondary_on(r, VMX_PROC2CTL_EPT_VIOLATION_VE))
		check_page_addr(r, CHK_VE_INFO_ADDR, VMCS_VE_INFORMATION_ADDRESS);
}

/* SDM Vol. 3C, "Checks on VM-Exit Control Fields". */
static void check_exit_controls(struct ec_run *r)
{
	check_control(r, CHK_EXIT_ALLOWED, VMCS_VM_EXIT_CONTROLS, r->exit,
		      vmx_control_msr(r->caps, VMXLAB_CTLS_EXIT));
	if (!(r->pin & VMX_PINCTL_PREEMPT_TIMER) &&
	    (r->exit & VMX_EXITCTL_SAVE_PREEMPT_TIMER))
		fail(r, CHK_SAVE_TIMER_WITHOUT_TIMER, VMCS_VM_EXIT_CONTROLS, r->exit);
	check_msr_area(r, CHK_EXIT_MSR_STORE_ADDR, VMCS_VM_EXIT_MSR_STORE_ADDR,
		       VMCS_VM_EXIT_MSR_STORE_COUNT);
	check_msr_area(r, CHK_EXIT_MSR_LOAD_ADDR, VMCS_VM_EXIT_MSR_LOAD_ADDR,
		       VMCS_VM_EXIT_MSR_LOAD_COUNT);
}

/* Exceptions that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
static bool exception_has_error_code(u32 vector)
{
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21:
		return true;
	default:
		return false;
	}
}

/* The event-injection part of "Checks on VM-Entry Control Fields". */
static void check_event_injection(struct ec_run *r)
{
	u64 info = rd(r, VMCS_VM_ENTRY_INTR_INFO);
	u32 type = EC_INTR_TYPE(info);
	u32 vector = EC_INTR_VECTOR(info);
	u64 proc_cap = vmx_control_msr(r->caps, VMXLAB_CTLS_PROCBASED);
	bool mtf_allowed = (proc_cap >> 32) & VMX_PROCCTL_MONITOR_TRAP_FLAG;
	bool ug = secondary_on(r, VMX_PROC2CTL_UNRESTRICTED_GUEST);
	bool pe = rd(r, VMCS_GUEST_CR0) & VMX_CR0_PE;
	bool wants_error_code;

	if (!(info & EC_INTR_VALID))
		return;

	if (type == 1 || (type == EC_INTR_OTHER_EVENT && !mtf_allowed))
		fail(r, CHK_INJECT_TYPE, VMCS_VM_ENTRY_INTR_INFO, info);
	if ((type == EC_INTR_NMI && vector != EC_VECTOR_NMI) ||
	    (type == EC_INTR_HW_EXCEPTION && vector > 31) ||
	    (type == EC_INTR_OTHER_EVENT && vector != 0))
		fail(r, CHK_INJECT_VECTOR, VMCS_VM_ENTRY_INTR_INFO, info);

	wants_error_code = (!ug || pe) && type == EC_INTR_HW_EXCEPTION &&
			   exception_has_error_code(vector);
	if (!!(info & EC_INTR_HAS_ERROR) != wants_error_code)
		fail(r, CHK_INJECT_ERROR_CODE_BIT, VMCS_VM_ENTRY_INTR_INFO, info);
	if (info & EC_INTR_RESERVED)
		fail_bits(r, CHK_INJECT_RESERVED, VMCS_VM_ENTRY_INTR_INFO, info,
			  0, ~EC_INTR_RESERVED & 0xffffffffULL);
	if (info & EC_INTR_HAS_ERROR) {
		u64 code = rd(r, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);

		check_fixed(r, CHK_INJECT_ERROR_CODE, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			    code, 0, 0xffff);
	}
	if (type == EC_INTR_SOFT_INTR || type == EC_INTR_PRIV_SOFT_EXCEPTION ||
	    type == EC_INTR_SOFT_EXCEPTION) {
		u64 len = rd(r, VMCS_VM_ENTRY_INSTRUCTION_LEN);
		bool zero_ok = cap(r, VMXLAB_CAP_MISC) & VMX_MISC_ZERO_LEN_INJECTION;

		if (len > 15 || (len == 0 && !zero_ok))
			fail(r, CHK_INJECT_INSN_LEN, VMCS_VM_ENTRY_INSTRUCTION_LEN, len);
	}
}

/* SDM Vol. 3C, "Checks on VM-Entry Control Fields". */
static void check_entry_controls(struct ec_run *r)
{
	check_control(r, CHK_ENTRY_ALLOWED, VMCS_VM_ENTRY_CONTROLS, r->entry,
		      vmx_control_msr(r->caps, VMXLAB_CTLS_ENTRY));
	check_event_injection(r);
	check_msr_area(r, CHK_ENTRY_MSR_LOAD_ADDR, VMCS_VM_ENTRY_MSR_LOAD_ADDR,
		       VMCS_VM_ENTRY_MSR_LOAD_COUNT);
	/* vmxlab never runs in SMM. */
	if (r->entry & EC_ENTRY_SMM_BITS)
		fail(r, CHK_ENTRY_SMM, VMCS_VM_ENTRY_CONTROLS, r->entry);
}

/* ---- Checks on the Host-State Area ----------------------------------- */

/* SDM Vol. 3C, "Checks on Host Control Registers, MSRs, and SSP". */
static void check_host_control_regs(struct ec_run *r)
{
	/* CD and NW are never checked: VM exit does not change them. */
	u64 ignore = EC_CR0_CD | EC_CR0_NW;
	u64 cr0 = rd(r, VMCS_HOST_CR0);
	u64 cr3 = rd(r, VMCS_HOST_CR3);
	u64 cr4 = rd(r, VMCS_HOST_CR4);
	u64 value;

	check_fixed(r, CHK_HOST_CR0_FIXED, VMCS_HOST_CR0, cr0,
		    cap(r, VMXLAB_CAP_CR0_FIXED0) & ~ignore,
		    cap(r, VMXLAB_CAP_CR0_FIXED1) | ignore);
	check_fixed(r, CHK_HOST_CR4_FIXED, VMCS_HOST_CR4, cr4,
		    cap(r, VMXLAB_CAP_CR4_FIXED0), cap(r, VMXLAB_CAP_CR4_FIXED1));
	if (!phys_ok(r, cr3))
		fail(r, CHK_HOST_CR3_WIDTH, VMCS_HOST_CR3, cr3);

	value = rd(r, VMCS_HOST_IA32_SYSENTER_ESP);
	if (!canonical(r, value))
		fail(r, CHK_HOST_SYSENTER_ESP, VMCS_HOST_IA32_SYSENTER_ESP, value);
	value = rd(r, VMCS_HOST_IA32_SYSENTER_EIP);
	if (!canonical(r, value))
		fail(r, CHK_HOST_SYSENTER_EIP, VMCS_HOST_IA32_SYSENTER_EIP, value);

	if (r->exit & VMX_EXITCTL_LOAD_PAT) {
		value = rd(r, VMCS_HOST_IA32_PAT);
		if (!pat_valid(value))
			fail(r, CHK_HOST_PAT, VMCS_HOST_IA32_PAT, value);
	}
	if (r->exit & VMX_EXITCTL_LOAD_EFER) {
		bool host64 = r->exit & VMX_EXITCTL_HOST_ADDR_SPACE;

		value = rd(r, VMCS_HOST_IA32_EFER);
		check_fixed(r, CHK_HOST_EFER_RESERVED, VMCS_HOST_IA32_EFER, value,
			    0, EC_EFER_VALID);
		if (!!(value & EC_EFER_LMA) != host64 || !!(value & EC_EFER_LME) != host64)
			fail(r, CHK_HOST_EFER_LMA_LME, VMCS_HOST_IA32_EFER, value);
	}
}

/* SDM Vol. 3C, "Checks on Host Segment and Descriptor-Table Registers". */
static void check_host_segments(struct ec_run *r)
{
	static const u32 selectors[] = {
		VMCS_HOST_CS_SELECTOR, VMCS_HOST_SS_SELECTOR, VMCS_HOST_DS_SELECTOR,
		VMCS_HOST_ES_SELECTOR, VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR,
		VMCS_HOST_TR_SELECTOR,
	};
	static const u32 bases[] = {
		VMCS_HOST_FS_BASE, VMCS_HOST_GS_BASE, VMCS_HOST_GDTR_BASE,
		VMCS_HOST_IDTR_BASE, VMCS_HOST_TR_BASE,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(selectors); i++) {
		u64 sel = rd(r, selectors[i]);

		if (sel & (EC_SEL_TI | 3))
			fail(r, CHK_HOST_SEL_RPL_TI, selectors[i], sel);
	}
	if (rd(r, VMCS_HOST_CS_SELECTOR) == 0)
		fail(r, CHK_HOST_CS_NULL, VMCS_HOST_CS_SELECTOR, 0);
	if (rd(r, VMCS_HOST_TR_SELECTOR) == 0)
		fail(r, CHK_HOST_TR_NULL, VMCS_HOST_TR_SELECTOR, 0);
	if (!(r->exit & VMX_EXITCTL_HOST_ADDR_SPACE) && rd(r, VMCS_HOST_SS_SELECTOR) == 0)
		fail(r, CHK_HOST_SS_NULL, VMCS_HOST_SS_SELECTOR, 0);
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		u64 base = rd(r, bases[i]);

		if (!canonical(r, base))
			fail(r, CHK_HOST_BASE_CANONICAL, bases[i], base);
	}
}

/*
 * SDM Vol. 3C, "Checks Related to Address-Space Size".  The logical
 * processor is in IA-32e mode at VM entry (vmxlab is a 64-bit module), so
 * "host address-space size" must be 1; the rules for 0 are modelled too,
 * so that a student sees everything a 0 there would break.
 */
static void check_address_space_size(struct ec_run *r)
{
	u64 rip = rd(r, VMCS_HOST_RIP);
	u64 cr4 = rd(r, VMCS_HOST_CR4);

	if (!(r->exit & VMX_EXITCTL_HOST_ADDR_SPACE)) {
		fail(r, CHK_HOST_ADDR_SPACE, VMCS_VM_EXIT_CONTROLS, r->exit);
		if (r->entry & VMX_ENTRYCTL_IA32E_GUEST)
			fail(r, CHK_HOST_32_IA32E_GUEST, VMCS_VM_ENTRY_CONTROLS, r->entry);
		if (cr4 & EC_CR4_PCIDE)
			fail(r, CHK_HOST_32_PCIDE, VMCS_HOST_CR4, cr4);
		if (rip >> 32)
			fail(r, CHK_HOST_32_RIP, VMCS_HOST_RIP, rip);
	} else {
		if (!(cr4 & EC_CR4_PAE))
			fail(r, CHK_HOST_64_PAE, VMCS_HOST_CR4, cr4);
		if (!canonical(r, rip))
			fail(r, CHK_HOST_64_RIP, VMCS_HOST_RIP, rip);
	}
}

/* ---- Checks on the Guest State Area ---------------------------------- */

/* SDM Vol. 3C, "Checks on Guest Control Registers, Debug Registers, and MSRs". */
static void check_guest_control_regs(struct ec_run *r)
{
	bool ia32e = r->entry & VMX_ENTRYCTL_IA32E_GUEST;
	u64 cr0 = rd(r, VMCS_GUEST_CR0);
	u64 cr3 = rd(r, VMCS_GUEST_CR3);
	u64 cr4 = rd(r, VMCS_GUEST_CR4);
	/* CD and NW are never checked; PE and PG are free for an unrestricted guest. */
	u64 free = EC_CR0_CD | EC_CR0_NW;
	u64 value;

	if (secondary_on(r, VMX_PROC2CTL_UNRESTRICTED_GUEST))
		free |= VMX_CR0_PE | VMX_CR0_PG;
	check_fixed(r, CHK_GUEST_CR0_FIXED, VMCS_GUEST_CR0, cr0,
		    cap(r, VMXLAB_CAP_CR0_FIXED0) & ~free,
		    cap(r, VMXLAB_CAP_CR0_FIXED1) | free);
	if ((cr0 & VMX_CR0_PG) && !(cr0 & VMX_CR0_PE))
		fail(r, CHK_GUEST_CR0_PG_WITHOUT_PE, VMCS_GUEST_CR0, cr0);
	check_fixed(r, CHK_GUEST_CR4_FIXED, VMCS_GUEST_CR4, cr4,
		    cap(r, VMXLAB_CAP_CR4_FIXED0), cap(r, VMXLAB_CAP_CR4_FIXED1));

	if (r->entry & VMX_ENTRYCTL_LOAD_DEBUG_CTLS) {
		value = rd(r, VMCS_GUEST_DR7);
		if (value >> 32)
			fail(r, CHK_GUEST_DR7_HIGH, VMCS_GUEST_DR7, value);
	}

	if (ia32e && !(cr0 & VMX_CR0_PG))
		fail(r, CHK_GUEST_IA32E_PG, VMCS_GUEST_CR0, cr0);
	if (ia32e && !(cr4 & EC_CR4_PAE))
		fail(r, CHK_GUEST_IA32E_PAE, VMCS_GUEST_CR4, cr4);
	if (!ia32e && (cr4 & EC_CR4_PCIDE))
		fail(r, CHK_GUEST_PCIDE, VMCS_GUEST_CR4, cr4);
	if (!phys_ok(r, cr3))
		fail(r, CHK_GUEST_CR3_WIDTH, VMCS_GUEST_CR3, cr3);

	value = rd(r, VMCS_GUEST_SYSENTER_ESP);
	if (!canonical(r, value))
		fail(r, CHK_GUEST_SYSENTER_ESP, VMCS_GUEST_SYSENTER_ESP, value);
	value = rd(r, VMCS_GUEST_SYSENTER_EIP);
	if (!canonical(r, value))
		fail(r, CHK_GUEST_SYSENTER_EIP, VMCS_GUEST_SYSENTER_EIP, value);

	if (r->entry & VMX_ENTRYCTL_LOAD_PAT) {
		value = rd(r, VMCS_GUEST_IA32_PAT);
		if (!pat_valid(value))
			fail(r, CHK_GUEST_PAT, VMCS_GUEST_IA32_PAT, value);
	}
	if (r->entry & VMX_ENTRYCTL_LOAD_EFER) {
		bool lma;

		value = rd(r, VMCS_GUEST_IA32_EFER);
		lma = value & EC_EFER_LMA;
		check_fixed(r, CHK_GUEST_EFER_RESERVED, VMCS_GUEST_IA32_EFER, value,
			    0, EC_EFER_VALID);
		if (lma != ia32e)
			fail(r, CHK_GUEST_EFER_LMA, VMCS_GUEST_IA32_EFER, value);
		if ((cr0 & VMX_CR0_PG) && !!(value & EC_EFER_LME) != lma)
			fail(r, CHK_GUEST_EFER_LME, VMCS_GUEST_IA32_EFER, value);
	}
}

/* The guest segment registers, in VMCS encoding order. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, NR_SEGS };

struct ec_segment {
	u64 sel, base, limit, ar;
	u32 sel_field, base_field, limit_field, ar_field;
	bool usable;
};

static void read_segment(struct ec_run *r, int seg, struct ec_segment *s)
{
	/* Selector, limit, AR and base encodings advance by 2 per register. */
	s->sel_field = VMCS_GUEST_ES_SELECTOR + 2 * seg;
	s->base_field = VMCS_GUEST_ES_BASE + 2 * seg;
	s->limit_field = VMCS_GUEST_ES_LIMIT + 2 * seg;
	s->ar_field = VMCS_GUEST_ES_AR_BYTES + 2 * seg;
	s->sel = rd(r, s->sel_field);
	s->base = rd(r, s->base_field);
	s->limit = rd(r, s->limit_field);
	s->ar = rd(r, s->ar_field);
	s->usable = !(s->ar & VMX_SEG_AR_UNUSABLE);
}

/* The limit/G rule and the reserved access-rights bits, shared by all. */
static void check_segment_limit_reserved(struct ec_run *r, const struct ec_segment *s)
{
	if (!entry_check_seg_limit_ok(s->limit, s->ar & VMX_SEG_AR_G))
		fail(r, CHK_SEG_G_LIMIT, s->limit_field, s->limit);
	check_fixed(r, CHK_SEG_AR_RESERVED, s->ar_field, s->ar, 0, EC_AR_ALLOWED1);
}

/* Virtual-8086 mode: base = selector * 16, limit 0xffff, AR 0xf3. */
static void check_v86_segment(struct ec_run *r, const struct ec_segment *s)
{
	if (s->base != s->sel << 4)
		fail(r, CHK_V86_BASE, s->base_field, s->base);
	if (s->limit != 0xffff)
		fail(r, CHK_V86_LIMIT, s->limit_field, s->limit);
	if (s->ar != EC_AR_V86)
		fail_bits(r, CHK_V86_AR, s->ar_field, s->ar, EC_AR_V86, EC_AR_V86);
}

/* CS outside virtual-8086 mode: type, S, DPL vs SS, P, D/B, limit, reserved. */
static void check_cs(struct ec_run *r, const struct ec_segment *cs,
		     const struct ec_segment *ss, bool ug, bool ia32e)
{
	u32 type = EC_AR_TYPE(cs->ar);
	u32 dpl = EC_AR_DPL(cs->ar);

	if (!(type == 9 || type == 11 || type == 13 || type == 15 || (ug && type == 3)))
		fail(r, CHK_CS_TYPE, cs->ar_field, cs->ar);
	if (!(cs->ar & VMX_SEG_AR_S))
		fail(r, CHK_SEG_S, cs->ar_field, cs->ar);
	if (type == 3 && dpl != 0)
		fail(r, CHK_CS_DPL_DATA, cs->ar_field, cs->ar);
	if ((type == 9 || type == 11) && dpl != EC_AR_DPL(ss->ar))
		fail(r, CHK_CS_DPL_NONCONFORMING, cs->ar_field, cs->ar);
	if ((type == 13 || type == 15) && dpl > EC_AR_DPL(ss->ar))
		fail(r, CHK_CS_DPL_CONFORMING, cs->ar_field, cs->ar);
	if (!(cs->ar & VMX_SEG_AR_P))
		fail(r, CHK_SEG_P, cs->ar_field, cs->ar);
	if (ia32e && (cs->ar & VMX_SEG_AR_L) && (cs->ar & VMX_SEG_AR_DB))
		fail(r, CHK_CS_DB_WITH_L, cs->ar_field, cs->ar);
	check_segment_limit_reserved(r, cs);
}

/* SS outside virtual-8086 mode. */
static void check_ss(struct ec_run *r, const struct ec_segment *ss,
		     const struct ec_segment *cs, bool ug, bool pe)
{
	u32 dpl = EC_AR_DPL(ss->ar);

	/* SS.DPL is the CPL: checked even when SS is unusable. */
	if (!ug && dpl != EC_SEL_RPL(ss->sel))
		fail(r, CHK_SS_DPL_RPL, ss->ar_field, ss->ar);
	if ((EC_AR_TYPE(cs->ar) == 3 || !pe) && dpl != 0)
		fail(r, CHK_SS_DPL_ZERO, ss->ar_field, ss->ar);
	if (!ss->usable)
		return;
	if (EC_AR_TYPE(ss->ar) != 3 && EC_AR_TYPE(ss->ar) != 7)
		fail(r, CHK_SS_TYPE, ss->ar_field, ss->ar);
	if (!(ss->ar & VMX_SEG_AR_S))
		fail(r, CHK_SEG_S, ss->ar_field, ss->ar);
	if (!(ss->ar & VMX_SEG_AR_P))
		fail(r, CHK_SEG_P, ss->ar_field, ss->ar);
	check_segment_limit_reserved(r, ss);
}

/* DS, ES, FS, GS outside virtual-8086 mode: checked only when usable. */
static void check_data_segment(struct ec_run *r, const struct ec_segment *s, bool ug)
{
	u32 type = EC_AR_TYPE(s->ar);

	if (!s->usable)
		return;
	/* Accessed; and a code segment must be readable. */
	if (!(type & 1) || ((type & 8) && !(type & 2)))
		fail(r, CHK_DATA_TYPE, s->ar_field, s->ar);
	if (!(s->ar & VMX_SEG_AR_S))
		fail(r, CHK_SEG_S, s->ar_field, s->ar);
	if (!ug && type <= 11 && EC_AR_DPL(s->ar) < EC_SEL_RPL(s->sel))
		fail(r, CHK_DATA_DPL_RPL, s->ar_field, s->ar);
	if (!(s->ar & VMX_SEG_AR_P))
		fail(r, CHK_SEG_P, s->ar_field, s->ar);
	check_segment_limit_reserved(r, s);
}

static void check_tr(struct ec_run *r, const struct ec_segment *tr, bool ia32e)
{
	u32 type = EC_AR_TYPE(tr->ar);

	if (!(type == 11 || (!ia32e && type == 3)))
		fail(r, CHK_TR_TYPE, tr->ar_field, tr->ar);
	if (tr->ar & VMX_SEG_AR_S)
		fail(r, CHK_TR_S, tr->ar_field, tr->ar);
	if (!(tr->ar & VMX_SEG_AR_P))
		fail(r, CHK_SEG_P, tr->ar_field, tr->ar);
	if (!tr->usable)
		fail(r, CHK_TR_UNUSABLE, tr->ar_field, tr->ar);
	check_segment_limit_reserved(r, tr);
}

static void check_ldtr(struct ec_run *r, const struct ec_segment *ldtr)
{
	if (!ldtr->usable)
		return;
	if (EC_AR_TYPE(ldtr->ar) != 2)
		fail(r, CHK_LDTR_TYPE, ldtr->ar_field, ldtr->ar);
	if (ldtr->ar & VMX_SEG_AR_S)
		fail(r, CHK_LDTR_S, ldtr->ar_field, ldtr->ar);
	if (!(ldtr->ar & VMX_SEG_AR_P))
		fail(r, CHK_SEG_P, ldtr->ar_field, ldtr->ar);
	check_segment_limit_reserved(r, ldtr);
}

/* SDM Vol. 3C, "Checks on Guest Segment Registers". */
static void check_guest_segments(struct ec_run *r)
{
	struct ec_segment s[NR_SEGS];
	bool ug = secondary_on(r, VMX_PROC2CTL_UNRESTRICTED_GUEST);
	bool ia32e = r->entry & VMX_ENTRYCTL_IA32E_GUEST;
	bool pe = rd(r, VMCS_GUEST_CR0) & VMX_CR0_PE;
	bool v86 = rd(r, VMCS_GUEST_RFLAGS) & EC_RFLAGS_VM;
	int i;

	for (i = 0; i < NR_SEGS; i++)
		read_segment(r, i, &s[i]);

	/* Selectors. */
	if (s[SEG_TR].sel & EC_SEL_TI)
		fail(r, CHK_TR_SEL_TI, s[SEG_TR].sel_field, s[SEG_TR].sel);
	if (s[SEG_LDTR].usable && (s[SEG_LDTR].sel & EC_SEL_TI))
		fail(r, CHK_LDTR_SEL_TI, s[SEG_LDTR].sel_field, s[SEG_LDTR].sel);
	if (!v86 && !ug && EC_SEL_RPL(s[SEG_SS].sel) != EC_SEL_RPL(s[SEG_CS].sel))
		fail(r, CHK_SS_SEL_RPL, s[SEG_SS].sel_field, s[SEG_SS].sel);

	/* Bases (the virtual-8086 rule is with the other v86 rules below). */
	for (i = 0; i < NR_SEGS; i++) {
		const struct ec_segment *seg = &s[i];

		switch (i) {
		case SEG_TR: case SEG_FS: case SEG_GS:
			if (!canonical(r, seg->base))
				fail(r, CHK_SEG_BASE_CANONICAL, seg->base_field, seg->base);
			break;
		case SEG_LDTR:
			if (seg->usable && !canonical(r, seg->base))
				fail(r, CHK_SEG_BASE_CANONICAL, seg->base_field, seg->base);
			break;
		case SEG_CS:
			if (seg->base >> 32)
				fail(r, CHK_SEG_BASE_HIGH, seg->base_field, seg->base);
			break;
		default:	/* SS, DS, ES */
			if (seg->usable && (seg->base >> 32))
				fail(r, CHK_SEG_BASE_HIGH, seg->base_field, seg->base);
			break;
		}
	}

	/* Limits and access rights of CS, SS, DS, ES, FS, GS. */
	if (v86) {
		static const int v86_segs[] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };

		for (i = 0; i < (int)ARRAY_SIZE(v86_segs); i++)
			check_v86_segment(r, &s[v86_segs[i]]);
	} else {
		check_cs(r, &s[SEG_CS], &s[SEG_SS], ug, ia32e);
		check_ss(r, &s[SEG_SS], &s[SEG_CS], ug, pe);
		check_data_segment(r, &s[SEG_DS], ug);
		check_data_segment(r, &s[SEG_ES], ug);
		check_data_segment(r, &s[SEG_FS], ug);
		check_data_segment(r, &s[SEG_GS], ug);
	}
	check_tr(r, &s[SEG_TR], ia32e);
	check_ldtr(r, &s[SEG_LDTR]);
}

/* SDM Vol. 3C, "Checks on Guest Descriptor-Table Registers". */
static void check_guest_descriptor_tables(struct ec_run *r)
{
	static const u32 bases[] = { VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE };
	static const u32 limits[] = { VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		u64 base = rd(r, bases[i]);
		u64 limit = rd(r, limits[i]);

		if (!canonical(r, base))
			fail(r, CHK_DTR_BASE_CANONICAL, bases[i], base);
		check_fixed(r, CHK_DTR_LIMIT, limits[i], limit, 0, 0xffff);
	}
}

static bool injecting(struct ec_run *r, u32 type)
{
	u64 info = rd(r, VMCS_VM_ENTRY_INTR_INFO);

	return (info & EC_INTR_VALID) && EC_INTR_TYPE(info) == type;
}

/* SDM Vol. 3C, "Checks on Guest RIP, RFLAGS, and SSP". */
static void check_guest_rip_rflags(struct ec_run *r)
{
	bool ia32e = r->entry & VMX_ENTRYCTL_IA32E_GUEST;
	bool cs_l = rd(r, VMCS_GUEST_CS_AR_BYTES) & VMX_SEG_AR_L;
	bool pe = rd(r, VMCS_GUEST_CR0) & VMX_CR0_PE;
	u64 rip = rd(r, VMCS_GUEST_RIP);
	u64 rflags = rd(r, VMCS_GUEST_RFLAGS);

	if (!(ia32e && cs_l)) {
		if (rip >> 32)
			fail(r, CHK_RIP_HIGH, VMCS_GUEST_RIP, rip);
	} else if (!canonical(r, rip)) {
		fail(r, CHK_RIP_CANONICAL, VMCS_GUEST_RIP, rip);
	}

	check_fixed(r, CHK_RFLAGS_RESERVED, VMCS_GUEST_RFLAGS, rflags,
		    EC_RFLAGS_FIXED1, EC_RFLAGS_ALLOWED1);
	if ((rflags & EC_RFLAGS_VM) && (ia32e || !pe))
		fail(r, CHK_RFLAGS_VM, VMCS_GUEST_RFLAGS, rflags);
	if (injecting(r, EC_INTR_EXT_INTR) && !(rflags & EC_RFLAGS_IF))
		fail(r, CHK_RFLAGS_IF, VMCS_GUEST_RFLAGS, rflags);
}

/* May an event of @type and @vector be injected into activity state @state? */
static bool injection_allowed(u64 state, u32 type, u32 vector)
{
	switch (state) {
	case VMX_ACTIVITY_ACTIVE:
		return true;
	case VMX_ACTIVITY_HLT:
		return type == EC_INTR_EXT_INTR || type == EC_INTR_NMI ||
		       (type == EC_INTR_HW_EXCEPTION &&
			(vector == EC_VECTOR_DB || vector == EC_VECTOR_MC)) ||
		       (type == EC_INTR_OTHER_EVENT && vector == 0);
	case VMX_ACTIVITY_SHUTDOWN:
		return type == EC_INTR_NMI ||
		       (type == EC_INTR_HW_EXCEPTION && vector == EC_VECTOR_MC);
	default:	/* wait-for-SIPI: nothing */
		return false;
	}
}

static void check_activity_state(struct ec_run *r, u64 intr_state)
{
	u64 state = rd(r, VMCS_GUEST_ACTIVITY_STATE);
	u64 misc = cap(r, VMXLAB_CAP_MISC);
	u64 info = rd(r, VMCS_VM_ENTRY_INTR_INFO);
	bool supported;

	switch (state) {
	case VMX_ACTIVITY_ACTIVE:
		supported = true;
		break;
	case VMX_ACTIVITY_HLT:
		supported = misc & VMX_MISC_HLT_STATE;
		break;
	case VMX_ACTIVITY_SHUTDOWN:
		supported = misc & VMX_MISC_SHUTDOWN_STATE;
		break;
	case VMX_ACTIVITY_WAIT_SIPI:
		supported = misc & VMX_MISC_WAIT_SIPI_STATE;
		break;
	default:
		supported = false;
		break;
	}
	if (!supported)
		fail(r, CHK_ACTIVITY_VALUE, VMCS_GUEST_ACTIVITY_STATE, state);
	if (state == VMX_ACTIVITY_HLT && EC_AR_DPL(rd(r, VMCS_GUEST_SS_AR_BYTES)) != 0)
		fail(r, CHK_ACTIVITY_HLT_DPL, VMCS_GUEST_ACTIVITY_STATE, state);
	if (state != VMX_ACTIVITY_ACTIVE && (intr_state & (EC_BLOCK_STI | EC_BLOCK_MOVSS)))
		fail(r, CHK_ACTIVITY_BLOCKING, VMCS_GUEST_ACTIVITY_STATE, state);
	if ((info & EC_INTR_VALID) &&
	    !injection_allowed(state, EC_INTR_TYPE(info), EC_INTR_VECTOR(info)))
		fail(r, CHK_ACTIVITY_INJECTION, VMCS_GUEST_ACTIVITY_STATE, state);
	if (state == VMX_ACTIVITY_WAIT_SIPI && (r->entry & VMX_ENTRYCTL_ENTRY_TO_SMM))
		fail(r, CHK_ACTIVITY_SIPI_SMM, VMCS_GUEST_ACTIVITY_STATE, state);
}

static void check_interruptibility(struct ec_run *r, u64 intr_state)
{
	const u32 field = VMCS_GUEST_INTERRUPTIBILITY_INFO;
	u64 rflags = rd(r, VMCS_GUEST_RFLAGS);
	bool ext_intr = injecting(r, EC_INTR_EXT_INTR);
	bool nmi = injecting(r, EC_INTR_NMI);

	check_fixed(r, CHK_INTR_RESERVED, field, intr_state, 0, EC_INTR_STATE_ALLOWED1);
	if ((intr_state & EC_BLOCK_STI) && (intr_state & EC_BLOCK_MOVSS))
		fail(r, CHK_INTR_STI_AND_MOVSS, field, intr_state);
	if ((intr_state & EC_BLOCK_STI) && !(rflags & EC_RFLAGS_IF))
		fail(r, CHK_INTR_STI_WITHOUT_IF, field, intr_state);
	if (ext_intr && (intr_state & (EC_BLOCK_STI | EC_BLOCK_MOVSS)))
		fail(r, CHK_INTR_EXT_INTR_BLOCKED, field, intr_state);
	if (nmi && (intr_state & EC_BLOCK_MOVSS))
		fail(r, CHK_INTR_NMI_MOVSS, field, intr_state);
	/* vmxlab never enters from SMM. */
	if (intr_state & EC_BLOCK_SMI)
		fail(r, CHK_INTR_SMI, field, intr_state);
	if ((r->pin & VMX_PINCTL_VIRTUAL_NMIS) && nmi && (intr_state & EC_BLOCK_NMI))
		fail(r, CHK_INTR_VNMI_NMI, field, intr_state);
	if ((intr_state & EC_ENCLAVE_INTR) && (intr_state & EC_BLOCK_MOVSS))
		fail(r, CHK_INTR_ENCLAVE_MOVSS, field, intr_state);
}

static void check_pending_debug(struct ec_run *r, u64 intr_state)
{
	const u32 field = VMCS_GUEST_PENDING_DBG_EXCEPTIONS;
	u64 pending = rd(r, field);
	u64 rflags = rd(r, VMCS_GUEST_RFLAGS);
	bool hlt = rd(r, VMCS_GUEST_ACTIVITY_STATE) == VMX_ACTIVITY_HLT;

	check_fixed(r, CHK_PENDING_DBG_RESERVED, field, pending, 0, EC_PENDING_DBG_ALLOWED1);
	if ((intr_state & (EC_BLOCK_STI | EC_BLOCK_MOVSS)) || hlt) {
		bool btf = rd(r, VMCS_GUEST_IA32_DEBUGCTL) & EC_DEBUGCTL_BTF;
		bool want_bs = (rflags & EC_RFLAGS_TF) && !btf;

		if (!!(pending & EC_PENDING_DBG_BS) != want_bs)
			fail(r, CHK_PENDING_DBG_BS, field, pending);
	}
}

static void check_vmcs_link(struct ec_run *r)
{
	u64 link = rd(r, VMCS_VMCS_LINK_POINTER);

	if (link == ~0ULL)
		return;
	if ((link & 0xfff) || !phys_ok(r, link))
		fail(r, CHK_VMCS_LINK_ADDR, VMCS_VMCS_LINK_POINTER, link);
	if (!secondary_on(r, VMX_PROC2CTL_VMCS_SHADOWING))
		fail(r, CHK_VMCS_LINK_NOT_ONES, VMCS_VMCS_LINK_POINTER, link);
}

/* SDM Vol. 3C, "Checks on Guest Non-Register State". */
static void check_guest_non_register(struct ec_run *r)
{
	u64 intr_state = rd(r, VMCS_GUEST_INTERRUPTIBILITY_INFO);

	check_activity_state(r, intr_state);
	check_interruptibility(r, intr_state);
	check_pending_debug(r, intr_state);
	check_vmcs_link(r);
}

/* SDM Vol. 3C, "Checks on Guest Page-Directory-Pointer-Table Entries". */
static void check_guest_pdptes(struct ec_run *r)
{
	static const u32 pdptes[] = {
		VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3,
	};
	u64 cr0 = rd(r, VMCS_GUEST_CR0);
	u64 cr4 = rd(r, VMCS_GUEST_CR4);
	u64 reserved = EC_PDPTE_RESERVED_LOW | (~0ULL << r->maxphyaddr);
	unsigned int i;

	/* Only PAE paging with EPT loads the PDPTEs from these fields. */
	if (!secondary_on(r, VMX_PROC2CTL_ENABLE_EPT) || !(cr0 & VMX_CR0_PG) ||
	    !(cr4 & EC_CR4_PAE) || (r->entry & VMX_ENTRYCTL_IA32E_GUEST))
		return;
	for (i = 0; i < ARRAY_SIZE(pdptes); i++) {
		u64 pdpte = rd(r, pdptes[i]);

		if ((pdpte & EC_PDPTE_P) && (pdpte & reserved))
			fail_bits(r, CHK_PDPTE_RESERVED, pdptes[i], pdpte, 0, ~reserved);
	}
}

int entry_checks_run(const struct entry_check_cpu *cpu, vmcs_read_fn read,
		     void *ctx, struct entry_check_failure *out, int max)
{
	struct ec_run r = {
		.caps = cpu->caps,
		.maxphyaddr = cpu_maxphyaddr(cpu),
		.linear_bits = cpu_linear_bits(cpu),
		.read = read,
		.ctx = ctx,
		.out = out,
		.max = out ? max : 0,
	};

	r.pin = rd(&r, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	r.proc = rd(&r, VMCS_CPU_BASED_VM_EXEC_CONTROL);
	/* "Activate secondary controls" 0: they act as all 0. */
	if (r.proc & VMX_PROCCTL_SECONDARY_CTLS)
		r.proc2 = rd(&r, VMCS_SECONDARY_VM_EXEC_CONTROL);
	r.exit = rd(&r, VMCS_VM_EXIT_CONTROLS);
	r.entry = rd(&r, VMCS_VM_ENTRY_CONTROLS);

	/* "Checks on VMX Controls and Host-State Area" */
	check_exec_controls(&r);
	check_exit_controls(&r);
	check_entry_controls(&r);
	check_host_control_regs(&r);
	check_host_segments(&r);
	check_address_space_size(&r);
	/* "Checks on the Guest State Area" */
	check_guest_control_regs(&r);
	check_guest_segments(&r);
	check_guest_descriptor_tables(&r);
	check_guest_rip_rflags(&r);
	check_guest_non_register(&r);
	check_guest_pdptes(&r);
	return r.count;
}
