# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab top.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# top_status FILE CPUID IO: a one-vCPU VM's status file with CPUID and
# port I/O exit counts (vmx/stats.c's format).
top_status() {
	printf '%s\n' 'pid 42' 'comm vmxlab' 'slots 1' 'pinned_pages 4' 'ept_pages 5' 'vcpus 1' \
		"vcpu 0 cpu 0 state running exits $(($2 + $3 + 7)) entries 1" \
		"exits $(($2 + $3 + 7))" "exit 10 CPUID $2" "exit 12 HLT 7" "exit 30 IO_INSTRUCTION $3" \
		'exits_other 0' > "$1.new"
	mv "$1.new" "$1"
}

# in_range NAME VALUE LOW HIGH
in_range() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		pass "$1"
	else
		fail "$1" "'$2', expected $3..$4"
	fi
}

# Rates from two reads 2 s apart, the counts changed in between: 2000
# more CPUID exits, 200 more port I/O, no more HLT; a VM that ended, one
# that started (all of its exits are new).  If these fail, top divides by the wrong time, shows a
# reason that did not grow, orders the reasons wrongly, or keeps a VM
# that went.
test_top_batch() {
	local d=$OUT/top-debugfs f=$OUT/top.out vm42
	mkdir -p "$d/vm-42-1" "$d/vm-43-2"
	top_status "$d/vm-42-1/status" 1000 100
	top_status "$d/vm-43-2/status" 5 5
	VMXLAB_DEBUGFS=$d "$VMXLAB" top -b -n 1 -d 2 > "$f" 2> "$OUT/top.err" &
	sleep 1
	top_status "$d/vm-42-1/status" 3000 300
	rm -r "$d/vm-43-2"
	mkdir -p "$d/vm-44-3"
	top_status "$d/vm-44-3/status" 50 0
	wait $!
	# shellcheck disable=SC2034 # read by expect_exit
	rc=$?
	expect_exit top/exit-0 0 top
	expect_count top/one-report "$f" "vmxlab top:" 1
	expect_match top/header "$f" '^vmxlab top: 2 VMs, exits per second over the last 2\.[0-9]{2} s$'
	# vm-42-1's lines: the VM's, then its reasons.
	vm42=$(awk '/^vm-/ { on = ($1 == "vm-42-1") } on' "$f")
	# 2000 exits over 2 s and what the loaded host adds to the interval.
	in_range top/cpuid-rate "$(echo "$vm42" | awk '$1 == "CPUID" && $4 == 3000 { print $3 }')" 800 1000
	in_range top/io-rate "$(echo "$vm42" | awk '$1 == "IO_INSTRUCTION" && $4 == 300 { print $3 }')" 80 100
	in_range top/vm-rate "$(echo "$vm42" | awk '$1 == "vm-42-1" && $5 == 3307 { print $4 }')" 880 1100
	if [ "$(echo "$vm42" | awk '{ print $1 }' | tr '\n' ' ')" = "vm-42-1 CPUID IO_INSTRUCTION " ]; then
		pass top/busiest-first-idle-hidden
	else
		fail top/busiest-first-idle-hidden "$(echo "$vm42" | tr '\n' '|')"
	fi
	if grep -q '^vm-43-2 ' "$f"; then
		fail top/ended-vm-gone "vm-43-2 still shown"
	else
		pass top/ended-vm-gone
	fi
	expect_match top/new-vm-counted-from-zero "$f" '^vm-44-3 +42 +vmxlab +[0-9]+ +57$'
	expect_match top/new-vm-reason "$f" '^  CPUID \(10\) +2[0-9] +50$'
}

# -n N reports, the screen control without -b, bad options.  If these
# fail, a script cannot bound top, or the screen is not redrawn in place.
test_top_modes() {
	local d=$OUT/top-debugfs
	VMXLAB_DEBUGFS=$d run top-n2 top -b -n 2 -d 0.1
	expect_exit top/n2-exit-0 0 top-n2
	expect_count top/n2-two-reports "$OUT/top-n2.out" "vmxlab top:" 2
	if grep -q $'\e' "$OUT/top-n2.out"; then
		fail top/batch-plain "escape sequences in batch mode"
	else
		pass top/batch-plain
	fi
	VMXLAB_DEBUGFS=$d run top-screen top -n 1 -d 0.1
	expect_count top/screen-home-clear "$OUT/top-screen.out" $'\e[H\e[2J' 1
	for bad in '-d 0' '-d -1' '-d x' '-d 3601' '-n 0' '-n 1x' 'extra'; do
		# shellcheck disable=SC2086 # the option and its value: two words
		VMXLAB_DEBUGFS=$d run top-bad top -b $bad
		expect_exit "top/bad-option-${bad// /}-exit-2" 2 top-bad
	done
	VMXLAB_DEBUGFS=$OUT/no-such-dir run top-missing top -b -n 1 -d 0.1
	expect_exit top/missing-exit-3 3 top-missing
	run top-help top --help
	expect_match top/help "$OUT/top-help.out" '^Usage: vmxlab top \[-b\] \[-n N\] \[-d SECONDS\]$'
}

run_cases() {
	test_top_batch
	test_top_modes
}
