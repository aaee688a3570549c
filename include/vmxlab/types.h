/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for vmxlab's pure logic.
 *
 * The capability decoder, the control adjuster and the name tables are
 * compiled three times: into vmxlab.ko, into the vmxlab tool and into the
 * host unit tests.  This header is the only place that knows the
 * difference, so that those files can use kernel-style types everywhere.
 */
#ifndef VMXLAB_TYPES_H
#define VMXLAB_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef BIT_ULL
#define BIT_ULL(nr)	(1ULL << (nr))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#endif

#endif /* VMXLAB_TYPES_H */
