# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run's command line and --help, without a device that runs
# guests.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# vmxlab run, without a device that runs guests: its command line, and
# the plain-words ends when the device is missing or cannot make a VM.
test_run() {
	local mode bad opt
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
		read -r -a opt <<< "$bad" # an option and its value
		run run-bad-num run "${opt[@]}" --device /nonexistent x.bin
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

run_cases() {
	test_run
	test_run_help
}
