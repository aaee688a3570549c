# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab info: capability reports decoded from fixtures (--caps-file),
# as text and JSON, and the same through the stand-in device.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

test_haswell_text() {
	local f=$OUT/haswell.out
	run haswell info --caps-file "$OUT/haswell.caps"
	expect_exit haswell/exit 0 haswell
	expect_line haswell/summary-ept "$f" "EPT: yes"
	expect_line haswell/summary-vpid "$f" "VPID: yes"
	expect_line haswell/summary-unrestricted-guest "$f" "unrestricted guest: yes"
	expect_line haswell/summary-preemption-timer "$f" "VMX-preemption timer: yes"
	expect_line haswell/summary-online-cpus "$f" "online CPUs: 4"
	expect_line haswell/summary-vmx-users "$f" "VMX users: 0"
	expect_match haswell/enable-ept-may-be-0-or-1 "$f" '^ +1  may be 0 or 1 +required 1 +enable EPT$'
	expect_match haswell/pin-bit1-fixed-1-forced-on "$f" '^ +1  fixed to 1 +- +1 forced on +reserved$'
	expect_match haswell/tertiary-fixed-0 "$f" '^ +17  fixed to 0 +- +0 +activate tertiary controls$'
	expect_match haswell/true-cr3-load-may-be-0 "$f" '^ +15  may be 0 or 1 +- +0 +CR3-load exiting$'
	expect_line haswell/true-msr-used "$f" "Pin-based VM-execution controls (IA32_VMX_TRUE_PINBASED_CTLS):"
	expect_line haswell/basic-revision "$f" "  VMCS revision identifier: 0x12"
	expect_line haswell/basic-region-size "$f" "  VMCS region size: 1024 bytes"
	expect_line haswell/basic-memory-type "$f" "  VMCS memory type: 6 = write-back (WB)"
	expect_line haswell/basic-true-controls "$f" "  TRUE control MSRs (default-1 controls that may be 0): yes"
	expect_line haswell/misc-timer-rate "$f" "  VMX-preemption timer: timer ticks every 2^5 TSC cycles"
	expect_line haswell/misc-activity-states "$f" "  activity states: HLT yes, shutdown yes, wait-for-SIPI yes"
	expect_line haswell/misc-cr3-targets "$f" "  CR3-target values: 4"
	expect_line haswell/misc-msr-list "$f" "  max MSR-list entries: 512"
	expect_line haswell/misc-mseg "$f" "  MSEG revision identifier: 0"
	expect_line haswell/cr0-must-be-1 "$f" "  must be 1: PE NE PG"
	expect_line haswell/cr4-must-be-1 "$f" "  must be 1: VMXE"
	expect_line haswell/vmcs-enum "$f" "  highest index in a VMCS field encoding: 23 (0x17)"
	expect_line haswell/ept-4-level "$f" "  [yes] EPT page-walk length 4 (vmxlab needs it)"
	expect_line haswell/ept-5-level "$f" "  [no]  EPT page-walk length 5"
	expect_line haswell/msr-basic "$f" "  IA32_VMX_BASIC                 0x480  0x00da040000000012"
	expect_line haswell/msr-absent "$f" "  IA32_VMX_PROCBASED_CTLS3       0x492  not reported"
	expect_count haswell/requirements-all-ok "$f" "  [ok] " 12
	expect_count haswell/requirements-none-missing "$f" "[missing]" 0
}

# Real values: what vmxlab read from Bochs's emulated Haswell (the hex
# fixture), decoded the way a user sees it there.
test_bochs_text() {
	local f=$OUT/bochs.out hex
	hex=$(grep -v '^#' "$TESTS/bochs-haswell.caps.hex" | tr -d '\n')
	# shellcheck disable=SC2001 # sed's &: each byte as \xNN
	printf '%b' "$(echo "$hex" | sed 's/../\\x&/g')" > "$OUT/bochs.caps"
	run bochs info --caps-file "$OUT/bochs.caps"
	expect_exit bochs/exit 0 bochs
	expect_line bochs/summary-ept "$f" "EPT: yes"
	expect_line bochs/summary-unrestricted-guest "$f" "unrestricted guest: yes"
	expect_line bochs/summary-online-cpus "$f" "online CPUs: 2"
	expect_line bochs/revision "$f" "  VMCS revision identifier: 0x2b"
	expect_line bochs/true-msrs "$f" "Primary processor-based VM-execution controls (IA32_VMX_TRUE_PROCBASED_CTLS):"
	expect_line bochs/timer-rate "$f" "  VMX-preemption timer: timer ticks every 2^0 TSC cycles"
	expect_match bochs/cr3-load-exiting-off "$f" '^ +15  may be 0 or 1 +- +0 +CR3-load exiting$'
	expect_line bochs/all-requirements "$f" "  all 12 requirements met"
}

test_westmere_text() {
	local f=$OUT/westmere.out
	run westmere info --caps-file "$OUT/westmere-no-ug.caps"
	expect_exit westmere/exit 0 westmere
	expect_line westmere/missing-requirement "$f" \
		"  [missing] secondary controls: EPT, VPID and unrestricted guest — IA32_VMX_PROCBASED_CTLS2 allowed-1 bits 1, 5, 7 (Vol. 3C Processor-Based VM-Execution Controls) — vmxlab needs a newer VT-x implementation (Intel Nehalem or later; in a VM, a CPU model with EPT and unrestricted guest)"
	expect_count westmere/one-missing "$f" "[missing]" 1
	expect_match westmere/unrestricted-guest-missing "$f" '^ +7  fixed to 0 +required 0 missing +unrestricted guest$'
	expect_match westmere/invpcid-dropped "$f" '^ +12  fixed to 0 +optional 0 dropped +enable INVPCID$'
	expect_line westmere/summary-ept "$f" "EPT: yes"
	expect_line westmere/summary-unrestricted-guest "$f" "unrestricted guest: no"
	expect_line westmere/summary-vmx-users "$f" "VMX users: 1"
	expect_line westmere/summary-pinned-pages "$f" "guest pages pinned: 260"
	expect_line westmere/summary-ept-pages "$f" "EPT table pages: 6"
}

test_core2_text() {
	local f=$OUT/core2.out
	run core2 info --caps-file "$OUT/core2.caps"
	expect_exit core2/exit 0 core2
	expect_line core2/summary-ept "$f" "EPT: no"
	expect_line core2/summary-vpid "$f" "VPID: no"
	expect_line core2/summary-unrestricted-guest "$f" "unrestricted guest: no"
	expect_line core2/summary-preemption-timer "$f" "VMX-preemption timer: no"
	expect_line core2/no-secondary-msr "$f" \
		"Secondary processor-based VM-execution controls (not reported: every control must be 0):"
	expect_line core2/no-ept-vpid-msr "$f" "  not reported: the CPU allows neither EPT nor VPID"
	expect_line core2/default-controls "$f" "Pin-based VM-execution controls (IA32_VMX_PINBASED_CTLS):"
	expect_count core2/eight-missing "$f" "[missing]" 8
}

test_json() {
	local p
	for p in haswell westmere-no-ug core2; do
		run "json-$p" info --json --caps-file "$OUT/$p.caps"
		expect_exit "json/$p-exit" 0 "json-$p"
		if python3 -m json.tool "$OUT/json-$p.out" > /dev/null 2>&1; then
			pass "json/$p-parses"
		else
			fail "json/$p-parses" "python3 -m json.tool rejects it"
		fi
	done
	# The MSR each control set names holds the settings vmx_control_msr() used.
	for p in haswell westmere-no-ug core2; do
		expect_python "json/$p-control-set-msr-names" "$OUT/json-$p.out" \
			'all(int(d["msrs"][c["msr"]], 16) == int(c["allowed1"], 16) << 32 | int(c["allowed0"], 16) for c in d["controls"].values() if c["msr"])'
	done
	expect_python json/haswell-summary "$OUT/json-haswell.out" \
		'd["ept"] is True' 'd["vpid"] is True' \
		'd["unrestricted_guest"] is True' 'd["preemption_timer"] is True' \
		'd["online_cpus"] == 4' 'd["vmx_users"] == 0' \
		'd["pinned_pages"] == 0' 'd["ept_pages"] == 0'
	expect_python json/westmere-pages "$OUT/json-westmere-no-ug.out" \
		'd["pinned_pages"] == 260' 'd["ept_pages"] == 6'
	expect_python json/haswell-requirements "$OUT/json-haswell.out" \
		'len(d["requirements"]) == 12' \
		'all(r["met"] is True for r in d["requirements"])' \
		'all(isinstance(r["name"], str) for r in d["requirements"])'
	expect_python json/haswell-msrs "$OUT/json-haswell.out" \
		'd["msrs"]["IA32_VMX_BASIC"] == "0x00da040000000012"' \
		'd["msrs"]["IA32_VMX_PROCBASED_CTLS3"] is None'
	expect_python json/haswell-control-bits "$OUT/json-haswell.out" \
		'len(d["controls"]["procbased2"]["bits"]) == 32' \
		'd["controls"]["procbased2"]["bits"][1]["name"] == "enable EPT"' \
		'd["controls"]["procbased2"]["bits"][1]["allowed"] == "flexible"' \
		'd["controls"]["procbased2"]["bits"][1]["required"] is True' \
		'd["controls"]["procbased2"]["bits"][1]["value"] == 1' \
		'd["controls"]["pinbased"]["msr"] == "IA32_VMX_TRUE_PINBASED_CTLS"' \
		'd["controls"]["pinbased"]["bits"][1]["forced_on"] is True' \
		'd["controls"]["pinbased"]["bits"][8]["name"] is None'
	expect_python json/haswell-decoded-fields "$OUT/json-haswell.out" \
		'd["basic"]["vmcs_region_size"] == 1024' \
		'd["basic"]["memory_type"] == 6' \
		'd["misc"]["preemption_timer_rate"] == 5' \
		'd["cr0"]["must_be_1_names"] == ["PE", "NE", "PG"]' \
		'd["vmcs_enum_max_index"] == 23'
	expect_python json/westmere-unmet "$OUT/json-westmere-no-ug.out" \
		'd["unrestricted_guest"] is False' 'd["ept"] is True' \
		'[r["met"] for r in d["requirements"]].count(False) == 1' \
		'd["requirements_met"] is False'
	expect_python json/core2-absent-msrs "$OUT/json-core2.out" \
		'd["ept"] is False' 'd["controls"]["procbased2"]["msr"] is None' \
		'd["ept_vpid"]["reported"] is False'
}

test_caps_file_errors() {
	run caps-missing info --caps-file "$OUT/no-such.caps"
	expect_exit caps-file/missing-file-exit 1 caps-missing
	head -c 100 "$OUT/haswell.caps" > "$OUT/short.caps"
	run caps-short info --caps-file "$OUT/short.caps"
	expect_exit caps-file/wrong-size-exit 1 caps-short
	expect_match caps-file/wrong-size-message "$OUT/caps-short.err" 'is 100 bytes, but a struct vmxlab_caps is'
}

test_fake_info() {
	FAKE_VMXLAB_CAPS=$OUT/haswell.caps run_fake fake-info info --device /fake/vmxlab \
		--save-caps "$OUT/saved.caps"
	expect_exit fake/info-exit 0 fake-info
	if [ -s "$OUT/fake-info.out" ] &&
	   diff <(tail -n +2 "$OUT/fake-info.out") <(tail -n +2 "$OUT/haswell.out") > /dev/null; then
		pass fake/info-same-as-caps-file
	else
		fail fake/info-same-as-caps-file "device and --caps-file decodings differ"
	fi
	if cmp -s "$OUT/saved.caps" "$OUT/haswell.caps"; then
		pass fake/save-caps-round-trip
	else
		fail fake/save-caps-round-trip "saved file differs from what the device returned"
	fi
}

run_cases() {
	test_haswell_text
	test_bochs_text
	test_westmere_text
	test_core2_text
	test_json
	test_caps_file_errors
	test_fake_info
}
