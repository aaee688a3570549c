# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# vmxlab run --vcpus, and signals that stop a running guest.
# Sourced by ../run.sh; the helpers are in ../lib.sh.

# wait_log FILE TEXT: up to 5 s for the scripted device to log TEXT.
wait_log() {
	local _
	for _ in $(seq 50); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
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
		# shellcheck disable=SC2034 # read by expect_exit (lib.sh)
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

run_cases() {
	test_run_vcpus
	test_run_signals
}
