/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab info: the two ways of printing a struct vmxlab_caps.
 */
#ifndef VMXLAB_INFO_H
#define VMXLAB_INFO_H

#include "vmxlab.h"

/* @source names where the capabilities came from (device or file). */
void info_print_text(FILE *out, const struct vmxlab_caps *caps,
		     const char *source);
void info_print_json(FILE *out, const struct vmxlab_caps *caps,
		     const char *source);

#endif /* VMXLAB_INFO_H */
