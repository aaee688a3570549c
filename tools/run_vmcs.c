// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run --vmcs / --vmcs-diff: the vCPU's VMCS as vmxlab reads it
 * (VMXLAB_GET_VMCS), grouped as the SDM's Appendix B "Field Encoding in
 * VMCS" groups it (by width, then by kind), and the fields one exit
 * changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>

#include <vmxlab/names.h>
#include <vmxlab/vmcs_fields.h>

#include "run.h"
#include "vmxlab.h"

static const char *const width_names[] = {
	[VMCS_WIDTH_16] = "16-bit", [VMCS_WIDTH_64] = "64-bit",
	[VMCS_WIDTH_32] = "32-bit", [VMCS_WIDTH_NATURAL] = "natural-width",
};

static const char *const type_names[] = {
	[VMCS_TYPE_CONTROL] = "control fields",
	[VMCS_TYPE_EXIT_INFO] = "read-only data fields (VM-exit information)",
	[VMCS_TYPE_GUEST] = "guest-state fields",
	[VMCS_TYPE_HOST] = "host-state fields",
};

/* Appendix B's order of widths. */
static const unsigned int width_order[] = {
	VMCS_WIDTH_16, VMCS_WIDTH_64, VMCS_WIDTH_32, VMCS_WIDTH_NATURAL,
};

struct vmcs_snapshot *vmcs_snapshot_take(const struct vcpu *vcpu)
{
	struct vmxlab_vmcs_snapshot req = { 0 };
	struct vmcs_snapshot *snap;

	/* The first call says how many fields there are (-E2BIG). */
	if (ioctl(vcpu->fd, VMXLAB_GET_VMCS, &req) == 0 || errno != E2BIG)
		return NULL;
	snap = calloc(1, sizeof(*snap) + req.nfields * sizeof(snap->fields[0]));
	if (!snap)
		return NULL;
	req.fields = (uintptr_t)snap->fields;
	if (ioctl(vcpu->fd, VMXLAB_GET_VMCS, &req)) {
		free(snap);
		return NULL;
	}
	snap->count = req.nfields;
	return snap;
}

static void print_field(FILE *out, const struct vmxlab_vmcs_field *f)
{
	const char *name = vmcs_field_name(f->encoding);

	if (f->flags & VMXLAB_VMCS_FIELD_HIDDEN)
		fprintf(out, "  %-36s 0x%08x  (hidden: needs CAP_SYS_ADMIN)\n",
			name ? name : "?", f->encoding);
	else if (f->flags & VMXLAB_VMCS_FIELD_SUPPORTED)
		fprintf(out, "  %-36s 0x%08x  0x%" PRIx64 "\n", name ? name : "?",
			f->encoding, (uint64_t)f->value);
	else
		fprintf(out, "  %-36s 0x%08x  (not supported by this CPU)\n",
			name ? name : "?", f->encoding);
}

void vmcs_snapshot_print(FILE *out, const struct vmcs_snapshot *snap)
{
	unsigned int w, type, i;

	for (w = 0; w < 4; w++) {
		for (type = 0; type < 4; type++) {
			bool title = false;

			for (i = 0; i < snap->count; i++) {
				const struct vmxlab_vmcs_field *f = &snap->fields[i];

				if (VMCS_ENCODING_WIDTH(f->encoding) != width_order[w] ||
				    VMCS_ENCODING_TYPE(f->encoding) != type)
					continue;
				if (!title)
					fprintf(out, "%s %s:\n", width_names[width_order[w]],
						type_names[type]);
				title = true;
				print_field(out, f);
			}
		}
	}
}

/* "  GUEST_RIP: 0x1000 -> 0x1002" for each field that differs. */
void vmcs_snapshot_diff(FILE *out, const struct vmcs_snapshot *before,
			const struct vmcs_snapshot *after)
{
	unsigned int i;

	for (i = 0; i < before->count && i < after->count; i++) {
		const struct vmxlab_vmcs_field *a = &before->fields[i];
		const struct vmxlab_vmcs_field *b = &after->fields[i];
		const char *name = vmcs_field_name(b->encoding);

		if (a->value == b->value && a->flags == b->flags)
			continue;
		fprintf(out, "  vmcs %s: 0x%" PRIx64 " -> 0x%" PRIx64 "\n",
			name ? name : "?", (uint64_t)a->value, (uint64_t)b->value);
	}
}

/*
 * --vmcs-write FIELD=VALUE: FIELD by its Appendix B name as --vmcs prints
 * it (GUEST_CR0, any case) or by its encoding (0x6800).  0 or -1.
 */
static int parse_field_name(const char *name, size_t len, uint32_t *encoding)
{
	unsigned int i;
	char *end;

	if (len && name[0] >= '0' && name[0] <= '9') {
		unsigned long v = strtoul(name, &end, 0);

		if (end != name + len || v > 0xffff)
			return -1;
		*encoding = v;
		return 0;
	}
	for (i = 0; i < vmcs_field_count(); i++) {
		const char *known = vmcs_field_name(vmcs_field_encoding(i));

		if (known && strlen(known) == len && !strncasecmp(known, name, len)) {
			*encoding = vmcs_field_encoding(i);
			return 0;
		}
	}
	return -1;
}

int vmcs_write_parse(struct vmcs_writes *w, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct vmxlab_vmcs_field *f;
	char *end;

	if (w->count == VMXLAB_MAX_VMCS_WRITES) {
		error_msg("run: at most %d --vmcs-write options", VMXLAB_MAX_VMCS_WRITES);
		return -1;
	}
	f = &w->fields[w->count];
	if (!eq || parse_field_name(arg, eq - arg, &f->encoding)) {
		error_msg("run: --vmcs-write %s: want FIELD=VALUE, FIELD a VMCS field name as --vmcs prints it (GUEST_CR0) or an encoding (0x6800)", arg);
		return -1;
	}
	errno = 0;
	f->value = strtoull(eq + 1, &end, 0);
	if (eq[1] == '\0' || *end || errno || eq[1] == '-') {
		error_msg("run: --vmcs-write %s: VALUE must be a number (0x... for hex)", arg);
		return -1;
	}
	w->count++;
	return EXIT_OK;
}

static const char *field_label(uint32_t encoding, char *buf, size_t len)
{
	const char *name = vmcs_field_name(encoding);

	if (name)
		return name;
	snprintf(buf, len, "field 0x%04x", encoding);
	return buf;
}

static void explain_refusal(int err)
{
	switch (err) {
	case EPERM:
		error_msg("--vmcs-write: vmxlab refused: it writes guest segments, descriptor tables, CR3, DR7, RSP, RIP, RFLAGS, activity and interruptibility state and pending debug exceptions as given; CR0, CR4 and EFER only with a value VM entry will refuse; controls only in bits the capability MSRs fix (see vmxlab run --help)");
		break;
	case EOPNOTSUPP:
		error_msg("--vmcs-write: this CPU's VMCS lacks one of the fields");
		break;
	default:
		error_msg("--vmcs-write: VMXLAB_SET_VMCS failed: %s", strerror(err));
	}
}

/* Write vCPU @vcpu's VMCS fields of @w before its first entry; an exit status. */
int vmcs_writes_apply(const struct vcpu *vcpu, const struct vmcs_writes *w)
{
	struct vmxlab_vmcs_write req = {
		.nfields = w->count,
		.fields = (uintptr_t)w->fields,
	};
	char buf[32];
	unsigned int i;

	if (ioctl(vcpu->fd, VMXLAB_SET_VMCS, &req)) {
		explain_refusal(errno);
		return EXIT_FAILED;
	}
	for (i = 0; i < w->count; i++)
		fprintf(stderr, "vmxlab: vCPU %u: wrote %s = 0x%" PRIx64 " into the VMCS (--vmcs-write)\n",
			vcpu->id, field_label(w->fields[i].encoding, buf, sizeof(buf)),
			(uint64_t)w->fields[i].value);
	predict_entry(stderr, vcpu);
	return EXIT_OK;
}
