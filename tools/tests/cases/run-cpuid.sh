# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --cpuid-file.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# --cpuid-file: the table of the file, and only it, reaches
# KVM_SET_CPUID2 of every vCPU; a bad file is refused before the device
# is touched, naming the line.  If these fail, a differential run gives
# the two devices different tables, or a typo in a table goes unnoticed.
test_run_cpuid_file() {
	local t=$OUT/table.cpuid f
	cat > "$t" <<'TABLE'
# leaf 0: max basic leaf 0xd, GenuineIntel
0 0 0 0xd 0x756e6547 0x6c65746e 0x49656e69

0x7 0 1 0 0x209 0x18 0   # indexed: subleaf 0
0xd 1 1 3 576 0 0
0x80000001 0 0 0 0 0x121 0x20100800
TABLE
	printf 'hlt\n' > "$OUT/hlt.script"
	run_kvm cpuid-file kvm "$OUT/hlt.script" --vcpus 2 --cpuid-file "$t" "$OUT/hlt.bin"
	f=$OUT/cpuid-file.log
	expect_exit run-cpuid-file/exit 0 cpuid-file
	expect_line run-cpuid-file/nent "$f" "vcpu0 cpuid nent=4"
	expect_line run-cpuid-file/leaf0 "$f" "vcpu0 cpuid 0x0 0x0 0x0 0xd 0x756e6547 0x6c65746e 0x49656e69"
	expect_line run-cpuid-file/indexed "$f" "vcpu0 cpuid 0x7 0x0 0x1 0x0 0x209 0x18 0x0"
	expect_line run-cpuid-file/decimal "$f" "vcpu0 cpuid 0xd 0x1 0x1 0x3 0x240 0x0 0x0"
	expect_line run-cpuid-file/ext "$f" "vcpu0 cpuid 0x80000001 0x0 0x0 0x0 0x0 0x121 0x20100800"
	expect_count run-cpuid-file/no-other-entries "$f" "vcpu0 cpuid 0x" 4
	expect_line run-cpuid-file/every-vcpu "$f" "vcpu1 cpuid 0x80000001 0x0 0x0 0x0 0x0 0x121 0x20100800"
	# Without the option the device's supported table is set (the fake's is empty).
	run_kvm cpuid-default kvm "$OUT/hlt.script" "$OUT/hlt.bin"
	expect_line run-cpuid-file/default-supported "$OUT/cpuid-default.log" "vcpu0 cpuid nent=0"
	run_kvm cpuid-none kvm "$OUT/hlt.script" --no-cpuid "$OUT/hlt.bin"
	expect_count run-cpuid-file/no-cpuid-none "$OUT/cpuid-none.log" "cpuid" 0

	# bad_table NAME MESSAGE LINES...: the file of LINES is refused with
	# exit 2 and MESSAGE (a fixed string), and no vCPU is made.
	bad_table() {
		local name=$1 msg=$2
		shift 2
		printf '%s\n' "$@" > "$OUT/$name.cpuid"
		run_kvm "$name" kvm "$OUT/hlt.script" --cpuid-file "$OUT/$name.cpuid" "$OUT/hlt.bin"
		expect_exit "run-cpuid-file/$name-exit" 2 "$name"
		expect_line "run-cpuid-file/$name-message" "$OUT/$name.err" "vmxlab: run: --cpuid-file $OUT/$name.cpuid:$msg"
		if [ -e "$OUT/$name.log" ]; then
			fail "run-cpuid-file/$name-device-untouched" "$(head -n 2 "$OUT/$name.log")"
		else
			pass "run-cpuid-file/$name-device-untouched"
		fi
	}
	bad_table bad-short "2: 6 field(s), want 7: function index flags eax ebx ecx edx" \
		"# ok" "1 0 0 1 2 3"
	bad_table bad-long "1: '8' after edx: an entry is 'function index flags eax ebx ecx edx'" \
		"1 0 0 1 2 3 4 8"
	bad_table bad-number "1: ecx 'x12' is not a number" "1 0 0 1 2 x12 4"
	bad_table bad-negative "1: eax '-1' is not a number" "1 0 0 -1 2 3 4"
	bad_table bad-empty-hex "1: ebx '0x' is not a number" "1 0 0 1 0x 3 4"
	bad_table bad-wide "1: edx 0x100000000 does not fit 32 bits" "1 0 0 1 2 3 0x100000000"
	bad_table bad-flags "1: flags 0x8: only 1 (significant index), 2 and 4 (stateful) are flags" \
		"1 0 8 1 2 3 4"
	bad_table bad-index "1: index 2 without flag 1 (significant index): the index would be ignored" \
		"4 2 0 1 2 3 4"
	bad_table bad-duplicate "3: function 0x7 index 0 answers the same CPUID as line 1" \
		"7 0 1 1 2 3 4" "7 1 1 1 2 3 4" "7 0 1 5 6 7 8"
	bad_table bad-unindexed-clash "2: function 0x4 index 1 answers the same CPUID as line 1" \
		"4 0 0 1 2 3 4" "4 1 1 1 2 3 4"
	bad_table bad-nothing " no entries (--no-cpuid runs without a CPUID table)" "# only a comment" ""
	# 257 entries: one more than KVM_SET_CPUID2 takes.
	seq 0 256 | sed 's/$/ 0 0 0 0 0 0/' > "$OUT/bad-many.cpuid"
	run_kvm bad-many kvm "$OUT/hlt.script" --cpuid-file "$OUT/bad-many.cpuid" "$OUT/hlt.bin"
	expect_exit run-cpuid-file/too-many-exit 2 bad-many
	expect_line run-cpuid-file/too-many-message "$OUT/bad-many.err" \
		"vmxlab: run: --cpuid-file $OUT/bad-many.cpuid:257: more than 256 entries (KVM_SET_CPUID2 takes at most that many)"
	seq 0 255 | sed 's/$/ 0 0 0 0 0 0/' > "$OUT/max.cpuid"
	run_kvm max kvm "$OUT/hlt.script" --cpuid-file "$OUT/max.cpuid" "$OUT/hlt.bin"
	expect_line run-cpuid-file/256-entries "$OUT/max.log" "vcpu0 cpuid nent=256"
	run_kvm cpuid-missing kvm "$OUT/hlt.script" --cpuid-file "$OUT/no-such.cpuid" "$OUT/hlt.bin"
	expect_exit run-cpuid-file/missing-exit 2 cpuid-missing
	expect_line run-cpuid-file/missing-message "$OUT/cpuid-missing.err" \
		"vmxlab: run: --cpuid-file $OUT/no-such.cpuid: No such file or directory"
	run_kvm cpuid-both kvm "$OUT/hlt.script" --no-cpuid --cpuid-file "$t" "$OUT/hlt.bin"
	expect_exit run-cpuid-file/with-no-cpuid-exit 2 cpuid-both
	expect_match run-cpuid-file/with-no-cpuid-message "$OUT/cpuid-both.err" \
		"--no-cpuid and --cpuid-file"
	# The table the diff-cpuid guest runs with parses, every entry of it.
	run_kvm cpuid-guest kvm "$OUT/hlt.script" --cpuid-file ../../tests/guests/diff-cpuid.cpuid \
		"$OUT/hlt.bin"
	expect_exit run-cpuid-file/guest-table-exit 0 cpuid-guest
	expect_line run-cpuid-file/guest-table-entries "$OUT/cpuid-guest.log" "vcpu0 cpuid nent=9"
	expect_line run-cpuid-file/guest-table-leaf1 "$OUT/cpuid-guest.log" \
		"vcpu0 cpuid 0x1 0x0 0x0 0x306c3 0x800 0x1c982201 0x7808371"
	run run-cpuid-help run --help
	expect_match run-cpuid-file/help "$OUT/run-cpuid-help.out" "^  --cpuid-file FILE"
	expect_match run-cpuid-file/help-format "$OUT/run-cpuid-help.out" "function index flags eax ebx ecx edx"
}

run_cases() {
	test_run_cpuid_file
}
