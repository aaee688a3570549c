# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab ps.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# status_file FILE PID COMM VCPU-LINES...: a VM's status file as
# vmx/stats.c writes it, one slot of 260 pinned pages, 5 EPT pages,
# 1100 CPUID and 100 port I/O exits.
status_file() {
	local file=$1 pid=$2 comm=$3
	shift 3
	{
		printf 'pid %s\ncomm %s\nslots 1\npinned_pages 260\nept_pages 5\nvcpus %s\n' \
			"$pid" "$comm" "$#"
		[ $# -eq 0 ] || printf '%s\n' "$@"
		printf 'exits 1200\nexit 10 CPUID 1100\nexit 30 IO_INSTRUCTION 100\nexits_other 0\n'
	} > "$file"
}

# Two VMs, a VM that went while being listed (its directory without the
# file), and an entry that is no VM.  If these fail, ps misreads a column,
# lists something that is no VM, or stops at a VM that just ended.
test_ps_list() {
	local d=$OUT/ps-debugfs f=$OUT/ps.out
	mkdir -p "$d/vm-42-1" "$d/vm-42-10" "$d/vm-43-2" "$d/vm-44-3" "$d/junk"
	status_file "$d/vm-42-1/status" 42 vmxlab \
		'vcpu 0 cpu 1 state running exits 1000 entries 1001' \
		'vcpu 1 cpu -1 state user exits 200 entries 200'
	status_file "$d/vm-42-10/status" 42 vmxlab 'vcpu 0 cpu 0 state halted exits 1200 entries 1200'
	status_file "$d/vm-43-2/status" 43 qemu-system-x86
	echo 'pid 1' > "$d/junk/status"
	VMXLAB_DEBUGFS=$d run ps ps
	expect_exit ps/exit-0 0 ps
	expect_match ps/header "$f" '^VM +PID +COMMAND +VCPUS +SLOTS +PINNED +EPT +EXITS +CPU/STATE$'
	expect_match ps/two-vcpus "$f" \
		'^vm-42-1 +42 +vmxlab +2 +1 +260 +5 +1200 +0:1/running 1:-/user$'
	expect_match ps/halted "$f" '^vm-42-10 +42 +vmxlab +1 +1 +260 +5 +1200 +0:0/halted$'
	expect_match ps/no-vcpus "$f" '^vm-43-2 +43 +qemu-system-x86 +0 +1 +260 +5 +1200 +-$'
	expect_count ps/one-line-per-vm "$f" "vm-" 3
	if [ "$(sed -n '2s/ .*//p;3s/ .*//p' "$f" | tr '\n' ' ')" = "vm-42-1 vm-42-10 " ]; then
		pass ps/numeric-order
	else
		fail ps/numeric-order "lines 2-3: $(sed -n '2,3p' "$f" | tr '\n' '|')"
	fi
	VMXLAB_DEBUGFS=$d run ps-json ps --json
	expect_exit ps/json-exit-0 0 ps-json
	expect_python ps/json "$OUT/ps-json.out" \
		'[v["vm"] for v in d["vms"]] == ["vm-42-1", "vm-42-10", "vm-43-2"]' \
		'd["vms"][0]["pid"] == 42 and d["vms"][0]["comm"] == "vmxlab"' \
		'd["vms"][0]["slots"] == 1 and d["vms"][0]["pinned_pages"] == 260' \
		'd["vms"][0]["ept_pages"] == 5 and d["vms"][0]["exits"] == 1200' \
		'd["vms"][0]["vcpus"][0] == {"id": 0, "cpu": 1, "state": "running", "exits": 1000, "entries": 1001}' \
		'd["vms"][0]["vcpus"][1]["cpu"] is None' \
		'd["vms"][0]["exits_by_reason"] == {"CPUID": 1100, "IO_INSTRUCTION": 100}' \
		'd["vms"][2]["vcpus"] == []'
}

# No VMs, no directory, a file the tool does not understand, bad options.
# If these fail, ps prints an empty table or a wrong count instead of
# saying what is wrong.
test_ps_errors() {
	local d=$OUT/ps-bad
	mkdir -p "$OUT/ps-empty"
	VMXLAB_DEBUGFS=$OUT/ps-empty run ps-empty ps
	expect_exit ps/empty-exit-0 0 ps-empty
	expect_line ps/no-vms "$OUT/ps-empty.out" "no VMs running"
	VMXLAB_DEBUGFS=$OUT/ps-empty run ps-empty-json ps --json
	expect_python ps/no-vms-json "$OUT/ps-empty-json.out" 'd == {"vms": []}'
	VMXLAB_DEBUGFS=$OUT/no-such-dir run ps-missing ps
	expect_exit ps/missing-exit-3 3 ps-missing
	expect_match ps/missing-says-load "$OUT/ps-missing.err" 'not found: load vmxlab, and mount debugfs'
	mkdir -p "$d/vm-9-1"
	status_file "$d/vm-9-1/status" 9 x 'vcpu 0 cpu 0 state running exits 1 entries 1'
	echo 'exit 80 NOT_A_REASON 1' >> "$d/vm-9-1/status"
	VMXLAB_DEBUGFS=$d run ps-bad ps
	expect_exit ps/reason-past-table-exit-1 1 ps-bad
	expect_line ps/reason-past-table-named "$OUT/ps-bad.err" \
		"vmxlab: cannot parse $d/vm-9-1/status: 'exit 80 NOT_A_REASON 1'"
	status_file "$d/vm-9-1/status" 9 x 'vcpu 0 cpu 0 state running exits 1x entries 1'
	VMXLAB_DEBUGFS=$d run ps-bad2 ps
	expect_exit ps/bad-number-exit-1 1 ps-bad2
	run ps-opt ps --bogus
	expect_exit ps/bad-option-exit-2 2 ps-opt
	run ps-arg ps extra
	expect_exit ps/extra-argument-exit-2 2 ps-arg
	run ps-help ps --help
	expect_match ps/help "$OUT/ps-help.out" '^Usage: vmxlab ps \[--json\]$'
}

run_cases() {
	test_ps_list
	test_ps_errors
}
