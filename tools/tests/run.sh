#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vmxlab tool tests, on this host: no module and no VT-x needed.
#
# "vmxlab info --caps-file" decodes fixtures that make_caps writes (MSR
# values filled in by hand from the SDM, decided by vmx/caps.c); the
# device paths run against fakedev.so, an LD_PRELOAD stand-in for
# /dev/vmxlab.  One line per check: "PASS name" or "FAIL name: reason".
# The exit status is 0 only when every check passed.
set -u

cd "$(dirname "$0")"
TESTS=$PWD
VMXLAB=${VMXLAB:-$TESTS/../vmxlab}
OUT=$TESTS/out
FAKE=$TESTS/fakedev.so
ENOENT_MSG="vmxlab: /nonexistent not found: load the module with 'modprobe vmxlab' (or 'insmod vmxlab.ko' from the build tree)"
EBUSY_MSG="vmxlab: VMX is in use by another hypervisor (most likely kvm_intel with a VM running, or kvm_intel on a kernel that turns VMX on at load): stop its VMs or unload kvm_intel; the kernel log (dmesg) names the reason"
failures=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# run NAME ARGS...: run vmxlab; output in $OUT/NAME.out/.err, status in $rc.
run() {
	local name=$1
	shift
	"$VMXLAB" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
}

# run_fake NAME ARGS...: the same against the fake device.
run_fake() {
	local name=$1
	shift
	LD_PRELOAD=$FAKE "$VMXLAB" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
}

# expect_exit NAME STATUS: the last run exited with STATUS.
expect_exit() {
	if [ "$rc" -eq "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit status $rc, expected $2 (stderr: $(head -c 300 "$OUT/${3:-$1}.err"))"
	fi
}

# expect_line NAME FILE LINE: FILE has LINE exactly.
expect_line() {
	if grep -qxF -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line '$3' in $(basename "$2")"
	fi
}

# expect_match NAME FILE REGEX: a line of FILE matches the extended REGEX.
expect_match() {
	if grep -qE -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line matching '$3' in $(basename "$2")"
	fi
}

# expect_count NAME FILE FIXED-STRING N: N lines of FILE contain it.
expect_count() {
	local n
	n=$(grep -cF -- "$3" "$2")
	if [ "$n" -eq "$4" ]; then
		pass "$1"
	else
		fail "$1" "$n lines with '$3' in $(basename "$2"), expected $4"
	fi
}

# expect_python NAME FILE EXPR...: python3 asserts on the JSON in FILE (d).
expect_python() {
	local name=$1 file=$2 err
	shift 2
	if err=$(python3 - "$file" "$@" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    assert eval(expr), expr
PY
	); then
		pass "$name"
	else
		fail "$name" "$(echo "$err" | tail -n 1)"
	fi
}

test_usage() {
	run help --help
	expect_exit usage/help-exit 0 help
	expect_match usage/help-text "$OUT/help.out" '^Usage: vmxlab COMMAND'
	run version --version
	expect_exit usage/version-exit 0 version
	expect_match usage/version-text "$OUT/version.out" '^vmxlab [0-9]'
	run noargs
	expect_exit usage/no-command-exit 2 noargs
	expect_match usage/no-command-usage-on-stderr "$OUT/noargs.err" '^Usage: vmxlab'
	[ -s "$OUT/noargs.out" ] && fail usage/no-command-stdout-empty "stdout not empty" ||
		pass usage/no-command-stdout-empty
	run unknown frobnicate
	expect_exit usage/unknown-command-exit 2 unknown
	expect_line usage/unknown-command-message "$OUT/unknown.err" "vmxlab: unknown command 'frobnicate'"
	expect_match usage/unknown-command-usage "$OUT/unknown.err" '^Usage: vmxlab'
	for cmd in info cpus hold run; do
		run "help-$cmd" "$cmd" --help
		expect_exit "usage/$cmd-help-exit" 0 "help-$cmd"
		expect_match "usage/$cmd-help-text" "$OUT/help-$cmd.out" "^Usage: vmxlab $cmd"
	done
	run help-cmd help cpus
	expect_match usage/help-command "$OUT/help-cmd.out" '^Usage: vmxlab cpus'
	run bad-option info --bogus
	expect_exit usage/bad-option-exit 2 bad-option
	run extra-arg cpus extra
	expect_exit usage/extra-argument-exit 2 extra-arg
	run both-files info --caps-file a --save-caps b
	expect_exit usage/caps-file-with-save-caps-exit 2 both-files
}

test_device_errors() {
	local cmd
	# What the host's CPU says decides the advice: pin it to a fixture.
	export VMXLAB_CPUINFO=$TESTS/cpuinfo-intel-vmx.txt
	for cmd in info cpus hold; do
		run "enoent-$cmd" "$cmd" --device /nonexistent
		expect_exit "device/$cmd-enoent-exit" 3 "enoent-$cmd"
		expect_line "device/$cmd-enoent-message" "$OUT/enoent-$cmd.err" "$ENOENT_MSG"
		run "enotty-$cmd" "$cmd" --device /dev/null
		expect_exit "device/$cmd-enotty-exit" 3 "enotty-$cmd"
		expect_line "device/$cmd-enotty-message" "$OUT/enotty-$cmd.err" \
			"vmxlab: /dev/null is not a vmxlab device"
	done
	# A CPU without VT-x: "load the module" would be the wrong advice.
	VMXLAB_CPUINFO=$TESTS/cpuinfo-amd.txt run enoent-novmx info --device /nonexistent
	expect_exit device/no-vtx-exit 3 enoent-novmx
	expect_match device/no-vtx-message "$OUT/enoent-novmx.err" \
		"^vmxlab: /nonexistent not found, and this CPU offers no usable VT-x \\(no 'vmx' flag in /proc/cpuinfo\\)"
	unset VMXLAB_CPUINFO
	run_fake eacces info --device /fake/eacces
	expect_exit device/eacces-exit 3 eacces
	expect_line device/eacces-message "$OUT/eacces.err" \
		"vmxlab: permission denied opening /fake/eacces: it is root-only (mode 0600); run as root"
}

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
		'd["online_cpus"] == 4' 'd["vmx_users"] == 0'
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

test_fake_cpus() {
	local f=$OUT/fake-cpus.out
	run_fake fake-cpus cpus --device /fake/vmxlab
	expect_exit fake/cpus-exit 0 fake-cpus
	expect_line fake/cpus-root-no-vmcs "$f" "cpu0: online vmxon=yes cr4.vmxe=1 vmx-root=yes current-vmcs=none"
	expect_line fake/cpus-offline "$f" "cpu1: offline"
	expect_line fake/cpus-root-vmcs "$f" "cpu2: online vmxon=yes cr4.vmxe=1 vmx-root=yes current-vmcs=0x12345000"
	expect_count fake/cpus-stops-at-einval "$f" "cpu" 3
	run_fake fake-cpus-json cpus --json --device /fake/vmxlab
	expect_python fake/cpus-json "$OUT/fake-cpus-json.out" \
		'len(d["cpus"]) == 3' 'd["cpus"][0]["current_vmcs"] is None' \
		'd["cpus"][1]["online"] is False' \
		'd["cpus"][2]["current_vmcs"] == "0x0000000012345000"'
}

# hold_log NAME EXPECTED: the fake device saw exactly EXPECTED (a b ...).
hold_log() {
	local got
	got=$(tr '\n' ' ' 2>/dev/null < "$OUT/hold.log")
	if [ "$got" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "device calls '$got', expected '$2'"
	fi
}

test_fake_hold() {
	export FAKE_VMXLAB_LOG=$OUT/hold.log
	rm -f "$OUT/hold.log"
	run_fake hold-cmd hold --device /fake/vmxlab -- sh -c 'exit 7'
	expect_exit hold/command-status 7 hold-cmd
	hold_log hold/enable-then-disable "enable disable "

	run_fake hold-args hold --device /fake/vmxlab -- sh -c 'echo "$1"' sh --json
	expect_line hold/command-keeps-its-options "$OUT/hold-args.out" "--json"

	run_fake hold-noexec hold --device /fake/vmxlab -- /nonexistent/command
	expect_exit hold/command-not-found-127 127 hold-noexec

	rm -f "$OUT/hold.log"
	FAKE_VMXLAB_ENABLE=ebusy run_fake hold-busy hold --device /fake/vmxlab -- true
	expect_exit hold/ebusy-exit-4 4 hold-busy
	expect_line hold/ebusy-message "$OUT/hold-busy.err" "$EBUSY_MSG"
	hold_log hold/ebusy-runs-nothing ""

	FAKE_VMXLAB_ENABLE=eio run_fake hold-eio hold --device /fake/vmxlab -- true
	expect_exit hold/other-error-exit-1 1 hold-eio
	expect_match hold/other-error-message "$OUT/hold-eio.err" 'enabling VMX failed: .*; see dmesg$'

	test_hold_signal
	test_hold_forwards_signal
	unset FAKE_VMXLAB_LOG
}

# Wait (up to 5 s) until the fake device has seen ENABLE.
wait_enabled() {
	local i
	for i in $(seq 50); do
		grep -q enable "$OUT/hold.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

test_hold_signal() {
	local pid
	rm -f "$OUT/hold.log"
	LD_PRELOAD=$FAKE "$VMXLAB" hold --device /fake/vmxlab 2> "$OUT/hold-wait.err" &
	pid=$!
	wait_enabled
	sleep 0.2
	kill -TERM "$pid" 2> /dev/null
	wait "$pid"
	rc=$?
	expect_exit hold/sigterm-ends-hold 0 hold-wait
	hold_log hold/sigterm-disables "enable disable "
}

test_hold_forwards_signal() {
	local pid
	rm -f "$OUT/hold.log"
	LD_PRELOAD=$FAKE "$VMXLAB" hold --device /fake/vmxlab -- sleep 30 2> "$OUT/hold-fwd.err" &
	pid=$!
	wait_enabled
	sleep 0.2
	kill -TERM "$pid" 2> /dev/null
	wait "$pid"
	rc=$?
	expect_exit hold/sigterm-reaches-command-143 143 hold-fwd
	hold_log hold/sigterm-command-disables "enable disable "
}

# vmxlab run, without a device that runs guests: its command line, and
# the plain-words ends when the device is missing or runs no guests yet.
test_run() {
	printf '\xf4' > "$OUT/hlt.bin"
	run run-enoent run --device /nonexistent x.bin
	expect_exit run/enoent-exit 3 run-enoent
	expect_line run/enoent-message "$OUT/run-enoent.err" \
		"vmxlab: /nonexistent not found: load its module (vmxlab for /dev/vmxlab, kvm_intel for /dev/kvm)"
	run run-enotty run --device /dev/null "$OUT/hlt.bin"
	expect_exit run/not-kvm-api-exit 3 run-enotty
	run_fake run-no-vm run --device /fake/vmxlab "$OUT/hlt.bin"
	expect_exit run/no-create-vm-exit 1 run-no-vm
	expect_line run/no-create-vm-message "$OUT/run-no-vm.err" \
		"vmxlab: /fake/vmxlab does not run guests yet (this vmxlab has no KVM_CREATE_VM); try --device /dev/kvm"
	for mem in 12Q 32K 65537 2G 99999999999999999999G -1 empty; do
		[ "$mem" != empty ] || mem=''
		run run-bad-mem run --mem "$mem" --device /nonexistent x.bin
		expect_exit "run/bad-mem-${mem:-empty}-exit" 2 run-bad-mem
	done
	expect_match run/bad-mem-message "$OUT/run-bad-mem.err" '^vmxlab: run: --mem'
	run run-good-mem run --mem 64K --device /nonexistent x.bin
	expect_exit run/mem-64K-accepted 3 run-good-mem
	run run-good-mem run --mem 1G --device /nonexistent x.bin
	expect_exit run/mem-1G-accepted 3 run-good-mem
	run run-mode run --mode long --device /nonexistent x.bin
	expect_exit run/mode-long-exit 2 run-mode
	expect_line run/mode-long-message "$OUT/run-mode.err" \
		"vmxlab: run: --mode long: not yet; only real mode runs so far"
	run run-noguest run --device /nonexistent
	expect_exit run/no-guest-exit 2 run-noguest
	run run-twoguests run --device /nonexistent a.bin b.bin
	expect_exit run/two-guests-exit 2 run-twoguests
}

main() {
	local p
	rm -rf "$OUT"
	mkdir -p "$OUT"
	if [ ! -x "$VMXLAB" ]; then
		fail build "$VMXLAB not built"
		exit 1
	fi
	for p in haswell westmere-no-ug core2; do
		./make_caps "$p" "$OUT/$p.caps" || fail "fixture/$p" "make_caps failed"
	done
	test_usage
	test_device_errors
	test_haswell_text
	test_bochs_text
	test_westmere_text
	test_core2_text
	test_json
	test_caps_file_errors
	test_fake_info
	test_fake_cpus
	test_fake_hold
	test_run
	[ "$failures" -eq 0 ]
}

main "$@"
