# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab stat.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# vmxlab stat on a debugfs tree made here ($VMXLAB_DEBUGFS): the counters
# and the exit timing of vcpuN-cycles, parsed and printed.  If these fail,
# stat shows a timing file as a vCPU, or misreads the histograms.
test_stat() {
	local d=$OUT/debugfs f=$OUT/stat.out
	mkdir -p "$d/vm-42-1" "$d/vm-43-2"
	printf 'CPUID 5\nHLT 1\nentries 6\nentry_failures 0\n' > "$d/vm-42-1/vcpu0"
	printf '%s\n' 'state on' 'pending HLT (12)' \
		'CPUID (10): count 5 sum 400 mean 80 buckets 6:4 7:1' > "$d/vm-42-1/vcpu0-cycles"
	printf 'entries 0\nentry_failures 0\n' > "$d/vm-42-1/vcpu1"
	printf 'state off\npending none\n' > "$d/vm-42-1/vcpu1-cycles"
	printf 'entries 0\nentry_failures 0\n' > "$d/vm-43-2/vcpu0"
	printf 'state on\nCPUID (10): count x\n' > "$d/vm-43-2/vcpu0-cycles"
	VMXLAB_DEBUGFS=$d run stat stat
	expect_exit stat/exit-0 0 stat
	expect_count stat/one-header-per-vcpu "$f" " vcpu" 3
	expect_line stat/counters "$f" "  CPUID 5"
	expect_line stat/cycles-header "$f" \
		"  exit cycles (host TSC, VM exit to next VM entry): on, HLT (12) pending"
	expect_line stat/cycles-mean "$f" "  CPUID (10): 5 exits, mean 80 cycles, sum 400"
	expect_match stat/cycles-bucket-6 "$f" '^ +64\.\.127 +4 #{40}$'
	expect_match stat/cycles-bucket-7 "$f" '^ +128\.\.255 +1 #{10}$'
	expect_line stat/cycles-off "$f" "  exit cycles (host TSC, VM exit to next VM entry): off"
	expect_line stat/cycles-unparsable "$f" \
		"  exit cycles: cannot parse $d/vm-43-2/vcpu0-cycles: 'CPUID (10): count x'"
	mkdir -p "$OUT/debugfs-empty"
	VMXLAB_DEBUGFS=$OUT/debugfs-empty run stat-empty stat
	expect_line stat/no-vms "$OUT/stat-empty.out" "no VMs running"
	VMXLAB_DEBUGFS=$OUT/no-such-dir run stat-missing stat
	expect_exit stat/missing-exit-3 3 stat-missing
}

run_cases() {
	test_stat
}
