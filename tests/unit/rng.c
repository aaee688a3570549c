// SPDX-License-Identifier: GPL-2.0
/* vmxlab host unit tests: the shared pseudo-random sequence (see unit.h). */
#include "unit.h"

static unsigned long long rng_state;

void unit_rng_seed(unsigned long long seed)
{
	rng_state = seed;
}

/* xorshift64*: three shifts and a multiply; never reaches 0 from a nonzero seed. */
unsigned long long unit_rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}
