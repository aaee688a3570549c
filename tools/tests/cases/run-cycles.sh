# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --cycles: exit timing.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# --cycles on the scripted device (fakedev_kvm.c charges each exit a fixed
# cost at the next KVM_RUN: I/O 1500, EPT violation 2500).  If these fail,
# a user gets no exit timing, or numbers that are not the device's.
test_run_cycles() {
	local f=$OUT/kvm-cyc
	printf '%s\n' 'outs 0xe9 Hi' 'out 0x510 1 1' 'mmio-write 0xd0000010 4 1' \
		'out 0xf4 1 0x22' > "$OUT/cyc.script"
	run_kvm kvm-cyc vmxlab "$OUT/cyc.script" --cycles "$OUT/hlt.bin"
	expect_exit run-cycles/exit-status 34 kvm-cyc
	expect_line run-cycles/turned-on "$f.log" "vcpu0 exit cycles on"
	expect_line run-cycles/header-pending "$f.err" \
		"exit cycles (host TSC, VM exit to next VM entry): on, IO_INSTRUCTION (30) pending"
	# Three I/O exits, the last still pending: two timed.
	expect_line run-cycles/io-mean "$f.err" "IO_INSTRUCTION (30): 2 exits, mean 1500 cycles, sum 3000"
	expect_match run-cycles/io-bucket "$f.err" '^ +1024\.\.2047 +2 #{40}$'
	expect_line run-cycles/ept-mean "$f.err" "EPT_VIOLATION (48): 1 exit, mean 2500 cycles, sum 2500"
	expect_match run-cycles/ept-bucket "$f.err" '^ +2048\.\.4095 +1 #{40}$'
	expect_count run-cycles/only-reasons-seen "$f.err" " cycles, sum " 2
	run_kvm kvm-cyc2 vmxlab "$OUT/cyc.script" --cycles --vcpus 2 "$OUT/hlt.bin"
	expect_line run-cycles/per-vcpu "$OUT/kvm-cyc2.err" "vcpu1:"
	expect_line run-cycles/per-vcpu-indented "$OUT/kvm-cyc2.err" \
		"  IO_INSTRUCTION (30): 2 exits, mean 1500 cycles, sum 3000"
	# Off unless asked for.
	run_kvm kvm-nocyc vmxlab "$OUT/cyc.script" "$OUT/hlt.bin"
	expect_count run-cycles/off-by-default-quiet "$OUT/kvm-nocyc.err" "exit cycles" 0
	expect_count run-cycles/off-by-default-not-set "$OUT/kvm-nocyc.log" "exit cycles" 0
	run_kvm kvm-cyc-kvm kvm "$OUT/cyc.script" --cycles "$OUT/hlt.bin"
	expect_exit run-cycles/kvm-refused 2 kvm-cyc-kvm
	expect_line run-cycles/kvm-message "$OUT/kvm-cyc-kvm.err" \
		"vmxlab: --cycles: /fake/kvm is not vmxlab: it does not time exits"
}

run_cases() {
	test_run_cycles
}
