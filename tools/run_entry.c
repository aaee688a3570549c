// SPDX-License-Identifier: GPL-2.0
/*
 * Why a VM entry failed, in words: vmxlab's model of the SDM's VM-entry
 * checks (VMXLAB_CHECK_ENTRY) run on the vCPU's VMCS, one paragraph per
 * failing check: the rule, the SDM section that states it, the VMCS field,
 * the value found and what was allowed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <vmxlab/names.h>

#include "run.h"
#include "vmxlab.h"

#define MAX_SHOWN	8

static const char *const area_results[] = {
	[VMXLAB_ENTRY_AREA_CONTROLS] = "VMfailValid, VM-instruction error 7 (invalid control field)",
	[VMXLAB_ENTRY_AREA_HOST] = "VMfailValid, VM-instruction error 8 (invalid host-state field)",
	[VMXLAB_ENTRY_AREA_GUEST] = "a failed VM entry, exit reason 33 (invalid guest state)",
};

static void explain_one(FILE *out, const struct vmxlab_entry_failure *f)
{
	const char *field = vmcs_field_name(f->field);

	fprintf(out, "  [%s] %s\n    SDM Vol. 3C, \"%s\"; the CPU reports %s.\n",
		f->id, f->rule, f->section,
		f->area < 3 ? area_results[f->area] : "a failed entry");
	if (f->field)
		fprintf(out, "    %s (0x%08x) = 0x%" PRIx64, field ? field : "VMCS field",
			f->field, (uint64_t)f->value);
	if (f->allowed0 || f->allowed1)
		fprintf(out, "; must be 1: 0x%" PRIx64 ", may be 1: 0x%" PRIx64
			"; wrong: 0x%" PRIx64, (uint64_t)f->allowed0, (uint64_t)f->allowed1,
			(uint64_t)((~f->value & f->allowed0) | (f->value & ~f->allowed1)));
	if (f->field || f->allowed0 || f->allowed1)
		fputc('\n', out);
}

/* VMXLAB_CHECK_ENTRY on @vcpu into @req and @found; false after a message. */
static bool check_entry(FILE *out, const struct vcpu *vcpu,
			struct vmxlab_entry_check *req,
			struct vmxlab_entry_failure found[MAX_SHOWN])
{
	*req = (struct vmxlab_entry_check){
		.max = MAX_SHOWN,
		.failures = (uintptr_t)found,
	};
	if (ioctl(vcpu->fd, VMXLAB_CHECK_ENTRY, req) == 0)
		return true;
	fprintf(out, "vmxlab: VMXLAB_CHECK_ENTRY failed: %s\n", strerror(errno));
	return false;
}

/* Print the verdict on vCPU @vcpu's VMCS; the number of failing checks, or -1. */
int explain_entry(FILE *out, const struct vcpu *vcpu)
{
	struct vmxlab_entry_failure found[MAX_SHOWN];
	struct vmxlab_entry_check req;
	unsigned int i;

	if (!check_entry(out, vcpu, &req, found))
		return -1;
	if (!req.count) {
		fprintf(out, "vmxlab: none of vmxlab's %u modelled VM-entry checks fails on this VMCS%s\n",
			req.checks, " (the CPU may check what the model does not: see vmcs/entry_checks.c)");
		return 0;
	}
	fprintf(out, "vmxlab: %u of %u modelled VM-entry checks fail on this VMCS:\n",
		req.count, req.checks);
	for (i = 0; i < req.count && i < MAX_SHOWN; i++)
		explain_one(out, &found[i]);
	if (req.count > MAX_SHOWN)
		fprintf(out, "  ... and %u more\n", req.count - MAX_SHOWN);
	return req.count;
}

/*
 * One line before the first entry after --vmcs-write: which of the
 * model's checks fail on the VMCS as written, so that a CPU that enters
 * anyway (an emulator that skips a check) is seen to differ from the SDM.
 */
void predict_entry(FILE *out, const struct vcpu *vcpu)
{
	struct vmxlab_entry_failure found[MAX_SHOWN];
	struct vmxlab_entry_check req;
	unsigned int i;

	if (!check_entry(out, vcpu, &req, found))
		return;
	if (!req.count) {
		fprintf(out, "vmxlab: the model of the VM-entry checks predicts: entry succeeds\n");
		return;
	}
	fprintf(out, "vmxlab: the model of the VM-entry checks predicts: entry fails:");
	for (i = 0; i < req.count && i < MAX_SHOWN; i++)
		fprintf(out, " [%s]", found[i].id);
	fputc('\n', out);
}
