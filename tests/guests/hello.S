/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello: print a line through port 0xE9 (the debug console port), one
 * OUT per byte, then HLT.
 */
	.include "macros.inc"

	real_mode_start msg
	hlt

	.include "console.inc"

msg:	.asciz	"Hello from real mode\n"
