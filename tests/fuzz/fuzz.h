/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer harnesses share: a reader over the fuzzer's input
 * that never runs past its end (missing bytes read as 0), and an
 * assertion that says which invariant broke before it aborts (libFuzzer
 * then saves the input as crash-<hash> and prints how to rerun it).
 */
#ifndef VMXLAB_FUZZ_H
#define VMXLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *data;
	size_t size, pos;
};

static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->pos < in->size; i++)
		v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

static inline size_t fuzz_left(const struct fuzz_input *in)
{
	return in->size - in->pos;
}

#define FUZZ_ASSERT(cond, fmt, ...)						\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "invariant broken: %s: " fmt "\n",	\
				#cond, ##__VA_ARGS__);				\
			abort();						\
		}								\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* VMXLAB_FUZZ_H */
