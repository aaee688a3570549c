/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab's tracepoints, for perf and trace-cmd (tracefs events/vmxlab/):
 *
 *   vmxlab_entry  a VM entry of a vCPU (VMLAUNCH or VMRESUME)
 *   vmxlab_exit   a VM exit: exit reason, qualification, guest RIP
 *
 * Disabled, each costs one patched-out jump on the exit path; the VMCS
 * is read only while the event is enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmxlab

#if !defined(VMXLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VMXLAB_TRACE_H

#include <linux/tracepoint.h>
#include <vmxlab/vmcs_fields.h>
#include "vmx/insn.h"
#include "vmx/vcpu.h"

TRACE_EVENT(vmxlab_entry,
	TP_PROTO(const struct vmxlab_vcpu *vcpu),
	TP_ARGS(vcpu),
	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(bool, launched)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu->id;
		__entry->launched = vcpu->launched;
		__entry->rip = vmcs_readl(VMCS_GUEST_RIP);
	),
	TP_printk("vcpu %u %s rip 0x%llx", __entry->vcpu_id,
		  __entry->launched ? "VMRESUME" : "VMLAUNCH", __entry->rip)
);

TRACE_EVENT(vmxlab_exit,
	TP_PROTO(const struct vmxlab_vcpu *vcpu, u32 reason),
	TP_ARGS(vcpu, reason),
	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u32, reason)
		__field(u64, qualification)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu->id;
		__entry->reason = reason;
		__entry->qualification = vmcs_readl(VMCS_EXIT_QUALIFICATION);
		__entry->rip = vmcs_readl(VMCS_GUEST_RIP);
	),
	/*
	 * Plain numbers, not vmx_exit_basic_reason(): perf and trace-cmd
	 * evaluate this format themselves and know no kernel functions.
	 * Basic reason: bits 15:0; bit 31: the entry failed.
	 */
	TP_printk("vcpu %u reason %u%s qualification 0x%llx rip 0x%llx",
		  __entry->vcpu_id, __entry->reason & 0xffff,
		  __entry->reason & (1u << 31) ? " (VM entry failed)" : "",
		  __entry->qualification, __entry->rip)
);

#endif /* VMXLAB_TRACE_H */

/* An out-of-tree module: define_trace.h finds this file by path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
