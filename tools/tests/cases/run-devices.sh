# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run's loop on the scripted device: port and MMIO devices,
# --trace, and how a run ends.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

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

run_cases() {
	test_run_devices
	test_run_ends
}
