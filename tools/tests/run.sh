#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vmxlab tool tests, on this host: no module and no VT-x needed.
#
# "vmxlab info --caps-file" decodes fixtures that make_caps writes (MSR
# values filled in by hand from the SDM, decided by vmx/caps.c); the
# device paths run against fakedev.so, an LD_PRELOAD stand-in for
# /dev/vmxlab and /dev/kvm.  One line per check: "PASS name" or "FAIL name: reason".
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
	for cmd in info cpus hold run stat; do
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
# the plain-words ends when the device is missing or cannot make a VM.
test_run() {
	local mode bad
	printf '\xf4' > "$OUT/hlt.bin"
	run run-enoent run --device /nonexistent x.bin
	expect_exit run/enoent-exit 3 run-enoent
	expect_line run/enoent-message "$OUT/run-enoent.err" \
		"vmxlab: /nonexistent not found: load its module (vmxlab for /dev/vmxlab, kvm_intel for /dev/kvm)"
	run run-enotty run --device /dev/null "$OUT/hlt.bin"
	expect_exit run/not-kvm-api-exit 3 run-enotty
	# A device without VMs: KVM_CREATE_VM fails with ENOTTY.
	FAKE_KVM_NO_VM=enotty run_fake run-no-vm run --device /fake/vmxlab "$OUT/hlt.bin"
	expect_exit run/create-vm-fails-exit 1 run-no-vm
	expect_line run/create-vm-fails-message "$OUT/run-no-vm.err" \
		"vmxlab: KVM_CREATE_VM on /fake/vmxlab failed: Inappropriate ioctl for device"
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
	for mode in real protected paged long; do
		run run-mode run --mode "$mode" --device /nonexistent x.bin
		expect_exit "run/mode-$mode-accepted" 3 run-mode
	done
	run run-mode run --mode virtual86 --device /nonexistent x.bin
	expect_exit run/mode-unknown-exit 2 run-mode
	expect_line run/mode-unknown-message "$OUT/run-mode.err" \
		"vmxlab: run: --mode virtual86: unknown mode (real, protected, paged or long)"
	run run-mode-mem run --mode long --mem 64K --device /nonexistent x.bin
	expect_exit run/mode-long-64K-exit 2 run-mode-mem
	expect_match run/mode-long-64K-message "$OUT/run-mode-mem.err" '^vmxlab: run: --mode long needs --mem 128K'
	for bad in "--vcpus 0" "--vcpus 9" "--vcpus x" "--vcpus 1x" "--timeout 0" "--timeout x"; do
		# shellcheck disable=SC2086 # an option and its value
		run run-bad-num run $bad --device /nonexistent x.bin
		expect_exit "run/bad-${bad#--}-exit" 2 run-bad-num
	done
	expect_line run/bad-number-message "$OUT/run-bad-num.err" \
		"vmxlab: run: --timeout 'x': give a number from 1 to 86400"
	run run-good-num run --vcpus 8 --timeout 5 --migrate --device /nonexistent x.bin
	expect_exit run/vcpus-8-timeout-migrate-accepted 3 run-good-num
	run run-noguest run --device /nonexistent
	expect_exit run/no-guest-exit 2 run-noguest
	run run-twoguests run --device /nonexistent a.bin b.bin
	expect_exit run/two-guests-exit 2 run-twoguests
}

test_run_help() {
	local f=$OUT/run-help.out
	run run-help run --help
	expect_exit run-help/exit 0 run-help
	expect_match run-help/modes "$f" '^  real +16-bit real mode'
	expect_match run-help/long-mode "$f" '^  long +64-bit mode'
	expect_match run-help/reserved-region "$f" 'the top 64 KiB of guest memory'
	expect_match run-help/mmio "$f" 'MMIO 0xD0000000-0xD0000FFF'
	expect_match run-help/vcpus-rbx "$f" 'vCPU i has i in RBX'
	expect_match run-help/elf "$f" 'PT_LOAD segment'
	expect_match run-help/timeout "$f" '^  --timeout SECS'
	expect_match run-help/migrate "$f" '^  --migrate'
	expect_match run-help/status-5 "$f" '5 the guest triple-faulted'
	expect_match run-help/status-6 "$f" '6 a signal or$'
	if grep -q dump-setup "$f"; then
		fail run-help/dump-setup-hidden "--dump-setup is in --help"
	else
		pass run-help/dump-setup-hidden
	fi
}

# expect_gdt_matches NAME FILE: each segment register of the dump equals
# the GDT descriptor its selector names (decoded here, independently).
expect_gdt_matches() {
	local err
	if err=$(python3 - "$2" 2>&1 <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
gdt = {int(m[1]): int(m[2], 16) for m in (re.match(r"gdt\[(\d+)\]=0x(\w+)$", l) for l in lines) if m}
seen = 0
for l in lines:
    m = re.match(r"(cs|ds|ss|tr): (.*)", l)
    if not m:
        continue
    seen += 1
    f = {k: int(v, 0) for k, v in (kv.split("=") for kv in m[2].split())}
    d = gdt[f["selector"] >> 3]
    g = d >> 55 & 1
    limit = (d & 0xffff) | (d >> 48 & 0xf) << 16
    got = dict(base=(d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24,
               limit=(limit << 12 | 0xfff) if g else limit,
               type=d >> 40 & 0xf, s=d >> 44 & 1, dpl=d >> 45 & 3,
               present=d >> 47 & 1, l=d >> 53 & 1, db=d >> 54 & 1, g=g)
    for k, v in got.items():
        assert f[k] == v, f"{m[1]}.{k}: sregs {f[k]:#x}, gdt {v:#x}"
assert seen == 4, f"{seen} segment lines"
PY
	); then
		pass "$1"
	else
		fail "$1" "$(echo "$err" | tail -n 1)"
	fi
}

# --dump-setup: the state run_setup.c gives the vCPU, values worked out
# by hand from the SDM (Vol. 3A: segment descriptors, 32-bit and 4-level
# paging).  If these fail, a guest starts in the wrong mode or faults.
test_run_setup() {
	local f
	f=$OUT/setup-long.out
	run setup-long run --dump-setup --mode long "$OUT/hlt.bin"
	expect_exit setup/long-exit 0 setup-long
	expect_line setup/long-crs "$f" "cr0=0x80010031 cr3=0xf1000 cr4=0x20 efer=0x500"
	expect_line setup/long-cs "$f" \
		"cs: selector=0x18 base=0x0 limit=0xffffffff type=11 present=1 dpl=0 db=0 s=1 l=1 g=1 avl=0 unusable=0"
	expect_line setup/long-ss "$f" \
		"ss: selector=0x10 base=0x0 limit=0xffffffff type=3 present=1 dpl=0 db=1 s=1 l=0 g=1 avl=0 unusable=0"
	expect_line setup/busy-tss "$f" \
		"tr: selector=0x20 base=0xf0100 limit=0x67 type=11 present=1 dpl=0 db=0 s=0 l=0 g=0 avl=0 unusable=0"
	expect_match setup/ldt-unusable "$f" '^ldt: .* unusable=1$'
	expect_line setup/gdt-code32 "$f" "gdt[1]=0x00cf9b000000ffff"
	expect_line setup/gdt-data "$f" "gdt[2]=0x00cf93000000ffff"
	expect_line setup/gdt-code64 "$f" "gdt[3]=0x00af9b000000ffff"
	expect_line setup/gdt-tss "$f" "gdt[4]=0x00008b0f01000067"
	expect_line setup/pml4 "$f" "pml4[0]=0x00000000000f2003 pml4[1]=0x0000000000000000"
	expect_line setup/pdpt3 "$f" "pdpt[3]=0x00000000000f6003"
	expect_line setup/pdpt4-empty "$f" "pdpt[4]=0x0000000000000000"
	expect_line setup/pd-2048 "$f" "pd: 2048 entries present"
	expect_line setup/pd-2m-pages "$f" \
		"pd0[0]=0x0000000000000083 pd0[1]=0x0000000000200083 pd3[511]=0x00000000ffe00083"
	expect_line setup/entry-stack "$f" "rip=0x1000 rsp=0x1000 rflags=0x2"
	f=$OUT/setup-paged.out
	run setup-paged run --dump-setup --mode paged --mem 128K "$OUT/hlt.bin"
	expect_line setup/paged-crs "$f" "cr0=0x80010031 cr3=0x11000 cr4=0x10 efer=0x0"
	expect_line setup/paged-cs "$f" \
		"cs: selector=0x8 base=0x0 limit=0xffffffff type=11 present=1 dpl=0 db=1 s=1 l=0 g=1 avl=0 unusable=0"
	expect_line setup/paged-pd "$f" "pd: 1024 entries present"
	expect_line setup/paged-4m-pages "$f" "pd[1023]=0xffc00083"
	expect_line setup/paged-tss-base "$f" "gdt[4]=0x00008b0101000067"
	f=$OUT/setup-prot.out
	run setup-prot run --dump-setup --mode protected "$OUT/hlt.bin"
	expect_line setup/protected-crs "$f" "cr0=0x31 cr3=0x0 cr4=0x0 efer=0x0"
	expect_count setup/protected-no-paging "$f" "pd" 0
	expect_gdt_matches setup/gdt-matches-sregs-long "$OUT/setup-long.out"
	expect_gdt_matches setup/gdt-matches-sregs-paged "$OUT/setup-paged.out"
}

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

# run_kvm NAME DEVICE SCRIPT ARGS...: vmxlab run against the stand-in's
# scripted KVM-API part ($OUT/NAME.log: what the device was told).
run_kvm() {
	local name=$1 dev=$2 script=$3
	shift 3
	rm -f "$OUT/$name.log"
	FAKE_KVM_SCRIPT=$script FAKE_KVM_LOG=$OUT/$name.log LD_PRELOAD=$FAKE \
		"$VMXLAB" run --device "/fake/$dev" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
	rc=$?
}

# expect_tail NAME FILE LINES...: the last lines of FILE are LINES, in
# this order (hex values as X).
expect_tail() {
	local name=$1 file=$2 n got
	shift 2
	n=$#
	got=$(tail -n "$n" "$file" | sed 's/=0x[0-9a-f]*/=X/g')
	if [ "$got" = "$(printf '%s\n' "$@")" ]; then
		pass "$name"
	else
		fail "$name" "last lines '$(echo "$got" | tr '\n' '|')'"
	fi
}

# The run loop, the devices and --trace, on the scripted device.  If these
# fail, a guest's port or MMIO access gets a wrong answer or is lost.
test_run_devices() {
	local s=$OUT/devices.script f=$OUT/kvm-dev
	printf '%s\n' 'outs 0xe9 Hello' 'out 0x3f8 1 0x0a' 'out 0x510 4 0x12345678' \
		'in 0x510 4 1' 'in 0x3fd 1 1' 'in 0x60 2 2' 'out 0x80 1 1' \
		'mmio-write 0xd0000010 4 0xcafef00d' 'mmio-read 0xd0000010 4' \
		'mmio-read 0xd0000012 2' 'mmio-write 0xd0000ff8 8 0x1122334455667788' \
		'mmio-read 0xd0000ffc 4' 'mmio-read 0xe0000000 4' \
		'mmio-write 0xe0000000 4 5' 'out 0xf4 1 0xa5' > "$s"
	run_kvm kvm-dev vmxlab "$s" --trace --mode long "$OUT/hlt.bin"
	expect_exit run-kvm/debug-exit-status-0x25 37 kvm-dev
	if [ "$(cat "$f.out")" = Hello ]; then
		pass run-kvm/rep-outsb-and-com1
	else
		fail run-kvm/rep-outsb-and-com1 "stdout '$(head -c 100 "$f.out")'"
	fi
	expect_line run-kvm/sregs-long "$f.log" \
		"vcpu0 sregs cr0=0x80010031 cr3=0xf1000 cr4=0x20 efer=0x500 cs=0x18 tr=0x20 ldt.unusable=1"
	expect_line run-kvm/regs "$f.log" "vcpu0 regs rip=0x1000 rsp=0x1000 rbx=0x0"
	expect_line run-kvm/scratch-port "$f.log" "vcpu0 in 0x510 = 0x12345678"
	expect_line run-kvm/com1-lsr "$f.log" "vcpu0 in 0x3fd = 0x60"
	expect_count run-kvm/rep-insw-ones "$f.log" "vcpu0 in 0x60 = 0xffff" 2
	expect_line run-kvm/mmio-scratch "$f.log" "vcpu0 mmio-read 0xd0000010 = 0xcafef00d"
	expect_line run-kvm/mmio-scratch-le "$f.log" "vcpu0 mmio-read 0xd0000012 = 0xcafe"
	expect_line run-kvm/mmio-scratch-top "$f.log" "vcpu0 mmio-read 0xd0000ffc = 0x11223344"
	expect_line run-kvm/mmio-elsewhere-ones "$f.log" "vcpu0 mmio-read 0xe0000000 = 0xffffffff"
	expect_line run-kvm/trace-string-io "$f.err" \
		"exit: KVM_EXIT_IO out port 0x00e9 size 1 count 5 data 0x48 0x65 0x6c 0x6c 0x6f rip 0x1002"
	expect_line run-kvm/trace-in-data "$f.err" \
		"exit: KVM_EXIT_IO in port 0x0510 size 4 count 1 data 0x12345678 rip 0x1008"
	expect_line run-kvm/trace-mmio-read-data "$f.err" \
		"exit: KVM_EXIT_MMIO read address 0xd0000010 len 4 data 0xcafef00d rip 0x1012"
	expect_line run-kvm/trace-vmx-exit "$f.err" \
		"  vmx exit: IO_INSTRUCTION: rep outs 1 byte to port 0xe9 (reason 0x1e, qualification 0xe90030) rip 0x1002"
	expect_line run-kvm/ports-counted "$f.err" "ports: 1 write(s) ignored, 2 read(s) of unanswered ports"
	expect_line run-kvm/mmio-counted "$f.err" "mmio: 1 write(s) ignored, 1 read(s) of unanswered addresses"
	expect_tail run-kvm/summary-last-lines "$f.err" \
		"regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"vmx exits: io_instruction 8, ept_violation 7" \
		"exits: io 8, mmio 7"
	# On KVM there is no vmxlab_exit_info: no "vmx" lines at all.
	run_kvm kvm-plain kvm "$s" --trace "$OUT/hlt.bin"
	expect_exit run-kvm/plain-kvm-exit 37 kvm-plain
	expect_count run-kvm/plain-kvm-no-vmx-lines "$OUT/kvm-plain.err" "vmx exit" 0
	expect_tail run-kvm/plain-kvm-last-lines "$OUT/kvm-plain.err" \
		"regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"exits: io 8, mmio 7"
	printf 'hlt\n' > "$OUT/hlt.script"
	run_kvm kvm-hlt kvm "$OUT/hlt.script" "$OUT/hlt.bin"
	expect_exit run-kvm/hlt-exit-0 0 kvm-hlt
	if [ -s "$OUT/kvm-hlt.err" ]; then
		fail run-kvm/hlt-quiet "stderr: $(head -c 200 "$OUT/kvm-hlt.err")"
	else
		pass run-kvm/hlt-quiet
	fi
	FAKE_KVM_NO_VM=1 run_kvm kvm-novm kvm "$OUT/hlt.script" "$OUT/hlt.bin"
	expect_exit run-kvm/create-vm-fails-exit 1 kvm-novm
	expect_line run-kvm/create-vm-fails-message "$OUT/kvm-novm.err" \
		"vmxlab: KVM_CREATE_VM on /fake/kvm failed: No such device"
}

# Ends other than HLT and a debug exit: a status and a message each.
test_run_ends() {
	printf 'outs 0xe9 x\nshutdown\n' > "$OUT/sd.script"
	run_kvm kvm-sd vmxlab "$OUT/sd.script" --trace "$OUT/hlt.bin"
	expect_exit run-end/shutdown-exit-5 5 kvm-sd
	expect_line run-end/shutdown-message "$OUT/kvm-sd.err" "vmxlab: guest triple-faulted (KVM_EXIT_SHUTDOWN)"
	expect_tail run-end/shutdown-summary "$OUT/kvm-sd.err" \
		"vmx exits: triple_fault 1, io_instruction 1" "exits: io 1, shutdown 1"
	printf 'fail-entry 0x80000021\n' > "$OUT/fe.script"
	run_kvm kvm-fe vmxlab "$OUT/fe.script" "$OUT/hlt.bin"
	expect_exit run-end/fail-entry-exit-1 1 kvm-fe
	expect_line run-end/fail-entry-message "$OUT/kvm-fe.err" \
		"vmxlab: the vCPU could not enter the guest (KVM_EXIT_FAIL_ENTRY): hardware entry failure reason 0x80000021 (VM entry failed (bit 31), basic exit reason 33 ENTRY_FAIL_GUEST_STATE) on CPU 1; qualification 0x0: VM-entry failure: ENTRY_FAIL_GUEST_STATE (invalid guest state)"
	printf 'fail-entry 7\n' > "$OUT/fe7.script"
	run_kvm kvm-fe7 kvm "$OUT/fe7.script" "$OUT/hlt.bin"
	expect_match run-end/fail-entry-vmfail-message "$OUT/kvm-fe7.err" \
		'hardware entry failure reason 0x7 \(VM-instruction error 7 .*\) on CPU 1$'
	printf 'internal 1 0x10 0x20\n' > "$OUT/ie.script"
	run_kvm kvm-ie kvm "$OUT/ie.script" "$OUT/hlt.bin"
	expect_exit run-end/internal-error-exit-1 1 kvm-ie
	expect_match run-end/internal-error-message "$OUT/kvm-ie.err" \
		'KVM_EXIT_INTERNAL_ERROR, suberror 1: .* 2 data word\(s\): 0x10 0x20$'
	printf 'exit 4\n' > "$OUT/dbg.script"
	run_kvm kvm-dbg kvm "$OUT/dbg.script" "$OUT/hlt.bin"
	expect_exit run-end/unhandled-exit-1 1 kvm-dbg
	expect_match run-end/unhandled-message "$OUT/kvm-dbg.err" 'an exit this tool does not handle: KVM_EXIT_DEBUG'
}

# --vmcs-write: parsed by name or encoding, handed to VMXLAB_SET_VMCS on
# vCPU 0 before it runs, refused on a device that is not vmxlab, and a
# refusal explained.
test_run_vmcs_write() {
	local f=$OUT/kvm-vw i many=()
	run run-vw-noeq run --vmcs-write GUEST_CR0 --device /nonexistent x.bin
	expect_exit run-vmcs-write/no-equals-usage 2 run-vw-noeq
	run run-vw-name run --vmcs-write GUEST_CRO=1 --device /nonexistent x.bin
	expect_exit run-vmcs-write/unknown-name-usage 2 run-vw-name
	expect_match run-vmcs-write/unknown-name-message "$OUT/run-vw-name.err" \
		'--vmcs-write GUEST_CRO=1: want FIELD=VALUE'
	run run-vw-val run --vmcs-write GUEST_RIP=12x --device /nonexistent x.bin
	expect_exit run-vmcs-write/bad-value-usage 2 run-vw-val
	run run-vw-neg run --vmcs-write GUEST_RIP=-1 --device /nonexistent x.bin
	expect_exit run-vmcs-write/negative-value-usage 2 run-vw-neg
	for i in $(seq 17); do many+=(--vmcs-write GUEST_RIP=$i); done
	run run-vw-many run "${many[@]}" --device /nonexistent x.bin
	expect_exit run-vmcs-write/seventeen-usage 2 run-vw-many
	echo hlt > "$OUT/hlt.script"
	run_kvm kvm-vw vmxlab "$OUT/hlt.script" --vmcs-write guest_cr0=0x80000011 \
		--vmcs-write 0x4826=4 "$OUT/hlt.bin"
	expect_exit run-vmcs-write/written-then-runs 0 kvm-vw
	expect_line run-vmcs-write/by-name "$f.log" "vcpu0 set-vmcs 0x6800=0x80000011"
	expect_line run-vmcs-write/by-encoding "$f.log" "vcpu0 set-vmcs 0x4826=0x4"
	expect_line run-vmcs-write/said "$f.err" \
		"vmxlab: vCPU 0: wrote GUEST_CR0 = 0x80000011 into the VMCS (--vmcs-write)"
	expect_line run-vmcs-write/model-verdict "$f.err" \
		"vmxlab: the model of the VM-entry checks predicts: entry succeeds"
	run_kvm kvm-vw-kvm kvm "$OUT/hlt.script" --vmcs-write GUEST_RIP=0 "$OUT/hlt.bin"
	expect_exit run-vmcs-write/kvm-usage 2 kvm-vw-kvm
	expect_match run-vmcs-write/kvm-message "$OUT/kvm-vw-kvm.err" 'is not vmxlab: no VMCS to write'
	FAKE_KVM_SET_VMCS_ERRNO=1 run_kvm kvm-vw-eperm vmxlab "$OUT/hlt.script" \
		--vmcs-write HOST_RIP=0 "$OUT/hlt.bin"
	expect_exit run-vmcs-write/refused-exit-1 1 kvm-vw-eperm
	expect_match run-vmcs-write/refused-message "$OUT/kvm-vw-eperm.err" 'vmxlab refused: it writes guest segments'
}

# --watch on the scripted device: the watches set, one line per hit, each
# resumed as its watch says, --watch-max, and the refusals.  If these
# fail, a user watching guest memory is shown the wrong access, or the
# tool lets through an access it was told to block (or the reverse).
test_run_watch() {
	local f=$OUT/kvm-w
	printf '%s
' 'watch 0x3000 2 0x1010' 'watch 0x5008 4 0x5008' 'watch 0x3002 3 0x1020' \
		'out 0xf4 1 0x21' > "$OUT/w.script"
	run_kvm kvm-w vmxlab "$OUT/w.script" --trace --watch 0x3000:w:once \
		--watch 0x5000+8K:rwx:block "$OUT/hlt.bin"
	expect_exit run-watch/guest-goes-on 33 kvm-w
	expect_line run-watch/set-first "$f.log" "watch gpa=0x3000 size=0x1000 deny=2"
	expect_line run-watch/set-second "$f.log" "watch gpa=0x5000 size=0x2000 deny=7"
	expect_line run-watch/hit-write "$f.err" \
		"watch: vcpu 0 write gpa 0x3000 rip 0x1010 gla 0x13000 -> allowed once"
	expect_line run-watch/hit-exec-blocked "$f.err" \
		"watch: vcpu 0 exec gpa 0x5008 rip 0x5008 gla 0x15008 -> blocked"
	expect_line run-watch/hit-read-write "$f.err" \
		"watch: vcpu 0 read+write gpa 0x3002 rip 0x1020 gla 0x13002 -> allowed once"
	if [ "$(grep watch-resume "$f.log" | tr '\n' '|')" = \
	     "vcpu0 watch-resume allow-once|vcpu0 watch-resume block|vcpu0 watch-resume allow-once|" ]; then
		pass run-watch/resumed-as-asked
	else
		fail run-watch/resumed-as-asked "log: $(grep watch-resume "$f.log" | tr '\n' '|')"
	fi
	expect_match run-watch/trace-names-exit "$f.err" "^exit: VMXLAB_EXIT_EPT_WATCH rip 0x[0-9a-f]+$"
	expect_tail run-watch/summary "$f.err" "exits: io 1, ept_watch 3"
	run_kvm kvm-wmax vmxlab "$OUT/w.script" --watch 0x3000:w --watch 0x5000:x:block \
		--watch-max 2 "$OUT/hlt.bin"
	expect_exit run-watch/max-status-7 7 kvm-wmax
	expect_line run-watch/max-message "$OUT/kvm-wmax.err" \
		"vmxlab: watch: 2 hits, giving up (--watch-max 2)"
	run_kvm kvm-wkvm kvm "$OUT/w.script" --watch 0x3000:w "$OUT/hlt.bin"
	expect_exit run-watch/kvm-refused 1 kvm-wkvm
	expect_line run-watch/kvm-refused-message "$OUT/kvm-wkvm.err" \
		"vmxlab: --watch: /fake/kvm has no EPT watches (vmxlab only)"
	run_kvm kvm-wbad vmxlab "$OUT/w.script" --watch 0x3004:w "$OUT/hlt.bin"
	expect_exit run-watch/einval 1 kvm-wbad
	expect_match run-watch/einval-message "$OUT/kvm-wbad.err" \
		'VMXLAB_SET_EPT_WATCH failed: Invalid argument \(GPA and LEN must be multiples of 4K\)'
	for bad in 0x3000 0x3000:q 0x3000:ww x3000:w 0x3000:w:maybe 0x3000+:w; do
		run watch-usage run --watch "$bad" "$OUT/hlt.bin"
		expect_exit "run-watch/usage-$bad" 2 watch-usage
	done
	expect_match run-watch/usage-message "$OUT/watch-usage.err" \
		"^vmxlab: run: --watch '0x3000\+:w': give GPA\[\+LEN\]:DENY"
}

# Several vCPUs: RBX, the status rule, one vCPU's triple fault ends all.
test_run_vcpus() {
	printf '0:out 0xf4 1 0\n1:outs 0xe9 one\n1:out 0xf4 1 33\n2:hlt\n' > "$OUT/v.script"
	run_kvm kvm-v kvm "$OUT/v.script" --vcpus 3 --trace --mode protected "$OUT/hlt.bin"
	expect_exit run-vcpus/first-nonzero-status 33 kvm-v
	expect_line run-vcpus/rbx-is-id "$OUT/kvm-v.log" "vcpu2 regs rip=0x1000 rsp=0x1000 rbx=0x2"
	expect_count run-vcpus/every-vcpu-in-mode "$OUT/kvm-v.log" "sregs cr0=0x31 " 3
	expect_line run-vcpus/output "$OUT/kvm-v.out" "one"
	expect_line run-vcpus/ends "$OUT/kvm-v.err" "vcpu1: debug exit, status 33"
	expect_match run-vcpus/trace-names-vcpu "$OUT/kvm-v.err" '^vcpu1 exit: KVM_EXIT_IO out port 0x00e9'
	expect_tail run-vcpus/last-lines "$OUT/kvm-v.err" \
		"vcpu2 regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"vcpu1 regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"exits: io 3, hlt 1"
	printf '0:block\n1:block\n2:shutdown\n' > "$OUT/vsd.script"
	run_kvm kvm-vsd kvm "$OUT/vsd.script" --vcpus 3 --timeout 20 "$OUT/hlt.bin"
	expect_exit run-vcpus/triple-fault-ends-all 5 kvm-vsd
}

# wait_log FILE TEXT: up to 5 s for the scripted device to log TEXT.
wait_log() {
	local i
	for i in $(seq 50); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# A signal stops a running guest: status 6, KVM_EXIT_INTR, every vCPU.
test_run_signals() {
	local sig pid
	printf 'in 0x510 1 1\nblock\n' > "$OUT/blk.script"
	for sig in INT TERM; do
		rm -f "$OUT/sig.log"
		FAKE_KVM_SCRIPT=$OUT/blk.script FAKE_KVM_LOG=$OUT/sig.log LD_PRELOAD=$FAKE \
			"$VMXLAB" run --device /fake/kvm --vcpus 2 --trace "$OUT/hlt.bin" \
			> "$OUT/sig.out" 2> "$OUT/sig.err" &
		pid=$!
		wait_log "$OUT/sig.log" "vcpu1 in 0x510"
		wait_log "$OUT/sig.log" "vcpu0 in 0x510"
		sleep 0.2
		kill -"$sig" "$pid"
		wait "$pid"
		rc=$?
		expect_exit "run-signal/sig$sig-exit-6" 6 sig
		expect_line "run-signal/sig$sig-message" "$OUT/sig.err" \
			"vmxlab: guest stopped by signal SIG$sig (KVM_EXIT_INTR)"
		expect_tail "run-signal/sig$sig-both-vcpus-intr" "$OUT/sig.err" "exits: io 2, intr 2"
	done
	run_kvm kvm-timeout kvm "$OUT/blk.script" --timeout 1 "$OUT/hlt.bin"
	expect_exit run-signal/timeout-exit-6 6 kvm-timeout
	expect_line run-signal/timeout-message "$OUT/kvm-timeout.err" \
		"vmxlab: guest stopped by the --timeout of 1 s (SIGALRM, KVM_EXIT_INTR)"
	run_kvm kvm-migrate kvm "$OUT/blk.script" --timeout 1 --migrate --vcpus 2 --trace "$OUT/hlt.bin"
	expect_exit run-signal/migrate-timeout-exit-6 6 kvm-migrate
	if [ "$(nproc)" -gt 1 ]; then
		expect_match run-migrate/moves "$OUT/kvm-migrate.err" '^migrations: [1-9][0-9]*$'
	else
		expect_match run-migrate/one-cpu "$OUT/kvm-migrate.err" '^migrate: .*one CPU only'
	fi
	expect_tail run-migrate/regs-then-exits "$OUT/kvm-migrate.err" \
		"vcpu1 regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"regs: rax=X rbx=X rcx=X rdx=X rsi=X rdi=X rsp=X rbp=X rip=X rflags=X" \
		"exits: io 2, intr 2"
	if [ "$(nproc)" -le 1 ] || tail -n 4 "$OUT/kvm-migrate.err" | head -n 1 | grep -q '^migrations: '; then
		pass run-migrate/migrations-line-before-regs
	else
		fail run-migrate/migrations-line-before-regs "no 'migrations:' line just before the regs lines"
	fi
}

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
	expect_match run-cpuid-file/help "$OUT/run-help.out" "^  --cpuid-file FILE"
	expect_match run-cpuid-file/help-format "$OUT/run-help.out" "function index flags eax ebx ecx edx"
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
	test_run_help
	test_run_setup
	test_run_load
	test_stat
	test_run_devices
	test_run_watch
	test_run_ends
	test_run_vcpus
	test_run_signals
	test_run_vmcs_write
	test_run_cycles
	test_run_cpuid_file
	[ "$failures" -eq 0 ]
}

main "$@"
