// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of exits/decode.c: exit-reason names and bits, the
 * exit-qualification and interruption-information decoders, and the
 * one-line descriptions a user reads in dmesg and in the tool.
 *
 * Every raw value is assembled by hand from the SDM's bit layouts (Vol.
 * 3C, "Information for VM Exits"; Vol. 3D, Table C-1); the comment next
 * to it says which bits make it up.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include <vmxlab/exits.h>

#include "unit.h"

/* The basic reasons Table C-1 leaves undefined below VMX_EXIT_REASON_MAX. */
static bool reason_is_gap(u32 r)
{
	return r == 35 || r == 38 || r == 42 || r == 71;
}

static void check_describe(u32 reason, u64 qual, const char *want)
{
	char buf[256];
	int n = vmx_exit_describe(buf, sizeof(buf), reason, qual);

	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, (int)strlen(want));
}

/* ------------------------------------------------------------------ */

/* If it failed, a VM exit would be logged under another exit's name, or with none, and the handler table would be indexed wrongly. */
START_TEST(reason_names_match_sdm)
{
	static const struct {
		u32 reason;
		const char *name;
	} sdm[] = {
		{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" },
		{ 2, "TRIPLE_FAULT" }, { 7, "INTERRUPT_WINDOW" },
		{ 10, "CPUID" }, { 12, "HLT" }, { 18, "VMCALL" },
		{ 28, "CR_ACCESS" }, { 29, "DR_ACCESS" },
		{ 30, "IO_INSTRUCTION" }, { 31, "RDMSR" }, { 32, "WRMSR" },
		{ 33, "ENTRY_FAIL_GUEST_STATE" }, { 34, "ENTRY_FAIL_MSR_LOADING" },
		{ 36, "MWAIT" }, { 37, "MONITOR_TRAP_FLAG" }, { 39, "MONITOR" },
		{ 41, "ENTRY_FAIL_MACHINE_CHECK" }, { 43, "TPR_BELOW_THRESHOLD" },
		{ 48, "EPT_VIOLATION" }, { 49, "EPT_MISCONFIG" },
		{ 52, "PREEMPTION_TIMER" }, { 55, "XSETBV" }, { 62, "PML_FULL" },
		{ 64, "XRSTORS" }, { 65, "PCONFIG" }, { 70, "ENCLV" },
		{ 72, "ENQCMD_PASID" }, { 74, "BUS_LOCK" },
		{ 75, "INSTRUCTION_TIMEOUT" }, { 77, "TDCALL" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sdm); i++) {
		const char *name = vmx_exit_reason_name(sdm[i].reason);

		ck_assert_msg(name && !strcmp(name, sdm[i].name),
			      "reason %u: got %s, SDM says %s", sdm[i].reason,
			      name ? name : "(null)", sdm[i].name);
	}
	ck_assert_uint_eq(VMX_EXIT_IO_INSTRUCTION, 30);
	ck_assert_uint_eq(VMX_EXIT_EPT_VIOLATION, 48);
	ck_assert_uint_eq(VMX_EXIT_REASON_MAX, 77);
}
END_TEST

/* If it failed, two different exits would print the same name (or an empty one) and a user could not tell them apart in a log. */
START_TEST(reason_names_complete_unique)
{
	u32 r, s;

	for (r = 0; r <= VMX_EXIT_REASON_MAX; r++) {
		const char *name = vmx_exit_reason_name(r);
		const char *c;

		if (reason_is_gap(r))
			continue;
		ck_assert_msg(name && name[0], "defined reason %u has no name", r);
		for (c = name; *c; c++)
			ck_assert_msg(isupper((unsigned char)*c) || isdigit((unsigned char)*c) ||
				      *c == '_', "reason %u: odd character in \"%s\"", r, name);
		for (s = 0; s < r; s++) {
			const char *other = vmx_exit_reason_name(s);

			ck_assert_msg(!other || strcmp(name, other),
				      "reasons %u and %u share the name %s", s, r, name);
		}
	}
}
END_TEST

/* If it failed, an exit number the SDM does not define (or a corrupted exit reason) would be shown with an invented name, or read past the table. */
START_TEST(reason_undefined_is_null)
{
	static const u32 undefined[] = { 35, 38, 42, 71, 78, 100, 0xffff, 0x10000, UINT32_MAX };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(undefined); i++)
		ck_assert_msg(!vmx_exit_reason_name(undefined[i]),
			      "undefined reason %u has a name", undefined[i]);
}
END_TEST

/* If it failed, a failed VM entry would be handled as a real guest exit (the handler table indexed with bit 31 set), or a real exit taken for a failed entry. */
START_TEST(reason_entry_failure_bit)
{
	/* Bit 31 set, basic reason 33: entry failed on invalid guest state. */
	ck_assert(vmx_exit_is_entry_failure(0x80000021));
	ck_assert_uint_eq(vmx_exit_basic_reason(0x80000021), VMX_EXIT_ENTRY_FAIL_GUEST_STATE);
	/* Bit 31 set, basic reason 34: MSR loading. */
	ck_assert(vmx_exit_is_entry_failure(0x80000022));
	ck_assert_uint_eq(vmx_exit_basic_reason(0x80000022), VMX_EXIT_ENTRY_FAIL_MSR_LOADING);
	/* A plain HLT exit. */
	ck_assert(!vmx_exit_is_entry_failure(VMX_EXIT_HLT));
	ck_assert_uint_eq(vmx_exit_basic_reason(VMX_EXIT_HLT), VMX_EXIT_HLT);
}
END_TEST

/* If it failed, an SMM or enclave exit would be treated as its plain basic reason, or a plain exit would claim to come from an enclave or from SMM. */
START_TEST(reason_flag_bits)
{
	/* Bit 27 with basic reason 1: an interrupt arrived in enclave mode. */
	u32 enclave = 0x08000001;
	/* Bits 28 and 29 with basic reason 6: SMM VM exit from VMX root, MTF pending. */
	u32 smm = 0x30000006;
	/* Bit 26 with basic reason 30: an I/O exit that also saw a bus lock. */
	u32 buslock = 0x0400001e;

	ck_assert(vmx_exit_from_enclave(enclave));
	ck_assert(!vmx_exit_pending_mtf(enclave));
	ck_assert(!vmx_exit_from_vmx_root(enclave));
	ck_assert_uint_eq(vmx_exit_basic_reason(enclave), VMX_EXIT_EXTERNAL_INTERRUPT);

	ck_assert(vmx_exit_pending_mtf(smm));
	ck_assert(vmx_exit_from_vmx_root(smm));
	ck_assert(!vmx_exit_from_enclave(smm));
	ck_assert(!vmx_exit_is_entry_failure(smm));
	ck_assert_uint_eq(vmx_exit_basic_reason(smm), VMX_EXIT_OTHER_SMI);

	ck_assert(vmx_exit_bus_lock_detected(buslock));
	ck_assert(!vmx_exit_bus_lock_detected(VMX_EXIT_IO_INSTRUCTION));
	ck_assert_uint_eq(vmx_exit_basic_reason(buslock), VMX_EXIT_IO_INSTRUCTION);

	/* No flag is set by a basic reason alone, whatever its value. */
	ck_assert(!vmx_exit_from_enclave(0xffff));
	ck_assert(!vmx_exit_pending_mtf(0xffff));
	ck_assert(!vmx_exit_from_vmx_root(0xffff));
	ck_assert(!vmx_exit_is_entry_failure(0xffff));
}
END_TEST

/* ------------------------------------------------------------------ */

/* If it failed, the serial-port emulation would see a guest write to COM1 as a read (or from the wrong port) and the guest's console output would be lost. */
START_TEST(io_out_dx_al_com1)
{
	struct vmx_io_qual io;

	/*
	 * out dx, al with DX = 0x3f8: size 1 -> 2:0 = 0; OUT -> bit 3 = 0;
	 * not string, no REP, port from DX -> bits 4, 5, 6 = 0; port in
	 * 31:16 -> 0x03f80000.  (Bit 3 set, 0x03f80008, would be IN.)
	 */
	ck_assert_int_eq(vmx_decode_io_qual(0x03f80000, &io), 0);
	ck_assert_uint_eq(io.port, 0x3f8);
	ck_assert_uint_eq(io.size, 1);
	ck_assert(!io.in);
	ck_assert(!io.string);
	ck_assert(!io.rep);
	ck_assert(!io.imm_port);
}
END_TEST

/* If it failed, a guest reading a port would get a value of the wrong width or from the wrong port, e.g. a broken CMOS/RTC read. */
START_TEST(io_in_eax_immediate)
{
	struct vmx_io_qual io;

	/* in eax, 0x71: size 4 -> 2:0 = 3; IN -> bit 3; immediate -> bit 6: 0x4b; port 0x71. */
	ck_assert_int_eq(vmx_decode_io_qual(0x0071004b, &io), 0);
	ck_assert_uint_eq(io.port, 0x71);
	ck_assert_uint_eq(io.size, 4);
	ck_assert(io.in);
	ck_assert(io.imm_port);
	ck_assert(!io.string);
	ck_assert(!io.rep);

	/* in al, dx with DX = 0x3f8: bit 3 only. */
	ck_assert_int_eq(vmx_decode_io_qual(0x03f80008, &io), 0);
	ck_assert(io.in);
	ck_assert_uint_eq(io.size, 1);
	ck_assert_uint_eq(io.port, 0x3f8);
}
END_TEST

/* If it failed, a guest's rep outsw to the disk controller would be emulated as a single word, or as a non-string OUT, corrupting the transfer. */
START_TEST(io_rep_outsw_string)
{
	struct vmx_io_qual io;

	/* rep outsw, DX = 0x1f0: size 2 -> 2:0 = 1; string bit 4; REP bit 5: 0x31. */
	ck_assert_int_eq(vmx_decode_io_qual(0x01f00031, &io), 0);
	ck_assert_uint_eq(io.port, 0x1f0);
	ck_assert_uint_eq(io.size, 2);
	ck_assert(!io.in);
	ck_assert(io.string);
	ck_assert(io.rep);
	ck_assert(!io.imm_port);
}
END_TEST

/* If it failed, a size encoding the SDM does not use would be emulated as some access size instead of being reported. */
START_TEST(io_unused_size_rejected)
{
	struct vmx_io_qual io;
	u64 enc;

	for (enc = 0; enc < 8; enc++) {
		int ret = vmx_decode_io_qual(0x00800000 | enc, &io);

		if (enc == 0 || enc == 1 || enc == 3) {
			ck_assert_int_eq(ret, 0);
			ck_assert_uint_eq(io.size, enc + 1);
		} else {
			ck_assert_msg(ret == -EINVAL, "size encoding %u accepted",
				      (unsigned int)enc);
			ck_assert_uint_eq(io.size, 0);
		}
		ck_assert_uint_eq(io.port, 0x80);
	}
}
END_TEST

/* ------------------------------------------------------------------ */

/* If it failed, a guest loading CR3 or reading CR8 would have the wrong register used or the wrong CR updated, and the guest would crash. */
START_TEST(cr_mov_to_and_from)
{
	struct vmx_cr_qual cr;

	/* mov cr3, rax: CR 3 in 3:0, type 0 (MOV to CR), GPR 0 in 11:8 -> 0x3. */
	vmx_decode_cr_qual(0x3, &cr);
	ck_assert_uint_eq(cr.cr, 3);
	ck_assert_uint_eq(cr.type, VMX_CR_MOV_TO);
	ck_assert_uint_eq(cr.gpr, 0);

	/* mov rcx, cr8: CR 8, type 1 (MOV from CR) in 5:4 -> 0x10, GPR 1 -> 0x100: 0x118. */
	vmx_decode_cr_qual(0x118, &cr);
	ck_assert_uint_eq(cr.cr, 8);
	ck_assert_uint_eq(cr.type, VMX_CR_MOV_FROM);
	ck_assert_uint_eq(cr.gpr, 1);

	/* mov cr4, r15: CR 4, type 0, GPR 15 -> 0xf00: 0xf04. */
	vmx_decode_cr_qual(0xf04, &cr);
	ck_assert_uint_eq(cr.cr, 4);
	ck_assert_uint_eq(cr.type, VMX_CR_MOV_TO);
	ck_assert_uint_eq(cr.gpr, 15);
	ck_assert_str_eq(vmx_gpr_name(cr.gpr), "r15");
}
END_TEST

/* If it failed, CLTS or LMSW would be emulated as a MOV, or LMSW would load the wrong machine-status word into CR0. */
START_TEST(cr_clts_and_lmsw)
{
	struct vmx_cr_qual cr;

	/* clts: type 2 in 5:4 -> 0x20; everything else 0. */
	vmx_decode_cr_qual(0x20, &cr);
	ck_assert_uint_eq(cr.type, VMX_CR_CLTS);
	ck_assert_uint_eq(cr.cr, 0);

	/* lmsw ax with AX = 0x0001 (set PE): type 3 -> 0x30, register -> bit 6 = 0, data in 31:16. */
	vmx_decode_cr_qual(0x00010030, &cr);
	ck_assert_uint_eq(cr.type, VMX_CR_LMSW);
	ck_assert(!cr.lmsw_memory);
	ck_assert_uint_eq(cr.lmsw_data, 0x0001);

	/* lmsw [mem] with the word 0x000f: as above plus bit 6 -> 0x000f0070. */
	vmx_decode_cr_qual(0x000f0070, &cr);
	ck_assert_uint_eq(cr.type, VMX_CR_LMSW);
	ck_assert(cr.lmsw_memory);
	ck_assert_uint_eq(cr.lmsw_data, 0x000f);
}
END_TEST

/* If it failed, a guest debugger's MOV to or from a debug register would touch the wrong DR or the wrong general-purpose register. */
START_TEST(dr_mov_decode)
{
	struct vmx_dr_qual dr;

	/* mov dr7, rax: DR 7 in 2:0, direction 0 (to DR), GPR 0 -> 0x7. */
	vmx_decode_dr_qual(0x7, &dr);
	ck_assert_uint_eq(dr.dr, 7);
	ck_assert(!dr.from_dr);
	ck_assert_uint_eq(dr.gpr, 0);

	/* mov rbx, dr6: DR 6, bit 4 (from DR), GPR 3 -> 0x300: 0x316. */
	vmx_decode_dr_qual(0x316, &dr);
	ck_assert_uint_eq(dr.dr, 6);
	ck_assert(dr.from_dr);
	ck_assert_uint_eq(dr.gpr, 3);
}
END_TEST

/* If it failed, a register number from the SDM would be shown as another register (or crash on 16 and up), misleading whoever debugs a MOV CR/DR exit. */
START_TEST(gpr_names)
{
	ck_assert_str_eq(vmx_gpr_name(0), "rax");
	ck_assert_str_eq(vmx_gpr_name(1), "rcx");
	ck_assert_str_eq(vmx_gpr_name(2), "rdx");
	ck_assert_str_eq(vmx_gpr_name(3), "rbx");
	ck_assert_str_eq(vmx_gpr_name(4), "rsp");
	ck_assert_str_eq(vmx_gpr_name(7), "rdi");
	ck_assert_str_eq(vmx_gpr_name(8), "r8");
	ck_assert_ptr_null(vmx_gpr_name(16));
}
END_TEST

/* ------------------------------------------------------------------ */

/* If it failed, a guest write to a read-only page (e.g. for dirty tracking) would be mistaken for a read or a missing page and mishandled. */
START_TEST(ept_write_to_readonly)
{
	struct vmx_ept_qual e;

	/*
	 * Data write (bit 1) to a page EPT maps read+execute (bits 3, 5),
	 * linear address valid (bit 7) and this is the access to its
	 * translation (bit 8): 0x2 | 0x8 | 0x20 | 0x80 | 0x100 = 0x1aa.
	 */
	vmx_decode_ept_qual(0x1aa, &e);
	ck_assert(e.write);
	ck_assert(!e.read);
	ck_assert(!e.fetch);
	ck_assert(e.readable);
	ck_assert(!e.writable);
	ck_assert(e.executable);
	ck_assert(!e.user_executable);
	ck_assert(e.gla_valid);
	ck_assert(e.gla_translation);
	ck_assert(!e.nmi_unblocking);
}
END_TEST

/* If it failed, a fault while the CPU walks the guest's page tables would be taken for an access to the data page itself, and vmxlab would map the wrong thing. */
START_TEST(ept_guest_page_walk)
{
	struct vmx_ept_qual e;

	/* Page-walk read (bit 0) of a GPA EPT does not map (3-5 clear); GLA valid (7), bit 8 clear: 0x81. */
	vmx_decode_ept_qual(0x81, &e);
	ck_assert(e.read);
	ck_assert(!e.readable && !e.writable && !e.executable);
	ck_assert(e.gla_valid);
	ck_assert(!e.gla_translation);

	/* A PDPTE load by MOV CR3 in PAE mode: no linear address, bit 7 clear. Bit 8 then means nothing. */
	vmx_decode_ept_qual(0x101, &e);
	ck_assert(e.read);
	ck_assert(!e.gla_valid);
	ck_assert(!e.gla_translation);
}
END_TEST

/* If it failed, with mode-based execute control a user-mode fetch would be reported against the supervisor execute bit, or the advanced GLA bits trusted when the CPU left them undefined. */
START_TEST(ept_user_exec_and_advanced_bits)
{
	struct vmx_ept_qual e;

	/* Fetch (2) from a page readable (3) and user-executable only (6), GLA translation (7, 8): 0x1cc. */
	vmx_decode_ept_qual(0x1cc, &e);
	ck_assert(e.fetch);
	ck_assert(e.readable);
	ck_assert(!e.executable);
	ck_assert(e.user_executable);

	/* Write (1), GLA translation (7, 8), user address, R/W page, XD page (9-11): 0xf82. */
	vmx_decode_ept_qual(0xf82, &e);
	ck_assert(e.user_gla);
	ck_assert(e.gla_rw_page);
	ck_assert(e.gla_nx_page);

	/* The same bits 9-11 with bit 8 clear (page-walk access) are undefined: ignored. */
	vmx_decode_ept_qual(0xe82, &e);
	ck_assert(!e.user_gla);
	ck_assert(!e.gla_rw_page);
	ck_assert(!e.gla_nx_page);
}
END_TEST

/* If it failed, vmxlab would not re-block NMIs after an EPT violation during IRET, and a guest could take a nested NMI it never expected. */
START_TEST(ept_nmi_unblocking_and_high_bits)
{
	struct vmx_ept_qual e;

	/* Read (0) of a non-present page during IRET with NMI unblocking (12): 0x1001. */
	vmx_decode_ept_qual(0x1001, &e);
	ck_assert(e.nmi_unblocking);
	ck_assert(!e.shadow_stack);

	/* Bits 13-16 each on their own. */
	vmx_decode_ept_qual(1u << 13, &e);
	ck_assert(e.shadow_stack && !e.supervisor_shadow_stack);
	vmx_decode_ept_qual(1u << 14, &e);
	ck_assert(e.supervisor_shadow_stack && !e.paging_verification);
	vmx_decode_ept_qual(1u << 15, &e);
	ck_assert(e.paging_verification && !e.asynchronous);
	vmx_decode_ept_qual(1u << 16, &e);
	ck_assert(e.asynchronous && !e.nmi_unblocking);
}
END_TEST

/* ------------------------------------------------------------------ */

/* If it failed, a guest page fault would be reflected with the wrong vector, without its error code, or not recognised as valid at all. */
START_TEST(intr_page_fault)
{
	struct vmx_intr_info ii;

	/* #PF: vector 14 (0x0e), type 3 hardware exception (0x300), error code valid (0x800), valid (bit 31). */
	vmx_decode_intr_info(0x80000b0e, &ii);
	ck_assert(ii.valid);
	ck_assert_uint_eq(ii.vector, 14);
	ck_assert_uint_eq(ii.type, VMX_INTR_HW_EXCEPTION);
	ck_assert(ii.error_code_valid);
	ck_assert(!ii.nmi_unblocking);

	/* #GP(0) on IRET that had unblocked NMIs: vector 13, type 3, error code, bit 12. */
	vmx_decode_intr_info(0x80001b0d, &ii);
	ck_assert_uint_eq(ii.vector, 13);
	ck_assert(ii.error_code_valid);
	ck_assert(ii.nmi_unblocking);

	/* Bit 31 clear: nothing was being delivered. */
	vmx_decode_intr_info(0x00000b0e, &ii);
	ck_assert(!ii.valid);
}
END_TEST

/* If it failed, an NMI, an INT3 or an INT n being delivered would be re-injected as the wrong kind of event, which the CPU rejects or delivers differently. */
START_TEST(intr_types)
{
	static const struct {
		u32 info;
		u8 vector;
		enum vmx_intr_type type;
	} cases[] = {
		{ 0x80000020, 0x20, VMX_INTR_EXTERNAL },	/* timer IRQ, vector 0x20 */
		{ 0x80000202, 2, VMX_INTR_NMI },		/* NMI is vector 2, type 2 */
		{ 0x80000480, 0x80, VMX_INTR_SW_INTERRUPT },	/* int 0x80 */
		{ 0x80000501, 1, VMX_INTR_PRIV_SW_EXCEPTION },	/* INT1 (ICEBP) */
		{ 0x80000603, 3, VMX_INTR_SW_EXCEPTION },	/* INT3 */
		{ 0x80000700, 0, VMX_INTR_OTHER_EVENT },	/* MTF */
	};
	struct vmx_intr_info ii;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vmx_decode_intr_info(cases[i].info, &ii);
		ck_assert(ii.valid);
		ck_assert_uint_eq(ii.vector, cases[i].vector);
		ck_assert_uint_eq(ii.type, cases[i].type);
		ck_assert(!ii.error_code_valid);
	}
}
END_TEST

/* If it failed, an event type in a log would be named wrongly, or the unused type 1 given a name as if the CPU could report it. */
START_TEST(intr_type_names)
{
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_EXTERNAL), "external interrupt");
	ck_assert_ptr_null(vmx_intr_type_name(1));
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_NMI), "NMI");
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_HW_EXCEPTION), "hardware exception");
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_SW_INTERRUPT), "software interrupt");
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_PRIV_SW_EXCEPTION),
			 "privileged software exception");
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_SW_EXCEPTION), "software exception");
	ck_assert_str_eq(vmx_intr_type_name(VMX_INTR_OTHER_EVENT), "other event");
	ck_assert_ptr_null(vmx_intr_type_name(8));
}
END_TEST

/* ------------------------------------------------------------------ */

/* If it failed, the log line for a guest's port I/O would name the wrong direction, width or port. */
START_TEST(describe_io)
{
	check_describe(VMX_EXIT_IO_INSTRUCTION, 0x03f80000,
		       "IO_INSTRUCTION: out 1 byte to port 0x3f8");
	check_describe(VMX_EXIT_IO_INSTRUCTION, 0x0071004b,
		       "IO_INSTRUCTION: in 4 bytes from port 0x71 (immediate)");
	check_describe(VMX_EXIT_IO_INSTRUCTION, 0x01f00031,
		       "IO_INSTRUCTION: rep outs 2 bytes to port 0x1f0");
	check_describe(VMX_EXIT_IO_INSTRUCTION, 0x00800002,
		       "IO_INSTRUCTION: size encoding 2 is unused (qualification 0x800002)");
}
END_TEST

/* If it failed, the log line for an EPT violation would not say what the guest tried and what EPT refused, the first thing a user needs to fix a mapping. */
START_TEST(describe_ept)
{
	/* Write (1), readable (3), GLA translation (7, 8). */
	check_describe(VMX_EXIT_EPT_VIOLATION, 0x18a,
		       "EPT_VIOLATION: write at a page that is not writable (GPA in the separate field)");
	check_describe(VMX_EXIT_EPT_VIOLATION, 0x81,
		       "EPT_VIOLATION: read at a page that is not present, while walking the guest's page tables (GPA in the separate field)");
	/* Fetch (2) from a readable+writable page (3, 4), GLA translation. */
	check_describe(VMX_EXIT_EPT_VIOLATION, 0x19c,
		       "EPT_VIOLATION: fetch at a page that is not executable (GPA in the separate field)");
	check_describe(VMX_EXIT_EPT_MISCONFIG, 0,
		       "EPT_MISCONFIG: an EPT entry is misconfigured (GPA in the separate field)");
}
END_TEST

/* If it failed, a failed VM entry would be logged like a guest exit, hiding that the guest never ran and why. */
START_TEST(describe_entry_failure)
{
	check_describe(0x80000021, 0,
		       "VM-entry failure: ENTRY_FAIL_GUEST_STATE (invalid guest state)");
	check_describe(0x80000021, 4,
		       "VM-entry failure: ENTRY_FAIL_GUEST_STATE (invalid guest state; invalid VMCS link pointer)");
	check_describe(0x80000022, 3,
		       "VM-entry failure: ENTRY_FAIL_MSR_LOADING (loading entry 3 of the VM-entry MSR-load list failed)");
	check_describe(0x80000029, 0,
		       "VM-entry failure: ENTRY_FAIL_MACHINE_CHECK (machine-check event during VM entry)");
}
END_TEST

/* If it failed, control-register and debug-register exits would be logged without the instruction, register and CR that a user needs. */
START_TEST(describe_cr_dr_and_plain)
{
	check_describe(VMX_EXIT_CR_ACCESS, 0x3, "CR_ACCESS: mov to cr3 from rax");
	check_describe(VMX_EXIT_CR_ACCESS, 0x118, "CR_ACCESS: mov from cr8 to rcx");
	check_describe(VMX_EXIT_CR_ACCESS, 0x20, "CR_ACCESS: clts");
	check_describe(VMX_EXIT_CR_ACCESS, 0x00010030, "CR_ACCESS: lmsw 0x0001 from a register");
	check_describe(VMX_EXIT_DR_ACCESS, 0x316, "DR_ACCESS: mov from dr6 to rbx");
	check_describe(VMX_EXIT_HLT, 0, "HLT");
	check_describe(VMX_EXIT_INVLPG, 0xffff8000, "INVLPG (qualification 0xffff8000)");
	check_describe(35, 0, "exit reason 35 (not in the SDM's table, qualification 0x0)");
}
END_TEST

/* If it failed, a short buffer would overflow in the kernel log path, or callers could not tell that the line was cut. */
START_TEST(describe_truncates_like_snprintf)
{
	const char *full = "IO_INSTRUCTION: out 1 byte to port 0x3f8";
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(vmx_exit_describe(buf, sizeof(buf), VMX_EXIT_IO_INSTRUCTION, 0x03f80000),
			 (int)strlen(full));
	ck_assert_str_eq(buf, "IO_INST");
	ck_assert_int_eq(vmx_exit_describe(NULL, 0, VMX_EXIT_IO_INSTRUCTION, 0x03f80000),
			 (int)strlen(full));
}
END_TEST

/*
 * If it failed, exit timing would put an exit in the wrong power-of-two
 * bucket (uapi.h: bucket b is 2^b..2^(b+1)-1 cycles) or index past the
 * histogram for a very long exit.
 */
START_TEST(cycles_buckets_are_log2)
{
	ck_assert_uint_eq(vmx_cycles_bucket(0), 0);
	ck_assert_uint_eq(vmx_cycles_bucket(1), 0);
	ck_assert_uint_eq(vmx_cycles_bucket(2), 1);
	ck_assert_uint_eq(vmx_cycles_bucket(3), 1);
	ck_assert_uint_eq(vmx_cycles_bucket(127), 6);
	ck_assert_uint_eq(vmx_cycles_bucket(128), 7);
	ck_assert_uint_eq(vmx_cycles_bucket(1574), 10);
	ck_assert_uint_eq(vmx_cycles_bucket((1ULL << 31) - 1), 30);
	ck_assert_uint_eq(vmx_cycles_bucket(1ULL << 31), VMXLAB_CYCLES_BUCKETS - 1);
	ck_assert_uint_eq(vmx_cycles_bucket(~0ULL), VMXLAB_CYCLES_BUCKETS - 1);
}
END_TEST

/* ------------------------------------------------------------------ */

/* If it failed, a string OUTS with a segment override would read its bytes from the wrong segment, or a 32-bit INS would step RDI with a 64-bit counter. */
START_TEST(io_insn_info_outs_and_ins)
{
	struct vmx_io_insn_info ii;

	/* rep outsb %fs:(%esi): address size 1 = 32-bit (bits 9:7, 0x80), FS = 4 (bits 17:15, 0x20000). */
	ck_assert_int_eq(vmx_decode_io_insn_info(0x00020080, &ii), 0);
	ck_assert_uint_eq(ii.addr_size, 4);
	ck_assert_uint_eq(ii.segment, VMX_SEG_FS);

	/* insb in 64-bit mode: address size 2 (0x100); the segment field is ES, always. */
	ck_assert_int_eq(vmx_decode_io_insn_info(0x00000100, &ii), 0);
	ck_assert_uint_eq(ii.addr_size, 8);
	ck_assert_uint_eq(ii.segment, VMX_SEG_ES);

	/* 16-bit addressing: 0 in bits 9:7; DS (3, 0x18000). */
	ck_assert_int_eq(vmx_decode_io_insn_info(0x00018000, &ii), 0);
	ck_assert_uint_eq(ii.addr_size, 2);
	ck_assert_uint_eq(ii.segment, VMX_SEG_DS);
}
END_TEST

/* If it failed, a corrupt or hostile instruction-information value would be taken for a real address size or a seventh segment register and index past the guest's segments. */
START_TEST(io_insn_info_unused_rejected)
{
	struct vmx_io_insn_info ii;

	/* Address size 3 (0x180): "Other values not used". */
	ck_assert_int_eq(vmx_decode_io_insn_info(0x00000180, &ii), -EINVAL);
	ck_assert_uint_eq(ii.addr_size, 0);
	/* Segment 6 (0x30000) and 7 (0x38000): not used. */
	ck_assert_int_eq(vmx_decode_io_insn_info(0x00030080, &ii), -EINVAL);
	ck_assert_int_eq(vmx_decode_io_insn_info(0x00038080, &ii), -EINVAL);
}
END_TEST

/* If it failed, an emulated VMPTRLD/VMCLEAR would read its operand from the wrong guest address. */
START_TEST(insn_info_memory_operand)
{
	u64 gprs[16] = { 0 };
	struct vmx_insn_info ii;

	/*
	 * vmptrld 0x-8(%rbx,%rsi,8): scale 3 (bits 1:0), 64-bit (0x100),
	 * memory (bit 10 clear), DS (0x18000), index rsi = 6 (bits 21:18,
	 * 0x180000), base rbx = 3 (bits 26:23, 0x1800000), both valid.
	 */
	ck_assert_int_eq(vmx_decode_insn_info(0x01998103, &ii), 0);
	ck_assert_uint_eq(ii.scale, 8);
	ck_assert_uint_eq(ii.addr_size, 8);
	ck_assert(!ii.reg_operand);
	ck_assert_uint_eq(ii.segment, VMX_SEG_DS);
	ck_assert(ii.index_valid);
	ck_assert_uint_eq(ii.index_reg, 6);
	ck_assert(ii.base_valid);
	ck_assert_uint_eq(ii.base_reg, 3);

	gprs[3] = 0x1000;	/* rbx */
	gprs[6] = 0x10;		/* rsi */
	/* The displacement -8 arrives in the exit qualification, sign-extended. */
	ck_assert_uint_eq(vmx_insn_operand_offset(&ii, gprs, (u64)-8), 0x1078);
}
END_TEST

/* If it failed, an operand of a 16- or 32-bit guest would land above its address space instead of wrapping, or an absent base or index register would add a stale register's value. */
START_TEST(insn_info_offset_wraps_and_skips_absent)
{
	u64 gprs[16];
	struct vmx_insn_info ii;
	unsigned int i;

	for (i = 0; i < 16; i++)
		gprs[i] = 0xdead0000 + i;

	/* vmclear 0x12345678 with 32-bit addressing (0x80), DS, no index (bit 22), no base (bit 27). */
	ck_assert_int_eq(vmx_decode_insn_info(0x08418080, &ii), 0);
	ck_assert(!ii.index_valid);
	ck_assert(!ii.base_valid);
	ck_assert_uint_eq(vmx_insn_operand_offset(&ii, gprs, 0x12345678), 0x12345678);
	/* A negative displacement alone wraps within 32 bits. */
	ck_assert_uint_eq(vmx_insn_operand_offset(&ii, gprs, (u64)-16), 0xfffffff0);

	/* 16-bit (bits 9:7 = 0), base bx = 3, index si = 6, scale 1: bx + si wraps at 64 KiB. */
	ck_assert_int_eq(vmx_decode_insn_info(0x01998000, &ii), 0);
	ck_assert_uint_eq(ii.addr_size, 2);
	gprs[3] = 0xfff0;
	gprs[6] = 0x20;
	ck_assert_uint_eq(vmx_insn_operand_offset(&ii, gprs, 0), 0x10);
}
END_TEST

/* If it failed, an emulated VMREAD/VMWRITE would take its field encoding or its value from the wrong register. */
START_TEST(insn_info_register_operand)
{
	struct vmx_insn_info ii;

	/*
	 * vmread %r9, %rdx: register form (bit 10), reg1 = rdx = 2 (bits 6:3,
	 * 0x10), reg2 = r9 (bits 31:28, 0x90000000).  Bits 9:7 are undefined
	 * for a register operand: 7 there must not make it invalid.
	 */
	ck_assert_int_eq(vmx_decode_insn_info(0x90000790, &ii), 0);
	ck_assert(ii.reg_operand);
	ck_assert_uint_eq(ii.reg1, 2);
	ck_assert_uint_eq(ii.reg2, 9);

	/* The same bits 9:7 = 7 on a memory operand are invalid. */
	ck_assert_int_eq(vmx_decode_insn_info(0x90000390, &ii), -EINVAL);
	/* So is segment 7 (bits 17:15). */
	ck_assert_int_eq(vmx_decode_insn_info(0x00038100, &ii), -EINVAL);
}
END_TEST

/* If it failed, a guest's LIDT would be emulated as LGDT or SIDT, or its 6-byte operand read with the wrong limit/base width. */
START_TEST(dt_insn_info_gdtr_idtr)
{
	struct vmx_dt_insn_info dt;

	/*
	 * lidtl 0x0(%ebp) in 32-bit code: identity 3 = LIDT (bits 29:28),
	 * operand size 32 (bit 11), address size 32 (0x80), SS (0x10000),
	 * base ebp = 5 (0x2800000), no index (bit 22).
	 */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_GDTR_IDTR_ACCESS, 0x32c10880, &dt), 0);
	ck_assert_uint_eq(dt.insn, VMX_DT_LIDT);
	ck_assert_uint_eq(dt.operand_size, 4);
	ck_assert_uint_eq(dt.operand.segment, VMX_SEG_SS);
	ck_assert_uint_eq(dt.operand.base_reg, 5);
	ck_assert(!dt.operand.index_valid);

	/* sgdt with 16-bit operand size (bit 11 clear), identity 0. */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_GDTR_IDTR_ACCESS, 0x02c10080, &dt), 0);
	ck_assert_uint_eq(dt.insn, VMX_DT_SGDT);
	ck_assert_uint_eq(dt.operand_size, 2);

	/* In 64-bit mode (address size 2) bit 11 is undefined: no operand size. */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_GDTR_IDTR_ACCESS, 0x22c10900, &dt), 0);
	ck_assert_uint_eq(dt.insn, VMX_DT_LGDT);
	ck_assert_uint_eq(dt.operand_size, 0);

	/* Bit 10 is "cleared to 0" in this table: a register operand is invalid. */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_GDTR_IDTR_ACCESS, 0x32c10c80, &dt), -EINVAL);
}
END_TEST

/* If it failed, a guest's LTR or SLDT would be emulated as another instruction, or a register operand taken for memory. */
START_TEST(dt_insn_info_ldtr_tr)
{
	struct vmx_dt_insn_info dt;

	/* ltr %ax: identity 3 (bits 29:28), register form (bit 10), reg1 rax = 0. */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_LDTR_TR_ACCESS, 0x38400400, &dt), 0);
	ck_assert_uint_eq(dt.insn, VMX_DT_LTR);
	ck_assert(dt.operand.reg_operand);
	ck_assert_uint_eq(dt.operand.reg1, 0);
	ck_assert_uint_eq(dt.operand_size, 0);

	/* sldt (%rbx): identity 0, memory, 64-bit, DS, base rbx, no index. */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_LDTR_TR_ACCESS, 0x01c18100, &dt), 0);
	ck_assert_uint_eq(dt.insn, VMX_DT_SLDT);
	ck_assert(!dt.operand.reg_operand);
	ck_assert_uint_eq(dt.operand.base_reg, 3);

	/* Identities 1 and 2: STR, LLDT. */
	vmx_decode_dt_insn_info(VMX_EXIT_LDTR_TR_ACCESS, 0x18400400, &dt);
	ck_assert_uint_eq(dt.insn, VMX_DT_STR);
	vmx_decode_dt_insn_info(VMX_EXIT_LDTR_TR_ACCESS, 0x28400400, &dt);
	ck_assert_uint_eq(dt.insn, VMX_DT_LLDT);

	/* Any other exit reason has no descriptor-table layout. */
	ck_assert_int_eq(vmx_decode_dt_insn_info(VMX_EXIT_VMPTRLD, 0x38400400, &dt), -EINVAL);
}
END_TEST

/* If it failed, a handler would treat a 64-bit code segment as 16-bit, a ring-3 segment as ring 0, or a present one as absent. */
START_TEST(seg_ar_descriptors)
{
	struct vmx_seg_ar ar;

	/* Flat 64-bit ring-0 code: type 0xb (execute/read, accessed), S, P, L, G = 0xa09b. */
	ck_assert_int_eq(vmx_decode_seg_ar(0xa09b, &ar), 0);
	ck_assert_uint_eq(ar.type, 0xb);
	ck_assert(ar.type & VMX_SEG_TYPE_CODE);
	ck_assert(ar.s);
	ck_assert_uint_eq(ar.dpl, 0);
	ck_assert(ar.present);
	ck_assert(ar.l);
	ck_assert(!ar.db);
	ck_assert(ar.g);
	ck_assert(!ar.avl);
	ck_assert(!ar.unusable);

	/* Flat 32-bit ring-3 data: type 3 (read/write, accessed), S, DPL 3, P, B, G = 0xc0f3. */
	ck_assert_int_eq(vmx_decode_seg_ar(0xc0f3, &ar), 0);
	ck_assert_uint_eq(ar.type, 3);
	ck_assert(!(ar.type & VMX_SEG_TYPE_CODE));
	ck_assert(ar.type & VMX_SEG_TYPE_RW);
	ck_assert_uint_eq(ar.dpl, 3);
	ck_assert(ar.db);
	ck_assert(!ar.l);

	/* A busy 64-bit TSS: system descriptor (S = 0) of type 0xb, present = 0x8b. */
	ck_assert_int_eq(vmx_decode_seg_ar(0x8b, &ar), 0);
	ck_assert(!ar.s);
	ck_assert_uint_eq(ar.type, 0xb);
	ck_assert(ar.present);

	/* A null selector loaded into DS: unusable (bit 16), nothing else. */
	ck_assert_int_eq(vmx_decode_seg_ar(0x10000, &ar), 0);
	ck_assert(ar.unusable);
	ck_assert(!ar.present);
}
END_TEST

/* If it failed, one access-rights bit would be read as another field (each bit must land in exactly one), or reserved bits would pass unnoticed. */
START_TEST(seg_ar_each_bit_one_field)
{
	struct vmx_seg_ar ar;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		u32 v = 1u << bit;
		int rc = vmx_decode_seg_ar(v, &ar);
		unsigned int set = (ar.type != 0) + ar.s + (ar.dpl != 0) + ar.present +
				   ar.avl + ar.l + ar.db + ar.g + ar.unusable;
		bool reserved = (bit >= 8 && bit <= 11) || bit >= 17;

		ck_assert_msg(rc == (reserved ? -EINVAL : 0), "bit %u: rc %d", bit, rc);
		ck_assert_msg(set == (reserved ? 0u : 1u), "bit %u sets %u fields", bit, set);
	}
	ck_assert_uint_eq(VMX_SEG_AR_RESERVED & 0x1f0ffU, 0);
}
END_TEST

/* If it failed, string I/O and MMIO emulation would step RSI/RDI by the wrong width in 16-bit, 32-bit, compatibility or 64-bit code. */
START_TEST(seg_ar_code_size)
{
	ck_assert_uint_eq(vmx_seg_ar_code_size(0xa09b, true), 8);	/* 64-bit: L */
	ck_assert_uint_eq(vmx_seg_ar_code_size(0xc09b, true), 4);	/* compatibility mode, D */
	ck_assert_uint_eq(vmx_seg_ar_code_size(0x809b, true), 2);	/* compatibility mode, 16-bit */
	ck_assert_uint_eq(vmx_seg_ar_code_size(0xc09b, false), 4);	/* protected mode, D */
	ck_assert_uint_eq(vmx_seg_ar_code_size(0x009b, false), 2);	/* real mode */
	/* L outside IA-32e mode means nothing. */
	ck_assert_uint_eq(vmx_seg_ar_code_size(0xa09b, false), 2);
}
END_TEST

Suite *exits_suite(void)
{
	Suite *s = suite_create("exits");

	UNIT_ADD(s, "exits", reason_names_match_sdm);
	UNIT_ADD(s, "exits", reason_names_complete_unique);
	UNIT_ADD(s, "exits", reason_undefined_is_null);
	UNIT_ADD(s, "exits", reason_entry_failure_bit);
	UNIT_ADD(s, "exits", reason_flag_bits);
	UNIT_ADD(s, "exits", io_out_dx_al_com1);
	UNIT_ADD(s, "exits", io_in_eax_immediate);
	UNIT_ADD(s, "exits", io_rep_outsw_string);
	UNIT_ADD(s, "exits", io_unused_size_rejected);
	UNIT_ADD(s, "exits", cr_mov_to_and_from);
	UNIT_ADD(s, "exits", cr_clts_and_lmsw);
	UNIT_ADD(s, "exits", dr_mov_decode);
	UNIT_ADD(s, "exits", gpr_names);
	UNIT_ADD(s, "exits", ept_write_to_readonly);
	UNIT_ADD(s, "exits", ept_guest_page_walk);
	UNIT_ADD(s, "exits", ept_user_exec_and_advanced_bits);
	UNIT_ADD(s, "exits", ept_nmi_unblocking_and_high_bits);
	UNIT_ADD(s, "exits", intr_page_fault);
	UNIT_ADD(s, "exits", intr_types);
	UNIT_ADD(s, "exits", intr_type_names);
	UNIT_ADD(s, "exits", describe_io);
	UNIT_ADD(s, "exits", describe_ept);
	UNIT_ADD(s, "exits", describe_entry_failure);
	UNIT_ADD(s, "exits", describe_cr_dr_and_plain);
	UNIT_ADD(s, "exits", describe_truncates_like_snprintf);
	UNIT_ADD(s, "exits", cycles_buckets_are_log2);
	UNIT_ADD(s, "exits", io_insn_info_outs_and_ins);
	UNIT_ADD(s, "exits", io_insn_info_unused_rejected);
	UNIT_ADD(s, "exits", insn_info_memory_operand);
	UNIT_ADD(s, "exits", insn_info_offset_wraps_and_skips_absent);
	UNIT_ADD(s, "exits", insn_info_register_operand);
	UNIT_ADD(s, "exits", dt_insn_info_gdtr_idtr);
	UNIT_ADD(s, "exits", dt_insn_info_ldtr_tr);
	UNIT_ADD(s, "exits", seg_ar_descriptors);
	UNIT_ADD(s, "exits", seg_ar_each_bit_one_field);
	UNIT_ADD(s, "exits", seg_ar_code_size);
	return s;
}
