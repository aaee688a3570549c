# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run: loading flat binaries and ELF files.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# The loader: ELF and flat images, and every refusal in plain words.
test_run_load() {
	local e=$TESTS/make_elf.py
	"$e" "$OUT/e64.elf" 64 62 0x200000 0x200000:0x100:0x3000 0x300000:0:0
	run load-e64 run --dump-setup --mode long --mem 4M "$OUT/e64.elf"
	expect_exit load/elf64-exit 0 load-e64
	expect_line load/elf64-range "$OUT/load-e64.out" "image: elf 0x200000-0x203000 entry 0x200000"
	"$e" "$OUT/e32.elf" 32 3 0x1000 0x1000:0x10:0x10 0x8000:0x20:0x40
	run load-e32 run --dump-setup --mode protected "$OUT/e32.elf"
	expect_line load/elf32-range "$OUT/load-e32.out" "image: elf 0x1000-0x8040 entry 0x1000"
	"$e" "$OUT/arm.elf" 32 40 0x1000 0x1000:4:4
	run load-arm run --dump-setup "$OUT/arm.elf"
	expect_exit load/not-x86-exit 1 load-arm
	expect_line load/not-x86-message "$OUT/load-arm.err" \
		"vmxlab: the guest $OUT/arm.elf is an ELF32 file for machine 40, not x86 (EM_386 = 3)"
	"$e" "$OUT/be.elf" 32 3 0x1000 0x1000:4:4 --big-endian
	run load-be run --dump-setup "$OUT/be.elf"
	expect_exit load/big-endian-exit 1 load-be
	expect_match load/big-endian-message "$OUT/load-be.err" 'not a little-endian ELF32 or ELF64'
	"$e" "$OUT/dyn.elf" 64 62 0x1000 0x1000:4:4 --type=3
	run load-dyn run --dump-setup "$OUT/dyn.elf"
	expect_exit load/not-executable-exit 1 load-dyn
	"$e" "$OUT/out.elf" 32 3 0x1000 0x1000:4:4 0xff000:4:0x2000
	run load-out run --dump-setup "$OUT/out.elf"
	expect_exit load/outside-memory-exit 1 load-out
	expect_line load/outside-memory-message "$OUT/load-out.err" \
		"vmxlab: the guest $OUT/out.elf: ELF segment 1 at 0xff000-0x100fff lies outside guest memory (0-0xfffff; see --mem)"
	"$e" "$OUT/res.elf" 32 3 0x1000 0xef000:0x10:0x1001
	run load-res run --dump-setup --mode paged "$OUT/res.elf"
	expect_exit load/reserved-overlap-exit 1 load-res
	expect_match load/reserved-overlap-message "$OUT/load-res.err" \
		'ELF segment 0 at 0xef000-0xf0000 overlaps the top 64 KiB of guest memory \(0xf0000-0xfffff\)'
	run load-res-real run --dump-setup --mode real "$OUT/res.elf"
	expect_exit load/real-mode-has-no-reserved-region 0 load-res-real
	"$e" "$OUT/hi.elf" 64 62 0x20000 0x20000:4:4
	run load-hi run --dump-setup "$OUT/hi.elf"
	expect_exit load/real-entry-above-64K-exit 1 load-hi
	expect_match load/real-entry-above-64K-message "$OUT/load-hi.err" 'real mode starts below 0x10000'
	"$e" "$OUT/dmg.elf" 64 62 0x1000 0x1000:4:2
	run load-dmg run --dump-setup --mode long "$OUT/dmg.elf"
	expect_exit load/filesz-above-memsz-exit 1 load-dmg
	"$e" "$OUT/none.elf" 64 62 0x1000
	run load-none run --dump-setup --mode long "$OUT/none.elf"
	expect_exit load/no-load-segment-exit 1 load-none
	head -c 61440 /dev/zero > "$OUT/flat60k.bin"
	run load-flat60k run --dump-setup "$OUT/flat60k.bin"
	expect_line load/flat-ends-at-64K "$OUT/load-flat60k.out" "image: flat 0x1000-0x10000 entry 0x1000"
	head -c 61441 /dev/zero > "$OUT/flat-big.bin"
	run load-flat-big run --dump-setup "$OUT/flat-big.bin"
	expect_exit load/flat-real-above-64K-exit 1 load-flat-big
	run load-flat-prot run --dump-setup --mode protected "$OUT/flat-big.bin"
	expect_exit load/flat-protected-above-64K-ok 0 load-flat-prot
	run load-flat-res run --dump-setup --mode protected --mem 128K "$OUT/flat-big.bin"
	expect_exit load/flat-into-reserved-exit 1 load-flat-res
	expect_match load/flat-into-reserved-message "$OUT/load-flat-res.err" \
		"at most 61440 bytes .* must end below 0x10000, where the tool's tables start"
	: > "$OUT/empty.bin"
	run load-empty run --dump-setup "$OUT/empty.bin"
	expect_exit load/empty-exit 1 load-empty
	run load-missing run --dump-setup "$OUT/no-such.bin"
	expect_exit load/missing-exit 1 load-missing
}

run_cases() {
	test_run_load
}
